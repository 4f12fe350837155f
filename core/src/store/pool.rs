//! A small blocking connection pool shared by the SQL stores.
//!
//! A checked-out connection is a [`Pooled`] guard: dropping it gives the connection back, or,
//! when the connection is not fit for reuse (it broke, or a panic unwound through the
//! transaction that used it), closes it and frees its slot. So a panic can never leak a
//! connection, and a caller waiting for one waits a bounded time ([`CHECKOUT_WAIT`]) before a
//! typed error ([`StorageError::PoolExhausted`]).

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{Result, StorageError};

type Connect<C> = Box<dyn Fn() -> Result<C> + Send + Sync>;

/// Whether a connection coming back may be reused; the flag says a panic is unwinding.
type Reusable<C> = fn(&mut C, bool) -> bool;

/// How long a checkout waits for a connection to come back before
/// [`StorageError::PoolExhausted`].
pub(crate) const CHECKOUT_WAIT: Duration = Duration::from_secs(30);

/// Hands out up to `max` connections, opening them on demand; callers beyond that wait.
pub(crate) struct Pool<C> {
    state: Mutex<State<C>>,
    max: usize,
    wait: Duration,
    returned: Condvar,
    connect: Connect<C>,
    reusable: Reusable<C>,
}

struct State<C> {
    idle: Vec<C>,
    open: usize,
}

/// A checked-out connection; see the module's documentation for what its drop does.
pub(crate) struct Pooled<'a, C> {
    pool: &'a Pool<C>,
    conn: Option<C>,
}

impl<C> Deref for Pooled<'_, C> {
    type Target = C;
    fn deref(&self) -> &C {
        // Always `Some` until drop.
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl<C> DerefMut for Pooled<'_, C> {
    fn deref_mut(&mut self) -> &mut C {
        self.conn.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl<C> Drop for Pooled<'_, C> {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            if (self.pool.reusable)(&mut conn, std::thread::panicking()) {
                self.pool.checkin(conn);
            } else {
                drop(conn);
                self.pool.forget();
            }
        }
    }
}

impl<C> Pool<C> {
    /// A pool holding `first` (already open) that may open up to `max` connections in all;
    /// `reusable` decides whether a connection handed back is kept.
    pub(crate) fn new(first: C, max: usize, connect: Connect<C>, reusable: Reusable<C>) -> Self {
        Pool {
            state: Mutex::new(State {
                idle: vec![first],
                open: 1,
            }),
            max: max.max(1),
            wait: CHECKOUT_WAIT,
            returned: Condvar::new(),
            connect,
            reusable,
        }
    }

    /// The most connections the pool opens.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// The same pool with another checkout wait (tests).
    #[cfg(test)]
    fn waiting(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// The pool's own state is a list and a counter, each updated in one step: it is
    /// consistent even if a thread panicked while holding the lock, so a poisoned lock is
    /// taken over rather than reported.
    fn lock(&self) -> MutexGuard<'_, State<C>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes an idle connection, opens a new one, or waits (at most [`CHECKOUT_WAIT`]) for one
    /// to come back.
    pub(crate) fn checkout(&self) -> Result<Pooled<'_, C>> {
        let deadline = Instant::now().checked_add(self.wait);
        let mut state = self.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(self.guard(conn));
            }
            if state.open < self.max {
                state.open = state.open.saturating_add(1);
                drop(state);
                return match (self.connect)() {
                    Ok(conn) => Ok(self.guard(conn)),
                    Err(e) => {
                        self.forget();
                        Err(e)
                    }
                };
            }
            let left = deadline
                .map(|d| d.saturating_duration_since(Instant::now()))
                .unwrap_or(self.wait);
            if left.is_zero() {
                return Err(StorageError::PoolExhausted {
                    max: self.max,
                    waited: self.wait,
                }
                .into());
            }
            state = self
                .returned
                .wait_timeout(state, left)
                .map(|(s, _)| s)
                .unwrap_or_else(|poisoned| poisoned.into_inner().0);
        }
    }

    /// A connection taken out of the pool until [`Pool::give_back`], for a holder that keeps it
    /// across calls (a group commit's open transaction).
    pub(crate) fn take(&self) -> Result<C> {
        let mut guard = self.checkout()?;
        guard.conn.take().ok_or_else(|| {
            crate::error::Error::InvariantViolated("a checked-out connection was empty".into())
        })
    }

    /// Returns a connection from [`Pool::take`]; a `broken` one is closed instead.
    pub(crate) fn give_back(&self, conn: C, broken: bool) {
        if broken {
            drop(conn);
            self.forget();
        } else {
            self.checkin(conn);
        }
    }

    fn guard(&self, conn: C) -> Pooled<'_, C> {
        Pooled {
            pool: self,
            conn: Some(conn),
        }
    }

    /// Gives a healthy connection back.
    fn checkin(&self, conn: C) {
        self.lock().idle.push(conn);
        self.returned.notify_one();
    }

    /// Drops a broken connection, making room for a new one.
    fn forget(&self) {
        let mut state = self.lock();
        state.open = state.open.saturating_sub(1);
        drop(state);
        self.returned.notify_one();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::*;
    use crate::error::Error;

    fn pool(max: usize) -> Pool<u32> {
        Pool::new(0, max, Box::new(|| Ok(1)), |conn, panicking| {
            !panicking && *conn != 99
        })
        .waiting(Duration::from_millis(50))
    }

    #[test]
    fn a_panic_never_leaks_a_connection() {
        let p = pool(2);
        for _ in 0..5 {
            let r = catch_unwind(AssertUnwindSafe(|| {
                let _conn = p.checkout().unwrap();
                panic!("inside a transaction");
            }));
            assert!(r.is_err());
        }
        let (a, b) = (p.checkout().unwrap(), p.checkout().unwrap());
        assert_eq!(p.lock().open, 2);
        drop((a, b));
    }

    #[test]
    fn an_unfit_connection_is_closed_and_its_slot_freed() {
        let p = pool(1);
        *p.checkout().unwrap() = 99;
        let state = p.lock();
        assert_eq!((state.open, state.idle.len()), (0, 0));
        drop(state);
        assert_eq!(*p.checkout().unwrap(), 1);
    }

    #[test]
    fn checkout_waits_a_bounded_time_then_says_what_to_do() {
        let p = pool(1);
        let held = p.checkout().unwrap();
        let err = p.checkout().err().unwrap();
        assert!(matches!(
            err,
            Error::Storage(StorageError::PoolExhausted { max: 1, .. })
        ));
        let text = err.to_string();
        assert!(
            text.contains("max_connections") && text.contains("transaction"),
            "{text}"
        );
        drop(held);
        assert!(p.checkout().is_ok());
    }
}
