//! The handles Swift holds: `Inventory` (a store plus its clock) and `Session` (a user acting on
//! it). Each method converts its arguments, delegates to the core, and converts the result.

use std::sync::Arc;
use std::time::SystemTime;

use license_inventory as core;

use crate::error::Result;
use crate::types::{
    Audit, InventoryFilter, InventoryUse, LedgerEntry, Order, OrderDetails, OrderId, OrderPage,
    OrgId, Organization, Plan, Product, ProductId, ProductKind, SummaryLine, Tenant, TenantId,
    Tier, User, UserId, core_time,
};

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
    #[uniffi::constructor]
    pub fn open_sqlite(path: String) -> Result<Arc<Self>> {
        Ok(Self::over(core::Inventory::open_sqlite(path)?))
    }

    /// An inventory in a PostgreSQL database, shared by any number of processes and machines;
    /// the schema is created and migrated as needed. `url` is a libpq URL
    /// (`postgres://user@host/db`) or key/value string (`host=/run/postgresql dbname=x`); a
    /// malformed one is `InvalidInput`, an unreachable database `Storage`.
    ///
    /// `max_connections` (this handle's pool), `max_retries` (of a transaction after a
    /// serialization failure or deadlock) and `migrate` (`false`: refuse an older schema rather
    /// than upgrade it) override the core's defaults when given.
    #[uniffi::constructor(default(max_connections = None, max_retries = None, migrate = None))]
    pub fn open_postgres(
        url: String,
        max_connections: Option<u32>,
        max_retries: Option<u32>,
        migrate: Option<bool>,
    ) -> Result<Arc<Self>> {
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
        let store = core::PostgresStore::connect_with(&url, options)?;
        Ok(Self::over(core::Inventory::new(store)))
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
        let new = core::NewTenant {
            name,
            plan: plan.into(),
            vendor_name,
            first_order_number,
        };
        Ok(self.inner.create_tenant(new)?.into())
    }

    /// Reads a tenant.
    pub fn tenant(&self, id: TenantId) -> Result<Tenant> {
        Ok(self.inner.tenant(id.into())?.into())
    }

    /// Every tenant in the store, oldest first (to find one again in a reopened store).
    pub fn tenants(&self) -> Result<Vec<Tenant>> {
        Ok(self.inner.tenants()?.into_iter().map(Into::into).collect())
    }

    /// Creates an organization under `parent`, whose tier must be strictly higher.
    pub fn create_org(
        &self,
        tenant: TenantId,
        name: String,
        tier: Tier,
        parent: OrgId,
    ) -> Result<Organization> {
        let new = core::NewOrganization {
            name,
            tier: tier.into(),
            parent: parent.into(),
        };
        Ok(self.inner.create_org(tenant.into(), new)?.into())
    }

    /// Reads an organization.
    pub fn org(&self, tenant: TenantId, id: OrgId) -> Result<Organization> {
        Ok(self.inner.org(tenant.into(), id.into())?.into())
    }

    /// Deactivates an organization: it keeps its orders but cannot request, approve, assign or
    /// receive inventory any more.
    pub fn deactivate_org(&self, tenant: TenantId, id: OrgId) -> Result<Organization> {
        Ok(self.inner.deactivate_org(tenant.into(), id.into())?.into())
    }

    /// Creates a user; the email must be unique within the tenant.
    pub fn create_user(&self, tenant: TenantId, name: String, email: String) -> Result<User> {
        let new = core::NewUser { name, email };
        Ok(self.inner.create_user(tenant.into(), new)?.into())
    }

    /// Reads a user.
    pub fn user(&self, tenant: TenantId, id: UserId) -> Result<User> {
        Ok(self.inner.user(tenant.into(), id.into())?.into())
    }

    /// Makes `user` an admin of `org` (idempotent). Admins of the vendor are system
    /// administrators.
    pub fn grant_admin(&self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        Ok(self
            .inner
            .grant_admin(tenant.into(), user.into(), org.into())?)
    }

    /// Defines a product; its code must be unique within the tenant.
    pub fn create_product(
        &self,
        tenant: TenantId,
        code: String,
        name: String,
        kind: ProductKind,
    ) -> Result<Product> {
        let new = core::NewProduct {
            code,
            name,
            kind: kind.into(),
        };
        Ok(self.inner.create_product(tenant.into(), new)?.into())
    }

    /// Reads a product.
    pub fn product(&self, tenant: TenantId, id: ProductId) -> Result<Product> {
        Ok(self.inner.product(tenant.into(), id.into())?.into())
    }

    /// Reads a product by its code.
    pub fn product_by_code(&self, tenant: TenantId, code: String) -> Result<Product> {
        Ok(self.inner.product_by_code(tenant.into(), &code)?.into())
    }

    /// Acts as `user`: every action of the returned session is checked against their roles.
    pub fn session(&self, tenant: TenantId, user: UserId) -> Result<Arc<Session>> {
        Ok(Arc::new(Session(
            self.inner.session(tenant.into(), user.into())?,
        )))
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
        let entries = self.inner.ledger(tenant.into(), after, page_size(limit))?;
        Ok(entries.into_iter().map(Into::into).collect())
    }

    /// Checks a whole tenant: every order's conservation rule, the tenant's total, the ledger's
    /// hash chain, and that replaying the ledger rebuilds every order's quantities.
    pub fn audit(&self, tenant: TenantId) -> Result<Audit> {
        Ok(self.inner.audit(tenant.into())?.into())
    }
}

/// A user acting on the inventory; every call checks the user's roles.
#[derive(Debug, uniffi::Object)]
pub struct Session(core::Session);

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

    /// Mints new stock into an order held by the vendor. Vendor admins only.
    #[uniffi::method(default(purchase_order = None, comments = None))]
    pub fn mint(
        &self,
        product: ProductId,
        quantity: u64,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> Result<Order> {
        let new = core::NewMint {
            product: product.into(),
            quantity,
            purchase_order,
            comments,
        };
        Ok(self.0.mint(new)?.into())
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
        let new = core::NewRequest {
            holder: holder.into(),
            product: product.into(),
            quantity,
            purchase_order,
            comments,
        };
        Ok(self.0.request(new)?.into())
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
        let edit = core::RequestEdit {
            purchase_order,
            product: product.map(Into::into),
            quantity,
            comments,
        };
        Ok(self.0.edit_request(order.into(), edit)?.into())
    }

    /// Cancels (withdraws) a pending request.
    pub fn cancel(&self, order: OrderId) -> Result<Order> {
        Ok(self.0.cancel(order.into())?.into())
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
        Ok(self.0.approve(order.into(), quantity, comments)?.into())
    }

    /// Rejects a request addressed to one of the actor's organizations.
    #[uniffi::method(default(comments = None))]
    pub fn reject(&self, order: OrderId, comments: Option<String>) -> Result<Order> {
        Ok(self.0.reject(order.into(), comments)?.into())
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
        let new = core::NewAssignment {
            from: from.into(),
            to: to.into(),
            product: product.into(),
            quantity,
            purchase_order,
            comments,
        };
        Ok(self.0.assign(new)?.into())
    }

    /// An order with its names ("Order Details"), if the actor may see it.
    pub fn order(&self, id: OrderId) -> Result<OrderDetails> {
        Ok(self.0.order(id.into())?.into())
    }

    /// An order by its number, if the actor may see it.
    pub fn order_by_number(&self, number: u64) -> Result<OrderDetails> {
        Ok(self.0.order_by_number(core::OrderNumber(number))?.into())
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
        let filter = core::InventoryFilter::from(filter.unwrap_or_default());
        let cursor = cursor
            .as_deref()
            .map(str::parse::<core::Cursor>)
            .transpose()?;
        Ok(self
            .0
            .list(org.into(), &filter, cursor, page_size(limit))?
            .into())
    }

    /// The summary of `org`: per product, units held and available, its pending requests, and
    /// the requests addressed to it awaiting approval.
    pub fn summary(&self, org: OrgId) -> Result<Vec<SummaryLine>> {
        Ok(self
            .0
            .summary(org.into())?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// "Detail of Inventory Use" of an order: the order and its outgoing draws.
    pub fn detail_of_use(&self, order: OrderId) -> Result<InventoryUse> {
        Ok(self.0.detail_of_use(order.into())?.into())
    }
}

/// A page size for the core (which checks its range); `None` is the core's default.
fn page_size(limit: Option<u32>) -> usize {
    limit.map_or(core::DEFAULT_PAGE, |l| {
        usize::try_from(l).unwrap_or(usize::MAX)
    })
}
