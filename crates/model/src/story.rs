//! Stories: the articles of several sources that tell one event, as the site shows them.

use crate::Publisher;
use chrono::{DateTime, Utc};

/// One article of a story, for its timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryArticle {
    pub id: i64,
    pub title: String,
    pub source_slug: String,
    pub source_name: String,
    /// What kind of publisher the source is, shown beside its name on the timeline.
    pub source_publisher: Publisher,
    pub published_at: DateTime<Utc>,
    pub live: bool,
    pub credited_source: Option<String>,
}

/// A story with its coverage, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    pub id: i64,
    pub original_article_id: Option<i64>,
    pub lead_article_id: Option<i64>,
    pub articles: Vec<StoryArticle>,
}

impl Story {
    /// Distinct sources with a live article in the story.
    pub fn source_count(&self) -> usize {
        let mut sources: Vec<&str> = self
            .articles
            .iter()
            .filter(|a| a.live)
            .map(|a| a.source_slug.as_str())
            .collect();
        sources.sort_unstable();
        sources.dedup();
        sources.len()
    }
}

/// A story on the 热点 list.
#[derive(Debug, Clone, PartialEq)]
pub struct HotStory {
    pub story_id: i64,
    pub lead_article_id: i64,
    pub source_count: u32,
    pub score: f64,
}
