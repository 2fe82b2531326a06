//! Small facts about text that the extractor weighs: how much of it there is, how much of it
//! is Chinese, how much punctuation it carries.

/// A CJK ideograph (the ranges news text uses), counted apart because one such character
/// carries about as much meaning as a short Latin word.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF)
}

/// `char::is_alphanumeric`, answered for ASCII and CJK before Unicode's tables are looked up:
/// it runs over every line of a page.
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        // The unified ideographs, every one of them a letter (the compatibility block has gaps).
        matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF) || c.is_alphanumeric()
    }
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

/// How many bytes the white-space character at `bytes[i]` takes, or 0 when it is not one.
/// White space is Unicode's, plus the zero-width space; it is told from its UTF-8 bytes, so
/// that text (Chinese especially) is not decoded character by character to find it.
#[inline(always)]
fn space_len_at(bytes: &[u8], i: usize) -> usize {
    let b = bytes[i];
    if !may_start_space(b) {
        return 0;
    }
    let next = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match b {
        b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => 1,
        // U+0085, U+00A0
        0xC2 if matches!(next(1), 0x85 | 0xA0) => 2,
        // U+1680
        0xE1 if next(1) == 0x9A && next(2) == 0x80 => 3,
        // U+2000 to U+200B, U+2028, U+2029, U+202F; U+205F
        0xE2 if next(1) == 0x80 && matches!(next(2), 0x80..=0x8B | 0xA8 | 0xA9 | 0xAF) => 3,
        0xE2 if next(1) == 0x81 && next(2) == 0x9F => 3,
        // U+3000, the full-width space
        0xE3 if next(1) == 0x80 && next(2) == 0x80 => 3,
        _ => 0,
    }
}

/// Printable ASCII and most lead bytes (CJK among them) never start white space.
#[inline(always)]
fn may_start_space(b: u8) -> bool {
    b <= b' ' || matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3)
}

/// Whether `s` holds nothing but white space.
pub fn is_blank(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match space_len_at(bytes, i) {
            0 => return false,
            n => i += n,
        }
    }
    true
}

/// Appends `text` as it flows in a paragraph: a line break in the page's source is a space
/// there, and nothing at all between two wide (CJK) characters, as CSS Text's segment break
/// rule has it: a source wrapped inside a Chinese sentence must not split it. `out` holds what
/// came before, for the character ahead of a break at the start of `text`.
pub fn push_flowing(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut rest = 0;
    while let Some(offset) = memchr::memchr2(b'\n', b'\r', &bytes[rest..]) {
        let line_break = rest + offset;
        out.push_str(&text[rest..line_break]);
        // The whole run of white space around the break becomes one space, or none.
        let mut next = line_break;
        while next < bytes.len() && matches!(bytes[next], b' ' | b'\t' | b'\n' | b'\r') {
            next += 1;
        }
        let kept = out.trim_end_matches([' ', '\t']).len();
        out.truncate(kept);
        let joined = out.chars().next_back().is_some_and(is_wide)
            && text[next..].chars().next().is_some_and(is_wide);
        if !joined {
            out.push(' ');
        }
        rest = next;
    }
    out.push_str(&text[rest..]);
}

/// Whether `haystack` holds `word` (lower-case ASCII) in any case. Found from its second
/// letter, rarer in pages than most first ones.
pub fn contains_ignoring_case(haystack: &[u8], word: &[u8]) -> bool {
    memchr::memchr2_iter(word[1], word[1].to_ascii_uppercase(), haystack).any(|i| {
        i >= 1
            && haystack
                .get(i - 1..i - 1 + word.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(word))
    })
}

/// East Asian wide characters: ideographs, kana and full-width punctuation.
fn is_wide(c: char) -> bool {
    is_cjk(c) || matches!(c as u32, 0x3000..=0x30FF | 0xFF01..=0xFF60)
}

/// The words of `s`: what lies between runs of white space (including the full-width space
/// and NBSP).
fn words(s: &str) -> impl Iterator<Item = &str> {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        // Past the white space, then to the end of the word.
        while i < bytes.len() {
            match space_len_at(bytes, i) {
                0 => break,
                n => i += n,
            }
        }
        if i == bytes.len() {
            return None;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && (!may_start_space(bytes[i]) || space_len_at(bytes, i) == 0) {
            i += 1;
        }
        Some(&s[start..i])
    })
}

/// A hash of the words of `s`, the same for any two texts that [`collapse_whitespace`] makes
/// equal, computed without building the collapsed text.
pub fn words_hash(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    for word in words(s) {
        hasher.write(word.as_bytes());
        // A byte no UTF-8 text holds: "ab c" and "a bc" differ.
        hasher.write_u8(0xFF);
    }
    hasher.finish()
}

/// Collapses runs of white space (including the full-width space and NBSP) into one space,
/// and trims both ends.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_collapsed(&mut out, s);
    out
}

/// `text` with each line's white space collapsed and blank lines left out, in one pass and
/// one allocation.
pub fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let before = out.len();
        if before > 0 {
            out.push('\n');
        }
        let line_start = out.len();
        push_collapsed(&mut out, line);
        if out.len() == line_start {
            out.truncate(before);
        }
    }
    out
}

/// Appends `s` with its runs of white space collapsed and both ends trimmed.
fn push_collapsed(out: &mut String, s: &str) {
    for (n, word) in words(s).enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
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
        // Characters are told from their UTF-8 bytes, as white space is above: decoding each
        // one through `chars()` cost more than the counting.
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                i += 1;
                if b <= b' ' && matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C) {
                    continue;
                }
                m.chars += 1;
                // Half-width marks count only where they end a clause ("3.5%", "1,000" and
                // "12:30" in tickers and tables are not prose).
                if matches!(b, b',' | b'.' | b'!' | b'?' | b';' | b':')
                    && (i == bytes.len() || space_len_at(bytes, i) > 0)
                {
                    m.punct += 1;
                }
                continue;
            }
            let len = match b {
                0xF0.. => 4,
                0xE0.. => 3,
                _ => 2,
            };
            if space_len_at(bytes, i) > 0 {
                i += len;
                continue;
            }
            // `s` is valid UTF-8, so the sequence is whole.
            let tail = |k: usize| u32::from(bytes.get(i + k).copied().unwrap_or(0x80) & 0x3F);
            let code = match len {
                2 => (u32::from(b & 0x1F) << 6) | tail(1),
                3 => (u32::from(b & 0x0F) << 12) | (tail(1) << 6) | tail(2),
                _ => (u32::from(b & 0x07) << 18) | (tail(1) << 12) | (tail(2) << 6) | tail(3),
            };
            let c = char::from_u32(code).unwrap_or_default();
            i += len;
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

    fn flowing(before: &str, text: &str) -> String {
        let mut out = before.to_owned();
        push_flowing(&mut out, text);
        out
    }

    #[test]
    fn contains_ignoring_case_finds_a_word_in_any_case() {
        let page = b"<div class=\"Post-AUTHOR\">x</div><p>Zutaten</p>";
        assert!(contains_ignoring_case(page, b"author"));
        assert!(contains_ignoring_case(page, b"zutaten"));
        assert!(!contains_ignoring_case(page, b"byline"));
        assert!(!contains_ignoring_case(b"u", b"author"));
        assert!(!contains_ignoring_case(b"autho", b"author"));
    }

    #[test]
    fn tidy_lines_collapses_each_line_and_leaves_blank_ones_out() {
        for text in [
            "",
            "\n\n",
            " a  b \n\n c\r\n\u{3000}\n d\u{a0}e ",
            "中文\n \n段落\n",
            "one",
        ] {
            let by_line: Vec<String> = text
                .lines()
                .map(collapse_whitespace)
                .filter(|l| !l.is_empty())
                .collect();
            assert_eq!(tidy_lines(text), by_line.join("\n"), "{text:?}");
        }
    }

    #[test]
    fn words_hash_tells_texts_apart_as_collapsing_them_does() {
        let texts = [
            "",
            " ",
            "ab c",
            "a bc",
            "  ab\u{3000}c\n",
            "ab\u{a0}c",
            "abc",
            "ab  c ",
            "中文 段落",
            "中文段落",
            "\u{2028}中文\t段落",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(
                    words_hash(a) == words_hash(b),
                    collapse_whitespace(a) == collapse_whitespace(b),
                    "{a:?} and {b:?}"
                );
            }
        }
    }

    #[test]
    fn a_line_break_in_the_source_is_a_space_or_nothing_between_wide_characters() {
        assert_eq!(
            flowing("", "every Friday\n  and Saturday"),
            "every Friday and Saturday"
        );
        assert_eq!(flowing("", "是用木\r\n    质材料"), "是用木质材料");
        assert_eq!(
            flowing("", "完成验收，\n将在周六。\n下月"),
            "完成验收，将在周六。下月"
        );
        assert_eq!(flowing("", "abc\n中文"), "abc 中文");
        assert_eq!(flowing("", "中文\nabc"), "中文 abc");
        // The character before a break may have come with an earlier node.
        assert_eq!(flowing("旧法 ", "\n砌筑"), "旧法砌筑");
        assert_eq!(flowing("deck ", "\nand"), "deck and");
        assert_eq!(flowing("", "no break here"), "no break here");
        assert_eq!(flowing("", "\n"), " ");
    }

    #[test]
    fn chinese_weighs_three_times_latin() {
        let m = Measure::of("新闻，news.");
        assert_eq!((m.chars, m.cjk, m.punct), (8, 2, 2));
        assert_eq!(Measure::of("ATX3078.02-0.24% 1,000 12:30").punct, 0);
        assert_eq!(m.weight(), 12);
    }

    /// The definition `collapse_whitespace` implements on bytes.
    fn collapsed_by_chars(s: &str) -> String {
        s.split(|c: char| c.is_whitespace() || c == '\u{200b}')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn whitespace_is_found_in_bytes_as_in_characters() {
        let spaces: Vec<char> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace() || *c == '\u{200b}')
            .collect();
        assert_eq!(spaces.len(), 26);
        for &space in &spaces {
            for around in ["中", "a", "。", "\u{2030}", "\u{3001}", "\u{1681}", ""] {
                let s = format!("{around}{space}{space}x{space}{around}");
                assert_eq!(collapse_whitespace(&s), collapsed_by_chars(&s), "{s:?}");
                assert!(is_blank(&format!("{space} {space}")));
                assert!(!is_blank(&s));
            }
        }
        // Characters whose UTF-8 starts like a space's but are not one.
        for text in [
            "\u{00A1}\u{0086}",
            "\u{1681}\u{169F}",
            "\u{2010}\u{2030}\u{2060}",
            "\u{3001}\u{3002}",
        ] {
            assert_eq!(collapse_whitespace(text), text);
        }
    }

    /// The definition `Measure::of` implements on bytes.
    fn measured_by_chars(s: &str) -> Measure {
        let mut m = Measure::default();
        let chars: Vec<char> = s.chars().collect();
        let is_space = |c: char| c.is_whitespace() || c == '\u{200b}';
        for (i, &c) in chars.iter().enumerate() {
            if is_space(c) {
                continue;
            }
            m.chars += 1;
            if is_cjk(c) {
                m.cjk += 1;
            } else if c.is_ascii() {
                let ends_clause = chars.get(i + 1).is_none_or(|&next| is_space(next));
                if ",.!?;:".contains(c) && ends_clause {
                    m.punct += 1;
                }
            } else if is_sentence_punct(c) {
                m.punct += 1;
            }
        }
        m
    }

    #[test]
    fn measure_from_bytes_counts_as_characters_do() {
        let pieces = [
            "新闻", "，", "。", "a", "1,000", "3.5", "end.", " ", "\u{3000}", "\u{a0}", "\u{200b}",
            "\u{2028}", "\u{1680}", "é", "ß", "😀", "𠀀", "\u{2030}", "\u{3001}", "“", "\n", ":",
        ];
        // Every pair and triple of pieces, so each mark is tried before every kind of neighbour.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}{b}{c}");
                    assert_eq!(Measure::of(&s), measured_by_chars(&s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn word_characters_are_the_alphanumeric_ones() {
        for c in (0..=0x3FFFFu32).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn whitespace_of_every_kind_collapses() {
        assert_eq!(collapse_whitespace("  a\u{3000}\u{a0}b \n c  "), "a b c");
    }
}
