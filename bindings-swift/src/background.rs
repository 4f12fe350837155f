//! Where the blocking core calls run: a small pool of threads of this library, so that Swift's
//! `async` callers never block their own thread (the main actor, or a thread of Swift's
//! cooperative pool, which must not wait on I/O or locks).
//!
//! uniffi polls an exported `async fn` from Swift's executor; the future of [`run`] hands its
//! body to a worker thread and wakes the Swift task when the answer is in. No Rust async runtime
//! is involved (the core is synchronous). The pool grows on demand up to [`MAX_THREADS`] (a call
//! waiting for a PostgreSQL connection or an SQLite lock holds its thread), and an idle thread
//! ends after [`IDLE`], so an application that stops calling keeps none. Written with `std`
//! only: the `blocking` crate does the same, at the price of a dependency.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::error::{InventoryError, Result, guard};

/// The most worker threads at once; calls beyond wait in a queue.
const MAX_THREADS: usize = 64;
/// How long a worker waits for work before it ends.
const IDLE: Duration = Duration::from_secs(10);

type Job = Box<dyn FnOnce() + Send + 'static>;

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Workers alive.
    threads: usize,
    /// Workers waiting for a job.
    idle: usize,
}

#[derive(Default)]
struct Pool {
    queue: Mutex<Queue>,
    ready: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A job never runs with the lock held, so a poisoned lock holds consistent data.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Pool {
    fn get() -> &'static Pool {
        static POOL: OnceLock<Pool> = OnceLock::new();
        POOL.get_or_init(Pool::default)
    }

    /// Queues `job`, waking an idle worker or starting one.
    fn spawn(&'static self, job: Job) {
        let mut q = lock(&self.queue);
        q.jobs.push_back(job);
        // Enough idle workers for every queued job: wake one; else start another.
        if q.idle >= q.jobs.len() {
            self.ready.notify_one();
        } else if q.threads < MAX_THREADS {
            q.threads += 1;
            let started = std::thread::Builder::new()
                .name("license-inventory".into())
                .spawn(move || self.work());
            if started.is_err() {
                q.threads -= 1;
                // No thread could be made: run the job here rather than lose it.
                if q.threads == 0 {
                    let jobs: Vec<Job> = q.jobs.drain(..).collect();
                    drop(q);
                    jobs.into_iter().for_each(|job| job());
                }
            }
        }
    }

    fn work(&'static self) {
        let mut q = lock(&self.queue);
        loop {
            if let Some(job) = q.jobs.pop_front() {
                drop(q);
                // A job catches its own panics (`guard`); this only keeps the thread alive.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                q = lock(&self.queue);
                continue;
            }
            q.idle += 1;
            let (next, timeout) = self
                .ready
                .wait_timeout(q, IDLE)
                .unwrap_or_else(PoisonError::into_inner);
            q = next;
            q.idle -= 1;
            if timeout.timed_out() && q.jobs.is_empty() {
                q.threads -= 1;
                return;
            }
        }
    }
}

/// The answer of one job, and the waker of the task awaiting it.
struct Slot<T> {
    value: Option<Result<T>>,
    waker: Option<Waker>,
    /// The job is over (answered, or dropped without an answer).
    done: bool,
}

/// Completes the slot when dropped, answered or not, so the awaiting task always wakes.
struct Answer<T>(Arc<Mutex<Slot<T>>>);

impl<T> Answer<T> {
    fn send(self, value: Result<T>) {
        lock(&self.0).value = Some(value);
    }
}

impl<T> Drop for Answer<T> {
    fn drop(&mut self) {
        let waker = {
            let mut slot = lock(&self.0);
            slot.done = true;
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The future of [`run`].
struct Pending<T>(Arc<Mutex<Slot<T>>>);

impl<T> Future for Pending<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let mut slot = lock(&self.0);
        if slot.done {
            return Poll::Ready(slot.value.take().unwrap_or_else(|| {
                Err(InventoryError::Internal {
                    message: "internal error (a bug, please report it): a call ended without an \
                              answer"
                        .into(),
                })
            }));
        }
        slot.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Runs `body` (a blocking core call) on the pool, through [`guard`] (a panic becomes
/// `InventoryError.Internal`), and resolves with its result.
pub(crate) fn run<T: Send + 'static>(
    body: impl FnOnce() -> Result<T> + Send + 'static,
) -> impl Future<Output = Result<T>> + Send {
    let slot = Arc::new(Mutex::new(Slot {
        value: None,
        waker: None,
        done: false,
    }));
    let answer = Answer(slot.clone());
    Pool::get().spawn(Box::new(move || answer.send(guard(body))));
    Pending(slot)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives a future to its end on this thread (a test executor).
    fn block_on<F: Future>(future: F) -> F::Output {
        struct Thread(std::thread::Thread);
        impl std::task::Wake for Thread {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Thread(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
                return v;
            }
            std::thread::park();
        }
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn runs_on_another_thread_and_answers() {
        let here = std::thread::current().id();
        let there = block_on(run(move || Ok(std::thread::current().id()))).unwrap();
        assert_ne!(here, there);
    }

    #[test]
    #[allow(clippy::panic, clippy::unwrap_used)]
    fn a_panic_is_the_internal_error() {
        let err = block_on(run::<()>(|| panic!("boom"))).unwrap_err();
        assert_eq!(err.code(), "INTERNAL_PANIC");
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn many_calls_at_once_all_answer() {
        let futures: Vec<_> = (0..200u64)
            .map(|i| {
                run(move || {
                    std::thread::sleep(Duration::from_millis(1));
                    Ok(i)
                })
            })
            .collect();
        let sum: u64 = futures.into_iter().map(|f| block_on(f).unwrap()).sum();
        assert_eq!(sum, 199 * 200 / 2);
    }
}
