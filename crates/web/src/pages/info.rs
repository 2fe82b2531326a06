//! About, contact, privacy and terms: Markdown the operator edits in the admin, or in the data
//! directory's `pages/`, with xinwen's own text when neither has it.

use super::{html, respond};
use crate::views::{InfoPage, Layout};
use crate::{AppError, AppState};
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

const DEFAULT_ABOUT: &str = include_str!("../../pages/about.md");
const DEFAULT_CONTACT: &str = include_str!("../../pages/contact.md");
const DEFAULT_PRIVACY: &str = include_str!("../../pages/privacy.md");
const DEFAULT_TERMS: &str = include_str!("../../pages/terms.md");

pub async fn about(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render(&state, "about", &uri)).await
}

pub async fn contact(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render(&state, "contact", &uri)).await
}

pub async fn privacy(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render(&state, "privacy", &uri)).await
}

pub async fn terms(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render(&state, "terms", &uri)).await
}

/// The page's Markdown: as edited in the admin, else the operator's file, else xinwen's own.
pub(crate) async fn markdown_of(state: &AppState, name: &str) -> Result<String, AppError> {
    if let Some(edited) = state.store().site_page(name).await? {
        return Ok(edited);
    }
    let default = match name {
        "about" => DEFAULT_ABOUT,
        "contact" => DEFAULT_CONTACT,
        "privacy" => DEFAULT_PRIVACY,
        "terms" => DEFAULT_TERMS,
        _ => return Err(AppError::NotFound),
    };
    let path = state.site().pages_dir.join(format!("{name}.md"));
    match tokio::fs::read_to_string(&path).await {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(default.to_owned()),
        Err(e) => Err(AppError::Internal(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

async fn render(
    state: &AppState,
    name: &str,
    uri: &Uri,
) -> Result<crate::cache::CachedPage, AppError> {
    let markdown = markdown_of(state, name).await?;
    let title = markdown
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or(name)
        .trim()
        .to_owned();
    // The operator's own text, but still Markdown: raw HTML in it is shown as text, so a
    // compromised pages directory cannot inject script into every reader's browser.
    let parser = pulldown_cmark::Parser::new(&markdown).map(|event| match event {
        pulldown_cmark::Event::Html(raw) | pulldown_cmark::Event::InlineHtml(raw) => {
            pulldown_cmark::Event::Text(raw)
        }
        other => other,
    });
    let mut body_html = String::new();
    pulldown_cmark::html::push_html(&mut body_html, parser);
    let channels = state.store().channels().await?;
    let page = InfoPage {
        layout: Layout::new(state, &channels, title, uri.path()),
        body_html,
    };
    html(StatusCode::OK, &page)
}
