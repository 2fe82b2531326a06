//! From a publisher's HTML to the article we show: today the sanitizer; extraction of the main
//! content and its metadata lands here too.
//!
//! This crate is pure: it takes text and returns text. It must not fetch, read files, or touch
//! the database. Whatever HTML reaches a reader's browser has passed through [`sanitize_html`]
//! last, after every other transformation, so that nothing later can reintroduce markup.

mod sanitize;

pub use sanitize::{html_to_text, sanitize_html};
