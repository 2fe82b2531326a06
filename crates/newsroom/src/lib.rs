//! The newsroom's rules: the decisions an editor would make, written once, as pure functions.
//!
//! A rule lives here when more than one edge applies it, or when it is a policy an operator
//! would want to read in one place rather than find inside a fetcher, a page handler or a
//! store transaction:
//! - [`schedule`]: when a source is checked again, after a success (its publishing pace) and
//!   after a failure (backoff with jitter);
//! - [`script_of`]: whether an article is written in simplified or traditional characters;
//! - [`story`]: which article of a story is the credited original, which one lists show, and
//!   how hot the story is (热点);
//! - [`requests`]: the public forms' hourly limits, how a reader's submission becomes an
//!   article, which articles a takedown request names and what an approval removes.
//!
//! The ingest pipeline, the store, the web layer and the CLI call these rules; the rules call
//! nothing but the domain types of `xinwen-model`. The store applies [`story::roles`] inside
//! the transaction that changed a story, so that no reader sees a story without its original;
//! the rule itself only decides. This crate must not do IO: no HTTP, no database, no clock,
//! and no randomness but the jitter [`schedule::failure_backoff`] draws (its
//! [`schedule::backoff_with_jitter`] takes the draw), so that every rule is tested with plain
//! values.

pub mod requests;
pub mod schedule;
mod script;
pub mod story;

pub use script::script_of;
