//! The handles: [`Inventory`] (a store, provisioning, ledger, audit) and [`Session`] (a user
//! acting on the inventory). Each method first refuses if the inventory is closed
//! ([`Gate::check`]), then converts its arguments, calls the core once with the GIL released
//! ([`Gate::run`]), and converts the result: no rule of the domain lives here.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use license_inventory as core;
use pyo3::prelude::*;

use crate::convert::{
    self, parse, parse_all, run, size, string_map, utc, utc_opt, whole, whole_opt, whole_u32,
};
use crate::errors;
use crate::gate::{Gate, Sql};
use crate::records::{
    Audit, Bundle, BundleLine, Checkpoint, Customer, Holding, InventoryUse, Issued, LedgerEntry,
    License, LicenseManager, LicensePolicy, LicenseUser, Notification, Order, OrderDetails,
    OrderFigures, Organization, Product, Role, SummaryLine, Tenant, User,
};
use crate::values::{BatchCommand, BundlePage, OrgPage, OrgTreePage, Page, ProductPage, UserPage};

/// A handle on one store (in memory, SQLite or PostgreSQL): safe to share between threads.
///
/// Its clock follows the system clock until pinned with `set_time`. `close()` (or leaving a
/// `with` block) releases the store; its keyed copies and sessions share it, and close with it.
#[pyclass(frozen, module = "license_inventory._native")]
pub struct Inventory {
    inner: core::Inventory,
    clock: Arc<core::ManualClock>,
    gate: Arc<Gate>,
    label: &'static str,
}

impl Inventory {
    fn over(store: Arc<dyn core::Store>, sql: Sql, label: &'static str) -> Self {
        let clock = Arc::new(core::ManualClock::default());
        let (gate, inner) = Gate::open(store, sql, clock.clone());
        Inventory {
            inner,
            clock,
            gate,
            label,
        }
    }

    fn sqlite_store(store: core::SqliteStore, label: &'static str) -> Self {
        let store = Arc::new(store);
        Self::over(store.clone(), Sql::Sqlite(store), label)
    }
}

#[pymethods]
impl Inventory {
    /// An inventory in memory (nothing is persisted).
    #[staticmethod]
    fn in_memory() -> Self {
        Self::over(Arc::new(core::MemoryStore::new()), Sql::None, "memory")
    }

    /// An inventory in an SQLite file, created and migrated as needed.
    ///
    /// `synchronous`, `busy_timeout` (seconds), `migrate`, `group_commit` (the most commands
    /// one transaction may carry; 1 = no grouping) and `page_size` (bytes, a power of two from
    /// 512 to 65536, for a file this call creates; an existing file keeps its own) override
    /// the core's defaults (`Synchronous.FULL`, 30 s, `True`, 32, 2048) when given.
    #[staticmethod]
    #[pyo3(signature = (
        path, *, synchronous=None, busy_timeout=None, migrate=None, group_commit=None, page_size=None
    ))]
    fn open_sqlite(
        py: Python<'_>,
        path: PathBuf,
        synchronous: Option<&str>,
        busy_timeout: Option<f64>,
        migrate: Option<bool>,
        group_commit: Option<&Bound<'_, PyAny>>,
        page_size: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut options = core::SqliteOptions::default();
        if let Some(s) = synchronous {
            options.synchronous = parse(py, s)?;
        }
        if let Some(secs) = busy_timeout {
            options.busy_timeout = Duration::try_from_secs_f64(secs)
                .map_err(|e| errors::invalid(py, "busy_timeout", format!("{secs} seconds: {e}")))?;
        }
        if let Some(m) = migrate {
            options.migrate = m;
        }
        if let Some(n) = group_commit {
            options.group_commit = size(py, "group_commit", n)?;
        }
        if let Some(n) = page_size {
            options.page_size = whole_u32(py, "page_size", n)?;
        }
        let store = run(py, || core::SqliteStore::open_with(&path, options))?;
        Ok(Self::sqlite_store(store, "sqlite"))
    }

    /// An inventory in a private in-memory SQLite database (nothing is persisted).
    #[staticmethod]
    fn sqlite_in_memory(py: Python<'_>) -> PyResult<Self> {
        let store = run(py, core::SqliteStore::in_memory)?;
        Ok(Self::sqlite_store(store, "sqlite (in memory)"))
    }

    /// An inventory in a PostgreSQL database, shared by any number of processes and machines;
    /// the schema is created and migrated as needed. `url` is a libpq URL
    /// (`postgres://user@host/db`) or key/value string (`host=/run/postgresql dbname=x`).
    ///
    /// `max_connections` (this handle's pool), `max_retries` (of a transaction after a
    /// serialization failure or deadlock), `migrate` and `group_commit` (the most commands of
    /// a tenant one transaction may carry; 1 = no grouping) override the core's defaults when
    /// given.
    #[staticmethod]
    #[pyo3(signature = (url, *, max_connections=None, max_retries=None, migrate=None, group_commit=None))]
    fn open_postgres(
        py: Python<'_>,
        url: &str,
        max_connections: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
        migrate: Option<bool>,
        group_commit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut options = core::PostgresOptions::default();
        if let Some(n) = max_connections {
            options.max_connections = size(py, "max_connections", n)?;
        }
        if let Some(n) = max_retries {
            let n = whole(py, "max_retries", n)?;
            options.max_retries = u32::try_from(n)
                .map_err(|_| errors::invalid(py, "max_retries", format!("{n} is too large")))?;
        }
        if let Some(m) = migrate {
            options.migrate = m;
        }
        if let Some(n) = group_commit {
            options.group_commit = size(py, "group_commit", n)?;
        }
        let store = Arc::new(run(py, || core::PostgresStore::connect_with(url, options))?);
        Ok(Self::over(store.clone(), Sql::Postgres(store), "postgres"))
    }

    /// Pins the clock to `at` (a timezone-aware `datetime`), or lets it follow the system clock
    /// again with `None`. Sessions opened from this inventory share its clock.
    #[pyo3(signature = (at))]
    fn set_time(&self, py: Python<'_>, at: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.gate.check(py)?;
        self.clock.set(utc_opt(py, "at", at)?);
        Ok(())
    }

    /// The schema version of an SQL store (SQLite, PostgreSQL); `None` for a memory store.
    fn schema_version(&self, py: Python<'_>) -> PyResult<Option<i64>> {
        self.gate.check(py)?;
        self.gate.run(py, || {
            self.gate.with_live(|live| match &live.sql {
                Sql::Sqlite(store) => store.schema_version().map(Some),
                Sql::Postgres(store) => store.schema_version().map(Some),
                Sql::None => Ok(None),
            })
        })
    }

    /// Creates a tenant and its vendor (root) organization; `plan` defaults to the core's
    /// default plan (`Plan.STANDARD`).
    #[pyo3(signature = (name, vendor_name, *, plan=None, first_order_number=None))]
    fn create_tenant(
        &self,
        py: Python<'_>,
        name: String,
        vendor_name: String,
        plan: Option<&str>,
        first_order_number: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Tenant> {
        self.gate.check(py)?;
        let new = core::NewTenant {
            name,
            plan: plan.map(|p| parse(py, p)).transpose()?.unwrap_or_default(),
            vendor_name,
            first_order_number: whole_opt(py, "first_order_number", first_order_number)?,
        };
        self.gate
            .run(py, || self.inner.create_tenant(new))
            .map(Tenant)
    }

    /// A tenant by id.
    fn tenant(&self, py: Python<'_>, tenant: &str) -> PyResult<Tenant> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        self.gate.run(py, || self.inner.tenant(tenant)).map(Tenant)
    }

    /// Every tenant in the store, oldest first (to find one again in a reopened store).
    fn tenants(&self, py: Python<'_>) -> PyResult<Vec<Tenant>> {
        self.gate.check(py)?;
        let tenants = self.gate.run(py, || self.inner.tenants())?;
        Ok(tenants.into_iter().map(Tenant).collect())
    }

    /// Creates an organization under `parent` (whose tier must be strictly higher).
    fn create_org(
        &self,
        py: Python<'_>,
        tenant: &str,
        name: String,
        tier: &str,
        parent: &str,
    ) -> PyResult<Organization> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        let new = core::NewOrganization {
            name,
            tier: parse(py, tier)?,
            parent: parse(py, parent)?,
        };
        self.gate
            .run(py, || self.inner.create_org(tenant, new))
            .map(Organization)
    }

    /// An organization by id.
    fn org(&self, py: Python<'_>, tenant: &str, org: &str) -> PyResult<Organization> {
        self.gate.check(py)?;
        let (tenant, org) = (parse(py, tenant)?, parse(py, org)?);
        self.gate
            .run(py, || self.inner.org(tenant, org))
            .map(Organization)
    }

    /// Deactivates an organization: it keeps its inventory but can no longer request, approve
    /// or be assigned.
    fn deactivate_org(&self, py: Python<'_>, tenant: &str, org: &str) -> PyResult<Organization> {
        self.gate.check(py)?;
        let (tenant, org) = (parse(py, tenant)?, parse(py, org)?);
        self.gate
            .run(py, || self.inner.deactivate_org(tenant, org))
            .map(Organization)
    }

    /// Creates a user (email unique within the tenant).
    fn create_user(
        &self,
        py: Python<'_>,
        tenant: &str,
        name: String,
        email: String,
    ) -> PyResult<User> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        let new = core::NewUser { name, email };
        self.gate
            .run(py, || self.inner.create_user(tenant, new))
            .map(User)
    }

    /// A user by id.
    fn user(&self, py: Python<'_>, tenant: &str, user: &str) -> PyResult<User> {
        self.gate.check(py)?;
        let (tenant, user) = (parse(py, tenant)?, parse(py, user)?);
        self.gate
            .run(py, || self.inner.user(tenant, user))
            .map(User)
    }

    /// Makes `user` an admin of `org`.
    fn grant_admin(&self, py: Python<'_>, tenant: &str, user: &str, org: &str) -> PyResult<()> {
        self.gate.check(py)?;
        let (tenant, user, org) = (parse(py, tenant)?, parse(py, user)?, parse(py, org)?);
        self.gate
            .run(py, || self.inner.grant_admin(tenant, user, org))
    }

    /// Takes `user`'s admin role over `org` away (nothing happens if they do not hold it);
    /// removing the vendor organization's last admin raises `HierarchyViolation`.
    fn revoke_admin(&self, py: Python<'_>, tenant: &str, user: &str, org: &str) -> PyResult<()> {
        self.gate.check(py)?;
        let (tenant, user, org) = (parse(py, tenant)?, parse(py, user)?, parse(py, org)?);
        self.gate
            .run(py, || self.inner.revoke_admin(tenant, user, org))
    }

    /// Reactivates a deactivated organization (its parent must be active).
    fn reactivate_org(&self, py: Python<'_>, tenant: &str, org: &str) -> PyResult<Organization> {
        self.gate.check(py)?;
        let (tenant, org) = (parse(py, tenant)?, parse(py, org)?);
        self.gate
            .run(py, || self.inner.reactivate_org(tenant, org))
            .map(Organization)
    }

    /// Deactivates a user: their roles and permissions stay on record but give them nothing
    /// until `reactivate_user`. The vendor organization keeps an active admin.
    fn deactivate_user(&self, py: Python<'_>, tenant: &str, user: &str) -> PyResult<User> {
        self.gate.check(py)?;
        let (tenant, user) = (parse(py, tenant)?, parse(py, user)?);
        self.gate
            .run(py, || self.inner.deactivate_user(tenant, user))
            .map(User)
    }

    /// Reactivates a deactivated user.
    fn reactivate_user(&self, py: Python<'_>, tenant: &str, user: &str) -> PyResult<User> {
        self.gate.check(py)?;
        let (tenant, user) = (parse(py, tenant)?, parse(py, user)?);
        self.gate
            .run(py, || self.inner.reactivate_user(tenant, user))
            .map(User)
    }

    /// Changes the tenant's plan. On a downgrade, enterprise-only permissions already granted
    /// stay on record but are not honoured (`PlanRequired`) until an upgrade.
    fn change_plan(&self, py: Python<'_>, tenant: &str, plan: &str) -> PyResult<Tenant> {
        self.gate.check(py)?;
        let (tenant, plan) = (parse(py, tenant)?, parse(py, plan)?);
        self.gate
            .run(py, || self.inner.change_plan(tenant, plan))
            .map(Tenant)
    }

    /// Renames a product.
    fn rename_product(
        &self,
        py: Python<'_>,
        tenant: &str,
        product: &str,
        name: &str,
    ) -> PyResult<Product> {
        self.gate.check(py)?;
        let (tenant, product) = (parse(py, tenant)?, parse(py, product)?);
        self.gate
            .run(py, || self.inner.rename_product(tenant, product, name))
            .map(Product)
    }

    /// Retires a product: no new requests, assignments, mints or bundles of it
    /// (`InvalidInput`); existing orders are untouched.
    fn retire_product(&self, py: Python<'_>, tenant: &str, product: &str) -> PyResult<Product> {
        self.gate.check(py)?;
        let (tenant, product) = (parse(py, tenant)?, parse(py, product)?);
        self.gate
            .run(py, || self.inner.retire_product(tenant, product))
            .map(Product)
    }

    /// Defines a product (inventory type); `code` is unique within the tenant. `policy` is the
    /// policy of the licenses issued for it (default: the core's default policy).
    #[pyo3(signature = (tenant, code, name, kind, *, policy=None))]
    fn create_product(
        &self,
        py: Python<'_>,
        tenant: &str,
        code: String,
        name: String,
        kind: &str,
        policy: Option<LicensePolicy>,
    ) -> PyResult<Product> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        let new = core::NewProduct {
            code,
            name,
            kind: parse(py, kind)?,
        };
        match policy {
            Some(p) => self.gate.run(py, || {
                self.inner.create_product_with_policy(tenant, new, p.0)
            }),
            None => self.gate.run(py, || self.inner.create_product(tenant, new)),
        }
        .map(Product)
    }

    /// Sets the policy of the licenses issued for a product from now on (issued licenses keep
    /// theirs).
    fn set_product_policy(
        &self,
        py: Python<'_>,
        tenant: &str,
        product: &str,
        policy: LicensePolicy,
    ) -> PyResult<Product> {
        self.gate.check(py)?;
        let (tenant, product) = (parse(py, tenant)?, parse(py, product)?);
        self.gate
            .run(py, || {
                self.inner.set_product_policy(tenant, product, policy.0)
            })
            .map(Product)
    }

    /// Defines a bundle: a named set of (product, quantity) lines (at least one; a product at
    /// most once).
    fn create_bundle(
        &self,
        py: Python<'_>,
        tenant: &str,
        name: String,
        lines: &Bound<'_, PyAny>,
    ) -> PyResult<Bundle> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        let lines = lines
            .try_iter()?
            .map(|line| Ok(line?.extract::<BundleLine>()?.0))
            .collect::<PyResult<Vec<_>>>()?;
        let new = core::NewBundle { name, lines };
        self.gate
            .run(py, || self.inner.create_bundle(tenant, new))
            .map(Bundle)
    }

    /// A bundle by id.
    fn bundle(&self, py: Python<'_>, tenant: &str, bundle: &str) -> PyResult<Bundle> {
        self.gate.check(py)?;
        let (tenant, bundle) = (parse(py, tenant)?, parse(py, bundle)?);
        self.gate
            .run(py, || self.inner.bundle(tenant, bundle))
            .map(Bundle)
    }

    /// An end user activates a license on a device, with the key alone (no session). A
    /// mistyped key raises `MistypedKey` before any lookup; activating an already activated
    /// device changes nothing; one device too many raises `ActivationLimit`.
    fn activate(
        &self,
        py: Python<'_>,
        tenant: &str,
        key: &str,
        fingerprint: &str,
        device_name: &str,
    ) -> PyResult<License> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        self.gate
            .run(py, || {
                self.inner.activate(tenant, key, fingerprint, device_name)
            })
            .map(License)
    }

    /// An end user deactivates a license on one of its devices, with the key alone.
    fn deactivate(
        &self,
        py: Python<'_>,
        tenant: &str,
        key: &str,
        fingerprint: &str,
    ) -> PyResult<License> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        self.gate
            .run(py, || self.inner.deactivate(tenant, key, fingerprint))
            .map(License)
    }

    /// An end user redeems an activation code, once; `redeemed_by` names who (an email or a
    /// device). A second redemption raises `LicenseUnusable`.
    fn redeem(
        &self,
        py: Python<'_>,
        tenant: &str,
        code: &str,
        redeemed_by: &str,
    ) -> PyResult<License> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        self.gate
            .run(py, || self.inner.redeem(tenant, code, redeemed_by))
            .map(License)
    }

    /// Checks a key as an application would at start-up: the license, if it exists and is
    /// neither disabled nor expired (else `LicenseUnusable`).
    fn check_license(&self, py: Python<'_>, tenant: &str, key: &str) -> PyResult<License> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        self.gate
            .run(py, || self.inner.check_license(tenant, key))
            .map(License)
    }

    /// True when `password` is the license user's password (checked against its Argon2id
    /// hash); false when it is not, or none is set.
    fn verify_license_user_password(
        &self,
        py: Python<'_>,
        tenant: &str,
        user: &str,
        password: &str,
    ) -> PyResult<bool> {
        self.gate.check(py)?;
        let (tenant, user) = (parse(py, tenant)?, parse(py, user)?);
        self.gate.run(py, || {
            self.inner
                .verify_license_user_password(tenant, user, password)
        })
    }

    /// Up to `limit` notifications not yet marked sent, oldest first: what the host
    /// application should send now. Send them, then `mark_notifications_sent`; a notification
    /// is returned again until marked (at-least-once delivery).
    #[pyo3(signature = (tenant, *, limit=None))]
    fn pending_notifications(
        &self,
        py: Python<'_>,
        tenant: &str,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Notification>> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        let limit = match limit {
            Some(l) => size(py, "limit", l)?,
            None => core::DEFAULT_PAGE,
        };
        let pending = self
            .gate
            .run(py, || self.inner.pending_notifications(tenant, limit))?;
        Ok(pending.into_iter().map(Notification).collect())
    }

    /// Marks notifications sent, all or none (an unknown id raises `NotFound` and nothing is
    /// marked); one already sent is left as it was. Returns how many were newly marked.
    fn mark_notifications_sent(
        &self,
        py: Python<'_>,
        tenant: &str,
        ids: &Bound<'_, PyAny>,
    ) -> PyResult<usize> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        let ids: Vec<core::NotificationId> = parse_all(py, "ids", Some(ids))?;
        self.gate
            .run(py, || self.inner.mark_notifications_sent(tenant, &ids))
    }

    /// A notification by id, sent or not.
    fn notification(&self, py: Python<'_>, tenant: &str, id: &str) -> PyResult<Notification> {
        self.gate.check(py)?;
        let (tenant, id) = (parse(py, tenant)?, parse(py, id)?);
        self.gate
            .run(py, || self.inner.notification(tenant, id))
            .map(Notification)
    }

    /// A product by id.
    fn product(&self, py: Python<'_>, tenant: &str, product: &str) -> PyResult<Product> {
        self.gate.check(py)?;
        let (tenant, product) = (parse(py, tenant)?, parse(py, product)?);
        self.gate
            .run(py, || self.inner.product(tenant, product))
            .map(Product)
    }

    /// A product by its code.
    fn product_by_code(&self, py: Python<'_>, tenant: &str, code: &str) -> PyResult<Product> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        self.gate
            .run(py, || self.inner.product_by_code(tenant, code))
            .map(Product)
    }

    /// The same inventory, whose write commands are idempotent under `key` (see
    /// `Session.with_idempotency_key`): for the host's own retries of activation, redemption,
    /// provisioning within a tenant, and marking notifications sent.
    fn with_idempotency_key(&self, py: Python<'_>, key: &str) -> PyResult<Inventory> {
        self.gate.check(py)?;
        let inner = self.gate.run(py, || self.inner.with_idempotency_key(key))?;
        Ok(Inventory {
            inner,
            clock: self.clock.clone(),
            gate: self.gate.clone(),
            label: self.label,
        })
    }

    /// Acts as `user`: every action of the returned session is checked against their roles.
    fn session(&self, py: Python<'_>, tenant: &str, user: &str) -> PyResult<Session> {
        self.gate.check(py)?;
        let (tenant, user) = (parse(py, tenant)?, parse(py, user)?);
        self.gate
            .run(py, || self.inner.session(tenant, user))
            .map(|inner| Session {
                inner,
                gate: self.gate.clone(),
            })
    }

    /// Up to `limit` ledger entries of the tenant with sequence numbers above `after`, in order
    /// (`ledger_matching` filters them).
    #[pyo3(signature = (tenant, *, after=None, limit=None))]
    fn ledger(
        &self,
        py: Python<'_>,
        tenant: &str,
        after: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<LedgerEntry>> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        let (after, limit) = ledger_page(py, after, limit)?;
        let entries = self
            .gate
            .run(py, || self.inner.ledger(tenant, after, limit))?;
        Ok(entries.into_iter().map(LedgerEntry).collect())
    }

    /// [`ledger`](Self::ledger), keeping only the entries about `order` (or moving its units),
    /// about `org` (or moving units of an order it holds), recorded at or after `from_`, and
    /// recorded before `to` (the core's `LedgerFilter`; `from_` because `from` is a keyword).
    #[pyo3(signature = (tenant, *, order=None, org=None, from_=None, to=None, after=None, limit=None))]
    #[allow(clippy::too_many_arguments)]
    fn ledger_matching(
        &self,
        py: Python<'_>,
        tenant: &str,
        order: Option<&str>,
        org: Option<&str>,
        from_: Option<&Bound<'_, PyAny>>,
        to: Option<&Bound<'_, PyAny>>,
        after: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<LedgerEntry>> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        let (after, limit) = ledger_page(py, after, limit)?;
        let filter = core::LedgerFilter {
            order: order.map(|o| parse(py, o)).transpose()?,
            org: org.map(|o| parse(py, o)).transpose()?,
            from: utc_opt(py, "from", from_)?,
            to: utc_opt(py, "to", to)?,
        };
        let entries = self.gate.run(py, || {
            self.inner.ledger_matching(tenant, &filter, after, limit)
        })?;
        Ok(entries.into_iter().map(LedgerEntry).collect())
    }

    /// Forgets the tenant's idempotency keys recorded before `before` (an aware datetime) and
    /// returns how many. A pruned key's retry runs its command again: prune only keys older
    /// than any retry a client may still make.
    fn prune_idempotency_keys(
        &self,
        py: Python<'_>,
        tenant: &str,
        before: &Bound<'_, PyAny>,
    ) -> PyResult<u64> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        let before = utc(py, "before", before)?;
        self.gate
            .run(py, || self.inner.prune_idempotency_keys(tenant, before))
    }

    /// An order's quantities as they were at `at` (a timezone-aware `datetime`), rebuilt from
    /// the ledger; deleted orders too. An order with no movement by then has all zeros.
    fn order_at(
        &self,
        py: Python<'_>,
        tenant: &str,
        order: &str,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<OrderFigures> {
        self.gate.check(py)?;
        let (tenant, order) = (parse(py, tenant)?, parse(py, order)?);
        let at = utc(py, "at", at)?;
        self.gate
            .run(py, || self.inner.order_at(tenant, order, at))
            .map(OrderFigures)
    }

    /// What an organization held at `at`, per product (sorted by product id), rebuilt from the
    /// ledger.
    fn holdings_at(
        &self,
        py: Python<'_>,
        tenant: &str,
        org: &str,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<Holding>> {
        self.gate.check(py)?;
        let (tenant, org) = (parse(py, tenant)?, parse(py, org)?);
        let at = utc(py, "at", at)?;
        let holdings = self
            .gate
            .run(py, || self.inner.holdings_at(tenant, org, at))?;
        Ok(holdings.into_iter().map(Holding).collect())
    }

    /// Checks a whole tenant: conservation of every order and of the tenant, the ledger's hash
    /// chain, and that replaying the ledger rebuilds every order's quantities.
    fn audit(&self, py: Python<'_>, tenant: &str) -> PyResult<Audit> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        self.gate.run(py, || self.inner.audit(tenant)).map(Audit)
    }

    /// Signs the tenant's ledger head with `signing_key` (64 hex digits: the 32 secret bytes of
    /// an Ed25519 key the host keeps outside the database; see `generate_signing_key`).
    fn checkpoint(&self, py: Python<'_>, tenant: &str, signing_key: &str) -> PyResult<Checkpoint> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        let key = core::signing_key_from_hex(signing_key).map_err(|e| errors::to_py(py, e))?;
        self.gate
            .run(py, || self.inner.checkpoint(tenant, &key))
            .map(Checkpoint)
    }

    /// `audit`, plus a proof that the ledger still extends every checkpoint, each verified
    /// with `verifying_key` (64 hex digits; see `verifying_key`).
    fn audit_against(
        &self,
        py: Python<'_>,
        tenant: &str,
        checkpoints: Vec<Checkpoint>,
        verifying_key: &str,
    ) -> PyResult<Audit> {
        self.gate.check(py)?;
        let tenant = parse(py, tenant)?;
        let key = core::verifying_key_from_hex(verifying_key).map_err(|e| errors::to_py(py, e))?;
        let checkpoints: Vec<core::Checkpoint> = checkpoints.into_iter().map(|c| c.0).collect();
        self.gate
            .run(py, || self.inner.audit_against(tenant, &checkpoints, &key))
            .map(Audit)
    }

    /// Closes the inventory: the store is dropped (its connections closed, an SQLite file and
    /// its `-wal`/`-shm` released) once the calls already running on it have returned, which
    /// `close` waits for. Every later call on this inventory, its keyed copies and its sessions
    /// raises `InventoryClosed`. Closing again does nothing. Leaving a `with` block closes too.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.gate.close(py)
    }

    /// True once the inventory (or one of its keyed copies) was closed.
    #[getter]
    fn closed(&self) -> bool {
        self.gate.is_closed()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Closes the inventory when the `with` block ends; an exception raised in the block
    /// propagates.
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        exc_value: Option<&Bound<'_, PyAny>>,
        traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let _ = (exc_type, exc_value, traceback);
        self.gate.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        if self.gate.is_closed() {
            format!("Inventory({}, closed)", self.label)
        } else {
            format!("Inventory({})", self.label)
        }
    }
}

/// A user acting on the inventory: every call checks the user's roles. It shares its
/// inventory's store: once the inventory is closed, every call raises `InventoryClosed`.
#[pyclass(frozen, module = "license_inventory._native")]
pub struct Session {
    inner: core::Session,
    gate: Arc<Gate>,
}

#[pymethods]
impl Session {
    /// The same session, whose write commands are idempotent under `key` (1 to 200
    /// characters, unique per tenant: a UUID or a request id). Repeating a command through it
    /// returns the first result and changes nothing; the key with a different command (or by
    /// another user) raises `Conflict`. A command that raised recorded nothing: retry it with
    /// the same key. Use one key per command.
    fn with_idempotency_key(&self, py: Python<'_>, key: &str) -> PyResult<Session> {
        self.gate.check(py)?;
        self.gate
            .run(py, || self.inner.with_idempotency_key(key))
            .map(|inner| Session {
                inner,
                gate: self.gate.clone(),
            })
    }

    /// The id of the acting user.
    #[getter]
    fn user(&self) -> String {
        self.inner.user().to_string()
    }

    /// The id of the tenant.
    #[getter]
    fn tenant(&self) -> String {
        self.inner.tenant().to_string()
    }

    /// Mints new stock into an order held by the vendor. Vendor admins only.
    #[pyo3(signature = (product, quantity, *, purchase_order=None, comments=None))]
    fn mint(
        &self,
        py: Python<'_>,
        product: &str,
        quantity: &Bound<'_, PyAny>,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> PyResult<Order> {
        self.gate.check(py)?;
        let new = core::NewMint {
            product: parse(py, product)?,
            quantity: whole(py, "quantity", quantity)?,
            purchase_order,
            comments,
        };
        self.gate.run(py, || self.inner.mint(new)).map(Order)
    }

    /// Requests `quantity` units of `product` for `holder` from its parent organization.
    #[pyo3(signature = (holder, product, quantity, *, purchase_order=None, comments=None))]
    fn request(
        &self,
        py: Python<'_>,
        holder: &str,
        product: &str,
        quantity: &Bound<'_, PyAny>,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> PyResult<Order> {
        self.gate.check(py)?;
        let new = core::NewRequest {
            holder: parse(py, holder)?,
            product: parse(py, product)?,
            quantity: whole(py, "quantity", quantity)?,
            purchase_order,
            comments,
        };
        self.gate.run(py, || self.inner.request(new)).map(Order)
    }

    /// Edits a pending request: `None` leaves a field as it is, `""` clears a text field.
    #[pyo3(signature = (order, *, purchase_order=None, product=None, quantity=None, comments=None))]
    fn edit_request(
        &self,
        py: Python<'_>,
        order: &str,
        purchase_order: Option<String>,
        product: Option<&str>,
        quantity: Option<&Bound<'_, PyAny>>,
        comments: Option<String>,
    ) -> PyResult<Order> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let edit = core::RequestEdit {
            purchase_order,
            product: product.map(|p| parse(py, p)).transpose()?,
            quantity: whole_opt(py, "quantity", quantity)?,
            comments,
        };
        self.gate
            .run(py, || self.inner.edit_request(order, edit))
            .map(Order)
    }

    /// Cancels (withdraws) a pending request.
    fn cancel(&self, py: Python<'_>, order: &str) -> PyResult<Order> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        self.gate.run(py, || self.inner.cancel(order)).map(Order)
    }

    /// Approves a request addressed to the actor's organization, for `quantity` units (default:
    /// all that was asked), drawing them from the source's stock (or minting, at the vendor).
    #[pyo3(signature = (order, *, quantity=None, comments=None))]
    fn approve(
        &self,
        py: Python<'_>,
        order: &str,
        quantity: Option<&Bound<'_, PyAny>>,
        comments: Option<String>,
    ) -> PyResult<Order> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let quantity = whole_opt(py, "quantity", quantity)?;
        self.gate
            .run(py, || self.inner.approve(order, quantity, comments))
            .map(Order)
    }

    /// Rejects a request addressed to the actor's organization.
    #[pyo3(signature = (order, *, comments=None))]
    fn reject(&self, py: Python<'_>, order: &str, comments: Option<String>) -> PyResult<Order> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        self.gate
            .run(py, || self.inner.reject(order, comments))
            .map(Order)
    }

    /// Assigns (pushes) `quantity` units of `product` from `from_` to its child `to`: an
    /// order born active.
    #[pyo3(signature = (from_, to, product, quantity, *, purchase_order=None, comments=None))]
    #[allow(clippy::too_many_arguments)]
    fn assign(
        &self,
        py: Python<'_>,
        from_: &str,
        to: &str,
        product: &str,
        quantity: &Bound<'_, PyAny>,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> PyResult<Order> {
        self.gate.check(py)?;
        let new = core::NewAssignment {
            from: parse(py, from_)?,
            to: parse(py, to)?,
            product: parse(py, product)?,
            quantity: whole(py, "quantity", quantity)?,
            purchase_order,
            comments,
        };
        self.gate.run(py, || self.inner.assign(new)).map(Order)
    }

    /// Runs `commands` (`BatchCommand`s) in order in one transaction: all take effect, or, at
    /// the first that fails, none does and its error is raised. Later commands see earlier
    /// ones. Returns one result per command: an `Order`, or for an issue a list of `License`.
    fn batch<'py>(
        &self,
        py: Python<'py>,
        commands: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        self.gate.check(py)?;
        let commands = commands
            .try_iter()?
            .map(|c| Ok(c?.extract::<BatchCommand>()?.0))
            .collect::<PyResult<Vec<_>>>()?;
        let results = self.gate.run(py, || self.inner.batch(&commands))?;
        results
            .into_iter()
            .map(|r| match r {
                core::BatchResult::Order(o) => Ok(Bound::new(py, Order(*o))?.into_any()),
                core::BatchResult::Licenses(ls) => Ok(ls
                    .into_iter()
                    .map(License)
                    .collect::<Vec<_>>()
                    .into_pyobject(py)?
                    .into_any()),
                core::BatchResult::License(l) => Ok(Bound::new(py, License(*l))?.into_any()),
                core::BatchResult::Manager(m) => Ok(Bound::new(py, LicenseManager(m))?.into_any()),
                core::BatchResult::LicenseUser(u) => Ok(Bound::new(py, LicenseUser(u))?.into_any()),
                core::BatchResult::Orders(os) => Ok(os
                    .into_iter()
                    .map(Order)
                    .collect::<Vec<_>>()
                    .into_pyobject(py)?
                    .into_any()),
                core::BatchResult::Issued(i) => Ok(Bound::new(py, Issued(*i))?.into_any()),
                core::BatchResult::Done => Ok(py.None().into_bound(py)),
            })
            .collect()
    }

    /// An order with its names, by id.
    fn order(&self, py: Python<'_>, order: &str) -> PyResult<OrderDetails> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        self.gate
            .run(py, || self.inner.order(order))
            .map(OrderDetails)
    }

    /// An order with its names, by number.
    fn order_by_number(&self, py: Python<'_>, number: &Bound<'_, PyAny>) -> PyResult<OrderDetails> {
        self.gate.check(py)?;
        let number = core::OrderNumber(whole(py, "order number", number)?);
        self.gate
            .run(py, || self.inner.order_by_number(number))
            .map(OrderDetails)
    }

    /// The inventory list of `org`, newest first, `limit` per page. Every filter is optional:
    /// `statuses` and `products` (iterables) keep the orders in any of them; `order_number`;
    /// `purchase_order` keeps those containing the text (case-insensitive); `requested_from`
    /// (inclusive) and `requested_to` (exclusive) bound the request time; `requested_by_org`
    /// keeps the orders requested by that organization. Pass the page's `next` back as
    /// `cursor` for the next page.
    #[pyo3(signature = (
        org, *, statuses=None, products=None, order_number=None, purchase_order=None,
        requested_from=None, requested_to=None, requested_by_org=None, cursor=None, limit=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn list(
        &self,
        py: Python<'_>,
        org: &str,
        statuses: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        order_number: Option<&Bound<'_, PyAny>>,
        purchase_order: Option<String>,
        requested_from: Option<&Bound<'_, PyAny>>,
        requested_to: Option<&Bound<'_, PyAny>>,
        requested_by_org: Option<&str>,
        cursor: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Page> {
        self.gate.check(py)?;
        self.orders_page(
            py,
            core::OrderList::Held,
            org,
            statuses,
            products,
            order_number,
            purchase_order,
            requested_from,
            requested_to,
            requested_by_org,
            cursor,
            limit,
        )
    }

    /// The approval queue of `org`: the requests addressed to it that wait for its decision,
    /// newest first, filtered and paged like `list`. Its length is the summary's incoming
    /// requests.
    #[pyo3(signature = (
        org, *, statuses=None, products=None, order_number=None, purchase_order=None,
        requested_from=None, requested_to=None, requested_by_org=None, cursor=None, limit=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn approval_queue(
        &self,
        py: Python<'_>,
        org: &str,
        statuses: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        order_number: Option<&Bound<'_, PyAny>>,
        purchase_order: Option<String>,
        requested_from: Option<&Bound<'_, PyAny>>,
        requested_to: Option<&Bound<'_, PyAny>>,
        requested_by_org: Option<&str>,
        cursor: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Page> {
        self.gate.check(py)?;
        self.orders_page(
            py,
            core::OrderList::AwaitingDecision,
            org,
            statuses,
            products,
            order_number,
            purchase_order,
            requested_from,
            requested_to,
            requested_by_org,
            cursor,
            limit,
        )
    }

    /// The orders `org` supplied (requests it approved, assignments it made), newest first,
    /// filtered and paged like `list`.
    #[pyo3(signature = (
        org, *, statuses=None, products=None, order_number=None, purchase_order=None,
        requested_from=None, requested_to=None, requested_by_org=None, cursor=None, limit=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn supplied_orders(
        &self,
        py: Python<'_>,
        org: &str,
        statuses: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        order_number: Option<&Bound<'_, PyAny>>,
        purchase_order: Option<String>,
        requested_from: Option<&Bound<'_, PyAny>>,
        requested_to: Option<&Bound<'_, PyAny>>,
        requested_by_org: Option<&str>,
        cursor: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Page> {
        self.gate.check(py)?;
        self.orders_page(
            py,
            core::OrderList::Supplied,
            org,
            statuses,
            products,
            order_number,
            purchase_order,
            requested_from,
            requested_to,
            requested_by_org,
            cursor,
            limit,
        )
    }

    /// An organization, if the acting user may see it (their branches; the vendor's admins
    /// see all).
    fn organization(&self, py: Python<'_>, org: &str) -> PyResult<Organization> {
        self.gate.check(py)?;
        let org = parse(py, org)?;
        self.gate
            .run(py, || self.inner.organization(org))
            .map(Organization)
    }

    /// The organizations directly below `org`, in name order, `limit` per page.
    #[pyo3(signature = (org, *, cursor=None, limit=None))]
    fn child_orgs(
        &self,
        py: Python<'_>,
        org: &str,
        cursor: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<OrgPage> {
        self.gate.check(py)?;
        let org = parse(py, org)?;
        let (cursor, limit) = name_page(py, cursor, limit)?;
        self.gate
            .run(py, || self.inner.child_orgs(org, cursor.clone(), limit))
            .map(OrgPage)
    }

    /// `org` and the organizations below it down to `max_depth` levels (0: `org` alone; at
    /// most and by default 16), each with its depth: level by level, each level in name order.
    #[pyo3(signature = (org, max_depth=None, *, cursor=None, limit=None))]
    fn subtree(
        &self,
        py: Python<'_>,
        org: &str,
        max_depth: Option<&Bound<'_, PyAny>>,
        cursor: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<OrgTreePage> {
        self.gate.check(py)?;
        let org = parse(py, org)?;
        let depth = match max_depth {
            Some(d) => whole_u32(py, "max depth", d)?,
            None => core::MAX_SUBTREE_DEPTH,
        };
        let (cursor, limit) = name_page(py, cursor, limit)?;
        self.gate
            .run(py, || self.inner.subtree(org, depth, cursor.clone(), limit))
            .map(OrgTreePage)
    }

    /// The organizations the acting user may see whose name starts with `prefix`
    /// (case-insensitive; empty: all of them), in name order.
    #[pyo3(signature = (prefix="", *, cursor=None, limit=None))]
    fn search_orgs(
        &self,
        py: Python<'_>,
        prefix: &str,
        cursor: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<OrgPage> {
        self.gate.check(py)?;
        let (cursor, limit) = name_page(py, cursor, limit)?;
        self.gate
            .run(py, || self.inner.search_orgs(prefix, cursor.clone(), limit))
            .map(OrgPage)
    }

    /// A user, if the acting user may see them (themselves, and the admins of the
    /// organizations they see).
    fn find_user(&self, py: Python<'_>, user: &str) -> PyResult<User> {
        self.gate.check(py)?;
        let user = parse(py, user)?;
        self.gate.run(py, || self.inner.find_user(user)).map(User)
    }

    /// The users the acting user may see whose name or email starts with `prefix`
    /// (case-insensitive; empty: all of them), in name order.
    #[pyo3(signature = (prefix="", *, cursor=None, limit=None))]
    fn search_users(
        &self,
        py: Python<'_>,
        prefix: &str,
        cursor: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<UserPage> {
        self.gate.check(py)?;
        let (cursor, limit) = name_page(py, cursor, limit)?;
        self.gate
            .run(py, || {
                self.inner.search_users(prefix, cursor.clone(), limit)
            })
            .map(UserPage)
    }

    /// The admins of `org`, in name order.
    fn org_admins(&self, py: Python<'_>, org: &str) -> PyResult<Vec<User>> {
        self.gate.check(py)?;
        let org = parse(py, org)?;
        let users = self.gate.run(py, || self.inner.org_admins(org))?;
        Ok(users.into_iter().map(User).collect())
    }

    /// The admin roles of `user` the acting user may see, in organization-name order: what a
    /// Role menu offers.
    fn roles_of(&self, py: Python<'_>, user: &str) -> PyResult<Vec<Role>> {
        self.gate.check(py)?;
        let user = parse(py, user)?;
        let roles = self.gate.run(py, || self.inner.roles_of(user))?;
        Ok(roles.into_iter().map(Role).collect())
    }

    /// The tenant's products, in name order.
    #[pyo3(signature = (*, cursor=None, limit=None))]
    fn products(
        &self,
        py: Python<'_>,
        cursor: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<ProductPage> {
        self.gate.check(py)?;
        let (cursor, limit) = name_page(py, cursor, limit)?;
        self.gate
            .run(py, || self.inner.products(cursor.clone(), limit))
            .map(ProductPage)
    }

    /// A product of the tenant.
    fn product(&self, py: Python<'_>, product: &str) -> PyResult<Product> {
        self.gate.check(py)?;
        let product = parse(py, product)?;
        self.gate
            .run(py, || self.inner.product(product))
            .map(Product)
    }

    /// The tenant's bundles, in name order.
    #[pyo3(signature = (*, cursor=None, limit=None))]
    fn bundles(
        &self,
        py: Python<'_>,
        cursor: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<BundlePage> {
        self.gate.check(py)?;
        let (cursor, limit) = name_page(py, cursor, limit)?;
        self.gate
            .run(py, || self.inner.bundles(cursor.clone(), limit))
            .map(BundlePage)
    }

    /// A bundle of the tenant.
    fn bundle(&self, py: Python<'_>, bundle: &str) -> PyResult<Bundle> {
        self.gate.check(py)?;
        let bundle = parse(py, bundle)?;
        self.gate.run(py, || self.inner.bundle(bundle)).map(Bundle)
    }

    /// The summary of `org`: per product, units held and available, its pending requests, and
    /// the requests addressed to it awaiting approval.
    fn summary(&self, py: Python<'_>, org: &str) -> PyResult<Vec<SummaryLine>> {
        self.gate.check(py)?;
        let org = parse(py, org)?;
        let lines = self.gate.run(py, || self.inner.summary(org))?;
        Ok(lines.into_iter().map(SummaryLine).collect())
    }

    /// "Detail of Inventory Use" of an order: the order and its outgoing draws.
    fn detail_of_use(&self, py: Python<'_>, order: &str) -> PyResult<InventoryUse> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        self.gate
            .run(py, || self.inner.detail_of_use(order))
            .map(InventoryUse)
    }

    /// Edits an order's metadata, also after approval: `None` leaves a field as it is, `""`
    /// clears a text field, `campaign` (a mapping of strings) replaces all the parameters.
    /// Admins of the holder.
    #[pyo3(signature = (order, *, reference=None, campaign=None, download_id=None, is_test=None, is_trial=None))]
    #[allow(clippy::too_many_arguments)]
    fn edit_metadata(
        &self,
        py: Python<'_>,
        order: &str,
        reference: Option<String>,
        campaign: Option<&Bound<'_, PyAny>>,
        download_id: Option<String>,
        is_test: Option<bool>,
        is_trial: Option<bool>,
    ) -> PyResult<Order> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let edit = core::MetadataEdit {
            reference,
            campaign: campaign
                .map(|c| string_map(py, "campaign", c))
                .transpose()?,
            download_id,
            is_test,
            is_trial,
        };
        self.gate
            .run(py, || self.inner.edit_metadata(order, edit))
            .map(Order)
    }

    /// Adds or replaces an order's customer, or removes it with `None`. Admins of the holder.
    fn set_customer(
        &self,
        py: Python<'_>,
        order: &str,
        customer: Option<Customer>,
    ) -> PyResult<Order> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        self.gate
            .run(py, || self.inner.set_customer(order, customer.map(|c| c.0)))
            .map(Order)
    }

    /// Issues `quantity` licenses (or activation codes, for an activation-code product) from an
    /// order, all at once or not at all. Admins of the holder, or managers with `issue_license`.
    fn issue(
        &self,
        py: Python<'_>,
        order: &str,
        quantity: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<License>> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let quantity = whole(py, "quantity", quantity)?;
        let licenses = self.gate.run(py, || self.inner.issue(order, quantity))?;
        Ok(licenses.into_iter().map(License).collect())
    }

    /// Issues `quantity` licenses like `issue`, without returning them: they are made and
    /// stored in chunks, so a million takes the memory of one chunk. Returns the order and the
    /// new licenses' id range (`Issued`); read them with `licenses`.
    fn issue_in_bulk(
        &self,
        py: Python<'_>,
        order: &str,
        quantity: &Bound<'_, PyAny>,
    ) -> PyResult<Issued> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let quantity = whole(py, "quantity", quantity)?;
        self.gate
            .run(py, || self.inner.issue_in_bulk(order, quantity))
            .map(Issued)
    }

    /// Up to `limit` licenses of an order, by id; pass the last id of a page as `after` for the
    /// next one.
    #[pyo3(signature = (order, *, after=None, limit=None))]
    fn licenses(
        &self,
        py: Python<'_>,
        order: &str,
        after: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<License>> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let after = after.map(|a| parse(py, a)).transpose()?;
        let limit = match limit {
            Some(l) => size(py, "limit", l)?,
            None => core::DEFAULT_PAGE,
        };
        let licenses = self
            .gate
            .run(py, || self.inner.licenses(order, after, limit))?;
        Ok(licenses.into_iter().map(License).collect())
    }

    /// A license by its key, if the actor may see its order.
    fn license(&self, py: Python<'_>, key: &str) -> PyResult<License> {
        self.gate.check(py)?;
        self.gate.run(py, || self.inner.license(key)).map(License)
    }

    /// Removes one device from a license. Admins of the holder, or managers with
    /// `reset_device`.
    fn reset_device(&self, py: Python<'_>, license: &str, fingerprint: &str) -> PyResult<License> {
        self.gate.check(py)?;
        let license = parse(py, license)?;
        self.gate
            .run(py, || self.inner.reset_device(license, fingerprint))
            .map(License)
    }

    /// Removes every device from a license. Admins of the holder, or managers with
    /// `reset_license`.
    fn reset_license(&self, py: Python<'_>, license: &str) -> PyResult<License> {
        self.gate.check(py)?;
        let license = parse(py, license)?;
        self.gate
            .run(py, || self.inner.reset_license(license))
            .map(License)
    }

    /// Disables a license: it can no longer be activated, redeemed or borrowed. Admins of the
    /// holder.
    fn disable(&self, py: Python<'_>, license: &str) -> PyResult<License> {
        self.gate.check(py)?;
        let license = parse(py, license)?;
        self.gate
            .run(py, || self.inner.disable(license))
            .map(License)
    }

    /// Enables a disabled license again. Admins of the holder.
    fn enable(&self, py: Python<'_>, license: &str) -> PyResult<License> {
        self.gate.check(py)?;
        let license = parse(py, license)?;
        self.gate
            .run(py, || self.inner.enable(license))
            .map(License)
    }

    /// Borrows a floating license for `borrower` for `seconds`, within the policy's limits
    /// (else `BorrowLimit`). Admins of the holder, or managers with `borrow_license`.
    fn borrow(
        &self,
        py: Python<'_>,
        license: &str,
        borrower: &str,
        seconds: &Bound<'_, PyAny>,
    ) -> PyResult<License> {
        self.gate.check(py)?;
        let license = parse(py, license)?;
        let seconds = whole_u32(py, "seconds", seconds)?;
        self.gate
            .run(py, || self.inner.borrow(license, borrower, seconds))
            .map(License)
    }

    /// Returns `borrower`'s borrow of a floating license. Admins of the holder, or managers
    /// with `borrow_license`.
    fn return_borrow(&self, py: Python<'_>, license: &str, borrower: &str) -> PyResult<License> {
        self.gate.check(py)?;
        let license = parse(py, license)?;
        self.gate
            .run(py, || self.inner.return_borrow(license, borrower))
            .map(License)
    }

    /// Revokes an unused license: it is gone and its unit returns to its order (returned).
    /// Admins of the holder.
    fn revoke(&self, py: Python<'_>, license: &str) -> PyResult<Order> {
        self.gate.check(py)?;
        let license = parse(py, license)?;
        self.gate.run(py, || self.inner.revoke(license)).map(Order)
    }

    /// Adds a license user to an order, with an optional initial password. Admins of the
    /// holder, or managers with `manage_license_users` (and `manage_license_user_credentials`
    /// for a password).
    #[pyo3(signature = (order, email, *, name=None, password=None))]
    fn add_license_user(
        &self,
        py: Python<'_>,
        order: &str,
        email: String,
        name: Option<String>,
        password: Option<String>,
    ) -> PyResult<LicenseUser> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let new = core::NewLicenseUser {
            email,
            name,
            password,
        };
        self.gate
            .run(py, || self.inner.add_license_user(order, new))
            .map(LicenseUser)
    }

    /// Changes a license user's email and/or name (`None` leaves it). Admins of the holder, or
    /// managers with `manage_license_users`.
    #[pyo3(signature = (user, *, email=None, name=None))]
    fn edit_license_user(
        &self,
        py: Python<'_>,
        user: &str,
        email: Option<String>,
        name: Option<String>,
    ) -> PyResult<LicenseUser> {
        self.gate.check(py)?;
        let user = parse(py, user)?;
        self.gate
            .run(py, || self.inner.edit_license_user(user, email, name))
            .map(LicenseUser)
    }

    /// Deletes a license user; their licenses stay, without a user. Admins of the holder, or
    /// managers with `manage_license_users`.
    fn delete_license_user(&self, py: Python<'_>, user: &str) -> PyResult<()> {
        self.gate.check(py)?;
        let user = parse(py, user)?;
        self.gate.run(py, || self.inner.delete_license_user(user))
    }

    /// Gives a license to a license user of the same order, or takes it back with `None`.
    /// Admins of the holder, or managers with `manage_license_users`.
    fn assign_license(
        &self,
        py: Python<'_>,
        license: &str,
        user: Option<&str>,
    ) -> PyResult<License> {
        self.gate.check(py)?;
        let license = parse(py, license)?;
        let user = user.map(|u| parse(py, u)).transpose()?;
        self.gate
            .run(py, || self.inner.assign_license(license, user))
            .map(License)
    }

    /// Sets a license user's password (kept only as an Argon2id hash). Admins of the holder, or
    /// managers with `manage_license_user_credentials`.
    fn set_license_user_password(
        &self,
        py: Python<'_>,
        user: &str,
        password: &str,
    ) -> PyResult<()> {
        self.gate.check(py)?;
        let user = parse(py, user)?;
        self.gate
            .run(py, || self.inner.set_license_user_password(user, password))
    }

    /// The license users of an order.
    fn license_users(&self, py: Python<'_>, order: &str) -> PyResult<Vec<LicenseUser>> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let users = self.gate.run(py, || self.inner.license_users(order))?;
        Ok(users.into_iter().map(LicenseUser).collect())
    }

    /// Makes `user` a license manager of an order with `permissions` (an iterable of
    /// `Permission`), added to any they hold. Admins of the holder may grant any permission; a
    /// manager with `manage_managers` only those it holds. `create_order` and `issue_license`
    /// need the enterprise plan (else `PlanRequired`).
    fn add_license_manager(
        &self,
        py: Python<'_>,
        order: &str,
        user: &str,
        permissions: &Bound<'_, PyAny>,
    ) -> PyResult<LicenseManager> {
        self.gate.check(py)?;
        let (order, user) = (parse(py, order)?, parse(py, user)?);
        let permissions: Vec<core::Permission> = parse_all(py, "permissions", Some(permissions))?;
        self.gate
            .run(py, || {
                self.inner.add_license_manager(order, user, &permissions)
            })
            .map(LicenseManager)
    }

    /// Replaces the permissions of `user`, a license manager of `order`, with `permissions` (1
    /// or more). A manager with `manage_managers` may only add or take away permissions it
    /// holds itself.
    fn set_license_manager_permissions(
        &self,
        py: Python<'_>,
        order: &str,
        user: &str,
        permissions: &Bound<'_, PyAny>,
    ) -> PyResult<LicenseManager> {
        self.gate.check(py)?;
        let (order, user) = (parse(py, order)?, parse(py, user)?);
        let permissions: Vec<core::Permission> = parse_all(py, "permissions", Some(permissions))?;
        self.gate
            .run(py, || {
                self.inner
                    .set_license_manager_permissions(order, user, &permissions)
            })
            .map(LicenseManager)
    }

    /// Removes `user` as a license manager of `order`.
    fn remove_license_manager(&self, py: Python<'_>, order: &str, user: &str) -> PyResult<()> {
        self.gate.check(py)?;
        let (order, user) = (parse(py, order)?, parse(py, user)?);
        self.gate
            .run(py, || self.inner.remove_license_manager(order, user))
    }

    /// The license managers of an order.
    fn license_managers(&self, py: Python<'_>, order: &str) -> PyResult<Vec<LicenseManager>> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let managers = self.gate.run(py, || self.inner.license_managers(order))?;
        Ok(managers.into_iter().map(LicenseManager).collect())
    }

    /// Requests a bundle for `holder` from its parent: one request per line, the orders sharing
    /// one new `Order.bundle` id. Admins of the holder, or managers with `create_bundle_order`
    /// on one of its orders.
    #[pyo3(signature = (holder, bundle, *, purchase_order=None, comments=None))]
    fn request_bundle(
        &self,
        py: Python<'_>,
        holder: &str,
        bundle: &str,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> PyResult<Vec<Order>> {
        self.gate.check(py)?;
        let (holder, bundle) = (parse(py, holder)?, parse(py, bundle)?);
        let orders = self.gate.run(py, || {
            self.inner
                .request_bundle(holder, bundle, purchase_order, comments)
        })?;
        Ok(orders.into_iter().map(Order).collect())
    }

    /// Returns `quantity` unused units of an order to its source (to the orders they were drawn
    /// from, newest draw first). Admins of the holder.
    fn return_units(
        &self,
        py: Python<'_>,
        order: &str,
        quantity: &Bound<'_, PyAny>,
    ) -> PyResult<Order> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let quantity = whole(py, "quantity", quantity)?;
        self.gate
            .run(py, || self.inner.return_units(order, quantity))
            .map(Order)
    }

    /// Deletes an order and every license in it, irreversibly; refused with `OrderInUse` while
    /// child orders hold units drawn from it. Admins of the holder.
    fn delete_order(&self, py: Python<'_>, order: &str) -> PyResult<()> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        self.gate.run(py, || self.inner.delete_order(order))
    }

    /// Adds licenses with existing `keys` (an iterable of `str`, from another system, in the
    /// vendor's own format) to an order, like `issue` of as many: all or nothing. A malformed
    /// key raises `InvalidInput`, a repeated or existing one `Conflict`, each naming it by its
    /// position and first symbols. The licenses are marked `imported`.
    fn import_licenses(
        &self,
        py: Python<'_>,
        order: &str,
        keys: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<License>> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let keys: Vec<String> = convert::strings(py, "keys", keys)?;
        let licenses = self
            .gate
            .run(py, || self.inner.import_licenses(order, &keys))?;
        Ok(licenses.into_iter().map(License).collect())
    }

    /// `import_licenses` of the keys of the CSV file at `path`, in an order export's layout
    /// (its `license_key` column; rows without a key are skipped), as `export_order_csv`
    /// writes it: another system's export, or another tenant's, imports as it is.
    fn import_licenses_csv(
        &self,
        py: Python<'_>,
        order: &str,
        path: PathBuf,
    ) -> PyResult<Vec<License>> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        let licenses = self.gate.run(py, || {
            self.inner.import_licenses_csv_from_path(order, &path)
        })?;
        Ok(licenses.into_iter().map(License).collect())
    }

    /// Writes an order as CSV (RFC 4180, `ORDER_COLUMNS`) to the file at `path`: one row per
    /// license with the order's and customer's columns. Returns the number of data rows.
    /// Streamed from one snapshot with the GIL released, into a temporary file renamed over
    /// `path` once complete: a refused or failed export leaves `path` as it was.
    fn export_order_csv(&self, py: Python<'_>, order: &str, path: PathBuf) -> PyResult<u64> {
        self.gate.check(py)?;
        let order = parse(py, order)?;
        self.gate
            .run(py, || self.inner.export_order_csv_to_path(order, &path))
    }

    /// Writes the inventory list of `org` as CSV (`INVENTORY_COLUMNS`) to the file at `path`,
    /// newest first, filtered like `list`. Returns the number of data rows. Streamed with the
    /// GIL released and replaced atomically, like `export_order_csv`.
    #[pyo3(signature = (
        org, path, *, statuses=None, products=None, order_number=None, purchase_order=None,
        requested_from=None, requested_to=None, requested_by_org=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn export_inventory_csv(
        &self,
        py: Python<'_>,
        org: &str,
        path: PathBuf,
        statuses: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        order_number: Option<&Bound<'_, PyAny>>,
        purchase_order: Option<String>,
        requested_from: Option<&Bound<'_, PyAny>>,
        requested_to: Option<&Bound<'_, PyAny>>,
        requested_by_org: Option<&str>,
    ) -> PyResult<u64> {
        self.gate.check(py)?;
        let org = parse(py, org)?;
        let filter = inventory_filter(
            py,
            statuses,
            products,
            order_number,
            purchase_order,
            requested_from,
            requested_to,
            requested_by_org,
        )?;
        self.gate.run(py, || {
            self.inner.export_inventory_csv_to_path(org, &filter, &path)
        })
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Session(tenant={}, user={})",
            convert::repr(py, &self.inner.tenant().to_string()),
            convert::repr(py, &self.inner.user().to_string())
        )
    }
}

impl Session {
    /// One page of `list` of `org`, filtered.
    #[allow(clippy::too_many_arguments)]
    fn orders_page(
        &self,
        py: Python<'_>,
        list: core::OrderList,
        org: &str,
        statuses: Option<&Bound<'_, PyAny>>,
        products: Option<&Bound<'_, PyAny>>,
        order_number: Option<&Bound<'_, PyAny>>,
        purchase_order: Option<String>,
        requested_from: Option<&Bound<'_, PyAny>>,
        requested_to: Option<&Bound<'_, PyAny>>,
        requested_by_org: Option<&str>,
        cursor: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Page> {
        self.gate.check(py)?;
        let org = parse(py, org)?;
        let filter = inventory_filter(
            py,
            statuses,
            products,
            order_number,
            purchase_order,
            requested_from,
            requested_to,
            requested_by_org,
        )?;
        let cursor = cursor.map(|c| parse(py, c)).transpose()?;
        let limit = match limit {
            Some(l) => size(py, "limit", l)?,
            None => core::DEFAULT_PAGE,
        };
        self.gate
            .run(py, || self.inner.list_of(list, org, &filter, cursor, limit))
            .map(Page)
    }
}

/// The cursor and page size of a directory read (the core's default page when left out).
fn name_page(
    py: Python<'_>,
    cursor: Option<&str>,
    limit: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Option<core::NameCursor>, usize)> {
    let cursor = cursor.map(|c| parse(py, c)).transpose()?;
    let limit = match limit {
        Some(l) => size(py, "limit", l)?,
        None => core::DEFAULT_PAGE,
    };
    Ok((cursor, limit))
}

/// The `after` and `limit` of a ledger read (0 and the default page when left out).
fn ledger_page(
    py: Python<'_>,
    after: Option<&Bound<'_, PyAny>>,
    limit: Option<&Bound<'_, PyAny>>,
) -> PyResult<(u64, usize)> {
    let after = whole_opt(py, "after", after)?.unwrap_or(0);
    let limit = match limit {
        Some(l) => size(py, "limit", l)?,
        None => core::DEFAULT_PAGE,
    };
    Ok((after, limit))
}

/// The filters of `Session.list` and `Session.export_inventory_csv`.
#[allow(clippy::too_many_arguments)] // one per keyword argument of the filter
fn inventory_filter(
    py: Python<'_>,
    statuses: Option<&Bound<'_, PyAny>>,
    products: Option<&Bound<'_, PyAny>>,
    order_number: Option<&Bound<'_, PyAny>>,
    purchase_order: Option<String>,
    requested_from: Option<&Bound<'_, PyAny>>,
    requested_to: Option<&Bound<'_, PyAny>>,
    requested_by_org: Option<&str>,
) -> PyResult<core::InventoryFilter> {
    Ok(core::InventoryFilter {
        requested_by_org: requested_by_org.map(|o| parse(py, o)).transpose()?,
        statuses: parse_all(py, "statuses", statuses)?,
        products: parse_all(py, "products", products)?,
        order_number: whole_opt(py, "order_number", order_number)?.map(core::OrderNumber),
        purchase_order,
        requested_from: utc_opt(py, "requested_from", requested_from)?,
        requested_to: utc_opt(py, "requested_to", requested_to)?,
    })
}
