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

/// Query parameters that say how a reader arrived, not what they read.
const TRACKING: &[&str] = &[
    "from",
    "spm",
    "isappinstalled",
    "scene",
    "clicktime",
    "enterid",
    "subscene",
    "sessionid",
    "ascene",
    "devicetype",
    "version",
    "nettype",
    "lang",
    "pass_ticket",
    "wx_header",
    "share_token",
    "sharer_sharetime",
    "sharer_shareid",
    "srcid",
    "exportkey",
    "chksm",
    "mpshare",
    "fbclid",
    "gclid",
    "ref",
    "source",
    "share",
    "share_from",
    "timestamp",
    "tt_from",
    "utm",
    "wxfrom",
    "_wv",
];

/// The one form of an article's URL, so that the same article reached by different links is
/// one article: https, no `www.`-less/`www.` split (the host as given, lower case), no
/// fragment, no trailing slash, no tracking parameters (utm_*, spm, from, scene...), the
/// remaining parameters sorted. WeChat links keep only what names the article: `__biz`,
/// `mid`, `idx`, `sn` (or the `/s/<token>` path).
pub fn canonical_url(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw.trim()) else {
        return raw.trim().to_owned();
    };
    if !matches!(url.scheme(), "http" | "https") {
        return url.to_string();
    }
    let _ = url.set_scheme("https");
    url.set_fragment(None);
    if url.port() == Some(80) || url.port() == Some(443) {
        let _ = url.set_port(None);
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let wechat = host == "mp.weixin.qq.com";
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        // `&amp;` copied undecoded out of HTML leaves keys named `amp;mid`.
        .map(|(k, v)| {
            let key = k.strip_prefix("amp;").unwrap_or(&k).to_owned();
            (key, v.into_owned())
        })
        .filter(|(key, _)| {
            let key = key.to_ascii_lowercase();
            if wechat {
                return matches!(
                    key.as_str(),
                    "__biz" | "mid" | "idx" | "sn" | "appmsgid" | "itemidx"
                );
            }
            !key.starts_with("utm_") && !TRACKING.contains(&key.as_str())
        })
        .collect();
    if wechat {
        let token = url
            .path()
            .strip_prefix("/s/")
            .is_some_and(|t| !t.trim_matches('/').is_empty());
        if token {
            pairs.clear();
        } else {
            pairs = wechat_article_key(pairs);
            url.set_path("/s");
        }
    }
    pairs.sort();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let path = url.path().to_owned();
    if path.len() > 1 && path.ends_with('/') {
        url.set_path(path.trim_end_matches('/'));
    }
    url.to_string()
}

/// What names a WeChat article among a link's parameters. An account (`__biz`), message
/// (`mid`, `appmsgid` in the old `/mp/appmsg/show` form) and position in it (`idx`,
/// `itemidx`) name it whole; `sn` is a signature, kept only when the rest is missing (as in
/// a temporary link). A `/s/<token>` link is named by its path alone.
fn wechat_article_key(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut biz = None;
    let mut mid = None;
    let mut idx = None;
    let mut sn = None;
    for (key, value) in pairs {
        match key.as_str() {
            "__biz" => biz = Some(value),
            "mid" | "appmsgid" => mid = mid.or(Some(value)),
            "idx" | "itemidx" => idx = idx.or(Some(value)),
            "sn" => sn = Some(value),
            _ => {}
        }
    }
    let whole = biz.is_some() && mid.is_some() && idx.is_some();
    [
        ("__biz", biz),
        ("idx", idx),
        ("mid", mid),
        ("sn", if whole { None } else { sn }),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some((key.to_owned(), value?)))
    .collect()
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

#[cfg(test)]
mod canonical_tests {
    use super::canonical_url;

    #[test]
    fn one_article_one_url() {
        for (raw, canonical) in [
            (
                "http://news.example/a/1.html?utm_source=wx&utm_medium=share",
                "https://news.example/a/1.html",
            ),
            (
                "https://news.example/a/1.html?from=timeline&isappinstalled=0#comments",
                "https://news.example/a/1.html",
            ),
            (
                "https://news.example/list/?page=2&spm=a2c4",
                "https://news.example/list?page=2",
            ),
            (
                "https://news.example/a?b=2&a=1",
                "https://news.example/a?a=1&b=2",
            ),
            (
                "http://mp.weixin.qq.com/s?__biz=MzA5&mid=2651&idx=1&sn=abc&chksm=xyz&scene=21#wechat_redirect",
                "https://mp.weixin.qq.com/s?__biz=MzA5&idx=1&mid=2651",
            ),
            (
                "https://mp.weixin.qq.com/s/AbCdEf123?scene=1&from=groupmessage",
                "https://mp.weixin.qq.com/s/AbCdEf123",
            ),
            ("https://News.Example:443/x/", "https://news.example/x"),
            (
                "https://news.example/a?id=7&amp;from=timeline",
                "https://news.example/a?id=7",
            ),
            ("not a url", "not a url"),
        ] {
            assert_eq!(canonical_url(raw), canonical, "{raw}");
        }
    }

    #[test]
    fn every_form_of_a_wechat_link_is_one_article() {
        let one = "https://mp.weixin.qq.com/s?__biz=MzA5NzI%3D&idx=2&mid=2651";
        for form in [
            "https://mp.weixin.qq.com/s?__biz=MzA5NzI=&mid=2651&idx=2&sn=9f1c&chksm=bd01#rd",
            "http://mp.weixin.qq.com/s?__biz=MzA5NzI%3D&mid=2651&idx=2&sn=9f1c&scene=21#wechat_redirect",
            "https://mp.weixin.qq.com/s?__biz=MzA5NzI=&amp;mid=2651&amp;idx=2&amp;sn=9f1c",
            "https://MP.WEIXIN.QQ.COM/s/?idx=2&mid=2651&__biz=MzA5NzI%3D&sn=other&from=timeline",
            "https://mp.weixin.qq.com/mp/appmsg/show?__biz=MzA5NzI=&appmsgid=2651&itemidx=2&sign=77ab#wechat_redirect",
            "https://mp.weixin.qq.com/s?__biz=MzA5NzI=&mid=2651&idx=2&sn=9f1c&key=abc&ascene=1&uin=MTA&devicetype=Windows",
        ] {
            assert_eq!(canonical_url(form), one, "{form}");
        }
        assert_ne!(
            canonical_url("https://mp.weixin.qq.com/s?__biz=MzA5NzI=&mid=2651&idx=3&sn=9f1c"),
            one,
            "another article of the same message"
        );
    }
}
