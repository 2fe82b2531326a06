//! Link finding on labelled list pages: which of a list page's links are its articles.
//!
//! The pages are GNE's Chinese list pages in ../shared/data (a portal's front pages, a
//! Tieba board, a Discuz forum); the labels are ours, written by hand into
//! `crates/extract/tests/fixtures/list-labels/` (each file names its page, the address it
//! was served at, and what was counted as an article). Scores are over links: precision is
//! the share of links taken that are labelled articles, recall the share of labelled
//! articles taken.

use crate::Error;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use url::Url;

/// The labels, by page: (the page's path under the dataset, the file's text).
const LABELS: &[(&str, &str)] = &[
    (
        "test_list_page/163/1.html.gz",
        include_str!("../../extract/tests/fixtures/list-labels/163-1.txt"),
    ),
    (
        "test_list_page/163/2.html.gz",
        include_str!("../../extract/tests/fixtures/list-labels/163-2.txt"),
    ),
    (
        "test_list_page/tieba/1.html.gz",
        include_str!("../../extract/tests/fixtures/list-labels/tieba-1.txt"),
    ),
    (
        "test_list_page/netease_forum/1.html.gz",
        include_str!("../../extract/tests/fixtures/list-labels/netease_forum-1.txt"),
    ),
];

/// One page's figures.
#[derive(Debug, Clone)]
pub struct PageScore {
    pub page: String,
    pub labelled: usize,
    pub taken: usize,
    pub correct: usize,
    /// Links taken that are not labelled articles, and labelled articles missed.
    pub wrong: Vec<String>,
    pub missed: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct LinkReport {
    pub pages: Vec<PageScore>,
}

impl LinkReport {
    pub fn labelled(&self) -> usize {
        self.pages.iter().map(|p| p.labelled).sum()
    }
    pub fn precision(&self) -> f64 {
        let taken: usize = self.pages.iter().map(|p| p.taken).sum();
        ratio(self.pages.iter().map(|p| p.correct).sum(), taken)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.pages.iter().map(|p| p.correct).sum(), self.labelled())
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// Runs the link finder over every labelled page of the GNE dataset in `dataset`.
pub fn evaluate(dataset: &Path) -> Result<LinkReport, Error> {
    let rules = xinwen_extract::links::LinkRules::default()
        .compile()
        .expect("no rules compile");
    let mut pages = Vec::new();
    for (page, labels) in LABELS {
        let path = dataset.join(page);
        let (page_url, labelled) = parse_labels(labels);
        let bytes = read_gz(&path)?;
        let (text, _) = xinwen_extract::charset::decode_html_from(&bytes, None, None);
        let found = xinwen_extract::links::article_links(&text, &page_url, &rules);
        let taken: BTreeSet<String> = found.links.into_iter().map(|l| l.url).collect();
        pages.push(PageScore {
            page: (*page).to_owned(),
            labelled: labelled.len(),
            taken: taken.len(),
            correct: taken.intersection(&labelled).count(),
            wrong: taken.difference(&labelled).cloned().collect(),
            missed: labelled.difference(&taken).cloned().collect(),
        });
    }
    Ok(LinkReport { pages })
}

fn parse_labels(text: &str) -> (Url, BTreeSet<String>) {
    let mut page_url = None;
    let mut links = BTreeSet::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(url) = line.strip_prefix("# page-url:") {
            page_url = Url::parse(url.trim()).ok();
        } else if !line.starts_with('#') {
            // As the finder writes them: parsed, so that escapes compare equal.
            links.insert(Url::parse(line).map_or_else(|_| line.to_owned(), |u| u.to_string()));
        }
    }
    (
        page_url.expect("every label file names its page's URL"),
        links,
    )
}

fn read_gz(path: &Path) -> Result<Vec<u8>, Error> {
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    Ok(bytes)
}
