//! How times and other values are written for readers (zh-CN, China Standard Time).

use chrono::{DateTime, Utc};

/// `2026年11月12日 08:30`, in Beijing time, which is what Chinese news pages show.
pub fn datetime_zh(t: DateTime<Utc>) -> String {
    t.with_timezone(&xinwen_model::china_offset())
        .format("%Y年%m月%d日 %H:%M")
        .to_string()
}

/// `2026年11月12日`, in Beijing time.
pub fn date_zh(t: DateTime<Utc>) -> String {
    t.with_timezone(&xinwen_model::china_offset())
        .format("%Y年%m月%d日")
        .to_string()
}

/// Plain text made safe inside HTML (text and attribute values).
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The machine form for `<time datetime>`.
pub fn datetime_iso(t: DateTime<Utc>) -> String {
    t.with_timezone(&xinwen_model::china_offset())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Makes the site-relative links of a stored body absolute, for feeds read off-site.
///
/// Bodies are sanitized with attributes written in double quotes, so the two forms below are
/// the only ones a relative link can take.
pub fn absolutize(html: &str, base_url: &str) -> String {
    html.replace("src=\"/", &format!("src=\"{base_url}/"))
        .replace("href=\"/", &format!("href=\"{base_url}/"))
}

/// A site-relative address (`/media/p/…`) made absolute with `base`, for readers outside the
/// site (feeds, the API, sharing cards); any other address as it is.
pub fn absolute_url(base: &str, src: &str) -> String {
    if src.starts_with('/') && !src.starts_with("//") {
        format!("{}{src}", base.trim_end_matches('/'))
    } else {
        src.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_beijing_time() {
        let t = DateTime::parse_from_rfc3339("2026-11-12T00:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(datetime_zh(t), "2026年11月12日 08:30");
        assert_eq!(datetime_iso(t), "2026-11-12T08:30:00+08:00");
    }

    #[test]
    fn relative_links_become_absolute_and_others_stay() {
        let html = r#"<img src="/media/a.svg"><a href="https://x.example/">x</a><a href="/about">关于</a>"#;
        assert_eq!(
            absolutize(html, "https://news.example"),
            r#"<img src="https://news.example/media/a.svg"><a href="https://x.example/">x</a><a href="https://news.example/about">关于</a>"#
        );
    }
}
