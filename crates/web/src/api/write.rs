//! Writing through the API, for programs with a token (`xinwen token add NAME --role ...`,
//! sent as `Authorization: Bearer TOKEN`): pausing and adding sources, adding an article by
//! its link, hiding, restoring and moving articles, and the submission and takedown queues
//! with their decisions.
//!
//! Each action goes through the same function as the admin's button for it (`admin::*`),
//! so it is checked the same way and written to the audit log under the token's name.

use super::{Problem, problem};
use crate::admin::{articles as admin_articles, moderation, sources as admin_sources};
use crate::forms::Fields;
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinwen_model::{Role, SubmissionStatus, TakedownStatus};
use xinwen_store::ApiToken;

/// The program writing, as its token says.
pub(crate) struct Writer {
    token: ApiToken,
}

impl Writer {
    fn actor(&self) -> xinwen_store::Actor {
        self.token.actor()
    }

    fn require_admin(&self) -> Result<(), AppError> {
        if self.token.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "this needs an admin's token; this one is an editor's".into(),
            ))
        }
    }
}

fn unauthorized(detail: &str) -> Response {
    let mut response = problem(StatusCode::UNAUTHORIZED, "unauthorized", detail.into());
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"xinwen\""),
    );
    response
}

impl FromRequestParts<AppState> for Writer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let Some(given) = given else {
            return Err(unauthorized(
                "this needs a token: send `Authorization: Bearer TOKEN` (see `xinwen token add`)",
            ));
        };
        let digest = xinwen_accounts::token_digest(given);
        let token = match state.store().api_token_by_digest(&digest).await {
            Ok(Some(token)) => token,
            Ok(None) => return Err(unauthorized("the token is not known, or was revoked")),
            Err(e) => return Err(super::problem_of(e.into())),
        };
        // A token has its own allowance besides its address's.
        if let Err(seconds) = state.api_limits().check(&format!(
            "{}{}",
            xinwen_store::TOKEN_ACTOR_PREFIX,
            token.name
        )) {
            return Err(super::too_many(seconds));
        }
        Ok(Writer { token })
    }
}

/// A JSON body, or a 400 (413 when too large) that says what was wrong with it.
fn body<T>(json: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    json.map(|Json(v)| v).map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!(
                "the JSON body is larger than the {} KB a write may send",
                super::MAX_BODY_BYTES / 1024
            ))
        } else {
            AppError::BadRequest(format!(
                "the JSON body is not understood: {}",
                e.body_text()
            ))
        }
    })
}

/// What an action answers with: the outcome as JSON, never cached.
fn answer(status: StatusCode, value: impl Serialize) -> Response {
    let mut response = (status, Json(value)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn outcome<T: Serialize>(result: Result<T, AppError>, status: StatusCode) -> Response {
    match result {
        Ok(value) => answer(status, value),
        Err(err) => super::problem_of(err),
    }
}

/// A source as added through the API.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct NewSourceIn {
    pub name: String,
    /// Its URL segment: lowercase letters, digits and hyphens.
    pub slug: String,
    /// How it is read: `feed` (the default), `page` (a list page whose article links are
    /// found), `sitemap`, or `wechat` (a WeChat account through its `bridges`).
    pub kind: Option<String>,
    /// The address read: the feed, the list page or the sitemap (not for `wechat`).
    pub feed_url: Option<String>,
    /// A WeChat account's bridge feeds, the preferred first.
    #[serde(default)]
    pub bridges: Vec<String>,
    /// A page source's narrowing: a CSS selector around its article links.
    pub link_selector: Option<String>,
    /// A page source's narrowing: a regular expression its article URLs match.
    pub link_pattern: Option<String>,
    /// `official`, `commercial` (the default), `self_media` or `readers`: shown to readers.
    pub publisher: Option<String>,
    pub homepage: Option<String>,
    pub follow_url: Option<String>,
    /// The channel its articles go to (a channel's slug).
    pub channel: String,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SourceState {
    pub slug: String,
    pub paused: bool,
}

/// Adds a source (admins' tokens only).
#[utoipa::path(
    post,
    path = "/api/v1/sources",
    tag = "write",
    request_body = NewSourceIn,
    security(("token" = [])),
    responses(
        (status = 201, description = "Added", body = SourceState),
        (status = 400, description = "A field is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin's token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A source has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn add_source(
    State(state): State<AppState>,
    writer: Writer,
    json: Result<Json<NewSourceIn>, JsonRejection>,
) -> Response {
    if let Err(refused) = writer.require_admin() {
        return super::problem_of(refused);
    }
    let input = match body(json) {
        Ok(input) => input,
        Err(refused) => return super::problem_of(refused),
    };
    let mut pairs = vec![
        ("name".to_owned(), input.name),
        ("slug".to_owned(), input.slug),
        ("channel".to_owned(), input.channel),
    ];
    pairs.push((
        "kind".to_owned(),
        input.kind.unwrap_or_else(|| "feed".to_owned()),
    ));
    pairs.push(("bridges".to_owned(), input.bridges.join("\n")));
    for (name, value) in [
        ("publisher", input.publisher),
        ("link_selector", input.link_selector),
        ("link_pattern", input.link_pattern),
        ("feed_url", input.feed_url),
        ("homepage", input.homepage),
        ("follow_url", input.follow_url),
        ("description", input.description),
    ] {
        if let Some(value) = value {
            pairs.push((name.to_owned(), value));
        }
    }
    let result = admin_sources::add_source(&state, &writer.actor(), &Fields::from_pairs(pairs))
        .await
        .map(|(_, source)| SourceState {
            slug: source.slug,
            paused: false,
        });
    outcome(result, StatusCode::CREATED)
}

/// An article to add by its link.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct LinkIn {
    /// The article's page (http or https).
    pub url: String,
    /// The source it is published under (a source's slug).
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AddedArticle {
    pub id: i64,
    /// Its page on this site.
    pub url: String,
}

/// Fetches the page at a link, extracts the article and publishes it under a source, as if
/// the source's feed had carried it.
#[utoipa::path(
    post,
    path = "/api/v1/articles",
    tag = "write",
    request_body = LinkIn,
    security(("token" = [])),
    responses(
        (status = 201, description = "Added (or, for a link already added, updated)", body = AddedArticle),
        (status = 400, description = "Not an http(s) address, or the page holds no article", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A takedown removed this work", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "This server does not fetch", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn add_article(
    State(state): State<AppState>,
    writer: Writer,
    json: Result<Json<LinkIn>, JsonRejection>,
) -> Response {
    let input = match body(json) {
        Ok(input) => input,
        Err(refused) => return super::problem_of(refused),
    };
    let Some(ingester) = state.inner.services.ingester.clone() else {
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_fetching",
            "this server does not fetch; send the link to the one that does".into(),
        );
    };
    let result = async {
        let id = ingester
            .add_link(&input.source, &input.url)
            .await
            .map_err(|e| match e {
                xinwen_ingest::AddLinkError::UnknownSource(_) => AppError::NotFound,
                xinwen_ingest::AddLinkError::Withheld => AppError::Conflict(e.to_string()),
                xinwen_ingest::AddLinkError::Store(e) => e.into(),
                other => AppError::BadRequest(other.to_string()),
            })?;
        state
            .store()
            .record_audit(
                &writer.actor(),
                "article.add",
                ("article", Some(id)),
                &input.url,
            )
            .await?;
        state.announce_change().await;
        Ok(AddedArticle {
            id,
            url: format!(
                "{}/article/{id}",
                state.site().base_url.trim_end_matches('/')
            ),
        })
    };
    outcome(result.await, StatusCode::CREATED)
}

async fn source_id(state: &AppState, slug: &str) -> Result<i64, AppError> {
    Ok(state
        .store()
        .source_by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)?
        .id)
}

/// Stops fetching a source; its articles stay.
#[utoipa::path(
    post,
    path = "/api/v1/sources/{slug}/pause",
    tag = "write",
    params(("slug" = String, Path, description = "The source's slug")),
    security(("token" = [])),
    responses(
        (status = 200, description = "Paused", body = SourceState),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn pause_source(
    State(state): State<AppState>,
    writer: Writer,
    Path(slug): Path<String>,
) -> Response {
    set_paused(state, writer, slug, true).await
}

/// Fetches a paused source again.
#[utoipa::path(
    post,
    path = "/api/v1/sources/{slug}/resume",
    tag = "write",
    params(("slug" = String, Path, description = "The source's slug")),
    security(("token" = [])),
    responses(
        (status = 200, description = "Fetched again", body = SourceState),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn resume_source(
    State(state): State<AppState>,
    writer: Writer,
    Path(slug): Path<String>,
) -> Response {
    set_paused(state, writer, slug, false).await
}

async fn set_paused(state: AppState, writer: Writer, slug: String, paused: bool) -> Response {
    let result = async {
        let id = source_id(&state, &slug).await?;
        admin_sources::pause_or_resume(&state, &writer.actor(), id, paused).await?;
        Ok(SourceState { slug, paused })
    };
    outcome(result.await, StatusCode::OK)
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArticleState {
    pub id: i64,
    /// Hidden from readers (its page answers 410).
    pub hidden: bool,
    /// Its channel's slug.
    pub channel: String,
}

async fn article_state(state: &AppState, id: i64) -> Result<ArticleState, AppError> {
    let article = state.store().article(id).await?.ok_or(AppError::NotFound)?;
    Ok(ArticleState {
        id,
        hidden: article.status != xinwen_model::ArticleStatus::Live,
        channel: article.channel.slug,
    })
}

fn article_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// Hides an article from readers: its page answers 410 and it leaves every list.
#[utoipa::path(
    post,
    path = "/api/v1/articles/{id}/hide",
    tag = "write",
    params(("id" = i64, Path, description = "The article's id")),
    security(("token" = [])),
    responses(
        (status = 200, description = "Hidden", body = ArticleState),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Removed by a takedown: it cannot be brought back", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn hide_article(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> Response {
    set_hidden(state, writer, id, true).await
}

/// Brings a hidden article back.
#[utoipa::path(
    post,
    path = "/api/v1/articles/{id}/restore",
    tag = "write",
    params(("id" = i64, Path, description = "The article's id")),
    security(("token" = [])),
    responses(
        (status = 200, description = "Shown again", body = ArticleState),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Removed by a takedown: it cannot be brought back", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn restore_article(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
) -> Response {
    set_hidden(state, writer, id, false).await
}

async fn set_hidden(state: AppState, writer: Writer, id: String, hidden: bool) -> Response {
    let result = async {
        let id = article_id(&id)?;
        article_state(&state, id).await?;
        admin_articles::hide_or_restore(&state, &writer.actor(), id, hidden).await?;
        article_state(&state, id).await
    };
    outcome(result.await, StatusCode::OK)
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ChannelIn {
    /// The channel's slug.
    pub channel: String,
}

/// Moves an article to another channel.
#[utoipa::path(
    put,
    path = "/api/v1/articles/{id}/channel",
    tag = "write",
    params(("id" = i64, Path, description = "The article's id")),
    request_body = ChannelIn,
    security(("token" = [])),
    responses(
        (status = 200, description = "Moved", body = ArticleState),
        (status = 400, description = "No such channel", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn move_article(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<String>,
    json: Result<Json<ChannelIn>, JsonRejection>,
) -> Response {
    let input = match body(json) {
        Ok(input) => input,
        Err(refused) => return super::problem_of(refused),
    };
    let result = async {
        let id = article_id(&id)?;
        article_state(&state, id).await?;
        admin_articles::move_to_channel(&state, &writer.actor(), id, &input.channel).await?;
        article_state(&state, id).await
    };
    outcome(result.await, StatusCode::OK)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct QueueParams {
    /// Which part of the queue: `pending` (the default, oldest first) or a decision.
    pub status: Option<String>,
    /// Page of 50, from 1.
    pub page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SubmissionOut {
    pub id: i64,
    pub receipt: String,
    /// `tip` or `article`.
    pub kind: String,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub author: Option<String>,
    /// How the reader can be reached, as they gave it.
    pub contact: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    /// The article it became, when published.
    pub article_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SubmissionList {
    pub items: Vec<SubmissionOut>,
    pub total: u64,
}

/// The deepest page of a queue the API reads, as the admin's pager stops.
const MAX_QUEUE_PAGES: u32 = 50;

fn page_param(page: Option<u32>) -> Result<u32, AppError> {
    match page {
        None => Ok(1),
        Some(n) if (1..=MAX_QUEUE_PAGES).contains(&n) => Ok(n),
        Some(n) => Err(AppError::BadRequest(format!(
            "page must be between 1 and {MAX_QUEUE_PAGES}, not {n}"
        ))),
    }
}

/// Readers' submissions in one state.
#[utoipa::path(
    get,
    path = "/api/v1/submissions",
    tag = "write",
    params(QueueParams),
    security(("token" = [])),
    responses(
        (status = 200, description = "A page of the queue", body = SubmissionList),
        (status = 400, description = "A parameter is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn submissions(
    State(state): State<AppState>,
    writer: Writer,
    query: Result<Query<QueueParams>, QueryRejection>,
) -> Response {
    let _ = &writer;
    let result = async {
        let p = super::read::params(query)?;
        let status = match p.status.as_deref() {
            None => SubmissionStatus::Pending,
            Some(s) => s.parse().map_err(|_| {
                AppError::BadRequest(format!("status {s:?} is none of the queue's states"))
            })?,
        };
        let page = state
            .store()
            .submissions(status, page_param(p.page)?, 50)
            .await?;
        Ok(SubmissionList {
            total: page.total,
            items: page
                .items
                .into_iter()
                .map(|s| SubmissionOut {
                    id: s.id,
                    receipt: s.receipt,
                    kind: s.kind.as_str().to_owned(),
                    title: s.title,
                    body: s.body,
                    url: s.url,
                    author: s.author,
                    contact: s.contact,
                    status: s.status.as_str().to_owned(),
                    created_at: s.created_at,
                    decided_at: s.decided_at,
                    decided_by: s.decided_by,
                    article_id: s.article_id,
                })
                .collect(),
        })
    };
    outcome(result.await, StatusCode::OK)
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PublishIn {
    /// The headline it is published under.
    pub title: String,
    /// The byline, if any.
    pub author: Option<String>,
    /// The channel (a slug); the readers' channel when absent.
    pub channel: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Published {
    pub article_id: i64,
    pub url: String,
}

/// Publishes a submission as an article of the readers' source.
#[utoipa::path(
    post,
    path = "/api/v1/submissions/{id}/approve",
    tag = "write",
    params(("id" = i64, Path, description = "The submission's id")),
    request_body = PublishIn,
    security(("token" = [])),
    responses(
        (status = 201, description = "Published", body = Published),
        (status = 400, description = "A field is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn approve_submission(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<i64>,
    json: Result<Json<PublishIn>, JsonRejection>,
) -> Response {
    let input = match body(json) {
        Ok(input) => input,
        Err(refused) => return super::problem_of(refused),
    };
    let mut pairs = vec![("title".to_owned(), input.title)];
    for (name, value) in [("author", input.author), ("channel", input.channel)] {
        if let Some(value) = value {
            pairs.push((name.to_owned(), value));
        }
    }
    let result = moderation::publish(&state, &writer.actor(), id, &Fields::from_pairs(pairs))
        .await
        .map(|article_id| Published {
            article_id,
            url: format!(
                "{}/article/{article_id}",
                state.site().base_url.trim_end_matches('/')
            ),
        });
    outcome(result, StatusCode::CREATED)
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Decided {
    pub id: i64,
    /// The state it is in now.
    pub status: String,
}

/// Rejects a submission.
#[utoipa::path(
    post,
    path = "/api/v1/submissions/{id}/reject",
    tag = "write",
    params(("id" = i64, Path, description = "The submission's id")),
    security(("token" = [])),
    responses(
        (status = 200, description = "Rejected", body = Decided),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn reject_submission(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<i64>,
) -> Response {
    dismiss(state, writer, id, SubmissionStatus::Rejected).await
}

/// Marks a submission as spam.
#[utoipa::path(
    post,
    path = "/api/v1/submissions/{id}/spam",
    tag = "write",
    params(("id" = i64, Path, description = "The submission's id")),
    security(("token" = [])),
    responses(
        (status = 200, description = "Marked as spam", body = Decided),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn spam_submission(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<i64>,
) -> Response {
    dismiss(state, writer, id, SubmissionStatus::Spam).await
}

async fn dismiss(state: AppState, writer: Writer, id: i64, status: SubmissionStatus) -> Response {
    let result = state
        .store()
        .dismiss_submission(id, status, &writer.actor())
        .await
        .map_err(AppError::from)
        .map(|()| Decided {
            id,
            status: status.as_str().to_owned(),
        });
    outcome(result, StatusCode::OK)
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TakedownOut {
    pub id: i64,
    pub receipt: String,
    pub claimant: String,
    pub contact: String,
    /// The addresses concerned, one per line, as the claimant gave them.
    pub pages: String,
    pub work: String,
    pub statement: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TakedownList {
    pub items: Vec<TakedownOut>,
    pub total: u64,
}

/// Rights holders' takedown requests in one state.
#[utoipa::path(
    get,
    path = "/api/v1/takedowns",
    tag = "write",
    params(QueueParams),
    security(("token" = [])),
    responses(
        (status = 200, description = "A page of the queue", body = TakedownList),
        (status = 400, description = "A parameter is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn takedowns(
    State(state): State<AppState>,
    writer: Writer,
    query: Result<Query<QueueParams>, QueryRejection>,
) -> Response {
    let _ = &writer;
    let result = async {
        let p = super::read::params(query)?;
        let status = match p.status.as_deref() {
            None => TakedownStatus::Pending,
            Some(s) => s.parse().map_err(|_| {
                AppError::BadRequest(format!("status {s:?} is none of the queue's states"))
            })?,
        };
        let page = state
            .store()
            .takedowns(status, page_param(p.page)?, 50)
            .await?;
        Ok(TakedownList {
            total: page.total,
            items: page
                .items
                .into_iter()
                .map(|t| TakedownOut {
                    id: t.id,
                    receipt: t.receipt,
                    claimant: t.claimant,
                    contact: t.contact,
                    pages: t.pages,
                    work: t.work,
                    statement: t.statement,
                    status: t.status.as_str().to_owned(),
                    created_at: t.created_at,
                    decided_at: t.decided_at,
                    decided_by: t.decided_by,
                    decision_note: t.decision_note,
                })
                .collect(),
        })
    };
    outcome(result.await, StatusCode::OK)
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RemovalIn {
    /// The articles to remove (ids).
    pub articles: Vec<i64>,
    /// That the claimant's identity and rights were checked: must be true.
    pub confirm: bool,
    /// A note for the record.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Removed {
    pub id: i64,
    /// Articles removed.
    pub removed: u64,
}

/// Approves a takedown: removes the articles, keeps copies of them out, purges what derives
/// from them.
#[utoipa::path(
    post,
    path = "/api/v1/takedowns/{id}/approve",
    tag = "write",
    params(("id" = i64, Path, description = "The request's id")),
    request_body = RemovalIn,
    security(("token" = [])),
    responses(
        (status = 200, description = "Approved", body = Removed),
        (status = 400, description = "Not confirmed, or no articles", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn approve_takedown(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<i64>,
    json: Result<Json<RemovalIn>, JsonRejection>,
) -> Response {
    let input = match body(json) {
        Ok(input) => input,
        Err(refused) => return super::problem_of(refused),
    };
    let mut pairs: Vec<(String, String)> = input
        .articles
        .iter()
        .map(|a| ("article".to_owned(), a.to_string()))
        .collect();
    if input.confirm {
        pairs.push(("confirm".into(), "yes".into()));
    }
    if let Some(note) = input.note {
        pairs.push(("note".into(), note));
    }
    let result =
        moderation::approve_removal(&state, &writer.actor(), id, &Fields::from_pairs(pairs))
            .await
            .map(|removed| Removed {
                id,
                removed: removed as u64,
            });
    outcome(result, StatusCode::OK)
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RefusalIn {
    /// Why: the claimant sees it.
    pub note: String,
}

/// Rejects a takedown, with the reason the claimant will see.
#[utoipa::path(
    post,
    path = "/api/v1/takedowns/{id}/reject",
    tag = "write",
    params(("id" = i64, Path, description = "The request's id")),
    request_body = RefusalIn,
    security(("token" = [])),
    responses(
        (status = 200, description = "Rejected", body = Decided),
        (status = 400, description = "No reason given", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn reject_takedown(
    State(state): State<AppState>,
    writer: Writer,
    Path(id): Path<i64>,
    json: Result<Json<RefusalIn>, JsonRejection>,
) -> Response {
    let input = match body(json) {
        Ok(input) => input,
        Err(refused) => return super::problem_of(refused),
    };
    let fields = Fields::from_pairs([("note".to_owned(), input.note)]);
    let result = moderation::refuse_removal(&state, &writer.actor(), id, &fields)
        .await
        .map(|()| Decided {
            id,
            status: TakedownStatus::Rejected.as_str().to_owned(),
        });
    outcome(result, StatusCode::OK)
}
