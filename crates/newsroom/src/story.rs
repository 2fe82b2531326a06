//! A story's roles and heat: which of its articles is the credited original, which one lists
//! show, and how hot it is.
//!
//! The store works these out again whenever a story's articles change (a repost placed, an
//! article hidden or taken down) and keeps the results; these functions only decide.

use xinwen_model::link::canonical_url;

/// Half-life of a source's contribution to a story's heat.
pub const HOT_HALF_LIFE_HOURS: f64 = 12.0;
/// How far back 热点 looks.
pub const HOT_WINDOW_HOURS: i64 = 72;
/// How far back 热点 looks when its window holds fewer than [`HOT_AT_LEAST`] stories: a quiet
/// stretch must not empty the home page's lead.
pub const HOT_QUIET_WINDOW_HOURS: i64 = 30 * 24;
/// The fewest stories 热点 tries to show.
pub const HOT_AT_LEAST: u32 = 5;

/// One article of a story, as the rules weigh it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    /// Seconds since the epoch.
    pub published_at: i64,
    pub live: bool,
    /// What its 来源 line or 阅读原文 link credits, as written.
    pub credited_source: Option<String>,
    pub source_id: i64,
    pub source_name: String,
    pub canonical_url: String,
}

/// Where an article of a story is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listing {
    pub article_id: i64,
    /// Shown in the site's lists (home, channels, search): only a story's lead is, so that a
    /// story told by ten sources takes one line.
    pub in_lists: bool,
    /// Shown on its source's page: each source's first live article of the story is.
    pub in_source_list: bool,
}

/// What a story's articles decide about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Roles {
    /// The article the others credit, or else the earliest.
    pub original: i64,
    /// The article lists show: the original while it is live, or else the earliest live one;
    /// none when no article is live.
    pub lead: Option<i64>,
    pub first_published_at: i64,
    pub last_published_at: i64,
    pub live_articles: usize,
    /// Distinct sources with a live article.
    pub sources: usize,
    /// The time-independent part of the heat ([`heat_key`]); below every other key when no
    /// article is live.
    pub heat_key: f64,
    /// Every article's listing, in the order given.
    pub listings: Vec<Listing>,
}

/// Works out a story's roles from its articles, which must come oldest first (by time, then
/// id); `None` for a story without articles.
///
/// The original is the article the others credit (their 来源 lines name its source, or their
/// 阅读原文 links its page), the most credited winning and the earliest among equals; with no
/// credit at all, the earliest.
pub fn roles(members: &[Member]) -> Option<Roles> {
    let earliest = members.first()?;
    let credits = |member: &Member| {
        members
            .iter()
            .filter(|other| other.id != member.id)
            .filter(|other| {
                other
                    .credited_source
                    .as_deref()
                    .is_some_and(|credit| credits_member(credit, member))
            })
            .count()
    };
    // Members are oldest first, so among equals the earliest wins.
    let original = members
        .iter()
        .map(|member| (credits(member), member))
        .filter(|(count, _)| *count > 0)
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.published_at.cmp(&a.1.published_at)))
        .map_or(earliest, |(_, member)| member);
    let lead = if original.live {
        Some(original.id)
    } else {
        members.iter().find(|m| m.live).map(|m| m.id)
    };
    // Oldest first, so each source's first live article comes first.
    let mut firsts: Vec<(i64, i64)> = Vec::new();
    let mut listings = Vec::with_capacity(members.len());
    for member in members {
        let first_of_its_source = !firsts.iter().any(|(source, _)| *source == member.source_id);
        if member.live && first_of_its_source {
            firsts.push((member.source_id, member.published_at));
        }
        listings.push(Listing {
            article_id: member.id,
            in_lists: lead.is_none_or(|lead| lead == member.id),
            in_source_list: first_of_its_source,
        });
    }
    Some(Roles {
        original: original.id,
        lead,
        first_published_at: earliest.published_at,
        last_published_at: members.iter().map(|m| m.published_at).max()?,
        live_articles: members.iter().filter(|m| m.live).count(),
        sources: firsts.len(),
        heat_key: heat_key(firsts.iter().map(|(_, first)| *first)).unwrap_or(f64::MIN),
        listings,
    })
}

/// Whether a credit, as another article writes it, names this member: a 阅读原文 link names its
/// page, a 来源 line its publication.
fn credits_member(credit: &str, member: &Member) -> bool {
    let credit = credit.trim();
    if credit.starts_with("http://") || credit.starts_with("https://") {
        return same_page(credit, &member.canonical_url);
    }
    !credit.is_empty()
        && (member.source_name.contains(credit) || credit.contains(member.source_name.as_str()))
}

/// Whether two URLs name one page: equal in their canonical form (the store keeps canonical
/// URLs; credited links come as written, escaped or not, with tracking parameters). The query
/// counts: every WeChat article is `mp.weixin.qq.com/s?__biz=…`.
pub fn same_page(a: &str, b: &str) -> bool {
    let core = |url: &str| {
        let canonical = canonical_url(url);
        canonical
            .split_once("://")
            .map_or(canonical.as_str(), |(_, rest)| rest)
            .to_ascii_lowercase()
    };
    core(a) == core(b)
}

/// The time-independent part of a story's heat, from when each of its sources first published
/// it (seconds since the epoch): log2 of the sum of 2^(t / half-life), summed stably. `None`
/// for a story with no live article.
pub fn heat_key(firsts: impl Iterator<Item = i64>) -> Option<f64> {
    let half_life = HOT_HALF_LIFE_HOURS * 3600.0;
    let exponents: Vec<f64> = firsts.map(|t| t as f64 / half_life).collect();
    let top = exponents.iter().copied().reduce(f64::max)?;
    let sum: f64 = exponents.iter().map(|e| (e - top).exp2()).sum();
    Some(top + sum.log2())
}

/// A story's heat at `now` (seconds since the epoch) from its key: the sum over its sources
/// of one half per half-life since each first published it.
pub fn heat_at(key: f64, now: i64) -> f64 {
    (key - now as f64 / (HOT_HALF_LIFE_HOURS * 3600.0)).exp2()
}

/// The moment 热点 is worked out for (seconds since the epoch): an hour after the newest
/// article, never later than an hour past the clock, so that a site whose sources have gone
/// quiet still shows what was hot when they last spoke.
pub fn hot_moment(newest_article: Option<i64>, clock: i64) -> i64 {
    newest_article.map_or(clock, |newest| newest.min(clock) + 3600)
}

/// The lowest key a story can have and still be as hot as `heat` at `now`: the store walks
/// its heat index down to it.
pub fn heat_key_floor(now: i64, heat: f64) -> f64 {
    now as f64 / (HOT_HALF_LIFE_HOURS * 3600.0) + heat.log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;
    const DAY: i64 = 24 * HOUR;

    fn member(id: i64, hours: i64, source: i64, name: &str) -> Member {
        Member {
            id,
            published_at: 1_800_000_000 + hours * HOUR,
            live: true,
            credited_source: None,
            source_id: source,
            source_name: name.into(),
            canonical_url: format!("https://site{source}.example/{id}.html"),
        }
    }

    #[test]
    fn the_credited_article_is_the_original_even_when_it_came_later() {
        let mut first = member(1, 0, 1, "晨报");
        first.credited_source = Some("江城日报".into());
        let credited = member(2, 1, 2, "江城日报");
        let mut third = member(3, 2, 3, "晚报");
        third.credited_source = Some("来源：江城日报".into());
        // "来源：江城日报" contains the name, so it credits it too.
        let roles = roles(&[first, credited, third]).unwrap();
        assert_eq!(roles.original, 2);
        assert_eq!(roles.lead, Some(2));
        assert_eq!(roles.sources, 3);
    }

    #[test]
    fn a_read_the_original_link_credits_the_page_it_names() {
        let original = member(1, 1, 1, "某公众号");
        let mut repost = member(2, 0, 2, "转载号");
        repost.credited_source = Some("http://site1.example/1.html?utm_source=wechat#top".into());
        let roles = roles(&[repost, original]).unwrap();
        assert_eq!(roles.original, 1);
    }

    #[test]
    fn without_credits_the_earliest_is_the_original_and_a_hidden_one_does_not_lead() {
        let mut earliest = member(1, 0, 1, "甲");
        earliest.live = false;
        let second = member(2, 1, 2, "乙");
        let third = member(3, 2, 2, "乙");
        let roles = roles(&[earliest, second, third]).unwrap();
        assert_eq!(roles.original, 1);
        assert_eq!(roles.lead, Some(2));
        assert_eq!(roles.live_articles, 2);
        assert_eq!(roles.sources, 1);
        let listed: Vec<(i64, bool, bool)> = roles
            .listings
            .iter()
            .map(|l| (l.article_id, l.in_lists, l.in_source_list))
            .collect();
        // Only the lead is in the lists; the hidden article does not use up its source's
        // place, and source 2's second article is not on the source's page.
        assert_eq!(
            listed,
            vec![(1, false, true), (2, true, true), (3, false, false)]
        );
    }

    #[test]
    fn a_story_with_nothing_live_is_listed_nowhere_else_and_is_coldest() {
        let mut only = member(1, 0, 1, "甲");
        only.live = false;
        let cold = roles(&[only]).unwrap();
        assert_eq!(cold.lead, None);
        assert_eq!(cold.heat_key, f64::MIN);
        assert!(cold.listings[0].in_lists);
        assert!(roles(&[]).is_none());
    }

    #[test]
    fn heat_halves_every_half_life_and_adds_up_over_sources() {
        let t = 1_800_000_000;
        let one = heat_key([t].into_iter()).unwrap();
        assert!((heat_at(one, t) - 1.0).abs() < 1e-9);
        assert!((heat_at(one, t + 12 * HOUR) - 0.5).abs() < 1e-9);
        let two = heat_key([t, t].into_iter()).unwrap();
        assert!((heat_at(two, t) - 2.0).abs() < 1e-9);
        assert!(heat_key(std::iter::empty()).is_none());
        // The floor is exactly the key of a story that hot at that moment.
        assert!((heat_key_floor(t, 2.0) - two).abs() < 1e-9);
    }

    #[test]
    fn hot_is_measured_just_after_the_newest_article_even_on_a_quiet_site() {
        let clock = 1_800_000_000;
        assert_eq!(hot_moment(None, clock), clock);
        assert_eq!(
            hot_moment(Some(clock - 10 * DAY), clock),
            clock - 10 * DAY + HOUR
        );
        // An article dated in the future does not move the moment past the clock's hour.
        assert_eq!(hot_moment(Some(clock + DAY), clock), clock + HOUR);
    }

    #[test]
    fn wechat_articles_are_told_apart_by_their_query_and_found_however_escaped() {
        let stored = "https://mp.weixin.qq.com/s?__biz=MzA5MTE%3D&idx=1&mid=2651&sn=abc";
        assert!(same_page(
            "http://mp.weixin.qq.com/s?__biz=MzA5MTE=&mid=2651&idx=1&sn=abc&chksm=9f&scene=21#wechat_redirect",
            stored
        ));
        assert!(!same_page(
            "https://mp.weixin.qq.com/s?__biz=MzA5MTE=&mid=2652&idx=1&sn=def",
            stored
        ));
        assert!(same_page(
            "http://News.Example/a/1.html/?utm_source=x",
            "https://news.example/a/1.html"
        ));
        assert!(!same_page(
            "https://news.example/a/1.html",
            "https://news.example/a/2.html"
        ));
    }
}
