//! `Inventory.close()`: the [`Gate`] every handle of one store shares (the inventory, its keyed
//! copies, its sessions), and the [`GatedStore`] their core handles hold in place of the store.
//!
//! The core's `Inventory` and `Session` own an `Arc<dyn Store>`, cloned into every session, so
//! dropping the Python objects cannot release the store while any of them lives. Instead each
//! core handle holds a [`GatedStore`], which forwards to the store kept in the [`Gate`]; closing
//! takes the store out of the gate and drops it, which closes its connections (SQLite: its
//! files). Each transaction holds a reference to the store while it runs (no lock is held, so
//! a transaction may start another, and group commit's leader may run its followers' work);
//! closing waits until the transactions already running have returned theirs, and every later
//! call raises `InventoryClosed`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use license_inventory as core;
use pyo3::prelude::*;

use crate::convert;
use crate::errors;

/// The SQL store behind an inventory, kept for `schema_version` (not on the `Store` trait).
pub(crate) enum Sql {
    None,
    Sqlite(Arc<core::SqliteStore>),
    Postgres(Arc<core::PostgresStore>),
}

/// The store while the inventory is open.
pub(crate) struct Live {
    store: Arc<dyn core::Store>,
    pub(crate) sql: Sql,
}

/// The open-or-closed state shared by every handle of one store.
pub(crate) struct Gate {
    /// Set first by `close`, so new calls fail at once while it waits for running ones.
    closed: AtomicBool,
    /// The store; `None` once closed. Each transaction clones the `Arc` for its length.
    live: Mutex<Option<Arc<Live>>>,
    /// Signalled, once closing has begun, each time a transaction lets go of the store; the
    /// mutex orders that release against `close`'s check, so no wake-up is lost.
    released: (Mutex<()>, Condvar),
}

impl Gate {
    /// A gate over `store`, and the core inventory (with `clock`) that reaches it through the
    /// gate.
    pub(crate) fn open(
        store: Arc<dyn core::Store>,
        sql: Sql,
        clock: Arc<core::ManualClock>,
    ) -> (Arc<Gate>, core::Inventory) {
        let gate = Arc::new(Gate {
            closed: AtomicBool::new(false),
            live: Mutex::new(Some(Arc::new(Live { store, sql }))),
            released: (Mutex::new(()), Condvar::new()),
        });
        let inner =
            core::Inventory::from_store(Arc::new(GatedStore(gate.clone()))).with_clock(clock);
        (gate, inner)
    }

    /// True once `close` has begun.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// `InventoryClosed` if the inventory is closed: the first thing every method does, so a
    /// closed inventory refuses every call the same way, whatever its arguments.
    pub(crate) fn check(&self, py: Python<'_>) -> PyResult<()> {
        if self.is_closed() {
            Err(errors::closed(py))
        } else {
            Ok(())
        }
    }

    /// [`convert::run`] through the gate: `InventoryClosed` if closed; and a call that closing
    /// cut short (its transaction found the store gone) raises `InventoryClosed` too, not the
    /// storage error the [`GatedStore`] gave the core.
    pub(crate) fn run<T: Send>(
        &self,
        py: Python<'_>,
        call: impl FnOnce() -> core::Result<T> + Send,
    ) -> PyResult<T> {
        self.check(py)?;
        convert::run_mapped(py, call, |err| {
            if matches!(err, core::Error::Storage(_)) && self.is_closed() {
                errors::closed(py)
            } else {
                errors::to_py(py, err)
            }
        })
    }

    /// Runs `f` on the live store, which stays alive until `f` returns (closing waits for
    /// it); the [`GatedStore`]'s error once closed.
    pub(crate) fn with_live<T>(&self, f: impl FnOnce(&Live) -> core::Result<T>) -> core::Result<T> {
        let live = self
            .live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let Some(live) = live else {
            return Err(gone());
        };
        let out = f(&live);
        drop(live);
        if self.is_closed() {
            let _order = self
                .released
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            self.released.1.notify_all();
        }
        out
    }

    /// Closes: refuses new calls, waits (with the GIL released) for the transactions already
    /// running to return, then drops the store. A second call does nothing.
    pub(crate) fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.closed.store(true, Ordering::Release);
        let live = self
            .live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(live) = live else {
            return Ok(());
        };
        convert::run(py, move || {
            // Nobody can take another reference now: the running transactions hold the others,
            // and each signals when it lets go (the timeout only bounds a missed signal).
            let mut order = self
                .released
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            while Arc::strong_count(&live) > 1 {
                order = self
                    .released
                    .1
                    .wait_timeout(order, Duration::from_millis(50))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            drop(order);
            // The store's drop closes its connections (SQLite checkpoints its write-ahead log).
            drop(live);
            Ok(())
        })
    }
}

/// The error a [`GatedStore`] gives the core once the gate is closed: a storage failure to the
/// core (the command wrote nothing), which [`Gate::run`] raises as `InventoryClosed`.
fn gone() -> core::Error {
    core::Error::Storage(core::StorageError::GroupAborted {
        reason: "the inventory was closed (Inventory.close())".to_owned(),
    })
}

/// The store a handle's core inventory holds: the gate's store while it is open.
struct GatedStore(Arc<Gate>);

impl core::Store for GatedStore {
    fn write(
        &self,
        work: &mut dyn FnMut(&mut dyn core::Tx) -> core::Result<()>,
    ) -> core::Result<()> {
        self.0.with_live(|l| l.store.write(work))
    }

    fn write_for(
        &self,
        tenant: core::TenantId,
        work: &mut dyn FnMut(&mut dyn core::Tx) -> core::Result<()>,
    ) -> core::Result<()> {
        self.0.with_live(|l| l.store.write_for(tenant, work))
    }

    fn read(
        &self,
        work: &mut dyn FnMut(&mut dyn core::Tx) -> core::Result<()>,
    ) -> core::Result<()> {
        self.0.with_live(|l| l.store.read(work))
    }
}
