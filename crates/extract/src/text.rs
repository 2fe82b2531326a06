//! Small facts about text that the extractor weighs: how much of it there is, how much of it
//! is Chinese, how much punctuation it carries.

/// A CJK ideograph (the ranges news text uses), counted apart because one such character
/// carries about as much meaning as a short Latin word.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF)
}

/// Punctuation that ends or splits sentences, full-width and half-width. Real prose is full of
/// it; menus, tags and link lists have almost none.
pub fn is_sentence_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '！'
            | '？'
            | '；'
            | '：'
            | '、'
            | '“'
            | '”'
            | ','
            | '.'
            | '!'
            | '?'
            | ';'
            | ':'
    )
}

/// White space as the extractor sees it: Unicode's, the full-width space and the zero-width
/// space.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{200b}'
}

/// Collapses runs of white space (including the full-width space and NBSP) into one space.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(is_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// What the extractor counts about a piece of text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measure {
    /// Non-space characters.
    pub chars: usize,
    /// CJK ideographs among them.
    pub cjk: usize,
    /// Sentence punctuation among them.
    pub punct: usize,
}

impl Measure {
    pub fn of(s: &str) -> Measure {
        let mut m = Measure::default();
        let bytes = s.as_bytes();
        let mut i = 0;
        // Pages are mostly ASCII markup-free text or mostly CJK; ASCII is read a byte at a
        // time, the rest a character at a time.
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() {
                i += 1;
                if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C) {
                    continue;
                }
                m.chars += 1;
                // Half-width marks count only where they end a clause ("3.5%", "1,000" and
                // "12:30" in tickers and tables are not prose).
                if matches!(b, b',' | b'.' | b'!' | b'?' | b';' | b':')
                    && s[i..].chars().next().is_none_or(char::is_whitespace)
                {
                    m.punct += 1;
                }
                continue;
            }
            let c = s[i..].chars().next().unwrap_or_default();
            i += c.len_utf8();
            if c.is_whitespace() || c == '\u{3000}' {
                continue;
            }
            m.chars += 1;
            if is_cjk(c) {
                m.cjk += 1;
            } else if is_sentence_punct(c) {
                m.punct += 1;
            }
        }
        m
    }

    /// Length in "Latin-equivalent" characters: a CJK character counts as three, so thresholds
    /// written for English (readability's 25 characters) mean the same for Chinese.
    pub fn weight(&self) -> usize {
        self.chars - self.cjk + self.cjk * 3
    }

    pub fn add(&mut self, other: Measure) {
        self.chars += other.chars;
        self.cjk += other.cjk;
        self.punct += other.punct;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_weighs_three_times_latin() {
        let m = Measure::of("新闻，news.");
        assert_eq!((m.chars, m.cjk, m.punct), (8, 2, 2));
        assert_eq!(Measure::of("ATX3078.02-0.24% 1,000 12:30").punct, 0);
        assert_eq!(m.weight(), 12);
    }

    #[test]
    fn whitespace_of_every_kind_collapses() {
        assert_eq!(collapse_whitespace("  a\u{3000}\u{a0}b \n c  "), "a b c");
    }
}
