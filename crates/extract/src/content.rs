//! Finding the article in the page, and writing it out clean.
//!
//! 1. **Score.** Every paragraph-like element with enough text adds to its ancestors' scores
//!    (readability's scheme): more text and more sentence punctuation (counted in full-width
//!    Chinese forms too, with a CJK character weighing as three Latin ones) mean more likely
//!    prose. Class and id names add or take away. A candidate's score is discounted by its
//!    link density, so link lists lose however long they are.
//! 2. **Choose.** The best candidate, promoted to a common ancestor when several strong
//!    candidates share one, plus the siblings that look like more of the same article, the
//!    other chunks of a body cut up by ads (cousins with its class), and a lead or subtitle
//!    standing between the headline and the body.
//! 3. **Clean.** Inside the chosen content, drop what is not the article: blocks dense with
//!    links, short boilerplate (扫码关注, 阅读原文, 责任编辑...), the title again, a byline or
//!    date line at the top; and stop at a 相关阅读-style heading, after which nothing is article.
//! 4. **Write.** A small, fixed set of elements is written out (paragraphs, sub-headings,
//!    figures with captions, lists, tables, quotes), with lazy-loaded images resolved to
//!    absolute URLs. Captions, in `<figcaption>` or named so by their class, stay in the HTML
//!    and out of the text. The result still goes through the sanitizer afterwards.
//!
//! When the chosen content holds next to nothing, [`paragraph_baseline`] offers the page's
//! paragraphs outside furniture instead.

use crate::dom::{Dom, NodeHandle, attr, is_block, is_junk_tag, tag};
use crate::html::Node;
use crate::html::NodeId;
use crate::text::{Measure, collapse_whitespace, contains_ignoring_case, push_flowing, tidy_lines};
use regex::Regex;
// NodeIds are small integers: a fast non-cryptographic hash is safe and much quicker.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;
use url::Url;
use xinwen_model::Image;

/// Below this weight (Latin-equivalent characters) a paragraph does not vote.
const MIN_PARAGRAPH_WEIGHT: usize = 25;

/// Below this average weight per line, text broken into many lines by `<br>` votes less.
const SHORT_LINE_WEIGHT: usize = 40;

/// The lines of a data file of patterns as one alternation: each line is taken as written
/// (a pattern may end in a space), `#` lines and blank lines left out.
fn alternatives(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("|")
}

/// A heading after which a page lists other articles, not this one
/// (`data/stop-headings.txt`).
static STOP_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^\s*[【\[]?\s*({})\s*[.…]*\s*[】\]]?\s*[:：]?\s*$",
        alternatives(include_str!("../data/stop-headings.txt"))
    ))
    .expect("valid regex")
});

/// After the article, the first reply of a forum thread or a blog's comments: the end.
static REPLIES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(发布时间|发表于|回复于|发表时间|回复时间)\s*[:：]?\s*\d{4}[-/.年]|共\s*\d+\s*(篇|条)(评论|回复)|^〓|^(回复|引用|re)\s*[:：]")
        .expect("valid regex")
});

/// Short blocks that are page furniture wherever they stand (`data/boilerplate.txt`).
static BOILERPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        "(?i){}",
        alternatives(include_str!("../data/boilerplate.txt"))
    ))
    .expect("valid regex")
});

/// A line that is only a date, a time, a source or a byline: the article header, not its body.
///
/// Word boundaries here and in `BOILERPLATE` are spelled out as "a character that is not a
/// word character" instead of `\b`: on non-ASCII text a Unicode `\b` makes the regex engine
/// leave its DFA for a backtracker; spelling them out took the Chinese benchmark set from 348
/// to 674 pages per second.
static HEADER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[►▶●■▲◆\s]*(?:(?:发布|更新|时间|日期|来源|作者|记者|编辑|撰文|通讯员|字号|浏览|阅读|点击|本报讯)\s*[:：｜|/]?|(?:文|图)(?:\s|[:：｜|/]))[^。！？]{0,40}$|^\s*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(\s+\d{1,2}:\d{2}(:\d{2})?)?|^(?:[^.!?。！？]{0,49}[^\w.!?。！？])?(?:19|20)\d{2}(?:$|[^\w.!?。！？][^.!?。！？]{0,29}$)")
        .expect("valid regex")
});

/// Class and id words of a lead, standfirst or subtitle: the first lines of the story, often
/// set apart from its body under the headline.
static LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[-_\s])(?:lead|leadin|intro|introduction|standfirst|summary|subtitle|sub-title|subheadline|sub-headline|subhead|chapo|chapeau|sumario|entradilla|deck|dek|excerpt|abstract|teaser|description|vorspann|lede)(?:$|[-_\s])")
        .expect("valid regex")
});

/// A class naming a picture's caption or credit (see [`names_a_caption`]).
/// A short line under a picture that names itself a caption or credit
/// (`data/caption-markers.txt`).
static CAPTION_LINE: LazyLock<Regex> = LazyLock::new(|| {
    let patterns: Vec<&str> = include_str!("../data/caption-markers.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    Regex::new(&patterns.join("|")).expect("valid caption markers")
});

static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:caption|credits?)(?:$|\s|[-_]+(?:text|inner|content|wrap|wrapper|container)(?:$|\s))")
        .expect("valid regex")
});

/// Class, id or itemprop words of a recipe's ingredient list, which recipe pages set in a box
/// of its own beside the method.
static INGREDIENTS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)ingredient|zutaten").expect("valid regex"));

/// The article as found: HTML (not yet sanitized), its text, its images.
#[derive(Debug, Clone, Default)]
pub struct Content {
    pub html: String,
    pub text: String,
    pub images: Vec<Image>,
    /// Link text over all text of the chosen content.
    pub link_density: f64,
    /// How much text there is, counted as it was written.
    pub measure: Measure,
    /// Lines of text holding a sentence or more (60 weight): paragraphs, however the page
    /// marks them up (old pages separate them with `<br>`).
    pub paragraphs: usize,
}

impl Content {
    fn count_line(&mut self, line: Measure) {
        self.measure.add(line);
        self.paragraphs += usize::from(line.weight() >= PARAGRAPH_WEIGHT);
    }
}

/// A line of text with this much weight is a paragraph: a sentence or more.
const PARAGRAPH_WEIGHT: usize = 60;

/// Finds and writes the article. `root`, when given, is where the article is known to be
/// (WeChat's `#js_content`), and scoring is skipped.
pub fn extract(
    dom: &Dom,
    title: Option<&str>,
    base: Option<&Url>,
    root: Option<NodeId>,
) -> Content {
    let roots = match root.and_then(|id| dom.html.get(id)) {
        Some(node) => vec![node],
        None => choose(dom),
    };
    let mut link_chars = 0;
    let mut chars = 0;
    for node in &roots {
        let s = dom.stats(node.id());
        link_chars += s.link_chars;
        chars += s.text.chars;
    }
    let mut writer = Writer::new(dom, title, base);
    writer.roots = roots.iter().map(|n| n.id()).collect();
    for node in &roots {
        writer.write(*node);
    }
    let mut content = writer.finish();
    content.link_density = if chars == 0 {
        0.0
    } else {
        link_chars as f64 / chars as f64
    };
    content
}

/// Content from plain text (a JSON-LD `articleBody`): a paragraph per line.
pub fn from_plain_text(body: &str) -> Content {
    let mut content = Content::default();
    let mut lines = Vec::new();
    for line in body
        .lines()
        .map(collapse_whitespace)
        .filter(|l| !l.is_empty())
    {
        content.html.push_str("<p>");
        push_escaped(&mut content.html, &line);
        content.html.push_str("</p>");
        content.count_line(Measure::of(&line));
        lines.push(line);
    }
    content.text = lines.join("\n");
    content
}

/// The page's paragraphs, where they stand outside furniture: what is left when no container
/// holds the article (a blog post of link titles, a live ticker cut into rows).
pub fn paragraph_baseline(dom: &Dom) -> Content {
    let mut text = String::new();
    let mut seen = HashSet::default();
    let (mut chars, mut link_chars) = (0, 0);
    // Whether a node lies in junk or in a paragraph already taken: one walk in id order,
    // where parents come before their children (pages nest thousands deep).
    let mut covered = vec![false; dom.html.node_count()];
    for node in dom.html.nodes() {
        let inherited = node.parent().is_some_and(|p| covered[p.id().index()]);
        let is_paragraph = matches!(tag(&node), Some("p" | "pre" | "blockquote"));
        let junk = dom.is_junk(node.id());
        covered[node.id().index()] = inherited || junk || is_paragraph;
        if !is_paragraph || inherited || junk {
            continue;
        }
        // A sentence at least: menus and labels are written in paragraphs too.
        if dom.stats(node.id()).text.weight() < 40 {
            continue;
        }
        let line = dom.text_of(node);
        if BOILERPLATE.is_match(&line) || !seen.insert(line.clone()) {
            continue;
        }
        text.push_str(&line);
        text.push('\n');
        let stats = dom.stats(node.id());
        chars += stats.text.chars;
        link_chars += stats.link_chars;
    }
    let mut content = from_plain_text(&text);
    // A list page's paragraphs are its links: the density tells the caller.
    content.link_density = link_chars as f64 / chars.max(1) as f64;
    content
}

fn is_scorable(dom: &Dom, node: NodeHandle<'_>) -> bool {
    match tag(&node) {
        Some("p" | "pre") => true,
        // A cell or quote holding paragraphs is a container: its paragraphs vote, and it can
        // be chosen.
        Some("td" | "blockquote" | "div" | "section" | "article" | "span" | "font" | "center") => {
            !dom.has_block_child(node)
        }
        _ => false,
    }
}

fn base_score(dom: &Dom, node: &NodeHandle<'_>) -> f64 {
    let by_tag = match tag(node) {
        Some("div" | "article" | "section" | "main") => 5.0,
        Some("pre" | "td" | "blockquote") => 3.0,
        Some("address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form") => -3.0,
        Some("h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th") => -5.0,
        _ => 0.0,
    };
    by_tag + dom.class_weight(node)
}

/// The elements holding the article, in page order.
fn choose(dom: &Dom) -> Vec<NodeHandle<'_>> {
    let body = dom.body();
    let mut scores: HashMap<NodeId, f64> = HashMap::default();
    let mut vote = |from: Option<NodeHandle<'_>>, measure: Measure, breaks: usize| {
        let weight = measure.weight();
        if weight < MIN_PARAGRAPH_WEIGHT {
            return;
        }
        let mut score = 1.0 + measure.punct as f64 + (weight as f64 / 100.0).min(3.0);
        // Many short lines broken by <br> are a list written as text (names, addresses,
        // credits), however many commas it has.
        let lines = breaks + 1;
        if lines >= 6 && weight / lines < SHORT_LINE_WEIGHT {
            score *= (weight / lines) as f64 / SHORT_LINE_WEIGHT as f64;
        }
        let mut ancestor = from;
        let mut level = 0;
        while let Some(a) = ancestor {
            if level > 4 || tag(&a).is_none() {
                break;
            }
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                n => f64::from(n) * 3.0,
            };
            *scores.entry(a.id()).or_insert_with(|| base_score(dom, &a)) += score / divider;
            ancestor = a.parent();
            level += 1;
        }
    };
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        if dom.is_junk(node.id()) {
            continue;
        }
        if tag(&node).is_none() {
            continue;
        }
        if is_scorable(dom, node) {
            let stats = dom.stats(node.id());
            vote(node.parent(), stats.text, stats.breaks);
            continue;
        }
        // Text standing loose among blocks (old table layouts: text and <br> in a cell that
        // also holds a <p> or a <div>) votes for the element that holds it.
        let mut loose = Measure::default();
        let mut loose_breaks = 0;
        for child in node.children() {
            if dom.is_junk(child.id()) {
                continue;
            }
            match tag(&child) {
                Some(t) if is_block(t) && t != "br" => {}
                _ => {
                    let stats = dom.stats(child.id());
                    loose.add(stats.text);
                    loose_breaks += stats.breaks;
                }
            }
        }
        vote(Some(node), loose, loose_breaks);
        stack.extend(node.children());
    }
    let final_score = |id: NodeId, raw: f64| raw * (1.0 - dom.stats(id).link_density());
    let mut ranked: Vec<(NodeId, f64)> = scores
        .iter()
        .map(|(id, raw)| (*id, final_score(*id, *raw)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let Some(&(top_id, top_score)) = ranked.first() else {
        return vec![body];
    };
    let get = |id: NodeId| dom.html.get(id).expect("scored nodes exist");
    let mut top = get(top_id);
    let mut top_score = top_score;

    // Several strong candidates under one ancestor: the article is split into parts.
    let strong: Vec<NodeHandle<'_>> = ranked
        .iter()
        .skip(1)
        .take(4)
        .filter(|(_, s)| *s >= top_score * 0.75)
        .map(|(id, _)| get(*id))
        .collect();
    if strong.len() >= 2 {
        // Bounded walks: a common ancestor far up is the page, not the article, and deep
        // pages must stay linear.
        for a in top.ancestors().take(8) {
            if tag(&a).is_none() || tag(&a) == Some("body") {
                break;
            }
            let containing = strong
                .iter()
                .filter(|s| s.ancestors().take(12).any(|x| x.id() == a.id()))
                .count();
            if containing >= 2 {
                top = a;
                top_score = scores
                    .get(&a.id())
                    .map_or(top_score, |s| final_score(a.id(), *s));
                break;
            }
        }
    }

    // Climb while the parent scores higher: the text is spread over the parent's children.
    let threshold = top_score / 3.0;
    let mut last = top_score;
    let mut parent = top.parent();
    while let Some(p) = parent {
        if tag(&p).is_none() || tag(&p) == Some("body") {
            break;
        }
        match scores.get(&p.id()) {
            None => {}
            Some(raw) => {
                let s = final_score(p.id(), *raw);
                if s < threshold {
                    break;
                }
                if s > last {
                    top = p;
                    top_score = s;
                    break;
                }
                last = s;
            }
        }
        parent = p.parent();
    }
    // An only child says nothing its parent does not.
    while let Some(p) = top.parent() {
        if tag(&p).is_none() || tag(&p) == Some("body") {
            break;
        }
        let elements = p
            .children()
            .filter(|c| tag(c).is_some() && !dom.is_junk(c.id()))
            .count();
        if elements != 1 {
            break;
        }
        top = p;
    }

    // Siblings that continue the article.
    let Some(parent) = top.parent() else {
        return vec![top];
    };
    if tag(&parent).is_none() {
        return vec![top];
    }
    let sibling_threshold = (top_score * 0.2).max(10.0);
    let top_class = attr(&top, "class").unwrap_or("");
    let mut chosen = Vec::new();
    for sibling in parent.children() {
        if sibling.id() == top.id() {
            chosen.push(sibling);
            continue;
        }
        if tag(&sibling).is_none() || dom.is_junk(sibling.id()) {
            continue;
        }
        let stats = dom.stats(sibling.id());
        let mut bonus = 0.0;
        if !top_class.is_empty() && attr(&sibling, "class") == Some(top_class) {
            bonus = top_score * 0.2;
        }
        let score = scores
            .get(&sibling.id())
            .map_or(0.0, |s| final_score(sibling.id(), *s));
        let append = if score + bonus >= sibling_threshold {
            true
        } else if matches!(tag(&sibling), Some("p"))
            || (matches!(tag(&sibling), Some("div")) && !dom.has_block_child(sibling))
        {
            let weight = stats.text.weight();
            let density = stats.link_density();
            (weight > 80 && density < 0.25)
                || (weight > 0 && weight <= 80 && density == 0.0 && {
                    let text = dom.text_of(sibling);
                    text.contains('。') || text.contains(". ") || text.ends_with('.')
                })
        } else if matches!(tag(&sibling), Some("div" | "section" | "header")) {
            // A lead or standfirst in a box of its own beside the body: paragraphs of prose,
            // few links.
            stats.paragraphs >= 1
                && stats.text.weight() > 100
                && stats.text.punct >= 2
                && stats.link_density() < 0.2
                && dom.class_weight(&sibling) >= 0.0
        } else {
            false
        };
        if append {
            chosen.push(sibling);
        }
    }

    // An article cut into chunks, with ads or embeds between them in wrappers of their own:
    // the other chunks are the top's cousins, with its tag and class, a few levels up.
    if !top_class.is_empty()
        && let Some(scope) = top
            .ancestors()
            .take(3)
            .take_while(|a| tag(a).is_some_and(|t| t != "body"))
            .last()
    {
        for cousin in scope.descendants() {
            if tag(&cousin) != tag(&top)
                || attr(&cousin, "class") != Some(top_class)
                || chosen
                    .iter()
                    .any(|c| c.contains(&cousin) || cousin.contains(c))
            {
                continue;
            }
            let score = scores
                .get(&cousin.id())
                .map_or(0.0, |s| final_score(cousin.id(), *s));
            if score >= sibling_threshold && !cousin.ancestors().any(|a| dom.is_junk(a.id())) {
                chosen.push(cousin);
            }
        }
        chosen.sort_by_key(|c| c.id());
    }

    // A recipe's ingredients, boxed apart from its method a few levels up. (Most pages never
    // name them, and are not walked.)
    let source = dom.html.source().as_bytes();
    let may_name_ingredients =
        contains_ignoring_case(source, b"ingredient") || contains_ignoring_case(source, b"zutaten");
    if may_name_ingredients
        && let Some(scope) = top
            .ancestors()
            .take(3)
            .take_while(|a| tag(a).is_some_and(|t| t != "body"))
            .last()
    {
        let mut found = Vec::new();
        for node in scope.descendants() {
            if tag(&node).is_none() || dom.is_junk(node.id()) {
                continue;
            }
            let named = ["class", "id", "itemprop"]
                .into_iter()
                .filter_map(|name| attr(&node, name))
                .any(|value| INGREDIENTS.is_match(value));
            if !named
                || chosen.iter().any(|c| c.contains(&node) || node.contains(c))
                || found.iter().any(|f: &NodeHandle<'_>| f.contains(&node))
                || node.ancestors().any(|a| dom.is_junk(a.id()))
            {
                continue;
            }
            let stats = dom.stats(node.id());
            if stats.text.weight() >= 20 && stats.link_density() < 0.5 {
                found.push(node);
            }
        }
        if !found.is_empty() {
            chosen.extend(found);
            chosen.sort_by_key(|c| c.id());
        }
    }

    // A lead or subtitle between the headline and the body, outside the body's container.
    if let Some(first) = chosen.first().copied() {
        let mut leads = leads_before(dom, first);
        if !leads.is_empty() {
            leads.append(&mut chosen);
            chosen = leads;
        }
    }
    chosen
}

/// Elements named as a lead (see [`LEAD`]) after the last `<h1>` before `first_root` (the
/// first chosen container), holding some prose and few links.
///
/// The headline and its lead often sit in a page header that class names mark as furniture,
/// so this looks past junk; only what can never be article text (navigation, forms, asides)
/// is passed over.
fn leads_before<'d>(dom: &'d Dom, first_root: NodeHandle<'d>) -> Vec<NodeHandle<'d>> {
    // The last headline outside junk, or else the last one in it (hidden headings for
    // screen readers are junk, and so, on some pages, is the page header itself).
    let headings = || {
        dom.html
            .nodes()
            .take(first_root.id().index())
            .filter(|n| tag(n) == Some("h1"))
    };
    let Some(headline) = headings()
        .filter(|n| dom.stats(n.id()).text.chars > 0)
        .last()
        .or_else(|| headings().last())
    else {
        return Vec::new();
    };
    let mut leads: Vec<NodeHandle<'d>> = Vec::new();
    let mut root_text: Option<String> = None;
    for node in dom.html.nodes().skip(headline.id().index() + 1) {
        if node.id() >= first_root.id() {
            break;
        }
        if tag(&node).is_none()
            || node.contains(&first_root)
            || leads.last().is_some_and(|l| l.contains(&node))
        {
            continue;
        }
        // A subheading right under the headline is its deck, named or not.
        let deck = tag(&node) == Some("h2")
            && previous_element(node).map(|s| s.id()) == Some(headline.id());
        let named = deck
            || ["class", "id", "itemprop"]
                .into_iter()
                .filter_map(|a| attr(&node, a))
                .any(|v| LEAD.is_match(v));
        if !named {
            continue;
        }
        // Pictures and their captions are not the lead, whatever their class says, and
        // neither is anything that can never be article text.
        let never_text = |n: &NodeHandle<'_>| {
            tag(n).is_some_and(|t| is_junk_tag(t) || matches!(t, "figure" | "figcaption" | "form"))
        };
        if never_text(&node) || node.ancestors().any(|a| never_text(&a)) {
            continue;
        }
        let text = dom.text_of(node);
        let weight = Measure::of(&text).weight();
        let link_chars: usize = node
            .descendants()
            .filter(|d| tag(d) == Some("a"))
            .map(|a| dom.text_of(a).chars().count())
            .sum();
        if !(if deck { 40 } else { 80 }..=3000).contains(&weight)
            || link_chars * 10 > text.chars().count() * 3
            || node.descendants().any(|d| tag(&d) == Some("img"))
        {
            continue;
        }
        // A lead is written in sentences; a headline's strapline often is not.
        let sentence = text
            .trim_end_matches(['"', '”', '»', '’', '\'', ')', '）', ' '])
            .ends_with(['.', '!', '?', '。', '！', '？', '…']);
        if !sentence && !deck && weight < 150 {
            continue;
        }
        // Pages say their lead again at the top of the body, or twice in the header.
        let root_text = root_text.get_or_insert_with(|| dom.text_of(first_root));
        if !root_text.contains(&text) && leads.iter().all(|l| dom.text_of(*l) != text) {
            leads.push(node);
        }
    }
    // A subtitle and a lead at most: more is a list of teasers.
    if leads.len() > 2 {
        leads.clear();
    }
    leads
}

/// The nearest element before `node` among its siblings (text and comments passed over).
fn previous_element(node: NodeHandle<'_>) -> Option<NodeHandle<'_>> {
    std::iter::successors(node.prev_sibling(), |n| n.prev_sibling()).find(|n| tag(n).is_some())
}

/// Writes chosen content as simple HTML and text.
struct Writer<'d> {
    dom: &'d Dom,
    title_key: Option<String>,
    base: Option<&'d Url>,
    html: String,
    text: String,
    images: Vec<Image>,
    /// Text written so far; the title and header lines are only dropped near the top.
    written_weight: usize,
    /// Paragraphs already written, to write a repeated one (pages duplicate their body for
    /// other layouts) once.
    seen_paragraphs: HashSet<u64>,
    /// Reused to read paragraphs' text for `seen_paragraphs`.
    scratch: String,
    /// Inside a figure caption: its words describe a picture, not the story, so they stay in
    /// the HTML under the image and out of the text.
    caption_depth: usize,
    /// The chosen containers: whatever cleaning finds inside them, they themselves stay.
    roots: HashSet<NodeId>,
    stopped: bool,
    /// Elements open in `html` now.
    depth: usize,
    /// List items open now: a how-to's steps ("Sign up for …") are not furniture lines.
    list_items: usize,
    /// `<pre>` elements open now: their line breaks are the text's.
    preformatted: usize,
    /// Where the line being written began, to take it back (see [`Writer::end_line`]).
    line: LineStart,
    /// What the line being written holds, from the counts of its text nodes.
    line_measure: Measure,
    /// The text's measure and paragraphs, line by line as the lines are kept.
    counted: Content,
}

/// The writer's state where a line of text began.
#[derive(Clone, Copy, Default)]
struct LineStart {
    html: usize,
    text: usize,
    weight: usize,
    images: usize,
    depth: usize,
    /// The fewest elements open since: below `depth`, the line closed an element it did not
    /// open, and its HTML cannot be cut out alone.
    min_depth: usize,
}

/// What to do with an element.
enum Action {
    Skip,
    /// Write its children only.
    Unwrap,
    /// Write it as this element.
    As(&'static str),
    /// A block of inline content written as a paragraph.
    Paragraph,
    /// A picture's caption or credit outside a `<figure>`: kept in the HTML under the
    /// picture, out of the text, as a `<figcaption>` is.
    Caption(bool),
    /// A line right under a picture that says it is its caption (`（资料图）`, `图为…`,
    /// `… 摄`): a caption, and the picture's when it has none.
    PictureCaption,
}

const KEPT: &[&str] = &[
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "figure",
    "figcaption",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "sub",
    "sup",
    "code",
    "br",
    "hr",
    "small",
    "mark",
    "q",
    "cite",
    "s",
    "del",
    "ins",
    "abbr",
    "time",
];

/// Whether a class attribute names a picture's caption or credit: `wp-caption-text`,
/// `figure__caption`, `img-caption`, `credits` (and not a type-scale utility such as
/// `caption-s5`).
fn names_a_caption(class: &str) -> bool {
    (class.contains("aption") || class.contains("redit")) && CAPTION.is_match(class)
}

/// Whether a block or line of text this long could be furniture: longer ones are prose.
fn is_short_line(measure: Measure) -> bool {
    measure.chars > 0 && measure.chars <= if measure.cjk == 0 { 100 } else { 60 }
}

/// Whether a short block or line (`text`, white space collapsed, `measure` its count) says
/// what furniture says.
fn names_furniture(measure: Measure, text: &str) -> bool {
    (measure.cjk == 0 || at_most_one_sentence(text)) && BOILERPLATE.is_match(text)
}

/// Whether no sentence ends inside `line` (one may end it): a line cut out of running prose
/// by `<br>`s carries the end of one sentence and the start of the next, and Chinese
/// furniture words are words of prose too (分享到, "share to" and "come to share in").
fn at_most_one_sentence(line: &str) -> bool {
    let body = line
        .trim_end_matches(['.', '!', '?', '。', '！', '？', '…', ' ', '"', '”', '»'])
        .as_bytes();
    // One pass over the bytes (this runs for every short line written): 。 is E3 80 82, ！ and
    // ？ are EF BC 81 and EF BC 9F. A stop and a space end the trimmed text nowhere, so a
    // window of three finds them all.
    !body.windows(3).any(|w| {
        matches!(
            w,
            [0xE3, 0x80, 0x82] | [0xEF, 0xBC, 0x81 | 0x9F] | [b'.' | b'!' | b'?', b' ', _]
        )
    })
}

fn comparable(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl<'d> Writer<'d> {
    fn new(dom: &'d Dom, title: Option<&str>, base: Option<&'d Url>) -> Self {
        Writer {
            dom,
            title_key: title.map(comparable).filter(|t| !t.is_empty()),
            base,
            html: String::new(),
            text: String::new(),
            images: Vec::new(),
            written_weight: 0,
            seen_paragraphs: HashSet::default(),
            scratch: String::new(),
            caption_depth: 0,
            roots: HashSet::default(),
            stopped: false,
            depth: 0,
            list_items: 0,
            preformatted: 0,
            line: LineStart::default(),
            line_measure: Measure::default(),
            counted: Content::default(),
        }
    }

    fn finish(mut self) -> Content {
        self.end_line();
        Content {
            text: tidy_lines(&self.text),
            html: self.html,
            images: self.images,
            ..self.counted
        }
    }

    /// Whether `node` only wraps one block element (white space aside).
    fn is_wrapper(&self, node: NodeHandle<'_>) -> bool {
        let mut blocks = 0;
        for child in node.children() {
            if self.dom.is_junk(child.id()) {
                continue;
            }
            match child.value() {
                Node::Text(t) if t.trim().is_empty() => {}
                // Cells and items are not text-checked themselves, so their parents are.
                Node::Element(e)
                    if is_block(e.name())
                        && !matches!(e.name(), "br" | "li" | "td" | "th" | "tr") =>
                {
                    blocks += 1;
                }
                Node::Comment => {}
                _ => return false,
            }
        }
        blocks == 1
    }

    /// Whether `text` is the title again (or most of it: pages shorten and lengthen it).
    fn is_title(&self, text: &str) -> bool {
        let Some(title) = &self.title_key else {
            return false;
        };
        let key = comparable(text);
        let (shorter, longer) = if key.len() <= title.len() {
            (&key, title)
        } else {
            (title, &key)
        };
        !key.is_empty()
            && longer.contains(shorter.as_str())
            && shorter.len() * 10 >= longer.len() * 6
    }

    /// Whether little prose has been written yet: the title, the byline and the date are
    /// dropped there, and only there.
    fn near_top(&self) -> bool {
        self.written_weight < 150
    }

    fn action(&mut self, node: NodeHandle<'_>, name: &str) -> Action {
        let stats = self.dom.stats(node.id());
        let is_block = is_block(name) && name != "br" && name != "hr";
        // The text checks are for short blocks; a block with more text than any of them
        // matches is not read at all, and neither is a huge subtree.
        let checks_text = is_block && name != "li" && name != "td" && name != "tr";
        // A wrapper around a single block says nothing its child does not; the child is
        // checked when it is reached (and nested wrappers stay linear).
        let short_text = if checks_text && stats.text.chars <= 80 && !self.is_wrapper(node) {
            self.dom.short_text_of(node, 400)
        } else {
            None
        };
        if let Some(text) = short_text {
            let measure = Measure::of(&text);
            if measure.chars > 0 && measure.chars <= 30 && STOP_HEADING.is_match(&text) {
                // Before any article text, such a heading belongs to a teaser box, not to
                // the end of the article.
                self.stopped = self.written_weight >= 300;
                return Action::Skip;
            }
            if self.written_weight >= 300 && REPLIES.is_match(&text) {
                self.stopped = true;
                return Action::Skip;
            }
            if is_short_line(measure) && stats.images == 0 && names_furniture(measure, &text) {
                return Action::Skip;
            }
            if self.near_top() && measure.chars > 0 && self.is_title(&text) {
                return Action::Skip;
            }
            if self.near_top() && stats.images == 0 && HEADER_LINE.is_match(&text) {
                return Action::Skip;
            }
            // Before the first paragraph, short lines without a sentence in them are the
            // page's furniture (a blog's sidebar headings, a kicker, "[打印]").
            if self.near_top()
                && stats.images == 0
                && measure.chars <= 25
                && measure.punct == 0
                && !matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
            {
                return Action::Skip;
            }
        }
        if checks_text {
            if matches!(
                name,
                "div" | "section" | "ul" | "ol" | "table" | "dl" | "center"
            ) && !self.roots.contains(&node.id())
                && self.clutter(node, name)
            {
                return Action::Skip;
            }
            if matches!(
                name,
                "p" | "div"
                    | "section"
                    | "ul"
                    | "ol"
                    | "table"
                    | "dl"
                    | "center"
                    | "blockquote"
                    | "tr"
                    | "td"
            ) && !self.roots.contains(&node.id())
                && self.link_block(node)
            {
                return Action::Skip;
            }
        }
        if matches!(name, "p" | "div" | "section" | "blockquote" | "li" | "td")
            && stats.text.weight() >= 60
            && !self.dom.has_block_child(node)
        {
            let key = self.dom.text_key(node, &mut self.scratch);
            if !self.seen_paragraphs.insert(key) {
                return Action::Skip;
            }
        }
        if name.starts_with('h')
            && name.len() == 2
            && (self.dom.class_weight(&node) < 0.0 || stats.link_density() > 0.33)
        {
            return Action::Skip;
        }
        if name != "figcaption" && attr(&node, "class").is_some_and(names_a_caption) {
            return Action::Caption(is_block);
        }
        if name == "p"
            && (2..=60).contains(&stats.text.chars)
            && !self.images.is_empty()
            && self.follows_a_picture(node)
            && self
                .dom
                .short_text_of(node, 40)
                .is_some_and(|text| CAPTION_LINE.is_match(text.trim()))
        {
            return Action::PictureCaption;
        }
        match name {
            "img" => Action::As("img"),
            "a" => Action::As("a"),
            "h1" => Action::As("h2"),
            "div" | "section" | "article" | "main" | "center" | "header" | "span" | "font" => {
                if is_block && !self.dom.has_block_child(node) && stats.text.chars > 0 {
                    Action::Paragraph
                } else {
                    Action::Unwrap
                }
            }
            other => match KEPT.iter().find(|k| **k == other) {
                Some(k) => Action::As(k),
                None => Action::Unwrap,
            },
        }
    }

    /// Ends the line of text being written. A short line of furniture ("Aktualisiert: …",
    /// "Category: …") is taken back, HTML and all, where blocks hid it from the block checks:
    /// a label and its link inside a longer block, lines between `<br>`s, a list item.
    fn end_line(&mut self) {
        let measure = std::mem::take(&mut self.line_measure);
        let balanced = self.depth == self.line.depth && self.line.min_depth >= self.line.depth;
        // Only a short line is read (and collapsed) at all.
        if is_short_line(measure)
            && balanced
            && self.list_items == 0
            && self.images.len() == self.line.images
            && names_furniture(measure, &collapse_whitespace(&self.text[self.line.text..]))
        {
            self.html.truncate(self.line.html);
            self.text.truncate(self.line.text);
            self.written_weight = self.line.weight;
        } else {
            self.counted.count_line(measure);
        }
        self.text.push('\n');
        self.start_line();
    }

    fn start_line(&mut self) {
        self.line = LineStart {
            html: self.html.len(),
            text: self.text.len(),
            weight: self.written_weight,
            images: self.images.len(),
            depth: self.depth,
            min_depth: self.depth,
        };
    }

    fn open_tag(&mut self, name: &str) {
        self.html.push('<');
        self.html.push_str(name);
        self.html.push('>');
        self.depth += 1;
        match name {
            "li" => self.list_items += 1,
            "pre" => self.preformatted += 1,
            _ => {}
        }
    }

    /// readability's conditional cleaning: a container with little prose and many links,
    /// images without text, or form fields is page furniture.
    fn clutter(&self, node: NodeHandle<'_>, name: &str) -> bool {
        let stats = self.dom.stats(node.id());
        let weight = self.dom.class_weight(&node);
        if weight < 0.0 && stats.text.punct < 10 {
            return true;
        }
        if stats.text.punct >= 10 {
            return false;
        }
        let is_list = matches!(name, "ul" | "ol" | "dl");
        let inside_figure = node.ancestors().take(8).any(|a| tag(&a) == Some("figure"));
        let p = stats.paragraphs;
        let content = stats.text.weight();
        let density = stats.link_density();
        (stats.images > 1
            && (stats.text_blocks as f64) < stats.images as f64 * 0.5
            && !inside_figure)
            || (!is_list && stats.list_items > p + 100)
            || stats.inputs > p / 3
            || (!is_list
                && content < MIN_PARAGRAPH_WEIGHT
                && stats.images == 0
                && self.dom.has_block_child(node)
                && density > 0.0)
            || (weight < 25.0
                && density > if is_list { 0.33 } else { 0.2 }
                && (is_list || self.dom.has_block_child(node))
                && content < 2000)
            || (weight >= 25.0 && density > 0.5)
            || (stats.embeds == 1 && content < 75)
            || stats.embeds > 1
    }

    /// A short block made mostly of links is a menu or a list of other articles, whatever its
    /// tag. (Longer ones are left to the conditional cleaning: counting links alone there
    /// drops link-rich prose.)
    fn link_block(&self, node: NodeHandle<'_>) -> bool {
        let stats = self.dom.stats(node.id());
        stats.links >= 1 && stats.link_density() > 0.5 && stats.text.weight() < 600
    }

    fn write(&mut self, start: NodeHandle<'_>) {
        enum Step<'a> {
            Open(NodeHandle<'a>),
            /// The element's name (empty when only its children were written), whether it
            /// ends a line of text, and whether it was a caption.
            Close(&'static str, bool, bool),
        }
        let mut stack = vec![Step::Open(start)];
        while let Some(step) = stack.pop() {
            if self.stopped {
                return;
            }
            let node = match step {
                Step::Close(name, paragraph, caption) => {
                    // A line that began inside this element ends before its close tag, so
                    // that it can be cut out alone; a line that began with the element
                    // takes the close tag with it.
                    let ends_inside =
                        paragraph && !name.is_empty() && self.line.depth == self.depth;
                    if ends_inside {
                        self.end_line();
                    }
                    if !name.is_empty() {
                        self.html.push_str("</");
                        self.html.push_str(name);
                        self.html.push('>');
                        self.depth -= 1;
                        self.line.min_depth = self.line.min_depth.min(self.depth);
                    }
                    if ends_inside {
                        // The close tag belongs to no line: the next one starts after it.
                        self.start_line();
                    }
                    if caption {
                        self.caption_depth = self.caption_depth.saturating_sub(1);
                    }
                    if paragraph && !ends_inside {
                        self.end_line();
                    }
                    // After its line is ended: the item's own text is the line.
                    match name {
                        "li" => self.list_items -= 1,
                        "pre" => self.preformatted -= 1,
                        _ => {}
                    }
                    continue;
                }
                Step::Open(node) => node,
            };
            if self.dom.is_junk(node.id()) {
                continue;
            }
            match node.value() {
                Node::Text(t) => {
                    let text: &str = t;
                    // Counted once already, unless the node lies inside junk (a lead can).
                    let m = match self.dom.stats(node.id()).text {
                        counted if counted.chars > 0 => counted,
                        _ => Measure::of(text),
                    };
                    // Lines between <br>s are blocks too: before the first paragraph, a short
                    // unpunctuated one is furniture, as a short block is.
                    // The title, a date or a byline standing as loose text near the top goes
                    // the way the same line in its own block would.
                    if self.near_top() && self.caption_depth == 0 {
                        let beside_br = [node.prev_sibling(), node.next_sibling()]
                            .into_iter()
                            .flatten()
                            .any(|s| tag(&s) == Some("br"));
                        if m.chars > 0 && m.chars <= 80 {
                            let line = collapse_whitespace(text);
                            if (beside_br && m.chars <= 25 && m.punct == 0)
                                || self.is_title(&line)
                                || HEADER_LINE.is_match(&line)
                            {
                                continue;
                            }
                        }
                    }
                    push_escaped(&mut self.html, text);
                    if self.caption_depth == 0 {
                        self.line_measure.add(m);
                        if self.preformatted == 0 {
                            push_flowing(&mut self.text, text);
                        } else {
                            self.text.push_str(text);
                        }
                    }
                    self.written_weight += m.weight();
                    continue;
                }
                Node::Element(_) => {}
                _ => continue,
            }
            let name = tag(&node).unwrap_or("");
            let is_block = is_block(name);
            match self.action(node, name) {
                Action::Skip => {}
                Action::Unwrap => {
                    stack.push(Step::Close("", is_block, false));
                    if is_block {
                        self.end_line();
                    }
                    stack.extend(node.children().rev().map(Step::Open));
                }
                Action::Paragraph => {
                    self.end_line();
                    self.open_tag("p");
                    stack.push(Step::Close("p", true, false));
                    stack.extend(node.children().rev().map(Step::Open));
                }
                Action::Caption(block) => {
                    if block {
                        self.end_line();
                        self.open_tag("p");
                    }
                    self.caption_depth += 1;
                    stack.push(Step::Close(if block { "p" } else { "" }, block, true));
                    stack.extend(node.children().rev().map(Step::Open));
                }
                Action::PictureCaption => {
                    let text = self.dom.text_of(node);
                    if let Some(picture) = self.images.last_mut()
                        && picture.caption.is_empty()
                    {
                        picture.caption = text.trim().to_owned();
                    }
                    self.end_line();
                    self.open_tag("p");
                    self.caption_depth += 1;
                    stack.push(Step::Close("p", true, true));
                    stack.extend(node.children().rev().map(Step::Open));
                }
                Action::As("img") => self.image(node),
                Action::As("a") => {
                    let href = attr(&node, "href").and_then(|h| self.resolve(h));
                    match href {
                        Some(href) => {
                            self.html.push_str("<a href=\"");
                            push_escaped(&mut self.html, &href);
                            self.html.push_str("\">");
                            self.depth += 1;
                            stack.push(Step::Close("a", false, false));
                        }
                        None => stack.push(Step::Close("", false, false)),
                    }
                    stack.extend(node.children().rev().map(Step::Open));
                }
                Action::As(kept) => {
                    if matches!(kept, "br" | "hr") {
                        self.html.push('<');
                        self.html.push_str(kept);
                        self.html.push('>');
                        self.end_line();
                        continue;
                    }
                    let block = is_block || matches!(kept, "h2" | "figcaption" | "caption");
                    if block {
                        self.end_line();
                    }
                    self.open_tag(kept);
                    if kept == "figcaption" {
                        self.caption_depth += 1;
                    }
                    stack.push(Step::Close(kept, block, kept == "figcaption"));
                    stack.extend(node.children().rev().map(Step::Open));
                }
            }
        }
    }

    fn image(&mut self, node: NodeHandle<'_>) {
        let candidates = [
            "data-src",
            "data-original",
            "data-actualsrc",
            "data-lazy-src",
            "data-url",
            "src",
        ];
        let Some(src) = candidates
            .iter()
            .filter_map(|a| attr(&node, a))
            .map(str::trim)
            .find(|s| !s.is_empty() && !s.starts_with("data:") && !s.contains("blank.gif"))
            .and_then(|s| self.resolve(s))
        else {
            return;
        };
        // A QR code to follow the account is an invitation, not a picture of the story.
        let names = format!(
            "{} {} {}",
            src,
            attr(&node, "alt").unwrap_or(""),
            attr(&node, "class").unwrap_or("")
        )
        .to_lowercase();
        if names.contains("qrcode")
            || names.contains("qr_code")
            || names.contains("二维码")
            || names.contains("erweima")
        {
            return;
        }
        let tiny = |a: &str| {
            attr(&node, a)
                .and_then(|v| v.trim_end_matches("px").parse::<u32>().ok())
                .is_some_and(|v| v <= 2)
        };
        if tiny("width") || tiny("height") {
            return;
        }
        let alt = collapse_whitespace(attr(&node, "alt").unwrap_or(""));
        let caption = node
            .ancestors()
            .take(8)
            .find(|a| tag(a) == Some("figure"))
            .and_then(|figure| figure.children().find(|d| tag(d) == Some("figcaption")))
            .map(|c| self.dom.text_of(c))
            .unwrap_or_default();
        self.html.push_str("<img src=\"");
        push_escaped(&mut self.html, &src);
        self.html.push_str("\" alt=\"");
        push_escaped(&mut self.html, &alt);
        self.html.push_str("\">");
        self.images.push(Image { src, alt, caption });
    }

    /// Whether the element before `node` (white space aside) is a picture alone: an `<img>`,
    /// or a block holding one and no text.
    fn follows_a_picture(&self, node: NodeHandle<'_>) -> bool {
        let mut previous = node.prev_sibling();
        while let Some(p) = previous {
            match p.value() {
                Node::Text(t) if t.trim().is_empty() => previous = p.prev_sibling(),
                Node::Comment => previous = p.prev_sibling(),
                _ => break,
            }
        }
        let Some(previous) = previous else {
            return false;
        };
        match tag(&previous) {
            Some("img") => true,
            Some(_) => {
                self.dom.stats(previous.id()).text.chars == 0
                    && previous
                        .descendants()
                        .take(16)
                        .any(|d| tag(&d) == Some("img"))
            }
            None => false,
        }
    }

    fn resolve(&self, href: &str) -> Option<String> {
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let url = match self.base {
            Some(base) => base.join(href).ok()?,
            None => Url::parse(href).ok()?,
        };
        matches!(url.scheme(), "http" | "https").then(|| url.to_string())
    }
}

fn push_escaped(out: &mut String, text: &str) {
    let mut done = 0;
    for (i, b) in text.bytes().enumerate() {
        let escaped = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[done..i]);
        out.push_str(escaped);
        done = i + 1;
    }
    out.push_str(&text[done..]);
}

/// Ids of elements a page marks as the article body, for pages whose structure is known.
pub fn known_root(dom: &Dom, ids: &[&str]) -> Option<NodeId> {
    let wanted: HashSet<&str> = ids.iter().copied().collect();
    dom.root()
        .descendants()
        .find(|n| attr(n, "id").is_some_and(|id| wanted.contains(id)))
        .map(|n| n.id())
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    LazyLock::force(&STOP_HEADING);
    LazyLock::force(&REPLIES);
    LazyLock::force(&BOILERPLATE);
    LazyLock::force(&HEADER_LINE);
    LazyLock::force(&LEAD);
    LazyLock::force(&CAPTION);
    LazyLock::force(&CAPTION_LINE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_ending_inside_a_line_is_found_in_either_script() {
        for (line, one) in [
            ("分享到朋友圈", true),
            ("分享到朋友圈。", true),
            ("他就能分享到一份光荣。事过境迁", false),
            ("真的吗？是的", false),
            ("好！走", false),
            ("Subscribe to our newsletter.", true),
            ("Subscribe now. It is free", false),
            ("Really? Yes", false),
            ("3.5 million", true),
            ("", true),
            ("。", true),
        ] {
            assert_eq!(at_most_one_sentence(line), one, "{line:?}");
        }
    }
}
