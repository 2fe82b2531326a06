//! WeChat article pages (mp.weixin.qq.com): the body sits in `#js_content`, hidden until the
//! page's scripts run; images wait in `data-src`; the account, the publish time, the 原创 mark
//! and the 阅读原文 link are in the page's script variables.

use crate::dom::{Dom, attr, tag};
use crate::meta::Head;
use chrono::{DateTime, FixedOffset};
use regex::Regex;
use std::sync::LazyLock;

/// What a WeChat page says about itself beyond the article.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct WechatInfo {
    pub account: Option<String>,
    /// Marked 原创 (original) by the account.
    pub original: bool,
    /// Where 阅读原文 leads.
    pub source_url: Option<String>,
}

pub fn is_wechat(dom: &Dom, page_url: Option<&str>) -> bool {
    page_url.is_some_and(|u| u.contains("mp.weixin.qq.com"))
        // The page's text is searched first: most pages never mention the id at all.
        || (memchr::memmem::find(dom.html.source().as_bytes(), b"js_content").is_some()
            && dom
                .root()
                .descendants()
                .any(|n| attr(&n, "id") == Some("js_content")))
}

/// A script variable set to a string: `var ct = "1700000000"`, `nickname: htmlDecode("…")`.
static SCRIPT_VAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:var\s+)?([A-Za-z_]+)\s*[:=]\s*(?:htmlDecode\()?\s*(?:"([^"]*)"|'([^']*)')"#)
        .expect("valid regex")
});

fn script_var(head: &Head, names: &[&str]) -> Option<String> {
    for script in &head.scripts {
        for c in SCRIPT_VAR.captures_iter(script) {
            if names.contains(&&c[1])
                && let Some(v) = c.get(2).or_else(|| c.get(3))
            {
                let v = v.as_str().trim();
                if !v.is_empty() {
                    return Some(decode_js(v));
                }
            }
        }
    }
    None
}

/// The escapes WeChat's variables use: `\x26`, `&amp;` and friends.
fn decode_js(s: &str) -> String {
    s.replace("\\x26", "&")
        .replace("\\x3c", "<")
        .replace("\\x3e", ">")
        .replace("\\x22", "\"")
        .replace("\\x27", "'")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

pub fn info(dom: &Dom, head: &Head) -> WechatInfo {
    let account = script_var(head, &["nickname", "profile_nickname"]).or_else(|| {
        dom.root()
            .descendants()
            .find(|n| {
                attr(n, "id") == Some("js_name")
                    || attr(n, "class").is_some_and(|c| c.contains("profile_nickname"))
            })
            .map(|n| dom.text_of(n))
            .filter(|t| !t.is_empty())
    });
    let original = dom.root().descendants().any(|n| {
        attr(&n, "id") == Some("copyright_logo")
            || (tag(&n) == Some("span")
                && attr(&n, "class").is_some_and(|c| c.contains("original")))
    }) || script_var(head, &["copyright_stat"])
        .is_some_and(|v| v == "1" || v == "11");
    let source_url = script_var(head, &["msg_source_url"]).filter(|u| u.starts_with("http"));
    WechatInfo {
        account,
        original,
        source_url,
    }
}

pub fn title(head: &Head) -> Option<String> {
    script_var(head, &["msg_title"])
}

pub fn author(dom: &Dom, head: &Head) -> Option<String> {
    dom.root()
        .descendants()
        .find(|n| attr(n, "id") == Some("js_author_name"))
        .map(|n| dom.text_of(n))
        .filter(|t| !t.is_empty())
        .or_else(|| head.meta(&["author"]).map(str::to_owned))
}

pub fn published_at(head: &Head) -> Option<DateTime<FixedOffset>> {
    if let Some(ct) = script_var(head, &["ct", "create_time"]).and_then(|v| v.parse::<i64>().ok()) {
        return crate::date::from_unix(ct);
    }
    script_var(head, &["createTime", "publish_time"])
        .and_then(|s| crate::date::parse(&s, crate::date::shanghai(), None))
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    LazyLock::force(&SCRIPT_VAR);
}
