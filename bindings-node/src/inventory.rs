//! The two JS classes: `Inventory` (a store: provisioning, ledger, history, audit, notification
//! outbox, clock) and `Session` (a user acting on it). Handles over the core's types that only
//! convert and delegate; every method that touches the store returns a Promise and runs on the
//! libuv thread pool.

use std::sync::Arc;

use license_inventory as li;
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, External, ExternalRef, Object, ToNapiValue, TypeName};
use napi_derive::napi;

use crate::chunks::{CsvChunks, LicenseChunks};
use crate::convert::{
    BatchResult, BundlePage, Date, OrderPage, OrgPage, OrgTreePage, ProductPage, UserPage, id, num,
    opt_id, to_u32, to_u64, to_usize,
};
use crate::error::{Failure, closed, throw_core};
use crate::inputs::{
    ApproveOptions, BatchCommandFields, InventoryFilter, LedgerFilter, LedgerOptions,
    LicenseListOptions, LicenseUserEdit, ListOptions, MetadataEdit, NewAssignment, NewBundle,
    NewBundleRequest, NewLicenseUser, NewMint, NewOrganization, NewProduct, NewRequest, NewTenant,
    NewUser, PageOptions, PostgresOptions, RejectOptions, RequestEdit, SqliteOptions,
    batch_commands,
};
use crate::lifetime::{Closed, Lifetime, Slot};
use crate::records::{
    Audit, Bundle, Checkpoint, Customer, Holding, InventoryUse, Issued, LedgerEntry, License,
    LicenseManager, LicensePolicy, LicenseUser, Notification, Order, OrderDetails, OrderFigures,
    Organization, Permission, Plan, Product, Role, SummaryLine, Tenant, User,
};
use crate::task::{Finish, Op, fail, itself, opaque, run, run_with, sync};

/// The columns of `exportOrderCsv`, in order: the order's and customer's columns, then the
/// license's (`order_number`, …, `license_key`, …, `expires_at`).
#[napi]
#[cfg_attr(test, allow(dead_code))] // napi registers it only outside `cargo test`
pub const ORDER_COLUMNS: [&str; 32] = li::ORDER_COLUMNS;

/// The columns of `exportInventoryCsv`, in order (`order_number`, `inventory_type`, …).
#[napi]
#[cfg_attr(test, allow(dead_code))]
pub const INVENTORY_COLUMNS: [&str; 12] = li::INVENTORY_COLUMNS;

/// A license inventory over one store (in memory, an SQLite file or a PostgreSQL database).
///
/// Open one with `Inventory.inMemory()`, `Inventory.openSqlite(path)` or
/// `Inventory.openPostgres(url)`. It provisions tenants, organizations, users and products (the
/// host application's job), reads the ledger and audits; everything a user does goes through
/// `session(tenantId, userId)`.
#[napi]
pub struct Inventory {
    inner: Arc<Slot<li::Inventory>>,
    clock: Arc<li::ManualClock>,
}

impl Inventory {
    fn over(store: li::Inventory) -> Self {
        let clock = Arc::new(li::ManualClock::default());
        Inventory {
            inner: Lifetime::new().slot(store.with_clock(clock.clone())),
            clock,
        }
    }

    /// Runs `work` on the libuv pool with a clone of the core handle (cheap: it is
    /// reference-counted); after `close()`, a task that rejects with `CLOSED`.
    fn run<T, F>(&self, work: F) -> AsyncTask<Op<T>>
    where
        T: ToNapiValue + TypeName + Send + 'static,
        F: FnOnce(li::Inventory) -> li::Result<T> + Send + 'static,
    {
        match self.inner.enter() {
            Ok((inv, in_flight)) => run_with(
                move || {
                    let _in_flight = in_flight;
                    work(inv)
                },
                itself,
            ),
            Err(Closed) => fail(Failure::Closed, itself),
        }
    }

    /// The core handle for a synchronous call; `CLOSED` after `close()`.
    fn now(&self, env: &Env) -> napi::Result<li::Inventory> {
        self.inner
            .enter()
            .map(|(inv, _)| inv)
            .map_err(|Closed| closed(env))
    }
}

#[napi]
impl Inventory {
    /// Opens an inventory held in memory (nothing is persisted).
    #[napi(ts_return_type = "Promise<Inventory>")]
    pub fn in_memory() -> AsyncTask<Op<Inventory>> {
        run(|| Ok(Inventory::over(li::Inventory::in_memory())))
    }

    /// Opens (creating and migrating as needed) an inventory in the SQLite file at `path`.
    /// Options left out keep the core's defaults (`synchronous: 'full'`, a 30 s busy timeout,
    /// `migrate: true`).
    #[napi(ts_return_type = "Promise<Inventory>")]
    pub fn open_sqlite(path: String, options: Option<SqliteOptions>) -> AsyncTask<Op<Inventory>> {
        run(move || {
            let options = options
                .map(SqliteOptions::into_core)
                .transpose()?
                .unwrap_or_default();
            let store = li::SqliteStore::open_with(path, options)?;
            Ok(Inventory::over(li::Inventory::new(store)))
        })
    }

    /// Connects to the PostgreSQL database at `url` (a libpq URL, `postgres://user@host/db`, or
    /// key/value string, `host=/run/postgresql dbname=x`), creating and migrating the schema as
    /// needed; shared safely by any number of processes and machines. Connecting runs off the
    /// event loop. Options left out keep the core's defaults. A malformed `url` rejects with
    /// `INVALID_INPUT`, an unreachable database with `STORAGE`.
    #[napi(ts_return_type = "Promise<Inventory>")]
    pub fn open_postgres(
        url: String,
        options: Option<PostgresOptions>,
    ) -> AsyncTask<Op<Inventory>> {
        run(move || {
            let options = options
                .map(PostgresOptions::into_core)
                .transpose()?
                .unwrap_or_default();
            let store = li::PostgresStore::connect_with(&url, options)?;
            Ok(Inventory::over(li::Inventory::new(store)))
        })
    }

    /// Closes the inventory: every later call on it, on the inventories `withIdempotencyKey`
    /// made from it and on their sessions rejects with `CLOSED` (synchronous ones throw it).
    /// Calls already in flight finish normally; the Promise resolves once they have, and
    /// the store's connections and files are released (an SQLite file can then be removed or
    /// opened again). Closing a closed inventory does nothing. Also `[Symbol.asyncDispose]`,
    /// so `await using inv = await Inventory.openSqlite(path)` closes it at the end of the
    /// block.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        let lifetime = self.inner.lifetime().clone();
        let handles = lifetime.close();
        let (deferred, promise) = env.create_deferred::<(), fn(Env) -> napi::Result<()>>()?;
        // Dropping the handles may close connections: off the event loop, and off the libuv
        // pool, which the calls in flight may still need.
        std::thread::Builder::new()
            .name("license-inventory-close".into())
            .spawn(move || {
                drop(handles);
                lifetime.wait_idle();
                deferred.resolve(|_| Ok(()));
            })
            .map_err(|err| napi::Error::from_reason(format!("cannot close: {err}")))?;
        Ok(promise)
    }

    /// Pins the clock the inventory stamps its changes with to `at`; `null` follows the system
    /// clock again. For replays, imports and tests. An Invalid Date throws `INVALID_INPUT`
    /// (and leaves the clock as it was).
    #[napi]
    pub fn set_time(&self, env: Env, at: Option<Date>) -> napi::Result<()> {
        self.now(&env)?;
        let at = Date::opt(at, "at").map_err(|e| throw_core(&env, e))?;
        self.clock.set(at);
        Ok(())
    }

    /// The same inventory (same store, same clock: `setTime` on either applies to both), whose
    /// write commands are idempotent under `key`: 1 to 200 characters without control
    /// characters, unique per tenant, chosen by the caller (a UUID, a request id). Running a
    /// command through it twice resolves with the first result and changes nothing the second
    /// time; the key with a different command rejects with `CONFLICT`; a command that fails
    /// records nothing, so it can be retried with the key. Covers the tenant-scoped writes
    /// (provisioning within a tenant, policies, bundles, activation, redemption, notifications;
    /// sessions opened from it carry the key too); `createTenant` is not keyed. Synchronous (no
    /// storage I/O); a bad key throws `INVALID_INPUT`.
    #[napi]
    pub fn with_idempotency_key(&self, env: Env, key: String) -> napi::Result<Inventory> {
        let inv = self.now(&env)?;
        let keyed = sync(&env, || inv.with_idempotency_key(&key))?;
        Ok(Inventory {
            inner: self.inner.lifetime().slot(keyed),
            clock: self.clock.clone(),
        })
    }

    /// Creates a tenant and its vendor (root) organization.
    #[napi(ts_return_type = "Promise<Tenant>")]
    pub fn create_tenant(&self, tenant: NewTenant) -> AsyncTask<Op<Tenant>> {
        self.run(move |inv| Ok(inv.create_tenant(tenant.into_core()?)?.into()))
    }

    /// Reads a tenant.
    #[napi(ts_return_type = "Promise<Tenant>")]
    pub fn tenant(&self, tenant_id: String) -> AsyncTask<Op<Tenant>> {
        self.run(move |inv| Ok(inv.tenant(id(&tenant_id)?)?.into()))
    }

    /// Every tenant in the store, oldest first (to find one again in a reopened store).
    #[napi(ts_return_type = "Promise<Array<Tenant>>")]
    pub fn tenants(&self) -> AsyncTask<Op<Vec<Tenant>>> {
        self.run(move |inv| Ok(inv.tenants()?.into_iter().map(Into::into).collect()))
    }

    /// Creates an organization under a parent of a strictly higher tier.
    #[napi(ts_return_type = "Promise<Organization>")]
    pub fn create_org(
        &self,
        tenant_id: String,
        org: NewOrganization,
    ) -> AsyncTask<Op<Organization>> {
        self.run(move |inv| Ok(inv.create_org(id(&tenant_id)?, org.into_core()?)?.into()))
    }

    /// Reads an organization.
    #[napi(ts_return_type = "Promise<Organization>")]
    pub fn org(&self, tenant_id: String, org_id: String) -> AsyncTask<Op<Organization>> {
        self.run(move |inv| Ok(inv.org(id(&tenant_id)?, id(&org_id)?)?.into()))
    }

    /// Deactivates an organization: it keeps its inventory but can no longer request, approve
    /// or be assigned.
    #[napi(ts_return_type = "Promise<Organization>")]
    pub fn deactivate_org(&self, tenant_id: String, org_id: String) -> AsyncTask<Op<Organization>> {
        self.run(move |inv| Ok(inv.deactivate_org(id(&tenant_id)?, id(&org_id)?)?.into()))
    }

    /// Creates a user (email unique within the tenant).
    #[napi(ts_return_type = "Promise<User>")]
    pub fn create_user(&self, tenant_id: String, user: NewUser) -> AsyncTask<Op<User>> {
        self.run(move |inv| Ok(inv.create_user(id(&tenant_id)?, user.into())?.into()))
    }

    /// Reads a user.
    #[napi(ts_return_type = "Promise<User>")]
    pub fn user(&self, tenant_id: String, user_id: String) -> AsyncTask<Op<User>> {
        self.run(move |inv| Ok(inv.user(id(&tenant_id)?, id(&user_id)?)?.into()))
    }

    /// Makes a user an admin of an organization.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn grant_admin(
        &self,
        tenant_id: String,
        user_id: String,
        org_id: String,
    ) -> AsyncTask<Op<()>> {
        self.run(move |inv| inv.grant_admin(id(&tenant_id)?, id(&user_id)?, id(&org_id)?))
    }

    /// Takes a user's admin role over an organization away (nothing happens if they do not
    /// hold it); removing the vendor organization's last admin is refused
    /// (`HIERARCHY_VIOLATION`).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn revoke_admin(
        &self,
        tenant_id: String,
        user_id: String,
        org_id: String,
    ) -> AsyncTask<Op<()>> {
        self.run(move |inv| inv.revoke_admin(id(&tenant_id)?, id(&user_id)?, id(&org_id)?))
    }

    /// Reactivates a deactivated organization (its parent must be active).
    #[napi(ts_return_type = "Promise<Organization>")]
    pub fn reactivate_org(&self, tenant_id: String, org_id: String) -> AsyncTask<Op<Organization>> {
        self.run(move |inv| Ok(inv.reactivate_org(id(&tenant_id)?, id(&org_id)?)?.into()))
    }

    /// Deactivates a user: their roles and permissions stay on record but give them nothing
    /// until `reactivateUser`. The vendor organization keeps an active admin.
    #[napi(ts_return_type = "Promise<User>")]
    pub fn deactivate_user(&self, tenant_id: String, user_id: String) -> AsyncTask<Op<User>> {
        self.run(move |inv| Ok(inv.deactivate_user(id(&tenant_id)?, id(&user_id)?)?.into()))
    }

    /// Reactivates a deactivated user.
    #[napi(ts_return_type = "Promise<User>")]
    pub fn reactivate_user(&self, tenant_id: String, user_id: String) -> AsyncTask<Op<User>> {
        self.run(move |inv| Ok(inv.reactivate_user(id(&tenant_id)?, id(&user_id)?)?.into()))
    }

    /// Changes the tenant's plan. On a downgrade, enterprise-only permissions already granted
    /// stay on record but are not honoured (`PLAN_REQUIRED`) until an upgrade.
    #[napi(ts_return_type = "Promise<Tenant>")]
    pub fn change_plan(&self, tenant_id: String, plan: Plan) -> AsyncTask<Op<Tenant>> {
        self.run(move |inv| Ok(inv.change_plan(id(&tenant_id)?, plan.into())?.into()))
    }

    /// Renames a product.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn rename_product(
        &self,
        tenant_id: String,
        product_id: String,
        name: String,
    ) -> AsyncTask<Op<Product>> {
        self.run(move |inv| {
            Ok(inv
                .rename_product(id(&tenant_id)?, id(&product_id)?, &name)?
                .into())
        })
    }

    /// Retires a product: no new requests, assignments, mints or bundles of it
    /// (`INVALID_INPUT`); existing orders are untouched.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn retire_product(&self, tenant_id: String, product_id: String) -> AsyncTask<Op<Product>> {
        self.run(move |inv| {
            Ok(inv
                .retire_product(id(&tenant_id)?, id(&product_id)?)?
                .into())
        })
    }

    /// Defines a product (inventory type), with the policy of its licenses when given, in
    /// one transaction.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn create_product(&self, tenant_id: String, product: NewProduct) -> AsyncTask<Op<Product>> {
        self.run(move |inv| {
            let tenant = id(&tenant_id)?;
            let product = match product.into_core()? {
                (new, Some(policy)) => inv.create_product_with_policy(tenant, new, policy)?,
                (new, None) => inv.create_product(tenant, new)?,
            };
            Ok(product.into())
        })
    }

    /// Sets the policy of the licenses issued for a product from now on (issued licenses keep
    /// theirs).
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn set_product_policy(
        &self,
        tenant_id: String,
        product_id: String,
        policy: LicensePolicy,
    ) -> AsyncTask<Op<Product>> {
        self.run(move |inv| {
            let product =
                inv.set_product_policy(id(&tenant_id)?, id(&product_id)?, policy.into_core()?)?;
            Ok(product.into())
        })
    }

    /// Defines a bundle: a named set of (product, quantity) lines.
    #[napi(ts_return_type = "Promise<Bundle>")]
    pub fn create_bundle(&self, tenant_id: String, bundle: NewBundle) -> AsyncTask<Op<Bundle>> {
        self.run(move |inv| {
            Ok(inv
                .create_bundle(id(&tenant_id)?, bundle.into_core()?)?
                .into())
        })
    }

    /// Reads a bundle.
    #[napi(ts_return_type = "Promise<Bundle>")]
    pub fn bundle(&self, tenant_id: String, bundle_id: String) -> AsyncTask<Op<Bundle>> {
        self.run(move |inv| Ok(inv.bundle(id(&tenant_id)?, id(&bundle_id)?)?.into()))
    }

    /// An end user activates a license on a device, with the key alone (no session). A
    /// mistyped key rejects with `MISTYPED_KEY` before any lookup; a device past the policy's
    /// maximum with `ACTIVATION_LIMIT`; activating an activated device changes nothing.
    #[napi(ts_return_type = "Promise<License>")]
    pub fn activate(
        &self,
        tenant_id: String,
        key: String,
        fingerprint: String,
        device_name: String,
    ) -> AsyncTask<Op<License>> {
        self.run(move |inv| {
            let license = inv.activate(id(&tenant_id)?, &key, &fingerprint, &device_name)?;
            Ok(license.into())
        })
    }

    /// An end user deactivates a license on one of its devices, with the key alone.
    #[napi(ts_return_type = "Promise<License>")]
    pub fn deactivate(
        &self,
        tenant_id: String,
        key: String,
        fingerprint: String,
    ) -> AsyncTask<Op<License>> {
        self.run(move |inv| Ok(inv.deactivate(id(&tenant_id)?, &key, &fingerprint)?.into()))
    }

    /// An end user redeems an activation code, once; `redeemedBy` names who (an email or a
    /// device). A second redemption rejects with `LICENSE_UNUSABLE`.
    #[napi(ts_return_type = "Promise<License>")]
    pub fn redeem(
        &self,
        tenant_id: String,
        code: String,
        redeemed_by: String,
    ) -> AsyncTask<Op<License>> {
        self.run(move |inv| Ok(inv.redeem(id(&tenant_id)?, &code, &redeemed_by)?.into()))
    }

    /// Checks a key as an application would at start-up: the license, if it exists and is
    /// neither disabled nor expired (else `LICENSE_UNUSABLE`).
    #[napi(ts_return_type = "Promise<License>")]
    pub fn check_license(&self, tenant_id: String, key: String) -> AsyncTask<Op<License>> {
        self.run(move |inv| Ok(inv.check_license(id(&tenant_id)?, &key)?.into()))
    }

    /// True when `password` is the license user's password (checked against its Argon2id
    /// hash, off the event loop).
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn verify_license_user_password(
        &self,
        tenant_id: String,
        license_user_id: String,
        password: String,
    ) -> AsyncTask<Op<bool>> {
        self.run(move |inv| {
            inv.verify_license_user_password(id(&tenant_id)?, id(&license_user_id)?, &password)
        })
    }

    /// Reads a product.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn product(&self, tenant_id: String, product_id: String) -> AsyncTask<Op<Product>> {
        self.run(move |inv| Ok(inv.product(id(&tenant_id)?, id(&product_id)?)?.into()))
    }

    /// Reads a product by its code.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn product_by_code(&self, tenant_id: String, code: String) -> AsyncTask<Op<Product>> {
        self.run(move |inv| Ok(inv.product_by_code(id(&tenant_id)?, &code)?.into()))
    }

    /// A session acting as `userId`: every action is checked against the user's roles.
    #[napi(ts_return_type = "Promise<Session>")]
    pub fn session(&self, tenant_id: String, user_id: String) -> AsyncTask<Op<Session>> {
        let lifetime = self.inner.lifetime().clone();
        self.run(move |inv| {
            let session = inv.session(id(&tenant_id)?, id(&user_id)?)?;
            Ok(Session::over(&lifetime, session))
        })
    }

    /// Ledger entries of the tenant, oldest first, after sequence number `after` (default 0),
    /// `limit` per call (default 100).
    #[napi(ts_return_type = "Promise<Array<LedgerEntry>>")]
    pub fn ledger(
        &self,
        tenant_id: String,
        options: Option<LedgerOptions>,
    ) -> AsyncTask<Op<Vec<LedgerEntry>>> {
        self.run(move |inv| {
            let (after, limit) = match options {
                Some(o) => o.into_core()?,
                None => (0, li::DEFAULT_PAGE),
            };
            let entries = inv.ledger(id(&tenant_id)?, after, limit)?;
            Ok(entries.into_iter().map(Into::into).collect())
        })
    }

    /// Ledger entries of the tenant that match `filter` (every filter given: an order, an
    /// organization, `from` inclusive, `to` exclusive; everything when left out), oldest first,
    /// after sequence number `after` (default 0), `limit` per call (1 to 1000; default 100).
    /// Pass the last entry's `seq` as `after` for the next page. Scans the ledger from `after`.
    #[napi(ts_return_type = "Promise<Array<LedgerEntry>>")]
    pub fn ledger_matching(
        &self,
        tenant_id: String,
        filter: Option<LedgerFilter>,
        options: Option<LedgerOptions>,
    ) -> AsyncTask<Op<Vec<LedgerEntry>>> {
        self.run(move |inv| {
            let filter = match filter {
                Some(f) => f.into_core()?,
                None => li::LedgerFilter::default(),
            };
            let (after, limit) = match options {
                Some(o) => o.into_core()?,
                None => (0, li::DEFAULT_PAGE),
            };
            let entries = inv.ledger_matching(id(&tenant_id)?, &filter, after, limit)?;
            Ok(entries.into_iter().map(Into::into).collect())
        })
    }

    /// Forgets the tenant's idempotency keys recorded before `before` and resolves with how
    /// many. A pruned key's retry runs its command again: prune only keys older than any retry
    /// a client may still make.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn prune_idempotency_keys(&self, tenant_id: String, before: Date) -> AsyncTask<Op<f64>> {
        self.run(move |inv| {
            let before = before.to_core("before")?;
            Ok(num(inv.prune_idempotency_keys(id(&tenant_id)?, before)?))
        })
    }

    /// An order's quantities as they were at `at` (changes recorded at or before it), rebuilt
    /// from the ledger; deleted orders too. An order with no movement by then (a pending
    /// request, or one made later) has every quantity 0; an order never seen rejects with
    /// `NOT_FOUND`.
    #[napi(ts_return_type = "Promise<OrderFigures>")]
    pub fn order_at(
        &self,
        tenant_id: String,
        order_id: String,
        at: Date,
    ) -> AsyncTask<Op<OrderFigures>> {
        self.run(move |inv| {
            let at = at.to_core("at")?;
            Ok(inv.order_at(id(&tenant_id)?, id(&order_id)?, at)?.into())
        })
    }

    /// What an organization held at `at`, per product (sorted by product id), rebuilt from the
    /// ledger like `orderAt`. Products it held nothing of then are absent.
    #[napi(ts_return_type = "Promise<Array<Holding>>")]
    pub fn holdings_at(
        &self,
        tenant_id: String,
        org_id: String,
        at: Date,
    ) -> AsyncTask<Op<Vec<Holding>>> {
        self.run(move |inv| {
            let at = at.to_core("at")?;
            let holdings = inv.holdings_at(id(&tenant_id)?, id(&org_id)?, at)?;
            Ok(holdings.into_iter().map(Into::into).collect())
        })
    }

    /// Checks a whole tenant: conservation, the ledger's hash chain, and that replaying the
    /// ledger rebuilds every order.
    #[napi(ts_return_type = "Promise<Audit>")]
    pub fn audit(&self, tenant_id: String) -> AsyncTask<Op<Audit>> {
        self.run(move |inv| Ok(inv.audit(id(&tenant_id)?)?.into()))
    }

    /// Signs the tenant's ledger head with `signingKey` (64 hex digits: the 32 secret bytes of
    /// an Ed25519 key the host keeps outside the database; see `generateSigningKey`).
    #[napi(ts_return_type = "Promise<Checkpoint>")]
    pub fn checkpoint(&self, tenant_id: String, signing_key: String) -> AsyncTask<Op<Checkpoint>> {
        self.run(move |inv| {
            let key = li::signing_key_from_hex(&signing_key)?;
            Ok(inv.checkpoint(id(&tenant_id)?, &key)?.into())
        })
    }

    /// `audit`, plus a proof that the ledger still extends every checkpoint, each verified
    /// with `verifyingKey` (64 hex digits; see `verifyingKey`).
    #[napi(
        ts_args_type = "tenantId: string, checkpoints: Array<Checkpoint>, verifyingKey: string",
        ts_return_type = "Promise<Audit>"
    )]
    pub fn audit_against(
        &self,
        tenant_id: String,
        checkpoints: Vec<Checkpoint>,
        verifying_key: String,
    ) -> AsyncTask<Op<Audit>> {
        self.run(move |inv| {
            let key = li::verifying_key_from_hex(&verifying_key)?;
            let checkpoints = checkpoints
                .into_iter()
                .map(Checkpoint::into_core)
                .collect::<li::Result<Vec<_>>>()?;
            Ok(inv
                .audit_against(id(&tenant_id)?, &checkpoints, &key)?
                .into())
        })
    }

    /// Up to `limit` (1 to 1000; default 100) notifications of the tenant not yet marked sent,
    /// oldest first: what the host application should send now. Send them, then
    /// `markNotificationsSent`; a notification is returned again until marked (at-least-once
    /// delivery).
    #[napi(ts_return_type = "Promise<Array<Notification>>")]
    pub fn pending_notifications(
        &self,
        tenant_id: String,
        limit: Option<f64>,
    ) -> AsyncTask<Op<Vec<Notification>>> {
        self.run(move |inv| {
            let limit = limit
                .map(|l| to_usize("limit", l))
                .transpose()?
                .unwrap_or(li::DEFAULT_PAGE);
            let pending = inv.pending_notifications(id(&tenant_id)?, limit)?;
            Ok(pending.into_iter().map(Into::into).collect())
        })
    }

    /// Marks notifications sent, all or none: an id that is not a notification of this tenant
    /// rejects with `NOT_FOUND` (entity `'notification'`) and nothing is marked. Marking one
    /// already sent changes nothing (it keeps its first time). Resolves with how many were
    /// newly marked.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn mark_notifications_sent(
        &self,
        tenant_id: String,
        ids: Vec<String>,
    ) -> AsyncTask<Op<f64>> {
        self.run(move |inv| {
            let ids = ids
                .iter()
                .map(|s| id::<li::NotificationId>(s))
                .collect::<li::Result<Vec<_>>>()?;
            let marked = inv.mark_notifications_sent(id(&tenant_id)?, &ids)?;
            Ok(num(marked as u64))
        })
    }

    /// A notification by id, sent or not.
    #[napi(ts_return_type = "Promise<Notification>")]
    pub fn notification(
        &self,
        tenant_id: String,
        notification_id: String,
    ) -> AsyncTask<Op<Notification>> {
        self.run(move |inv| {
            Ok(inv
                .notification(id(&tenant_id)?, id(&notification_id)?)?
                .into())
        })
    }
}

/// A user acting on the inventory; get one with `inventory.session(tenantId, userId)`.
#[napi]
pub struct Session {
    inner: Arc<Slot<li::Session>>,
    user: li::UserId,
    tenant: li::TenantId,
}

impl Session {
    fn over(lifetime: &Arc<Lifetime>, session: li::Session) -> Self {
        Session {
            user: session.user(),
            tenant: session.tenant(),
            inner: lifetime.slot(session),
        }
    }

    /// Runs `work` on the libuv pool with a clone of the core session; after the
    /// inventory's `close()`, a task that rejects with `CLOSED`.
    fn run<T, F>(&self, work: F) -> AsyncTask<Op<T>>
    where
        T: ToNapiValue + TypeName + Send + 'static,
        F: FnOnce(li::Session) -> li::Result<T> + Send + 'static,
    {
        self.run_with(work, itself)
    }

    /// `run`, resolving with `finish` of the work's output.
    fn run_with<T, J, F>(&self, work: F, finish: Finish<T, J>) -> AsyncTask<Op<T, J>>
    where
        T: Send + 'static,
        J: ToNapiValue + TypeName,
        F: FnOnce(li::Session) -> li::Result<T> + Send + 'static,
    {
        match self.inner.enter() {
            Ok((s, in_flight)) => run_with(
                move || {
                    let _in_flight = in_flight;
                    work(s)
                },
                finish,
            ),
            Err(Closed) => fail(Failure::Closed, finish),
        }
    }

    /// One page of `list` of an organization, filtered.
    fn orders_on(
        &self,
        list: li::OrderList,
        org_id: String,
        options: Option<ListOptions>,
    ) -> AsyncTask<Op<OrderPage>> {
        self.run(move |s| {
            let (filter, cursor, limit) = match options {
                Some(o) => o.into_core()?,
                None => (li::InventoryFilter::default(), None, li::DEFAULT_PAGE),
            };
            Ok(s.list_of(list, id(&org_id)?, &filter, cursor, limit)?
                .into())
        })
    }
}

#[napi]
impl Session {
    /// The acting user's id (the core's `Session::user`).
    #[napi(getter)]
    pub fn user(&self) -> String {
        self.user.to_string()
    }

    /// The tenant's id (the core's `Session::tenant`).
    #[napi(getter)]
    pub fn tenant(&self) -> String {
        self.tenant.to_string()
    }

    /// The same session, whose write commands are idempotent under `key` (see
    /// `Inventory.withIdempotencyKey`): a retry with the key resolves with the first result
    /// and changes nothing; the key with another command, or by another user, rejects with
    /// `CONFLICT`. Use one key per command. Synchronous (no storage I/O); a bad key throws
    /// `INVALID_INPUT`.
    #[napi]
    pub fn with_idempotency_key(&self, env: Env, key: String) -> napi::Result<Session> {
        let (session, _) = self.inner.enter().map_err(|Closed| closed(&env))?;
        let keyed = sync(&env, || session.with_idempotency_key(&key))?;
        Ok(Session {
            inner: self.inner.lifetime().slot(keyed),
            user: self.user,
            tenant: self.tenant,
        })
    }

    /// Mints new stock into an order held by the vendor (vendor admins only).
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn mint(&self, mint: NewMint) -> AsyncTask<Op<Order>> {
        self.run(move |s| Ok(s.mint(mint.into_core()?)?.into()))
    }

    /// Requests units for `holder` from its parent organization.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn request(&self, request: NewRequest) -> AsyncTask<Op<Order>> {
        self.run(move |s| Ok(s.request(request.into_core()?)?.into()))
    }

    /// Edits a pending request.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn edit_request(&self, order_id: String, edit: RequestEdit) -> AsyncTask<Op<Order>> {
        self.run(move |s| Ok(s.edit_request(id(&order_id)?, edit.into_core()?)?.into()))
    }

    /// Cancels (withdraws) a pending request.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn cancel(&self, order_id: String) -> AsyncTask<Op<Order>> {
        self.run(move |s| Ok(s.cancel(id(&order_id)?)?.into()))
    }

    /// Approves a request addressed to the actor's organization, drawing the units from its
    /// stock (or minting them at the vendor).
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn approve(
        &self,
        order_id: String,
        options: Option<ApproveOptions>,
    ) -> AsyncTask<Op<Order>> {
        self.run(move |s| {
            let (quantity, comments) = match options {
                Some(o) => (
                    o.quantity.map(|q| to_u64("quantity", q)).transpose()?,
                    o.comments,
                ),
                None => (None, None),
            };
            Ok(s.approve(id(&order_id)?, quantity, comments)?.into())
        })
    }

    /// Rejects a request addressed to the actor's organization.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn reject(&self, order_id: String, options: Option<RejectOptions>) -> AsyncTask<Op<Order>> {
        self.run(move |s| {
            let comments = options.and_then(|o| o.comments);
            Ok(s.reject(id(&order_id)?, comments)?.into())
        })
    }

    /// Runs `commands` (1 to `MAX_BATCH`) in order in one transaction: all of them take
    /// effect, or, at the first that fails, none does and the batch rejects with that
    /// command's own error (the one it gives on its own: `INSUFFICIENT_INVENTORY`,
    /// `PERMISSION_DENIED`, …). Each command obeys exactly the rules of the session method of
    /// its `kind`, and later commands see the effects of earlier ones (approve a request made
    /// earlier in the batch, assign onwards units assigned earlier). Resolves with one result
    /// per command, in order, as its method resolves (see `BatchResult`): `{ kind: 'order',
    /// order }`, `{ kind: 'licenses', licenses }` for an issue, … . Through a keyed session
    /// (`withIdempotencyKey`) the whole batch is one command, its passwords included. A malformed command (a missing or unknown `kind`, a missing field, a field its
    /// kind does not take) rejects with `INVALID_INPUT` naming its index, and nothing runs.
    #[napi(
        ts_args_type = "commands: Array<BatchCommand>",
        ts_return_type = "Promise<Array<BatchResult>>"
    )]
    pub fn batch(&self, commands: Vec<BatchCommandFields>) -> AsyncTask<Op<Vec<BatchResult>>> {
        self.run(move |s| {
            let results = s.batch(&batch_commands(commands)?)?;
            Ok(results.into_iter().map(Into::into).collect())
        })
    }

    /// Assigns (pushes) units to a child organization: an order born active.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn assign(&self, assignment: NewAssignment) -> AsyncTask<Op<Order>> {
        self.run(move |s| Ok(s.assign(assignment.into_core()?)?.into()))
    }

    /// An order with its names ("Order Details").
    #[napi(ts_return_type = "Promise<OrderDetails>")]
    pub fn order(&self, order_id: String) -> AsyncTask<Op<OrderDetails>> {
        self.run(move |s| Ok(s.order(id(&order_id)?)?.into()))
    }

    /// An order by its number.
    #[napi(ts_return_type = "Promise<OrderDetails>")]
    pub fn order_by_number(&self, number: f64) -> AsyncTask<Op<OrderDetails>> {
        self.run(move |s| {
            let number = li::OrderNumber(to_u64("order number", number)?);
            Ok(s.order_by_number(number)?.into())
        })
    }

    /// The inventory list of an organization, newest first, one page at a time.
    #[napi(ts_return_type = "Promise<OrderPage>")]
    pub fn list(&self, org_id: String, options: Option<ListOptions>) -> AsyncTask<Op<OrderPage>> {
        self.orders_on(li::OrderList::Held, org_id, options)
    }

    /// The approval queue of an organization: the requests addressed to it that wait for its
    /// decision, newest first, filtered and paged like `list`. Its length is the summary's
    /// incoming requests.
    #[napi(ts_return_type = "Promise<OrderPage>")]
    pub fn approval_queue(
        &self,
        org_id: String,
        options: Option<ListOptions>,
    ) -> AsyncTask<Op<OrderPage>> {
        self.orders_on(li::OrderList::AwaitingDecision, org_id, options)
    }

    /// The orders an organization supplied (requests it approved, assignments it made), newest
    /// first, filtered and paged like `list`.
    #[napi(ts_return_type = "Promise<OrderPage>")]
    pub fn supplied_orders(
        &self,
        org_id: String,
        options: Option<ListOptions>,
    ) -> AsyncTask<Op<OrderPage>> {
        self.orders_on(li::OrderList::Supplied, org_id, options)
    }

    /// An organization, if the acting user may see it (their branches; the vendor's admins see
    /// all).
    #[napi(ts_return_type = "Promise<Organization>")]
    pub fn organization(&self, org_id: String) -> AsyncTask<Op<Organization>> {
        self.run(move |s| Ok(s.organization(id(&org_id)?)?.into()))
    }

    /// The organizations directly below an organization, in name order.
    #[napi(ts_return_type = "Promise<OrgPage>")]
    pub fn child_orgs(
        &self,
        org_id: String,
        options: Option<PageOptions>,
    ) -> AsyncTask<Op<OrgPage>> {
        self.run(move |s| {
            let (cursor, limit) = PageOptions::into_core(options)?;
            Ok(s.child_orgs(id(&org_id)?, cursor, limit)?.into())
        })
    }

    /// An organization and those below it down to `maxDepth` levels (0: itself; at most and by
    /// default 16), each with its depth: level by level, each level in name order.
    #[napi(ts_return_type = "Promise<OrgTreePage>")]
    pub fn subtree(
        &self,
        org_id: String,
        max_depth: Option<f64>,
        options: Option<PageOptions>,
    ) -> AsyncTask<Op<OrgTreePage>> {
        self.run(move |s| {
            let depth = max_depth
                .map(|d| to_u32("max depth", d))
                .transpose()?
                .unwrap_or(li::MAX_SUBTREE_DEPTH);
            let (cursor, limit) = PageOptions::into_core(options)?;
            Ok(s.subtree(id(&org_id)?, depth, cursor, limit)?.into())
        })
    }

    /// The organizations the acting user may see whose name starts with `prefix`
    /// (case-insensitive; empty or left out: all of them), in name order.
    #[napi(ts_return_type = "Promise<OrgPage>")]
    pub fn search_orgs(
        &self,
        prefix: Option<String>,
        options: Option<PageOptions>,
    ) -> AsyncTask<Op<OrgPage>> {
        self.run(move |s| {
            let (cursor, limit) = PageOptions::into_core(options)?;
            Ok(
                s.search_orgs(prefix.as_deref().unwrap_or(""), cursor, limit)?
                    .into(),
            )
        })
    }

    /// A user, if the acting user may see them (themselves, and the admins of the
    /// organizations they see).
    #[napi(ts_return_type = "Promise<User>")]
    pub fn find_user(&self, user_id: String) -> AsyncTask<Op<User>> {
        self.run(move |s| Ok(s.find_user(id(&user_id)?)?.into()))
    }

    /// The users the acting user may see whose name or email starts with `prefix`
    /// (case-insensitive; empty or left out: all of them), in name order.
    #[napi(ts_return_type = "Promise<UserPage>")]
    pub fn search_users(
        &self,
        prefix: Option<String>,
        options: Option<PageOptions>,
    ) -> AsyncTask<Op<UserPage>> {
        self.run(move |s| {
            let (cursor, limit) = PageOptions::into_core(options)?;
            Ok(
                s.search_users(prefix.as_deref().unwrap_or(""), cursor, limit)?
                    .into(),
            )
        })
    }

    /// The admins of an organization, in name order.
    #[napi(ts_return_type = "Promise<Array<User>>")]
    pub fn org_admins(&self, org_id: String) -> AsyncTask<Op<Vec<User>>> {
        self.run(move |s| {
            Ok(s.org_admins(id(&org_id)?)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// The admin roles of a user the acting user may see, in organization-name order: what a
    /// Role menu offers.
    #[napi(ts_return_type = "Promise<Array<Role>>")]
    pub fn roles_of(&self, user_id: String) -> AsyncTask<Op<Vec<Role>>> {
        self.run(move |s| {
            Ok(s.roles_of(id(&user_id)?)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// The tenant's products, in name order.
    #[napi(ts_return_type = "Promise<ProductPage>")]
    pub fn products(&self, options: Option<PageOptions>) -> AsyncTask<Op<ProductPage>> {
        self.run(move |s| {
            let (cursor, limit) = PageOptions::into_core(options)?;
            Ok(s.products(cursor, limit)?.into())
        })
    }

    /// A product of the tenant.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn product(&self, product_id: String) -> AsyncTask<Op<Product>> {
        self.run(move |s| Ok(s.product(id(&product_id)?)?.into()))
    }

    /// The tenant's bundles, in name order.
    #[napi(ts_return_type = "Promise<BundlePage>")]
    pub fn bundles(&self, options: Option<PageOptions>) -> AsyncTask<Op<BundlePage>> {
        self.run(move |s| {
            let (cursor, limit) = PageOptions::into_core(options)?;
            Ok(s.bundles(cursor, limit)?.into())
        })
    }

    /// A bundle of the tenant.
    #[napi(ts_return_type = "Promise<Bundle>")]
    pub fn bundle(&self, bundle_id: String) -> AsyncTask<Op<Bundle>> {
        self.run(move |s| Ok(s.bundle(id(&bundle_id)?)?.into()))
    }

    /// The summary of an organization, per product.
    #[napi(ts_return_type = "Promise<Array<SummaryLine>>")]
    pub fn summary(&self, org_id: String) -> AsyncTask<Op<Vec<SummaryLine>>> {
        self.run(move |s| {
            Ok(s.summary(id(&org_id)?)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// "Detail of Inventory Use" of an order: the order and its outgoing draws.
    #[napi(ts_return_type = "Promise<InventoryUse>")]
    pub fn detail_of_use(&self, order_id: String) -> AsyncTask<Op<InventoryUse>> {
        self.run(move |s| Ok(s.detail_of_use(id(&order_id)?)?.into()))
    }

    /// Edits an order's metadata (reference, campaign, download id, test and trial flags),
    /// also after approval. Admins of the holder.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn edit_metadata(&self, order_id: String, edit: MetadataEdit) -> AsyncTask<Op<Order>> {
        self.run(move |s| Ok(s.edit_metadata(id(&order_id)?, edit.into())?.into()))
    }

    /// Adds or replaces an order's customer; `null` removes it. Admins of the holder.
    #[napi(
        ts_args_type = "orderId: string, customer: Customer | null",
        ts_return_type = "Promise<Order>"
    )]
    pub fn set_customer(
        &self,
        order_id: String,
        customer: Option<Customer>,
    ) -> AsyncTask<Op<Order>> {
        self.run(move |s| {
            Ok(s.set_customer(
                id(&order_id)?,
                customer.map(Customer::into_core).transpose()?,
            )?
            .into())
        })
    }

    /// Issues `quantity` licenses (or activation codes) from an order, all at once or not at
    /// all. Admins of the holder, or managers with `issue_license`.
    ///
    /// The licenses are made and converted off the event loop, and `api.js` builds their JS
    /// objects a page at a time between turns of the event loop, so even 100,000 never hold
    /// it for more than a few milliseconds.
    #[napi(ts_return_type = "Promise<Array<License>>")]
    pub fn issue(
        &self,
        order_id: String,
        quantity: f64,
    ) -> AsyncTask<Op<LicenseChunks, ExternalRef<LicenseChunks>>> {
        self.run_with(
            move |s| {
                let licenses = s.issue(id(&order_id)?, to_u64("quantity", quantity)?)?;
                Ok(LicenseChunks::new(licenses))
            },
            opaque,
        )
    }

    /// Adds licenses with existing `keys` (from another system, in the vendor's own format) to
    /// an order, like `issue` of as many: all or nothing. A malformed key rejects with
    /// `INVALID_INPUT`, a repeated or existing one with `CONFLICT`, each naming it by its
    /// position and first symbols. The licenses are marked `imported`.
    #[napi(ts_return_type = "Promise<Array<License>>")]
    pub fn import_licenses(
        &self,
        order_id: String,
        keys: Vec<String>,
    ) -> AsyncTask<Op<LicenseChunks, ExternalRef<LicenseChunks>>> {
        self.run_with(
            move |s| {
                let licenses = s.import_licenses(id(&order_id)?, &keys)?;
                Ok(LicenseChunks::new(licenses))
            },
            opaque,
        )
    }

    /// `importLicenses` of the keys of the CSV file at `path`, in an order export's layout (its
    /// `license_key` column; rows without a key are skipped), as `exportOrderCsv` writes it.
    #[napi(ts_return_type = "Promise<Array<License>>")]
    pub fn import_licenses_csv(
        &self,
        order_id: String,
        path: String,
    ) -> AsyncTask<Op<LicenseChunks, ExternalRef<LicenseChunks>>> {
        self.run_with(
            move |s| {
                let licenses = s.import_licenses_csv_from_path(id(&order_id)?, &path)?;
                Ok(LicenseChunks::new(licenses))
            },
            opaque,
        )
    }

    /// Issues `quantity` licenses like `issue`, without returning them: they are made and
    /// stored in chunks, so a million takes the memory of one chunk. Resolves to the order and
    /// the new licenses' id range; read them with `licenses`.
    #[napi(ts_return_type = "Promise<Issued>")]
    pub fn issue_in_bulk(&self, order_id: String, quantity: f64) -> AsyncTask<Op<Issued>> {
        self.run(move |s| {
            Ok(
                s.issue_in_bulk(id(&order_id)?, to_u64("quantity", quantity)?)?
                    .into(),
            )
        })
    }

    /// The licenses of an order, by id, one page at a time: pass the last id of a page as
    /// `after` for the next one.
    #[napi(ts_return_type = "Promise<Array<License>>")]
    pub fn licenses(
        &self,
        order_id: String,
        options: Option<LicenseListOptions>,
    ) -> AsyncTask<Op<Vec<License>>> {
        self.run(move |s| {
            let (after, limit) = match options {
                Some(o) => o.into_core()?,
                None => (None, li::DEFAULT_PAGE),
            };
            let licenses = s.licenses(id(&order_id)?, after, limit)?;
            Ok(licenses.into_iter().map(Into::into).collect())
        })
    }

    /// A license by its key, if the actor may see its order.
    #[napi(ts_return_type = "Promise<License>")]
    pub fn license(&self, key: String) -> AsyncTask<Op<License>> {
        self.run(move |s| Ok(s.license(&key)?.into()))
    }

    /// Removes one device from a license. Admins of the holder, or managers with
    /// `reset_device`.
    #[napi(ts_return_type = "Promise<License>")]
    pub fn reset_device(&self, license_id: String, fingerprint: String) -> AsyncTask<Op<License>> {
        self.run(move |s| Ok(s.reset_device(id(&license_id)?, &fingerprint)?.into()))
    }

    /// Removes every device from a license. Admins of the holder, or managers with
    /// `reset_license`.
    #[napi(ts_return_type = "Promise<License>")]
    pub fn reset_license(&self, license_id: String) -> AsyncTask<Op<License>> {
        self.run(move |s| Ok(s.reset_license(id(&license_id)?)?.into()))
    }

    /// Disables a license: it can no longer be activated or borrowed. Admins of the holder.
    #[napi(ts_return_type = "Promise<License>")]
    pub fn disable(&self, license_id: String) -> AsyncTask<Op<License>> {
        self.run(move |s| Ok(s.disable(id(&license_id)?)?.into()))
    }

    /// Enables a disabled license again. Admins of the holder.
    #[napi(ts_return_type = "Promise<License>")]
    pub fn enable(&self, license_id: String) -> AsyncTask<Op<License>> {
        self.run(move |s| Ok(s.enable(id(&license_id)?)?.into()))
    }

    /// Borrows a floating license for `borrower` for `seconds`, within the policy's limits
    /// (else `BORROW_LIMIT`). Admins of the holder, or managers with `borrow_license`.
    #[napi(ts_return_type = "Promise<License>")]
    pub fn borrow(
        &self,
        license_id: String,
        borrower: String,
        seconds: f64,
    ) -> AsyncTask<Op<License>> {
        self.run(move |s| {
            let license = s.borrow(id(&license_id)?, &borrower, to_u32("seconds", seconds)?)?;
            Ok(license.into())
        })
    }

    /// Returns `borrower`'s borrow of a floating license. Admins of the holder, or managers
    /// with `borrow_license`.
    #[napi(ts_return_type = "Promise<License>")]
    pub fn return_borrow(&self, license_id: String, borrower: String) -> AsyncTask<Op<License>> {
        self.run(move |s| Ok(s.return_borrow(id(&license_id)?, &borrower)?.into()))
    }

    /// Revokes an unused license: it is gone and its unit returns to its order (resolved with
    /// the order). Admins of the holder.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn revoke(&self, license_id: String) -> AsyncTask<Op<Order>> {
        self.run(move |s| Ok(s.revoke(id(&license_id)?)?.into()))
    }

    /// Adds a license user to an order. Admins of the holder, or managers with
    /// `manage_license_users` (and `manage_license_user_credentials` for an initial password).
    #[napi(ts_return_type = "Promise<LicenseUser>")]
    pub fn add_license_user(
        &self,
        order_id: String,
        user: NewLicenseUser,
    ) -> AsyncTask<Op<LicenseUser>> {
        self.run(move |s| Ok(s.add_license_user(id(&order_id)?, user.into())?.into()))
    }

    /// Changes a license user's email and/or name. Admins of the holder, or managers with
    /// `manage_license_users`.
    #[napi(ts_return_type = "Promise<LicenseUser>")]
    pub fn edit_license_user(
        &self,
        license_user_id: String,
        edit: LicenseUserEdit,
    ) -> AsyncTask<Op<LicenseUser>> {
        self.run(move |s| {
            let user = s.edit_license_user(id(&license_user_id)?, edit.email, edit.name)?;
            Ok(user.into())
        })
    }

    /// Deletes a license user (their licenses stay, unassigned). Admins of the holder, or
    /// managers with `manage_license_users`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_license_user(&self, license_user_id: String) -> AsyncTask<Op<()>> {
        self.run(move |s| s.delete_license_user(id(&license_user_id)?))
    }

    /// Gives a license to a license user of the same order, or takes it back with `null`.
    /// Admins of the holder, or managers with `manage_license_users`.
    #[napi(
        ts_args_type = "licenseId: string, licenseUserId: string | null",
        ts_return_type = "Promise<License>"
    )]
    pub fn assign_license(
        &self,
        license_id: String,
        license_user_id: Option<String>,
    ) -> AsyncTask<Op<License>> {
        self.run(move |s| {
            Ok(
                s.assign_license(id(&license_id)?, opt_id(license_user_id)?)?
                    .into(),
            )
        })
    }

    /// Sets a license user's password (kept only as an Argon2id hash). Admins of the holder,
    /// or managers with `manage_license_user_credentials`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn set_license_user_password(
        &self,
        license_user_id: String,
        password: String,
    ) -> AsyncTask<Op<()>> {
        self.run(move |s| s.set_license_user_password(id(&license_user_id)?, &password))
    }

    /// The license users of an order.
    #[napi(ts_return_type = "Promise<Array<LicenseUser>>")]
    pub fn license_users(&self, order_id: String) -> AsyncTask<Op<Vec<LicenseUser>>> {
        self.run(move |s| {
            let users = s.license_users(id(&order_id)?)?;
            Ok(users.into_iter().map(Into::into).collect())
        })
    }

    /// Makes `userId` a license manager of an order with `permissions` (added to any it
    /// holds). Admins of the holder grant any permission; a manager with `manage_managers`
    /// only those it holds. `create_order` and `issue_license` need the enterprise plan
    /// (else `PLAN_REQUIRED`).
    #[napi(ts_return_type = "Promise<LicenseManager>")]
    pub fn add_license_manager(
        &self,
        order_id: String,
        user_id: String,
        permissions: Vec<Permission>,
    ) -> AsyncTask<Op<LicenseManager>> {
        self.run(move |s| {
            let permissions: Vec<li::Permission> =
                permissions.into_iter().map(Into::into).collect();
            Ok(
                s.add_license_manager(id(&order_id)?, id(&user_id)?, &permissions)?
                    .into(),
            )
        })
    }

    /// Replaces the permissions of a license manager of an order (1 or more). A manager with
    /// `manage_managers` may only add or take away permissions it holds itself.
    #[napi(ts_return_type = "Promise<LicenseManager>")]
    pub fn set_license_manager_permissions(
        &self,
        order_id: String,
        user_id: String,
        permissions: Vec<Permission>,
    ) -> AsyncTask<Op<LicenseManager>> {
        self.run(move |s| {
            let permissions: Vec<li::Permission> =
                permissions.into_iter().map(Into::into).collect();
            Ok(
                s.set_license_manager_permissions(id(&order_id)?, id(&user_id)?, &permissions)?
                    .into(),
            )
        })
    }

    /// Removes a license manager of an order.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn remove_license_manager(&self, order_id: String, user_id: String) -> AsyncTask<Op<()>> {
        self.run(move |s| s.remove_license_manager(id(&order_id)?, id(&user_id)?))
    }

    /// The license managers of an order.
    #[napi(ts_return_type = "Promise<Array<LicenseManager>>")]
    pub fn license_managers(&self, order_id: String) -> AsyncTask<Op<Vec<LicenseManager>>> {
        self.run(move |s| {
            let managers = s.license_managers(id(&order_id)?)?;
            Ok(managers.into_iter().map(Into::into).collect())
        })
    }

    /// Requests a bundle for `holder` from its parent: one request per line, the orders
    /// sharing one `bundle` id. Admins of the holder, or managers with `create_bundle_order`.
    #[napi(ts_return_type = "Promise<Array<Order>>")]
    pub fn request_bundle(&self, request: NewBundleRequest) -> AsyncTask<Op<Vec<Order>>> {
        self.run(move |s| {
            let orders = s.request_bundle(
                id(&request.holder)?,
                id(&request.bundle)?,
                request.purchase_order,
                request.comments,
            )?;
            Ok(orders.into_iter().map(Into::into).collect())
        })
    }

    /// Returns `quantity` unused units of an order to the orders they were drawn from.
    /// Admins of the holder.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn return_units(&self, order_id: String, quantity: f64) -> AsyncTask<Op<Order>> {
        self.run(move |s| {
            Ok(
                s.return_units(id(&order_id)?, to_u64("quantity", quantity)?)?
                    .into(),
            )
        })
    }

    /// Deletes an order and every license in it, irreversibly; its unconsumed units return to
    /// its sources. Rejects with `ORDER_IN_USE` (naming them) while child orders drew from it.
    /// Admins of the holder.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_order(&self, order_id: String) -> AsyncTask<Op<()>> {
        self.run(move |s| s.delete_order(id(&order_id)?))
    }

    /// Starts writing an order as CSV (as `exportOrderCsv`) into pieces for `api.js`'s
    /// `exportOrderCsvTo(orderId, writable)`.
    #[napi(js_name = "exportOrderCsvChunks", skip_typescript)]
    pub fn export_order_csv_chunks(
        &self,
        env: Env,
        order_id: String,
    ) -> napi::Result<External<CsvChunks>> {
        let (s, in_flight) = self.inner.enter().map_err(|Closed| closed(&env))?;
        CsvChunks::start(in_flight, move |out| {
            s.export_order_csv(id(&order_id)?, out)
        })
        .map(External::new)
    }

    /// Starts writing an organization's inventory list as CSV (as `exportInventoryCsv`)
    /// into pieces for `api.js`'s `exportInventoryCsvTo(orgId, writable, filter)`.
    #[napi(js_name = "exportInventoryCsvChunks", skip_typescript)]
    pub fn export_inventory_csv_chunks(
        &self,
        env: Env,
        org_id: String,
        filter: Option<InventoryFilter>,
    ) -> napi::Result<External<CsvChunks>> {
        let (s, in_flight) = self.inner.enter().map_err(|Closed| closed(&env))?;
        CsvChunks::start(in_flight, move |out| {
            let filter = match filter {
                Some(f) => f.into_core()?,
                None => li::InventoryFilter::default(),
            };
            s.export_inventory_csv(id(&org_id)?, &filter, out)
        })
        .map(External::new)
    }

    /// Writes an order as CSV to the file at `path`: a header of `ORDER_COLUMNS`, then one
    /// row per license (an order without licenses: one row with empty license columns). The
    /// export runs on the libuv pool from one consistent snapshot, a page of licenses at a
    /// time; the order is never held in memory whole. It is atomic: written to a temporary
    /// file beside `path` and renamed over it once complete, so a refused or failed export
    /// leaves `path` as it was. The file is readable by its owner only (it holds license
    /// keys). Resolves with the number of data rows; a file that cannot be written rejects
    /// with `EXPORT_FAILED`. Whoever may see the order may export it (managers too).
    #[napi(ts_return_type = "Promise<number>")]
    pub fn export_order_csv(&self, order_id: String, path: String) -> AsyncTask<Op<f64>> {
        self.run(move |s| {
            let order = id(&order_id)?;
            Ok(num(s.export_order_csv_to_path(order, path)?))
        })
    }

    /// Writes an organization's inventory list as CSV to the file at `path`: a header of
    /// `INVENTORY_COLUMNS`, then one row per order, newest first, filtered like `list`;
    /// atomically, like `exportOrderCsv`. Resolves with the number of data rows; a file that
    /// cannot be written rejects with `EXPORT_FAILED`.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn export_inventory_csv(
        &self,
        org_id: String,
        path: String,
        filter: Option<InventoryFilter>,
    ) -> AsyncTask<Op<f64>> {
        self.run(move |s| {
            let org = id(&org_id)?;
            let filter = match filter {
                Some(f) => f.into_core()?,
                None => li::InventoryFilter::default(),
            };
            Ok(num(s.export_inventory_csv_to_path(org, &filter, path)?))
        })
    }
}
