//! Politeness per host: at most N requests in flight, a minimum delay between the starts of two
//! requests, and a pause when the host asks for one (Retry-After, robots.txt Crawl-delay).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Turns at hosts that several processes keep together (fetch workers on several machines, in
/// the store they share), on top of each process's own limiter: the spacing between requests
/// and a host's pause then hold across all of them. An implementation that cannot reach what
/// it shares says so in the log and lets the request go (the process's own limiter still
/// holds); fetching must not stop because the coordination did.
pub trait SharedTurns: Send + Sync {
    /// Reserves a start at `host` at least `spacing` after the previous start by any process;
    /// returns how long to wait before starting.
    fn reserve<'a>(
        &'a self,
        host: &'a str,
        spacing: Duration,
    ) -> Pin<Box<dyn Future<Output = Duration> + Send + 'a>>;

    /// Holds every process's requests to `host` back for `pause` (a Retry-After).
    fn pause<'a>(
        &'a self,
        host: &'a str,
        pause: Duration,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;
}

struct HostSlot {
    in_flight: Arc<Semaphore>,
    /// The earliest moment the next request to this host may start.
    next_start: Mutex<Instant>,
}

/// A request's turn at a host; dropping it lets the next request in.
pub struct Turn {
    _permit: OwnedSemaphorePermit,
}

pub(crate) struct HostLimiter {
    per_host: usize,
    slots: Mutex<HashMap<String, Arc<HostSlot>>>,
}

/// Hosts idle this long are forgotten, so that the table does not grow without bound.
const FORGET_AFTER: Duration = Duration::from_secs(600);

impl HostLimiter {
    pub fn new(per_host: usize) -> HostLimiter {
        HostLimiter {
            per_host: per_host.max(1),
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, host: &str) -> Arc<HostSlot> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() > 4096 {
            let now = Instant::now();
            let per_host = self.per_host;
            slots.retain(|_, slot| {
                let idle = slot.in_flight.available_permits() == per_host;
                let next = *slot.next_start.lock().unwrap_or_else(|e| e.into_inner());
                !(idle && next + FORGET_AFTER < now)
            });
        }
        slots
            .entry(host.to_owned())
            .or_insert_with(|| {
                Arc::new(HostSlot {
                    in_flight: Arc::new(Semaphore::new(self.per_host)),
                    next_start: Mutex::new(Instant::now()),
                })
            })
            .clone()
    }

    /// Waits until a request to `host` may start, at least `min_delay` after the previous one.
    pub async fn turn(&self, host: &str, min_delay: Duration) -> Turn {
        let slot = self.slot(host);
        let permit = slot
            .in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        loop {
            let wait = {
                let mut next = slot.next_start.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                if *next <= now {
                    *next = now + min_delay;
                    None
                } else {
                    Some(*next - now)
                }
            };
            match wait {
                None => return Turn { _permit: permit },
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Holds every request to `host` back for `pause` (a Retry-After).
    pub fn pause(&self, host: &str, pause: Duration) {
        let slot = self.slot(host);
        let mut next = slot.next_start.lock().unwrap_or_else(|e| e.into_inner());
        let until = Instant::now() + pause;
        if *next < until {
            *next = until;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_to_one_host_are_spaced_by_the_minimum_delay() {
        let limiter = HostLimiter::new(4);
        let started = Instant::now();
        for _ in 0..3 {
            drop(limiter.turn("a.example", Duration::from_secs(2)).await);
        }
        assert_eq!(started.elapsed(), Duration::from_secs(4));
        // Another host is not held back by the first.
        let other = Instant::now();
        drop(limiter.turn("b.example", Duration::from_secs(2)).await);
        assert_eq!(other.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_the_host_back() {
        let limiter = HostLimiter::new(1);
        limiter.pause("a.example", Duration::from_secs(30));
        let started = Instant::now();
        drop(limiter.turn("a.example", Duration::ZERO).await);
        assert_eq!(started.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn at_most_n_requests_are_in_flight_per_host() {
        let limiter = Arc::new(HostLimiter::new(2));
        let first = limiter.turn("a.example", Duration::ZERO).await;
        let _second = limiter.turn("a.example", Duration::ZERO).await;
        let waiting = {
            let limiter = limiter.clone();
            tokio::spawn(async move { limiter.turn("a.example", Duration::ZERO).await })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiting.is_finished(), "a third request waits for a turn");
        drop(first);
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("the third request starts once one finishes")
            .unwrap();
    }
}
