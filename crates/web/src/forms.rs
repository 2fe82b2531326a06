//! Reading what people type into forms: fields by name, cleaned of control characters, held
//! to a length, and URLs held to the public internet.
//!
//! Text is kept as text. Nothing here produces HTML; templates escape it wherever it is shown,
//! and publishing a submission turns it into paragraphs of escaped text.

use std::collections::HashMap;
use xinwen_fetch::{FetchError, Guard};

/// A form body's fields. A name sent twice keeps every value, in order (checkboxes).
#[derive(Debug, Default)]
pub struct Fields(HashMap<String, Vec<String>>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        let mut fields: HashMap<String, Vec<String>> = HashMap::new();
        for (key, value) in url::form_urlencoded::parse(body) {
            fields
                .entry(key.into_owned())
                .or_default()
                .push(value.into_owned());
        }
        Fields(fields)
    }

    /// Fields from name–value pairs, as a form would send them (a name may repeat).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Fields {
        let mut fields: HashMap<String, Vec<String>> = HashMap::new();
        for (key, value) in pairs {
            fields.entry(key).or_default().push(value);
        }
        Fields(fields)
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(|v| v.first())
            .map_or("", String::as_str)
    }

    pub fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }
}

/// Text as typed, made safe to keep: line ends unified, control characters (other than line
/// breaks and tabs) and invisible direction overrides removed, surrounding space trimmed.
pub fn clean(value: &str, multiline: bool) -> String {
    let unified = value.replace("\r\n", "\n").replace('\r', "\n");
    let kept: String = unified
        .chars()
        // On one line, breaks and tabs are spaces.
        .map(|c| {
            if !multiline && (c == '\t' || c == '\n') {
                ' '
            } else {
                c
            }
        })
        .filter(|c| {
            let control = c.is_control() && !(multiline && (*c == '\n' || *c == '\t'));
            // Bidirectional overrides can make a name read as something else to an editor.
            let bidi = matches!(*c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            !control && !bidi
        })
        .collect();
    kept.trim().to_owned()
}

/// One field's rules, and the errors found so far, so that a form reports every mistake at
/// once and keeps what was typed.
#[derive(Debug, Default)]
pub struct Checker {
    pub errors: Vec<String>,
}

impl Checker {
    /// A cleaned text field: required or not, at most `max` characters.
    pub fn text(
        &mut self,
        label: &str,
        raw: &str,
        required: bool,
        max: usize,
        multiline: bool,
    ) -> String {
        let value = clean(raw, multiline);
        let count = value.chars().count();
        if required && value.is_empty() {
            self.errors.push(format!("请填写“{label}”。"));
        } else if count > max {
            self.errors.push(format!(
                "“{label}”有 {count} 个字，超过了 {max} 字的上限，请删减。"
            ));
        }
        value
    }

    /// An optional link: http or https, and not to a private or local address.
    pub fn url(&mut self, label: &str, raw: &str, required: bool) -> Option<String> {
        let value = clean(raw, false);
        if value.is_empty() {
            if required {
                self.errors.push(format!("请填写“{label}”。"));
            }
            return None;
        }
        match check_public_url(&value) {
            Ok(url) => Some(url),
            Err(why) => {
                self.errors.push(format!("“{label}”：{why}"));
                None
            }
        }
    }

    pub fn require(&mut self, ok: bool, message: &str) {
        if !ok {
            self.errors.push(message.to_owned());
        }
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The longest link accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// Checks a link a reader gives: a whole http(s) URL whose host is not a private, local or
/// otherwise internal address. Returns it normalised, or why not in words.
pub fn check_public_url(value: &str) -> Result<String, String> {
    if value.chars().count() > MAX_URL_CHARS {
        return Err(format!("链接太长（上限 {MAX_URL_CHARS} 个字符）。"));
    }
    let url = url::Url::parse(value)
        .map_err(|_| "这不是一个完整的链接，请以 http:// 或 https:// 开头。".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("只接受以 http:// 或 https:// 开头的链接。".into());
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") || host.ends_with(".local") {
        return Err(format!(
            "链接指向本机或内部网络（{host}），本站不会访问这样的地址。请提交公开网站的链接。"
        ));
    }
    // No allow-list here: what the operator lets ingest reach is not for readers to use.
    match Guard::new(Vec::new()).check_url(&url) {
        Ok(()) => Ok(url.to_string()),
        Err(FetchError::Refused { address, .. }) => Err(format!(
            "链接指向非公网地址 {address}，本站不会访问这样的地址。请提交公开网站的链接。"
        )),
        Err(_) => Err(
            "这个链接无法使用，请检查是否是完整的网页地址（以 http:// 或 https:// 开头）。"
                .to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_direction_characters_are_dropped() {
        assert_eq!(clean("  a\u{0}b\u{202e}c\r\nd  ", true), "abc\nd");
        assert_eq!(clean("a\tb\nc", false), "a b c");
    }

    #[test]
    fn private_and_local_links_are_refused_with_the_address() {
        for bad in [
            "http://127.0.0.1/a",
            "http://10.1.2.3/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:8080/",
            "http://[::ffff:10.0.0.1]/",
            "http://localhost/",
        ] {
            let why = check_public_url(bad).unwrap_err();
            assert!(why.contains("本站不会访问"), "{bad}: {why}");
            // Said to a reader in Chinese, without the guard's English.
            assert!(!why.contains("address"), "{bad}: {why}");
        }
        assert!(
            check_public_url("http://169.254.169.254/")
                .unwrap_err()
                .contains("169.254.169.254")
        );
        assert!(check_public_url("javascript:alert(1)").is_err());
        assert!(check_public_url("ftp://example.com/").is_err());
        assert_eq!(
            check_public_url("https://news.example.com/a?b=1").unwrap(),
            "https://news.example.com/a?b=1"
        );
    }

    #[test]
    fn every_mistake_is_reported_at_once() {
        let mut check = Checker::default();
        let title = check.text("标题", "   ", true, 10, false);
        let body = check.text("正文", &"字".repeat(11), true, 10, true);
        let url = check.url("原文链接", "http://10.0.0.1/", false);
        assert_eq!(title, "");
        assert_eq!(body.chars().count(), 11, "what was typed is kept");
        assert_eq!(url, None);
        assert_eq!(check.errors.len(), 3, "{:?}", check.errors);
        assert!(check.errors[1].contains("11 个字"));
    }
}
