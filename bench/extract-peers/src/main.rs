//! Prints one table row per extractor (xinwen, rs-trafilatura) for a dataset directory:
//! `tool f1 precision recall pages_per_s first_pass`, the same figures `xinwen eval extract`
//! prints (pages per second: the median of several passes over the set, and the first pass).

use xinwen_eval::extraction::{Extracted, Page, Report, evaluate_with, load, xinwen};

fn rs_trafilatura(page: Page<'_>) -> Extracted {
    let (html, _) = xinwen_extract::charset::decode_html(page.html, None);
    match rs_trafilatura::extract(&html) {
        Ok(result) => Extracted {
            text: result.content_text,
            authors: result.metadata.author.into_iter().collect(),
            date: None,
        },
        Err(_) => Extracted::default(),
    }
}

fn row(tool: &str, report: &Report) {
    println!(
        "{tool:<16} {:>6.3} {:>9.3} {:>6.3} {:>11.1} {:>12.1}",
        report.f1,
        report.precision,
        report.recall,
        report.pages_per_second(),
        report.first_pass_pages_per_second()
    );
}

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: xinwen-extract-peers DATASET_DIR");
        std::process::exit(2);
    };
    let cases = match load(std::path::Path::new(&dir)) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    // One-time set-up (compiling patterns) is not the cost of a page; the Python peers
    // compile theirs when imported.
    xinwen_extract::warm_up();
    row("xinwen", &evaluate_with(&cases, xinwen));
    row("rs-trafilatura", &evaluate_with(&cases, rs_trafilatura));
}
