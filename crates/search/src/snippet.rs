//! Snippets: the part of an article's text where the query's words are, with them marked.

use xinwen_text::normalize;

/// Escaped HTML of about `width` characters of `text` around the first place where the most
/// query terms meet, each occurrence wrapped in `<mark>`. `terms` are in normal form; the
/// text is matched in normal form too, so a traditional article is found and marked for a
/// simplified query. The snippet shows the text as written when normalizing kept it
/// character for character (nearly always), and the normal form otherwise.
pub fn snippet(text: &str, terms: &[String], width: usize) -> String {
    let spaces = |c: char| if c.is_whitespace() { ' ' } else { c };
    let normalized: Vec<char> = normalize(text).chars().map(spaces).collect();
    let original: Vec<char> = text.chars().map(spaces).collect();
    let shown = if original.len() == normalized.len() {
        &original
    } else {
        &normalized
    };
    let terms: Vec<Vec<char>> = terms
        .iter()
        .map(|t| {
            t.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<Vec<char>>()
        })
        .filter(|t| !t.is_empty())
        .collect();
    let mut marks = vec![false; normalized.len()];
    let mut first_hits: Vec<usize> = Vec::new();
    for term in &terms {
        let mut i = 0;
        while i + term.len() <= normalized.len() {
            if normalized[i..i + term.len()] == term[..] {
                marks[i..i + term.len()].iter_mut().for_each(|m| *m = true);
                first_hits.push(i);
                i += term.len();
            } else {
                i += 1;
            }
        }
    }
    // The window holding the most marked characters, starting a little before a hit.
    let start = first_hits
        .iter()
        .map(|&hit| {
            let start = hit.saturating_sub(width / 5);
            let count = marks[start..(start + width).min(marks.len())]
                .iter()
                .filter(|m| **m)
                .count();
            (count, std::cmp::Reverse(start))
        })
        .max()
        .map_or(0, |(_, std::cmp::Reverse(start))| start);
    let mut end = (start + width).min(normalized.len());
    // Never cut a marked word in two.
    while end < normalized.len() && end > start && marks[end] && marks[end - 1] {
        end += 1;
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut open = false;
    for i in start..end {
        if marks[i] && !open {
            out.push_str("<mark>");
            open = true;
        } else if !marks[i] && open {
            out.push_str("</mark>");
            open = false;
        }
        match shown[i] {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    if end < normalized.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_marked_in_a_window_around_them() {
        let text = format!(
            "{}台风“白鹭”逼近南屿岛，渡轮停航。{}",
            "无关内容。".repeat(30),
            "后文。".repeat(30)
        );
        let out = snippet(&text, &["台风".into(), "渡轮".into()], 40);
        assert!(out.starts_with('…') && out.ends_with('…'), "{out}");
        assert!(
            out.contains("<mark>台风</mark>") && out.contains("<mark>渡轮</mark>"),
            "{out}"
        );
    }

    #[test]
    fn traditional_text_is_matched_and_html_escaped() {
        let out = snippet("颱風<script>過後", &["台风".into()], 40);
        assert_eq!(
            out, "<mark>颱風</mark>&lt;script&gt;過後",
            "shown as written"
        );
        assert_eq!(
            snippet("全角，标点", &["标点".into()], 40),
            "全角，<mark>标点</mark>"
        );
        assert_eq!(snippet("没有匹配", &["台风".into()], 2), "没有…");
    }
}
