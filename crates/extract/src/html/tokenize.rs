//! The tokenizer: one pass over the source, finding each `<` with memchr, handing text and
//! tags to the tree builder as they come. Raw text (`<script>`, `<style>`) and escapable raw
//! text (`<title>`, `<textarea>`) are read here up to their end tag.

use super::Document;
use super::NONE;
use super::build::{Builder, TextMode, renumber, text_mode};
use memchr::{memchr, memmem};

pub fn parse(source: String) -> Document {
    parse_with(source, true)
}

/// Parses with text pointing into the source where it can, or (for pages of 2 GiB and more,
/// and in tests) with every piece copied.
pub fn parse_with(source: String, point_into_source: bool) -> Document {
    let mut builder = Builder::new(&source);
    builder.point_into_source &= point_into_source;
    let mut tokenizer = Tokenizer {
        source: &source,
        pos: 0,
        start_name: String::new(),
        end_name: String::new(),
    };
    tokenizer.run(&mut builder);
    builder.finish();
    let moved = builder.moved;
    let mut doc = builder.doc;
    // Ranges marked `IN_SOURCE` point here.
    doc.source = source;
    if moved {
        renumber(&mut doc);
    }
    doc
}

struct Tokenizer<'s> {
    source: &'s str,
    pos: usize,
    /// The lower-cased name of the start tag being read.
    start_name: String,
    /// The lower-cased name of the end tag being read.
    end_name: String,
}

impl Tokenizer<'_> {
    fn run(&mut self, builder: &mut Builder<'_>) {
        let bytes = self.source.as_bytes();
        while self.pos < bytes.len() {
            let Some(offset) = memchr(b'<', &bytes[self.pos..]) else {
                builder.text(self.pos, self.source.len(), true);
                return;
            };
            let lt = self.pos + offset;
            let next = bytes.get(lt + 1).copied();
            let markup = match next {
                Some(b'!') | Some(b'?') => true,
                // `</` then anything is markup (`</ x>` is a bogus comment), unless the page ends.
                Some(b'/') => lt + 2 < bytes.len(),
                Some(b) => b.is_ascii_alphabetic(),
                None => false,
            };
            if !markup {
                // A `<` that opens no tag is text.
                builder.text(self.pos, lt + 1, true);
                self.pos = lt + 1;
                continue;
            }
            builder.text(self.pos, lt, true);
            self.pos = lt;
            match next {
                Some(b'!') => self.markup_declaration(builder),
                Some(b'?') => {
                    self.skip_past(b'>');
                    builder.comment();
                }
                Some(b'/') if bytes[lt + 2].is_ascii_alphabetic() => self.end_tag(builder),
                Some(b'/') => {
                    self.skip_past(b'>');
                    if bytes[lt + 2] != b'>' {
                        builder.comment();
                    }
                }
                _ => self.start_tag(builder),
            }
        }
    }

    /// Moves past the next `byte`, or to the end.
    fn skip_past(&mut self, byte: u8) {
        let bytes = self.source.as_bytes();
        self.pos = match memchr(byte, &bytes[self.pos..]) {
            Some(i) => self.pos + i + 1,
            None => bytes.len(),
        };
    }

    fn markup_declaration(&mut self, builder: &mut Builder<'_>) {
        let rest = &self.source.as_bytes()[self.pos..];
        if rest.starts_with(b"<!--") {
            // `<!-->` and `<!--->` are whole comments.
            let body = &rest[4..];
            let end = if body.starts_with(b">") {
                5
            } else if body.starts_with(b"->") {
                6
            } else {
                match memmem::find(body, b"-->") {
                    Some(i) => 4 + i + 3,
                    None => rest.len(),
                }
            };
            self.pos += end;
            builder.comment();
        } else if rest.len() >= 9 && rest[2..9].eq_ignore_ascii_case(b"doctype") {
            let start = self.pos + 9;
            self.skip_past(b'>');
            let end = self.pos.saturating_sub(1).max(start);
            builder.doctype(&self.source[start..end]);
        } else {
            self.skip_past(b'>');
            builder.comment();
        }
    }

    fn end_tag(&mut self, builder: &mut Builder<'_>) {
        let bytes = self.source.as_bytes();
        let start = self.pos + 2;
        let name_end = start
            + bytes[start..]
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
                .unwrap_or(bytes.len() - start);
        self.end_name.clear();
        self.end_name.push_str(&self.source[start..name_end]);
        self.end_name.make_ascii_lowercase();
        self.pos = name_end;
        self.skip_past(b'>');
        if !self.end_name.is_empty() {
            builder.end_tag(&self.end_name);
        }
    }

    fn start_tag(&mut self, builder: &mut Builder<'_>) {
        let bytes = self.source.as_bytes();
        let start = self.pos + 1;
        let mut i = start;
        while i < bytes.len()
            && !(bytes[i].is_ascii_whitespace() || bytes[i] == b'/' || bytes[i] == b'>')
        {
            i += 1;
        }
        let mut name_buf = std::mem::take(&mut self.start_name);
        name_buf.clear();
        name_buf.push_str(&self.source[start..i]);
        name_buf.make_ascii_lowercase();
        if name_buf == "image" {
            name_buf.replace_range(.., "img");
        }
        let attrs_start = builder.doc.attrs.len();
        let text_start = builder.doc.attr_text.len();
        let mut self_closing = false;
        let mut complete = false;
        while i < bytes.len() {
            match bytes[i] {
                b'>' => {
                    i += 1;
                    complete = true;
                    break;
                }
                b'/' => {
                    self_closing = bytes.get(i + 1) == Some(&b'>');
                    i += 1;
                    continue;
                }
                b if b.is_ascii_whitespace() => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            self_closing = false;
            // An attribute name may start with `=`; after that, `=` ends it.
            let name_start = i;
            i += 1;
            while i < bytes.len()
                && !(bytes[i].is_ascii_whitespace() || matches!(bytes[i], b'/' | b'>' | b'='))
            {
                i += 1;
            }
            let attr_name = name_start..i;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value = None;
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(&quote @ (b'"' | b'\'')) => match memchr(quote, &bytes[i + 1..]) {
                        Some(len) => {
                            value = Some(i + 1..i + 1 + len);
                            i += len + 2;
                        }
                        None => {
                            i = bytes.len();
                            break;
                        }
                    },
                    Some(_) => {
                        let value_start = i;
                        while i < bytes.len()
                            && !(bytes[i].is_ascii_whitespace() || bytes[i] == b'>')
                        {
                            i += 1;
                        }
                        value = Some(value_start..i);
                    }
                    None => break,
                }
            }
            builder.add_attr(attrs_start, attr_name, value);
        }
        self.pos = i;
        if !complete {
            // A tag cut off by the end of the page is dropped, as in a browser.
            builder.doc.attrs.truncate(attrs_start);
            builder.doc.attr_text.truncate(text_start);
            self.start_name = name_buf;
            return;
        }
        let attrs = attrs_start as u32..builder.doc.attrs.len() as u32;
        let id = builder.start_tag(&name_buf, attrs, self_closing);
        let mode = if builder.foreign > 0 || id == NONE {
            TextMode::Markup
        } else {
            text_mode(&name_buf)
        };
        if mode != TextMode::Markup && builder.open.last() == Some(&id) {
            self.element_text(builder, &name_buf, mode);
        }
        self.start_name = name_buf;
    }

    /// The text of a raw-text or escapable element, up to its end tag, which closes it.
    fn element_text(&mut self, builder: &mut Builder<'_>, name: &str, mode: TextMode) {
        let bytes = self.source.as_bytes();
        let (end, after) = if mode == TextMode::Plain {
            (bytes.len(), bytes.len())
        } else {
            find_end_tag(bytes, self.pos, name)
        };
        builder.text(self.pos, end, mode == TextMode::Escapable);
        if builder
            .open
            .last()
            .is_some_and(|&top| builder.name_of(top) == name)
        {
            builder.pop_open();
        }
        self.pos = after;
    }
}

/// Where the end tag `</name` (any case, then white space, `/` or `>`) starts after `from`,
/// and where it ends; the end of the page when there is none.
fn find_end_tag(bytes: &[u8], from: usize, name: &str) -> (usize, usize) {
    let finder = memmem::Finder::new(b"</");
    let mut at = from;
    while let Some(i) = finder.find(&bytes[at..]) {
        let start = at + i;
        let name_start = start + 2;
        let name_end = name_start + name.len();
        if name_end <= bytes.len()
            && bytes[name_start..name_end].eq_ignore_ascii_case(name.as_bytes())
            && bytes
                .get(name_end)
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
        {
            let after = match memchr(b'>', &bytes[name_end..]) {
                Some(j) => name_end + j + 1,
                None => bytes.len(),
            };
            return (start, after);
        }
        at = start + 2;
    }
    (bytes.len(), bytes.len())
}
