//! Keeping stories as articles arrive: each new article is compared with the recent ones
//! (`xinwen-dedup`) and joins a story or starts one; the store keeps the result.

use chrono::Utc;
use std::sync::Mutex;
use xinwen_dedup::{Deduper, Fingerprint, WINDOW_DAYS, fingerprint};
use xinwen_store::Store;

pub struct StoryKeeper {
    store: Store,
    /// One placing pass at a time: passes over many sources finish together, and each would
    /// otherwise read the same pending articles.
    placing: tokio::sync::Mutex<()>,
    deduper: Mutex<Deduper>,
    /// The size past which old fingerprints are forgotten next; doubles when forgetting frees
    /// little, so that a busy window is not rebuilt on every article.
    forget_at: std::sync::atomic::AtomicUsize,
    /// The highest article id whose fingerprint the deduper has: above it, what other
    /// processes placed, read before each placing pass.
    seen_up_to: std::sync::atomic::AtomicI64,
}

/// Past this many fingerprints in memory, articles older than twice the window are forgotten.
const FORGET_ABOVE: usize = 100_000;

impl StoryKeeper {
    /// Starts from the fingerprints of recent articles (reposts come within days, so older
    /// ones need not be compared), then places every article still without a story.
    pub async fn load(store: Store) -> Result<StoryKeeper, xinwen_store::Error> {
        let mut deduper = Deduper::new();
        // The window ends at the newest article, not the clock: a site whose sources went
        // quiet (a demo, a restored backup) still compares against its last weeks.
        let newest = store.newest_published_at().await?.unwrap_or_else(Utc::now);
        let since = newest.min(Utc::now()) - chrono::Duration::days(WINDOW_DAYS * 2);
        let mut seen_up_to = 0;
        for stored in store.fingerprints_since(since).await? {
            seen_up_to = seen_up_to.max(stored.article_id);
            insert(&mut deduper, stored);
        }
        let keeper = StoryKeeper {
            store,
            placing: tokio::sync::Mutex::new(()),
            seen_up_to: std::sync::atomic::AtomicI64::new(seen_up_to),
            forget_at: std::sync::atomic::AtomicUsize::new(FORGET_ABOVE.max(deduper.len() * 2)),
            deduper: Mutex::new(deduper),
        };
        keeper.assign_pending().await?;
        Ok(keeper)
    }

    /// Places every article without a story, oldest first. Returns how many.
    ///
    /// Other processes may be placing articles in the same store (fetch workers on several
    /// machines): the pass takes the store's turn at placing, then learns what the others
    /// placed since it last looked, so that a repost joins the story another worker started.
    pub async fn assign_pending(&self) -> Result<usize, xinwen_store::Error> {
        let _turn = self.placing.lock().await;
        let _store_turn = self.store.story_placement_turn().await?;
        self.learn_placed_elsewhere().await?;
        let mut done = 0;
        loop {
            let pending = self.store.articles_without_story(500).await?;
            if pending.is_empty() {
                return Ok(done);
            }
            let mut placements = Vec::with_capacity(pending.len());
            for article in pending {
                let print = fingerprint(&article.title, &article.body_text);
                let (story, merged) = {
                    let mut deduper = self.deduper.lock().unwrap_or_else(|e| e.into_inner());
                    use std::sync::atomic::Ordering;
                    if deduper.len() > self.forget_at.load(Ordering::Relaxed) {
                        let keep_after =
                            article.published_at - chrono::Duration::days(WINDOW_DAYS * 2);
                        let forgotten = deduper.forget_before(keep_after);
                        self.forget_at
                            .store(FORGET_ABOVE.max(deduper.len() * 2), Ordering::Relaxed);
                        tracing::info!(
                            forgotten,
                            kept = deduper.len(),
                            "story fingerprints past the window forgotten"
                        );
                    }
                    match deduper.story_of(article.id) {
                        Some(story) => (story, None),
                        None => {
                            let assignment =
                                deduper.add(article.id, article.published_at, print.clone());
                            (assignment.story, assignment.merged)
                        }
                    }
                };
                placements.push(xinwen_store::Placement {
                    article_id: article.id,
                    story_id: story,
                    merged,
                    signature: print.signature_bytes(),
                    shingles: print.shingles,
                    content_hash: print.content_hash,
                    numbers: print.numbers_bytes(),
                });
                done += 1;
            }
            self.store.assign_stories(&placements).await?;
            if let Some(last) = placements.iter().map(|p| p.article_id).max() {
                self.seen_up_to
                    .fetch_max(last, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
}

impl StoryKeeper {
    /// Adds the fingerprints other processes stored since this keeper last looked.
    async fn learn_placed_elsewhere(&self) -> Result<(), xinwen_store::Error> {
        use std::sync::atomic::Ordering;
        let after = self.seen_up_to.load(Ordering::Relaxed);
        let newer = self.store.fingerprints_after(after).await?;
        let Some(last) = newer.iter().map(|p| p.article_id).max() else {
            return Ok(());
        };
        let mut deduper = self.deduper.lock().unwrap_or_else(|e| e.into_inner());
        for stored in newer {
            if deduper.story_of(stored.article_id).is_none() {
                insert(&mut deduper, stored);
            }
        }
        self.seen_up_to.fetch_max(last, Ordering::Relaxed);
        Ok(())
    }
}

fn insert(deduper: &mut Deduper, stored: xinwen_store::StoredFingerprint) {
    if let Some(print) = Fingerprint::from_parts(
        &stored.signature,
        stored.shingles,
        stored.content_hash,
        &stored.numbers,
    ) {
        deduper.insert(
            stored.article_id,
            stored.story_id,
            stored.published_at,
            print,
        );
    }
}
