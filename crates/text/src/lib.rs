//! Chinese text as search and related reading need it: one normal form, words, bigrams and
//! keywords, and conversion between the two scripts for readers.
//!
//! This crate owns the analysis that must be identical at index and query time, so that a
//! query matches the way the text was indexed: [`normalize`] (traditional folded to simplified,
//! full-width to half-width, lower case), [`Analyzer::words`] (jieba's search-mode segmentation,
//! with an operator's user dictionary), [`bigrams`] (overlapping pairs of Chinese characters, the
//! fallback that finds names and words no dictionary knows) and [`Analyzer::keywords`] (TF-IDF
//! over jieba's IDF table). It must not know about indexes, stores or pages.
//!
//! jieba-rs is the segmenter (pure Rust, the dictionary compiled in); zhconv does script
//! conversion with MediaWiki's and OpenCC's phrase tables, so 台风 becomes 颱風 and not 台風.

use jieba_rs::{Jieba, KeywordExtract, TfIdf, TokenizeMode};
use std::path::Path;
use std::sync::Arc;

pub use zhconv::Variant;

/// A word or bigram with where it sits in the normalized text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    /// Byte offsets into the text that was analyzed.
    pub start: usize,
    pub end: usize,
    /// Position in the token stream (phrases need consecutive positions).
    pub position: usize,
}

/// The normal form everything is indexed and queried in: simplified script, half-width ASCII,
/// lower case. 俄烏 and 俄乌 become the same text; so do ＡＢＣ and abc.
pub fn normalize(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    if folded.chars().any(is_cjk) {
        zhconv::zhconv(&folded, Variant::ZhHans)
    } else {
        folded
    }
}

/// Text converted for a reader who asked for `variant` (zh-Hans, zh-TW...), phrase by phrase.
pub fn convert(text: &str, variant: Variant) -> String {
    zhconv::zhconv(text, variant)
}

/// A Chinese (Han) character, the ones that form bigrams.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2A6DF}'
        | '\u{F900}'..='\u{FAFF}' | '\u{2A700}'..='\u{2EBEF}' | '\u{3007}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Overlapping bigrams of every run of Chinese characters (a lone character is itself), and
/// every run of letters or digits whole. Any two-character word is then one term, and any
/// longer one a phrase of terms, whether a dictionary knows it or not.
pub fn bigrams(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i + 1).map_or(text.len(), |(b, _)| *b);
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if is_cjk(c) {
            let mut j = i;
            while j + 1 < chars.len() && is_cjk(chars[j + 1].1) {
                j += 1;
            }
            if i == j {
                tokens.push(Token {
                    text: c.to_string(),
                    start,
                    end: end_of(i),
                    position: tokens.len(),
                });
            }
            for k in i..j {
                tokens.push(Token {
                    text: text[chars[k].0..end_of(k + 1)].to_owned(),
                    start: chars[k].0,
                    end: end_of(k + 1),
                    position: tokens.len(),
                });
            }
            i = j + 1;
        } else if is_word_char(c) {
            let mut j = i;
            while j + 1 < chars.len() && is_word_char(chars[j + 1].1) && !is_cjk(chars[j + 1].1) {
                j += 1;
            }
            tokens.push(Token {
                text: text[start..end_of(j)].to_owned(),
                start,
                end: end_of(j),
                position: tokens.len(),
            });
            i = j + 1;
        } else {
            i += 1;
        }
    }
    tokens
}

/// Overlapping trigrams of every run of three or more Chinese characters. Rarer than bigrams,
/// they make exact sequences of three characters or more cheap to find; shorter runs and other
/// text are left to [`bigrams`]. Positions leave a gap between runs, so that a phrase matched
/// by every third trigram cannot straddle a comma.
pub fn trigrams(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i + 1).map_or(text.len(), |(b, _)| *b);
    let mut tokens = Vec::new();
    let mut position = 0;
    let mut i = 0;
    while i < chars.len() {
        if !is_cjk(chars[i].1) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < chars.len() && is_cjk(chars[j + 1].1) {
            j += 1;
        }
        for k in i..=j.saturating_sub(2).max(i) {
            if k + 2 > j {
                break;
            }
            tokens.push(Token {
                text: text[chars[k].0..end_of(k + 2)].to_owned(),
                start: chars[k].0,
                end: end_of(k + 2),
                position,
            });
            position += 1;
        }
        position += 3;
        i = j + 1;
    }
    tokens
}

/// A user dictionary that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("cannot read the user dictionary {path}: {message}")]
    Dictionary { path: String, message: String },
}

/// The segmenter and keyword extractor, built once and shared (the dictionary takes tens of
/// megabytes and a fraction of a second to load).
#[derive(Clone)]
pub struct Analyzer {
    jieba: Arc<Jieba>,
    tfidf: Arc<TfIdf>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer")
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

impl Analyzer {
    /// jieba's own dictionary.
    pub fn new() -> Analyzer {
        let mut tfidf = TfIdf::default();
        // Keywords must be the words the index holds, and the index segments with the HMM
        // (which finds names no dictionary knows): the extractor does the same.
        *tfidf.config_mut() = jieba_rs::KeywordExtractConfig::builder()
            .use_hmm(true)
            .build();
        Analyzer {
            jieba: Arc::new(Jieba::new()),
            tfidf: Arc::new(tfidf),
        }
    }

    /// jieba's dictionary plus the operator's, in jieba's format (`word [frequency] [tag]` a
    /// line), when the file exists. Words are added in their normal form.
    pub fn with_user_dictionary(path: &Path) -> Result<Analyzer, TextError> {
        let mut analyzer = Analyzer::new();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(analyzer),
            Err(e) => {
                return Err(TextError::Dictionary {
                    path: path.display().to_string(),
                    message: e.to_string(),
                });
            }
        };
        let jieba = Arc::get_mut(&mut analyzer.jieba).expect("not shared yet");
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            let Some(word) = parts.next() else { continue };
            if word.starts_with('#') {
                continue;
            }
            let frequency = parts.next().and_then(|f| f.parse::<usize>().ok());
            let tag = parts.next();
            jieba.add_word(&normalize(word), frequency, tag);
        }
        Ok(analyzer)
    }

    /// Search-mode words of normalized text: every dictionary word, and the shorter words
    /// inside long ones (中华人民共和国 gives 中华, 华人, 人民, 共和, 共和国 too). Punctuation
    /// and spaces are not words.
    pub fn words(&self, text: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        for token in self.jieba.tokenize(text, TokenizeMode::Search, true) {
            if !token.word.chars().any(is_word_char) {
                continue;
            }
            tokens.push(Token {
                text: token.word.to_owned(),
                start: token.byte_start,
                end: token.byte_end,
                position: tokens.len(),
            });
        }
        tokens
    }

    /// The words of a query, as the index knows them: each dictionary word once (default
    /// mode, not search mode, so 长江大桥 stays one word to look for, with its parts as
    /// alternatives handled by the bigrams).
    pub fn query_words(&self, text: &str) -> Vec<String> {
        self.jieba
            .cut(text, true)
            .into_iter()
            .filter(|w| w.word.chars().any(is_word_char))
            .map(|w| w.word.to_owned())
            .collect()
    }

    /// The `count` words that best say what a normalized text is about, with their TF-IDF
    /// weights, heaviest first. Numbers and single characters are left out.
    pub fn keywords(&self, text: &str, count: usize) -> Vec<(String, f64)> {
        self.tfidf
            .extract_keywords(&self.jieba, text, count * 2, Vec::new())
            .into_iter()
            .filter(|k| {
                k.keyword.chars().count() >= 2
                    && !k.keyword.chars().all(|c| c.is_ascii_digit() || c == '.')
            })
            .take(count)
            .map(|k| (k.keyword, k.weight))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_form_folds_script_width_and_case() {
        assert_eq!(normalize("俄烏談判"), "俄乌谈判");
        assert_eq!(normalize("ＡＢＣ　１２３"), "abc 123");
        assert_eq!(normalize("iPhone 新品"), "iphone 新品");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn conversion_for_readers_works_on_phrases() {
        assert_eq!(convert("台风过后", Variant::ZhTW), "颱風過後");
        assert_eq!(convert("颱風過後", Variant::ZhCN), "台风过后");
    }

    #[test]
    fn bigrams_cover_every_pair_and_keep_latin_words_whole() {
        let texts: Vec<String> = bigrams("邱天进球 iphone15上市。好")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(texts, ["邱天", "天进", "进球", "iphone15", "上市", "好"]);
        let positions: Vec<usize> = bigrams("经济发展").iter().map(|t| t.position).collect();
        assert_eq!(positions, [0, 1, 2]);
    }

    #[test]
    fn trigrams_cover_runs_of_three_or_more() {
        let texts: Vec<String> = trigrams("经济发展 好的 abc 南屿岛")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(texts, ["经济发", "济发展", "南屿岛"]);
        let positions: Vec<usize> = trigrams("经济发展，南屿岛")
            .iter()
            .map(|t| t.position)
            .collect();
        assert_eq!(positions, [0, 1, 5], "a gap between runs");
    }

    #[test]
    fn words_are_segmented_in_search_mode_without_punctuation() {
        let analyzer = Analyzer::new();
        let words: Vec<String> = analyzer
            .words("北京经济发展，很快！")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert!(
            words.contains(&"北京".to_owned()) && words.contains(&"经济".to_owned()),
            "{words:?}"
        );
        assert!(!words.iter().any(|w| w == "，" || w == "！"));
    }

    #[test]
    fn keywords_say_what_the_text_is_about() {
        let analyzer = Analyzer::new();
        let text = normalize(
            "台风白鹭逼近南屿岛，渡轮全线停航。台风预计明天登陆，气象台发布台风橙色预警，渡轮何时恢复另行通知。",
        );
        let keywords: Vec<String> = analyzer
            .keywords(&text, 5)
            .into_iter()
            .map(|k| k.0)
            .collect();
        assert!(
            keywords.contains(&"台风".to_owned()) && keywords.contains(&"渡轮".to_owned()),
            "{keywords:?}"
        );
    }

    #[test]
    fn a_user_dictionary_adds_words() {
        let dir = std::env::temp_dir().join(format!("xinwen-dict-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("dict.txt");
        std::fs::write(&path, "# 本地地名\n青澜江 1000 ns\n").unwrap();
        let analyzer = Analyzer::with_user_dictionary(&path).unwrap();
        assert!(
            analyzer
                .query_words("青澜江大桥")
                .contains(&"青澜江".to_owned())
        );
        assert!(Analyzer::with_user_dictionary(&dir.join("missing.txt")).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
