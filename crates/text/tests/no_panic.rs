//! Every function that reads outsiders' text returns on anything (see
//! `xinwen_test_support::hostile`), and index time and query time still agree on it.

use proptest::prelude::*;
use std::sync::LazyLock;
use xinwen_test_support::hostile::hostile_text;
use xinwen_text::{Analyzer, Variant};

static ANALYZER: LazyLock<Analyzer> = LazyLock::new(Analyzer::new);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn text_functions_never_panic(text in hostile_text(40)) {
        let normal = xinwen_text::normalize(&text);
        // Normal form is a fixed point: the index and the query meet on it.
        prop_assert_eq!(xinwen_text::normalize(&normal), normal.clone());
        for variant in [Variant::ZhCN, Variant::ZhTW, Variant::ZhHK] {
            let _ = xinwen_text::convert(&text, variant);
        }
        let _ = xinwen_text::bigrams(&normal);
        let _ = xinwen_text::trigrams(&normal);
        let _ = ANALYZER.words(&text);
        let _ = ANALYZER.query_words(&text);
        let _ = ANALYZER.keywords(&text, 10);
    }
}
