//! How many pages render at once, and how long a request may wait for its turn.
//!
//! A page the cache does not hold is rendered from the store and the index. Past what the
//! machine can render, more renderings at once only make every one of them slower, until
//! none answers in time (a queue on the database pool that grows without bound). The gate lets
//! a fixed number render, keeps the others in a bounded line for a bounded time, and answers
//! the rest at once with 503 and `Retry-After`: under more load than it can take the site
//! stays fast for those it serves, and says so to the others.

use crate::AppError;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// What an overloaded site tells clients to wait, in seconds.
pub const RETRY_AFTER_SECS: u64 = 5;

pub(crate) struct RenderGate {
    turns: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    max_wait: Duration,
    render_timeout: Duration,
}

impl RenderGate {
    pub(crate) fn new(
        at_once: usize,
        max_waiting: usize,
        max_wait: Duration,
        render_timeout: Duration,
    ) -> RenderGate {
        RenderGate {
            turns: Semaphore::new(at_once.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
            max_wait,
            render_timeout,
        }
    }

    /// Runs `render` in its turn: [`AppError::Overloaded`] when the line is full, when the
    /// turn does not come within the wait, or when the rendering itself overruns.
    pub(crate) async fn run<T>(
        &self,
        render: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let turn = match self.turns.try_acquire() {
            Ok(turn) => turn,
            Err(_) => {
                // Counted out on drop as well: a request whose client went away while it
                // waited must not keep its place in the count.
                let place = InLine::join(&self.waiting);
                if place.ahead >= self.max_waiting {
                    return Err(AppError::Overloaded);
                }
                let waited = tokio::time::timeout(self.max_wait, self.turns.acquire()).await;
                drop(place);
                match waited {
                    Ok(Ok(turn)) => turn,
                    _ => return Err(AppError::Overloaded),
                }
            }
        };
        let rendered = tokio::time::timeout(self.render_timeout, render).await;
        drop(turn);
        match rendered {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!(
                    seconds = self.render_timeout.as_secs_f64(),
                    "a page took too long to render and was abandoned"
                );
                Err(AppError::Overloaded)
            }
        }
    }
}

/// A place in the line of requests waiting for a turn, given up when dropped.
struct InLine<'a> {
    count: &'a AtomicUsize,
    /// How many were waiting before this one.
    ahead: usize,
}

impl<'a> InLine<'a> {
    fn join(count: &'a AtomicUsize) -> InLine<'a> {
        let ahead = count.fetch_add(1, Ordering::SeqCst);
        InLine { count, ahead }
    }
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn past_the_line_and_the_wait_requests_are_refused_at_once() {
        let gate = Arc::new(RenderGate::new(
            1,
            1,
            Duration::from_millis(500),
            Duration::from_secs(10),
        ));
        let slow = |gate: Arc<RenderGate>| async move {
            gate.run(async {
                tokio::time::sleep(Duration::from_secs(2)).await;
                Ok::<_, AppError>(())
            })
            .await
        };
        let rendering = tokio::spawn(slow(gate.clone()));
        tokio::task::yield_now().await;
        let waiting = tokio::spawn(slow(gate.clone()));
        tokio::task::yield_now().await;
        // The line holds one: the third is refused without waiting.
        let started = tokio::time::Instant::now();
        assert!(matches!(
            slow(gate.clone()).await,
            Err(AppError::Overloaded)
        ));
        assert_eq!(started.elapsed(), Duration::ZERO);
        // The one in line gives up after its wait; the one rendering finishes.
        assert!(matches!(waiting.await.unwrap(), Err(AppError::Overloaded)));
        assert!(rendering.await.unwrap().is_ok());
        // Free again: the next one renders.
        assert!(slow(gate.clone()).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_dropped_while_waiting_gives_up_its_place() {
        let gate = Arc::new(RenderGate::new(
            1,
            1,
            Duration::from_secs(60),
            Duration::from_secs(600),
        ));
        let slow = |gate: Arc<RenderGate>| async move {
            gate.run(async {
                tokio::time::sleep(Duration::from_secs(10)).await;
                Ok::<_, AppError>(())
            })
            .await
        };
        let rendering = tokio::spawn(slow(gate.clone()));
        tokio::task::yield_now().await;
        // A reader waits, then leaves (the connection closes and the request is dropped).
        let waiting = tokio::spawn(slow(gate.clone()));
        tokio::task::yield_now().await;
        waiting.abort();
        let _ = waiting.await;
        // The line is free again: the next request waits its turn instead of being refused.
        let next = tokio::spawn(slow(gate.clone()));
        assert!(rendering.await.unwrap().is_ok());
        assert!(next.await.unwrap().is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_rendering_that_overruns_is_abandoned() {
        let gate = RenderGate::new(1, 10, Duration::from_secs(1), Duration::from_secs(3));
        let stuck = gate.run(async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<_, AppError>(())
        });
        assert!(matches!(stuck.await, Err(AppError::Overloaded)));
        assert!(gate.run(async { Ok::<_, AppError>(1) }).await.is_ok());
    }
}
