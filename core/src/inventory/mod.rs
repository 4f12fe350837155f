//! The entry point: [`Inventory`] (provisioning, audit) and [`Session`] (everything a user does).
//!
//! Every public method is one atomic transaction on the store: it either does all it says, or
//! returns an error and changes nothing.

mod audit;
mod batch;
mod bundles;
mod directory;
mod export;
mod history;
mod idempotency;
pub(crate) mod imports;
mod license_users;
pub(crate) mod licenses;
mod managers;
mod metadata;
mod orders;
mod outbox;
mod policies;
mod provisioning;
mod returns;
pub(crate) mod rules;
mod session;
mod state;
mod take_backs;
mod views;

pub use audit::Audit;
pub use batch::{BatchCommand, BatchResult, MAX_BATCH};
pub use directory::MAX_SUBTREE_DEPTH;
pub use history::{Holding, LedgerFilter, OrderFigures};
pub use idempotency::MAX_IDEMPOTENCY_KEY;
pub use license_users::MIN_PASSWORD;
pub use licenses::{ISSUE_CHUNK, Issued, MAX_ISSUE};

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::error::{Action, Error, Result};
use crate::ids::{TenantId, UserId};
use crate::ledger::LedgerEntry;
use crate::store::{MemoryStore, Store, Tx};
use crate::time::{self, Clock, SystemClock};

use rules::{get_tenant, page_limit};
pub use session::Session;

/// A handle on one store: cheap to clone, safe to share between threads.
///
/// ```
/// use license_inventory::*;
/// # fn main() -> Result<()> {
/// let inv = Inventory::in_memory();
/// let tenant = inv.create_tenant(NewTenant {
///     name: "Jasperactive".into(),
///     plan: Plan::Standard,
///     vendor_name: "Jasperactive".into(),
///     first_order_number: None,
/// })?;
/// let admin = inv.create_user(tenant.id, NewUser { name: "Vera Vendor".into(), email: "vera@example.com".into() })?;
/// inv.grant_admin(tenant.id, admin.id, tenant.vendor)?;
/// let product = inv.create_product(tenant.id, NewProduct { code: "CL".into(), name: "Center License".into(), kind: ProductKind::License })?;
/// let vera = inv.session(tenant.id, admin.id)?;
/// let order = vera.mint(NewMint::new(product.id, 10))?;
/// assert_eq!(order.available, 10);
/// assert!(inv.audit(tenant.id)?.is_clean());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Inventory {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// Set on a handle from [`Inventory::with_idempotency_key`].
    idempotency_key: Option<Arc<str>>,
}

impl std::fmt::Debug for Inventory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inventory").finish_non_exhaustive()
    }
}

impl Inventory {
    /// An inventory over `store`, with the system clock.
    pub fn new(store: impl Store + 'static) -> Self {
        Self::from_store(Arc::new(store))
    }

    /// An inventory over a shared store.
    pub fn from_store(store: Arc<dyn Store>) -> Self {
        Inventory {
            store,
            clock: Arc::new(SystemClock),
            idempotency_key: None,
        }
    }

    /// An inventory in memory (nothing is persisted).
    pub fn in_memory() -> Self {
        Self::new(MemoryStore::new())
    }

    /// An inventory in an SQLite file (created and migrated as needed), with default options.
    #[cfg(feature = "sqlite")]
    pub fn open_sqlite(path: impl AsRef<std::path::Path>) -> Result<Self> {
        Ok(Self::new(crate::store::SqliteStore::open(path)?))
    }

    /// The same inventory reading time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The store underneath.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        time::truncate(self.clock.now())
    }

    /// Runs `work` in one write transaction; a command of an existing `tenant` may share it
    /// with others of the tenant (group commit, docs/decisions.md §42).
    pub(crate) fn write<T>(
        &self,
        tenant: Option<TenantId>,
        mut work: impl FnMut(&mut dyn Tx, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let now = crate::time::storable("clock", self.now())?;
        let mut out = None;
        let mut run = |tx: &mut dyn Tx| {
            // Every entry records the digest of the rows after it (docs/decisions.md §38).
            let mut recorder = state::Recorder::new(tx);
            out = Some(work(&mut recorder, now)?);
            recorder.finish()
        };
        match tenant {
            Some(tenant) => self.store.write_for(tenant, &mut run)?,
            None => self.store.write(&mut run)?,
        }
        out.ok_or_else(|| {
            Error::InvariantViolated("the store committed without running the work".into())
        })
    }

    pub(crate) fn read<T>(&self, mut work: impl FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut out = None;
        self.store.read(&mut |tx| {
            out = Some(work(tx)?);
            Ok(())
        })?;
        out.ok_or_else(|| {
            Error::InvariantViolated("the store returned without running the work".into())
        })
    }

    /// Runs `body` as the host application's own `action` (no acting user): a refusal it
    /// returns names it (docs/rules.md §5).
    pub(crate) fn by_host<T>(&self, action: Action, body: impl FnOnce() -> Result<T>) -> Result<T> {
        body().map_err(|e| e.attempted(action, None))
    }

    /// Acts as `user`: every action of the returned session is checked against their roles.
    pub fn session(&self, tenant: TenantId, user: UserId) -> Result<Session> {
        self.user(tenant, user)?;
        Ok(Session::new(self.clone(), tenant, user))
    }

    /// Up to `limit` ledger entries of the tenant with sequence numbers above `after`.
    pub fn ledger(&self, tenant: TenantId, after: u64, limit: usize) -> Result<Vec<LedgerEntry>> {
        self.by_host(Action::View, || {
            let limit = page_limit(limit)?;
            let after = crate::input::stored_number("after", after)?;
            self.read(|tx| {
                get_tenant(tx, tenant)?;
                tx.ledger(tenant, after, limit)
            })
        })
    }
}
