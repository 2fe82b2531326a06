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
use axum::response::{IntoResponse, Response};
use xinwen_model::{Channel, NewSource, Publisher, SourceKind};

struct SourceRow {
    id: i64,
    slug: String,
    name: String,
    kind: String,
    feed_url: String,
    read_note: String,
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
    /// Sources an article can be added under by its link.
    sources: Vec<(String, String)>,
    form: SourceForm,
}

/// What the source form shows: empty to add, the source's to edit, the editor's own after a
/// preview.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceForm {
    pub name: String,
    pub slug: String,
    pub kind: String,
    pub publisher: String,
    pub feed_url: String,
    pub link_selector: String,
    pub link_pattern: String,
    /// One bridge feed a line, the preferred first.
    pub bridges: String,
    pub channel: String,
    pub homepage: String,
    pub follow_url: String,
    pub description: String,
}

impl SourceForm {
    fn of_fields(fields: &Fields) -> SourceForm {
        SourceForm {
            name: fields.get("name").to_owned(),
            slug: fields.get("slug").to_owned(),
            kind: fields.get("kind").to_owned(),
            publisher: fields.get("publisher").to_owned(),
            feed_url: fields.get("feed_url").to_owned(),
            link_selector: fields.get("link_selector").to_owned(),
            link_pattern: fields.get("link_pattern").to_owned(),
            bridges: fields.get("bridges").to_owned(),
            channel: fields.get("channel").to_owned(),
            homepage: fields.get("homepage").to_owned(),
            follow_url: fields.get("follow_url").to_owned(),
            description: fields.get("description").to_owned(),
        }
    }

    pub fn kinds(&self) -> Vec<(&'static str, &'static str, bool)> {
        SourceKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.reading_zh(), k.as_str() == self.kind))
            .collect()
    }

    pub fn publishers(&self) -> Vec<(&'static str, &'static str, bool)> {
        let chosen = self.publisher.parse::<Publisher>().unwrap_or_default();
        Publisher::ALL
            .iter()
            .map(|p| (p.as_str(), p.label_zh(), *p == chosen))
            .collect()
    }
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
                    kind: format!(
                        "{} · {}",
                        s.source.kind.reading_zh(),
                        s.source.publisher.label_zh()
                    ),
                    feed_url: s.source.feed_url.clone().unwrap_or_default(),
                    read_note: s.health.read_note.clone().unwrap_or_default(),
                    paused: s.source.paused,
                    state: status.as_ref().map_or("none", |st| st.state),
                    label: status.as_ref().map_or("无可抓取的地址", |st| st.label),
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
            .collect::<Vec<SourceRow>>();
        let sources = rows
            .iter()
            .map(|r| (r.slug.clone(), r.name.clone()))
            .collect();
        Ok(SourcesPage {
            layout: AdminLayout::new(&state, &editor, "来源", &uri).await?,
            rows,
            channels: store.channels().await?,
            sources,
            form: SourceForm {
                kind: String::new(),
                ..SourceForm::default()
            },
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
    let homepage = url(&mut check, "主页", "homepage");
    let follow_url = url(&mut check, "关注链接", "follow_url");
    let kind = match fields.get("kind").parse::<SourceKind>() {
        Ok(kind) => kind,
        Err(_) => {
            check.require(
                false,
                "请选择读取方式：订阅源、列表页、站点地图或公众号桥接。",
            );
            SourceKind::Feed
        }
    };
    let publisher = fields
        .get("publisher")
        .parse::<Publisher>()
        .unwrap_or_default();
    let mut feed_url = None;
    let mut bridges = Vec::new();
    if kind == SourceKind::Wechat {
        for line in fields
            .get("bridges")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            match crate::forms::check_public_url(line) {
                Ok(bridge) => bridges.push(bridge),
                Err(why) => check.require(false, &format!("桥接地址“{line}”：{why}")),
            }
        }
        check.require(
            !bridges.is_empty() || !check.errors.is_empty(),
            "公众号至少要有一个桥接订阅源（RSSHub、wewe-rss 等），每行一个，首选的写在最前。",
        );
    } else {
        feed_url = check.url("地址", fields.get("feed_url"), true);
    }
    let optional = |value: String| Some(value).filter(|v| !v.is_empty());
    let link_selector =
        optional(check.text("CSS 选择器", fields.get("link_selector"), false, 300, false));
    let link_pattern =
        optional(check.text("链接规则", fields.get("link_pattern"), false, 300, false));
    let rules = xinwen_extract::links::LinkRules {
        selector: link_selector.clone(),
        url_pattern: link_pattern.clone(),
    };
    if let Err(e) = rules.compile() {
        check.require(false, &e.to_string());
    }
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
        publisher,
        homepage,
        feed_url,
        link_selector,
        link_pattern,
        bridges,
        follow_url,
        qr_image: None,
        channel_slug: Some(channel.to_owned()),
        description,
    })
}

#[derive(Template)]
#[template(path = "admin/source_preview.html")]
struct PreviewPage {
    layout: AdminLayout,
    form: SourceForm,
    channels: Vec<Channel>,
    /// What the address turned out to be, in words.
    found: String,
    feeds: Vec<String>,
    /// Why it cannot be read as asked; the form comes back to fix it.
    error: String,
    links: Vec<(String, String)>,
    more_links: usize,
    article: Option<ArticlePreview>,
}

struct ArticlePreview {
    url: String,
    title: String,
    authors: String,
    published: String,
    excerpt: String,
    chars: usize,
}

/// Links shown in a preview; the rest are counted.
const PREVIEW_LINKS: usize = 30;

/// The add form's first step: what the address is, which article links it would give now and
/// what the first one extracts to, nothing stored; the form comes back filled in to save.
pub async fn preview(
    editor: Editor,
    State(state): State<AppState>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let result = async {
        editor.require_admin()?;
        let fields = Fields::parse(&body);
        let mut form = SourceForm::of_fields(&fields);
        let fetcher = state.fetcher().ok_or_else(|| {
            AppError::BadRequest(
                "这个服务器不抓取来源，无法预览；请在负责抓取的服务器上添加。".into(),
            )
        })?;
        let mut found = String::new();
        let mut feeds = Vec::new();
        let mut error = String::new();
        let address = if form.kind == "wechat" {
            form.bridges
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or_default()
                .to_owned()
        } else {
            form.feed_url.trim().to_owned()
        };
        if let Err(why) = crate::forms::check_public_url(&address) {
            error = format!("地址：{why}");
        }
        // Without a kind chosen, the address says what it is.
        if error.is_empty() && form.kind.is_empty() {
            match xinwen_ingest::discover(fetcher, &address).await {
                Ok(discovery) => {
                    form.kind = discovery.kind.as_str().to_owned();
                    form.feed_url = discovery.url.clone();
                    if form.name.is_empty() {
                        form.name = discovery.title.clone().unwrap_or_default();
                    }
                    found = match discovery.kind {
                        SourceKind::Feed if discovery.url == address => "这是一个订阅源。".into(),
                        SourceKind::Feed if discovery.declared => "这个网页声明了订阅源，将读取第一个。".into(),
                        SourceKind::Feed => "这个网页没有声明订阅源，但网站在常用地址上有一个，将读取它；若只要这个栏目，请把读取方式改为“列表页”。".into(),
                        SourceKind::Sitemap => "这是一个站点地图。".into(),
                        _ => {
                            "这个网页没有订阅源，将作为列表页读取其中的文章链接；也可改为站点地图。"
                                .into()
                        }
                    };
                    feeds = discovery.feeds;
                }
                Err(e) => error = e.to_string(),
            }
        }
        let mut links = Vec::new();
        let mut more_links = 0;
        let mut article = None;
        if error.is_empty() {
            let kind = form.kind.parse::<SourceKind>().unwrap_or_default();
            let address = if kind == SourceKind::Wechat {
                address.clone()
            } else {
                form.feed_url.trim().to_owned()
            };
            let rules = xinwen_extract::links::LinkRules {
                selector: Some(form.link_selector.clone()).filter(|s| !s.trim().is_empty()),
                url_pattern: Some(form.link_pattern.clone()).filter(|s| !s.trim().is_empty()),
            };
            match xinwen_ingest::probe(fetcher, kind, &address, &rules).await {
                Ok(probe) => {
                    if form.name.is_empty() {
                        form.name = probe.title.clone().unwrap_or_default();
                    }
                    more_links = probe.links.len().saturating_sub(PREVIEW_LINKS);
                    links = probe
                        .links
                        .iter()
                        .take(PREVIEW_LINKS)
                        .map(|l| (l.url.clone(), l.title.clone().unwrap_or_default()))
                        .collect();
                    if let Some(first) = probe.links.first() {
                        article = match xinwen_ingest::preview(fetcher, &first.url).await {
                            Ok(p) => Some(ArticlePreview {
                                url: p.url,
                                title: p.title.unwrap_or_default(),
                                authors: p.authors.join("、"),
                                published: p
                                    .published_at
                                    .map(|t| datetime_zh(t.with_timezone(&chrono::Utc)))
                                    .unwrap_or_default(),
                                chars: p.text.chars().count(),
                                excerpt: p.text.chars().take(300).collect(),
                            }),
                            Err(e) => {
                                error = format!("第一篇文章取不到：{e}");
                                None
                            }
                        };
                    }
                }
                Err(e) => error = e.to_string(),
            }
        }
        if form.slug.is_empty() {
            form.slug = crate::admin::sources::suggested_slug(&form.feed_url, &address);
        }
        Ok(PreviewPage {
            layout: AdminLayout::new(&state, &editor, "添加来源：预览", &uri).await?,
            form,
            channels: state.store().channels().await?,
            found,
            feeds,
            error,
            links,
            more_links,
            article,
        })
    };
    page(&state, result.await).await
}

/// A slug from an address's host: `news.qinglan.example` → `qinglan`.
pub(crate) fn suggested_slug(feed_url: &str, fallback: &str) -> String {
    let host = url::Url::parse(feed_url)
        .or_else(|_| url::Url::parse(fallback))
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let labels: Vec<&str> = host
        .split('.')
        .filter(|l| !matches!(*l, "www" | "m" | "news" | "mp" | "rss" | "feeds"))
        .collect();
    labels
        .first()
        .map(|l| {
            l.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// "按链接添加文章": fetches, extracts and publishes one article under a source, as ingest
/// would; editors may.
pub async fn add_article(editor: Editor, State(state): State<AppState>, body: Bytes) -> Response {
    let result = async {
        let fields = Fields::parse(&body);
        let mut check = Checker::default();
        let url = check.url("文章链接", fields.get("url"), true);
        let source = fields.get("source").to_owned();
        if !check.is_ok() {
            return Err(AppError::BadRequest(check.errors.join(" ")));
        }
        let Some(ingester) = state.inner.services.ingester.clone() else {
            return Err(AppError::BadRequest(
                "这个服务器不抓取来源，无法按链接添加；请在负责抓取的服务器上操作。".into(),
            ));
        };
        let url = url.unwrap_or_default();
        let id = ingester
            .add_link(&source, &url)
            .await
            .map_err(|e| match e {
                xinwen_ingest::AddLinkError::UnknownSource(_) => {
                    AppError::BadRequest("请选择一个现有的来源。".into())
                }
                xinwen_ingest::AddLinkError::Withheld => {
                    AppError::Conflict("这篇文章已因侵权投诉被删除，不会再次发布。".into())
                }
                xinwen_ingest::AddLinkError::Store(e) => e.into(),
                other => AppError::BadRequest(format!("无法添加这篇文章：{other}")),
            })?;
        state
            .store()
            .record_audit(&editor.actor(), "article.add", ("article", Some(id)), &url)
            .await?;
        state.announce_change().await;
        // To the article as readers see it: what the editor wants to check.
        Ok(axum::response::Redirect::to(&format!("/article/{id}")).into_response())
    };
    act(&state, result.await).await
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
    state.announce_change().await;
    Ok((id, source))
}

#[derive(Template)]
#[template(path = "admin/source.html")]
struct SourcePage {
    layout: AdminLayout,
    id: i64,
    form: SourceForm,
    channels: Vec<Channel>,
    read_note: String,
    bridges: Vec<BridgeRow>,
    charts: Vec<super::Chart>,
}

struct BridgeRow {
    name: String,
    url: String,
    last_success: String,
    last_error: String,
    failures: u32,
    newest_entry: String,
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
        let bridges = store.source_bridges(id).await?;
        let health = store.source_health(id).await?;
        Ok(SourcePage {
            layout: AdminLayout::new(&state, &editor, &format!("编辑来源：{}", source.name), &uri)
                .await?,
            id,
            form: SourceForm {
                name: source.name,
                slug: source.slug,
                kind: source.kind.as_str().to_owned(),
                publisher: source.publisher.as_str().to_owned(),
                feed_url: source.feed_url.unwrap_or_default(),
                link_selector: source.link_selector.unwrap_or_default(),
                link_pattern: source.link_pattern.unwrap_or_default(),
                bridges: bridges
                    .iter()
                    .map(|b| b.url.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                channel,
                homepage: source.homepage.unwrap_or_default(),
                follow_url: source.follow_url.unwrap_or_default(),
                description: source.description,
            },
            channels,
            read_note: health.read_note.unwrap_or_default(),
            bridges: bridges
                .into_iter()
                .map(|b| BridgeRow {
                    name: if b.position == 0 {
                        "首选".to_owned()
                    } else {
                        format!("备用{}", b.position + 1)
                    },
                    url: b.url,
                    last_success: b.last_success_at.map(datetime_zh).unwrap_or_default(),
                    last_error: b.last_error.unwrap_or_default(),
                    failures: b.failures,
                    newest_entry: b.newest_entry_at.map(datetime_zh).unwrap_or_default(),
                })
                .collect(),
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
        if source.kind != SourceKind::Wechat {
            store.set_source_bridges(id, &[]).await?;
        }
        // Read again at once, as edited.
        store.make_source_due(id).await?;
        store
            .record_audit(
                &editor.actor(),
                "source.edit",
                ("source", Some(id)),
                &source.slug,
            )
            .await?;
        state.announce_change().await;
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
    state.announce_change().await;
    Ok(())
}
