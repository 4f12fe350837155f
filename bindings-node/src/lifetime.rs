//! `Inventory.close()`: the handles of one opened store (the inventory, its keyed copies and
//! its sessions) share a [`Lifetime`]. Closing it marks it closed (every later call rejects
//! with `CLOSED`), drops every handle's core value (so the store's connections and files are
//! released once nothing uses them), and waits for the calls in flight, which finish with the
//! core value they took when they started.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};

/// A handle's core value (`li::Inventory` or `li::Session`), `None` once its store is closed.
pub(crate) struct Slot<T> {
    value: Mutex<Option<T>>,
    lifetime: Arc<Lifetime>,
}

/// What the handles of one store share.
#[derive(Default)]
pub(crate) struct Lifetime {
    state: Mutex<State>,
    /// Signalled when the last call in flight ends.
    idle: Condvar,
}

#[derive(Default)]
struct State {
    closed: bool,
    /// Calls that took a core value and have not finished.
    in_flight: usize,
    /// Every handle's slot, to empty them on close (dead ones pruned as it grows).
    slots: Vec<Weak<dyn Release>>,
}

/// A slot whose value `close` takes.
trait Release: Send + Sync {
    fn release(&self) -> Option<Box<dyn Send>>;
}

impl<T: Send + 'static> Release for Slot<T> {
    fn release(&self) -> Option<Box<dyn Send>> {
        lock(&self.value)
            .take()
            .map(|v| Box::new(v) as Box<dyn Send>)
    }
}

/// A call in flight: ends when dropped (the task finished, or was dropped).
pub(crate) struct InFlight(Arc<Lifetime>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut state = lock(&self.0.state);
        state.in_flight = state.in_flight.saturating_sub(1);
        if state.in_flight == 0 {
            self.0.idle.notify_all();
        }
    }
}

/// The store was closed: the failure every call on a closed handle rejects with.
pub(crate) struct Closed;

/// Locks `m`, whatever a panicking holder left (the state stays consistent: every update
/// is a single assignment).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Lifetime {
    /// A new store's lifetime, open.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Lifetime::default())
    }

    /// A slot for `value`, emptied when this lifetime closes (at once if it is closed).
    pub(crate) fn slot<T: Send + 'static>(self: &Arc<Self>, value: T) -> Arc<Slot<T>> {
        let slot = Arc::new(Slot {
            value: Mutex::new(None),
            lifetime: self.clone(),
        });
        let mut state = lock(&self.state);
        if !state.closed {
            *lock(&slot.value) = Some(value);
            if state.slots.len() >= 64 && state.slots.len().is_power_of_two() {
                state.slots.retain(|w| w.strong_count() > 0);
            }
            let weak: Weak<dyn Release> = Arc::downgrade(&slot) as Weak<Slot<T>>;
            state.slots.push(weak);
        }
        slot
    }

    /// Marks the store closed and takes every handle's core value, for the caller to drop
    /// off the event loop. A second call finds nothing to take.
    pub(crate) fn close(&self) -> Vec<Box<dyn Send>> {
        let slots = {
            let mut state = lock(&self.state);
            state.closed = true;
            std::mem::take(&mut state.slots)
        };
        slots
            .iter()
            .filter_map(Weak::upgrade)
            .filter_map(|s| s.release())
            .collect()
    }

    /// Blocks until no call is in flight.
    pub(crate) fn wait_idle(&self) {
        let mut state = lock(&self.state);
        while state.in_flight > 0 {
            state = self
                .idle
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl<T: Clone> Slot<T> {
    /// The core value for one call, and the call's place among those in flight; `Closed` once
    /// the store is closed.
    pub(crate) fn enter(&self) -> Result<(T, InFlight), Closed> {
        let mut state = lock(&self.lifetime.state);
        let value = match (&*lock(&self.value), state.closed) {
            (Some(v), false) => v.clone(),
            _ => return Err(Closed),
        };
        state.in_flight += 1;
        Ok((value, InFlight(self.lifetime.clone())))
    }

    /// The lifetime this slot belongs to (for the handles made from it).
    pub(crate) fn lifetime(&self) -> &Arc<Lifetime> {
        &self.lifetime
    }
}
