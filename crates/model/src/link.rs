//! Links that come from outside (feeds, pages, forms, configuration) and are printed as
//! `href`s: only http and https ever pass. A `javascript:` or `data:` link in a publisher's
//! feed would otherwise run the publisher's script on our site, with an editor's session if
//! an editor clicks it. Every place a link enters is checked with [`web_url`], and every
//! template prints such links through [`printable`], so that one missed entry cannot become
//! a script.

use url::Url;

/// The link as an absolute http(s) URL, or `None` for anything else (other schemes, relative
/// or malformed links, links without a host). Surrounding white space is ignored, as browsers
/// ignore it.
pub fn web_url(raw: &str) -> Option<Url> {
    let url = Url::parse(raw.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host().is_some()).then_some(url)
}

/// Whether `raw` is an absolute http(s) link.
pub fn is_web_url(raw: &str) -> bool {
    web_url(raw).is_some()
}

/// `raw` when it is safe to print as a link: an absolute http(s) URL, or a path of this site
/// (one leading `/`, not `//`, which browsers read as another host). Anything else is `#`, a
/// link that goes nowhere.
pub fn printable(raw: &str) -> &str {
    let trimmed = raw.trim();
    let own_path = trimmed.starts_with('/')
        && !trimmed.starts_with("//")
        && !trimmed.starts_with("/\\")
        && !trimmed.contains(['\\', '\n', '\r', '\t']);
    if own_path || is_web_url(trimmed) {
        raw
    } else {
        "#"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_pass() {
        for ok in [
            "https://news.example/a/1.html",
            "http://news.example",
            "  https://news.example/x  ",
            "HTTPS://NEWS.EXAMPLE/",
        ] {
            assert!(is_web_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " javascript:alert(document.cookie)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "/relative/path",
            "news.example/a",
            "http://",
            "",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn printable_keeps_own_paths_and_web_links_only() {
        assert_eq!(printable("/article/1"), "/article/1");
        assert_eq!(printable("https://a.example/"), "https://a.example/");
        assert_eq!(printable("javascript:alert(1)"), "#");
        assert_eq!(printable("//evil.example/x"), "#");
        assert_eq!(printable("/\\evil.example"), "#");
        assert_eq!(printable("data:text/html,x"), "#");
        assert_eq!(printable(""), "#");
    }
}
