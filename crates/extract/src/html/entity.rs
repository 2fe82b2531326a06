//! Character references (`&amp;`, `&#20013;`, `&#x4e2d;`, `&nbsp` without its semicolon), as a
//! browser reads them. The named table is html5ever's (through markup5ever), which also holds
//! every prefix of every name, so that the longest match can be found one character at a time.

use markup5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// The longest entity name is 32 characters with its semicolon.
const LONGEST_NAME: usize = 32;

/// Appends `raw` to `out` with its character references decoded. In an attribute value
/// (`in_attribute`), a name without its semicolon followed by a letter, digit or `=` stays as
/// written: that is a query string (`?a=1&copy=2`), not a reference.
pub fn decode_into(out: &mut String, raw: &str, in_attribute: bool) {
    let bytes = raw.as_bytes();
    let mut done = 0;
    let mut search = 0;
    while let Some(found) = memchr::memchr(b'&', &bytes[search..]) {
        let amp = search + found;
        let Some((decoded, consumed)) = reference(&raw[amp + 1..], in_attribute) else {
            search = amp + 1;
            continue;
        };
        out.push_str(&raw[done..amp]);
        for c in decoded.into_iter().flatten() {
            out.push(c);
        }
        done = amp + 1 + consumed;
        search = done;
    }
    out.push_str(&raw[done..]);
}

/// The characters a reference stands for and how many bytes after the `&` it takes, or `None`
/// when the `&` is a plain ampersand.
fn reference(after: &str, in_attribute: bool) -> Option<([Option<char>; 2], usize)> {
    let bytes = after.as_bytes();
    if bytes.first() == Some(&b'#') {
        return numeric(after).map(|(c, used)| ([Some(c), None], used));
    }
    let mut best = None;
    for (end, c) in after.char_indices().take(LONGEST_NAME) {
        if !(c.is_ascii_alphanumeric() || c == ';') {
            break;
        }
        let key = &after[..end + 1];
        match NAMED_ENTITIES.get(key) {
            None => break,
            Some(&(0, _)) => {}
            Some(&(first, second)) => best = Some((key.len(), first, second)),
        }
        if c == ';' {
            break;
        }
    }
    let (len, first, second) = best?;
    if in_attribute
        && !after[..len].ends_with(';')
        && bytes
            .get(len)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'=')
    {
        return None;
    }
    let second = (second != 0).then(|| char::from_u32(second)).flatten();
    Some(([char::from_u32(first), second], len))
}

/// `#123;` or `#x7b;`, the semicolon optional.
fn numeric(after: &str) -> Option<(char, usize)> {
    let bytes = after.as_bytes();
    let (radix, start) = match bytes.get(1) {
        Some(b'x' | b'X') => (16, 2),
        _ => (10, 1),
    };
    let digits = bytes[start..]
        .iter()
        .take_while(|b| {
            if radix == 16 {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        })
        .count();
    if digits == 0 {
        return None;
    }
    let mut used = start + digits;
    if bytes.get(used) == Some(&b';') {
        used += 1;
    }
    // Saturate rather than overflow: anything past U+10FFFF is replaced anyway.
    let value = after[start..start + digits].bytes().fold(0u32, |acc, b| {
        let digit = (b as char).to_digit(radix).unwrap_or(0);
        acc.saturating_mul(radix).saturating_add(digit)
    });
    let c = match value {
        0 => '\u{FFFD}',
        0x80..=0x9F => C1_REPLACEMENTS[(value - 0x80) as usize]
            .unwrap_or_else(|| char::from_u32(value).unwrap_or('\u{FFFD}')),
        _ => char::from_u32(value).unwrap_or('\u{FFFD}'),
    };
    Some((c, used))
}

#[cfg(test)]
mod tests {
    fn decoded(raw: &str, in_attribute: bool) -> String {
        let mut out = String::new();
        super::decode_into(&mut out, raw, in_attribute);
        out
    }

    #[test]
    fn references_decode_as_a_browser_reads_them() {
        assert_eq!(decoded("a &amp; b", false), "a & b");
        assert_eq!(decoded("&#20013;&#x6587;", false), "中文");
        assert_eq!(decoded("&nbsp;x&nbspy", false), "\u{a0}x\u{a0}y");
        assert_eq!(decoded("&notit;", false), "¬it;");
        assert_eq!(decoded("&#150;", false), "\u{2013}");
        assert_eq!(
            decoded("&#0;&#xD800;&#99999999999;", false),
            "\u{FFFD}\u{FFFD}\u{FFFD}"
        );
        assert_eq!(decoded("&NotEqualTilde;", false), "\u{2242}\u{338}");
        assert_eq!(decoded("AT&T &; &# &x &", false), "AT&T &; &# &x &");
        assert_eq!(decoded("&#x4e2d", false), "中");
    }

    #[test]
    fn a_query_string_in_an_attribute_stays_as_written() {
        assert_eq!(decoded("?a=1&copy=2", true), "?a=1&copy=2");
        assert_eq!(decoded("?a=1&copy;=2", true), "?a=1©=2");
        assert_eq!(decoded("?a=1&amp;b=2", true), "?a=1&b=2");
        assert_eq!(decoded("?a=1&copy=2", false), "?a=1©=2");
    }
}
