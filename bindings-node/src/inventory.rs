//! The two JS classes: `Inventory` (a store: provisioning, ledger, audit, clock) and `Session`
//! (a user acting on it). Handles over the core's types that only convert and delegate; every
//! method that touches the store returns a Promise and runs on the libuv thread pool.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use license_inventory as li;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;

use crate::convert::{
    ApproveOptions, Audit, InventoryUse, LedgerEntry, LedgerOptions, ListOptions, NewAssignment,
    NewMint, NewOrganization, NewProduct, NewRequest, NewTenant, NewUser, Order, OrderDetails,
    OrderPage, Organization, PostgresOptions, Product, RejectOptions, RequestEdit, SqliteOptions,
    SummaryLine, Tenant, User, id, to_u64,
};
use crate::task::{Op, run};

/// A license inventory over one store (in memory, an SQLite file or a PostgreSQL database).
///
/// Open one with `Inventory.openMemory()`, `Inventory.openSqlite(path)` or
/// `Inventory.openPostgres(url)`. It provisions tenants, organizations, users and products (the
/// host application's job), reads the ledger and audits; everything a user does goes through
/// `session(tenantId, userId)`.
#[napi]
pub struct Inventory {
    inner: li::Inventory,
    clock: Arc<li::ManualClock>,
}

impl Inventory {
    fn over(store: li::Inventory) -> Self {
        let clock = Arc::new(li::ManualClock::default());
        Inventory {
            inner: store.with_clock(clock.clone()),
            clock,
        }
    }

    /// A clone of the core handle for a task (cheap: it is reference-counted).
    fn core(&self) -> li::Inventory {
        self.inner.clone()
    }
}

#[napi]
impl Inventory {
    /// Opens an inventory held in memory (nothing is persisted).
    #[napi(ts_return_type = "Promise<Inventory>")]
    pub fn open_memory() -> AsyncTask<Op<Inventory>> {
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

    /// Pins the clock the inventory stamps its changes with to `at`; `null` follows the system
    /// clock again. For replays, imports and tests.
    #[napi]
    pub fn set_time(&self, at: Option<DateTime<Utc>>) {
        self.clock.set(at);
    }

    /// Creates a tenant and its vendor (root) organization.
    #[napi(ts_return_type = "Promise<Tenant>")]
    pub fn create_tenant(&self, tenant: NewTenant) -> AsyncTask<Op<Tenant>> {
        let inv = self.core();
        run(move || Ok(inv.create_tenant(tenant.into_core()?)?.into()))
    }

    /// Reads a tenant.
    #[napi(ts_return_type = "Promise<Tenant>")]
    pub fn tenant(&self, tenant_id: String) -> AsyncTask<Op<Tenant>> {
        let inv = self.core();
        run(move || Ok(inv.tenant(id(&tenant_id)?)?.into()))
    }

    /// Every tenant in the store, oldest first (to find one again in a reopened store).
    #[napi(ts_return_type = "Promise<Array<Tenant>>")]
    pub fn tenants(&self) -> AsyncTask<Op<Vec<Tenant>>> {
        let inv = self.core();
        run(move || Ok(inv.tenants()?.into_iter().map(Into::into).collect()))
    }

    /// Creates an organization under a parent of a strictly higher tier.
    #[napi(ts_return_type = "Promise<Organization>")]
    pub fn create_org(
        &self,
        tenant_id: String,
        org: NewOrganization,
    ) -> AsyncTask<Op<Organization>> {
        let inv = self.core();
        run(move || Ok(inv.create_org(id(&tenant_id)?, org.into_core()?)?.into()))
    }

    /// Reads an organization.
    #[napi(ts_return_type = "Promise<Organization>")]
    pub fn org(&self, tenant_id: String, org_id: String) -> AsyncTask<Op<Organization>> {
        let inv = self.core();
        run(move || Ok(inv.org(id(&tenant_id)?, id(&org_id)?)?.into()))
    }

    /// Deactivates an organization: it keeps its inventory but can no longer request, approve
    /// or be assigned.
    #[napi(ts_return_type = "Promise<Organization>")]
    pub fn deactivate_org(&self, tenant_id: String, org_id: String) -> AsyncTask<Op<Organization>> {
        let inv = self.core();
        run(move || Ok(inv.deactivate_org(id(&tenant_id)?, id(&org_id)?)?.into()))
    }

    /// Creates a user (email unique within the tenant).
    #[napi(ts_return_type = "Promise<User>")]
    pub fn create_user(&self, tenant_id: String, user: NewUser) -> AsyncTask<Op<User>> {
        let inv = self.core();
        run(move || Ok(inv.create_user(id(&tenant_id)?, user.into())?.into()))
    }

    /// Reads a user.
    #[napi(ts_return_type = "Promise<User>")]
    pub fn user(&self, tenant_id: String, user_id: String) -> AsyncTask<Op<User>> {
        let inv = self.core();
        run(move || Ok(inv.user(id(&tenant_id)?, id(&user_id)?)?.into()))
    }

    /// Makes a user an admin of an organization.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn grant_admin(
        &self,
        tenant_id: String,
        user_id: String,
        org_id: String,
    ) -> AsyncTask<Op<()>> {
        let inv = self.core();
        run(move || inv.grant_admin(id(&tenant_id)?, id(&user_id)?, id(&org_id)?))
    }

    /// Defines a product (inventory type).
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn create_product(&self, tenant_id: String, product: NewProduct) -> AsyncTask<Op<Product>> {
        let inv = self.core();
        run(move || Ok(inv.create_product(id(&tenant_id)?, product.into())?.into()))
    }

    /// Reads a product.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn product(&self, tenant_id: String, product_id: String) -> AsyncTask<Op<Product>> {
        let inv = self.core();
        run(move || Ok(inv.product(id(&tenant_id)?, id(&product_id)?)?.into()))
    }

    /// Reads a product by its code.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn product_by_code(&self, tenant_id: String, code: String) -> AsyncTask<Op<Product>> {
        let inv = self.core();
        run(move || Ok(inv.product_by_code(id(&tenant_id)?, &code)?.into()))
    }

    /// A session acting as `userId`: every action is checked against the user's roles.
    #[napi(ts_return_type = "Promise<Session>")]
    pub fn session(&self, tenant_id: String, user_id: String) -> AsyncTask<Op<Session>> {
        let inv = self.core();
        run(move || {
            Ok(Session {
                inner: inv.session(id(&tenant_id)?, id(&user_id)?)?,
            })
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
        let inv = self.core();
        run(move || {
            let (after, limit) = match options {
                Some(o) => o.into_core()?,
                None => (0, li::DEFAULT_PAGE),
            };
            let entries = inv.ledger(id(&tenant_id)?, after, limit)?;
            Ok(entries.into_iter().map(Into::into).collect())
        })
    }

    /// Checks a whole tenant: conservation, the ledger's hash chain, and that replaying the
    /// ledger rebuilds every order.
    #[napi(ts_return_type = "Promise<Audit>")]
    pub fn audit(&self, tenant_id: String) -> AsyncTask<Op<Audit>> {
        let inv = self.core();
        run(move || Ok(inv.audit(id(&tenant_id)?)?.into()))
    }
}

/// A user acting on the inventory; get one with `inventory.session(tenantId, userId)`.
#[napi]
pub struct Session {
    inner: li::Session,
}

impl Session {
    fn core(&self) -> li::Session {
        self.inner.clone()
    }
}

#[napi]
impl Session {
    /// The acting user's id.
    #[napi(getter)]
    pub fn user_id(&self) -> String {
        self.inner.user().to_string()
    }

    /// The tenant's id.
    #[napi(getter)]
    pub fn tenant_id(&self) -> String {
        self.inner.tenant().to_string()
    }

    /// Mints new stock into an order held by the vendor (vendor admins only).
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn mint(&self, mint: NewMint) -> AsyncTask<Op<Order>> {
        let s = self.core();
        run(move || Ok(s.mint(mint.into_core()?)?.into()))
    }

    /// Requests units for `holder` from its parent organization.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn request(&self, request: NewRequest) -> AsyncTask<Op<Order>> {
        let s = self.core();
        run(move || Ok(s.request(request.into_core()?)?.into()))
    }

    /// Edits a pending request.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn edit_request(&self, order_id: String, edit: RequestEdit) -> AsyncTask<Op<Order>> {
        let s = self.core();
        run(move || Ok(s.edit_request(id(&order_id)?, edit.into_core()?)?.into()))
    }

    /// Cancels (withdraws) a pending request.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn cancel(&self, order_id: String) -> AsyncTask<Op<Order>> {
        let s = self.core();
        run(move || Ok(s.cancel(id(&order_id)?)?.into()))
    }

    /// Approves a request addressed to the actor's organization, drawing the units from its
    /// stock (or minting them at the vendor).
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn approve(
        &self,
        order_id: String,
        options: Option<ApproveOptions>,
    ) -> AsyncTask<Op<Order>> {
        let s = self.core();
        run(move || {
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
        let s = self.core();
        run(move || {
            let comments = options.and_then(|o| o.comments);
            Ok(s.reject(id(&order_id)?, comments)?.into())
        })
    }

    /// Assigns (pushes) units to a child organization: an order born active.
    #[napi(ts_return_type = "Promise<Order>")]
    pub fn assign(&self, assignment: NewAssignment) -> AsyncTask<Op<Order>> {
        let s = self.core();
        run(move || Ok(s.assign(assignment.into_core()?)?.into()))
    }

    /// An order with its names ("Order Details").
    #[napi(ts_return_type = "Promise<OrderDetails>")]
    pub fn order(&self, order_id: String) -> AsyncTask<Op<OrderDetails>> {
        let s = self.core();
        run(move || Ok(s.order(id(&order_id)?)?.into()))
    }

    /// An order by its number.
    #[napi(ts_return_type = "Promise<OrderDetails>")]
    pub fn order_by_number(&self, number: f64) -> AsyncTask<Op<OrderDetails>> {
        let s = self.core();
        run(move || {
            let number = li::OrderNumber(to_u64("order number", number)?);
            Ok(s.order_by_number(number)?.into())
        })
    }

    /// The inventory list of an organization, newest first, one page at a time.
    #[napi(ts_return_type = "Promise<OrderPage>")]
    pub fn list(&self, org_id: String, options: Option<ListOptions>) -> AsyncTask<Op<OrderPage>> {
        let s = self.core();
        run(move || {
            let (filter, cursor, limit) = match options {
                Some(o) => o.into_core()?,
                None => (li::InventoryFilter::default(), None, li::DEFAULT_PAGE),
            };
            Ok(s.list(id(&org_id)?, &filter, cursor, limit)?.into())
        })
    }

    /// The summary of an organization, per product.
    #[napi(ts_return_type = "Promise<Array<SummaryLine>>")]
    pub fn summary(&self, org_id: String) -> AsyncTask<Op<Vec<SummaryLine>>> {
        let s = self.core();
        run(move || {
            Ok(s.summary(id(&org_id)?)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// "Detail of Inventory Use" of an order: the order and its outgoing draws.
    #[napi(ts_return_type = "Promise<InventoryUse>")]
    pub fn detail_of_use(&self, order_id: String) -> AsyncTask<Op<InventoryUse>> {
        let s = self.core();
        run(move || Ok(s.detail_of_use(id(&order_id)?)?.into()))
    }
}
