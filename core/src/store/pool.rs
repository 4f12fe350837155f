//! A small blocking connection pool shared by the SQL stores.

use std::sync::{Condvar, Mutex, MutexGuard};

use crate::error::{Error, Result, StorageError};

type Connect<C> = Box<dyn Fn() -> Result<C> + Send + Sync>;

/// Hands out up to `max` connections, opening them on demand; callers beyond that wait.
pub(crate) struct Pool<C> {
    state: Mutex<State<C>>,
    max: usize,
    returned: Condvar,
    connect: Connect<C>,
}

struct State<C> {
    idle: Vec<C>,
    open: usize,
}

impl<C> Pool<C> {
    /// A pool holding `first` (already open) that may open up to `max` connections in all.
    pub(crate) fn new(first: C, max: usize, connect: Connect<C>) -> Self {
        Pool {
            state: Mutex::new(State {
                idle: vec![first],
                open: 1,
            }),
            max: max.max(1),
            returned: Condvar::new(),
            connect,
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, State<C>>> {
        self.state.lock().map_err(|_| StorageError::Poisoned.into())
    }

    /// Takes an idle connection, opens a new one, or waits for one to come back.
    pub(crate) fn checkout(&self) -> Result<C> {
        let mut state = self.lock()?;
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(conn);
            }
            if state.open < self.max {
                state.open = state.open.saturating_add(1);
                drop(state);
                return (self.connect)().inspect_err(|_| self.forget());
            }
            state = self
                .returned
                .wait(state)
                .map_err(|_| Error::from(StorageError::Poisoned))?;
        }
    }

    /// Gives a healthy connection back.
    pub(crate) fn checkin(&self, conn: C) {
        if let Ok(mut state) = self.state.lock() {
            state.idle.push(conn);
        }
        self.returned.notify_one();
    }

    /// Drops a broken connection, making room for a new one.
    pub(crate) fn forget(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.open = state.open.saturating_sub(1);
        }
        self.returned.notify_one();
    }
}
