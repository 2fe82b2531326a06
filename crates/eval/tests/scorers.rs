//! The Python scorer of the peers' benchmark (`bench/extract_score.py`) and ours give the same
//! figures on the same answers, or the side-by-side tables would compare unlike with unlike.
//!
//! Needs Python 3 (`XINWEN_PYTHON`, else `python3`); says so and passes without it, unless
//! XINWEN_REQUIRE_PYTHON=1 (the README's test command), where it fails.

use serde_json::json;
use std::process::Command;
use xinwen_eval::extraction::{Case, Expected, Extracted, Page, evaluate_with};

/// Pages as (expected, extracted) pairs: Latin and Chinese tokens, repeated shingles,
/// texts shorter than a shingle, empty answers, punctuation and digits.
const BODIES: &[(&str, &str)] = &[
    ("a b c d e", "a b c d"),
    ("one two three four five six", "one two three four five six"),
    ("x y", "x y z"),
    ("", "anything at all here"),
    (
        "完整的一句话，没有被截断。第二句话也在这里！",
        "完整的一句话，没有被截断。",
    ),
    ("甲，乙，丙，丁，戊，己", "甲，乙，丙，丁，戊，庚"),
    ("the the the the the", "the the the the"),
    (
        "2026年11月07日 09:20 台风“白鹭”逼近",
        "2026年11月07日 台风“白鹭”逼近 南屿岛",
    ),
    (
        "café naïve coöperate déjà vu",
        "café naïve coöperate deja vu",
    ),
    ("k l m n o", ""),
];

const SEGMENTS: &[(&[&str], &[&str], &str)] = &[
    (
        &["first part.", "second\npart.", "third part."],
        &["menu"],
        "first  part. second part. menu",
    ),
    (&["only this"], &["footer"], "only this"),
    (&["缺失的段落"], &[], "别的内容"),
];

fn python() -> Option<String> {
    let python = std::env::var("XINWEN_PYTHON").unwrap_or_else(|_| "python3".into());
    let works = Command::new(&python)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(python);
    }
    assert!(
        !xinwen_test_support::required("XINWEN_REQUIRE_PYTHON"),
        "XINWEN_REQUIRE_PYTHON=1 but {python} does not run"
    );
    eprintln!("SKIPPED: {python} does not run");
    None
}

/// `score` of bench/extract_score.py on `cases` (its own tuple layout) and `outputs`.
fn python_score(python: &str, cases: serde_json::Value, outputs: &[&str]) -> (f64, f64, f64) {
    let bench = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench");
    let program = "import json, sys\n\
        sys.path.insert(0, sys.argv[1])\n\
        from extract_score import score\n\
        data = json.load(sys.stdin)\n\
        cases = [(c[0], b'', tuple(c[1])) for c in data['cases']]\n\
        print(json.dumps(score(cases, data['outputs'])))\n";
    let mut child = Command::new(python)
        .args(["-c", program, bench])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let input = json!({"cases": cases, "outputs": outputs}).to_string();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the Python scorer failed");
    let (f1, p, r): (f64, f64, f64) = serde_json::from_slice(&out.stdout).unwrap();
    (f1, p, r)
}

/// A case whose "page" holds the extracted text itself (see [`rust_score`]).
fn body_case(i: usize, expected: &str, got: &str) -> Case {
    Case {
        id: i.to_string(),
        url: None,
        html: got.as_bytes().to_vec(),
        expected: Expected::Body {
            text: expected.into(),
            author: None,
            date: None,
        },
    }
}

fn rust_score(cases: Vec<Case>) -> (f64, f64, f64) {
    // The "extractor" answers the page's own bytes, which hold the extracted text.
    let report = evaluate_with(&cases, |page: Page<'_>| Extracted {
        text: String::from_utf8_lossy(page.html).into_owned(),
        ..Extracted::default()
    });
    (report.f1, report.precision, report.recall)
}

fn assert_close(rust: (f64, f64, f64), python: (f64, f64, f64), what: &str) {
    for (a, b) in [(rust.0, python.0), (rust.1, python.1), (rust.2, python.2)] {
        assert!(
            (a - b).abs() < 1e-9,
            "{what}: Rust {rust:?}, Python {python:?}"
        );
    }
}

#[test]
fn the_python_and_rust_scorers_agree() {
    let Some(python) = python() else { return };
    // Page by page, then all together.
    for (i, (expected, got)) in BODIES.iter().enumerate() {
        let rust = rust_score(vec![body_case(i, expected, got)]);
        let python = python_score(
            &python,
            json!([[i.to_string(), ["body", expected]]]),
            &[got],
        );
        assert_close(rust, python, &format!("{expected:?} / {got:?}"));
    }
    let cases: Vec<Case> = BODIES
        .iter()
        .enumerate()
        .map(|(i, (expected, got))| body_case(i, expected, got))
        .collect();
    let outputs: Vec<&str> = BODIES.iter().map(|(_, got)| *got).collect();
    let layout: Vec<_> = BODIES
        .iter()
        .enumerate()
        .map(|(i, (expected, _))| json!([i.to_string(), ["body", expected]]))
        .collect();
    assert_close(
        rust_score(cases),
        python_score(&python, json!(layout), &outputs),
        "all body pages",
    );

    let cases: Vec<Case> = SEGMENTS
        .iter()
        .enumerate()
        .map(|(i, (with, without, got))| Case {
            id: i.to_string(),
            url: None,
            html: got.as_bytes().to_vec(),
            expected: Expected::Segments {
                with: with.iter().map(|s| s.to_string()).collect(),
                without: without.iter().map(|s| s.to_string()).collect(),
            },
        })
        .collect();
    let outputs: Vec<&str> = SEGMENTS.iter().map(|(_, _, got)| *got).collect();
    let layout: Vec<_> = SEGMENTS
        .iter()
        .enumerate()
        .map(|(i, (with, without, _))| json!([i.to_string(), ["segments", with, without]]))
        .collect();
    let rust = rust_score(cases);
    // Worked out by hand: TP 3, FP 1, FN 2.
    assert!(
        (rust.1 - 0.75).abs() < 1e-12 && (rust.2 - 0.6).abs() < 1e-12,
        "{rust:?}"
    );
    assert_close(
        rust,
        python_score(&python, json!(layout), &outputs),
        "segments",
    );
}
