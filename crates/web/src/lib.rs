//! The site: server-rendered pages, RSS, Atom and JSON feeds, the read-only JSON API under
//! `/api/v1/` with its OpenAPI document, the readers' and rights holders' forms, the editors'
//! admin, `/healthz`, `/readyz` and `/metrics`, over axum.
//!
//! It owns URLs, templates (compiled into the binary by askama, so a broken template is a build
//! error, not a 500 in production), the page cache, sessions and CSRF (`auth`), and HTTP
//! metrics. It writes to the store only through its moderation calls (a submission published,
//! an article hidden or moved, a takedown approved), never articles from publishers' HTML,
//! which it must not parse. It reaches the network only through the media proxy and the
//! editors' link preview (`xinwen-ingest`), both through the fetch guard. Every article body it
//! prints was sanitized or escaped before it was stored.
//!
//! [`router`] builds the whole application without a socket, which is what the tests drive;
//! [`serve`] binds it to a listener with graceful shutdown.

mod admin;
mod api;
mod auth;
mod cache;
mod charts;
mod error;
mod feeds;
mod filters;
mod format;
mod forms;
mod gate;
mod http_cache;
mod metrics;
mod pages;
mod related;
mod safety;
mod script;
mod settings;
mod sitemap;
mod views;
mod webhooks;
mod websub;

pub use admin::moderation::repair_takedowns;
pub use cache::PageCache;
pub use error::AppError;
pub use related::{RELATED_SHOWN, catch_up_related};
pub use settings::SiteSettings;
pub use webhooks::{
    EVENTS as WEBHOOK_EVENTS, WEBHOOK_TASK, signature as webhook_signature, start_webhooks,
};
pub use websub::{WEBSUB_TASK, start_websub};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use std::future::Future;
use std::sync::Arc;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use xinwen_fetch::Fetcher;
use xinwen_media::MediaProxy;
use xinwen_search::SearchIndex;
use xinwen_store::Store;

/// How long a serving process waits before its first integrity check of a large store.
pub const FIRST_INTEGRITY_CHECK_AFTER: std::time::Duration =
    std::time::Duration::from_secs(10 * 60);
/// A database this small is checked as the process starts: it is read in well under a second.
const CHECK_AT_ONCE_UP_TO_BYTES: u64 = 256 << 20;

/// How often a node looks whether another one changed what readers must see at once.
pub const SITE_CHANGE_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// How long a web node's hold on a site-wide task lasts without renewal: the tasks renew it
/// every few seconds, so another node takes over within this long of the holder stopping.
pub const TASK_LEASE: std::time::Duration = std::time::Duration::from_secs(30);

/// Whether `holder` holds `task` for the site (taking it when nobody does), and the task's
/// mark if so. A store that cannot be read holds nothing for anyone: the task waits.
pub(crate) async fn holds_task(state: &AppState, task: &str, holder: &str) -> Option<i64> {
    let now = chrono::Utc::now().timestamp_millis();
    let lease = i64::try_from(TASK_LEASE.as_millis()).unwrap_or(i64::MAX / 2);
    match state.store().hold_task(task, holder, now, lease).await {
        Ok(mark) => mark,
        Err(e) => {
            tracing::warn!(task, error = %e, "cannot see who holds a site-wide task; waiting");
            None
        }
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    site: SiteSettings,
    cache: PageCache,
    gate: gate::RenderGate,
    services: Services,
    /// Works out related reading in the background, when search runs here.
    related: Option<related::RelatedKeeper>,
    /// What the store's integrity check last found wrong, if anything.
    store_damage: std::sync::RwLock<Option<String>>,
    /// Requests to the API per address.
    api_limits: api::ApiLimits,
    /// The store's site generation this node's pages were last cleared at (see
    /// [`AppState::watch_site_changes`]).
    seen_generation: std::sync::atomic::AtomicI64,
    /// Each channel's newest articles, as article pages suggest them while their related
    /// reading is not worked out: read once a page-cache lifetime per channel, not per page.
    channel_newest: std::sync::Mutex<ChannelNewest>,
}

/// Per channel: the site generation and the time it was read at, and what was read.
type ChannelNewest = std::collections::HashMap<
    i64,
    (
        i64,
        std::time::Instant,
        Arc<Vec<xinwen_model::ArticleSummary>>,
    ),
>;

/// What the site uses besides the store, when the process has them: the media proxy answers
/// `/media/p/`, the search index answers `/search` and fills related reading.
#[derive(Clone, Default)]
pub struct Services {
    pub media: Option<Arc<MediaProxy>>,
    pub search: Option<Arc<SearchIndex>>,
    /// Fetches the links readers submit, when editors preview them: through the
    /// private-address guard *without* the operator's allow-list
    /// (`FetchConfig::for_readers_links`).
    pub fetcher: Option<Arc<Fetcher>>,
    /// Adds the article at a link an editor gives (the API's `POST /api/v1/articles`), in the
    /// process that fetches.
    pub ingester: Option<Arc<xinwen_ingest::Ingester>>,
}

impl AppState {
    pub fn new(store: Store, site: SiteSettings) -> AppState {
        AppState::with_services(store, site, Services::default())
    }

    pub fn with_services(store: Store, site: SiteSettings, services: Services) -> AppState {
        let cache = PageCache::new(site.page_cache_bytes, site.page_cache_ttl);
        let site_api_per_minute = site.api_requests_per_minute;
        let related = services
            .search
            .clone()
            .and_then(|index| related::RelatedKeeper::start(store.clone(), index));
        let gate = gate::RenderGate::new(
            site.renders_at_once,
            site.render_queue,
            site.render_wait,
            site.render_timeout,
        );
        AppState {
            inner: Arc::new(Inner {
                store,
                site,
                cache,
                gate,
                services,
                related,
                store_damage: std::sync::RwLock::new(None),
                api_limits: api::ApiLimits::new(site_api_per_minute),
                seen_generation: std::sync::atomic::AtomicI64::new(i64::MIN),
                channel_newest: std::sync::Mutex::new(ChannelNewest::new()),
            }),
        }
    }

    /// Runs the store's integrity check in the background, and every day after: a damaged page
    /// is logged as an error and makes `/healthz` fail, instead of going unnoticed until a
    /// reader happens on it.
    ///
    /// A small database is checked at once. A large one is first checked
    /// [`FIRST_INTEGRITY_CHECK_AFTER`] after start: the check reads every page (45 s for a year
    /// of news read cold off this machine's disk), and a process starts when its caches are
    /// cold and readers are arriving; at 1M articles the two together made the site answer in
    /// seconds.
    pub fn watch_store_integrity(&self) -> tokio::task::JoinHandle<()> {
        let state = self.clone();
        let database = state.store().data_dir().join(xinwen_store::DATABASE_FILE);
        let large =
            std::fs::metadata(&database).is_ok_and(|m| m.len() >= CHECK_AT_ONCE_UP_TO_BYTES);
        tokio::spawn(async move {
            if large {
                tokio::time::sleep(FIRST_INTEGRITY_CHECK_AFTER).await;
            }
            loop {
                if let Err(e) = state.store().optimize().await {
                    tracing::warn!(error = %e, "the store's statistics could not be refreshed");
                }
                let found = match state.store().check_integrity().await {
                    Ok(()) => None,
                    Err(e) => {
                        tracing::error!(error = %e, "the store's integrity check failed");
                        Some(e.to_string())
                    }
                };
                if let Ok(mut damage) = state.inner.store_damage.write() {
                    *damage = found;
                }
                tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
            }
        })
    }

    /// What the last integrity check found wrong with the store, if anything.
    pub fn store_damage(&self) -> Option<String> {
        self.inner.store_damage.read().ok().and_then(|d| d.clone())
    }

    pub fn media(&self) -> Option<&MediaProxy> {
        self.inner.services.media.as_deref()
    }

    pub fn search(&self) -> Option<&SearchIndex> {
        self.inner.services.search.as_deref()
    }

    /// The search index, shared, for work on a blocking thread.
    pub(crate) fn search_index(&self) -> Option<&Arc<SearchIndex>> {
        self.inner.services.search.as_ref()
    }

    pub fn fetcher(&self) -> Option<&Fetcher> {
        self.inner.services.fetcher.as_deref()
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn site(&self) -> &SiteSettings {
        &self.inner.site
    }

    /// Forgets every page this node rendered. A handler whose change readers must see at once
    /// calls [`AppState::announce_change`] instead, which tells the other nodes too.
    pub fn invalidate_pages(&self) {
        self.inner.cache.clear();
    }

    /// After a write that readers must see at once (a takedown, an article hidden or edited, a
    /// source changed): this node forgets its rendered pages now, and the store's site
    /// generation moves, so that every other node serving the same store forgets its own
    /// within [`SITE_CHANGE_POLL`].
    pub async fn announce_change(&self) {
        match self.store().announce_site_change().await {
            Ok(generation) => self
                .inner
                .seen_generation
                .store(generation, std::sync::atomic::Ordering::Relaxed),
            // This node is right; the others catch up when their pages expire.
            Err(e) => {
                tracing::error!(error = %e, "the change could not be announced to other nodes")
            }
        }
        self.invalidate_pages();
    }

    /// Watches the store's site generation: when another node announces a change, this node's
    /// search index catches up at once, its rendered pages are forgotten and the images it
    /// blocked are deleted from this node's media cache. What lets several
    /// web nodes serve one store without showing a removed article for longer than a poll.
    pub fn watch_site_changes(&self) -> tokio::task::JoinHandle<()> {
        let state = self.clone();
        tokio::spawn(async move {
            use std::sync::atomic::Ordering;
            loop {
                match state.store().site_generation().await {
                    Ok(generation) => {
                        let seen = state
                            .inner
                            .seen_generation
                            .swap(generation, Ordering::Relaxed);
                        if seen != generation && seen != i64::MIN {
                            if let Some(index) = state.search_index()
                                && let Err(e) = index.catch_up_quietly(state.store()).await
                            {
                                tracing::error!(error = %e, "the search index could not catch up after another node's change");
                            }
                            state.invalidate_pages();
                        }
                        // At start too: blocks made while this node was down.
                        if seen != generation
                            && let Some(media) = state.media()
                            && let Err(e) = media.remove_files_blocked_elsewhere().await
                        {
                            tracing::error!(error = %e, "the images another node blocked could not be deleted here; trying at the next change");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot read the site generation"),
                }
                if state.store().is_closed() {
                    return;
                }
                tokio::time::sleep(SITE_CHANGE_POLL).await;
            }
        })
    }

    /// Channel `channel_id`'s newest `count` live articles, read again once the page cache's
    /// lifetime has passed or the site has changed (a takedown, a removal).
    pub(crate) async fn channel_newest(
        &self,
        channel_id: i64,
        count: u32,
    ) -> Result<Arc<Vec<xinwen_model::ArticleSummary>>, AppError> {
        let generation = self
            .inner
            .seen_generation
            .load(std::sync::atomic::Ordering::Relaxed);
        let fresh = |(seen, at, _): &(i64, std::time::Instant, _)| {
            *seen == generation && at.elapsed() < self.inner.site.page_cache_ttl
        };
        if let Ok(kept) = self.inner.channel_newest.lock()
            && let Some(entry) = kept.get(&channel_id)
            && fresh(entry)
        {
            return Ok(entry.2.clone());
        }
        let filter = xinwen_store::ArticleFilter {
            channel_id: Some(channel_id),
            source_id: None,
        };
        let newest = Arc::new(
            self.inner
                .store
                .latest_articles(filter, 1, count, false)
                .await?
                .items,
        );
        if let Ok(mut kept) = self.inner.channel_newest.lock() {
            kept.insert(
                channel_id,
                (generation, std::time::Instant::now(), newest.clone()),
            );
        }
        Ok(newest)
    }

    pub(crate) fn related_keeper(&self) -> Option<&related::RelatedKeeper> {
        self.inner.related.as_ref()
    }

    pub(crate) fn gate(&self) -> &gate::RenderGate {
        &self.inner.gate
    }

    pub(crate) fn cache(&self) -> &PageCache {
        &self.inner.cache
    }

    pub(crate) fn api_limits(&self) -> &api::ApiLimits {
        &self.inner.api_limits
    }
}

/// The whole site as a router, ready for a listener or for `oneshot` in tests.
pub fn router(state: AppState) -> Router {
    let files = ServeDir::new(state.site().media_dir.clone());
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        ))
        .service(files);
    let media = Router::new()
        .route("/p/{signature}/{url}", get(pages::media::proxy))
        .fallback_service(files)
        .with_state(state.clone());
    let routes = Router::new()
        .route("/", get(pages::home::page))
        .route("/channel/{slug}", get(pages::channel::page))
        .route("/source/{slug}", get(pages::source::page))
        .route("/article/{id}", get(pages::article::page))
        .route("/story/{id}", get(pages::stories::story))
        .route("/hot", get(pages::stories::hot))
        .route("/hot/feed.xml", get(feeds::hot_rss))
        .route("/hot/feed.json", get(feeds::hot_json))
        .route("/search", get(pages::search::page))
        .route("/search/feed.xml", get(feeds::search_rss))
        .route("/search/feed.json", get(feeds::search_json))
        .route("/script/{which}", get(script::choose))
        .route(
            "/submit",
            get(pages::submit::form).post(pages::submit::send),
        )
        .route("/submit/received", get(pages::submit::received))
        .route("/submit/status", get(pages::submit::status))
        .route(
            "/takedown",
            get(pages::takedown::form).post(pages::takedown::send),
        )
        .route("/takedown/received", get(pages::takedown::received))
        .route("/takedown/status", get(pages::takedown::status))
        .route("/transparency", get(pages::takedown::transparency))
        .route(
            websub::HUB_PATH,
            axum::routing::post(websub::hub).layer(axum::extract::DefaultBodyLimit::max(
                websub::MAX_REQUEST_BYTES,
            )),
        )
        .route(
            "/websub/callback/{source}",
            get(websub::callback_verify)
                .post(websub::callback_notice)
                .layer(axum::extract::DefaultBodyLimit::max(
                    websub::MAX_NOTICE_BYTES,
                )),
        )
        .route("/sitemap.xml", get(sitemap::sitemap))
        .route("/sitemap-news.xml", get(sitemap::news_sitemap))
        .route("/robots.txt", get(sitemap::robots))
        .nest("/admin", admin::router())
        .nest("/api/v1", api::router(state.clone()))
        .route("/about", get(pages::info::about))
        .route("/contact", get(pages::info::contact))
        .route("/privacy", get(pages::info::privacy))
        .route("/terms", get(pages::info::terms))
        .route("/feed.xml", get(feeds::home_rss))
        .route("/atom.xml", get(feeds::home_atom))
        .route("/feed.json", get(feeds::home_json))
        .route("/channel/{slug}/feed.xml", get(feeds::channel_rss))
        .route("/channel/{slug}/atom.xml", get(feeds::channel_atom))
        .route("/channel/{slug}/feed.json", get(feeds::channel_json))
        .route("/source/{slug}/feed.xml", get(feeds::source_rss))
        .route("/source/{slug}/atom.xml", get(feeds::source_atom))
        .route("/source/{slug}/feed.json", get(feeds::source_json))
        .route("/static/style.css", get(pages::assets::stylesheet))
        .route("/static/favicon.svg", get(pages::assets::favicon))
        .route("/favicon.ico", get(pages::assets::favicon_ico))
        .route("/healthz", get(pages::health::healthz))
        .route("/readyz", get(pages::health::readyz))
        .route("/metrics", get(metrics::render))
        .nest_service("/media", media)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_guard,
        ))
        // Bodies are capped by the CSRF guard, which answers with the site's own page.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            script::convert_pages,
        ))
        // Tags and compresses what readers get, in their script.
        .layer(axum::middleware::from_fn(http_cache::conditional))
        .with_state(state);
    outermost(routes)
}

/// The layers every response passes through, outside every handler and middleware of ours:
/// a panic becomes a 500 page with a log line, every response gets the security headers, and
/// the metrics count it all. Public so that tests can put a handler of their own behind them.
pub fn outermost(app: Router) -> Router {
    app.layer(tower_http::catch_panic::CatchPanicLayer::custom(
        safety::PanicPage,
    ))
    .layer(axum::middleware::from_fn(safety::security_headers))
    .layer(axum::middleware::from_fn(metrics::track))
}

/// Serves the site on `listener` until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    metrics::install();
    // The peer's address is what per-address limits count (unless a trusted proxy says).
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
