//! `/takedown`: rights holders ask for articles to be removed; `/takedown/status` tells them
//! the decision; `/transparency` publishes the counts by month.

use super::submit::{Refusal, honeypot_answer, receipt_location, receipt_of, receipt_page, vet};
use super::{html, private_page, respond};
use crate::auth::{address_hash, connected, form_token};
use crate::format::datetime_zh;
use crate::forms::{Checker, Fields};
use crate::views::{Layout, StatusPage, StatusView, TakedownPage, TransparencyPage};
use crate::{AppError, AppState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use xinwen_store::{MonthCounts, NewTakedown};

const MAX_PAGES_CHARS: usize = 10_000;
/// Links in one request: more is a list for a lawyer, not a form.
const MAX_PAGES: usize = 50;
const MAX_TEXT_CHARS: usize = 5_000;

pub async fn form(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    // "Report this article" links here with the article's id, to fill in its address.
    let article = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "article")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    let result = async {
        let (csrf, cookie) = form_token(&state, &headers)?;
        let mut page = takedown_page(&state, csrf, &Fields::default(), Vec::new()).await?;
        if let Some(id) = article {
            page.pages = format!("{}/article/{id}", state.site().base_url);
        }
        Ok::<_, AppError>((page, cookie))
    };
    match result.await {
        Ok((page, cookie)) => private_page(StatusCode::OK, &page, cookie),
        Err(e) => super::error_response(&state, e).await,
    }
}

async fn takedown_page(
    state: &AppState,
    csrf: String,
    fields: &Fields,
    errors: Vec<String>,
) -> Result<TakedownPage, AppError> {
    let channels = state.store().channels().await?;
    Ok(TakedownPage {
        layout: Layout::new(state, &channels, "侵权投诉与删除请求".into(), "/takedown"),
        csrf,
        errors,
        claimant: fields.get("claimant").to_owned(),
        contact: fields.get("contact").to_owned(),
        pages: fields.get("pages").to_owned(),
        work: fields.get("work").to_owned(),
        statement: fields.get("statement").to_owned(),
        confirmed: fields.get("confirm") == "yes",
    })
}

pub async fn send(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if !fields.get("website").is_empty() {
        return honeypot_answer("/takedown/received");
    }
    let address = address_hash(&state, &headers, connected(&extensions));
    let csrf = fields.get(crate::auth::CSRF_FIELD).to_owned();
    let mut check = Checker::default();
    let new = NewTakedown {
        claimant: check.text("权利人", fields.get("claimant"), true, 100, false),
        contact: check.text("联系方式", fields.get("contact"), true, 200, false),
        pages: check.text(
            "涉及的页面",
            fields.get("pages"),
            true,
            MAX_PAGES_CHARS,
            true,
        ),
        work: check.text("作品说明", fields.get("work"), true, MAX_TEXT_CHARS, true),
        statement: check.text("声明", fields.get("statement"), true, MAX_TEXT_CHARS, true),
        address_hash: address.clone(),
    };
    let lines: Vec<&str> = new
        .pages
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    check.require(
        lines.len() <= MAX_PAGES,
        &format!("一次请求最多列出 {MAX_PAGES} 个页面。"),
    );
    for line in &lines {
        check.require(
            line.starts_with("http://") || line.starts_with("https://"),
            &format!("“{line}”不是完整的链接；请每行填写一个以 http:// 或 https:// 开头的链接。"),
        );
    }
    check.require(
        fields.get("confirm") == "yes",
        "请勾选确认：以上信息真实，且您是权利人或其授权代理人。",
    );
    if let Err(refusal) = vet(&state, &address, check).await {
        return match refusal {
            Refusal::Again(status, errors) => {
                match takedown_page(&state, csrf, &fields, errors).await {
                    Ok(page) => private_page(status, &page, None),
                    Err(e) => super::error_response(&state, e).await,
                }
            }
            Refusal::Failed(e) => super::error_response(&state, e).await,
        };
    }
    let stored = async {
        let receipt =
            xinwen_accounts::new_receipt('T').map_err(|e| AppError::Internal(e.to_string()))?;
        state.store().add_takedown(&new, &receipt).await?;
        metrics::counter!("xinwen_takedown_requests_total").increment(1);
        Ok::<_, AppError>(receipt)
    };
    match stored.await {
        Ok(receipt) => super::see_other(&receipt_location("/takedown/received", &receipt)),
        Err(e) => super::error_response(&state, e).await,
    }
}

pub async fn received(State(state): State<AppState>, uri: Uri) -> Response {
    let receipt = receipt_of(&uri);
    let known = match receipt.is_empty() {
        true => Ok(None),
        false => state.store().takedown_by_receipt(&receipt).await,
    };
    match known {
        Ok(found) => {
            receipt_page(
                &state,
                "/takedown",
                "/takedown/status",
                "已收到您的请求",
                "编辑会核实您的请求并尽快处理。批准后，相关文章会从本站各处删除。",
                found.map(|_| receipt),
            )
            .await
        }
        Err(e) => super::error_response(&state, e.into()).await,
    }
}

pub async fn status(State(state): State<AppState>, uri: Uri) -> Response {
    let receipt = receipt_of(&uri);
    let page = async {
        let found = if receipt.is_empty() {
            None
        } else {
            state.store().takedown_by_receipt(&receipt).await?
        };
        let channels = state.store().channels().await?;
        Ok::<_, AppError>(StatusPage {
            layout: Layout::new(&state, &channels, "查询删除请求".into(), "/takedown/status"),
            heading: "查询删除请求".into(),
            action: "/takedown/status".into(),
            asked: !receipt.is_empty(),
            receipt,
            found: found.map(|t| StatusView {
                received: datetime_zh(t.created_at),
                label: t.status.label_zh().to_owned(),
                note: t.decision_note.filter(|n| !n.is_empty()),
                article_href: None,
            }),
        })
    };
    match page.await {
        Ok(page) => private_page(StatusCode::OK, &page, None),
        Err(e) => super::error_response(&state, e).await,
    }
}

pub async fn transparency(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, async {
        let months = state.store().transparency().await?;
        let mut totals = MonthCounts::default();
        for m in &months {
            totals.takedowns_received += m.takedowns_received;
            totals.takedowns_approved += m.takedowns_approved;
            totals.takedowns_rejected += m.takedowns_rejected;
            totals.articles_removed += m.articles_removed;
            totals.submissions_received += m.submissions_received;
            totals.submissions_published += m.submissions_published;
        }
        let channels = state.store().channels().await?;
        let page = TransparencyPage {
            layout: Layout::new(&state, &channels, "透明度报告".into(), "/transparency"),
            months,
            totals,
        };
        html(StatusCode::OK, &page)
    })
    .await
}
