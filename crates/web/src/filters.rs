//! Template filters. Askama looks them up as `filters::NAME` in the module that derives the
//! template, so a module whose templates print outside links says `use crate::filters;`.

/// An outside link (a publisher's original, a source's follow link, a reader's submitted
/// link) as it may be printed in `href`: http(s) or one of our own paths, else `#`. The links
/// were checked where they entered; this is the second check, where they are printed, so
/// that a row written before a check existed cannot run script either.
#[askama::filter_fn]
pub fn link(value: impl std::fmt::Display, _: &dyn askama::Values) -> askama::Result<String> {
    let value = value.to_string();
    Ok(xinwen_model::link::printable(&value).to_owned())
}
