//! Access to the public evaluation data in ../shared/data, which never enters the repository,
//! and to the attack vectors we wrote ourselves.

#![allow(dead_code)] // each test binary uses part of this

use std::path::PathBuf;

/// The attack vectors of `fixtures/xss-vectors.txt`, named by their line.
pub fn xss_vectors() -> Vec<(String, String)> {
    include_str!("../fixtures/xss-vectors.txt")
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .map(|(i, line)| (format!("xss-vectors.txt:{}", i + 1), line.to_owned()))
        .collect()
}

pub fn gunzip(path: &std::path::Path) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Every `.html.gz` below `dir`, sorted.
pub fn pages(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(".html.gz") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Whether sanitized HTML holds anything a browser could execute: script-bearing elements,
/// event-handler attributes, script URLs, CSS that runs code. Parsed as a browser would.
pub fn executable_content(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_fragment(html);
    let mut found = Vec::new();
    for node in doc.tree.nodes() {
        let scraper::Node::Element(e) = node.value() else {
            continue;
        };
        let name = e.name();
        if matches!(
            name,
            "script"
                | "iframe"
                | "frame"
                | "frameset"
                | "object"
                | "embed"
                | "applet"
                | "base"
                | "meta"
                | "form"
                | "style"
                | "link"
                | "svg"
                | "math"
                | "template"
                | "noscript"
                | "button"
                | "input"
                | "textarea"
                | "select"
                | "isindex"
                | "xml"
                | "import"
        ) {
            found.push(format!("<{name}>"));
        }
        for (attr, value) in e.attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr.starts_with("on") || attr == "style" || attr == "formaction" || attr == "srcdoc"
            {
                found.push(format!("{name}[{attr}]"));
            }
            let url_attribute = matches!(
                attr.as_str(),
                "href"
                    | "src"
                    | "action"
                    | "formaction"
                    | "xlink:href"
                    | "data"
                    | "background"
                    | "poster"
                    | "cite"
                    | "srcset"
                    | "lowsrc"
                    | "dynsrc"
                    | "codebase"
            );
            if !url_attribute {
                continue;
            }
            let v: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if v.starts_with("javascript:")
                || v.starts_with("vbscript:")
                || v.starts_with("data:text/html")
                || v.starts_with("livescript:")
                || v.contains("expression(")
            {
                found.push(format!("{name}[{attr}={value}]"));
            }
        }
    }
    found
}
