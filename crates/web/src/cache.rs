//! A bounded cache of rendered responses, keyed by path and query.
//!
//! News pages are read far more often than they change, and rendering means several queries
//! and a template; serving the bytes of a page rendered moments ago is what lets the site keep
//! pace with a static file server. Entries expire after a short time so that new articles show
//! up without any coordination, and [`PageCache::clear`] drops everything when a change (a
//! removal, say) must be seen at once. The cache is bounded in bytes, so memory stays flat as
//! the corpus grows.

use axum::http::{HeaderValue, StatusCode};
use bytes::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use std::future::Future;
use std::time::Duration;
// tokio's clock, so that tests can pause and advance it instead of sleeping.
use tokio::time::Instant;

#[derive(Clone)]
pub(crate) struct CachedPage {
    pub status: StatusCode,
    pub content_type: HeaderValue,
    pub body: Bytes,
    rendered_at: Instant,
}

impl CachedPage {
    pub fn new(status: StatusCode, content_type: HeaderValue, body: Bytes) -> CachedPage {
        CachedPage {
            status,
            content_type,
            body,
            rendered_at: Instant::now(),
        }
    }
}

#[derive(Clone)]
struct ByBytes;

impl Weighter<String, CachedPage> for ByBytes {
    fn weight(&self, key: &String, page: &CachedPage) -> u64 {
        (key.len() + page.body.len() + 64) as u64
    }
}

pub struct PageCache {
    pages: Cache<String, CachedPage, ByBytes>,
    ttl: Duration,
}

impl PageCache {
    pub fn new(max_bytes: u64, ttl: Duration) -> PageCache {
        // quick_cache wants an estimate of the number of items; pages average a few tens of KB.
        let estimated_items = usize::try_from(max_bytes / 16_384).unwrap_or(4096).max(16);
        PageCache {
            pages: Cache::with_weighter(estimated_items, max_bytes, ByBytes),
            ttl,
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<CachedPage> {
        let page = self.pages.get(key)?;
        if page.rendered_at.elapsed() < self.ttl {
            Some(page)
        } else {
            self.pages.remove(key);
            None
        }
    }

    /// The fresh page under `key`, or the one `render` makes. While one request renders a
    /// key, the others asking for it wait for that page instead of rendering it again, so a
    /// burst of misses on one page costs one rendering. `Err` (a page that must not be kept)
    /// is returned to the one request that rendered it; a waiter then renders in its turn.
    pub(crate) async fn get_or_render<F, E>(&self, key: &str, render: F) -> Result<CachedPage, E>
    where
        F: Future<Output = Result<CachedPage, E>>,
    {
        if self.ttl.is_zero() {
            return render.await;
        }
        let guard = loop {
            match self.pages.get_value_or_guard_async(key).await {
                Ok(page) if page.rendered_at.elapsed() < self.ttl => return Ok(page),
                // Expired: dropped, and the next turn of the loop takes the key's guard.
                Ok(_) => {
                    self.pages.remove(key);
                }
                Err(guard) => break guard,
            }
        };
        let page = render.await?;
        let _ = guard.insert(page.clone());
        Ok(page)
    }

    pub(crate) fn insert(&self, key: String, page: CachedPage) {
        if !self.ttl.is_zero() {
            self.pages.insert(key, page);
        }
    }

    pub fn clear(&self) {
        self.pages.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &'static str) -> CachedPage {
        CachedPage::new(
            StatusCode::OK,
            HeaderValue::from_static("text/html"),
            Bytes::from_static(body.as_bytes()),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn entries_expire_and_clear() {
        let cache = PageCache::new(1 << 20, Duration::from_secs(10));
        cache.insert("/".into(), page("home"));
        assert_eq!(cache.get("/").unwrap().body, "home");
        tokio::time::advance(Duration::from_millis(9_999)).await;
        assert!(cache.get("/").is_some(), "still fresh just before its time");
        tokio::time::advance(Duration::from_millis(2)).await;
        assert!(cache.get("/").is_none());
        cache.insert("/".into(), page("home"));
        cache.clear();
        assert!(cache.get("/").is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_misses_of_one_page_render_it_once() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cache = Arc::new(PageCache::new(1 << 20, Duration::from_secs(60)));
        let renders = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(tokio::sync::Barrier::new(200));
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let (cache, renders, start) = (cache.clone(), renders.clone(), start.clone());
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                cache
                    .get_or_render("/", async {
                        renders.fetch_add(1, Ordering::SeqCst);
                        // Long enough for every other request to arrive while it renders.
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        Ok::<_, ()>(page("home"))
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().body, "home");
        }
        assert_eq!(renders.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_rendering_is_not_kept_and_the_next_request_renders_again() {
        let cache = PageCache::new(1 << 20, Duration::from_secs(60));
        let failed: Result<CachedPage, &str> =
            cache.get_or_render("/", async { Err("down") }).await;
        assert!(failed.is_err());
        let rendered = cache
            .get_or_render("/", async { Ok::<_, &str>(page("home")) })
            .await
            .unwrap();
        assert_eq!(rendered.body, "home");
        assert_eq!(cache.get("/").unwrap().body, "home", "kept once rendered");
    }

    #[test]
    fn the_cache_stays_within_its_byte_budget() {
        let cache = PageCache::new(64 * 1024, Duration::from_secs(60));
        let body: &'static str = Box::leak("x".repeat(8 * 1024).into_boxed_str());
        for i in 0..100 {
            cache.insert(format!("/article/{i}"), page(body));
        }
        let kept = (0..100)
            .filter(|i| cache.get(&format!("/article/{i}")).is_some())
            .count();
        assert!(kept <= 8, "kept {kept} pages of 8 KiB in a 64 KiB cache");
        // ... and it does keep pages: the newest ones, up to what fits.
        assert!(
            kept >= 6,
            "kept only {kept} pages of 8 KiB in a 64 KiB cache"
        );
        assert!(
            cache.get("/article/99").is_some(),
            "the newest page is kept"
        );
    }
}
