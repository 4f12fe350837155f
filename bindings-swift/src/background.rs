//! Where the blocking core calls run: a thread pool, so that Swift's `async` callers never
//! block their own thread (the main actor, or a thread of Swift's cooperative pool, which must
//! not wait on I/O or locks).
//!
//! uniffi polls an exported `async fn` from Swift's executor; the future of [`run`] hands its
//! body to the `blocking` crate's pool (smol-rs) and wakes the Swift task when the answer is in.
//! No async runtime is involved (the core is synchronous). The pool grows on demand (a call
//! waiting for a PostgreSQL connection or an SQLite lock holds its thread; at most 500 threads,
//! or `BLOCKING_MAX_THREADS`) and idle threads end, so an application that stops calling keeps
//! none.

use std::future::Future;

use crate::error::{Result, guard};

/// Runs `body` (a blocking core call) on the pool, through [`guard`] (a panic becomes
/// `InventoryError.Internal`), and resolves with its result.
pub(crate) fn run<T: Send + 'static>(
    body: impl FnOnce() -> Result<T> + Send + 'static,
) -> impl Future<Output = Result<T>> + Send {
    blocking::unblock(move || guard(body))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

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
