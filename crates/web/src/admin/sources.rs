//! Sources in the admin: their health as ingest records it, and adding, editing, pausing and
//! deleting them. Editors may pause and resume; adding, editing and deleting are for admins.

use super::{AdminLayout, act, done, page};
use crate::auth::Editor;
use crate::format::datetime_zh;
use crate::forms::{Checker, Fields};
use crate::views::SourceStatus;
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use xinwen_model::{Channel, NewSource, SourceKind};

struct SourceRow {
    id: i64,
    slug: String,
    name: String,
    kind: &'static str,
    feed_url: String,
    paused: bool,
    state: &'static str,
    label: &'static str,
    last_success: String,
    last_error: String,
    failures: u32,
    articles_added: u64,
    next_check: String,
}

#[derive(Template)]
#[template(path = "admin/sources.html")]
struct SourcesPage {
    layout: AdminLayout,
    rows: Vec<SourceRow>,
    channels: Vec<Channel>,
    kinds: Vec<(&'static str, &'static str)>,
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    [SourceKind::Wechat, SourceKind::NewsSite, SourceKind::Other]
        .iter()
        .map(|k| (k.as_str(), k.label_zh()))
        .collect()
}

pub async fn list(editor: Editor, State(state): State<AppState>, uri: Uri) -> Response {
    let result = async {
        let store = state.store();
        let stale_after = state.site().stale_after;
        let rows = store
            .sources_with_health()
            .await?
            .into_iter()
            .map(|s| {
                let status = SourceStatus::new(&s.source, &s.health, stale_after);
                SourceRow {
                    id: s.source.id,
                    slug: s.source.slug.clone(),
                    name: s.source.name.clone(),
                    kind: s.source.kind.label_zh(),
                    feed_url: s.source.feed_url.clone().unwrap_or_default(),
                    paused: s.source.paused,
                    state: status.as_ref().map_or("none", |st| st.state),
                    label: status.as_ref().map_or("无订阅源", |st| st.label),
                    last_success: s
                        .health
                        .last_success_at
                        .map(datetime_zh)
                        .unwrap_or_default(),
                    last_error: s.health.last_error.clone().unwrap_or_default(),
                    failures: s.health.consecutive_failures,
                    articles_added: s.health.articles_added,
                    next_check: s.health.next_check_at.map(datetime_zh).unwrap_or_default(),
                }
            })
            .collect();
        Ok(SourcesPage {
            layout: AdminLayout::new(&state, &editor, "来源", &uri).await?,
            rows,
            channels: store.channels().await?,
            kinds: kinds(),
        })
    };
    page(&state, result.await).await
}

/// Reads the source form; the slug is kept from `existing` when editing.
fn read_source(
    fields: &Fields,
    existing_slug: Option<&str>,
    channels: &[Channel],
) -> Result<NewSource, AppError> {
    let mut check = Checker::default();
    let name = check.text("名称", fields.get("name"), true, 100, false);
    let slug = match existing_slug {
        Some(slug) => slug.to_owned(),
        None => {
            let slug = check.text("网址名", fields.get("slug"), true, 60, false);
            check.require(
                !slug.is_empty()
                    && slug
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "网址名只能由小写字母、数字和连字符组成。",
            );
            slug
        }
    };
    let url = |check: &mut Checker, label: &str, name: &str| {
        let value = check.text(label, fields.get(name), false, 2000, false);
        if value.is_empty() {
            return None;
        }
        check.require(
            xinwen_model::link::is_web_url(&value),
            &format!("“{label}”不是完整的 http(s) 链接。"),
        );
        Some(value)
    };
    let feed_url = url(&mut check, "订阅源地址", "feed_url");
    let homepage = url(&mut check, "主页", "homepage");
    let follow_url = url(&mut check, "关注链接", "follow_url");
    let kind = fields
        .get("kind")
        .parse::<SourceKind>()
        .unwrap_or(SourceKind::NewsSite);
    let channel = fields.get("channel");
    // Without a channel that exists, every article of the source would fail to be stored.
    check.require(
        channels.iter().any(|c| c.slug == channel),
        "请选择一个现有的默认频道。",
    );
    let description = check.text("简介", fields.get("description"), false, 1000, true);
    if !check.is_ok() {
        return Err(AppError::BadRequest(check.errors.join(" ")));
    }
    Ok(NewSource {
        slug,
        name,
        kind,
        homepage,
        feed_url,
        follow_url,
        qr_image: None,
        channel_slug: Some(channel.to_owned()),
        description,
    })
}

pub async fn add(editor: Editor, State(state): State<AppState>, body: Bytes) -> Response {
    let result = async {
        editor.require_admin()?;
        add_source(&state, &editor.actor(), &Fields::parse(&body)).await?;
        Ok(done("/admin/sources", "source-added"))
    };
    act(&state, result.await).await
}

/// Adds the source `fields` describe, checked as the admin's form checks it; returns it.
pub(crate) async fn add_source(
    state: &AppState,
    actor: &xinwen_store::Actor,
    fields: &Fields,
) -> Result<(i64, NewSource), AppError> {
    let channels = state.store().channels().await?;
    let source = read_source(fields, None, &channels)?;
    let id = state.store().insert_source(&source).await?;
    state
        .store()
        .record_audit(actor, "source.add", ("source", Some(id)), &source.slug)
        .await?;
    state.invalidate_pages();
    Ok((id, source))
}

#[derive(Template)]
#[template(path = "admin/source.html")]
struct SourcePage {
    layout: AdminLayout,
    id: i64,
    slug: String,
    name: String,
    kind: String,
    feed_url: String,
    homepage: String,
    follow_url: String,
    channel: String,
    description: String,
    channels: Vec<Channel>,
    kinds: Vec<(&'static str, &'static str)>,
    charts: Vec<super::Chart>,
}

pub async fn edit(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
) -> Response {
    let result = async {
        editor.require_admin()?;
        let store = state.store();
        let source = store.source_by_id(id).await?.ok_or(AppError::NotFound)?;
        let channels = store.channels().await?;
        let channel = channels
            .iter()
            .find(|c| Some(c.id) == source.channel_id)
            .map(|c| c.slug.clone())
            .unwrap_or_default();
        let now = chrono::Utc::now();
        let (days, labels) = super::chart_days(now);
        let fetches = store.fetch_days(Some(id), 30, now).await?;
        let articles = crate::charts::Series {
            name: "新收文章".into(),
            colour: crate::charts::PALETTE[0],
            values: days
                .iter()
                .map(|d| {
                    fetches
                        .iter()
                        .find(|f| f.day == *d)
                        .map_or(0, |f| f.articles)
                })
                .collect(),
        };
        let charts = vec![
            super::chart(
                "近30天的抓取",
                "chart-source-fetches",
                &labels,
                super::fetch_series(&fetches, &days),
                false,
            ),
            super::chart(
                "近30天新收的文章",
                "chart-source-articles",
                &labels,
                vec![articles],
                false,
            ),
        ];
        Ok(SourcePage {
            layout: AdminLayout::new(&state, &editor, &format!("编辑来源：{}", source.name), &uri)
                .await?,
            id,
            slug: source.slug,
            name: source.name,
            kind: source.kind.as_str().to_owned(),
            feed_url: source.feed_url.unwrap_or_default(),
            homepage: source.homepage.unwrap_or_default(),
            follow_url: source.follow_url.unwrap_or_default(),
            channel,
            description: source.description,
            channels,
            kinds: kinds(),
            charts,
        })
    };
    page(&state, result.await).await
}

pub async fn save(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        editor.require_admin()?;
        let store = state.store();
        let existing = store.source_by_id(id).await?.ok_or(AppError::NotFound)?;
        let channels = store.channels().await?;
        let mut source = read_source(&Fields::parse(&body), Some(&existing.slug), &channels)?;
        source.qr_image = existing.qr_image;
        store.upsert_source(&source).await?;
        store
            .record_audit(
                &editor.actor(),
                "source.edit",
                ("source", Some(id)),
                &source.slug,
            )
            .await?;
        state.invalidate_pages();
        Ok(done("/admin/sources", "source-saved"))
    };
    act(&state, result.await).await
}

pub async fn pause(editor: Editor, State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    set_paused(editor, state, id, true).await
}

pub async fn resume(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Response {
    set_paused(editor, state, id, false).await
}

async fn set_paused(editor: Editor, state: AppState, id: i64, paused: bool) -> Response {
    let result = async {
        pause_or_resume(&state, &editor.actor(), id, paused).await?;
        Ok(done(
            "/admin/sources",
            if paused { "paused" } else { "resumed" },
        ))
    };
    act(&state, result.await).await
}

pub async fn delete(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        editor.require_admin()?;
        let fields = Fields::parse(&body);
        // Asked on the source's page with a box to tick; a stray click deletes nothing.
        if fields.get("confirm") != "yes" {
            return Err(AppError::BadRequest(
                "请勾选“确认删除”后再删除来源。".into(),
            ));
        }
        let with_articles = fields.get("with_articles") == "yes";
        let removed = state.store().remove_source(id, with_articles).await?;
        state
            .store()
            .record_audit(
                &editor.actor(),
                "source.delete",
                ("source", Some(id)),
                &format!("一并删除 {removed} 篇文章"),
            )
            .await?;
        crate::admin::moderation::after_change(&state).await;
        Ok(done("/admin/sources", "deleted"))
    };
    act(&state, result.await).await
}

/// Stops fetching a source (its articles stay) or starts again.
pub(crate) async fn pause_or_resume(
    state: &AppState,
    actor: &xinwen_store::Actor,
    id: i64,
    paused: bool,
) -> Result<(), AppError> {
    state.store().set_source_paused(id, paused).await?;
    let action = if paused {
        "source.pause"
    } else {
        "source.resume"
    };
    state
        .store()
        .record_audit(actor, action, ("source", Some(id)), "")
        .await?;
    state.invalidate_pages();
    Ok(())
}
