//! The editors' admin under `/admin`: sources, articles, the submission and takedown queues,
//! the audit log, the operator's pages and the accounts.
//!
//! Every page needs a session ([`Editor`]); admin-only actions check the role; every POST has
//! passed the CSRF guard before it gets here. Pages are rendered per request and sent with
//! `no-store` and anti-framing headers. Each action is written to the audit log by the store,
//! in the same transaction as the change.

pub(crate) mod articles;
mod login;
pub(crate) mod moderation;
pub(crate) mod sources;
mod webhooks;

use crate::auth::Editor;
use crate::charts;
use crate::pages::private_page;
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use xinwen_model::{SubmissionStatus, TakedownStatus};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/sources", get(sources::list).post(sources::add))
        .route("/sources/preview", post(sources::preview))
        .route("/articles/add", post(sources::add_article))
        .route("/sources/{id}", get(sources::edit).post(sources::save))
        .route("/sources/{id}/pause", post(sources::pause))
        .route("/sources/{id}/resume", post(sources::resume))
        .route("/sources/{id}/delete", post(sources::delete))
        .route("/articles", get(articles::list))
        .route("/articles/{id}/hide", post(articles::hide))
        .route("/articles/{id}/restore", post(articles::restore))
        .route("/articles/{id}/channel", post(articles::channel))
        .route("/submissions", get(moderation::submissions))
        .route("/submissions/{id}", get(moderation::submission))
        .route("/submissions/{id}/preview", post(moderation::preview))
        .route("/submissions/{id}/approve", post(moderation::approve))
        .route("/submissions/{id}/reject", post(moderation::reject))
        .route("/submissions/{id}/spam", post(moderation::spam))
        .route("/takedowns", get(moderation::takedowns))
        .route("/takedowns/{id}", get(moderation::takedown))
        .route(
            "/takedowns/{id}/approve",
            post(moderation::approve_takedown),
        )
        .route("/takedowns/{id}/reject", post(moderation::reject_takedown))
        .route("/audit", get(audit))
        .route(
            "/pages/{slug}",
            get(articles::page_form).post(articles::page_save),
        )
        .route("/users", get(users))
        .route("/tokens/{name}/revoke", post(revoke_token))
        .route("/webhooks", get(webhooks::list).post(webhooks::add))
        .route("/webhooks/{id}/delete", post(webhooks::delete))
}

/// The frame of every admin page.
pub struct AdminLayout {
    pub title: String,
    pub site_name: String,
    pub username: String,
    pub role: &'static str,
    pub is_admin: bool,
    pub csrf: String,
    pub notice: Option<&'static str>,
    pub pending_submissions: u64,
    pub pending_takedowns: u64,
}

impl AdminLayout {
    pub async fn new(
        state: &AppState,
        editor: &Editor,
        title: &str,
        uri: &Uri,
    ) -> Result<AdminLayout, AppError> {
        let store = state.store();
        let pending_submissions = store
            .submissions(SubmissionStatus::Pending, 1, 1)
            .await?
            .total;
        let pending_takedowns = store.takedowns(TakedownStatus::Pending, 1, 1).await?.total;
        Ok(AdminLayout {
            title: title.to_owned(),
            site_name: state.site().name.clone(),
            username: editor.user.username.clone(),
            role: editor.user.role.label_zh(),
            is_admin: editor.is_admin(),
            csrf: editor.csrf.clone(),
            notice: notice_of(uri),
            pending_submissions,
            pending_takedowns,
        })
    }
}

/// What the last action did, from `?done=`: fixed texts only, so the address cannot put
/// words on the page.
fn notice_of(uri: &Uri) -> Option<&'static str> {
    let code = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v.into_owned())?;
    Some(match code.as_str() {
        "approved" => "已采用并发布。",
        "rejected" => "已标记为未采用。",
        "spam" => "已标记为垃圾信息。",
        "takedown-approved" => "已批准：相关文章已从全站删除，并不会再被抓取。",
        "takedown-rejected" => "已驳回这项请求。",
        "hidden" => "文章已隐藏。",
        "restored" => "文章已恢复。",
        "channel" => "已更换频道。",
        "source-added" => "已添加来源，将很快开始抓取。",
        "source-saved" => "来源已保存。",
        "paused" => "已暂停抓取。",
        "resumed" => "已恢复抓取，马上开始。",
        "deleted" => "来源已删除。",
        "page-saved" => "页面已保存。",
        "login" => "已登录。",
        "token-revoked" => "令牌已作废，使用它的程序从现在起被拒绝。",
        "webhook-added" => "已添加 webhook；以后的事件会发送到这个地址。",
        "webhook-deleted" => "已删除 webhook 和它的发送记录。",
        _ => return None,
    })
}

/// After a POST: back to a page, with what happened (303, so a reload does not resend).
pub fn done(path: &str, code: &str) -> Response {
    let separator = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{separator}done={code}")).into_response()
}

/// Renders an admin page, or the error page for what went wrong.
pub async fn page<T: Template>(state: &AppState, result: Result<T, AppError>) -> Response {
    match result {
        Ok(page) => private_page(StatusCode::OK, &page, None),
        Err(e) => crate::pages::error_response(state, e).await,
    }
}

/// Sends the result of an action: where to go next, or the error page.
pub async fn act(state: &AppState, result: Result<Response, AppError>) -> Response {
    match result {
        Ok(response) => response,
        Err(e) => crate::pages::error_response(state, e).await,
    }
}

/// `?page=N` for admin lists; a bad number is page 1 rather than an error.
pub fn page_number(uri: &Uri) -> u32 {
    query_value(uri, "page")
        .and_then(|v| v.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1)
}

pub fn query_value(uri: &Uri, name: &str) -> Option<String> {
    url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Links to the neighbouring pages of an admin list.
pub struct AdminPager {
    pub prev: Option<String>,
    pub next: Option<String>,
    pub number: u32,
    pub count: u32,
}

impl AdminPager {
    pub fn new<T>(list: &xinwen_store::Page<T>, link: impl Fn(u32) -> String) -> AdminPager {
        let count = list.page_count().max(1);
        AdminPager {
            prev: (list.number > 1).then(|| link(list.number - 1)),
            next: list.has_next().then(|| link(list.number + 1)),
            number: list.number,
            count,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct HomePage {
    layout: AdminLayout,
    sources: usize,
    failing_sources: usize,
    live_articles: u64,
    charts: Vec<Chart>,
}

/// A chart on an admin page: its heading, the SVG and its legend (both escaped when drawn).
pub(crate) struct Chart {
    pub heading: &'static str,
    pub svg: String,
    pub legend: String,
}

/// Days the admin's charts cover.
const CHART_DAYS: i64 = 30;

/// Series drawn apart at most; the rest are added up as 其他.
const CHART_SERIES: usize = 7;

/// The chart days' labels (月/日) and their numbers, oldest first, ending with `now`'s.
pub(crate) fn chart_days(now: chrono::DateTime<chrono::Utc>) -> (Vec<i64>, Vec<String>) {
    let today = xinwen_store::china_day(now);
    let days: Vec<i64> = (today - CHART_DAYS + 1..=today).collect();
    let labels = days
        .iter()
        .map(|d| {
            chrono::DateTime::from_timestamp(d * 86_400, 0)
                .map(|t| t.format("%m/%d").to_string())
                .unwrap_or_default()
        })
        .collect();
    (days, labels)
}

/// Series per key from day counts: the keys with the most first, the rest as 其他.
fn series_by_key(
    counts: &[xinwen_store::DayCount],
    days: &[i64],
    name_of: impl Fn(i64) -> String,
) -> Vec<charts::Series> {
    let mut totals: std::collections::BTreeMap<i64, u64> = std::collections::BTreeMap::new();
    for c in counts {
        *totals.entry(c.key).or_default() += c.count;
    }
    let mut keys: Vec<(i64, u64)> = totals.into_iter().collect();
    keys.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let shown: Vec<i64> = keys.iter().take(CHART_SERIES).map(|k| k.0).collect();
    let mut series: Vec<charts::Series> = shown
        .iter()
        .enumerate()
        .map(|(i, key)| charts::Series {
            name: name_of(*key),
            colour: charts::PALETTE[i % charts::PALETTE.len()],
            values: vec![0; days.len()],
        })
        .collect();
    let mut rest = charts::Series {
        name: "其他".into(),
        colour: charts::PALETTE[charts::PALETTE.len() - 1],
        values: vec![0; days.len()],
    };
    for c in counts {
        let Some(d) = days.iter().position(|day| *day == c.day) else {
            continue;
        };
        match shown.iter().position(|k| *k == c.key) {
            Some(i) => series[i].values[d] += c.count,
            None => rest.values[d] += c.count,
        }
    }
    if rest.values.iter().any(|v| *v > 0) {
        series.push(rest);
    }
    series
}

/// Successes and failures per day, from the store's fetch counts.
pub(crate) fn fetch_series(
    fetches: &[xinwen_store::FetchDay],
    days: &[i64],
) -> Vec<charts::Series> {
    let value = |pick: fn(&xinwen_store::FetchDay) -> u64| -> Vec<u64> {
        days.iter()
            .map(|d| fetches.iter().find(|f| f.day == *d).map_or(0, pick))
            .collect()
    };
    vec![
        charts::Series {
            name: "成功".into(),
            colour: charts::PALETTE[2],
            values: value(|f| f.successes),
        },
        charts::Series {
            name: "失败".into(),
            colour: charts::PALETTE[5],
            values: value(|f| f.failures),
        },
    ]
}

pub(crate) fn chart(
    heading: &'static str,
    id: &str,
    labels: &[String],
    series: Vec<charts::Series>,
    lines: bool,
) -> Chart {
    let svg = match lines {
        true => charts::lines(id, heading, labels, &series),
        false => charts::stacked_bars(id, heading, labels, &series),
    };
    Chart {
        heading,
        svg,
        legend: charts::legend(&series),
    }
}

async fn home(editor: Editor, State(state): State<AppState>, uri: Uri) -> Response {
    let result = async {
        let store = state.store();
        let sources = store.sources_with_health().await?;
        let failing_sources = sources
            .iter()
            .filter(|s| s.health.consecutive_failures > 0)
            .count();
        let live = store
            .admin_articles(Some(xinwen_model::ArticleStatus::Live), None, 1, 1)
            .await?;
        let now = chrono::Utc::now();
        let (days, labels) = chart_days(now);
        let channels = store.channels().await?;
        let by_channel = store.articles_per_day_by_channel(CHART_DAYS, now).await?;
        let by_source = store
            .articles_added_per_day_by_source(CHART_DAYS, now)
            .await?;
        let fetches = store.fetch_days(None, CHART_DAYS, now).await?;
        let queues = store.queue_history(CHART_DAYS, now).await?;
        let channel_name = |id: i64| {
            channels
                .iter()
                .find(|c| c.id == id)
                .map_or_else(|| "未分频道".to_owned(), |c| c.name.clone())
        };
        let source_name = |id: i64| {
            sources
                .iter()
                .find(|s| s.source.id == id)
                .map_or_else(|| format!("来源 {id}"), |s| s.source.name.clone())
        };
        let queue_series = vec![
            charts::Series {
                name: "读者投稿".into(),
                colour: charts::PALETTE[0],
                values: queues.iter().map(|q| q.submissions).collect(),
            },
            charts::Series {
                name: "删除请求".into(),
                colour: charts::PALETTE[5],
                values: queues.iter().map(|q| q.takedowns).collect(),
            },
        ];
        let charts = vec![
            chart(
                "每日发布的文章（按频道）",
                "chart-channels",
                &labels,
                series_by_key(&by_channel, &days, channel_name),
                false,
            ),
            chart(
                "每日新收的文章（按来源）",
                "chart-sources",
                &labels,
                series_by_key(&by_source, &days, source_name),
                false,
            ),
            chart(
                "每日抓取（全部来源）",
                "chart-fetches",
                &labels,
                fetch_series(&fetches, &days),
                false,
            ),
            chart(
                "每日结束时待处理",
                "chart-queues",
                &labels,
                queue_series,
                true,
            ),
        ];
        Ok(HomePage {
            layout: AdminLayout::new(&state, &editor, "管理后台", &uri).await?,
            sources: sources.len(),
            failing_sources,
            live_articles: live.total,
            charts,
        })
    };
    page(&state, result.await).await
}

struct AuditRow {
    at: String,
    actor: String,
    action: String,
    target: String,
    /// Where the object can be seen, when it has a page.
    target_href: Option<String>,
    detail: String,
}

/// The audit log's action codes in the editors' words; a code without one is shown as it is.
fn action_label(code: &str) -> &str {
    match code {
        "user.login" => "登录",
        "user.add" => "添加账号",
        "user.passwd" => "修改密码",
        "source.add" => "添加来源",
        "source.edit" => "修改来源",
        "source.delete" => "删除来源",
        "source.pause" => "暂停抓取",
        "source.resume" => "恢复抓取",
        "article.remove" => "下架文章",
        "article.hide" => "隐藏文章",
        "article.restore" => "恢复文章",
        "article.channel" => "更改频道",
        "page.edit" => "修改页面",
        "submission.receive" => "收到投稿",
        "submission.approve" => "发布投稿",
        "submission.reject" => "退回投稿",
        "submission.spam" => "投稿标为垃圾",
        "takedown.receive" => "收到删除请求",
        "takedown.approve" => "批准删除请求",
        "takedown.reject" => "驳回删除请求",
        "token.add" => "创建接口令牌",
        "token.revoke" => "作废接口令牌",
        "webhook.add" => "添加 webhook",
        "webhook.delete" => "删除 webhook",
        other => other,
    }
}

/// Who acted, in the editors' words: an account by its name, the public forms and the command
/// line (kept in the log as `public` and `command line`) by what they are.
fn actor_label(actor: &str) -> String {
    match actor {
        "public" => "公众（网站表单）".into(),
        "command line" => "运营者（命令行）".into(),
        name => match name.strip_prefix(xinwen_store::TOKEN_ACTOR_PREFIX) {
            Some(token) => format!("接口令牌 {token}"),
            None => name.to_owned(),
        },
    }
}

/// An audit object's name and, where it has one, the page that shows it.
fn audit_target(kind: &str, id: Option<i64>) -> (String, Option<String>) {
    let name = match kind {
        "article" => "文章",
        "source" => "来源",
        "submission" => "投稿",
        "takedown" => "删除请求",
        "user" => "账号",
        "token" => "接口令牌",
        "webhook" => "Webhook",
        "page" => "页面",
        other => other,
    };
    let href = match (kind, id) {
        ("article", Some(id)) => Some(format!("/article/{id}")),
        ("source", Some(id)) => Some(format!("/admin/sources/{id}")),
        ("submission", Some(id)) => Some(format!("/admin/submissions/{id}")),
        ("takedown", Some(id)) => Some(format!("/admin/takedowns/{id}")),
        ("user", _) => Some("/admin/users".to_owned()),
        _ => None,
    };
    let text = match id {
        Some(id) => format!("{name} {id}"),
        None => name.to_owned(),
    };
    (text, href)
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: AdminLayout,
    rows: Vec<AuditRow>,
    pager: AdminPager,
}

async fn audit(editor: Editor, State(state): State<AppState>, uri: Uri) -> Response {
    let result = async {
        let log = state.store().audit_log(page_number(&uri), 50).await?;
        let rows = log
            .items
            .iter()
            .map(|e| {
                let (target, target_href) = audit_target(&e.target_kind, e.target_id);
                AuditRow {
                    at: crate::format::datetime_zh(e.at),
                    actor: actor_label(&e.actor).to_owned(),
                    action: action_label(&e.action).to_owned(),
                    target,
                    target_href,
                    detail: e.detail.clone(),
                }
            })
            .collect();
        Ok(AuditPage {
            layout: AdminLayout::new(&state, &editor, "操作日志", &uri).await?,
            rows,
            pager: AdminPager::new(&log, |n| format!("/admin/audit?page={n}")),
        })
    };
    page(&state, result.await).await
}

struct UserRow {
    username: String,
    role: &'static str,
    created: String,
}

struct TokenRow {
    name: String,
    role: &'static str,
    created: String,
    last_used: String,
    revoked: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: AdminLayout,
    users: Vec<UserRow>,
    tokens: Vec<TokenRow>,
}

async fn users(editor: Editor, State(state): State<AppState>, uri: Uri) -> Response {
    let result = async {
        editor.require_admin()?;
        let users = state
            .store()
            .users()
            .await?
            .into_iter()
            .map(|u| UserRow {
                username: u.username,
                role: u.role.label_zh(),
                created: crate::format::datetime_zh(u.created_at),
            })
            .collect();
        let tokens = state
            .store()
            .api_tokens()
            .await?
            .into_iter()
            .map(|t| TokenRow {
                name: t.name,
                role: t.role.label_zh(),
                created: crate::format::datetime_zh(t.created_at),
                last_used: t
                    .last_used_at
                    .map_or("未使用".into(), crate::format::datetime_zh),
                revoked: t
                    .revoked_at
                    .map(crate::format::datetime_zh)
                    .unwrap_or_default(),
            })
            .collect();
        Ok(UsersPage {
            layout: AdminLayout::new(&state, &editor, "账号", &uri).await?,
            users,
            tokens,
        })
    };
    page(&state, result.await).await
}

/// Revokes an API token (admins only): programs using it are refused from then on.
async fn revoke_token(
    editor: Editor,
    State(state): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    let result = async {
        editor.require_admin()?;
        if !state
            .store()
            .revoke_api_token(&name, &editor.actor())
            .await?
        {
            return Err(AppError::NotFound);
        }
        Ok(done("/admin/users", "token-revoked"))
    };
    act(&state, result.await).await
}
