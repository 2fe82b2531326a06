//! When to try a source again: after a failure (exponential backoff with jitter; the fetcher
//! adds any Retry-After the source asked for), and after a success (as often as the source
//! publishes, within bounds).

use chrono::{DateTime, Utc};
use std::time::Duration;

/// The delay after `consecutive_failures` failures in a row (1 for the first): `base` doubled
/// each time, capped at `cap`, then scaled by a random factor in [0.5, 1) so that sources
/// which failed together (a network outage) do not all retry in the same second.
pub fn failure_backoff(consecutive_failures: u32, base: Duration, cap: Duration) -> Duration {
    backoff_with_jitter(consecutive_failures, base, cap, fastrand::f64())
}

/// [`failure_backoff`] with the random draw given, for tests.
pub fn backoff_with_jitter(
    consecutive_failures: u32,
    base: Duration,
    cap: Duration,
    draw: f64,
) -> Duration {
    let doublings = consecutive_failures.saturating_sub(1).min(30);
    let full = base.saturating_mul(1u32 << doublings).min(cap);
    full.mul_f64(0.5 + 0.5 * draw.clamp(0.0, 1.0))
}

/// The check interval for a source that publishes every `publish_interval` on average: twice
/// per publishing interval, within `[min, max]`. A source with no history is checked at `max`'s
/// quarter, a middle ground until it shows its pace.
pub fn check_interval(
    publish_interval: Option<Duration>,
    min: Duration,
    max: Duration,
) -> Duration {
    let max = max.max(min);
    match publish_interval {
        Some(interval) => (interval / 2).clamp(min, max),
        None => (max / 4).clamp(min, max),
    }
}

/// The typical gap between a source's publications: the median of the gaps between its most
/// recent (up to 20) distinct publication times. The median, not the mean, so that one quiet
/// weekend does not slow a daily source down.
pub fn publishing_interval(times: &[DateTime<Utc>]) -> Option<Duration> {
    let mut times: Vec<i64> = times.iter().map(|t| t.timestamp()).collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    times.dedup();
    times.truncate(20);
    if times.len() < 2 {
        return None;
    }
    let mut gaps: Vec<i64> = times.windows(2).map(|w| w[0] - w[1]).collect();
    gaps.sort_unstable();
    let median = gaps[gaps.len() / 2];
    Some(Duration::from_secs(median.max(1) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const MINUTE: Duration = Duration::from_secs(60);
    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let b = |n, draw| backoff_with_jitter(n, MINUTE, 6 * HOUR, draw);
        assert_eq!(b(1, 1.0), MINUTE);
        assert_eq!(b(2, 1.0), 2 * MINUTE);
        assert_eq!(b(5, 1.0), 16 * MINUTE);
        assert_eq!(b(30, 1.0), 6 * HOUR, "capped");
        assert_eq!(b(u32::MAX, 1.0), 6 * HOUR, "no overflow");
        assert_eq!(b(3, 0.0), 2 * MINUTE, "jitter takes off at most half");
        let random = failure_backoff(3, MINUTE, 6 * HOUR);
        assert!(random >= 2 * MINUTE && random <= 4 * MINUTE, "{random:?}");
    }

    #[test]
    fn the_check_interval_follows_the_publishing_pace() {
        let min = 10 * MINUTE;
        let max = 12 * HOUR;
        assert_eq!(check_interval(Some(2 * HOUR), min, max), HOUR);
        assert_eq!(check_interval(Some(MINUTE), min, max), min);
        assert_eq!(check_interval(Some(30 * 24 * HOUR), min, max), max);
        assert_eq!(check_interval(None, min, max), 3 * HOUR);
    }

    #[test]
    fn the_publishing_interval_is_the_median_gap() {
        let at = |h: i64| Utc.timestamp_opt(1_700_000_000 + h * 3600, 0).unwrap();
        let times = [at(0), at(2), at(4), at(6), at(100), at(6)];
        assert_eq!(publishing_interval(&times), Some(2 * HOUR));
        assert_eq!(publishing_interval(&[at(0)]), None);
        assert_eq!(publishing_interval(&[]), None);
    }
}
