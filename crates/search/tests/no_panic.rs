//! The query syntax and snippets read what readers type and what publishers wrote: they
//! return on anything (see `xinwen_test_support::hostile`).

use proptest::prelude::*;
use std::sync::LazyLock;
use xinwen_test_support::hostile::hostile_text;
use xinwen_text::Analyzer;

static ANALYZER: LazyLock<Analyzer> = LazyLock::new(Analyzer::new);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn queries_and_snippets_never_panic(query in hostile_text(12), text in hostile_text(60), width in 0usize..200) {
        let parsed = xinwen_search::parse(&query, &ANALYZER);
        let terms = parsed.highlight_terms();
        let _ = xinwen_search::snippet(&text, &terms, width);
        let _ = xinwen_search::snippet(&text, std::slice::from_ref(&query), width);
    }
}
