//! Webhooks in the admin (admins only): the addresses told of events, each with its secret
//! and its latest deliveries, and adding and deleting them.

use super::{AdminLayout, act, done, page};
use crate::auth::Editor;
use crate::forms::{Checker, Fields};
use crate::webhooks::EVENTS;
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;

/// Deliveries shown under each webhook.
const DELIVERIES_SHOWN: u32 = 10;

struct DeliveryRow {
    event: String,
    created: String,
    attempts: u32,
    /// `delivered`, `retrying` or `failed`.
    state: &'static str,
    label: String,
    error: String,
}

struct WebhookRow {
    id: i64,
    url: String,
    secret: String,
    events: String,
    created: String,
    deliveries: Vec<DeliveryRow>,
}

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
struct WebhooksPage {
    layout: AdminLayout,
    webhooks: Vec<WebhookRow>,
    events: &'static [(&'static str, &'static str)],
}

fn event_label(event: &str) -> &str {
    EVENTS
        .iter()
        .find(|(name, _)| *name == event)
        .map_or(event, |(_, label)| label)
}

pub async fn list(editor: Editor, State(state): State<AppState>, uri: Uri) -> Response {
    let result = async {
        editor.require_admin()?;
        let store = state.store();
        let mut webhooks = Vec::new();
        for w in store.webhooks().await? {
            let deliveries = store
                .webhook_deliveries(w.id, DELIVERIES_SHOWN)
                .await?
                .into_iter()
                .map(|d| {
                    let (state, label) = match (d.delivered_at, d.next_attempt_at) {
                        (Some(at), _) => (
                            "delivered",
                            format!("已送达 {}", crate::format::datetime_zh(at)),
                        ),
                        (None, Some(at)) => (
                            "retrying",
                            format!("将于 {} 重试", crate::format::datetime_zh(at)),
                        ),
                        (None, None) => ("failed", "已放弃".to_owned()),
                    };
                    DeliveryRow {
                        event: event_label(&d.event).to_owned(),
                        created: crate::format::datetime_zh(d.created_at),
                        attempts: d.attempts,
                        state,
                        label,
                        error: d.last_error.unwrap_or_default(),
                    }
                })
                .collect();
            webhooks.push(WebhookRow {
                id: w.id,
                url: w.url,
                secret: w.secret,
                events: w
                    .events
                    .iter()
                    .map(|e| event_label(e))
                    .collect::<Vec<_>>()
                    .join("、"),
                created: crate::format::datetime_zh(w.created_at),
                deliveries,
            });
        }
        Ok(WebhooksPage {
            layout: AdminLayout::new(&state, &editor, "Webhook", &uri).await?,
            webhooks,
            events: EVENTS,
        })
    };
    page(&state, result.await).await
}

pub async fn add(editor: Editor, State(state): State<AppState>, body: Bytes) -> Response {
    let result = async {
        editor.require_admin()?;
        let fields = Fields::parse(&body);
        let mut check = Checker::default();
        let url = check.text("地址", fields.get("url"), true, 2000, false);
        let parsed = url::Url::parse(&url)
            .ok()
            .filter(|u| xinwen_model::link::is_web_url(u.as_str()));
        check.require(parsed.is_some(), "“地址”不是完整的 http(s) 链接。");
        let events: Vec<&str> = EVENTS
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| fields.all("event").iter().any(|e| e == name))
            .collect();
        check.require(!events.is_empty(), "请至少选择一种事件。");
        if !check.is_ok() {
            return Err(AppError::BadRequest(check.errors.join(" ")));
        }
        // The address is checked where it enters, as every address from outside is: no
        // private or loopback host.
        let Some(fetcher) = state.fetcher() else {
            return Err(AppError::Conflict(
                "这个进程不向外发送请求（没有抓取器），不能添加 webhook。".into(),
            ));
        };
        if let Some(parsed) = &parsed
            && let Err(e) = fetcher.check_url(parsed)
        {
            return Err(AppError::BadRequest(match e {
                xinwen_fetch::FetchError::Refused { address, .. } => {
                    format!("地址指向非公网地址 {address}，本站不会向这样的地址发送。")
                }
                other => format!("不能向这个地址发送：{other}"),
            }));
        }
        let secret = xinwen_accounts::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
        state
            .store()
            .add_webhook(&url, &events, &secret, &editor.actor())
            .await?;
        Ok(done("/admin/webhooks", "webhook-added"))
    };
    act(&state, result.await).await
}

pub async fn delete(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        editor.require_admin()?;
        if !state.store().delete_webhook(id, &editor.actor()).await? {
            return Err(AppError::NotFound);
        }
        Ok(done("/admin/webhooks", "webhook-deleted"))
    };
    act(&state, result.await).await
}
