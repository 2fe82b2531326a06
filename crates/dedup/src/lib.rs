//! Same story, many sources: which articles tell one story, and who had it first.
//!
//! WeChat accounts repost each other and the big outlets all day: the same text under a new
//! headline, with a 来源 line and a sign-off added, a sentence cut, punctuation changed, the end
//! dropped for a 阅读原文 link, in the other script. This crate recognises those as one story:
//!
//! 1. [`fingerprint`]: the text in normal form (simplified, half-width, lower case) with
//!    punctuation, spaces and repost boilerplate dropped; its set of character 5-grams
//!    (shingles); a MinHash signature of that set (128 hashes); and a hash of the whole.
//! 2. [`Deduper::add`]: candidates come from locality-sensitive hashing over the signature
//!    (42 bands of 3 hashes: two texts sharing half their shingles meet in a band with
//!    probability 0.996, texts sharing a fifth with probability 0.29), are kept within a time
//!    window, and join when the texts are near-copies: estimated Jaccard similarity at least [`SAME_JACCARD`], or one contains the
//!    other ([`SAME_CONTAINMENT`] of the smaller set's shingles, the truncated repost).
//!    An article joining two stories merges them. Everything is deterministic: the same
//!    articles in the same order give the same stories.
//! 3. [`credited_source`] reads who a repost credits (来源：…, 转自…), for original credit.
//!
//! It must not do IO: the store keeps fingerprints and stories, ingest calls this.

use chrono::{DateTime, Utc};
use regex::Regex;
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// Hashes in a MinHash signature.
pub const SIGNATURE_LEN: usize = 128;
/// LSH bands of `ROWS` hashes each (the signature's last two hashes are in no band).
pub const BANDS: usize = 42;
const ROWS: usize = 3;
/// Characters per shingle. Five is long enough that two different articles on one topic share
/// few (names and set phrases), short enough that an edit breaks few.
pub const SHINGLE: usize = 5;

/// Estimated Jaccard similarity from which two texts are one story. Reposts with a sentence
/// cut or punctuation changed keep 0.59 and more; different articles on one topic share 0.40
/// at most (the figures that chose these are in ARCHITECTURE.md).
pub const SAME_JACCARD: f64 = 0.5;
/// Share of the smaller text's shingles found in the larger from which one is a cut of the
/// other.
pub const SAME_CONTAINMENT: f64 = 0.75;
/// Texts shorter than this many shingles are too short to judge by their text alone.
pub const MIN_SHINGLES: u32 = 20;
/// Reposts come within days; an old text published again much later is a new story.
pub const WINDOW_DAYS: i64 = 14;

/// What an article's text is, for comparing with others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub signature: Vec<u32>,
    /// Distinct shingles in the text.
    pub shingles: u32,
    /// A hash of the whole normal-form text: equal texts, equal hashes.
    pub content_hash: u64,
    /// Hashes of the figures in the text (prices, counts, dates), sorted: a repost copies
    /// them, a new edition of a templated report (a price list, a daily bulletin) changes them.
    pub numbers: Vec<u32>,
}

impl Fingerprint {
    /// The signature as bytes, for storing.
    pub fn signature_bytes(&self) -> Vec<u8> {
        self.signature
            .iter()
            .flat_map(|h| h.to_le_bytes())
            .collect()
    }

    /// The figures as bytes, for storing.
    pub fn numbers_bytes(&self) -> Vec<u8> {
        self.numbers.iter().flat_map(|h| h.to_le_bytes()).collect()
    }

    pub fn from_parts(
        signature: &[u8],
        shingles: u32,
        content_hash: u64,
        numbers: &[u8],
    ) -> Option<Fingerprint> {
        if signature.len() != SIGNATURE_LEN * 4 || !numbers.len().is_multiple_of(4) {
            return None;
        }
        let words = |bytes: &[u8]| {
            bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect::<Vec<u32>>()
        };
        Some(Fingerprint {
            signature: words(signature),
            shingles,
            content_hash,
            numbers: words(numbers),
        })
    }

    /// Whether the figures of one text are all in the other (a cut or an edit keeps a subset;
    /// a different edition has figures of its own on both sides).
    pub fn same_figures(&self, other: &Fingerprint) -> bool {
        let missing =
            |a: &[u32], b: &[u32]| a.iter().filter(|n| b.binary_search(n).is_err()).count();
        missing(&self.numbers, &other.numbers) == 0 || missing(&other.numbers, &self.numbers) == 0
    }

    /// Estimated Jaccard similarity of the two shingle sets.
    pub fn jaccard(&self, other: &Fingerprint) -> f64 {
        let same = self
            .signature
            .iter()
            .zip(&other.signature)
            .filter(|(a, b)| a == b)
            .count();
        same as f64 / SIGNATURE_LEN as f64
    }

    /// Estimated share of the smaller set's shingles that the larger one has.
    pub fn containment(&self, other: &Fingerprint) -> f64 {
        let jaccard = self.jaccard(other);
        let (a, b) = (f64::from(self.shingles), f64::from(other.shingles));
        let intersection = jaccard * (a + b) / (1.0 + jaccard);
        (intersection / a.min(b).max(1.0)).min(1.0)
    }

    /// Whether the two texts are one story by their words alone.
    pub fn same_text(&self, other: &Fingerprint) -> bool {
        if self.content_hash == other.content_hash && self.shingles > 0 {
            return true;
        }
        if self.shingles.min(other.shingles) < MIN_SHINGLES || !self.same_figures(other) {
            return false;
        }
        self.jaccard(other) >= SAME_JACCARD || self.containment(other) >= SAME_CONTAINMENT
    }
}

/// Lines reposts add around the copied text: who it came from, sign-offs, prompts to follow,
/// share and read the original.
static BOILERPLATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:本文)?(?:来源|來源|转自|轉自|转载自|轉載自|原标题|原標題|作者|编辑|編輯|责编|責編)\s*[:：｜|丨]|阅读原文|閱讀原文|点个在看|點個在看|点赞|點贊|扫码|掃碼|二维码|二維碼|长按识别|長按識別|关注我们|關注我們|关注公众号|關注公眾號|^[\s—\-–_]*end[\s—\-–_]*$|^[↓↑▼▲\s]+$|转载请注明|轉載請註明|^\s*(?:相关阅读|相關閱讀|推荐阅读|推薦閱讀|往期回顾|往期回顧)")
        .expect("valid regex")
});

static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)(?:本文)?(?:来源|來源|转自|轉自|转载自|轉載自)\s*[:：｜|丨]?\s*([^\s，,。；;｜|:：（）()]{2,20})")
        .expect("valid regex")
});

/// The text without repost furniture: lines that only say where it came from or ask the
/// reader to follow, share or read on.
pub fn strip_boilerplate(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.trim();
        // Only short lines can be furniture; a paragraph mentioning 来源 is text.
        if line.chars().count() <= 40 && BOILERPLATE_LINE.is_match(&line.to_lowercase()) {
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

/// The publication a repost credits, from a 来源/转自 line near its start or end.
pub fn credited_source(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let near: Vec<&str> = lines
        .iter()
        .take(3)
        .chain(lines.iter().rev().take(3))
        .copied()
        .collect();
    near.iter().find_map(|line| {
        let captures = CREDIT.captures(line)?;
        let name = captures
            .get(1)?
            .as_str()
            .trim_end_matches(['。', '.', '】', '」']);
        (!name.is_empty()).then(|| name.to_owned())
    })
}

/// A headline without the prefixes reposts put before it (【转载】, 重磅！, 突发｜...).
pub fn strip_title_prefix(title: &str) -> &str {
    static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:【[^】]{1,8}】|\[[^\]]{1,8}\]|(?:转载|轉載|转发|轉發|重磅|突发|突發|独家|獨家|快讯|快訊|紧急|緊急|刚刚|剛剛|最新|热点|熱點|深度|原创|原創|推荐|推薦|速看|必看|扩散|擴散)\s*[！!：:｜|丨]\s*)+").expect("valid regex")
    });
    let stripped = PREFIX.replace(title, "");
    let cut = title.len() - stripped.len();
    &title[cut..]
}

fn mix(mut x: u64) -> u64 {
    // splitmix64's finaliser: every input bit reaches every output bit.
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The characters two texts are compared by: letters and digits of the normal form, with the
/// title's when the text is short.
fn compared_chars(title: &str, normal_body: &str) -> Vec<char> {
    let mut chars: Vec<char> = normal_body
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    if chars.len() < 60 {
        let title = xinwen_text::normalize(strip_title_prefix(title));
        chars.extend(title.chars().filter(|c| c.is_alphanumeric()));
    }
    chars
}

fn hash_chars(chars: &[char]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for c in chars {
        hash = mix(hash ^ u64::from(*c as u32));
    }
    hash
}

/// The `content_hash` of [`fingerprint`] alone, without the cost of the signature: what a
/// tombstone is checked against.
pub fn content_hash(title: &str, text: &str) -> u64 {
    let body = xinwen_text::normalize(&strip_boilerplate(text));
    hash_chars(&compared_chars(title, &body))
}

/// The fingerprint of an article: its text, or its title too when the text is short.
pub fn fingerprint(title: &str, text: &str) -> Fingerprint {
    let body = xinwen_text::normalize(&strip_boilerplate(text));
    let chars = compared_chars(title, &body);
    static NUMBER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d+(?:\.\d+)?").expect("valid regex"));
    let mut numbers: Vec<u32> = NUMBER
        .find_iter(&body)
        .map(|m| {
            (m.as_str()
                .bytes()
                .fold(0x811c_9dc5u64, |h, b| mix(h ^ u64::from(b)))
                >> 32) as u32
        })
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let content_hash = hash_chars(&chars);
    let mut shingles: Vec<u64> = chars
        .windows(SHINGLE)
        .map(|w| {
            w.iter().fold(0x9e37_79b9_7f4a_7c15u64, |h, c| {
                mix(h ^ u64::from(*c as u32))
            })
        })
        .collect();
    if shingles.is_empty() && !chars.is_empty() {
        shingles.push(content_hash);
    }
    shingles.sort_unstable();
    shingles.dedup();
    let mut signature = vec![u32::MAX; SIGNATURE_LEN];
    // One multiply-add per hash function (a universal family over the already well-mixed
    // shingle hash): the inner loop of the whole crate, kept branch-light.
    for shingle in &shingles {
        for (slot, seed) in signature.iter_mut().zip(SEEDS.iter()) {
            let h = (shingle
                .wrapping_mul(*seed | 1)
                .wrapping_add(seed.rotate_left(32))
                >> 32) as u32;
            *slot = (*slot).min(h);
        }
    }
    Fingerprint {
        signature,
        shingles: u32::try_from(shingles.len()).unwrap_or(u32::MAX),
        content_hash,
        numbers,
    }
}

/// One seed per MinHash function, fixed so that stored signatures stay comparable.
static SEEDS: LazyLock<[u64; SIGNATURE_LEN]> = LazyLock::new(|| {
    let mut seeds = [0u64; SIGNATURE_LEN];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for seed in &mut seeds {
        state = mix(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
        *seed = state;
    }
    seeds
});

struct Entry {
    id: i64,
    published: i64,
    fingerprint: Fingerprint,
}

/// Where an article went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    /// The story, named by the id of its first article.
    pub story: i64,
    /// The article it matched, if it joined a story rather than starting one.
    pub matched: Option<i64>,
    /// Another story this article showed to be the same, now merged into `story`.
    pub merged: Option<i64>,
}

/// The stories of recent articles, grown one article at a time.
#[derive(Default)]
pub struct Deduper {
    entries: Vec<Entry>,
    bands: Vec<FxHashMap<u64, Vec<u32>>>,
    /// Story of each article; merged stories point at the story they joined.
    story_of: FxHashMap<i64, i64>,
    merged_into: FxHashMap<i64, i64>,
}

impl Deduper {
    pub fn new() -> Deduper {
        Deduper {
            bands: (0..BANDS).map(|_| FxHashMap::default()).collect(),
            ..Deduper::default()
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The story a story id has become after merges.
    pub fn resolve(&self, mut story: i64) -> i64 {
        while let Some(next) = self.merged_into.get(&story) {
            story = *next;
        }
        story
    }

    fn band_key(signature: &[u32], band: usize) -> u64 {
        signature[band * ROWS..(band + 1) * ROWS]
            .iter()
            .fold(band as u64, |h, v| mix(h ^ u64::from(*v)))
    }

    /// Adds an article whose story is already known (loading from the store).
    pub fn insert(
        &mut self,
        id: i64,
        story: i64,
        published: DateTime<Utc>,
        fingerprint: Fingerprint,
    ) {
        let index = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        for band in 0..BANDS {
            let key = Deduper::band_key(&fingerprint.signature, band);
            self.bands[band].entry(key).or_default().push(index);
        }
        self.story_of.insert(id, story);
        self.entries.push(Entry {
            id,
            published: published.timestamp(),
            fingerprint,
        });
    }

    /// Finds the story of a new article and remembers it.
    pub fn add(
        &mut self,
        id: i64,
        published: DateTime<Utc>,
        fingerprint: Fingerprint,
    ) -> Assignment {
        let when = published.timestamp();
        let mut candidates: Vec<u32> = Vec::new();
        for band in 0..BANDS {
            let key = Deduper::band_key(&fingerprint.signature, band);
            if let Some(found) = self.bands[band].get(&key) {
                candidates.extend(found);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(f64, i64)> = None;
        let mut stories: Vec<i64> = Vec::new();
        for index in candidates {
            let entry = &self.entries[index as usize];
            if (entry.published - when).abs() > WINDOW_DAYS * 86_400 || entry.id == id {
                continue;
            }
            if !entry.fingerprint.same_text(&fingerprint) {
                continue;
            }
            let closeness = entry
                .fingerprint
                .jaccard(&fingerprint)
                .max(entry.fingerprint.containment(&fingerprint));
            let story = self.resolve(self.story_of.get(&entry.id).copied().unwrap_or(entry.id));
            if !stories.contains(&story) {
                stories.push(story);
            }
            if best.is_none_or(|(c, _)| closeness > c) {
                best = Some((closeness, entry.id));
            }
        }
        stories.sort_unstable();
        let (story, merged) = match stories.as_slice() {
            [] => (id, None),
            [only] => (*only, None),
            [first, rest @ ..] => {
                // The article is a copy of two stories: they were one all along. The older
                // (smaller id) keeps its name.
                for other in rest {
                    self.merged_into.insert(*other, *first);
                }
                (*first, rest.first().copied())
            }
        };
        self.insert(id, story, published, fingerprint);
        Assignment {
            story,
            matched: best.map(|(_, matched)| matched),
            merged,
        }
    }

    /// Forgets articles published before `keep_after`: nothing older than the window can
    /// match a new article, so a long-running process need not keep them. Returns how many
    /// were forgotten. Their stories are kept in the store; only comparison memory goes.
    pub fn forget_before(&mut self, keep_after: DateTime<Utc>) -> usize {
        let cutoff = keep_after.timestamp();
        let before = self.entries.len();
        let kept: Vec<Entry> = std::mem::take(&mut self.entries)
            .into_iter()
            .filter(|e| e.published >= cutoff)
            .collect();
        for band in &mut self.bands {
            band.clear();
        }
        let stories: FxHashMap<i64, i64> = kept
            .iter()
            .filter_map(|e| Some((e.id, self.story_of.get(&e.id).copied()?)))
            .collect();
        self.story_of = stories;
        for entry in kept {
            let story = self.story_of.get(&entry.id).copied().unwrap_or(entry.id);
            let published = DateTime::from_timestamp(entry.published, 0).unwrap_or_default();
            self.insert(entry.id, story, published, entry.fingerprint);
        }
        before - self.entries.len()
    }

    /// The story of an article added before, after merges.
    pub fn story_of(&self, id: i64) -> Option<i64> {
        self.story_of.get(&id).map(|s| self.resolve(*s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_hash_alone_is_the_fingerprints() {
        let text = "市文旅局今天宣布，青岚湖环湖步道将于下月全线开放，全长二十六公里。".repeat(3);
        assert_eq!(
            content_hash("标题", &text),
            fingerprint("标题", &text).content_hash
        );
        assert_eq!(
            content_hash("短", "短文"),
            fingerprint("短", "短文").content_hash
        );
    }
    use chrono::TimeZone;

    const ORIGINAL: &str = "青澜跨江大桥今天上午正式通车。大桥全长八点六公里，主桥跨度一千一百八十米，是目前国内跨度最大的公铁两用斜拉桥之一。\n通车后，从江北新区到老城区的车程将由过去的四十分钟缩短到十分钟左右。市交通局表示，大桥通车初期实行小客车免费通行，货车需要错峰通过。\n建设单位介绍，大桥从开工到通车历时四年零三个月，施工期间克服了江面大风和汛期等困难，累计投入建设者超过五千人次。";

    fn at(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 18, 0, 0, 0).unwrap() + chrono::Duration::hours(hours)
    }

    #[test]
    fn reposts_of_every_kind_join_the_story() {
        let mut deduper = Deduper::new();
        let first = deduper.add(1, at(0), fingerprint("青澜跨江大桥正式通车", ORIGINAL));
        assert_eq!(
            first,
            Assignment {
                story: 1,
                matched: None,
                merged: None
            }
        );
        let reprint =
            format!("来源：星河日报\n{ORIGINAL}\n—— END ——\n长按识别二维码关注我们\n点击阅读原文");
        let light_edit = ORIGINAL.replace('，', ",").replace("十分钟左右", "十分钟");
        let cut: String = ORIGINAL
            .chars()
            .take(ORIGINAL.chars().count() * 6 / 10)
            .collect::<String>()
            + "\n阅读原文";
        let swapped = {
            let lines: Vec<&str> = ORIGINAL.lines().collect();
            format!("{}\n{}\n{}", lines[1], lines[0], lines[2])
        };
        let traditional = xinwen_text::convert(ORIGINAL, xinwen_text::Variant::ZhTW);
        for (n, (title, text)) in [
            ("【转载】青澜跨江大桥正式通车", reprint.as_str()),
            ("重磅！大桥通车", light_edit.as_str()),
            ("突发｜跨江大桥", cut.as_str()),
            ("青澜大桥通车", swapped.as_str()),
            ("青瀾跨江大橋正式通車", traditional.as_str()),
        ]
        .into_iter()
        .enumerate()
        {
            let id = n as i64 + 2;
            let assignment = deduper.add(id, at(id), fingerprint(title, text));
            assert_eq!(assignment.story, 1, "{title} joins the story");
        }
    }

    #[test]
    fn different_events_on_one_topic_stay_apart() {
        let mut deduper = Deduper::new();
        deduper.add(1, at(0), fingerprint("跨江大桥通车", ORIGINAL));
        let other = "青澜跨江大桥通车后的第一个周末，桥上车流量比工作日增加了三成。不少市民专程开车上桥拍照，交警在两端引桥设置了临时疏导点，提醒驾驶人不要在桥面停车。\n市交通局表示，将根据周末车流情况调整信号灯配时，并在南岸收费广场增设两条通道。有市民建议在桥头设立观景平台，相关部门表示会研究。";
        let assignment = deduper.add(2, at(24 * 5), fingerprint("大桥通车首个周末", other));
        assert_eq!(
            assignment.story, 2,
            "a new event about the same bridge is its own story"
        );
        let late = deduper.add(3, at(24 * 40), fingerprint("跨江大桥通车", ORIGINAL));
        assert_eq!(late.story, 3, "the same text a month later is not a repost");
    }

    #[test]
    fn a_new_edition_of_a_templated_report_is_a_new_story() {
        let report = |price: u32, volume: u32| {
            format!(
                "今日青澜港集装箱吞吐量为{volume}标准箱，较上周持平。港区散货泊位作业正常，进港船舶排队时间约为六小时。燃油补给价格为每吨{price}元，港务部门提醒各船公司合理安排靠泊计划，雨天注意作业安全，装卸作业按计划进行。"
            )
        };
        let mut deduper = Deduper::new();
        deduper.add(1, at(0), fingerprint("港口日报", &report(5120, 23100)));
        assert_eq!(
            deduper
                .add(2, at(24), fingerprint("港口日报", &report(5180, 24050)))
                .story,
            2
        );
        let repost = format!("来源：港务通讯\n{}", report(5180, 24050));
        assert_eq!(
            deduper
                .add(3, at(25), fingerprint("【转载】港口日报", &repost))
                .story,
            2
        );
    }

    #[test]
    fn forgetting_old_articles_keeps_recent_ones_matching() {
        let mut deduper = Deduper::new();
        let other = "渔业协定签署后，两国渔民可以在共同渔区内按配额作业，双方海警将联合巡查，违规渔船会被记录并通报对方主管部门，协定有效期十年，到期后可以续签。";
        deduper.add(1, at(0), fingerprint("旧闻", other));
        deduper.add(2, at(24 * 30), fingerprint("新闻", ORIGINAL));
        assert_eq!(deduper.forget_before(at(24 * 20)), 1);
        assert_eq!(deduper.len(), 1);
        let repost = deduper.add(
            3,
            at(24 * 30 + 2),
            fingerprint("转载", &format!("来源：星河日报\n{ORIGINAL}")),
        );
        assert_eq!(
            repost.story, 2,
            "recent articles still match after the old are forgotten"
        );
        assert_eq!(deduper.story_of(1), None);
    }

    #[test]
    fn an_article_bridging_two_stories_merges_them() {
        let mut deduper = Deduper::new();
        let half = ORIGINAL.chars().count() / 2;
        let first: String = ORIGINAL.chars().take(half).collect();
        let second: String = ORIGINAL.chars().skip(half).collect();
        assert_eq!(deduper.add(1, at(0), fingerprint("上", &first)).story, 1);
        assert_eq!(deduper.add(2, at(1), fingerprint("下", &second)).story, 2);
        let whole = deduper.add(3, at(2), fingerprint("全文", ORIGINAL));
        assert_eq!(whole.story, 1);
        assert_eq!(whole.merged, Some(2));
        assert_eq!(deduper.story_of(2), Some(1));
    }

    #[test]
    fn credits_and_headline_prefixes_are_read() {
        assert_eq!(
            credited_source("来源：东海晚报\n正文").as_deref(),
            Some("东海晚报")
        );
        assert_eq!(
            credited_source("正文\n本文转自｜远望国际").as_deref(),
            Some("远望国际")
        );
        assert_eq!(
            credited_source("本文来源：东海晚报　作者：吴海涛\n正文").as_deref(),
            Some("东海晚报")
        );
        assert_eq!(
            credited_source(
                "正文里提到来源的段落不是署名。\n更多正文\n再多一些\n第四段\n第五段\n第六段\n第七段"
            ),
            None
        );
        assert_eq!(strip_title_prefix("【转载】重磅！大桥通车"), "大桥通车");
        assert_eq!(strip_title_prefix("突发｜大桥通车"), "大桥通车");
        assert_eq!(
            strip_title_prefix("大桥通车：首日平稳"),
            "大桥通车：首日平稳"
        );
    }

    #[test]
    fn fingerprints_round_trip_through_bytes() {
        let fp = fingerprint("t", ORIGINAL);
        let back = Fingerprint::from_parts(
            &fp.signature_bytes(),
            fp.shingles,
            fp.content_hash,
            &fp.numbers_bytes(),
        )
        .unwrap();
        assert_eq!(back, fp);
        assert!(Fingerprint::from_parts(&[1, 2, 3], 1, 1, &[]).is_none());
    }
}
