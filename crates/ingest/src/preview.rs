//! A page an editor wants to see before deciding on a reader's submission: fetched like any
//! article page (through the private-address guard, politely, within the limits) and
//! extracted, but never stored.

use xinwen_fetch::{FetchError, Fetcher, Outcome, Request};

/// What the editor sees of a submitted page.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// Where the page was in the end, after redirects.
    pub url: String,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// The article's text, a line per paragraph: text only, so that opening a preview makes
    /// the editor's browser load nothing from the submitted site.
    pub text: String,
    pub is_article: bool,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreviewError {
    #[error("{0:?} is not an http or https address")]
    NotAUrl(String),
    #[error(transparent)]
    Fetch(#[from] FetchError),
}

/// Fetches and extracts `url`. A private or local address is refused by the guard with the
/// reason, like every other fetch.
pub async fn preview(fetcher: &Fetcher, url: &str) -> Result<Preview, PreviewError> {
    let parsed = url::Url::parse(url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| PreviewError::NotAUrl(url.to_owned()))?;
    let response = match fetcher.fetch(&Request::page(parsed.clone())).await? {
        Outcome::Fetched(response) => response,
        Outcome::NotModified { .. } => {
            return Err(FetchError::Status {
                url: parsed.to_string(),
                status: 304,
                retry_after: None,
            }
            .into());
        }
    };
    let page_url = response.url.to_string();
    let article =
        xinwen_extract::extract(&response.body, Some(&page_url), response.charset.as_deref());
    Ok(Preview {
        url: page_url,
        title: article.title,
        authors: article.authors,
        published_at: article.published_at,
        text: article.text,
        is_article: article.is_article,
        warnings: article.warnings,
    })
}
