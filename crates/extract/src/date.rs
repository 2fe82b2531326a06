//! Publish times as Chinese and international pages write them.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use regex::Regex;
use std::sync::LazyLock;

/// `2022-11-12T08:30:00+08:00`, `2022-11-12 08:30:00`, with or without seconds and offset.
static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?")
        .expect("valid regex")
});

/// `2022年11月12日 08:30`, `2022/11/12 08:30`, `2022.11.12`.
static CHINESE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*[年/.]\s*(\d{1,2})\s*[月/.]\s*(\d{1,2})\s*日?(?:\s*(?:[上下]午)?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?")
        .expect("valid regex")
});

/// `9/17/2004 5:54:13 AM`: month first, as ASP.NET pages print dates by default. Only with a
/// 12-hour time, which says the writer counted the American way; `5/7/2005` alone could be
/// either order.
static AMERICAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])\.?[Mm]\b",
    )
    .expect("valid regex")
});

/// `11月12日 08:30`: needs a year from elsewhere.
static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:：](\d{2}))?").expect("valid regex")
});

/// A date in a URL path: `/2022/11/12/`, `/2022-11-12/`, `/20221112/`.
static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/(20\d{2}|19\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|\D)")
        .expect("valid regex")
});

/// China Standard Time, the default for pages that give no offset.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

fn offset_of(s: &str) -> Option<FixedOffset> {
    if s == "Z" {
        return FixedOffset::east_opt(0);
    }
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let hours: i32 = digits.get(0..2)?.parse().ok()?;
    let minutes: i32 = digits.get(2..4)?.parse().ok()?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

fn build(
    y: i32,
    m: u32,
    d: u32,
    time: Option<(u32, u32, u32)>,
    offset: FixedOffset,
) -> Option<DateTime<FixedOffset>> {
    if !(1990..=2100).contains(&y) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    let (h, mi, s) = time.unwrap_or((0, 0, 0));
    let time = NaiveTime::from_hms_opt(h, mi, s)?;
    offset
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .single()
}

fn num<T: std::str::FromStr>(c: &regex::Captures<'_>, i: usize) -> Option<T> {
    c.get(i).and_then(|m| m.as_str().parse().ok())
}

/// The first date in `s`, in any of the forms above; `year_hint` completes `11月12日`.
pub fn parse(
    s: &str,
    default_offset: FixedOffset,
    year_hint: Option<i32>,
) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t);
    }
    let iso = ISO.captures(s);
    let chinese = CHINESE.captures(s);
    // Whichever form starts first is the one the page meant.
    let pick_iso = match (&iso, &chinese) {
        (Some(a), Some(b)) => a.get(0)?.start() <= b.get(0)?.start(),
        (Some(_), None) => true,
        _ => false,
    };
    if pick_iso && let Some(c) = iso {
        let offset = c
            .get(7)
            .and_then(|o| offset_of(o.as_str()))
            .unwrap_or(default_offset);
        let time = match (num(&c, 4), num(&c, 5)) {
            (Some(h), Some(m)) => Some((h, m, num(&c, 6).unwrap_or(0))),
            _ => None,
        };
        return build(num(&c, 1)?, num(&c, 2)?, num(&c, 3)?, time, offset);
    }
    if let Some(c) = chinese {
        let time = match (num(&c, 4), num(&c, 5)) {
            (Some(h), Some(m)) => Some((h, m, num(&c, 6).unwrap_or(0))),
            _ => None,
        };
        return build(num(&c, 1)?, num(&c, 2)?, num(&c, 3)?, time, default_offset);
    }
    if let Some(c) = AMERICAN.captures(s) {
        let hour: u32 = num(&c, 4)?;
        if !(1..=12).contains(&hour) {
            return None;
        }
        let afternoon = c[7].eq_ignore_ascii_case("p");
        let hour = match (hour, afternoon) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
        let time = Some((hour, num(&c, 5)?, num(&c, 6).unwrap_or(0)));
        return build(num(&c, 3)?, num(&c, 1)?, num(&c, 2)?, time, default_offset);
    }
    let year = year_hint?;
    let c = MONTH_DAY.captures(s)?;
    let time = match (num(&c, 3), num(&c, 4)) {
        (Some(h), Some(m)) => Some((h, m, 0)),
        _ => None,
    };
    build(year, num(&c, 1)?, num(&c, 2)?, time, default_offset)
}

/// The date a URL path carries, if any.
pub fn from_url(url: &str) -> Option<DateTime<FixedOffset>> {
    let c = URL_DATE.captures(url)?;
    build(num(&c, 1)?, num(&c, 2)?, num(&c, 3)?, None, shanghai())
}

/// A Unix timestamp in seconds (WeChat's `var ct`), shown in China Standard Time.
pub fn from_unix(secs: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp(secs, 0).map(|t| t.with_timezone(&shanghai()))
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    LazyLock::force(&ISO);
    LazyLock::force(&CHINESE);
    LazyLock::force(&AMERICAN);
    LazyLock::force(&MONTH_DAY);
    LazyLock::force(&URL_DATE);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> String {
        parse(s, shanghai(), Some(2022))
            .map(|t| t.to_rfc3339())
            .unwrap_or_default()
    }

    #[test]
    fn the_forms_chinese_pages_use() {
        assert_eq!(show("2022年11月12日 08:30"), "2022-11-12T08:30:00+08:00");
        assert_eq!(
            show("发布时间：2022-11-12 08:30:00 来源：新华社"),
            "2022-11-12T08:30:00+08:00"
        );
        assert_eq!(show("2022/11/12"), "2022-11-12T00:00:00+08:00");
        assert_eq!(show("11月12日 08:30"), "2022-11-12T08:30:00+08:00");
        assert_eq!(show("2022-11-12T00:30:00Z"), "2022-11-12T00:30:00+00:00");
        assert_eq!(
            show("2022-11-12T08:30:00-05:00"),
            "2022-11-12T08:30:00-05:00"
        );
        assert_eq!(
            show("Sat, 12 Nov 2022 08:30:00 +0000"),
            "2022-11-12T08:30:00+00:00"
        );
    }

    #[test]
    fn month_first_with_a_twelve_hour_clock() {
        assert_eq!(
            show("发布日期： 9/17/2004 5:54:13 AM"),
            "2004-09-17T05:54:13+08:00"
        );
        assert_eq!(show("7/5/2005 9:23 PM"), "2005-07-05T21:23:00+08:00");
        assert_eq!(show("1/2/2005 12:10 AM"), "2005-01-02T00:10:00+08:00");
        // Without the clock's half the order is unknown.
        assert_eq!(show("7/5/2005"), "");
        assert_eq!(show("13/5/2005 9:23 PM"), "");
    }

    #[test]
    fn impossible_dates_are_not_dates() {
        assert_eq!(show("2022-13-45"), "");
        assert_eq!(show("1066年10月14日"), "");
        assert_eq!(show("第3版"), "");
        assert_eq!(parse("11月12日", shanghai(), None), None);
    }

    #[test]
    fn urls_and_timestamps() {
        assert_eq!(
            from_url("https://x.example/2022/11/12/a.html")
                .unwrap()
                .to_rfc3339(),
            "2022-11-12T00:00:00+08:00"
        );
        assert_eq!(
            from_url("https://x.example/a/20221112/1.html")
                .unwrap()
                .to_rfc3339(),
            "2022-11-12T00:00:00+08:00"
        );
        assert_eq!(
            from_unix(1_668_213_000).unwrap().to_rfc3339(),
            "2022-11-12T08:30:00+08:00"
        );
    }
}
