//! Main-content extraction benchmarks.
//!
//! Two layouts are read:
//! - `ground-truth.json` (`{id: {articleBody, url?, author?, date?}}`) beside `html/<id>.html.gz`:
//!   scrapinghub's article-extraction-benchmark and the Chinese web content extraction set.
//!   Metric: word 4-gram shingles of `\w+` tokens with multiplicity; per page tp/fp/fn
//!   normalised to sum to 1; precision and recall are means over pages; F1 of the means.
//! - `evaldata.json` (`{key: {file, with, without}}`) beside `html.tar.xz`: trafilatura's
//!   evaluation. Metric: whitespace-normalised segments; a "with" segment found is a true
//!   positive (else a false negative), a "without" segment found a false positive; summed over
//!   all pages.

use crate::Error;
use regex::Regex;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// One page and what a perfect extractor returns for it.
pub struct Case {
    pub id: String,
    pub url: Option<String>,
    pub html: Vec<u8>,
    pub expected: Expected,
}

pub enum Expected {
    Body {
        text: String,
        /// `None` where the dataset has no author field; `Some("")` where the page has none.
        author: Option<String>,
        date: Option<String>,
    },
    Segments {
        with: Vec<String>,
        without: Vec<String>,
    },
}

#[derive(Deserialize)]
struct GroundTruth {
    #[serde(rename = "articleBody")]
    article_body: String,
    url: Option<String>,
    author: Option<String>,
    date: Option<String>,
}

#[derive(Deserialize)]
struct Segments {
    file: String,
    #[serde(default)]
    with: Vec<String>,
    #[serde(default)]
    without: Vec<String>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

fn bad(path: &Path, message: impl Into<String>) -> Error {
    Error::Dataset {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// Reads a dataset directory in either layout, cases sorted by id.
pub fn load(dir: &Path) -> Result<Vec<Case>, Error> {
    let ground_truth = dir.join("ground-truth.json");
    let segments = dir.join("evaldata.json");
    let mut cases = if ground_truth.exists() {
        load_ground_truth(dir, &ground_truth)?
    } else if segments.exists() {
        load_segments(dir, &segments)?
    } else {
        return Err(bad(
            dir,
            "neither ground-truth.json (with html/) nor evaldata.json (with html.tar.xz) is here",
        ));
    };
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(cases)
}

fn load_ground_truth(dir: &Path, path: &Path) -> Result<Vec<Case>, Error> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let truth: HashMap<String, GroundTruth> =
        serde_json::from_str(&text).map_err(|e| bad(path, e.to_string()))?;
    let mut cases = Vec::with_capacity(truth.len());
    for (id, t) in truth {
        let file = dir.join("html").join(format!("{id}.html.gz"));
        let mut html = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&file).map_err(io(&file))?)
            .read_to_end(&mut html)
            .map_err(io(&file))?;
        let known = |v: Option<String>| v.map(|s| if s == "UNKNOWN" { String::new() } else { s });
        cases.push(Case {
            id,
            url: t.url,
            html,
            expected: Expected::Body {
                text: t.article_body,
                author: known(t.author),
                date: known(t.date),
            },
        });
    }
    Ok(cases)
}

fn load_segments(dir: &Path, path: &Path) -> Result<Vec<Case>, Error> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let items: HashMap<String, Segments> =
        serde_json::from_str(&text).map_err(|e| bad(path, e.to_string()))?;
    let archive = dir.join("html.tar.xz");
    let mut compressed =
        std::io::BufReader::new(std::fs::File::open(&archive).map_err(io(&archive))?);
    let mut tar_bytes = Vec::new();
    lzma_rs::xz_decompress(&mut compressed, &mut tar_bytes)
        .map_err(|e| bad(&archive, e.to_string()))?;
    let mut files: HashMap<String, Vec<u8>> = HashMap::new();
    let mut reader = tar::Archive::new(tar_bytes.as_slice());
    for entry in reader.entries().map_err(io(&archive))? {
        let mut entry = entry.map_err(io(&archive))?;
        let name = entry.path().map_err(io(&archive))?.display().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(io(&archive))?;
        files.insert(name, bytes);
    }
    let mut cases = Vec::with_capacity(items.len());
    for (key, item) in items {
        // Upstream looks in cache/ first, then eval/.
        let Some(html) = files
            .remove(&format!("cache/{}", item.file))
            .or_else(|| files.remove(&format!("eval/{}", item.file)))
        else {
            return Err(bad(
                &archive,
                format!("{} is not in the archive", item.file),
            ));
        };
        cases.push(Case {
            id: key,
            url: None,
            html,
            expected: Expected::Segments {
                with: item.with,
                without: item.without,
            },
        });
    }
    Ok(cases)
}

static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\w+").expect("valid regex"));

fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
    let tokens: Vec<&str> = WORD.find_iter(text).map(|m| m.as_str()).collect();
    let mut counts = HashMap::new();
    if tokens.is_empty() {
        return counts;
    }
    let n = 4.min(tokens.len());
    for window in tokens.windows(n) {
        *counts.entry(window.to_vec()).or_insert(0) += 1;
    }
    counts
}

/// Precision and recall of one page by 4-gram shingles.
pub fn shingle_precision_recall(expected: &str, got: &str) -> (f64, f64) {
    let want = shingles(expected);
    let have = shingles(got);
    let mut tp = 0usize;
    let mut fp = 0usize;
    for (shingle, count) in &have {
        let w = want.get(shingle).copied().unwrap_or(0);
        tp += (*count).min(w);
        fp += count.saturating_sub(w);
    }
    let fn_: usize = want
        .iter()
        .map(|(shingle, count)| count.saturating_sub(have.get(shingle).copied().unwrap_or(0)))
        .sum();
    if fp == 0 && fn_ == 0 {
        return (1.0, 1.0);
    }
    let precision = if tp + fp > 0 {
        tp as f64 / (tp + fp) as f64
    } else {
        0.0
    };
    let recall = if tp + fn_ > 0 {
        tp as f64 / (tp + fn_) as f64
    } else {
        0.0
    };
    (precision, recall)
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Compares a dataset date (`2005-5-7 21:23:57`, `2018`, `2022-02-06 13:48`) with ours, on the
/// fields the dataset gives.
pub fn same_date(expected: &str, got: Option<&str>) -> bool {
    let want: Vec<u32> = expected
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    let Some(got) = got else {
        return want.is_empty();
    };
    let have: Vec<u32> = got
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    !want.is_empty() && have.len() >= want.len() && want.iter().zip(&have).all(|(a, b)| a == b)
}

/// The names in an author field: the set divides them by spaces, and a few of its labels by
/// 、 as Chinese lists names.
fn names(field: &str) -> impl Iterator<Item = &str> {
    field
        .split(|c: char| c.is_whitespace() || c == '、')
        .filter(|n| !n.is_empty())
}

/// Figures for one run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub pages: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Share of pages whose author matches, where the dataset has authors: the writers the
    /// extractor found.
    pub author_accuracy: Option<f64>,
    /// The same with the editors standing in where no writer was found: the Chinese set names
    /// a page's 责任编辑 as its author when the page names no writer.
    pub author_or_editor_accuracy: Option<f64>,
    pub date_accuracy: Option<f64>,
    /// A pass over the set: the median of at least [`TIMED_PASSES`] passes and
    /// [`TIMED_SECONDS`] (after one untimed page).
    pub elapsed: Duration,
    /// The first of them, shown beside: an extractor that builds as it goes (regex automata,
    /// the allocator's free lists) is slower there.
    pub first_pass: Duration,
    /// How many passes were timed.
    pub passes: usize,
    /// Each page's id and F1, in the dataset's order, for whoever improves the extractor.
    pub per_page: Vec<(String, f64)>,
    /// The author and date answers that did not match, in the dataset's order.
    pub misses: Vec<Miss>,
}

/// An author or date the extractor got wrong on one page.
#[derive(Debug, Clone)]
pub struct Miss {
    pub id: String,
    /// `author` or `date`.
    pub field: &'static str,
    pub expected: String,
    pub got: String,
}

impl Report {
    pub fn pages_per_second(&self) -> f64 {
        self.pages as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn first_pass_pages_per_second(&self) -> f64 {
        self.pages as f64 / self.first_pass.as_secs_f64().max(1e-9)
    }

    /// The `n` pages scored lowest, lowest first.
    pub fn worst(&self, n: usize) -> Vec<(String, f64)> {
        let mut pages = self.per_page.clone();
        pages.sort_by(|a, b| a.1.total_cmp(&b.1));
        pages.truncate(n);
        pages
    }
}

/// What an extractor under test returns for a page.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub text: String,
    pub authors: Vec<String>,
    /// The editors it names apart from the authors (empty for extractors that do not).
    pub editors: Vec<String>,
    /// `YYYY-MM-DD HH:MM:SS`.
    pub date: Option<String>,
}

/// What an extractor under test is given of a case: the page and its address, never the
/// expected answers, so that peeking at them is impossible by construction.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    pub html: &'a [u8],
    pub url: Option<&'a str>,
}

impl Case {
    pub fn page(&self) -> Page<'_> {
        Page {
            html: &self.html,
            url: self.url.as_deref(),
        }
    }
}

/// xinwen's extractor, as the benchmarks see it.
pub fn xinwen(page: Page<'_>) -> Extracted {
    let article = xinwen_extract::extract(page.html, page.url, None);
    Extracted {
        text: article.text,
        authors: article.authors,
        editors: article.editors,
        date: article
            .published_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()),
    }
}

/// Runs xinwen's extractor over every case, on this thread, and scores it.
pub fn evaluate(cases: &[Case]) -> Report {
    xinwen_extract::warm_up();
    evaluate_with(cases, xinwen)
}

/// How many times the set is timed at least, and for how long at least. One pass over a small
/// set lasts tens of milliseconds, and a busy moment on the machine moves it by a fifth; the
/// median of passes spread over seconds does not move, and the time spread over is the same
/// for a fast tool as for a slow one.
pub const TIMED_PASSES: usize = 5;
pub const TIMED_SECONDS: f64 = 3.0;
/// However fast a tool is, the passes stop here.
const MAX_PASSES: usize = 500;

/// Runs `extractor` over every case, on this thread, and scores it; the time is the
/// extractor's alone, the median pass over the set (see [`TIMED_PASSES`]).
///
/// Every tool in `bench/extract.sh` is measured the same way (the Python peers in
/// `bench/extract_peers.py` too, which empty trafilatura's caches before each pass: a cache
/// keyed by input would answer a repeated page from memory, as no stream of new pages lets
/// it).
pub fn evaluate_with(cases: &[Case], extractor: impl Fn(Page<'_>) -> Extracted) -> Report {
    // One page first, untimed: one-time set-up (compiling patterns, loading tables) is not
    // the cost of a page.
    if let Some(first) = cases.first() {
        let _ = extractor(first.page());
    }
    let started = Instant::now();
    let articles: Vec<Extracted> = cases.iter().map(|case| extractor(case.page())).collect();
    let first_pass = started.elapsed();
    let mut passes = vec![first_pass];
    let mut timed = first_pass;
    while passes.len() < MAX_PASSES
        && (passes.len() < TIMED_PASSES || timed.as_secs_f64() < TIMED_SECONDS)
    {
        let started = Instant::now();
        for case in cases {
            let _ = extractor(case.page());
        }
        let pass = started.elapsed();
        timed += pass;
        passes.push(pass);
    }
    passes.sort();
    let mut report = Report {
        pages: cases.len(),
        elapsed: passes[passes.len() / 2],
        first_pass,
        passes: passes.len(),
        ..Report::default()
    };
    let (mut p_sum, mut r_sum) = (0.0, 0.0);
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let (mut authors, mut authors_right, mut dates, mut dates_right) = (0, 0, 0, 0);
    let mut credits_right = 0;
    let mut per_page = Vec::new();
    let mut segment_layout = false;
    for (case, article) in cases.iter().zip(&articles) {
        match &case.expected {
            Expected::Body { text, author, date } => {
                let (p, r) = shingle_precision_recall(text, &article.text);
                p_sum += p;
                r_sum += r;
                let f = if p + r > 0.0 {
                    2.0 * p * r / (p + r)
                } else {
                    0.0
                };
                per_page.push((case.id.clone(), f));
                if let Some(author) = author {
                    authors += 1;
                    let want: Vec<&str> = names(author).collect();
                    let have: Vec<&str> = article.authors.iter().flat_map(|a| names(a)).collect();
                    if want == have {
                        authors_right += 1;
                    } else {
                        report.misses.push(Miss {
                            id: case.id.clone(),
                            field: "author",
                            expected: author.clone(),
                            got: have.join(" "),
                        });
                    }
                    let credited: Vec<&str> = match have.is_empty() {
                        true => article.editors.iter().flat_map(|a| names(a)).collect(),
                        false => have,
                    };
                    if want == credited {
                        credits_right += 1;
                    }
                }
                if let Some(date) = date {
                    dates += 1;
                    if same_date(date, article.date.as_deref()) {
                        dates_right += 1;
                    } else {
                        report.misses.push(Miss {
                            id: case.id.clone(),
                            field: "date",
                            expected: date.clone(),
                            got: article.date.clone().unwrap_or_default(),
                        });
                    }
                }
            }
            Expected::Segments { with, without } => {
                segment_layout = true;
                let got = normalise(&article.text);
                let (mut page_tp, mut page_fp, mut page_fn) = (0, 0, 0);
                for segment in with {
                    if got.contains(&normalise(segment)) {
                        page_tp += 1;
                    } else {
                        page_fn += 1;
                    }
                }
                for segment in without {
                    if got.contains(&normalise(segment)) {
                        page_fp += 1;
                    }
                }
                tp += page_tp;
                fp += page_fp;
                fn_ += page_fn;
                let total = (page_tp + page_fp + page_fn).max(1);
                per_page.push((case.id.clone(), page_tp as f64 / total as f64));
            }
        }
    }
    if segment_layout {
        report.precision = tp as f64 / (tp + fp).max(1) as f64;
        report.recall = tp as f64 / (tp + fn_).max(1) as f64;
    } else if !cases.is_empty() {
        report.precision = p_sum / cases.len() as f64;
        report.recall = r_sum / cases.len() as f64;
    }
    let (p, r) = (report.precision, report.recall);
    report.f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    report.author_accuracy = (authors > 0).then(|| authors_right as f64 / authors as f64);
    report.author_or_editor_accuracy = (authors > 0).then(|| credits_right as f64 / authors as f64);
    report.date_accuracy = (dates > 0).then(|| dates_right as f64 / dates as f64);
    report.per_page = per_page;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingles_score_as_the_benchmark_does() {
        assert_eq!(
            shingle_precision_recall("a b c d e", "a b c d e"),
            (1.0, 1.0)
        );
        let (p, r) = shingle_precision_recall("a b c d e", "a b c d");
        assert_eq!((p, r), (1.0, 0.5));
        assert_eq!(shingle_precision_recall("a b c d", ""), (0.0, 0.0));
        assert_eq!(shingle_precision_recall("", ""), (1.0, 1.0));
        // A run of Chinese between punctuation is one token.
        let (p, _) = shingle_precision_recall("一，二，三，四，五", "一，二，三，四，六");
        assert_eq!(p, 0.5);
    }

    fn case(id: &str, html: &str, expected: Expected) -> Case {
        Case {
            id: id.into(),
            url: None,
            html: html.as_bytes().to_vec(),
            expected,
        }
    }

    fn body(text: &str, author: Option<&str>, date: Option<&str>) -> Expected {
        Expected::Body {
            text: text.into(),
            author: author.map(str::to_owned),
            date: date.map(str::to_owned),
        }
    }

    /// The "extractor" answers what the page says, one field a line: the figures below are
    /// worked out by hand from these answers.
    fn answers(page: Page<'_>) -> Extracted {
        let text = String::from_utf8_lossy(page.html);
        let mut lines = text.lines();
        Extracted {
            text: lines.next().unwrap_or_default().to_owned(),
            authors: lines
                .next()
                .filter(|a| !a.is_empty())
                .map(|a| vec![a.to_owned()])
                .unwrap_or_default(),
            editors: Vec::new(),
            date: lines.next().filter(|d| !d.is_empty()).map(str::to_owned),
        }
    }

    #[test]
    fn body_scores_are_means_over_pages_worked_out_by_hand() {
        let cases = [
            // Shingles abcd, bcde; one found, none extra: P 1, R 1/2.
            case(
                "1",
                "a b c d\n齐倩\n2026-11-07 09:20:00",
                body("a b c d e", Some("齐倩"), Some("2026-11-07 09:20")),
            ),
            // Nothing in common: P 0, R 0.
            case(
                "2",
                "w x y z\n网易\n",
                body("p q r s", Some("王一"), Some("2026")),
            ),
            // Whole, plus one extra shingle: 2 of 3 right, all found: P 2/3, R 1.
            case("3", "k l m n o p\n\n", body("k l m n o", Some(""), None)),
        ];
        let report = evaluate_with(&cases, answers);
        let precision = (1.0 + 0.0 + 2.0 / 3.0) / 3.0;
        let recall = (0.5 + 0.0 + 1.0) / 3.0;
        assert!((report.precision - precision).abs() < 1e-12, "{report:?}");
        assert!((report.recall - recall).abs() < 1e-12, "{report:?}");
        let f1 = 2.0 * precision * recall / (precision + recall);
        assert!((report.f1 - f1).abs() < 1e-12, "{report:?}");
        // Authors: right, wrong, right (none where none is expected); dates: right, wrong.
        assert_eq!(report.author_accuracy, Some(2.0 / 3.0));
        assert_eq!(report.date_accuracy, Some(0.5));
        assert_eq!(report.pages, 3);
        assert_eq!(report.per_page[1], ("2".to_owned(), 0.0));
    }

    #[test]
    fn segment_scores_are_sums_over_pages_worked_out_by_hand() {
        let segments = |with: &[&str], without: &[&str]| Expected::Segments {
            with: with.iter().map(|s| s.to_string()).collect(),
            without: without.iter().map(|s| s.to_string()).collect(),
        };
        let cases = [
            // 2 found, 1 missed, 1 unwanted.
            case(
                "1",
                "first  part. second part. menu",
                segments(&["first part.", "second\npart.", "third part."], &["menu"]),
            ),
            // 1 found, nothing unwanted.
            case("2", "only this", segments(&["only this"], &["footer"])),
        ];
        let report = evaluate_with(&cases, answers);
        // TP 3, FP 1, FN 1, summed over the pages before dividing.
        assert!((report.precision - 0.75).abs() < 1e-12, "{report:?}");
        assert!((report.recall - 0.75).abs() < 1e-12, "{report:?}");
        assert!((report.f1 - 0.75).abs() < 1e-12, "{report:?}");
        assert_eq!(report.per_page[0], ("1".to_owned(), 0.5));
    }

    #[test]
    fn author_fields_list_names_by_spaces_or_enumeration_commas() {
        assert_eq!(
            names(" 赵一、钱二 孙三 ").collect::<Vec<_>>(),
            ["赵一", "钱二", "孙三"]
        );
    }

    #[test]
    fn dates_compare_on_the_fields_given() {
        assert!(same_date("2005-5-7 21:23:57", Some("2005-05-07 21:23:57")));
        assert!(same_date("2018", Some("2018-03-01 00:00:00")));
        assert!(!same_date("2018-03-02", Some("2018-03-01 00:00:00")));
        assert!(same_date("", None));
        assert!(!same_date("2018", None));
    }
}
