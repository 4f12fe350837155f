//! The handles Swift holds: `Inventory` (a store plus its clock) and `Session` (a user acting on
//! it). Each method converts its arguments, delegates to the core, and converts the result.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use license_inventory as core;

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
    /// upgrade it) and `group_commit` (the most commands one transaction may carry; 1 = no
    /// grouping) override the core's defaults (`.full`, 30 s, `true`, 32) when given.
    #[uniffi::constructor(default(
        synchronous = None,
        busy_timeout = None,
        migrate = None,
        group_commit = None
    ))]
    pub fn open_sqlite(
        path: String,
        synchronous: Option<Synchronous>,
        busy_timeout: Option<f64>,
        migrate: Option<bool>,
        group_commit: Option<u32>,
    ) -> Result<Arc<Self>> {
        guard(|| {
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
            let store = core::SqliteStore::open_with(path, options)?;
            Ok(Self::over(core::Inventory::new(store)))
        })
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
    pub fn open_postgres(
        url: String,
        max_connections: Option<u32>,
        max_retries: Option<u32>,
        migrate: Option<bool>,
        group_commit: Option<u32>,
    ) -> Result<Arc<Self>> {
        guard(|| {
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
    }

    /// Pins the clock to `at` (every change made until the next call is stamped with it), or lets
    /// it follow the system clock again with `nil`.
    pub fn set_time(&self, at: Option<SystemTime>) {
        self.clock.set(at.map(core_time));
    }

    /// Creates a tenant and its vendor (root) organization; order numbers start at
    /// `first_order_number` (default 1).
    #[uniffi::method(default(first_order_number = None))]
    pub fn create_tenant(
        &self,
        name: String,
        plan: Plan,
        vendor_name: String,
        first_order_number: Option<u64>,
    ) -> Result<Tenant> {
        guard(|| {
            let new = core::NewTenant {
                name,
                plan: plan.into(),
                vendor_name,
                first_order_number,
            };
            Ok(self.inner.create_tenant(new)?.into())
        })
    }

    /// Reads a tenant.
    pub fn tenant(&self, id: TenantId) -> Result<Tenant> {
        guard(|| Ok(self.inner.tenant(id.into())?.into()))
    }

    /// Every tenant in the store, oldest first (to find one again in a reopened store).
    pub fn tenants(&self) -> Result<Vec<Tenant>> {
        guard(|| Ok(self.inner.tenants()?.into_iter().map(Into::into).collect()))
    }

    /// Creates an organization under `parent`, whose tier must be strictly higher.
    pub fn create_org(
        &self,
        tenant: TenantId,
        name: String,
        tier: Tier,
        parent: OrgId,
    ) -> Result<Organization> {
        guard(|| {
            let new = core::NewOrganization {
                name,
                tier: tier.into(),
                parent: parent.into(),
            };
            Ok(self.inner.create_org(tenant.into(), new)?.into())
        })
    }

    /// Reads an organization.
    pub fn org(&self, tenant: TenantId, id: OrgId) -> Result<Organization> {
        guard(|| Ok(self.inner.org(tenant.into(), id.into())?.into()))
    }

    /// Deactivates an organization: it keeps its orders but cannot request, approve, assign or
    /// receive inventory any more.
    pub fn deactivate_org(&self, tenant: TenantId, id: OrgId) -> Result<Organization> {
        guard(|| Ok(self.inner.deactivate_org(tenant.into(), id.into())?.into()))
    }

    /// Creates a user; the email must be unique within the tenant.
    pub fn create_user(&self, tenant: TenantId, name: String, email: String) -> Result<User> {
        guard(|| {
            let new = core::NewUser { name, email };
            Ok(self.inner.create_user(tenant.into(), new)?.into())
        })
    }

    /// Reads a user.
    pub fn user(&self, tenant: TenantId, id: UserId) -> Result<User> {
        guard(|| Ok(self.inner.user(tenant.into(), id.into())?.into()))
    }

    /// Makes `user` an admin of `org` (idempotent). Admins of the vendor are system
    /// administrators.
    pub fn grant_admin(&self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        guard(|| {
            Ok(self
                .inner
                .grant_admin(tenant.into(), user.into(), org.into())?)
        })
    }

    /// Takes `user`'s admin role over `org` away (nothing happens if they do not hold it);
    /// removing the vendor organization's last admin throws `Hierarchy`.
    pub fn revoke_admin(&self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        guard(|| {
            Ok(self
                .inner
                .revoke_admin(tenant.into(), user.into(), org.into())?)
        })
    }

    /// Reactivates a deactivated organization (its parent must be active).
    pub fn reactivate_org(&self, tenant: TenantId, id: OrgId) -> Result<Organization> {
        guard(|| Ok(self.inner.reactivate_org(tenant.into(), id.into())?.into()))
    }

    /// Deactivates a user: their roles and permissions stay on record but give them nothing
    /// until `reactivateUser`. The vendor organization keeps an active admin.
    pub fn deactivate_user(&self, tenant: TenantId, user: UserId) -> Result<User> {
        guard(|| {
            Ok(self
                .inner
                .deactivate_user(tenant.into(), user.into())?
                .into())
        })
    }

    /// Reactivates a deactivated user.
    pub fn reactivate_user(&self, tenant: TenantId, user: UserId) -> Result<User> {
        guard(|| {
            Ok(self
                .inner
                .reactivate_user(tenant.into(), user.into())?
                .into())
        })
    }

    /// Changes the tenant's plan. On a downgrade, enterprise-only permissions already granted
    /// stay on record but are not honoured (`PlanRequired`) until an upgrade.
    pub fn change_plan(&self, tenant: TenantId, plan: Plan) -> Result<Tenant> {
        guard(|| Ok(self.inner.change_plan(tenant.into(), plan.into())?.into()))
    }

    /// Renames a product.
    pub fn rename_product(
        &self,
        tenant: TenantId,
        product: ProductId,
        name: String,
    ) -> Result<Product> {
        guard(|| {
            Ok(self
                .inner
                .rename_product(tenant.into(), product.into(), &name)?
                .into())
        })
    }

    /// Retires a product: no new requests, assignments, mints or bundles of it
    /// (`InvalidInput`); existing orders are untouched.
    pub fn retire_product(&self, tenant: TenantId, product: ProductId) -> Result<Product> {
        guard(|| {
            Ok(self
                .inner
                .retire_product(tenant.into(), product.into())?
                .into())
        })
    }

    /// Defines a product; its code must be unique within the tenant. `policy` is the policy of
    /// its licenses, set in the same transaction (`nil`: the core's default, see
    /// `defaultLicensePolicy()`).
    #[uniffi::method(default(policy = None))]
    pub fn create_product(
        &self,
        tenant: TenantId,
        code: String,
        name: String,
        kind: ProductKind,
        policy: Option<LicensePolicy>,
    ) -> Result<Product> {
        guard(|| {
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
    }

    /// Sets the policy of the licenses issued for a product from now on (issued licenses keep
    /// theirs).
    pub fn set_product_policy(
        &self,
        tenant: TenantId,
        product: ProductId,
        policy: LicensePolicy,
    ) -> Result<Product> {
        guard(|| {
            Ok(self
                .inner
                .set_product_policy(tenant.into(), product.into(), policy.into())?
                .into())
        })
    }

    /// Defines a bundle: a named set of (product, quantity) lines (at least one; a product at
    /// most once).
    pub fn create_bundle(
        &self,
        tenant: TenantId,
        name: String,
        lines: Vec<BundleLine>,
    ) -> Result<Bundle> {
        guard(|| {
            let new = core::NewBundle {
                name,
                lines: lines.into_iter().map(Into::into).collect(),
            };
            Ok(self.inner.create_bundle(tenant.into(), new)?.into())
        })
    }

    /// Reads a bundle.
    pub fn bundle(&self, tenant: TenantId, id: BundleId) -> Result<Bundle> {
        guard(|| Ok(self.inner.bundle(tenant.into(), id.into())?.into()))
    }

    /// An end user activates a license on a device, with the key alone (no session). A
    /// mistyped key is `MistypedKey` before any lookup, a device past the policy's maximum
    /// `ActivationLimit`; activating an activated device changes nothing.
    pub fn activate(
        &self,
        tenant: TenantId,
        key: String,
        fingerprint: String,
        device_name: String,
    ) -> Result<License> {
        guard(|| {
            Ok(self
                .inner
                .activate(tenant.into(), &key, &fingerprint, &device_name)?
                .into())
        })
    }

    /// An end user deactivates a license on one of its devices, with the key alone.
    pub fn deactivate(
        &self,
        tenant: TenantId,
        key: String,
        fingerprint: String,
    ) -> Result<License> {
        guard(|| {
            Ok(self
                .inner
                .deactivate(tenant.into(), &key, &fingerprint)?
                .into())
        })
    }

    /// An end user redeems an activation code, once; `redeemed_by` names who (an email or a
    /// device). A second redemption is `LicenseUnusable`.
    pub fn redeem(&self, tenant: TenantId, code: String, redeemed_by: String) -> Result<License> {
        guard(|| {
            Ok(self
                .inner
                .redeem(tenant.into(), &code, &redeemed_by)?
                .into())
        })
    }

    /// Checks a key as an application would at start-up: the license, if it exists and is
    /// neither disabled nor expired (else `LicenseUnusable`).
    pub fn check_license(&self, tenant: TenantId, key: String) -> Result<License> {
        guard(|| Ok(self.inner.check_license(tenant.into(), &key)?.into()))
    }

    /// True when `password` is the license user's password (checked against its Argon2id
    /// hash; the hash never leaves the library).
    pub fn verify_license_user_password(
        &self,
        tenant: TenantId,
        license_user: LicenseUserId,
        password: String,
    ) -> Result<bool> {
        guard(|| {
            Ok(self.inner.verify_license_user_password(
                tenant.into(),
                license_user.into(),
                &password,
            )?)
        })
    }

    /// Reads a product.
    pub fn product(&self, tenant: TenantId, id: ProductId) -> Result<Product> {
        guard(|| Ok(self.inner.product(tenant.into(), id.into())?.into()))
    }

    /// Reads a product by its code.
    pub fn product_by_code(&self, tenant: TenantId, code: String) -> Result<Product> {
        guard(|| Ok(self.inner.product_by_code(tenant.into(), &code)?.into()))
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
    pub fn session(&self, tenant: TenantId, user: UserId) -> Result<Arc<Session>> {
        guard(|| {
            Ok(Arc::new(Session(
                self.inner.session(tenant.into(), user.into())?,
            )))
        })
    }

    /// Up to `limit` (1 to 1000; `nil`: the core's default page) ledger entries of the tenant
    /// with sequence numbers above `after`.
    #[uniffi::method(default(after = 0, limit = None))]
    pub fn ledger(
        &self,
        tenant: TenantId,
        after: u64,
        limit: Option<u32>,
    ) -> Result<Vec<LedgerEntry>> {
        guard(|| {
            let entries = self.inner.ledger(tenant.into(), after, page_size(limit))?;
            Ok(entries.into_iter().map(Into::into).collect())
        })
    }

    /// Up to `limit` (1 to 1000; `nil`: the core's default page) ledger entries of the tenant
    /// with sequence numbers above `after` that match `filter` (per order, per organization,
    /// by time range; `LedgerFilter()`: all), in order; pass the last `seq` as `after` for the
    /// next page. Scans the tenant's ledger from `after` in one read snapshot.
    #[uniffi::method(default(after = 0, limit = None))]
    pub fn ledger_matching(
        &self,
        tenant: TenantId,
        filter: LedgerFilter,
        after: u64,
        limit: Option<u32>,
    ) -> Result<Vec<LedgerEntry>> {
        guard(|| {
            let filter = core::LedgerFilter::from(filter);
            let entries =
                self.inner
                    .ledger_matching(tenant.into(), &filter, after, page_size(limit))?;
            Ok(entries.into_iter().map(Into::into).collect())
        })
    }

    /// Forgets the tenant's idempotency keys recorded before `before` and returns how many.
    /// A pruned key's retry runs its command again: prune only keys older than any retry a
    /// client may still make.
    pub fn prune_idempotency_keys(&self, tenant: TenantId, before: SystemTime) -> Result<u64> {
        guard(|| {
            Ok(self
                .inner
                .prune_idempotency_keys(tenant.into(), core_time(before))?)
        })
    }

    /// An order's quantities as they were at `at` (changes recorded at or before it), rebuilt
    /// from the ledger. Deleted orders stay readable in the past (0 everywhere once deleted);
    /// an order with no movement by then (a pending request, or one made later) has every
    /// quantity 0; an order the tenant never had is `NotFound` (entity `.order`).
    pub fn order_at(
        &self,
        tenant: TenantId,
        order: OrderId,
        at: SystemTime,
    ) -> Result<OrderFigures> {
        guard(|| {
            Ok(self
                .inner
                .order_at(tenant.into(), order.into(), core_time(at))?
                .into())
        })
    }

    /// What an organization held at `at`, per product (sorted by product id), rebuilt from the
    /// ledger like `orderAt`: only orders approved by then and not deleted count; products it
    /// held nothing of are absent. An unknown organization is `NotFound`.
    pub fn holdings_at(
        &self,
        tenant: TenantId,
        org: OrgId,
        at: SystemTime,
    ) -> Result<Vec<Holding>> {
        guard(|| {
            let holdings = self
                .inner
                .holdings_at(tenant.into(), org.into(), core_time(at))?;
            Ok(holdings.into_iter().map(Into::into).collect())
        })
    }

    /// Up to `limit` (1 to 1000; `nil`: the core's default page) notifications of the tenant
    /// not yet marked sent, oldest first: what the host application should send now. Send
    /// them, then `markNotificationsSent`; a notification is returned again until it is marked
    /// (at-least-once delivery).
    #[uniffi::method(default(limit = None))]
    pub fn pending_notifications(
        &self,
        tenant: TenantId,
        limit: Option<u32>,
    ) -> Result<Vec<Notification>> {
        guard(|| {
            let pending = self
                .inner
                .pending_notifications(tenant.into(), page_size(limit))?;
            Ok(pending.into_iter().map(Into::into).collect())
        })
    }

    /// Marks notifications sent (at most 1000 at once), all or none: an id that is not a
    /// notification of this tenant is `NotFound` (entity `.notification`) and nothing is
    /// marked. One already sent is left as it was (it keeps its first `sentAt`). Returns how
    /// many were newly marked.
    pub fn mark_notifications_sent(
        &self,
        tenant: TenantId,
        ids: Vec<NotificationId>,
    ) -> Result<u64> {
        guard(|| {
            let ids: Vec<core::NotificationId> = ids.into_iter().map(Into::into).collect();
            let marked = self.inner.mark_notifications_sent(tenant.into(), &ids)?;
            Ok(u64::try_from(marked).unwrap_or(u64::MAX))
        })
    }

    /// A notification by id, sent or not.
    pub fn notification(&self, tenant: TenantId, id: NotificationId) -> Result<Notification> {
        guard(|| Ok(self.inner.notification(tenant.into(), id.into())?.into()))
    }

    /// Checks a whole tenant: every order's conservation rule, the tenant's total, the ledger's
    /// hash chain, and that replaying the ledger rebuilds every order's quantities.
    pub fn audit(&self, tenant: TenantId) -> Result<Audit> {
        guard(|| Ok(self.inner.audit(tenant.into())?.into()))
    }

    /// Signs the tenant's ledger head with `signingKey` (64 hex digits: the 32 secret bytes of
    /// an Ed25519 key the host keeps outside the database; see `generateSigningKey()`).
    pub fn checkpoint(&self, tenant: TenantId, signing_key: String) -> Result<Checkpoint> {
        guard(|| {
            let key = core::signing_key_from_hex(&signing_key)?;
            Ok(self.inner.checkpoint(tenant.into(), &key)?.into())
        })
    }

    /// `audit`, plus a proof that the ledger still extends every checkpoint, each verified
    /// with `verifyingKey` (64 hex digits; see `verifyingKey(signingKey:)`).
    pub fn audit_against(
        &self,
        tenant: TenantId,
        checkpoints: Vec<Checkpoint>,
        verifying_key: String,
    ) -> Result<Audit> {
        guard(|| {
            let key = core::verifying_key_from_hex(&verifying_key)?;
            let checkpoints: Vec<core::Checkpoint> =
                checkpoints.into_iter().map(Into::into).collect();
            Ok(self
                .inner
                .audit_against(tenant.into(), &checkpoints, &key)?
                .into())
        })
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
    pub fn mint(
        &self,
        product: ProductId,
        quantity: u64,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> Result<Order> {
        guard(|| {
            let new = core::NewMint {
                product: product.into(),
                quantity,
                purchase_order,
                comments,
            };
            Ok(self.0.mint(new)?.into())
        })
    }

    /// Requests `quantity` units of `product` for `holder` from its parent organization.
    #[uniffi::method(default(purchase_order = None, comments = None))]
    pub fn request(
        &self,
        holder: OrgId,
        product: ProductId,
        quantity: u64,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> Result<Order> {
        guard(|| {
            let new = core::NewRequest {
                holder: holder.into(),
                product: product.into(),
                quantity,
                purchase_order,
                comments,
            };
            Ok(self.0.request(new)?.into())
        })
    }

    /// Edits a pending request: `nil` leaves a field as it is, `""` clears a text field.
    #[uniffi::method(default(purchase_order = None, product = None, quantity = None, comments = None))]
    pub fn edit_request(
        &self,
        order: OrderId,
        purchase_order: Option<String>,
        product: Option<ProductId>,
        quantity: Option<u64>,
        comments: Option<String>,
    ) -> Result<Order> {
        guard(|| {
            let edit = core::RequestEdit {
                purchase_order,
                product: product.map(Into::into),
                quantity,
                comments,
            };
            Ok(self.0.edit_request(order.into(), edit)?.into())
        })
    }

    /// Cancels (withdraws) a pending request.
    pub fn cancel(&self, order: OrderId) -> Result<Order> {
        guard(|| Ok(self.0.cancel(order.into())?.into()))
    }

    /// Approves a request addressed to one of the actor's organizations, for `quantity` units
    /// (default: all that were asked), drawing them from the source's orders.
    #[uniffi::method(default(quantity = None, comments = None))]
    pub fn approve(
        &self,
        order: OrderId,
        quantity: Option<u64>,
        comments: Option<String>,
    ) -> Result<Order> {
        guard(|| Ok(self.0.approve(order.into(), quantity, comments)?.into()))
    }

    /// Rejects a request addressed to one of the actor's organizations.
    #[uniffi::method(default(comments = None))]
    pub fn reject(&self, order: OrderId, comments: Option<String>) -> Result<Order> {
        guard(|| Ok(self.0.reject(order.into(), comments)?.into()))
    }

    /// Assigns (pushes) `quantity` units from `from` to its child `to`: a new active order.
    #[uniffi::method(default(purchase_order = None, comments = None))]
    pub fn assign(
        &self,
        from: OrgId,
        to: OrgId,
        product: ProductId,
        quantity: u64,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> Result<Order> {
        guard(|| {
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
    }

    /// Runs `commands` in order in one transaction (docs/rules.md §11): all of them take effect, or, at
    /// the first that fails, none does and that command's own error is thrown (the one it
    /// throws on its own; which command failed is not reported). Later commands see the
    /// effects of earlier ones (approve a request made earlier in the batch, assign on from an
    /// order it assigned). 1 to 1000 commands, else `InvalidInput(field: "batch", …)`. Returns
    /// one result per command, in order: `.order` for a request, approval, rejection,
    /// cancellation or assignment, `.licenses` for an issue. Through a keyed session
    /// (`withIdempotencyKey`) the whole batch is one idempotent command.
    pub fn batch(&self, commands: Vec<BatchCommand>) -> Result<Vec<BatchResult>> {
        guard(|| {
            let commands: Vec<core::BatchCommand> = commands.into_iter().map(Into::into).collect();
            let results = self.0.batch(&commands)?;
            Ok(results.into_iter().map(Into::into).collect())
        })
    }

    /// An order with its names ("Order Details"), if the actor may see it.
    pub fn order(&self, id: OrderId) -> Result<OrderDetails> {
        guard(|| Ok(self.0.order(id.into())?.into()))
    }

    /// An order by its number, if the actor may see it.
    pub fn order_by_number(&self, number: u64) -> Result<OrderDetails> {
        guard(|| Ok(self.0.order_by_number(core::OrderNumber(number))?.into()))
    }

    /// The inventory list of `org`: its orders matching `filter` (`nil`: all), newest first,
    /// `limit` (1 to 1000; `nil`: the core's default page) per page; pass the returned `next`
    /// back as `cursor` for the next page.
    #[uniffi::method(default(filter = None, cursor = None, limit = None))]
    pub fn list(
        &self,
        org: OrgId,
        filter: Option<InventoryFilter>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrderPage> {
        self.orders_on(core::OrderList::Held, org, filter, cursor, limit)
    }

    /// The approval queue of `org`: the requests addressed to it that wait for its decision,
    /// newest first, filtered and paged like `list`. Its length is the summary's incoming
    /// requests.
    #[uniffi::method(default(filter = None, cursor = None, limit = None))]
    pub fn approval_queue(
        &self,
        org: OrgId,
        filter: Option<InventoryFilter>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrderPage> {
        self.orders_on(
            core::OrderList::AwaitingDecision,
            org,
            filter,
            cursor,
            limit,
        )
    }

    /// The orders `org` supplied (requests it approved, assignments it made), newest first,
    /// filtered and paged like `list`.
    #[uniffi::method(default(filter = None, cursor = None, limit = None))]
    pub fn supplied_orders(
        &self,
        org: OrgId,
        filter: Option<InventoryFilter>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrderPage> {
        self.orders_on(core::OrderList::Supplied, org, filter, cursor, limit)
    }

    /// An organization, if the acting user may see it (their branches; the vendor's admins see
    /// all).
    pub fn organization(&self, org: OrgId) -> Result<Organization> {
        guard(|| Ok(self.0.organization(org.into())?.into()))
    }

    /// The organizations directly below `org`, in name order.
    #[uniffi::method(default(cursor = None, limit = None))]
    pub fn child_orgs(
        &self,
        org: OrgId,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrgPage> {
        guard(|| {
            let cursor = name_cursor(cursor)?;
            Ok(self
                .0
                .child_orgs(org.into(), cursor, page_size(limit))?
                .into())
        })
    }

    /// `org` and those below it down to `maxDepth` levels (0: itself; at most and by default
    /// 16), each with its depth: level by level, each level in name order.
    #[uniffi::method(default(max_depth = None, cursor = None, limit = None))]
    pub fn subtree(
        &self,
        org: OrgId,
        max_depth: Option<u32>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrgTreePage> {
        guard(|| {
            let cursor = name_cursor(cursor)?;
            let depth = max_depth.unwrap_or(core::MAX_SUBTREE_DEPTH);
            Ok(self
                .0
                .subtree(org.into(), depth, cursor, page_size(limit))?
                .into())
        })
    }

    /// The organizations the acting user may see whose name starts with `prefix`
    /// (case-insensitive; empty: all of them), in name order.
    #[uniffi::method(default(prefix = "", cursor = None, limit = None))]
    pub fn search_orgs(
        &self,
        prefix: String,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrgPage> {
        guard(|| {
            let cursor = name_cursor(cursor)?;
            Ok(self
                .0
                .search_orgs(&prefix, cursor, page_size(limit))?
                .into())
        })
    }

    /// A user, if the acting user may see them (themselves, and the admins of the
    /// organizations they see).
    pub fn find_user(&self, user: UserId) -> Result<User> {
        guard(|| Ok(self.0.find_user(user.into())?.into()))
    }

    /// The users the acting user may see whose name or email starts with `prefix`
    /// (case-insensitive; empty: all of them), in name order.
    #[uniffi::method(default(prefix = "", cursor = None, limit = None))]
    pub fn search_users(
        &self,
        prefix: String,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<UserPage> {
        guard(|| {
            let cursor = name_cursor(cursor)?;
            Ok(self
                .0
                .search_users(&prefix, cursor, page_size(limit))?
                .into())
        })
    }

    /// The admins of `org`, in name order.
    pub fn org_admins(&self, org: OrgId) -> Result<Vec<User>> {
        guard(|| {
            Ok(self
                .0
                .org_admins(org.into())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// The admin roles of `user` the acting user may see, in organization-name order: what a
    /// Role menu offers.
    pub fn roles_of(&self, user: UserId) -> Result<Vec<Role>> {
        guard(|| {
            Ok(self
                .0
                .roles_of(user.into())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// The tenant's products, in name order.
    #[uniffi::method(default(cursor = None, limit = None))]
    pub fn products(&self, cursor: Option<String>, limit: Option<u32>) -> Result<ProductPage> {
        guard(|| {
            let cursor = name_cursor(cursor)?;
            Ok(self.0.products(cursor, page_size(limit))?.into())
        })
    }

    /// A product of the tenant.
    pub fn product(&self, product: ProductId) -> Result<Product> {
        guard(|| Ok(self.0.product(product.into())?.into()))
    }

    /// The tenant's bundles, in name order.
    #[uniffi::method(default(cursor = None, limit = None))]
    pub fn bundles(&self, cursor: Option<String>, limit: Option<u32>) -> Result<BundlePage> {
        guard(|| {
            let cursor = name_cursor(cursor)?;
            Ok(self.0.bundles(cursor, page_size(limit))?.into())
        })
    }

    /// A bundle of the tenant.
    pub fn bundle(&self, bundle: BundleId) -> Result<Bundle> {
        guard(|| Ok(self.0.bundle(bundle.into())?.into()))
    }

    /// The summary of `org`: per product, units held and available, its pending requests, and
    /// the requests addressed to it awaiting approval.
    pub fn summary(&self, org: OrgId) -> Result<Vec<SummaryLine>> {
        guard(|| {
            Ok(self
                .0
                .summary(org.into())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// "Detail of Inventory Use" of an order: the order and its outgoing draws.
    pub fn detail_of_use(&self, order: OrderId) -> Result<InventoryUse> {
        guard(|| Ok(self.0.detail_of_use(order.into())?.into()))
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
    pub fn edit_metadata(
        &self,
        order: OrderId,
        reference: Option<String>,
        campaign: Option<HashMap<String, String>>,
        download_id: Option<String>,
        is_test: Option<bool>,
        is_trial: Option<bool>,
    ) -> Result<Order> {
        guard(|| {
            let edit = core::MetadataEdit {
                reference,
                campaign: campaign.map(|c| c.into_iter().collect()),
                download_id,
                is_test,
                is_trial,
            };
            Ok(self.0.edit_metadata(order.into(), edit)?.into())
        })
    }

    /// Adds or replaces an order's customer; `nil` removes it. Admins of the holder.
    pub fn set_customer(&self, order: OrderId, customer: Option<Customer>) -> Result<Order> {
        guard(|| {
            Ok(self
                .0
                .set_customer(order.into(), customer.map(Into::into))?
                .into())
        })
    }

    /// Issues `quantity` licenses (or activation codes) from an order, all at once or not at
    /// all. Admins of the holder, or managers with `issueLicense` (enterprise plan).
    pub fn issue(&self, order: OrderId, quantity: u64) -> Result<Vec<License>> {
        guard(|| {
            let licenses = self.0.issue(order.into(), quantity)?;
            Ok(licenses.into_iter().map(Into::into).collect())
        })
    }

    /// Adds licenses with existing `keys` (from another system, in the vendor's own format) to
    /// an order, like `issue` of as many: all or nothing. A malformed key throws
    /// `InvalidInput`, a repeated or existing one `Conflict`, each naming it by its position
    /// and first symbols. The licenses are marked `imported`.
    pub fn import_licenses(&self, order: OrderId, keys: Vec<String>) -> Result<Vec<License>> {
        guard(|| {
            let licenses = self.0.import_licenses(order.into(), &keys)?;
            Ok(licenses.into_iter().map(Into::into).collect())
        })
    }

    /// `importLicenses` of the keys of the CSV file at `path`, in an order export's layout (its
    /// `license_key` column; rows without a key are skipped), as `exportOrderCsv` writes it.
    pub fn import_licenses_csv(&self, order: OrderId, path: String) -> Result<Vec<License>> {
        guard(|| {
            let licenses = self.0.import_licenses_csv_from_path(order.into(), &path)?;
            Ok(licenses.into_iter().map(Into::into).collect())
        })
    }

    /// Issues `quantity` licenses like `issue`, without returning them: they are made and
    /// stored in chunks, so a million takes the memory of one chunk. Returns the order and the
    /// new licenses' id range; read them with `licenses`.
    pub fn issue_in_bulk(&self, order: OrderId, quantity: u64) -> Result<Issued> {
        guard(|| Ok(self.0.issue_in_bulk(order.into(), quantity)?.into()))
    }

    /// Up to `limit` (1 to 1000; `nil`: the core's default page) licenses of an order, by id,
    /// after the license `after` (pass the last id of a page for the next one).
    #[uniffi::method(default(after = None, limit = None))]
    pub fn licenses(
        &self,
        order: OrderId,
        after: Option<LicenseId>,
        limit: Option<u32>,
    ) -> Result<Vec<License>> {
        guard(|| {
            let licenses =
                self.0
                    .licenses(order.into(), after.map(Into::into), page_size(limit))?;
            Ok(licenses.into_iter().map(Into::into).collect())
        })
    }

    /// A license by its key, if the actor may see its order.
    pub fn license(&self, key: String) -> Result<License> {
        guard(|| Ok(self.0.license(&key)?.into()))
    }

    /// Removes one device from a license. Admins of the holder, or managers with
    /// `resetDevice`.
    pub fn reset_device(&self, license: LicenseId, fingerprint: String) -> Result<License> {
        guard(|| Ok(self.0.reset_device(license.into(), &fingerprint)?.into()))
    }

    /// Removes every device from a license. Admins of the holder, or managers with
    /// `resetLicense`.
    pub fn reset_license(&self, license: LicenseId) -> Result<License> {
        guard(|| Ok(self.0.reset_license(license.into())?.into()))
    }

    /// Disables a license: it can no longer be activated or borrowed. Admins of the holder.
    pub fn disable(&self, license: LicenseId) -> Result<License> {
        guard(|| Ok(self.0.disable(license.into())?.into()))
    }

    /// Enables a disabled license again. Admins of the holder.
    pub fn enable(&self, license: LicenseId) -> Result<License> {
        guard(|| Ok(self.0.enable(license.into())?.into()))
    }

    /// Borrows a floating license for `borrower` for `seconds`, within the policy's limits
    /// (else `BorrowLimit`). Admins of the holder, or managers with `borrowLicense`.
    pub fn borrow(&self, license: LicenseId, borrower: String, seconds: u32) -> Result<License> {
        guard(|| Ok(self.0.borrow(license.into(), &borrower, seconds)?.into()))
    }

    /// Returns `borrower`'s borrow of a floating license. Admins of the holder, or managers
    /// with `borrowLicense`.
    pub fn return_borrow(&self, license: LicenseId, borrower: String) -> Result<License> {
        guard(|| Ok(self.0.return_borrow(license.into(), &borrower)?.into()))
    }

    /// Revokes an unused license: it is gone and its unit returns to its order, which is
    /// returned. A used license is `LicenseUnusable`. Admins of the holder.
    pub fn revoke(&self, license: LicenseId) -> Result<Order> {
        guard(|| Ok(self.0.revoke(license.into())?.into()))
    }

    /// Adds a license user to an order, with an initial `password` when given (kept only as an
    /// Argon2id hash). Admins of the holder, or managers with `manageLicenseUsers` (and
    /// `manageLicenseUserCredentials` for a password).
    #[uniffi::method(default(name = None, password = None))]
    pub fn add_license_user(
        &self,
        order: OrderId,
        email: String,
        name: Option<String>,
        password: Option<String>,
    ) -> Result<LicenseUser> {
        guard(|| {
            let new = core::NewLicenseUser {
                email,
                name,
                password,
            };
            Ok(self.0.add_license_user(order.into(), new)?.into())
        })
    }

    /// Changes a license user's email and/or name: `nil` leaves a field as it is, `name: ""`
    /// clears the name. Admins of the holder, or managers with `manageLicenseUsers`.
    #[uniffi::method(default(email = None, name = None))]
    pub fn edit_license_user(
        &self,
        license_user: LicenseUserId,
        email: Option<String>,
        name: Option<String>,
    ) -> Result<LicenseUser> {
        guard(|| {
            Ok(self
                .0
                .edit_license_user(license_user.into(), email, name)?
                .into())
        })
    }

    /// Deletes a license user (their licenses stay, unassigned). Admins of the holder, or
    /// managers with `manageLicenseUsers`.
    pub fn delete_license_user(&self, license_user: LicenseUserId) -> Result<()> {
        guard(|| Ok(self.0.delete_license_user(license_user.into())?))
    }

    /// Gives a license to a license user of the same order, or takes it back with `nil`.
    /// Admins of the holder, or managers with `manageLicenseUsers`.
    pub fn assign_license(
        &self,
        license: LicenseId,
        license_user: Option<LicenseUserId>,
    ) -> Result<License> {
        guard(|| {
            Ok(self
                .0
                .assign_license(license.into(), license_user.map(Into::into))?
                .into())
        })
    }

    /// Sets a license user's password (at least 8 characters; kept only as an Argon2id
    /// hash). Admins of the holder, or managers with `manageLicenseUserCredentials`.
    pub fn set_license_user_password(
        &self,
        license_user: LicenseUserId,
        password: String,
    ) -> Result<()> {
        guard(|| {
            Ok(self
                .0
                .set_license_user_password(license_user.into(), &password)?)
        })
    }

    /// The license users of an order.
    pub fn license_users(&self, order: OrderId) -> Result<Vec<LicenseUser>> {
        guard(|| {
            let users = self.0.license_users(order.into())?;
            Ok(users.into_iter().map(Into::into).collect())
        })
    }

    /// Makes `user` a license manager of an order with `permissions` (added to any they hold).
    /// Admins of the holder grant any permission; a manager with `manageManagers` only those
    /// it holds itself. `createOrder` and `issueLicense` need the enterprise plan (else
    /// `PlanRequired`).
    pub fn add_license_manager(
        &self,
        order: OrderId,
        user: UserId,
        permissions: Vec<Permission>,
    ) -> Result<LicenseManager> {
        guard(|| {
            let permissions: Vec<core::Permission> =
                permissions.into_iter().map(Into::into).collect();
            Ok(self
                .0
                .add_license_manager(order.into(), user.into(), &permissions)?
                .into())
        })
    }

    /// Replaces the permissions of `user`, a license manager of `order` (1 or more). A manager
    /// with `manageManagers` may only add or take away permissions it holds itself.
    pub fn set_license_manager_permissions(
        &self,
        order: OrderId,
        user: UserId,
        permissions: Vec<Permission>,
    ) -> Result<LicenseManager> {
        guard(|| {
            let permissions: Vec<core::Permission> =
                permissions.into_iter().map(Into::into).collect();
            Ok(self
                .0
                .set_license_manager_permissions(order.into(), user.into(), &permissions)?
                .into())
        })
    }

    /// Removes `user` as a license manager of `order`.
    pub fn remove_license_manager(&self, order: OrderId, user: UserId) -> Result<()> {
        guard(|| Ok(self.0.remove_license_manager(order.into(), user.into())?))
    }

    /// The license managers of an order.
    pub fn license_managers(&self, order: OrderId) -> Result<Vec<LicenseManager>> {
        guard(|| {
            let managers = self.0.license_managers(order.into())?;
            Ok(managers.into_iter().map(Into::into).collect())
        })
    }

    /// Requests a bundle for `holder` from its parent: one request per line of the bundle, the
    /// orders sharing one `bundle` id. Admins of the holder, or managers with
    /// `createBundleOrder` on one of its orders.
    #[uniffi::method(default(purchase_order = None, comments = None))]
    pub fn request_bundle(
        &self,
        holder: OrgId,
        bundle: BundleId,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> Result<Vec<Order>> {
        guard(|| {
            let orders =
                self.0
                    .request_bundle(holder.into(), bundle.into(), purchase_order, comments)?;
            Ok(orders.into_iter().map(Into::into).collect())
        })
    }

    /// Returns `quantity` unused units of an order to the orders they were drawn from.
    /// Admins of the holder.
    pub fn return_units(&self, order: OrderId, quantity: u64) -> Result<Order> {
        guard(|| Ok(self.0.return_units(order.into(), quantity)?.into()))
    }

    /// Deletes an order and every license in it, irreversibly; its unconsumed units return to
    /// its sources, its issued ones are retired. `OrderInUse` (naming them) while child orders
    /// drew from it. Admins of the holder.
    pub fn delete_order(&self, order: OrderId) -> Result<()> {
        guard(|| Ok(self.0.delete_order(order.into())?))
    }

    /// Writes an order as CSV to the file at `path`: a header of `orderColumns()`, then one
    /// row per license (one row with empty license columns when it has none), from one
    /// consistent snapshot, a page of licenses at a time. Returns the number of data rows.
    /// Atomic: written to a temporary file beside `path` and renamed over it once complete, so
    /// a refused or failed export (`Export` for a file that cannot be written) leaves `path` as
    /// it was.
    pub fn export_order_csv(&self, order: OrderId, path: String) -> Result<u64> {
        guard(|| Ok(self.0.export_order_csv_to_path(order.into(), path)?))
    }

    /// Writes an organization's inventory list as CSV to the file at `path`: a header of
    /// `inventoryColumns()`, then one row per order, newest first, filtered like `list`
    /// (`nil`: all). Returns the number of data rows. Atomic, like `exportOrderCsv`.
    #[uniffi::method(default(filter = None))]
    pub fn export_inventory_csv(
        &self,
        org: OrgId,
        path: String,
        filter: Option<InventoryFilter>,
    ) -> Result<u64> {
        guard(|| {
            let filter = core::InventoryFilter::from(filter.unwrap_or_default());
            Ok(self
                .0
                .export_inventory_csv_to_path(org.into(), &filter, path)?)
        })
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
