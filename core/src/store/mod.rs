//! Storage: an object-safe [`Store`] whose unit of work is one atomic transaction.
//!
//! The domain rules live once, in [`crate::Inventory`]; a store only offers the primitive reads
//! and writes of [`Tx`] and guarantees that the work given to [`Store::write`] commits whole or
//! not at all, isolated from every other writer of the same tenant. Implementations:
//! [`MemoryStore`] (the reference), `SqliteStore` (feature `sqlite`).

use crate::error::Result;
use crate::hierarchy::{Organization, Tenant, User};
use crate::idempotency::IdempotencyRecord;
use chrono::{DateTime, Utc};

use crate::ids::{
    BundleId, LicenseId, LicenseUserId, NotificationId, OrderId, OrderNumber, OrgId, ProductId,
    TenantId, UserId,
};
use crate::keys::LicenseKey;
use crate::ledger::{LedgerEntry, LedgerHead};
use crate::license::{License, LicenseUser};
use crate::notification::Notification;
use crate::order::{Draw, Order};
use crate::permission::LicenseManager;
use crate::product::{Bundle, Product};
use crate::views::{CountsChange, InventoryFilter, OrderList, SummaryCounts};

mod memory;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) mod migrations;
#[cfg(feature = "sqlite")]
#[doc(hidden)]
pub use migrations::POSTGRES_ONLY;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use migrations::{MIGRATIONS, SCHEMA_VERSION};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod pool;
pub use memory::MemoryStore;

#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod directory;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod group;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use group::MAX_GROUP;
#[cfg(feature = "sqlite")]
mod checkpoint;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod notification_keys;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
pub use checkpoint::CheckpointCounts;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteOptions, SqliteStore, Synchronous};

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresOptions, PostgresStore};

/// The one test suite every store runs (feature `test-util`).
#[cfg(feature = "test-util")]
pub mod conformance;

/// The work done inside one transaction. Returning `Err` rolls everything back.
pub type Work<'a> = &'a mut dyn FnMut(&mut dyn Tx) -> Result<()>;

/// A storage backend.
///
/// `write` runs `work` in one atomic transaction that is serialised with every other write to
/// the same tenant (SQLite: `BEGIN IMMEDIATE`; memory: a mutex; PostgreSQL: a row lock on the
/// tenant). A backend may call `work` again after a transient conflict, so `work` must not keep
/// effects outside the transaction.
pub trait Store: Send + Sync {
    /// Runs `work` in one read-write transaction: commits if it returns `Ok`, rolls back if not.
    fn write(&self, work: Work<'_>) -> Result<()>;

    /// [`Store::write`] for a command of `tenant`: a store may run it in one transaction with
    /// other commands of the tenant (group commit, docs/decisions.md §42). The default runs it
    /// alone.
    fn write_for(&self, tenant: TenantId, work: Work<'_>) -> Result<()> {
        let _ = tenant;
        self.write(work)
    }

    /// Runs `work` in one read-only transaction (a consistent snapshot).
    fn read(&self, work: Work<'_>) -> Result<()>;
}

/// The primitive operations available inside a transaction. All lookups are scoped by tenant:
/// a row of another tenant is never returned.
pub trait Tx {
    /// Inserts a new tenant.
    fn insert_tenant(&mut self, tenant: &Tenant) -> Result<()>;
    /// Reads a tenant and serialises this transaction with every other writer of the tenant.
    fn lock_tenant(&mut self, id: TenantId) -> Result<Option<Tenant>>;
    /// Reads a tenant.
    fn tenant(&mut self, id: TenantId) -> Result<Option<Tenant>>;
    /// Every tenant of the store, oldest first.
    fn tenants(&mut self) -> Result<Vec<Tenant>>;
    /// Replaces a tenant's mutable fields (counters).
    fn update_tenant(&mut self, tenant: &Tenant) -> Result<()>;

    /// Inserts an organization.
    fn insert_org(&mut self, org: &Organization) -> Result<()>;
    /// Replaces an organization's mutable fields.
    fn update_org(&mut self, org: &Organization) -> Result<()>;
    /// Reads an organization.
    fn org(&mut self, tenant: TenantId, id: OrgId) -> Result<Option<Organization>>;

    /// Inserts a user.
    fn insert_user(&mut self, user: &User) -> Result<()>;
    /// Reads a user.
    fn user(&mut self, tenant: TenantId, id: UserId) -> Result<Option<User>>;
    /// Reads a user by (lower-case) email.
    fn user_by_email(&mut self, tenant: TenantId, email: &str) -> Result<Option<User>>;
    /// Updates a user's name and active flag.
    fn update_user(&mut self, user: &User) -> Result<()>;
    /// Makes `user` an admin of `org` (no-op if already).
    fn insert_admin(&mut self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()>;
    /// Removes `user`'s admin role over `org` (an error if they do not hold it).
    fn delete_admin(&mut self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()>;
    /// The organizations `user` administers.
    fn admin_orgs(&mut self, tenant: TenantId, user: UserId) -> Result<Vec<OrgId>>;
    /// The admins of `org`, by id.
    fn org_admins(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<UserId>>;

    /// Inserts a product.
    fn insert_product(&mut self, product: &Product) -> Result<()>;
    /// Replaces a product's mutable fields (name, policy).
    fn update_product(&mut self, product: &Product) -> Result<()>;
    /// Reads a product.
    fn product(&mut self, tenant: TenantId, id: ProductId) -> Result<Option<Product>>;
    /// Reads a product by code.
    fn product_by_code(&mut self, tenant: TenantId, code: &str) -> Result<Option<Product>>;

    /// Inserts an order.
    fn insert_order(&mut self, order: &Order) -> Result<()>;
    /// Replaces an order's mutable fields.
    fn update_order(&mut self, order: &Order) -> Result<()>;
    /// Reads an order.
    fn order(&mut self, tenant: TenantId, id: OrderId) -> Result<Option<Order>>;
    /// Reads an order by number.
    fn order_by_number(&mut self, tenant: TenantId, number: OrderNumber) -> Result<Option<Order>>;
    /// The orders of `holder` for `product` a draw may take from
    /// ([`Order::is_drawable`](crate::order::Order): status `OrderStatus::DRAWABLE`, units
    /// available), in any order: the domain puts them in draw order.
    fn drawable_orders(
        &mut self,
        tenant: TenantId,
        holder: OrgId,
        product: ProductId,
    ) -> Result<Vec<Order>>;
    /// Up to `limit` orders on `list` of `org` ([`OrderList::contains`]) that match `filter`,
    /// with numbers below `before`, newest (highest number) first.
    fn list_orders(
        &mut self,
        tenant: TenantId,
        org: OrgId,
        list: OrderList,
        filter: &InventoryFilter,
        before: Option<OrderNumber>,
        limit: usize,
    ) -> Result<Vec<Order>>;
    /// Every order of the tenant, by number (for verification).
    fn all_orders(&mut self, tenant: TenantId) -> Result<Vec<Order>>;
    /// `org`'s summary counters, one line per product with orders of `org` or requests
    /// addressed to it ([`SummaryCounts::orders`] or `incoming_requests` not zero), sorted by
    /// product id: read from the counters [`Tx::change_counts`] keeps, never by scanning orders.
    fn summary(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<SummaryCounts>>;
    /// Adds `changes` to the tenant's summary counters, creating lines as needed (the domain
    /// sends the change of every order written, in the same transaction; docs/decisions.md §41).
    fn change_counts(&mut self, tenant: TenantId, changes: &[CountsChange]) -> Result<()>;
    /// Every counter line of the tenant as (organization, counts), in any order (for the
    /// audit, which recomputes them from the orders).
    fn all_counts(&mut self, tenant: TenantId) -> Result<Vec<(OrgId, SummaryCounts)>>;

    /// Records a draw.
    fn insert_draw(&mut self, draw: &Draw) -> Result<()>;
    /// The draws taken from `source_order`, in any order (the domain sorts them).
    fn draws_from(&mut self, tenant: TenantId, source_order: OrderId) -> Result<Vec<Draw>>;

    /// Deletes an order with its licenses, license users, managers and the draws into it.
    /// (The caller has returned its units and made sure no child draws from it.)
    fn delete_order(&mut self, tenant: TenantId, id: OrderId) -> Result<()>;
    /// The draws `order` took from its sources, in any order (the domain sorts them).
    fn draws_into(&mut self, tenant: TenantId, order: OrderId) -> Result<Vec<Draw>>;
    /// Changes a draw's quantity; a quantity of 0 deletes it.
    fn update_draw(&mut self, draw: &Draw) -> Result<()>;

    /// Inserts a bundle.
    fn insert_bundle(&mut self, bundle: &Bundle) -> Result<()>;
    /// Reads a bundle.
    fn bundle(&mut self, tenant: TenantId, id: BundleId) -> Result<Option<Bundle>>;

    /// Inserts licenses (many at once: an issue of 100,000 is one call).
    fn insert_licenses(&mut self, licenses: &[License]) -> Result<()>;
    /// Replaces a license's mutable fields.
    fn update_license(&mut self, license: &License) -> Result<()>;
    /// Deletes a license.
    fn delete_license(&mut self, tenant: TenantId, id: LicenseId) -> Result<()>;
    /// Reads a license.
    fn license(&mut self, tenant: TenantId, id: LicenseId) -> Result<Option<License>>;
    /// Reads a license by key.
    fn license_by_key(&mut self, tenant: TenantId, key: &LicenseKey) -> Result<Option<License>>;
    /// Up to `limit` licenses of `order` with ids above `after`, by id.
    fn licenses_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        after: Option<LicenseId>,
        limit: usize,
    ) -> Result<Vec<License>>;

    /// Inserts a license user, with the Argon2id hash of their password if any.
    fn insert_license_user(
        &mut self,
        user: &LicenseUser,
        password_hash: Option<&str>,
    ) -> Result<()>;
    /// Replaces a license user's email and name.
    fn update_license_user(&mut self, user: &LicenseUser) -> Result<()>;
    /// Sets a license user's password hash.
    fn set_license_user_password(
        &mut self,
        tenant: TenantId,
        id: LicenseUserId,
        password_hash: &str,
    ) -> Result<()>;
    /// A license user's password hash.
    fn license_user_password(
        &mut self,
        tenant: TenantId,
        id: LicenseUserId,
    ) -> Result<Option<String>>;
    /// Deletes a license user (the caller has detached their licenses).
    fn delete_license_user(&mut self, tenant: TenantId, id: LicenseUserId) -> Result<()>;
    /// Reads a license user.
    fn license_user(&mut self, tenant: TenantId, id: LicenseUserId) -> Result<Option<LicenseUser>>;
    /// Reads a license user of `order` by email.
    fn license_user_by_email(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        email: &str,
    ) -> Result<Option<LicenseUser>>;
    /// The license users of an order, by email.
    fn license_users_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
    ) -> Result<Vec<LicenseUser>>;

    /// Inserts or replaces a license manager.
    fn put_manager(&mut self, manager: &LicenseManager) -> Result<()>;
    /// Removes the manager `user` of `order` (an error if there is none).
    fn delete_manager(&mut self, tenant: TenantId, order: OrderId, user: UserId) -> Result<()>;
    /// Reads the manager `user` of `order`.
    fn manager(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        user: UserId,
    ) -> Result<Option<LicenseManager>>;
    /// The managers of an order.
    fn managers_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
    ) -> Result<Vec<LicenseManager>>;
    /// Every order `user` manages.
    fn managed_by(&mut self, tenant: TenantId, user: UserId) -> Result<Vec<LicenseManager>>;

    /// The newest ledger entry's sequence number and hash.
    fn ledger_head(&mut self, tenant: TenantId) -> Result<Option<LedgerHead>>;
    /// Appends a ledger entry (its `seq` follows the head).
    fn append_ledger(&mut self, entry: &LedgerEntry) -> Result<()>;
    /// Up to `limit` entries with `seq > after`, in order.
    fn ledger(&mut self, tenant: TenantId, after: u64, limit: usize) -> Result<Vec<LedgerEntry>>;
    /// The ledger head recorded with the tenant (moved by every [`Tx::append_ledger`] in the same
    /// transaction); `None` if the tenant does not exist. Seq 0 and the genesis hash before the
    /// first entry.
    fn recorded_head(&mut self, tenant: TenantId) -> Result<Option<LedgerHead>>;
    /// The state digests ([`LedgerEntry::state`]) of the entry at the recorded head, with that
    /// entry's seq; `None` if the store has none recorded (a head moved before schema 8): the
    /// caller then reads the entry itself.
    fn recorded_state(
        &mut self,
        tenant: TenantId,
    ) -> Result<Option<(u64, std::collections::BTreeMap<String, String>)>>;
    /// Every organization of the tenant, in any order (for the audit).
    fn all_orgs(&mut self, tenant: TenantId) -> Result<Vec<Organization>>;
    /// Every user of the tenant, in any order (for the audit).
    fn all_users(&mut self, tenant: TenantId) -> Result<Vec<User>>;
    /// Every admin grant of the tenant as (user, organization), in any order (for the audit).
    fn all_admins(&mut self, tenant: TenantId) -> Result<Vec<(UserId, OrgId)>>;
    /// Every product of the tenant, in any order (for the audit).
    fn all_products(&mut self, tenant: TenantId) -> Result<Vec<Product>>;
    /// Every bundle of the tenant, in any order (for the audit).
    fn all_bundles(&mut self, tenant: TenantId) -> Result<Vec<Bundle>>;

    /// Ids for `count` new notifications, in the order they are to be written in (ascending):
    /// ids the store can find its rows by (docs/decisions.md §72). A store whose rows are
    /// found by an index on any id keeps this default, new time-ordered ids.
    fn new_notification_ids(&mut self, count: usize) -> Result<Vec<NotificationId>> {
        Ok(time_ordered_ids(count))
    }
    /// Appends notifications to the outbox (new ids; any id is accepted, those of
    /// [`Tx::new_notification_ids`] are found fastest).
    fn insert_notifications(&mut self, notifications: &[Notification]) -> Result<()>;
    /// Up to `limit` unsent notifications, oldest first (by ledger seq, then id).
    fn pending_notifications(
        &mut self,
        tenant: TenantId,
        limit: usize,
    ) -> Result<Vec<Notification>>;
    /// Reads a notification.
    fn notification(
        &mut self,
        tenant: TenantId,
        id: NotificationId,
    ) -> Result<Option<Notification>>;
    /// The command recorded under an idempotency key, if any.
    fn idempotency(&mut self, tenant: TenantId, key: &str) -> Result<Option<IdempotencyRecord>>;
    /// Records a command under its idempotency key (new keys only).
    fn insert_idempotency(&mut self, record: &IdempotencyRecord) -> Result<()>;
    /// Forgets the tenant's idempotency records made before `before`; returns how many.
    fn prune_idempotency(&mut self, tenant: TenantId, before: DateTime<Utc>) -> Result<u64>;
    /// The tenant's secret for keyed hashes of idempotent commands' passwords (hex), if one
    /// was made (docs/decisions.md §34).
    fn idempotency_secret(&mut self, tenant: TenantId) -> Result<Option<String>>;
    /// Stores the tenant's secret (once: a second one is a storage error).
    fn insert_idempotency_secret(&mut self, tenant: TenantId, secret: &str) -> Result<()>;

    /// Records when a notification was sent (it must exist).
    fn set_notification_sent(
        &mut self,
        tenant: TenantId,
        id: NotificationId,
        at: DateTime<Utc>,
    ) -> Result<()>;
}

/// `count` new time-ordered notification ids: what a store gives that finds its rows by an index
/// on any id ([`Tx::new_notification_ids`]).
pub(crate) fn time_ordered_ids(count: usize) -> Vec<NotificationId> {
    (0..count).map(|_| NotificationId::new()).collect()
}
