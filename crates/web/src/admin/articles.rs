//! Articles in the admin (hide, restore, move to another channel) and the operator's pages.

use super::{AdminLayout, AdminPager, act, done, page, page_number, query_value};
use crate::auth::Editor;
use crate::format::datetime_zh;
use crate::forms::Fields;
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use xinwen_model::{ArticleStatus, Channel};

struct ArticleRow {
    id: i64,
    title: String,
    source_name: String,
    channel_slug: String,
    published: String,
    live: bool,
    removal: &'static str,
}

#[derive(Template)]
#[template(path = "admin/articles.html")]
struct ArticlesPage {
    layout: AdminLayout,
    rows: Vec<ArticleRow>,
    channels: Vec<Channel>,
    status: String,
    q: String,
    pager: AdminPager,
    back: String,
}

pub async fn list(editor: Editor, State(state): State<AppState>, uri: Uri) -> Response {
    let result = async {
        let status_text = query_value(&uri, "status").unwrap_or_default();
        let status = status_text.parse::<ArticleStatus>().ok();
        let q: String = query_value(&uri, "q")
            .unwrap_or_default()
            .trim()
            .chars()
            .take(100)
            .collect();
        let title = (!q.is_empty()).then_some(q.as_str());
        let list = state
            .store()
            .admin_articles(status, title, page_number(&uri), 50)
            .await?;
        let rows = list
            .items
            .iter()
            .map(|a| ArticleRow {
                id: a.id,
                title: a.title.clone(),
                source_name: a.source_name.clone(),
                channel_slug: a.channel_slug.clone(),
                published: datetime_zh(a.published_at),
                live: a.status == ArticleStatus::Live,
                removal: match a.removal_reason.as_deref() {
                    Some("takedown") => "应权利人要求删除",
                    Some(_) => "已隐藏",
                    None => "",
                },
            })
            .collect();
        let link_base = format!(
            "/admin/articles?status={}&q={}",
            crate::pages::search::encode(&status_text),
            crate::pages::search::encode(&q)
        );
        Ok(ArticlesPage {
            layout: AdminLayout::new(&state, &editor, "文章", &uri).await?,
            rows,
            channels: state.store().channels().await?,
            pager: AdminPager::new(&list, |n| format!("{link_base}&page={n}")),
            back: uri.path_and_query().map_or("/admin/articles".into(), |pq| {
                // The list to come back to, without an old notice.
                pq.as_str()
                    .split("&done=")
                    .next()
                    .unwrap_or("/admin/articles")
                    .to_owned()
            }),
            status: status_text,
            q,
        })
    };
    page(&state, result.await).await
}

/// Where to go after an action on the list: the list the editor was looking at.
fn back_to(fields: &Fields) -> String {
    let back = fields.get("back");
    if back.starts_with("/admin/articles") && !back.contains("//") {
        back.to_owned()
    } else {
        "/admin/articles".to_owned()
    }
}

pub async fn hide(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    set_hidden(editor, state, id, true, body).await
}

pub async fn restore(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    set_hidden(editor, state, id, false, body).await
}

async fn set_hidden(
    editor: Editor,
    state: AppState,
    id: i64,
    hidden: bool,
    body: Bytes,
) -> Response {
    let result = async {
        hide_or_restore(&state, &editor.actor(), id, hidden).await?;
        let back = back_to(&Fields::parse(&body));
        Ok(done(&back, if hidden { "hidden" } else { "restored" }))
    };
    act(&state, result.await).await
}

pub async fn channel(
    editor: Editor,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let fields = Fields::parse(&body);
        move_to_channel(&state, &editor.actor(), id, fields.get("channel")).await?;
        Ok(done(&back_to(&fields), "channel"))
    };
    act(&state, result.await).await
}

/// Hides an article from readers (its page answers 410) or brings it back.
pub(crate) async fn hide_or_restore(
    state: &AppState,
    actor: &xinwen_store::Actor,
    id: i64,
    hidden: bool,
) -> Result<(), AppError> {
    state.store().set_article_hidden(id, hidden, actor).await?;
    super::moderation::after_change(state).await;
    Ok(())
}

/// Moves an article to the channel named by `slug`.
pub(crate) async fn move_to_channel(
    state: &AppState,
    actor: &xinwen_store::Actor,
    id: i64,
    slug: &str,
) -> Result<(), AppError> {
    if state.store().channel_by_slug(slug).await?.is_none() {
        return Err(AppError::BadRequest(format!("没有名为“{slug}”的频道。")));
    }
    state.store().set_article_channel(id, slug, actor).await?;
    super::moderation::after_change(state).await;
    Ok(())
}

/// The operator's pages an admin may edit here.
const PAGES: &[(&str, &str)] = &[
    ("about", "关于我们"),
    ("contact", "联系我们"),
    ("privacy", "隐私协议"),
    ("terms", "使用条款"),
];

const MAX_PAGE_CHARS: usize = 50_000;

#[derive(Template)]
#[template(path = "admin/page.html")]
struct PageForm {
    layout: AdminLayout,
    slug: String,
    markdown: String,
    pages: &'static [(&'static str, &'static str)],
}

fn known_page(slug: &str) -> Result<&'static str, AppError> {
    PAGES
        .iter()
        .find(|(s, _)| *s == slug)
        .map(|(_, name)| *name)
        .ok_or(AppError::NotFound)
}

pub async fn page_form(
    editor: Editor,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
) -> Response {
    let result = async {
        editor.require_admin()?;
        let name = known_page(&slug)?;
        let markdown = crate::pages::info::markdown_of(&state, &slug).await?;
        Ok(PageForm {
            layout: AdminLayout::new(&state, &editor, &format!("编辑页面：{name}"), &uri).await?,
            slug,
            markdown,
            pages: PAGES,
        })
    };
    page(&state, result.await).await
}

pub async fn page_save(
    editor: Editor,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    body: Bytes,
) -> Response {
    let result = async {
        editor.require_admin()?;
        known_page(&slug)?;
        let fields = Fields::parse(&body);
        let markdown = crate::forms::clean(fields.get("markdown"), true);
        if markdown.chars().count() > MAX_PAGE_CHARS {
            return Err(AppError::BadRequest(format!(
                "页面超过了 {MAX_PAGE_CHARS} 字的上限。"
            )));
        }
        state
            .store()
            .set_site_page(&slug, &markdown, &editor.actor())
            .await?;
        state.announce_change().await;
        Ok(done(&format!("/admin/pages/{slug}"), "page-saved"))
    };
    act(&state, result.await).await
}
