//! The handles Swift holds: `Inventory` (a store plus its clock) and `Session` (a user acting on
//! it). Each method converts its arguments, delegates to the core, and converts the result.
//!
//! Every method that touches the store is an `async fn` (Swift: `async throws`) taking
//! `self: Arc<Self>`: its body runs on [`background::run`]'s threads, so the Swift task awaiting it
//! is suspended, never blocked. The rest (`inMemory`, `setTime`, `withIdempotencyKey`,
//! `Session.user`/`tenant`) stays synchronous.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use license_inventory as core;

use crate::background;
use crate::error::{Result, guard};
use crate::types::{
    Audit, BatchCommand, BatchResult, Bundle, BundleId, BundleLine, Checkpoint, Customer, Holding,
    InventoryFilter, InventoryUse, Issued, LedgerEntry, LedgerFilter, License, LicenseId,
    LicenseManager, LicensePolicy, LicenseUser, LicenseUserId, Notification, NotificationId, Order,
    OrderDetails, OrderFigures, OrderId, OrderPage, OrgId, Organization, Permission, Plan, Product,
    ProductId, ProductKind, SummaryLine, Synchronous, Tenant, TenantId, Tier, User, UserId,
    core_time,
};
use crate::types::{BundlePage, OrgPage, OrgTreePage, ProductPage, Role, UserPage};

/// A handle on one store (in memory, an SQLite file or a PostgreSQL database), with a clock
/// that can be pinned. Safe to share between threads.
#[derive(Debug, uniffi::Object)]
pub struct Inventory {
    inner: core::Inventory,
    clock: Arc<core::ManualClock>,
}

impl Inventory {
    fn over(inventory: core::Inventory) -> Arc<Self> {
        let clock = Arc::new(core::ManualClock::default());
        Arc::new(Inventory {
            inner: inventory.with_clock(clock.clone()),
            clock,
        })
    }
}

#[uniffi::export]
impl Inventory {
    /// An inventory in memory (nothing is persisted).
    #[uniffi::constructor]
    pub fn in_memory() -> Arc<Self> {
        Self::over(core::Inventory::in_memory())
    }

    /// An inventory in the SQLite file at `path` (created and migrated as needed).
    ///
    /// `synchronous` (durability of each commit), `busy_timeout` (seconds a writer waits for
    /// another connection's lock), `migrate` (`false`: refuse an older schema rather than
    /// upgrade it), `group_commit` (the most commands one transaction may carry; 1 = no
    /// grouping) and `page_size` (bytes, a power of two from 512 to 65536, for a file this call
    /// creates; an existing file keeps its own) override the core's defaults (`.full`, 30 s,
    /// `true`, 32, 2048) when given.
    #[uniffi::constructor(default(
        synchronous = None,
        busy_timeout = None,
        migrate = None,
        group_commit = None,
        page_size = None
    ))]
    pub async fn open_sqlite(
        path: String,
        synchronous: Option<Synchronous>,
        busy_timeout: Option<f64>,
        migrate: Option<bool>,
        group_commit: Option<u32>,
        page_size: Option<u32>,
    ) -> Result<Arc<Self>> {
        background::run(move || {
            let mut options = core::SqliteOptions::default();
            if let Some(s) = synchronous {
                options.synchronous = s.into();
            }
            if let Some(secs) = busy_timeout {
                options.busy_timeout =
                    std::time::Duration::try_from_secs_f64(secs).map_err(|e| {
                        core::Error::InvalidInput {
                            attempt: None,
                            field: "busy_timeout",
                            reason: format!("{secs} seconds: {e}"),
                        }
                    })?;
            }
            if let Some(m) = migrate {
                options.migrate = m;
            }
            if let Some(n) = group_commit {
                options.group_commit = usize::try_from(n).unwrap_or(usize::MAX);
            }
            if let Some(n) = page_size {
                options.page_size = n;
            }
            let store = core::SqliteStore::open_with(path, options)?;
            Ok(Self::over(core::Inventory::new(store)))
        })
        .await
    }

    /// An inventory in a PostgreSQL database, shared by any number of processes and machines;
    /// the schema is created and migrated as needed. `url` is a libpq URL
    /// (`postgres://user@host/db`) or key/value string (`host=/run/postgresql dbname=x`); a
    /// malformed one is `InvalidInput`, an unreachable database `Storage`.
    ///
    /// `max_connections` (this handle's pool), `max_retries` (of a transaction after a
    /// serialization failure or deadlock), `migrate` (`false`: refuse an older schema rather
    /// than upgrade it) and `group_commit` (the most commands of a tenant one transaction may
    /// carry; 1 = no grouping) override the core's defaults when given.
    #[uniffi::constructor(default(
        max_connections = None,
        max_retries = None,
        migrate = None,
        group_commit = None
    ))]
    pub async fn open_postgres(
        url: String,
        max_connections: Option<u32>,
        max_retries: Option<u32>,
        migrate: Option<bool>,
        group_commit: Option<u32>,
    ) -> Result<Arc<Self>> {
        background::run(move || {
            let mut options = core::PostgresOptions::default();
            if let Some(n) = max_connections {
                options.max_connections = usize::try_from(n).unwrap_or(usize::MAX);
            }
            if let Some(n) = max_retries {
                options.max_retries = n;
            }
            if let Some(m) = migrate {
                options.migrate = m;
            }
            if let Some(n) = group_commit {
                options.group_commit = usize::try_from(n).unwrap_or(usize::MAX);
            }
            let store = core::PostgresStore::connect_with(&url, options)?;
            Ok(Self::over(core::Inventory::new(store)))
        })
        .await
    }

    /// Pins the clock to `at` (every change made until the next call is stamped with it), or lets
    /// it follow the system clock again with `nil`.
    pub fn set_time(&self, at: Option<SystemTime>) {
        self.clock.set(at.map(core_time));
    }

    /// Creates a tenant and its vendor (root) organization; order numbers start at
    /// `first_order_number` (default 1).
    #[uniffi::method(default(first_order_number = None))]
    pub async fn create_tenant(
        self: Arc<Self>,
        name: String,
        plan: Plan,
        vendor_name: String,
        first_order_number: Option<u64>,
    ) -> Result<Tenant> {
        background::run(move || {
            let new = core::NewTenant {
                name,
                plan: plan.into(),
                vendor_name,
                first_order_number,
            };
            Ok(self.inner.create_tenant(new)?.into())
        })
        .await
    }

    /// Reads a tenant.
    pub async fn tenant(self: Arc<Self>, id: TenantId) -> Result<Tenant> {
        background::run(move || Ok(self.inner.tenant(id.into())?.into())).await
    }

    /// Every tenant in the store, oldest first (to find one again in a reopened store).
    pub async fn tenants(self: Arc<Self>) -> Result<Vec<Tenant>> {
        background::run(move || Ok(self.inner.tenants()?.into_iter().map(Into::into).collect()))
            .await
    }

    /// Creates an organization under `parent`, whose tier must be strictly higher.
    pub async fn create_org(
        self: Arc<Self>,
        tenant: TenantId,
        name: String,
        tier: Tier,
        parent: OrgId,
    ) -> Result<Organization> {
        background::run(move || {
            let new = core::NewOrganization {
                name,
                tier: tier.into(),
                parent: parent.into(),
            };
            Ok(self.inner.create_org(tenant.into(), new)?.into())
        })
        .await
    }

    /// Reads an organization.
    pub async fn org(self: Arc<Self>, tenant: TenantId, id: OrgId) -> Result<Organization> {
        background::run(move || Ok(self.inner.org(tenant.into(), id.into())?.into())).await
    }

    /// Deactivates an organization: it keeps its orders but cannot request, approve, assign or
    /// receive inventory any more.
    pub async fn deactivate_org(
        self: Arc<Self>,
        tenant: TenantId,
        id: OrgId,
    ) -> Result<Organization> {
        background::run(move || Ok(self.inner.deactivate_org(tenant.into(), id.into())?.into()))
            .await
    }

    /// Creates a user; the email must be unique within the tenant.
    pub async fn create_user(
        self: Arc<Self>,
        tenant: TenantId,
        name: String,
        email: String,
    ) -> Result<User> {
        background::run(move || {
            let new = core::NewUser { name, email };
            Ok(self.inner.create_user(tenant.into(), new)?.into())
        })
        .await
    }

    /// Reads a user.
    pub async fn user(self: Arc<Self>, tenant: TenantId, id: UserId) -> Result<User> {
        background::run(move || Ok(self.inner.user(tenant.into(), id.into())?.into())).await
    }

    /// Makes `user` an admin of `org` (idempotent). Admins of the vendor are system
    /// administrators.
    pub async fn grant_admin(
        self: Arc<Self>,
        tenant: TenantId,
        user: UserId,
        org: OrgId,
    ) -> Result<()> {
        background::run(move || {
            Ok(self
                .inner
                .grant_admin(tenant.into(), user.into(), org.into())?)
        })
        .await
    }

    /// Takes `user`'s admin role over `org` away (nothing happens if they do not hold it);
    /// removing the vendor organization's last admin throws `Hierarchy`.
    pub async fn revoke_admin(
        self: Arc<Self>,
        tenant: TenantId,
        user: UserId,
        org: OrgId,
    ) -> Result<()> {
        background::run(move || {
            Ok(self
                .inner
                .revoke_admin(tenant.into(), user.into(), org.into())?)
        })
        .await
    }

    /// Reactivates a deactivated organization (its parent must be active).
    pub async fn reactivate_org(
        self: Arc<Self>,
        tenant: TenantId,
        id: OrgId,
    ) -> Result<Organization> {
        background::run(move || Ok(self.inner.reactivate_org(tenant.into(), id.into())?.into()))
            .await
    }

    /// Deactivates a user: their roles and permissions stay on record but give them nothing
    /// until `reactivateUser`. The vendor organization keeps an active admin.
    pub async fn deactivate_user(self: Arc<Self>, tenant: TenantId, user: UserId) -> Result<User> {
        background::run(move || {
            Ok(self
                .inner
                .deactivate_user(tenant.into(), user.into())?
                .into())
        })
        .await
    }

    /// Reactivates a deactivated user.
    pub async fn reactivate_user(self: Arc<Self>, tenant: TenantId, user: UserId) -> Result<User> {
        background::run(move || {
            Ok(self
                .inner
                .reactivate_user(tenant.into(), user.into())?
                .into())
        })
        .await
    }

    /// Changes the tenant's plan. On a downgrade, enterprise-only permissions already granted
    /// stay on record but are not honoured (`PlanRequired`) until an upgrade.
    pub async fn change_plan(self: Arc<Self>, tenant: TenantId, plan: Plan) -> Result<Tenant> {
        background::run(move || Ok(self.inner.change_plan(tenant.into(), plan.into())?.into()))
            .await
    }

    /// Renames a product.
    pub async fn rename_product(
        self: Arc<Self>,
        tenant: TenantId,
        product: ProductId,
        name: String,
    ) -> Result<Product> {
        background::run(move || {
            Ok(self
                .inner
                .rename_product(tenant.into(), product.into(), &name)?
                .into())
        })
        .await
    }

    /// Retires a product: no new requests, assignments, mints or bundles of it
    /// (`InvalidInput`); existing orders are untouched.
    pub async fn retire_product(
        self: Arc<Self>,
        tenant: TenantId,
        product: ProductId,
    ) -> Result<Product> {
        background::run(move || {
            Ok(self
                .inner
                .retire_product(tenant.into(), product.into())?
                .into())
        })
        .await
    }

    /// Defines a product; its code must be unique within the tenant. `policy` is the policy of
    /// its licenses, set in the same transaction (`nil`: the core's default, see
    /// `defaultLicensePolicy()`).
    #[uniffi::method(default(policy = None))]
    pub async fn create_product(
        self: Arc<Self>,
        tenant: TenantId,
        code: String,
        name: String,
        kind: ProductKind,
        policy: Option<LicensePolicy>,
    ) -> Result<Product> {
        background::run(move || {
            let new = core::NewProduct {
                code,
                name,
                kind: kind.into(),
            };
            let product = match policy {
                Some(policy) => {
                    self.inner
                        .create_product_with_policy(tenant.into(), new, policy.into())?
                }
                None => self.inner.create_product(tenant.into(), new)?,
            };
            Ok(product.into())
        })
        .await
    }

    /// Sets the policy of the licenses issued for a product from now on (issued licenses keep
    /// theirs).
    pub async fn set_product_policy(
        self: Arc<Self>,
        tenant: TenantId,
        product: ProductId,
        policy: LicensePolicy,
    ) -> Result<Product> {
        background::run(move || {
            Ok(self
                .inner
                .set_product_policy(tenant.into(), product.into(), policy.into())?
                .into())
        })
        .await
    }

    /// Defines a bundle: a named set of (product, quantity) lines (at least one; a product at
    /// most once).
    pub async fn create_bundle(
        self: Arc<Self>,
        tenant: TenantId,
        name: String,
        lines: Vec<BundleLine>,
    ) -> Result<Bundle> {
        background::run(move || {
            let new = core::NewBundle {
                name,
                lines: lines.into_iter().map(Into::into).collect(),
            };
            Ok(self.inner.create_bundle(tenant.into(), new)?.into())
        })
        .await
    }

    /// Reads a bundle.
    pub async fn bundle(self: Arc<Self>, tenant: TenantId, id: BundleId) -> Result<Bundle> {
        background::run(move || Ok(self.inner.bundle(tenant.into(), id.into())?.into())).await
    }

    /// An end user activates a license on a device, with the key alone (no session). A
    /// mistyped key is `MistypedKey` before any lookup, a device past the policy's maximum
    /// `ActivationLimit`; activating an activated device changes nothing.
    pub async fn activate(
        self: Arc<Self>,
        tenant: TenantId,
        key: String,
        fingerprint: String,
        device_name: String,
    ) -> Result<License> {
        background::run(move || {
            Ok(self
                .inner
                .activate(tenant.into(), &key, &fingerprint, &device_name)?
                .into())
        })
        .await
    }

    /// An end user deactivates a license on one of its devices, with the key alone.
    pub async fn deactivate(
        self: Arc<Self>,
        tenant: TenantId,
        key: String,
        fingerprint: String,
    ) -> Result<License> {
        background::run(move || {
            Ok(self
                .inner
                .deactivate(tenant.into(), &key, &fingerprint)?
                .into())
        })
        .await
    }

    /// An end user redeems an activation code, once; `redeemed_by` names who (an email or a
    /// device). A second redemption is `LicenseUnusable`.
    pub async fn redeem(
        self: Arc<Self>,
        tenant: TenantId,
        code: String,
        redeemed_by: String,
    ) -> Result<License> {
        background::run(move || {
            Ok(self
                .inner
                .redeem(tenant.into(), &code, &redeemed_by)?
                .into())
        })
        .await
    }

    /// Checks a key as an application would at start-up: the license, if it exists and is
    /// neither disabled nor expired (else `LicenseUnusable`).
    pub async fn check_license(self: Arc<Self>, tenant: TenantId, key: String) -> Result<License> {
        background::run(move || Ok(self.inner.check_license(tenant.into(), &key)?.into())).await
    }

    /// True when `password` is the license user's password (checked against its Argon2id
    /// hash; the hash never leaves the library).
    pub async fn verify_license_user_password(
        self: Arc<Self>,
        tenant: TenantId,
        license_user: LicenseUserId,
        password: String,
    ) -> Result<bool> {
        background::run(move || {
            Ok(self.inner.verify_license_user_password(
                tenant.into(),
                license_user.into(),
                &password,
            )?)
        })
        .await
    }

    /// Reads a product.
    pub async fn product(self: Arc<Self>, tenant: TenantId, id: ProductId) -> Result<Product> {
        background::run(move || Ok(self.inner.product(tenant.into(), id.into())?.into())).await
    }

    /// Reads a product by its code.
    pub async fn product_by_code(
        self: Arc<Self>,
        tenant: TenantId,
        code: String,
    ) -> Result<Product> {
        background::run(move || Ok(self.inner.product_by_code(tenant.into(), &code)?.into())).await
    }

    /// The same store, with the same clock (a pinned time applies to both handles, and
    /// `setTime` on either pins both), whose write commands are idempotent under `key`
    /// (docs/rules.md §11): running a command through it again returns the first result and changes
    /// nothing; using the key for a different command (or, through `session`, another user) is
    /// `Conflict`; a command that fails records nothing, so it can be retried with the same key.
    /// Keys are per tenant, 1 to 200 characters without control characters (else
    /// `InvalidInput(field: "idempotency key", …)`), chosen by the caller (a UUID, a request
    /// id); use one key per command. Covers the tenant-scoped writes (`activate`, `redeem`,
    /// `createOrg`, `setProductPolicy`, `markNotificationsSent`, …), and the sessions it opens
    /// carry the key too; `createTenant` is not keyed.
    pub fn with_idempotency_key(&self, key: String) -> Result<Arc<Self>> {
        guard(|| {
            Ok(Arc::new(Inventory {
                inner: self.inner.with_idempotency_key(&key)?,
                clock: self.clock.clone(),
            }))
        })
    }

    /// Acts as `user`: every action of the returned session is checked against their roles.
    pub async fn session(self: Arc<Self>, tenant: TenantId, user: UserId) -> Result<Arc<Session>> {
        background::run(move || {
            Ok(Arc::new(Session(
                self.inner.session(tenant.into(), user.into())?,
            )))
        })
        .await
    }

    /// Up to `limit` (1 to 1000; `nil`: the core's default page) ledger entries of the tenant
    /// with sequence numbers above `after`.
    #[uniffi::method(default(after = 0, limit = None))]
    pub async fn ledger(
        self: Arc<Self>,
        tenant: TenantId,
        after: u64,
        limit: Option<u32>,
    ) -> Result<Vec<LedgerEntry>> {
        background::run(move || {
            let entries = self.inner.ledger(tenant.into(), after, page_size(limit))?;
            Ok(entries.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Up to `limit` (1 to 1000; `nil`: the core's default page) ledger entries of the tenant
    /// with sequence numbers above `after` that match `filter` (per order, per organization,
    /// by time range; `LedgerFilter()`: all), in order; pass the last `seq` as `after` for the
    /// next page. Scans the tenant's ledger from `after` in one read snapshot.
    #[uniffi::method(default(after = 0, limit = None))]
    pub async fn ledger_matching(
        self: Arc<Self>,
        tenant: TenantId,
        filter: LedgerFilter,
        after: u64,
        limit: Option<u32>,
    ) -> Result<Vec<LedgerEntry>> {
        background::run(move || {
            let filter = core::LedgerFilter::from(filter);
            let entries =
                self.inner
                    .ledger_matching(tenant.into(), &filter, after, page_size(limit))?;
            Ok(entries.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Forgets the tenant's idempotency keys recorded before `before` and returns how many.
    /// A pruned key's retry runs its command again: prune only keys older than any retry a
    /// client may still make.
    pub async fn prune_idempotency_keys(
        self: Arc<Self>,
        tenant: TenantId,
        before: SystemTime,
    ) -> Result<u64> {
        background::run(move || {
            Ok(self
                .inner
                .prune_idempotency_keys(tenant.into(), core_time(before))?)
        })
        .await
    }

    /// An order's quantities as they were at `at` (changes recorded at or before it), rebuilt
    /// from the ledger. Deleted orders stay readable in the past (0 everywhere once deleted);
    /// an order with no movement by then (a pending request, or one made later) has every
    /// quantity 0; an order the tenant never had is `NotFound` (entity `.order`).
    pub async fn order_at(
        self: Arc<Self>,
        tenant: TenantId,
        order: OrderId,
        at: SystemTime,
    ) -> Result<OrderFigures> {
        background::run(move || {
            Ok(self
                .inner
                .order_at(tenant.into(), order.into(), core_time(at))?
                .into())
        })
        .await
    }

    /// What an organization held at `at`, per product (sorted by product id), rebuilt from the
    /// ledger like `orderAt`: only orders approved by then and not deleted count; products it
    /// held nothing of are absent. An unknown organization is `NotFound`.
    pub async fn holdings_at(
        self: Arc<Self>,
        tenant: TenantId,
        org: OrgId,
        at: SystemTime,
    ) -> Result<Vec<Holding>> {
        background::run(move || {
            let holdings = self
                .inner
                .holdings_at(tenant.into(), org.into(), core_time(at))?;
            Ok(holdings.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Up to `limit` (1 to 1000; `nil`: the core's default page) notifications of the tenant
    /// not yet marked sent, oldest first: what the host application should send now. Send
    /// them, then `markNotificationsSent`; a notification is returned again until it is marked
    /// (at-least-once delivery).
    #[uniffi::method(default(limit = None))]
    pub async fn pending_notifications(
        self: Arc<Self>,
        tenant: TenantId,
        limit: Option<u32>,
    ) -> Result<Vec<Notification>> {
        background::run(move || {
            let pending = self
                .inner
                .pending_notifications(tenant.into(), page_size(limit))?;
            Ok(pending.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Marks notifications sent (at most 1000 at once), all or none: an id that is not a
    /// notification of this tenant is `NotFound` (entity `.notification`) and nothing is
    /// marked. One already sent is left as it was (it keeps its first `sentAt`). Returns how
    /// many were newly marked.
    pub async fn mark_notifications_sent(
        self: Arc<Self>,
        tenant: TenantId,
        ids: Vec<NotificationId>,
    ) -> Result<u64> {
        background::run(move || {
            let ids: Vec<core::NotificationId> = ids.into_iter().map(Into::into).collect();
            let marked = self.inner.mark_notifications_sent(tenant.into(), &ids)?;
            Ok(u64::try_from(marked).unwrap_or(u64::MAX))
        })
        .await
    }

    /// A notification by id, sent or not.
    pub async fn notification(
        self: Arc<Self>,
        tenant: TenantId,
        id: NotificationId,
    ) -> Result<Notification> {
        background::run(move || Ok(self.inner.notification(tenant.into(), id.into())?.into())).await
    }

    /// Checks a whole tenant: every order's conservation rule, the tenant's total, the ledger's
    /// hash chain, and that replaying the ledger rebuilds every order's quantities.
    pub async fn audit(self: Arc<Self>, tenant: TenantId) -> Result<Audit> {
        background::run(move || Ok(self.inner.audit(tenant.into())?.into())).await
    }

    /// Signs the tenant's ledger head with `signingKey` (64 hex digits: the 32 secret bytes of
    /// an Ed25519 key the host keeps outside the database; see `generateSigningKey()`).
    pub async fn checkpoint(
        self: Arc<Self>,
        tenant: TenantId,
        signing_key: String,
    ) -> Result<Checkpoint> {
        background::run(move || {
            let key = core::signing_key_from_hex(&signing_key)?;
            Ok(self.inner.checkpoint(tenant.into(), &key)?.into())
        })
        .await
    }

    /// `audit`, plus a proof that the ledger still extends every checkpoint, each verified
    /// with `verifyingKey` (64 hex digits; see `verifyingKey(signingKey:)`).
    pub async fn audit_against(
        self: Arc<Self>,
        tenant: TenantId,
        checkpoints: Vec<Checkpoint>,
        verifying_key: String,
    ) -> Result<Audit> {
        background::run(move || {
            let key = core::verifying_key_from_hex(&verifying_key)?;
            let checkpoints: Vec<core::Checkpoint> =
                checkpoints.into_iter().map(Into::into).collect();
            Ok(self
                .inner
                .audit_against(tenant.into(), &checkpoints, &key)?
                .into())
        })
        .await
    }
}

/// A user acting on the inventory; every call checks the user's roles.
#[derive(Debug, uniffi::Object)]
pub struct Session(core::Session);

impl Session {
    /// One page of `list` of `org`, filtered.
    fn orders_on(
        &self,
        list: core::OrderList,
        org: OrgId,
        filter: Option<InventoryFilter>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrderPage> {
        guard(|| {
            let filter = core::InventoryFilter::from(filter.unwrap_or_default());
            let cursor = cursor
                .as_deref()
                .map(str::parse::<core::Cursor>)
                .transpose()?;
            Ok(self
                .0
                .list_of(list, org.into(), &filter, cursor, page_size(limit))?
                .into())
        })
    }
}

#[uniffi::export]
impl Session {
    /// The acting user.
    pub fn user(&self) -> UserId {
        self.0.user().into()
    }

    /// The tenant.
    pub fn tenant(&self) -> TenantId {
        self.0.tenant().into()
    }

    /// The same user, whose write commands are idempotent under `key` (docs/rules.md §11; see
    /// `Inventory.withIdempotencyKey`): a retry of a command with its key returns the first
    /// result and changes nothing, even after a lost reply; another command, or another user,
    /// with the key is `Conflict`; a failed command records nothing and may be retried with the
    /// key. A bad key (empty, over 200 characters, a control character) is `InvalidInput`.
    /// Use one key per command.
    pub fn with_idempotency_key(&self, key: String) -> Result<Arc<Self>> {
        guard(|| Ok(Arc::new(Session(self.0.with_idempotency_key(&key)?))))
    }

    /// Mints new stock into an order held by the vendor. Vendor admins only.
    #[uniffi::method(default(purchase_order = None, comments = None))]
    pub async fn mint(
        self: Arc<Self>,
        product: ProductId,
        quantity: u64,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> Result<Order> {
        background::run(move || {
            let new = core::NewMint {
                product: product.into(),
                quantity,
                purchase_order,
                comments,
            };
            Ok(self.0.mint(new)?.into())
        })
        .await
    }

    /// Requests `quantity` units of `product` for `holder` from its parent organization.
    #[uniffi::method(default(purchase_order = None, comments = None))]
    pub async fn request(
        self: Arc<Self>,
        holder: OrgId,
        product: ProductId,
        quantity: u64,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> Result<Order> {
        background::run(move || {
            let new = core::NewRequest {
                holder: holder.into(),
                product: product.into(),
                quantity,
                purchase_order,
                comments,
            };
            Ok(self.0.request(new)?.into())
        })
        .await
    }

    /// Edits a pending request: `nil` leaves a field as it is, `""` clears a text field.
    #[uniffi::method(default(purchase_order = None, product = None, quantity = None, comments = None))]
    pub async fn edit_request(
        self: Arc<Self>,
        order: OrderId,
        purchase_order: Option<String>,
        product: Option<ProductId>,
        quantity: Option<u64>,
        comments: Option<String>,
    ) -> Result<Order> {
        background::run(move || {
            let edit = core::RequestEdit {
                purchase_order,
                product: product.map(Into::into),
                quantity,
                comments,
            };
            Ok(self.0.edit_request(order.into(), edit)?.into())
        })
        .await
    }

    /// Cancels (withdraws) a pending request.
    pub async fn cancel(self: Arc<Self>, order: OrderId) -> Result<Order> {
        background::run(move || Ok(self.0.cancel(order.into())?.into())).await
    }

    /// Approves a request addressed to one of the actor's organizations, for `quantity` units
    /// (default: all that were asked), drawing them from the source's orders.
    #[uniffi::method(default(quantity = None, comments = None))]
    pub async fn approve(
        self: Arc<Self>,
        order: OrderId,
        quantity: Option<u64>,
        comments: Option<String>,
    ) -> Result<Order> {
        background::run(move || Ok(self.0.approve(order.into(), quantity, comments)?.into())).await
    }

    /// Rejects a request addressed to one of the actor's organizations.
    #[uniffi::method(default(comments = None))]
    pub async fn reject(
        self: Arc<Self>,
        order: OrderId,
        comments: Option<String>,
    ) -> Result<Order> {
        background::run(move || Ok(self.0.reject(order.into(), comments)?.into())).await
    }

    /// Assigns (pushes) `quantity` units from `from` to its child `to`: a new active order.
    #[uniffi::method(default(purchase_order = None, comments = None))]
    pub async fn assign(
        self: Arc<Self>,
        from: OrgId,
        to: OrgId,
        product: ProductId,
        quantity: u64,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> Result<Order> {
        background::run(move || {
            let new = core::NewAssignment {
                from: from.into(),
                to: to.into(),
                product: product.into(),
                quantity,
                purchase_order,
                comments,
            };
            Ok(self.0.assign(new)?.into())
        })
        .await
    }

    /// Runs `commands` in order in one transaction (docs/rules.md §11): all of them take effect, or, at
    /// the first that fails, none does and that command's own error is thrown (the one it
    /// throws on its own; which command failed is not reported). Later commands see the
    /// effects of earlier ones (approve a request made earlier in the batch, assign on from an
    /// order it assigned). 1 to 1000 commands, else `InvalidInput(field: "batch", …)`. Returns
    /// one result per command, in order: `.order` for a request, approval, rejection,
    /// cancellation or assignment, `.licenses` for an issue. Through a keyed session
    /// (`withIdempotencyKey`) the whole batch is one idempotent command.
    pub async fn batch(self: Arc<Self>, commands: Vec<BatchCommand>) -> Result<Vec<BatchResult>> {
        background::run(move || {
            let commands: Vec<core::BatchCommand> = commands.into_iter().map(Into::into).collect();
            let results = self.0.batch(&commands)?;
            Ok(results.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// An order with its names ("Order Details"), if the actor may see it.
    pub async fn order(self: Arc<Self>, id: OrderId) -> Result<OrderDetails> {
        background::run(move || Ok(self.0.order(id.into())?.into())).await
    }

    /// An order by its number, if the actor may see it.
    pub async fn order_by_number(self: Arc<Self>, number: u64) -> Result<OrderDetails> {
        background::run(move || Ok(self.0.order_by_number(core::OrderNumber(number))?.into())).await
    }

    /// The inventory list of `org`: its orders matching `filter` (`nil`: all), newest first,
    /// `limit` (1 to 1000; `nil`: the core's default page) per page; pass the returned `next`
    /// back as `cursor` for the next page.
    #[uniffi::method(default(filter = None, cursor = None, limit = None))]
    pub async fn list(
        self: Arc<Self>,
        org: OrgId,
        filter: Option<InventoryFilter>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrderPage> {
        background::run(move || self.orders_on(core::OrderList::Held, org, filter, cursor, limit))
            .await
    }

    /// The approval queue of `org`: the requests addressed to it that wait for its decision,
    /// newest first, filtered and paged like `list`. Its length is the summary's incoming
    /// requests.
    #[uniffi::method(default(filter = None, cursor = None, limit = None))]
    pub async fn approval_queue(
        self: Arc<Self>,
        org: OrgId,
        filter: Option<InventoryFilter>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrderPage> {
        background::run(move || {
            self.orders_on(
                core::OrderList::AwaitingDecision,
                org,
                filter,
                cursor,
                limit,
            )
        })
        .await
    }

    /// The orders `org` supplied (requests it approved, assignments it made), newest first,
    /// filtered and paged like `list`.
    #[uniffi::method(default(filter = None, cursor = None, limit = None))]
    pub async fn supplied_orders(
        self: Arc<Self>,
        org: OrgId,
        filter: Option<InventoryFilter>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrderPage> {
        background::run(move || {
            self.orders_on(core::OrderList::Supplied, org, filter, cursor, limit)
        })
        .await
    }

    /// An organization, if the acting user may see it (their branches; the vendor's admins see
    /// all).
    pub async fn organization(self: Arc<Self>, org: OrgId) -> Result<Organization> {
        background::run(move || Ok(self.0.organization(org.into())?.into())).await
    }

    /// The organizations directly below `org`, in name order.
    #[uniffi::method(default(cursor = None, limit = None))]
    pub async fn child_orgs(
        self: Arc<Self>,
        org: OrgId,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrgPage> {
        background::run(move || {
            let cursor = name_cursor(cursor)?;
            Ok(self
                .0
                .child_orgs(org.into(), cursor, page_size(limit))?
                .into())
        })
        .await
    }

    /// `org` and those below it down to `maxDepth` levels (0: itself; at most and by default
    /// 16), each with its depth: level by level, each level in name order.
    #[uniffi::method(default(max_depth = None, cursor = None, limit = None))]
    pub async fn subtree(
        self: Arc<Self>,
        org: OrgId,
        max_depth: Option<u32>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrgTreePage> {
        background::run(move || {
            let cursor = name_cursor(cursor)?;
            let depth = max_depth.unwrap_or(core::MAX_SUBTREE_DEPTH);
            Ok(self
                .0
                .subtree(org.into(), depth, cursor, page_size(limit))?
                .into())
        })
        .await
    }

    /// The organizations the acting user may see whose name starts with `prefix`
    /// (case-insensitive; empty: all of them), in name order.
    #[uniffi::method(default(prefix = "", cursor = None, limit = None))]
    pub async fn search_orgs(
        self: Arc<Self>,
        prefix: String,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrgPage> {
        background::run(move || {
            let cursor = name_cursor(cursor)?;
            Ok(self
                .0
                .search_orgs(&prefix, cursor, page_size(limit))?
                .into())
        })
        .await
    }

    /// A user, if the acting user may see them (themselves, and the admins of the
    /// organizations they see).
    pub async fn find_user(self: Arc<Self>, user: UserId) -> Result<User> {
        background::run(move || Ok(self.0.find_user(user.into())?.into())).await
    }

    /// The users the acting user may see whose name or email starts with `prefix`
    /// (case-insensitive; empty: all of them), in name order.
    #[uniffi::method(default(prefix = "", cursor = None, limit = None))]
    pub async fn search_users(
        self: Arc<Self>,
        prefix: String,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<UserPage> {
        background::run(move || {
            let cursor = name_cursor(cursor)?;
            Ok(self
                .0
                .search_users(&prefix, cursor, page_size(limit))?
                .into())
        })
        .await
    }

    /// The admins of `org`, in name order.
    pub async fn org_admins(self: Arc<Self>, org: OrgId) -> Result<Vec<User>> {
        background::run(move || {
            Ok(self
                .0
                .org_admins(org.into())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
    }

    /// The admin roles of `user` the acting user may see, in organization-name order: what a
    /// Role menu offers.
    pub async fn roles_of(self: Arc<Self>, user: UserId) -> Result<Vec<Role>> {
        background::run(move || {
            Ok(self
                .0
                .roles_of(user.into())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
    }

    /// The tenant's products, in name order.
    #[uniffi::method(default(cursor = None, limit = None))]
    pub async fn products(
        self: Arc<Self>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<ProductPage> {
        background::run(move || {
            let cursor = name_cursor(cursor)?;
            Ok(self.0.products(cursor, page_size(limit))?.into())
        })
        .await
    }

    /// A product of the tenant.
    pub async fn product(self: Arc<Self>, product: ProductId) -> Result<Product> {
        background::run(move || Ok(self.0.product(product.into())?.into())).await
    }

    /// The tenant's bundles, in name order.
    #[uniffi::method(default(cursor = None, limit = None))]
    pub async fn bundles(
        self: Arc<Self>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<BundlePage> {
        background::run(move || {
            let cursor = name_cursor(cursor)?;
            Ok(self.0.bundles(cursor, page_size(limit))?.into())
        })
        .await
    }

    /// A bundle of the tenant.
    pub async fn bundle(self: Arc<Self>, bundle: BundleId) -> Result<Bundle> {
        background::run(move || Ok(self.0.bundle(bundle.into())?.into())).await
    }

    /// The summary of `org`: per product, units held and available, its pending requests, and
    /// the requests addressed to it awaiting approval.
    pub async fn summary(self: Arc<Self>, org: OrgId) -> Result<Vec<SummaryLine>> {
        background::run(move || {
            Ok(self
                .0
                .summary(org.into())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
    }

    /// "Detail of Inventory Use" of an order: the order and its outgoing draws.
    pub async fn detail_of_use(self: Arc<Self>, order: OrderId) -> Result<InventoryUse> {
        background::run(move || Ok(self.0.detail_of_use(order.into())?.into())).await
    }

    /// Edits an order's metadata, also after approval: `nil` leaves a field as it is, `""`
    /// clears a text field, `campaign` replaces all the campaign parameters. Admins of the
    /// holder.
    #[uniffi::method(default(
        reference = None,
        campaign = None,
        download_id = None,
        is_test = None,
        is_trial = None
    ))]
    pub async fn edit_metadata(
        self: Arc<Self>,
        order: OrderId,
        reference: Option<String>,
        campaign: Option<HashMap<String, String>>,
        download_id: Option<String>,
        is_test: Option<bool>,
        is_trial: Option<bool>,
    ) -> Result<Order> {
        background::run(move || {
            let edit = core::MetadataEdit {
                reference,
                campaign: campaign.map(|c| c.into_iter().collect()),
                download_id,
                is_test,
                is_trial,
            };
            Ok(self.0.edit_metadata(order.into(), edit)?.into())
        })
        .await
    }

    /// Adds or replaces an order's customer; `nil` removes it. Admins of the holder.
    pub async fn set_customer(
        self: Arc<Self>,
        order: OrderId,
        customer: Option<Customer>,
    ) -> Result<Order> {
        background::run(move || {
            Ok(self
                .0
                .set_customer(order.into(), customer.map(Into::into))?
                .into())
        })
        .await
    }

    /// Issues `quantity` licenses (or activation codes) from an order, all at once or not at
    /// all. Admins of the holder, or managers with `issueLicense` (enterprise plan).
    pub async fn issue(self: Arc<Self>, order: OrderId, quantity: u64) -> Result<Vec<License>> {
        background::run(move || {
            let licenses = self.0.issue(order.into(), quantity)?;
            Ok(licenses.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Adds licenses with existing `keys` (from another system, in the vendor's own format) to
    /// an order, like `issue` of as many: all or nothing. A malformed key throws
    /// `InvalidInput`, a repeated or existing one `Conflict`, each naming it by its position
    /// and first symbols. The licenses are marked `imported`.
    pub async fn import_licenses(
        self: Arc<Self>,
        order: OrderId,
        keys: Vec<String>,
    ) -> Result<Vec<License>> {
        background::run(move || {
            let licenses = self.0.import_licenses(order.into(), &keys)?;
            Ok(licenses.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// `importLicenses` of the keys of the CSV file at `path`, in an order export's layout (its
    /// `license_key` column; rows without a key are skipped), as `exportOrderCsv` writes it.
    pub async fn import_licenses_csv(
        self: Arc<Self>,
        order: OrderId,
        path: String,
    ) -> Result<Vec<License>> {
        background::run(move || {
            let licenses = self.0.import_licenses_csv_from_path(order.into(), &path)?;
            Ok(licenses.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Issues `quantity` licenses like `issue`, without returning them: they are made and
    /// stored in chunks, so a million takes the memory of one chunk. Returns the order and the
    /// new licenses' id range; read them with `licenses`.
    pub async fn issue_in_bulk(self: Arc<Self>, order: OrderId, quantity: u64) -> Result<Issued> {
        background::run(move || Ok(self.0.issue_in_bulk(order.into(), quantity)?.into())).await
    }

    /// Up to `limit` (1 to 1000; `nil`: the core's default page) licenses of an order, by id,
    /// after the license `after` (pass the last id of a page for the next one).
    #[uniffi::method(default(after = None, limit = None))]
    pub async fn licenses(
        self: Arc<Self>,
        order: OrderId,
        after: Option<LicenseId>,
        limit: Option<u32>,
    ) -> Result<Vec<License>> {
        background::run(move || {
            let licenses =
                self.0
                    .licenses(order.into(), after.map(Into::into), page_size(limit))?;
            Ok(licenses.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// A license by its key, if the actor may see its order.
    pub async fn license(self: Arc<Self>, key: String) -> Result<License> {
        background::run(move || Ok(self.0.license(&key)?.into())).await
    }

    /// Removes one device from a license. Admins of the holder, or managers with
    /// `resetDevice`.
    pub async fn reset_device(
        self: Arc<Self>,
        license: LicenseId,
        fingerprint: String,
    ) -> Result<License> {
        background::run(move || Ok(self.0.reset_device(license.into(), &fingerprint)?.into())).await
    }

    /// Removes every device from a license. Admins of the holder, or managers with
    /// `resetLicense`.
    pub async fn reset_license(self: Arc<Self>, license: LicenseId) -> Result<License> {
        background::run(move || Ok(self.0.reset_license(license.into())?.into())).await
    }

    /// Disables a license: it can no longer be activated or borrowed. Admins of the holder.
    pub async fn disable(self: Arc<Self>, license: LicenseId) -> Result<License> {
        background::run(move || Ok(self.0.disable(license.into())?.into())).await
    }

    /// Enables a disabled license again. Admins of the holder.
    pub async fn enable(self: Arc<Self>, license: LicenseId) -> Result<License> {
        background::run(move || Ok(self.0.enable(license.into())?.into())).await
    }

    /// Borrows a floating license for `borrower` for `seconds`, within the policy's limits
    /// (else `BorrowLimit`). Admins of the holder, or managers with `borrowLicense`.
    pub async fn borrow(
        self: Arc<Self>,
        license: LicenseId,
        borrower: String,
        seconds: u32,
    ) -> Result<License> {
        background::run(move || Ok(self.0.borrow(license.into(), &borrower, seconds)?.into())).await
    }

    /// Returns `borrower`'s borrow of a floating license. Admins of the holder, or managers
    /// with `borrowLicense`.
    pub async fn return_borrow(
        self: Arc<Self>,
        license: LicenseId,
        borrower: String,
    ) -> Result<License> {
        background::run(move || Ok(self.0.return_borrow(license.into(), &borrower)?.into())).await
    }

    /// Revokes an unused license: it is gone and its unit returns to its order, which is
    /// returned. A used license is `LicenseUnusable`. Admins of the holder.
    pub async fn revoke(self: Arc<Self>, license: LicenseId) -> Result<Order> {
        background::run(move || Ok(self.0.revoke(license.into())?.into())).await
    }

    /// Adds a license user to an order, with an initial `password` when given (kept only as an
    /// Argon2id hash). Admins of the holder, or managers with `manageLicenseUsers` (and
    /// `manageLicenseUserCredentials` for a password).
    #[uniffi::method(default(name = None, password = None))]
    pub async fn add_license_user(
        self: Arc<Self>,
        order: OrderId,
        email: String,
        name: Option<String>,
        password: Option<String>,
    ) -> Result<LicenseUser> {
        background::run(move || {
            let new = core::NewLicenseUser {
                email,
                name,
                password,
            };
            Ok(self.0.add_license_user(order.into(), new)?.into())
        })
        .await
    }

    /// Changes a license user's email and/or name: `nil` leaves a field as it is, `name: ""`
    /// clears the name. Admins of the holder, or managers with `manageLicenseUsers`.
    #[uniffi::method(default(email = None, name = None))]
    pub async fn edit_license_user(
        self: Arc<Self>,
        license_user: LicenseUserId,
        email: Option<String>,
        name: Option<String>,
    ) -> Result<LicenseUser> {
        background::run(move || {
            Ok(self
                .0
                .edit_license_user(license_user.into(), email, name)?
                .into())
        })
        .await
    }

    /// Deletes a license user (their licenses stay, unassigned). Admins of the holder, or
    /// managers with `manageLicenseUsers`.
    pub async fn delete_license_user(self: Arc<Self>, license_user: LicenseUserId) -> Result<()> {
        background::run(move || Ok(self.0.delete_license_user(license_user.into())?)).await
    }

    /// Gives a license to a license user of the same order, or takes it back with `nil`.
    /// Admins of the holder, or managers with `manageLicenseUsers`.
    pub async fn assign_license(
        self: Arc<Self>,
        license: LicenseId,
        license_user: Option<LicenseUserId>,
    ) -> Result<License> {
        background::run(move || {
            Ok(self
                .0
                .assign_license(license.into(), license_user.map(Into::into))?
                .into())
        })
        .await
    }

    /// Sets a license user's password (at least 8 characters; kept only as an Argon2id
    /// hash). Admins of the holder, or managers with `manageLicenseUserCredentials`.
    pub async fn set_license_user_password(
        self: Arc<Self>,
        license_user: LicenseUserId,
        password: String,
    ) -> Result<()> {
        background::run(move || {
            Ok(self
                .0
                .set_license_user_password(license_user.into(), &password)?)
        })
        .await
    }

    /// The license users of an order.
    pub async fn license_users(self: Arc<Self>, order: OrderId) -> Result<Vec<LicenseUser>> {
        background::run(move || {
            let users = self.0.license_users(order.into())?;
            Ok(users.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Makes `user` a license manager of an order with `permissions` (added to any they hold).
    /// Admins of the holder grant any permission; a manager with `manageManagers` only those
    /// it holds itself. `createOrder` and `issueLicense` need the enterprise plan (else
    /// `PlanRequired`).
    pub async fn add_license_manager(
        self: Arc<Self>,
        order: OrderId,
        user: UserId,
        permissions: Vec<Permission>,
    ) -> Result<LicenseManager> {
        background::run(move || {
            let permissions: Vec<core::Permission> =
                permissions.into_iter().map(Into::into).collect();
            Ok(self
                .0
                .add_license_manager(order.into(), user.into(), &permissions)?
                .into())
        })
        .await
    }

    /// Replaces the permissions of `user`, a license manager of `order` (1 or more). A manager
    /// with `manageManagers` may only add or take away permissions it holds itself.
    pub async fn set_license_manager_permissions(
        self: Arc<Self>,
        order: OrderId,
        user: UserId,
        permissions: Vec<Permission>,
    ) -> Result<LicenseManager> {
        background::run(move || {
            let permissions: Vec<core::Permission> =
                permissions.into_iter().map(Into::into).collect();
            Ok(self
                .0
                .set_license_manager_permissions(order.into(), user.into(), &permissions)?
                .into())
        })
        .await
    }

    /// Removes `user` as a license manager of `order`.
    pub async fn remove_license_manager(
        self: Arc<Self>,
        order: OrderId,
        user: UserId,
    ) -> Result<()> {
        background::run(move || Ok(self.0.remove_license_manager(order.into(), user.into())?)).await
    }

    /// The license managers of an order.
    pub async fn license_managers(self: Arc<Self>, order: OrderId) -> Result<Vec<LicenseManager>> {
        background::run(move || {
            let managers = self.0.license_managers(order.into())?;
            Ok(managers.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Requests a bundle for `holder` from its parent: one request per line of the bundle, the
    /// orders sharing one `bundle` id. Admins of the holder, or managers with
    /// `createBundleOrder` on one of its orders.
    #[uniffi::method(default(purchase_order = None, comments = None))]
    pub async fn request_bundle(
        self: Arc<Self>,
        holder: OrgId,
        bundle: BundleId,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> Result<Vec<Order>> {
        background::run(move || {
            let orders =
                self.0
                    .request_bundle(holder.into(), bundle.into(), purchase_order, comments)?;
            Ok(orders.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Returns `quantity` unused units of an order to the orders they were drawn from.
    /// Admins of the holder.
    pub async fn return_units(self: Arc<Self>, order: OrderId, quantity: u64) -> Result<Order> {
        background::run(move || Ok(self.0.return_units(order.into(), quantity)?.into())).await
    }

    /// Deletes an order and every license in it, irreversibly; its unconsumed units return to
    /// its sources, its issued ones are retired. `OrderInUse` (naming them) while child orders
    /// drew from it. Admins of the holder.
    pub async fn delete_order(self: Arc<Self>, order: OrderId) -> Result<()> {
        background::run(move || Ok(self.0.delete_order(order.into())?)).await
    }

    /// Writes an order as CSV to the file at `path`: a header of `orderColumns()`, then one
    /// row per license (one row with empty license columns when it has none), from one
    /// consistent snapshot, a page of licenses at a time. Returns the number of data rows.
    /// Atomic: written to a temporary file beside `path` and renamed over it once complete, so
    /// a refused or failed export (`Export` for a file that cannot be written) leaves `path` as
    /// it was.
    pub async fn export_order_csv(self: Arc<Self>, order: OrderId, path: String) -> Result<u64> {
        background::run(move || Ok(self.0.export_order_csv_to_path(order.into(), path)?)).await
    }

    /// Writes an organization's inventory list as CSV to the file at `path`: a header of
    /// `inventoryColumns()`, then one row per order, newest first, filtered like `list`
    /// (`nil`: all). Returns the number of data rows. Atomic, like `exportOrderCsv`.
    #[uniffi::method(default(filter = None))]
    pub async fn export_inventory_csv(
        self: Arc<Self>,
        org: OrgId,
        path: String,
        filter: Option<InventoryFilter>,
    ) -> Result<u64> {
        background::run(move || {
            let filter = core::InventoryFilter::from(filter.unwrap_or_default());
            Ok(self
                .0
                .export_inventory_csv_to_path(org.into(), &filter, path)?)
        })
        .await
    }
}

/// A page size for the core (which checks its range); `None` is the core's default.
/// A directory cursor from its text form.
fn name_cursor(cursor: Option<String>) -> core::Result<Option<core::NameCursor>> {
    cursor.as_deref().map(str::parse).transpose()
}

fn page_size(limit: Option<u32>) -> usize {
    limit.map_or(core::DEFAULT_PAGE, |l| {
        usize::try_from(l).unwrap_or(usize::MAX)
    })
}
