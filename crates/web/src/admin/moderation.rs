//! The two queues: readers' submissions (preview a submitted link, publish, reject, mark as
//! spam) and rights holders' takedown requests (approve, reject). Approving a takedown removes
//! the articles everywhere at once: the store marks them removed and tombstones them, then
//! [`purge`] takes them out of the search index, the media cache and every rendered page.

use super::{AdminLayout, AdminPager, act, done, page, page_number, query_value};
use crate::auth::Editor;
use crate::filters;
use crate::format::datetime_zh;
use crate::forms::{Checker, Fields};
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use xinwen_model::{
    Channel, Submission, SubmissionKind, SubmissionStatus, Takedown, TakedownStatus,
};
use xinwen_newsroom::requests::{self, READERS_CHANNEL, READERS_SOURCE, RemovalRefused};
use xinwen_store::{ArticleRef, RemovedArticle};

/// After a change readers must see at once: the index catches up with the store now rather
/// than in a few seconds, and every rendered page is forgotten, on this node and the others.
pub async fn after_change(state: &AppState) {
    if let Some(index) = state.search()
        && let Err(e) = index.catch_up(state.store(), |_| {}).await
    {
        // The indexer's own loop will try again; the store is already right.
        tracing::error!(error = %e, "the search index could not catch up after a change");
    }
    state.announce_change().await;
}

/// Takes what takedown `id` removed out of everything derived from it, and records that it
/// did. Should the process die before that record, [`repair_takedowns`] does it all again at
/// the next start.
pub async fn purge(state: &AppState, id: i64, removed: &[RemovedArticle]) {
    let media_done = match state.media() {
        Some(media) => purge_media(media, removed).await,
        None => true,
    };
    after_change(state).await;
    if media_done && let Err(e) = state.store().takedown_purged(id).await {
        tracing::error!(error = %e, takedown = id, "the purge could not be recorded; it is done again at the next start");
    }
}

async fn purge_media(media: &xinwen_media::MediaProxy, removed: &[RemovedArticle]) -> bool {
    let srcs: Vec<String> = removed.iter().flat_map(|r| r.image_srcs.clone()).collect();
    match media.purge(&srcs).await {
        Ok(n) => {
            tracing::info!(images = n, "images of removed articles blocked");
            true
        }
        Err(e) => {
            tracing::error!(error = %e, "the media cache could not be purged");
            false
        }
    }
}

/// Finishes the purges that a crash cut short: every approved takedown not recorded as
/// purged has its images blocked and deleted and its stories worked out again. Run at start,
/// before the first request (the search index needs nothing: it catches up from the store,
/// and hits are checked against the store before they are shown). Returns how many
/// takedowns it finished.
pub async fn repair_takedowns(
    store: &xinwen_store::Store,
    media: &xinwen_media::MediaProxy,
) -> Result<usize, xinwen_store::Error> {
    let unfinished = store.unpurged_takedowns().await?;
    for (id, removed) in &unfinished {
        if purge_media(media, removed).await {
            store.takedown_purged(*id).await?;
        }
    }
    if !unfinished.is_empty() {
        tracing::warn!(
            takedowns = unfinished.len(),
            "finished purging takedowns that an earlier run approved but did not purge"
        );
    }
    Ok(unfinished.len())
}

/// A test hook: with `XINWEN_CRASH_AT=NAME` in its environment, the process dies at the point
/// called NAME, the way a power cut there would (no destructors, no flushing). The crash
/// tests and `scripts/faults.sh` use it to reach windows too narrow for a timed kill.
fn crash_point(name: &str) {
    if std::env::var("XINWEN_CRASH_AT").is_ok_and(|at| at == name) {
        eprintln!("xinwen: XINWEN_CRASH_AT={name}: dying here on purpose");
        std::process::abort();
    }
}

fn status_param<T: std::str::FromStr>(uri: &Uri, default: T) -> (T, String) {
    let text = query_value(uri, "status").unwrap_or_default();
    match text.parse::<T>() {
        Ok(status) => (status, text),
        Err(_) => (default, String::new()),
    }
}

struct SubmissionRow {
    id: i64,
    receipt: String,
    kind: &'static str,
    headline: String,
    received: String,
}

fn kind_label(kind: SubmissionKind) -> &'static str {
    match kind {
        SubmissionKind::Tip => "线索",
        SubmissionKind::Article => "文章",
    }
}

/// A line an editor recognises a submission by: its title, or the tip's first words.
fn headline(s: &Submission) -> String {
    let text = if s.title.is_empty() {
        &s.body
    } else {
        &s.title
    };
    let first = text.lines().next().unwrap_or_default();
    let mut line: String = first.chars().take(60).collect();
    if first.chars().count() > 60 {
        line.push('…');
    }
    line
}

#[derive(Template)]
#[template(path = "admin/submissions.html")]
struct SubmissionsPage {
    layout: AdminLayout,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    rows: Vec<SubmissionRow>,
    pager: AdminPager,
}

pub async fn submissions(editor: Editor, State(state): State<AppState>, uri: Uri) -> Response {
    let result = async {
        let (status, _) = status_param(&uri, SubmissionStatus::Pending);
        let list = state
            .store()
            .submissions(status, page_number(&uri), 50)
            .await?;
        let rows = list
            .items
            .iter()
            .map(|s| SubmissionRow {
                id: s.id,
                receipt: s.receipt.clone(),
                kind: kind_label(s.kind),
                headline: headline(s),
                received: datetime_zh(s.created_at),
            })
            .collect();
        Ok(SubmissionsPage {
            layout: AdminLayout::new(&state, &editor, "读者投稿", &uri).await?,
            status: status.as_str().to_owned(),
            statuses: vec![
                ("pending", "待审核"),
                ("approved", "已采用"),
                ("rejected", "未采用"),
                ("spam", "垃圾信息"),
            ],
            rows,
            pager: AdminPager::new(&list, |n| {
                format!("/admin/submissions?status={}&page={n}", status.as_str())
            }),
        })
    };
    page(&state, result.await).await
}

/// A submitted page as the editor previews it.
struct PreviewView {
    url: String,
    title: String,
    byline: String,
    paragraphs: Vec<String>,
    warnings: Vec<String>,
    is_article: bool,
}

#[derive(Template)]
#[template(path = "admin/submission.html")]
struct SubmissionPage {
    layout: AdminLayout,
    s: Submission,
    kind: &'static str,
    received: String,
    decided: String,
    suggested_title: String,
    channels: Vec<Channel>,
    default_channel: String,
    preview: Option<PreviewView>,
    preview_error: Option<String>,
}

async fn submission_page(
    state: &AppState,
    editor: &Editor,
    id: i64,
    uri: &Uri,
    preview: Option<Result<PreviewView, String>>,
) -> Result<SubmissionPage, AppError> {
    let store = state.store();
    let s = store.submission(id).await?.ok_or(AppError::NotFound)?;
    let mut channels = store.channels().await?;
    if !channels.iter().any(|c| c.slug == READERS_CHANNEL) {
        // Offered even before it exists: publishing creates it.
        channels.push(Channel {
            id: 0,
            slug: READERS_CHANNEL.into(),
            name: "读者投稿".into(),
            description: String::new(),
            position: i64::MAX,
        });
    }
    let (preview, preview_error) = match preview {
        Some(Ok(p)) => (Some(p), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    Ok(SubmissionPage {
        layout: AdminLayout::new(state, editor, &format!("投稿 {}", s.receipt), uri).await?,
        kind: kind_label(s.kind),
        received: datetime_zh(s.created_at),
        decided: s.decided_at.map(datetime_zh).unwrap_or_default(),
        suggested_title: preview
            .as_ref()
            .filter(|_| s.title.is_empty())
            .map(|p| p.title.clone())
            .unwrap_or_else(|| headline(&s)),
        channels,
        default_channel: READERS_CHANNEL.into(),
        preview,
        preview_error,
        s,
    })
}

pub async fn submission(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
) -> Response {
    page(
        &state,
        submission_page(&state, &editor, id, &uri, None).await,
    )
    .await
}

/// Fetches the submitted link through the guard and shows what extraction makes of it. A POST,
/// because it makes the server fetch: a link in an email must not be able to.
pub async fn preview(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
) -> Response {
    let result = async {
        let s = state
            .store()
            .submission(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let outcome = match (&s.url, state.fetcher()) {
            (None, _) => Err("这份投稿没有附链接。".to_owned()),
            (Some(_), None) => Err("这个进程没有启用抓取，无法预览链接。".to_owned()),
            (Some(url), Some(fetcher)) => match xinwen_ingest::preview(fetcher, url).await {
                Ok(p) => Ok(PreviewView {
                    url: p.url,
                    title: p.title.unwrap_or_default(),
                    byline: p.authors.join("、"),
                    paragraphs: p
                        .text
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    warnings: p.warnings,
                    is_article: p.is_article,
                }),
                Err(e) => Err(format!("无法预览：{e}")),
            },
        };
        let uri = Uri::from_maybe_shared(format!("/admin/submissions/{id}")).unwrap_or(uri);
        submission_page(&state, &editor, id, &uri, Some(outcome)).await
    };
    page(&state, result.await).await
}

/// Creates the readers' channel and source the first time a submission is published.
async fn ensure_readers_source(state: &AppState) -> Result<(), AppError> {
    let store = state.store();
    if store.channel_by_slug(READERS_CHANNEL).await?.is_none() {
        let last = store
            .channels()
            .await?
            .iter()
            .map(|c| c.position)
            .max()
            .unwrap_or(0);
        store
            .upsert_channel(&requests::readers_channel(last))
            .await?;
    }
    if store.source_by_slug(READERS_SOURCE).await?.is_none() {
        store.upsert_source(&requests::readers_source()).await?;
    }
    Ok(())
}

pub async fn approve(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        publish(&state, &editor.actor(), id, &Fields::parse(&body)).await?;
        Ok(done(&format!("/admin/submissions/{id}"), "approved"))
    };
    act(&state, result.await).await
}

/// Publishes a submission as an article of the readers' source, with the title, byline and
/// channel in `fields` (`title`, `author`, `channel`); returns the article's id. The admin's
/// form and the API both come here.
pub(crate) async fn publish(
    state: &AppState,
    actor: &xinwen_store::Actor,
    id: i64,
    fields: &Fields,
) -> Result<i64, AppError> {
    let store = state.store();
    let s = store.submission(id).await?.ok_or(AppError::NotFound)?;
    let mut check = Checker::default();
    let title = check.text("标题", fields.get("title"), true, 200, false);
    let author = check.text("署名", fields.get("author"), false, 100, false);
    if !check.is_ok() {
        return Err(AppError::BadRequest(check.errors.join(" ")));
    }
    ensure_readers_source(state).await?;
    let channel_slug = match fields.get("channel") {
        "" => None,
        slug => Some(
            store
                .channel_by_slug(slug)
                .await?
                .ok_or_else(|| AppError::BadRequest(format!("没有名为“{slug}”的频道。")))?
                .slug,
        ),
    };
    let article = requests::article_from_submission(
        &s,
        requests::Publication {
            title,
            author,
            channel_slug,
        },
        chrono::Utc::now(),
    );
    let article_id = store.publish_submission(id, &article, actor).await?;
    after_change(state).await;
    tracing::info!(
        submission = id,
        article = article_id,
        "submission published"
    );
    let base = state.site().base_url.trim_end_matches('/');
    crate::webhooks::announce(
        state,
        "submission.published",
        serde_json::json!({
            "submission_id": id,
            "receipt": s.receipt,
            "article_id": article_id,
            "url": format!("{base}/article/{article_id}"),
            "title": article.title,
        }),
    )
    .await;
    Ok(article_id)
}

pub async fn reject(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Response {
    dismiss(editor, state, id, SubmissionStatus::Rejected).await
}

pub async fn spam(editor: Editor, State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    dismiss(editor, state, id, SubmissionStatus::Spam).await
}

async fn dismiss(editor: Editor, state: AppState, id: i64, status: SubmissionStatus) -> Response {
    let result = async {
        state
            .store()
            .dismiss_submission(id, status, &editor.actor())
            .await?;
        let code = if status == SubmissionStatus::Spam {
            "spam"
        } else {
            "rejected"
        };
        Ok(done("/admin/submissions", code))
    };
    act(&state, result.await).await
}

struct TakedownRow {
    id: i64,
    receipt: String,
    claimant: String,
    pages: usize,
    received: String,
}

#[derive(Template)]
#[template(path = "admin/takedowns.html")]
struct TakedownsPage {
    layout: AdminLayout,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    rows: Vec<TakedownRow>,
    pager: AdminPager,
}

pub async fn takedowns(editor: Editor, State(state): State<AppState>, uri: Uri) -> Response {
    let result = async {
        let (status, _) = status_param(&uri, TakedownStatus::Pending);
        let list = state
            .store()
            .takedowns(status, page_number(&uri), 50)
            .await?;
        let rows = list
            .items
            .iter()
            .map(|t| TakedownRow {
                id: t.id,
                receipt: t.receipt.clone(),
                claimant: t.claimant.clone(),
                pages: t.pages.lines().filter(|l| !l.trim().is_empty()).count(),
                received: datetime_zh(t.created_at),
            })
            .collect();
        Ok(TakedownsPage {
            layout: AdminLayout::new(&state, &editor, "删除请求", &uri).await?,
            status: status.as_str().to_owned(),
            statuses: vec![
                ("pending", "待处理"),
                ("approved", "已批准"),
                ("rejected", "已驳回"),
            ],
            rows,
            pager: AdminPager::new(&list, |n| {
                format!("/admin/takedowns?status={}&page={n}", status.as_str())
            }),
        })
    };
    page(&state, result.await).await
}

/// The articles a request's lines name: our own article addresses by id, anything else by
/// the address the article was published at.
async fn articles_named(state: &AppState, pages: &str) -> Result<Vec<ArticleRef>, AppError> {
    let named = requests::pages_named(pages);
    Ok(state
        .store()
        .articles_by_refs(&named.article_ids, &named.urls)
        .await?)
}

#[derive(Template)]
#[template(path = "admin/takedown.html")]
struct TakedownPage {
    layout: AdminLayout,
    t: Takedown,
    received: String,
    decided: String,
    articles: Vec<ArticleRef>,
}

pub async fn takedown(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
) -> Response {
    let result = async {
        let t = state
            .store()
            .takedown(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let articles = articles_named(&state, &t.pages).await?;
        Ok(TakedownPage {
            layout: AdminLayout::new(&state, &editor, &format!("删除请求 {}", t.receipt), &uri)
                .await?,
            received: datetime_zh(t.created_at),
            decided: t.decided_at.map(datetime_zh).unwrap_or_default(),
            articles,
            t,
        })
    };
    page(&state, result.await).await
}

pub async fn approve_takedown(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        approve_removal(&state, &editor.actor(), id, &Fields::parse(&body)).await?;
        Ok(done(&format!("/admin/takedowns/{id}"), "takedown-approved"))
    };
    act(&state, result.await).await
}

/// Approves a takedown: removes the articles `fields` names (`article`, `more`), each kept
/// out by the hash of its text, after the editor confirmed (`confirm` = `yes`) that the
/// claimant's identity and rights were checked; purges what derives from them. Returns how
/// many articles were removed. The admin's form and the API both come here.
pub(crate) async fn approve_removal(
    state: &AppState,
    actor: &xinwen_store::Actor,
    id: i64,
    fields: &Fields,
) -> Result<usize, AppError> {
    let chosen = fields.all("article");
    let ids = requests::articles_to_remove(
        &chosen.iter().map(String::as_str).collect::<Vec<_>>(),
        fields.get("more"),
        fields.get("confirm") == "yes",
    )
    .map_err(|refused| {
        AppError::BadRequest(
            match refused {
                RemovalRefused::NotConfirmed => "请勾选确认已核实权利人的身份和权利，再批准删除。",
                RemovalRefused::NothingChosen => {
                    "请至少选择一篇要删除的文章；若不应删除任何文章，请驳回这项请求。"
                }
            }
            .into(),
        )
    })?;
    // Each with the hash of its text, so that a copy elsewhere is kept out too.
    let mut articles = Vec::new();
    for article_id in ids {
        let article = state
            .store()
            .article(article_id)
            .await?
            .ok_or_else(|| AppError::BadRequest(format!("没有编号为 {article_id} 的文章。")))?;
        let hash = xinwen_dedup::content_hash(&article.title, &article.body_text);
        articles.push((article_id, hash));
    }
    let note = crate::forms::clean(fields.get("note"), true);
    let removed = state
        .store()
        .approve_takedown(id, &articles, &note, actor)
        .await?;
    crash_point("takedown-purge");
    purge(state, id, &removed).await;
    crate::webhooks::announce(
        state,
        "takedown.decided",
        serde_json::json!({
            "takedown_id": id,
            "decision": "approved",
            "removed_articles": removed.iter().map(|r| r.id).collect::<Vec<_>>(),
        }),
    )
    .await;
    Ok(removed.len())
}

pub async fn reject_takedown(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        refuse_removal(&state, &editor.actor(), id, &Fields::parse(&body)).await?;
        Ok(done(&format!("/admin/takedowns/{id}"), "takedown-rejected"))
    };
    act(&state, result.await).await
}

/// Rejects a takedown with the reason in `fields` (`note`), which the claimant will see.
pub(crate) async fn refuse_removal(
    state: &AppState,
    actor: &xinwen_store::Actor,
    id: i64,
    fields: &Fields,
) -> Result<(), AppError> {
    let note = crate::forms::clean(fields.get("note"), true);
    if note.is_empty() {
        return Err(AppError::BadRequest(
            "驳回时请写明理由，权利人会看到它。".into(),
        ));
    }
    state.store().reject_takedown(id, &note, actor).await?;
    state.announce_change().await;
    crate::webhooks::announce(
        state,
        "takedown.decided",
        serde_json::json!({ "takedown_id": id, "decision": "rejected", "note": note }),
    )
    .await;
    Ok(())
}
