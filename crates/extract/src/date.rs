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

/// `September 10th, 2005 10:56 am`, `Sep. 10, 2005`: the month by name before the day, as
/// English blogs print a post's date.
static NAMED_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b){MONTHS}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?-u:\b){CLOCK_12}"
    ))
    .expect("valid regex")
});

/// `10 September 2005`, `10th Sept. 2005, 10:56`: the day before the month's name.
static DAY_NAMED_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(\d{{1,2}})(?:st|nd|rd|th)?\s+{MONTHS}\.?,?\s+(\d{{4}})(?-u:\b){CLOCK_12}"
    ))
    .expect("valid regex")
});

/// A month's name or its abbreviation, captured by its first three letters.
const MONTHS: &str = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?:uary|ruary|ch|il|e|y|ust|t|tember|ober|ember)?";

/// An optional clock after a date: `10:56 am`, `at 22:05`.
const CLOCK_12: &str =
    r"(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?m(?-u:\b)\.?)?)?";

fn month_number(name: &str) -> Option<u32> {
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let name = name.to_ascii_lowercase();
    months.iter().position(|m| *m == name).map(|i| i as u32 + 1)
}

/// An hour on a 12-hour clock, when `half` says which (`a` or `p`), as 0 to 23.
fn hour_of_day(hour: u32, half: Option<&str>) -> Option<u32> {
    match half.map(|h| h.eq_ignore_ascii_case("p")) {
        None => (hour < 24).then_some(hour),
        Some(_) if !(1..=12).contains(&hour) => None,
        Some(false) => Some(hour % 12),
        Some(true) => Some(hour % 12 + 12),
    }
}

/// Where the first date with its month by name begins in `s` (By Carrie Arnold November 15,
/// 2019): what comes before it is no part of that date.
pub fn named_month_date_at(s: &str) -> Option<usize> {
    NAMED_MONTH.find(s).map(|m| m.start())
}

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
        let hour = hour_of_day(num(&c, 4)?, Some(&c[7]))?;
        let time = Some((hour, num(&c, 5)?, num(&c, 6).unwrap_or(0)));
        return build(num(&c, 3)?, num(&c, 1)?, num(&c, 2)?, time, default_offset);
    }
    // Most lines a page is read for hold no Latin letter (so no month's name) or no year.
    let has_letters = s.bytes().any(|b| b.is_ascii_alphabetic())
        && s.as_bytes()
            .windows(4)
            .any(|w| w.iter().all(u8::is_ascii_digit));
    let named = has_letters
        .then(|| NAMED_MONTH.captures(s).map(|c| (c, 1, 2)))
        .flatten();
    let named = named.or_else(|| {
        has_letters
            .then(|| DAY_NAMED_MONTH.captures(s).map(|c| (c, 2, 1)))
            .flatten()
    });
    if let Some((c, month_at, day_at)) = named {
        let time = match (num(&c, 4), num(&c, 5)) {
            (Some(h), Some(m)) => Some((
                hour_of_day(h, c.get(7).map(|m| m.as_str()))?,
                m,
                num(&c, 6).unwrap_or(0),
            )),
            _ => None,
        };
        let month = month_number(&c[month_at])?;
        return build(num(&c, 3)?, month, num(&c, day_at)?, time, default_offset);
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
    LazyLock::force(&NAMED_MONTH);
    LazyLock::force(&DAY_NAMED_MONTH);
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
    fn months_by_name() {
        assert_eq!(
            show("Saturday, September 10th, 2005   10:56 am"),
            "2005-09-10T10:56:00+08:00"
        );
        assert_eq!(show("Posted Sep. 3, 2021"), "2021-09-03T00:00:00+08:00");
        assert_eq!(
            show("March 1, 2020 at 12:05 pm"),
            "2020-03-01T12:05:00+08:00"
        );
        assert_eq!(show("12 May 2019, 22:05"), "2019-05-12T22:05:00+08:00");
        assert_eq!(show("1st December 2018"), "2018-12-01T00:00:00+08:00");
        // Words that begin like a month are no month; a month without its day is no date.
        assert_eq!(show("Marching 12, 2005"), "");
        assert_eq!(show("May 2005"), "");
        assert_eq!(show("June 31, 2005"), "");
        assert_eq!(show("June 3, 2005 13:05 pm"), "");
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
