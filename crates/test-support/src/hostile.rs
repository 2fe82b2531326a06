//! Text as outsiders send it, for property tests of every function that reads it: entities
//! cut anywhere, markup, CJK and emoji (multi-byte characters next to the ASCII that parsers
//! slice at), control and direction characters, and, for byte-taking functions, invalid UTF-8.
//!
//! Built from pieces rather than from random characters, because random characters almost
//! never form the `&…;` or `<…>` that a byte-count slice trips over.

use proptest::prelude::*;

/// Pieces that sit where a careless slice cuts: entities whole and broken, tags, and the
/// characters of one to four bytes in UTF-8.
const PIECES: &[&str] = &[
    "&",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&#39;",
    "&nbsp;",
    "&#x4e2d;",
    "&#20013;",
    "&#x",
    "&#",
    "&#xD800;",
    "&#1114112;",
    "&am",
    ";",
    "<",
    ">",
    "</",
    "<b>",
    "</b>",
    "<p>",
    "<br>",
    "<a href=\"javascript:alert(1)\">",
    "<script>",
    "<!--",
    "-->",
    "\"",
    "'",
    "中",
    "新闻",
    "台风登陆",
    "颱風",
    "，",
    "。",
    "：",
    "来源：东海晚报",
    "阅读原文",
    "ｆｕｌｌ",
    "😀",
    "👨‍👩‍👧",
    "🇨🇳",
    "é",
    "e\u{301}",
    "\u{0}",
    "\u{feff}",
    "\u{202e}",
    "\u{200b}",
    "\r\n",
    "\n",
    "\t",
    " ",
    "2026年11月12日",
    "12:30",
    "abc",
    "http://",
    "https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1&sn=ab#rd",
    "%E4%B8%AD",
    "%",
    "\"phrase",
    "-",
    "source:",
    "after:",
];

/// A string made of up to `max_pieces` pieces, with a random character now and then.
pub fn hostile_text(max_pieces: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            8 => (0..PIECES.len()).prop_map(|i| PIECES[i].to_owned()),
            1 => any::<char>().prop_map(String::from),
        ],
        0..max_pieces,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Hostile text as bytes, some of them cut in the middle of a character or plainly invalid.
pub fn hostile_bytes(max_pieces: usize) -> impl Strategy<Value = Vec<u8>> {
    (hostile_text(max_pieces), any::<usize>(), any::<u8>()).prop_map(|(text, cut, junk)| {
        let mut bytes = text.into_bytes();
        if !bytes.is_empty() {
            // Cutting at any byte may leave half a character at the end.
            let at = cut % bytes.len();
            bytes.truncate(at.max(1));
            bytes.push(junk | 0x80);
        }
        bytes
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn the_pieces_reach_multibyte_neighbours_and_invalid_bytes() {
        let mut runner = TestRunner::deterministic();
        let mut saw_entity_before_cjk = false;
        let mut saw_invalid = false;
        for _ in 0..500 {
            let text = hostile_text(20).new_tree(&mut runner).unwrap().current();
            saw_entity_before_cjk |= text.contains("&中") || text.contains("&am中");
            let bytes = hostile_bytes(20).new_tree(&mut runner).unwrap().current();
            saw_invalid |= std::str::from_utf8(&bytes).is_err();
        }
        assert!(
            saw_entity_before_cjk,
            "an entity cut before a CJK character"
        );
        assert!(saw_invalid, "invalid UTF-8");
    }
}
