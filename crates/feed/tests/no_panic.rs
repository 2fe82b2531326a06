//! Feeds and OPML files are publishers' and users' bytes: parsing returns a feed or an error
//! on anything (see `xinwen_test_support::hostile`), never a panic, and never hands on a link
//! that is not http(s).

use proptest::prelude::*;
use xinwen_test_support::hostile::{hostile_bytes, hostile_text};

fn rss(title: &str, link: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title><link>{link}</link>\
         <item><title>{title}</title><link>{link}</link><description>{body}</description></item></channel></rss>"
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn feeds_never_panic(title in hostile_text(6), link in hostile_text(6), body in hostile_text(30)) {
        let doc = rss(&title, &link, &body);
        if let Ok(feed) = xinwen_feed::parse(doc.as_bytes(), None, Some("https://feed.example/rss")) {
            for entry in &feed.entries {
                if let Some(url) = &entry.url {
                    prop_assert!(url.starts_with("http://") || url.starts_with("https://"), "{url}");
                }
            }
            if let Some(site) = &feed.site_url {
                prop_assert!(site.starts_with("http://") || site.starts_with("https://"), "{site}");
            }
        }
        let _ = xinwen_feed::visible_chars(&body);
        let _ = xinwen_feed::parse_opml(&body);
    }

    #[test]
    fn feed_bytes_never_panic(bytes in hostile_bytes(40)) {
        let _ = xinwen_feed::parse(&bytes, None, None);
        let _ = xinwen_feed::parse(&bytes, Some("gbk"), None);
    }
}
