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
/// the store they share), on top of each process's own limiter: the limit on requests in
/// flight, the spacing between requests and a host's pause then hold across all of them. An
/// implementation that cannot reach what it shares says so in the log and lets the request go
/// (the process's own limiter still holds); fetching must not stop because the coordination
/// did.
pub trait SharedTurns: Send + Sync {
    /// Lets a request in at `host`: takes one of `limit` places for a request in flight,
    /// counted across every process, for at most `hold` (a process that dies holding one frees
    /// it so), and with it reserves a start at least `spacing` after the previous start by any
    /// process. `None` when every place is held; else the place, to give back with
    /// [`SharedTurns::leave`], and how long to wait before starting.
    fn enter<'a>(
        &'a self,
        host: &'a str,
        limit: usize,
        hold: Duration,
        spacing: Duration,
    ) -> Entering<'a>;

    /// Lets the next request in on a place this process still holds from the one before:
    /// holds it `hold` longer and reserves a start as [`SharedTurns::enter`] does. `None` when
    /// the place is no longer this holder's (its hold ran out and another took it); the
    /// request then enters anew. The default never keeps a place.
    fn reenter<'a>(
        &'a self,
        place: &'a SharedPlace,
        hold: Duration,
        spacing: Duration,
    ) -> Pin<Box<dyn Future<Output = Option<Duration>> + Send + 'a>> {
        let _ = (place, hold, spacing);
        Box::pin(async { None })
    }

    /// Gives a place taken with [`SharedTurns::enter`] back.
    fn leave(&self, place: SharedPlace) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;

    /// Holds every process's requests to `host` back for `pause` (a Retry-After).
    fn pause<'a>(
        &'a self,
        host: &'a str,
        pause: Duration,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;
}

/// What [`SharedTurns::enter`] answers, in time: a place and how long to wait, or none.
pub type Entering<'a> = Pin<Box<dyn Future<Output = Option<(SharedPlace, Duration)>> + Send + 'a>>;

/// A place for a request in flight at a host, held across processes: which host, which of its
/// places, and a token that says who holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedPlace {
    pub host: String,
    pub place: u32,
    pub holder: String,
}

/// How often a request waiting for a place at a busy host looks again.
const PLACE_POLL: Duration = Duration::from_millis(50);

/// How long a place stays with this process after its request ends, beyond the spacing the
/// host's requests keep anyway, for the next request to the same host to go on in it: a worker
/// busy at a host then asks the store once per request (its turn) instead of three times
/// (place, turn, giving back). Short, so that another worker waiting for the host waits
/// little longer than it would for the turn.
const KEEP_PLACE: Duration = Duration::from_millis(200);

/// The longest a place is kept unused, however far apart the host wants its requests.
const KEEP_PLACE_AT_MOST: Duration = Duration::from_secs(5);

/// The shared places of one process: [`SharedTurns`], and the places its finished requests
/// still hold for a moment (see [`KEEP_PLACE`]).
pub(crate) struct SharedHosts {
    turns: Arc<dyn SharedTurns>,
    kept: Mutex<HashMap<String, Vec<KeptPlace>>>,
    /// Tells one keeping of a place from the next, so that a late release leaves a place that
    /// has since gone on to another request alone.
    keepings: std::sync::atomic::AtomicU64,
}

struct KeptPlace {
    place: SharedPlace,
    keeping: u64,
}

impl SharedHosts {
    pub(crate) fn new(turns: Arc<dyn SharedTurns>) -> Arc<SharedHosts> {
        Arc::new(SharedHosts {
            turns,
            kept: Mutex::new(HashMap::new()),
            keepings: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub(crate) fn turns(&self) -> &Arc<dyn SharedTurns> {
        &self.turns
    }

    fn kept_place(&self, host: &str) -> Option<SharedPlace> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let places = kept.get_mut(host)?;
        let place = places.pop().map(|kept| kept.place);
        if places.is_empty() {
            kept.remove(host);
        }
        place
    }

    /// Waits for a place at `host` among `limit` and for the start it reserves, across every
    /// process sharing the turns: a place this process kept from its last request there when
    /// it has one, else a free one.
    pub(crate) async fn take(
        self: &Arc<Self>,
        host: &str,
        limit: usize,
        hold: Duration,
        spacing: Duration,
    ) -> HeldPlace {
        while let Some(place) = self.kept_place(host) {
            if let Some(wait) = self.turns.reenter(&place, hold, spacing).await {
                return self.held_after(place, spacing, wait).await;
            }
        }
        loop {
            if let Some((place, wait)) = self.turns.enter(host, limit, hold, spacing).await {
                return self.held_after(place, spacing, wait).await;
            }
            tokio::time::sleep(PLACE_POLL).await;
        }
    }

    /// `place`, held from now (so that it is given back should the wait be cut short), once
    /// the turn it reserved comes, `wait` from now.
    async fn held_after(
        self: &Arc<Self>,
        place: SharedPlace,
        spacing: Duration,
        wait: Duration,
    ) -> HeldPlace {
        let held = HeldPlace {
            hosts: self.clone(),
            place: Some(place),
            spacing,
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        held
    }

    /// Keeps `place` for the next request to its host, and gives it back after [`KEEP_PLACE`]
    /// past the host's `spacing` unless one took it by then.
    fn keep(self: &Arc<Self>, place: SharedPlace, spacing: Duration) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // No runtime to give it back later: its hold runs out by itself.
            return;
        };
        let keeping = self
            .keepings
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let host = place.host.clone();
        self.kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(host.clone())
            .or_default()
            .push(KeptPlace { place, keeping });
        let hosts = self.clone();
        runtime.spawn(async move {
            tokio::time::sleep((spacing + KEEP_PLACE).min(KEEP_PLACE_AT_MOST)).await;
            let unused = {
                let mut kept = hosts.kept.lock().unwrap_or_else(|e| e.into_inner());
                let Some(places) = kept.get_mut(&host) else {
                    return;
                };
                let unused = places
                    .iter()
                    .position(|kept| kept.keeping == keeping)
                    .map(|at| places.swap_remove(at).place);
                if places.is_empty() {
                    kept.remove(&host);
                }
                unused
            };
            if let Some(place) = unused {
                hosts.turns.leave(place).await;
            }
        });
    }
}

/// A shared place held for one request; when dropped, kept a moment for the next request to
/// the host, then given back.
pub(crate) struct HeldPlace {
    hosts: Arc<SharedHosts>,
    place: Option<SharedPlace>,
    /// The spacing the host's requests keep, which the place outlasts when kept.
    spacing: Duration,
}

impl Drop for HeldPlace {
    fn drop(&mut self) {
        if let Some(place) = self.place.take() {
            self.hosts.keep(place, self.spacing);
        }
    }
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
