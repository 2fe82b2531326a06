//! Measuring xinwen against public benchmarks, in the benchmarks' own terms.
//!
//! This crate reads evaluation datasets from `../shared/data` (they never enter the
//! repository) and computes their published metrics, so that our figures compare with the
//! figures others report. It is used by `xinwen eval` and by nothing in the product.

pub mod extraction;
pub mod links;

/// A dataset that cannot be read, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {message}")]
    Dataset { path: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}
