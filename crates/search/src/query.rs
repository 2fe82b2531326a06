//! What a reader types in the search box, understood.
//!
//! ```text
//! 台风 渡轮               both words
//! "跨江大桥 通车"          the exact phrase (“”, 「」 too)
//! 台风 -演习              台风, but not 演习
//! source:xinghe-ribao   来源:xinghe-ribao     from one source
//! channel:keji          频道:keji             in one channel
//! after:2026-11-01 before:2026-11-15          published in that range (China time)
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use xinwen_text::{Analyzer, normalize};

/// A piece of the query that must (or must not) match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// A word, in normal form.
    Word(String),
    /// An exact sequence, in normal form.
    Phrase(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub must: Vec<Clause>,
    /// Words that help ranking without being required (single characters next to real words).
    pub should: Vec<Clause>,
    pub must_not: Vec<Clause>,
    pub source: Option<String>,
    pub channel: Option<String>,
    pub after: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
    /// Parts of the query that were not understood (a bad date), to tell the reader.
    pub ignored: Vec<String>,
}

impl ParsedQuery {
    /// Nothing to look for: no words and no filters.
    pub fn is_empty(&self) -> bool {
        self.must.is_empty()
            && self.should.is_empty()
            && self.source.is_none()
            && self.channel.is_none()
            && self.after.is_none()
            && self.before.is_none()
    }

    /// Every word and phrase the reader asked for, in normal form: what snippets highlight.
    pub fn highlight_terms(&self) -> Vec<String> {
        self.must
            .iter()
            .chain(&self.should)
            .map(|c| match c {
                Clause::Word(w) | Clause::Phrase(w) => w.clone(),
            })
            .filter(|w| !w.trim().is_empty())
            .collect()
    }
}

/// Splits on spaces, keeping quoted phrases together.
fn pieces(text: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut closing: Option<char> = None;
    for c in text.chars() {
        match closing {
            Some(close) if c == close => {
                out.push((true, std::mem::take(&mut current)));
                closing = None;
            }
            Some(_) => current.push(c),
            None => match c {
                '"' | '“' | '「' | '『' if current.is_empty() || current == "-" => {
                    if current == "-" {
                        out.push((false, "-".to_owned()));
                        current.clear();
                    }
                    closing = Some(match c {
                        '“' => '”',
                        '「' => '」',
                        '『' => '』',
                        _ => '"',
                    });
                }
                c if c.is_whitespace() => {
                    if !current.is_empty() {
                        out.push((false, std::mem::take(&mut current)));
                    }
                }
                c => current.push(c),
            },
        }
    }
    if !current.is_empty() {
        out.push((closing.is_some(), current));
    }
    out
}

fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y/%m/%d"))
        .ok()?;
    let local = date.and_hms_opt(0, 0, 0)?;
    Some(
        local
            .and_local_timezone(xinwen_model::china_offset())
            .single()?
            .with_timezone(&Utc),
    )
}

/// The words of one space-free piece of a query. A short piece (up to four characters: most
/// names, places and terms) is one word, looked for as written. A longer one is segmented,
/// and runs of single characters the dictionary could not place (a name it does not know)
/// are joined back into one word.
fn query_words(piece: &str, analyzer: &Analyzer) -> Vec<String> {
    let is_han = |w: &str| w.chars().all(xinwen_text::is_cjk);
    if piece.chars().count() <= 4 && is_han(piece) {
        return vec![piece.to_owned()];
    }
    let mut words: Vec<String> = Vec::new();
    let mut run = String::new();
    for word in analyzer.query_words(piece) {
        if word.chars().count() == 1 && is_han(&word) {
            run.push_str(&word);
            continue;
        }
        if !run.is_empty() {
            words.push(std::mem::take(&mut run));
        }
        words.push(word);
    }
    if !run.is_empty() {
        words.push(run);
    }
    words
}

/// Reads a query. Words are segmented as the index was, so that 长江大桥 finds the text
/// 南京长江大桥 and 经济发展 both words.
pub fn parse(text: &str, analyzer: &Analyzer) -> ParsedQuery {
    let mut query = ParsedQuery::default();
    let mut exclude_next = false;
    for (quoted, piece) in pieces(text) {
        if !quoted && piece == "-" {
            exclude_next = true;
            continue;
        }
        let (negated, body) = if exclude_next {
            exclude_next = false;
            (true, piece.as_str())
        } else if !quoted
            && (piece.starts_with('-') || piece.starts_with('－'))
            && piece.chars().count() > 1
        {
            (true, piece.trim_start_matches(['-', '－']))
        } else {
            (false, piece.as_str())
        };
        if quoted {
            let phrase = normalize(body).trim().to_owned();
            if !phrase.is_empty() {
                let clause = Clause::Phrase(phrase);
                if negated {
                    query.must_not.push(clause)
                } else {
                    query.must.push(clause)
                }
            }
            continue;
        }
        if let Some((key, value)) = body.split_once([':', '：']) {
            let value = value.trim();
            let handled = match key.to_ascii_lowercase().as_str() {
                "source" | "来源" if !value.is_empty() => {
                    query.source = Some(value.to_owned());
                    true
                }
                "channel" | "频道" | "頻道" if !value.is_empty() => {
                    query.channel = Some(value.to_owned());
                    true
                }
                "after" | "since" | "从" => {
                    match parse_date(value) {
                        Some(date) => query.after = Some(date),
                        None => query.ignored.push(body.to_owned()),
                    }
                    true
                }
                "before" | "until" | "到" => {
                    match parse_date(value) {
                        Some(date) => query.before = Some(date + chrono::Duration::days(1)),
                        None => query.ignored.push(body.to_owned()),
                    }
                    true
                }
                _ => false,
            };
            if handled {
                continue;
            }
        }
        let normalized = normalize(body);
        for word in query_words(&normalized, analyzer) {
            let clause = Clause::Word(word.clone());
            if negated {
                query.must_not.push(clause);
            } else {
                query.must.push(clause);
            }
        }
        // A lone character beside real words is usually a particle or a suffix the index
        // may have joined to its neighbour: it helps ranking, not matching.
        let substantial = query
            .must
            .iter()
            .filter(|c| matches!(c, Clause::Word(w) if w.chars().count() >= 2))
            .count();
        if substantial > 0 {
            let (single, rest): (Vec<Clause>, Vec<Clause>) = std::mem::take(&mut query.must)
                .into_iter()
                .partition(|c| matches!(c, Clause::Word(w) if w.chars().count() == 1 && w.chars().all(xinwen_text::is_cjk)));
            query.must = rest;
            query.should.extend(single);
        }
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(query: &ParsedQuery) -> Vec<String> {
        query
            .must
            .iter()
            .map(|c| match c {
                Clause::Word(w) => w.clone(),
                Clause::Phrase(p) => format!("\"{p}\""),
            })
            .collect()
    }

    #[test]
    fn words_phrases_exclusions_and_filters() {
        let analyzer = Analyzer::new();
        let q = parse(
            "台風 “跨江大桥 通车” -演习 source:xinghe-ribao 频道：keji after:2026-11-01 before:2026-11-15",
            &analyzer,
        );
        assert_eq!(words(&q), ["台风", "\"跨江大桥 通车\""]);
        assert_eq!(q.must_not, [Clause::Word("演习".into())]);
        assert_eq!(q.source.as_deref(), Some("xinghe-ribao"));
        assert_eq!(q.channel.as_deref(), Some("keji"));
        assert_eq!(q.after.unwrap().to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(
            q.before.unwrap().to_rfc3339(),
            "2026-11-15T16:00:00+00:00",
            "the whole last day"
        );
        assert!(q.ignored.is_empty());
    }

    #[test]
    fn odd_input_is_understood_or_reported() {
        let analyzer = Analyzer::new();
        assert!(parse("", &analyzer).is_empty());
        assert!(parse("   \"", &analyzer).is_empty());
        let q = parse("after:昨天 经济", &analyzer);
        assert_eq!(q.ignored, ["after:昨天"]);
        assert_eq!(words(&q), ["经济"]);
        let q = parse("- 演习 \"未闭合", &analyzer);
        assert_eq!(q.must_not, [Clause::Word("演习".into())]);
        assert_eq!(words(&q), ["\"未闭合\""]);
    }
}
