//! From a publisher's page to the article we show: the article once, whole, with its
//! metadata, and nothing else (no navigation, share bars, QR prompts, related lists, comments,
//! footers).
//!
//! This crate is pure: it takes bytes and returns values. It must not fetch, read files or
//! touch the database. Whatever HTML reaches a reader's browser has passed through
//! [`sanitize_html`] last, after every other transformation, so that nothing later can
//! reintroduce markup; [`extract`] does that itself.
//!
//! The pipeline, one module a step: [`charset`] (bytes to text) → `dom` (parse with our own
//! `html` parser, mark junk, count text) → `meta` (title, authors, source, time)
//! and `wechat` (WeChat's own page layout) → `content` (find the article, clean it, write it)
//! → `sanitize`.
//!
//! HTML is parsed here rather than by html5ever (which the sanitizer still uses): extraction
//! must run many times faster than the extractors it is measured against, and html5ever
//! took about 60% of its time, most of it in its tokenizer. `html`'s module documentation says what
//! the parser keeps of the standard, and its tests hold it to html5ever's trees.

pub mod charset;
mod content;
mod date;
mod dom;
mod html;
pub mod links;
mod meta;
mod sanitize;
mod text;
mod wechat;

pub use sanitize::{html_to_text, sanitize_html};
pub use wechat::WechatInfo;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use url::Url;

/// An image of the article body: its absolute URL (lazy-loading attributes resolved), alt
/// text and caption. The model's type, so that what extraction finds is what the store keeps.
pub use xinwen_model::Image;

/// What [`extract`] finds. Serialized as is by `xinwen extract --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    pub title: Option<String>,
    pub authors: Vec<String>,
    /// The editors the page names (责任编辑), kept apart from the authors: a byline credits
    /// the people who wrote.
    pub editors: Vec<String>,
    /// The publication the page credits (来源), which may differ from the site.
    pub source_name: Option<String>,
    pub site_name: Option<String>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub canonical_url: Option<String>,
    pub lang: Option<String>,
    /// The article body, sanitized.
    pub html: String,
    /// The article body as text, a line per paragraph.
    pub text: String,
    pub images: Vec<Image>,
    pub summary: String,
    /// False for list and index pages, and for pages with too little text to be an article.
    pub is_article: bool,
    /// What went wrong or looked odd, in words.
    pub warnings: Vec<String>,
    /// WeChat pages only.
    #[serde(skip)]
    pub wechat: Option<WechatInfo>,
}

/// Does extraction's one-time set-up now (compiling its patterns, building its tables), so
/// that the first pages a process extracts do not pay for it; otherwise each piece is built
/// the first time a page needs it. Long-running processes and benchmarks call it at start.
pub fn warm_up() {
    content::warm_up();
    date::warm_up();
    dom::warm_up();
    html::warm_up();
    meta::warm_up();
    sanitize::warm_up();
    wechat::warm_up();
}

/// Extracts the article from a page's bytes. `page_url` resolves relative links and helps
/// with dates; `http_charset` is the `charset` of the HTTP Content-Type, when there was one.
pub fn extract(bytes: &[u8], page_url: Option<&str>, http_charset: Option<&str>) -> Article {
    let tld = page_url.and_then(|u| Url::parse(u).ok()).and_then(|u| {
        u.host_str()
            .and_then(|h| h.rsplit('.').next().map(str::to_owned))
    });
    let (source, encoding) = charset::decode_html_from(bytes, http_charset, tld.as_deref());
    let mut article = extract_text(source.into_owned(), page_url);
    if encoding != "UTF-8" {
        article
            .warnings
            .insert(0, format!("decoded from {encoding}"));
    }
    article
}

/// Extracts the article from a page already decoded to text.
pub fn extract_str(source: &str, page_url: Option<&str>) -> Article {
    extract_text(source.to_owned(), page_url)
}

/// The parsed page keeps its source, so the text is taken whole rather than copied again.
fn extract_text(source: String, page_url: Option<&str>) -> Article {
    let mut warnings = Vec::new();
    let base = page_url.and_then(|u| match Url::parse(u) {
        Ok(url) => Some(url),
        Err(e) => {
            warnings.push(format!(
                "page URL {u:?} is not a URL ({e}); relative links are dropped"
            ));
            None
        }
    });
    let mut dom = dom::Dom::parse_owned(source);
    let is_wechat = wechat::is_wechat(&dom, page_url);
    let head = meta::Head::read(&dom, is_wechat);

    let mut title = if is_wechat {
        wechat::title(&head)
    } else {
        None
    };
    if title.is_none() {
        title = meta::title(&head);
    }
    let root = if is_wechat {
        content::known_root(&dom, &["js_content"])
    } else {
        None
    };
    let mut found = content::extract(&dom, title.as_deref(), base.as_ref(), root);
    let mut found_weight = found.measure.weight();
    // Next to nothing found (a blog post of link titles, a ticker cut into rows): the page's
    // paragraphs outside furniture, gathered while furniture is still judged by its names.
    // Only then: beside a short article, sidebars written in paragraphs would outweigh it.
    let baseline =
        (root.is_none() && found_weight < 150).then(|| content::paragraph_baseline(&dom));
    if root.is_none() && found_weight < 500 {
        dom.relax();
        let relaxed = content::extract(&dom, title.as_deref(), base.as_ref(), None);
        let relaxed_weight = relaxed.measure.weight();
        if relaxed_weight > found_weight {
            found = relaxed;
            found_weight = relaxed_weight;
        }
    }
    if found_weight < 150
        && let Some(baseline) = baseline
    {
        let baseline_weight = baseline.measure.weight();
        if baseline_weight >= 250 {
            found = baseline;
            found_weight = baseline_weight;
        }
    }
    // Some sites render the body with scripts and leave it only in their JSON-LD.
    if let Some(body) = head.ld_article().and_then(|a| a["articleBody"].as_str()) {
        let ld = text::Measure::of(body).weight();
        if ld >= 250 && found_weight * 2 < ld {
            found = content::from_plain_text(body);
            warnings
                .push("the page's HTML holds no article; its JSON-LD articleBody is used".into());
        }
    }

    // Bylines and dates sit just under the headline, before the body. Lines are collapsed
    // only where they are read: a page has thousands.
    let body_text = dom.block_text(dom.body());
    let lines: Vec<&str> = body_text.lines().filter(|l| !text::is_blank(l)).collect();
    let collapsed = |from: usize, count: usize| {
        lines
            .iter()
            .skip(from)
            .take(count)
            .map(|l| text::collapse_whitespace(l))
            .collect::<Vec<_>>()
    };
    // Where the body starts and ends among the page's lines: bylines sit just above it (under
    // a headline that is not where the title was found) and credits just below it.
    let body_lines: Vec<&str> = found.text.lines().filter(|l| !text::is_blank(l)).collect();
    let body_start = body_lines.first().and_then(|l| line_of(&lines, l, 0));
    let body_end = body_lines
        .last()
        .and_then(|l| line_of(&lines, l, body_start.unwrap_or(0)));
    let mut title_line = title.as_deref().and_then(|t| line_of_title(&lines, t));
    // Printed as a headline: on a line of its own (not inside a breadcrumb or a sentence),
    // just over the body or as its first lines.
    let printed_as_headline = |line: Option<usize>| match (line, body_start, title.as_deref()) {
        (Some(t), Some(b), Some(title)) => {
            let own_line = lines[t].chars().filter(|&c| text::is_word_char(c)).count()
                <= title.chars().filter(|&c| text::is_word_char(c)).count() * 2;
            t + HEADLINE_NEAR_BODY >= b && t <= b + 2 && own_line
        }
        _ => false,
    };
    // A `<title>` printed nowhere near the body, with no other headline on the page, is the
    // site's: the headline is what the page sets apart just over its body.
    if !is_wechat
        && !head.names_its_headline()
        && !printed_as_headline(title_line)
        && let Some(b) = body_start
        && let Some(headline) = meta::emphasised_headline(
            &head,
            &dom,
            &lines[b.saturating_sub(HEADLINE_NEAR_BODY)..=b],
        )
        && !title.as_deref().is_some_and(|t| t.contains(&headline))
    {
        title_line = line_of_title(&lines, &headline);
        title = Some(headline);
    }
    let header_start = title_line.map_or(0, |i| i + 1);
    let header_text = collapsed(header_start, 8)
        .iter()
        .chain(
            found
                .text
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
                .iter()
                .take(2),
        )
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");

    // Paragraphs by lines of text, not by <p>: old pages separate them with <br>.
    let (measure, paragraphs) = (found.measure, found.paragraphs);
    let body_stats = dom.stats(dom.body().id());
    // A list page: most of its text is links, and what is not is short. Portals wrap real
    // articles in as many links, so only a short text counts against the page.
    let link_heavy_page = body_stats.link_density() > 0.6 && measure.weight() < 600;
    let is_article = measure.weight() >= 250
        && found.link_density < 0.35
        && !link_heavy_page
        && (paragraphs >= 2 || measure.weight() >= 600);

    // Up to six lines above the body, none above the headline when it was found above it.
    let headline_above_body = matches!((title_line, body_start), (Some(t), Some(b)) if t < b);
    let headline_in_body = matches!(
        (title_line, body_start, body_end),
        (Some(t), Some(b), Some(e)) if (b..=e).contains(&t)
    );
    let before_body: Vec<String> = match body_start {
        Some(start) => {
            let mut from = start.saturating_sub(6);
            if headline_above_body {
                from = from.max(header_start);
            }
            collapsed(from, start - from)
        }
        None => Vec::new(),
    };
    let tail: Vec<String> = body_lines
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(|l| text::collapse_whitespace(l))
        .chain(
            body_end
                .map(|end| collapsed(end + 1, 8))
                .unwrap_or_default(),
        )
        .collect();
    // The whole body, among the page's lines with what follows it: where a page that stacks
    // several posts closes each (由某某张贴 @ …), the first being the page's own.
    let body_region: &[&str] = match (body_start, body_end) {
        (Some(start), Some(end)) => lines.get(start..(end + 9).min(lines.len())).unwrap_or(&[]),
        _ => &[],
    };
    let page_site_name = meta::site_name(&head);
    let places = meta::BylinePlaces {
        header: &header_text,
        before_body: &before_body,
        tail: &tail,
        body_region,
        site_name: page_site_name.as_deref(),
        headline_above_body,
        headline_in_body,
    };
    let mut authors = meta::authors(&head, &places, &dom);
    let editors = meta::editors(&places);
    let later_text = || collapsed(header_start, 60).join("\n");
    // Blogs and forum archives print a post's date over its headline.
    let above_headline = match title_line {
        Some(t) => collapsed(
            t.saturating_sub(LINES_OVER_HEADLINE),
            t.min(LINES_OVER_HEADLINE),
        ),
        None => Vec::new(),
    };
    let mut published_at = meta::published_at(
        &head,
        &header_text,
        &above_headline,
        later_text,
        page_url,
        &dom,
        is_article,
    );
    let mut wechat_info = None;
    if is_wechat {
        let info = wechat::info(&dom, &head);
        if authors.is_empty()
            && let Some(a) = wechat::author(&dom, &head)
        {
            authors.push(a);
        }
        if let Some(t) = wechat::published_at(&head) {
            published_at = Some(t);
        }
        wechat_info = Some(info);
    }
    let mut site_name = page_site_name;
    if let Some(account) = wechat_info.as_ref().and_then(|w| w.account.clone()) {
        site_name = Some(account);
    }
    let source_name = meta::source_name(&head, &header_text, &found.text).or_else(|| {
        lines
            .iter()
            .filter(|l| l.contains("来源"))
            .find_map(|l| meta::source_name(&head, "", &text::collapse_whitespace(l)))
    });
    // Neither under the headline nor in the head: perhaps beside the headline in a block
    // the page calls its header, which is left out as furniture everywhere else.
    let mut source_name = source_name;
    if (published_at.is_none() || source_name.is_none())
        && let Some(beside) = title
            .as_deref()
            .and_then(|t| dom.text_beside_heading(t, BESIDE_HEADING_CHARS, names_date_or_source))
    {
        let beside = beside
            .lines()
            .map(text::collapse_whitespace)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        if published_at.is_none() {
            published_at =
                meta::published_at(&head, &beside, &[], String::new, page_url, &dom, is_article);
        }
        if source_name.is_none() {
            source_name = meta::source_name(&head, &beside, "");
        }
    }
    if published_at.is_none() {
        published_at = meta::date_in_credits(&tail).or_else(|| meta::date_posted_in(body_region));
    }
    let canonical_url = meta::canonical_url(&head, base.as_ref());
    let lang = meta::lang(&head, measure);

    let html = sanitize_html(&found.html);
    let text = found.text;
    if title.is_none() {
        warnings.push("no title found".into());
    }
    if text.is_empty() {
        warnings.push("no article text found".into());
    } else if !is_article {
        warnings.push("this looks like a list or index page, not an article".into());
    }
    let summary = head
        .meta(&["og:description", "description", "twitter:description"])
        .map(str::to_owned)
        .filter(|d| d.chars().count() >= 20)
        .unwrap_or_else(|| summarize(&text, 120));
    Article {
        title,
        authors,
        editors,
        source_name,
        site_name,
        published_at,
        canonical_url,
        lang,
        html,
        images: found.images,
        text,
        summary,
        is_article,
        warnings,
        wechat: wechat_info,
    }
}

/// A whole date, year to day: 2019-12-10, 2019年12月10日, 2019/12/10.
static WHOLE_DATE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}").expect("valid regex")
});

/// Whether a block beside the headline may hold its date or source.
fn names_date_or_source(text: &str) -> bool {
    text.contains("来源") || WHOLE_DATE.is_match(text)
}

/// How much text a block around the headline may hold to be read for its date and source.
const BESIDE_HEADING_CHARS: usize = 400;

/// Lines over the body among which a headline is looked for.
const HEADLINE_NEAR_BODY: usize = 6;

/// Lines over the headline read for a date the page gives nowhere under it.
const LINES_OVER_HEADLINE: usize = 2;

/// The first of the page's lines that holds the title, or that the title holds when it has
/// a few words (a headline broken over lines, or cut short in the line).
fn line_of_title(lines: &[&str], title: &str) -> Option<usize> {
    let title_key: String = title.chars().filter(|c| c.is_alphanumeric()).collect();
    let title_first = title_key.chars().next()?;
    let mut key = String::new();
    lines.iter().position(|l| {
        // Needed for either match below, and far cheaper than the line's key: the title's
        // first letter in the line, or the line's first letter in the title.
        let may_match = l.contains(title_first)
            || l.chars()
                .find(|&c| text::is_word_char(c))
                .is_some_and(|c| title_key.contains(c));
        if !may_match {
            return false;
        }
        key.clear();
        key.extend(l.chars().filter(|&c| text::is_word_char(c)));
        !key.is_empty()
            && (key.contains(&title_key)
                || (key.chars().count() >= 6 && title_key.contains(key.as_str())))
    })
}

/// The first of `lines` from `from` on that holds `body_line`'s first words. The body's text
/// is the page's with white space collapsed, and a page's source may break a paragraph's line
/// anywhere: the first ten characters without white space are looked for.
fn line_of(lines: &[&str], body_line: &str, from: usize) -> Option<usize> {
    let key: String = body_line
        .split_whitespace()
        .next()?
        .chars()
        .take(10)
        .collect();
    if key.chars().count() < 4 {
        return None;
    }
    lines
        .iter()
        .skip(from)
        .position(|l| l.contains(key.as_str()))
        .map(|i| i + from)
}

/// The first `max_chars` characters of `text`, ended at a sentence end when one is near.
///
/// Lines are joined without a space after Chinese (which puts none between sentences) and with
/// one after anything else.
pub fn summarize(text: &str, max_chars: usize) -> String {
    let mut flat = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let needs_space = flat
            .chars()
            .last()
            .is_some_and(|c| !text::is_cjk(c) && !"。！？；：，、”）】".contains(c));
        if needs_space {
            flat.push(' ');
        }
        flat.push_str(line);
    }
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let cut: String = flat.chars().take(max_chars).collect();
    match cut.rfind(['。', '！', '？', '.']) {
        // A sentence end in the last three fifths is worth the shorter summary.
        Some(end) if end >= cut.len() * 2 / 5 => {
            let ch = cut[end..].chars().next().map_or(1, char::len_utf8);
            cut[..end + ch].to_owned()
        }
        _ => format!("{cut}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::summarize;

    #[test]
    fn summaries_join_chinese_lines_without_spaces_and_latin_ones_with() {
        assert_eq!(summarize("第一段。\n第二段。", 50), "第一段。第二段。");
        assert_eq!(
            summarize("First line\nsecond line.", 50),
            "First line second line."
        );
        assert_eq!(
            summarize("One sentence here. Another one that runs on", 30),
            "One sentence here."
        );
        assert_eq!(summarize("一二三四五六七八九十", 5), "一二三四五…");
    }
}
