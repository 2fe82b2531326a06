//! Fingerprints, credit lines and URL forms are read from publishers' text and links: they
//! return on anything (see `xinwen_test_support::hostile`).

use proptest::prelude::*;
use xinwen_test_support::hostile::hostile_text;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dedup_functions_never_panic(title in hostile_text(8), text in hostile_text(40)) {
        let print = xinwen_dedup::fingerprint(&title, &text);
        let again = xinwen_dedup::fingerprint(&title, &text);
        // Deterministic, or a story would depend on which process placed it.
        prop_assert_eq!(print.signature_bytes(), again.signature_bytes());
        let _ = xinwen_dedup::content_hash(&title, &text);
        let _ = xinwen_dedup::credited_source(&text);
        let _ = xinwen_dedup::strip_boilerplate(&text);
        let _ = xinwen_dedup::strip_title_prefix(&title);
        // Not dedup's, but read from the same text: where a repost names its original.
        let url = xinwen_model::link::canonical_url(&text);
        // Canonical form is a fixed point, or two spellings of one page would differ.
        prop_assert_eq!(xinwen_model::link::canonical_url(&url), url.clone());
    }
}
