//! Work that yields the CPU to readers.
//!
//! A serving process does two kinds of work: answering readers, and work nobody waits on at
//! that moment (extracting fetched pages, indexing them, working out related reading). On a
//! small machine the second kind, run beside the first at the same priority, takes the cores
//! a burst of readers needs: at 1M articles on two cores, related reading alone was a tenth of
//! the server's CPU, and an ingest pass tripled the readers' p99. [`run`] hands such work to a
//! few threads at the lowest priority the OS gives without privileges (nice 19 on Linux, about
//! 1.5% of a core's share against a thread at the default), so that it takes what readers
//! leave and still moves forward, slowly, under a load that leaves nothing.
//!
//! Only computation belongs here. Work that holds a lock readers wait on (a database
//! transaction) must not run at low priority, or readers would wait behind a thread the OS
//! hardly schedules. The search index's commits run here holding the index writer's lock,
//! which readers never take; an editor's takedown does, and may wait for such a commit.
//!
//! This crate owns those threads; it knows nothing of what runs on them.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

/// What can go wrong with background work.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the background work panicked: {0}")]
    Panicked(String),
    #[error("the background threads could not be started: {0}")]
    Unavailable(String),
}

type Job = Box<dyn FnOnce() + Send>;

/// The queue the threads take work from, started on first use.
static QUEUE: OnceLock<Result<Mutex<mpsc::Sender<Job>>, String>> = OnceLock::new();

/// Runs `work` on a low-priority thread and waits for its result without blocking the caller's
/// runtime. Work runs in the order it was handed over, as many at once as there are cores.
pub async fn run<T, F>(work: F) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let queue = QUEUE
        .get_or_init(start)
        .as_ref()
        .map_err(|e| Error::Unavailable(e.clone()))?;
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        // The caller may have gone (its request was dropped): nothing to tell then.
        let _ = done.send(outcome.map_err(|panic| Error::Panicked(panic_message(&*panic))));
    });
    queue
        .lock()
        .map_err(|_| Error::Unavailable("the queue's lock was poisoned".to_owned()))?
        .send(job)
        .map_err(|_| Error::Unavailable("the background threads have stopped".to_owned()))?;
    result
        .await
        .map_err(|_| Error::Unavailable("the background threads have stopped".to_owned()))?
}

fn start() -> Result<Mutex<mpsc::Sender<Job>>, String> {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    for n in 0..threads {
        let receiver = receiver.clone();
        std::thread::Builder::new()
            .name(format!("background-{n}"))
            .spawn(move || {
                lower_own_priority();
                loop {
                    // The lock is held only while waiting for the next job, not while it runs.
                    let job = match receiver.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            })
            .map_err(|e| e.to_string())?;
    }
    Ok(Mutex::new(sender))
}

/// Lowers the calling thread (only it, on Linux) to the least priority, or says why not.
fn lower_own_priority() {
    if let Err(e) =
        thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min)
    {
        tracing::warn!(error = ?e, "background work runs at normal priority: the OS refused to lower it");
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_comes_back_with_its_result() {
        let sum = run(|| (1..=100u32).sum::<u32>()).await.unwrap();
        assert_eq!(sum, 5050);
    }

    #[tokio::test]
    async fn a_panic_is_an_error_and_the_threads_go_on() {
        let failed = run(|| -> u32 { panic!("bad input") }).await;
        match failed {
            Err(Error::Panicked(message)) => assert!(message.contains("bad input"), "{message}"),
            other => panic!("expected a panic, got {other:?}"),
        }
        assert_eq!(run(|| 7).await.unwrap(), 7);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_threads_run_at_the_lowest_priority() {
        // Read back from the kernel: the thread's nice value is field 19 of its stat line.
        let nice = run(|| {
            let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
            let after_name = &stat[stat.rfind(')').unwrap() + 2..];
            after_name
                .split(' ')
                .nth(16)
                .unwrap()
                .parse::<i32>()
                .unwrap()
        })
        .await
        .unwrap();
        assert_eq!(nice, 19);
    }
}
