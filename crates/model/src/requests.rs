//! What readers and rights holders send the newsroom: submissions (tips and articles) and
//! takedown requests, as the public forms give them and as the queues keep them.

use crate::{SubmissionKind, SubmissionStatus, TakedownStatus};
use chrono::{DateTime, Utc};

/// A reader's submission as the public form gives it, already cleaned and within limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubmission {
    pub kind: SubmissionKind,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub author: Option<String>,
    pub contact: Option<String>,
    pub address_hash: String,
}

/// A submission in the editors' queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub id: i64,
    pub receipt: String,
    pub kind: SubmissionKind,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub author: Option<String>,
    pub contact: Option<String>,
    pub status: SubmissionStatus,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub article_id: Option<i64>,
}

/// A rights holder's request as the public form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTakedown {
    pub claimant: String,
    pub contact: String,
    /// The addresses concerned, one per line.
    pub pages: String,
    pub work: String,
    pub statement: String,
    pub address_hash: String,
}

/// A takedown request in the editors' queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Takedown {
    pub id: i64,
    pub receipt: String,
    pub claimant: String,
    pub contact: String,
    pub pages: String,
    pub work: String,
    pub statement: String,
    pub status: TakedownStatus,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
}
