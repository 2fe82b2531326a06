//! `/submit`: readers send a news tip or an article; `/submit/status` tells them where it
//! stands. Both forms are guarded by a form token ([`crate::auth`]), a honeypot field, size
//! limits and rate limits per address and overall.

use super::private_page;
use crate::auth::{address_hash, connected, form_token};
use crate::format::datetime_zh;
use crate::forms::{Checker, Fields};
use crate::views::{Layout, ReceiptPage, StatusPage, StatusView, SubmitPage};
use crate::{AppError, AppState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use xinwen_model::{SubmissionKind, SubmissionStatus};
use xinwen_newsroom::requests;
use xinwen_store::NewSubmission;

pub const MAX_TIP_CHARS: usize = 5_000;
pub const MAX_ARTICLE_CHARS: usize = 50_000;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_CONTACT_CHARS: usize = 200;

pub async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result = async {
        let (csrf, cookie) = form_token(&state, &headers)?;
        let page = submit_page(&state, csrf, "tip", &Fields::default(), Vec::new()).await?;
        Ok::<_, AppError>((page, cookie))
    };
    match result.await {
        Ok((page, cookie)) => private_page(StatusCode::OK, &page, cookie),
        Err(e) => super::error_response(&state, e).await,
    }
}

async fn submit_page(
    state: &AppState,
    csrf: String,
    kind: &str,
    fields: &Fields,
    errors: Vec<String>,
) -> Result<SubmitPage, AppError> {
    let channels = state.store().channels().await?;
    Ok(SubmitPage {
        layout: Layout::new(state, &channels, "提交新闻线索和文章".into(), "/submit"),
        csrf,
        kind: kind.to_owned(),
        errors,
        title: fields.get("title").to_owned(),
        body: fields.get("body").to_owned(),
        url: fields.get("url").to_owned(),
        author: fields.get("author").to_owned(),
        contact: fields.get("contact").to_owned(),
        max_tip: MAX_TIP_CHARS,
        max_article: MAX_ARTICLE_CHARS,
    })
}

/// Why a public form is not stored.
pub(crate) enum Refusal {
    /// Show the form again, with what was typed, the reasons, and this status.
    Again(StatusCode, Vec<String>),
    Failed(AppError),
}

/// Whether a checked form may be stored: its fields are right and the hourly limits allow.
pub(crate) async fn vet(state: &AppState, address: &str, check: Checker) -> Result<(), Refusal> {
    if !check.is_ok() {
        return Err(Refusal::Again(
            StatusCode::UNPROCESSABLE_ENTITY,
            check.errors,
        ));
    }
    match within_rate_limits(state, address).await {
        Ok(()) => Ok(()),
        Err(AppError::TooMany(why)) => {
            Err(Refusal::Again(StatusCode::TOO_MANY_REQUESTS, vec![why]))
        }
        Err(other) => Err(Refusal::Failed(other)),
    }
}

/// Checks the hourly limits, per address and overall, before anything is stored.
async fn within_rate_limits(state: &AppState, address: &str) -> Result<(), AppError> {
    let since = chrono::Utc::now() - requests::FORM_LIMIT_WINDOW;
    let site = state.site();
    let store = state.store();
    let limits = requests::FormLimits {
        per_address: site.requests_per_address_hour,
        overall: site.requests_per_hour,
    };
    let from_address = store.requests_since(Some(address), since).await?;
    let from_everyone = store.requests_since(None, since).await?;
    requests::within_form_limits(from_address, from_everyone, limits).map_err(|reached| {
        AppError::TooMany(match reached {
            requests::LimitReached::Address(limit) => format!(
                "同一网络地址每小时最多提交 {limit} 次，请一小时后再试。您填写的内容仍在下面。"
            ),
            requests::LimitReached::Site => {
                "目前提交的人太多，请稍后再试。您填写的内容仍在下面。".into()
            }
        })
    })
}

/// What a bot that filled the hidden field is told: the same as a person, so that it learns
/// nothing, but nothing is stored.
pub(crate) fn honeypot_answer(received_href: &str) -> Response {
    tracing::info!("form with the honeypot filled in ignored");
    metrics::counter!("xinwen_form_honeypot_total").increment(1);
    super::see_other(received_href)
}

/// The receipt page a sent form leads to: a GET, so that reloading it, or coming back to it,
/// sends nothing again (Post/Redirect/Get).
pub(crate) fn receipt_location(received_href: &str, receipt: &str) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("receipt", receipt)
        .finish();
    format!("{received_href}?{query}")
}

/// What a sender sees once the form is stored. A receipt that is not on record (mistyped, or
/// a bot's) gets the same thanks without a number.
pub(crate) async fn receipt_page(
    state: &AppState,
    form_href: &str,
    status_href: &str,
    heading: &str,
    message: &str,
    receipt: Option<String>,
) -> Response {
    let page = async {
        let channels = state.store().channels().await?;
        Ok::<_, AppError>(ReceiptPage {
            layout: Layout::new(state, &channels, heading.to_owned(), form_href),
            heading: heading.to_owned(),
            message: message.to_owned(),
            receipt,
            status_href: status_href.to_owned(),
        })
    };
    match page.await {
        Ok(page) => private_page(StatusCode::OK, &page, None),
        Err(e) => super::error_response(state, e).await,
    }
}

pub async fn received(State(state): State<AppState>, uri: Uri) -> Response {
    let receipt = receipt_of(&uri);
    let known = match receipt.is_empty() {
        true => Ok(None),
        false => state.store().submission_by_receipt(&receipt).await,
    };
    match known {
        Ok(found) => {
            receipt_page(
                &state,
                "/submit",
                "/submit/status",
                "已收到您的投稿",
                "感谢您的投稿。编辑审核后会决定是否采用，采用的内容会注明“读者投稿”发布。",
                found.map(|_| receipt),
            )
            .await
        }
        Err(e) => super::error_response(&state, e.into()).await,
    }
}

pub async fn send(
    State(state): State<AppState>,
    headers: HeaderMap,
    request_parts: axum::http::Extensions,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if !fields.get("website").is_empty() {
        return honeypot_answer("/submit/received");
    }
    let address = address_hash(&state, &headers, connected(&request_parts));
    let csrf = fields.get(crate::auth::CSRF_FIELD).to_owned();
    let kind = if fields.get("kind") == "article" {
        SubmissionKind::Article
    } else {
        SubmissionKind::Tip
    };
    let mut check = Checker::default();
    let new = match kind {
        SubmissionKind::Tip => NewSubmission {
            kind,
            title: String::new(),
            body: check.text("线索内容", fields.get("body"), true, MAX_TIP_CHARS, true),
            url: check.url("相关链接", fields.get("url"), false),
            author: None,
            contact: Some(check.text(
                "联系方式",
                fields.get("contact"),
                false,
                MAX_CONTACT_CHARS,
                false,
            )),
            address_hash: address.clone(),
        },
        SubmissionKind::Article => NewSubmission {
            kind,
            title: check.text("标题", fields.get("title"), true, MAX_TITLE_CHARS, false),
            body: check.text("正文", fields.get("body"), true, MAX_ARTICLE_CHARS, true),
            url: check.url("原文链接", fields.get("url"), false),
            author: Some(check.text(
                "作者署名",
                fields.get("author"),
                false,
                MAX_NAME_CHARS,
                false,
            )),
            contact: Some(check.text(
                "联系方式",
                fields.get("contact"),
                false,
                MAX_CONTACT_CHARS,
                false,
            )),
            address_hash: address.clone(),
        },
    };
    let new = NewSubmission {
        author: new.author.filter(|a| !a.is_empty()),
        contact: new.contact.filter(|c| !c.is_empty()),
        ..new
    };
    if let Err(refusal) = vet(&state, &address, check).await {
        return match refusal {
            Refusal::Again(status, errors) => {
                match submit_page(&state, csrf, kind.as_str(), &fields, errors).await {
                    Ok(page) => private_page(status, &page, None),
                    Err(e) => super::error_response(&state, e).await,
                }
            }
            Refusal::Failed(e) => super::error_response(&state, e).await,
        };
    }
    let stored = async {
        let receipt =
            xinwen_accounts::new_receipt('S').map_err(|e| AppError::Internal(e.to_string()))?;
        state.store().add_submission(&new, &receipt).await?;
        metrics::counter!("xinwen_submissions_total", "kind" => kind.as_str()).increment(1);
        Ok::<_, AppError>(receipt)
    };
    match stored.await {
        Ok(receipt) => super::see_other(&receipt_location("/submit/received", &receipt)),
        Err(e) => super::error_response(&state, e).await,
    }
}

/// The receipt from `?receipt=`, upper-cased and trimmed: readers retype it.
pub(crate) fn receipt_of(uri: &Uri) -> String {
    url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "receipt")
        .map(|(_, v)| v.trim().to_ascii_uppercase().chars().take(40).collect())
        .unwrap_or_default()
}

pub async fn status(State(state): State<AppState>, uri: Uri) -> Response {
    let receipt = receipt_of(&uri);
    let page = async {
        let found = if receipt.is_empty() {
            None
        } else {
            state.store().submission_by_receipt(&receipt).await?
        };
        let channels = state.store().channels().await?;
        Ok::<_, AppError>(StatusPage {
            layout: Layout::new(&state, &channels, "查询投稿进度".into(), "/submit/status"),
            heading: "查询投稿进度".into(),
            action: "/submit/status".into(),
            asked: !receipt.is_empty(),
            receipt,
            found: found.map(|s| StatusView {
                received: datetime_zh(s.created_at),
                label: s.status.label_zh().to_owned(),
                note: None,
                article_href: (s.status == SubmissionStatus::Approved)
                    .then(|| s.article_id.map(|id| format!("/article/{id}")))
                    .flatten(),
            }),
        })
    };
    match page.await {
        Ok(page) => private_page(StatusCode::OK, &page, None),
        Err(e) => super::error_response(&state, e).await,
    }
}
