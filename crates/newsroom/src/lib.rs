//! The newsroom's rules: the decisions an editor would make, written once, as pure functions.
//!
//! A rule lives here when more than one edge applies it, or when it is a policy an operator
//! would want to read in one place rather than find inside a fetcher or a page handler:
//! - [`schedule`]: when a source is checked again, after a success (its publishing pace) and
//!   after a failure (backoff with jitter);
//! - [`script_of`]: whether an article is written in simplified or traditional characters.
//!
//! The ingest pipeline, the web layer and the CLI call these rules; the rules call nothing but
//! the domain types of `xinwen-model`. This crate must not do IO: no HTTP, no database, no
//! clock, and no randomness but the jitter [`schedule::failure_backoff`] draws (its
//! [`schedule::backoff_with_jitter`] takes the draw), so that every rule is tested with plain
//! values. Rules that today still live inside a store transaction
//! (a story's original, lead and heat in `xinwen-store`) move here as the store becomes
//! persistence behind an interface.

pub mod schedule;
mod script;

pub use script::script_of;
