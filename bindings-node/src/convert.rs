//! JS-facing values (plain objects and string unions) and their conversions from and to the
//! core's types. Conversion only: every rule stays in the core.
//!
//! - ids are strings (hyphenated UUIDs), parsed by the core's `FromStr` (a bad id is the core's
//!   `INVALID_INPUT`);
//! - quantities and order numbers are JS numbers, checked to be non-negative safe integers;
//! - times are `Date`s;
//! - an absent value is `null` in what the binding returns, `undefined` (or `null`) in what it
//!   takes.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use license_inventory as li;
use napi_derive::napi;

// ---------------------------------------------------------------------------------------------
// Scalars

/// The largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A core count as a JS number (exact up to 2^53, far above any quantity the core accepts).
pub(crate) fn num(v: u64) -> f64 {
    v as f64
}

/// A JS number as a non-negative integer; anything else is the core's `INVALID_INPUT`.
pub(crate) fn to_u64(field: &'static str, v: f64) -> li::Result<u64> {
    if v.is_finite() && v.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&v) {
        Ok(v as u64)
    } else {
        Err(li::Error::InvalidInput {
            field,
            reason: format!("{v} is not a non-negative integer"),
        })
    }
}

/// A JS number as a count of items (a page size).
pub(crate) fn to_usize(field: &'static str, v: f64) -> li::Result<usize> {
    let n = to_u64(field, v)?;
    usize::try_from(n).map_err(|_| li::Error::InvalidInput {
        field,
        reason: format!("{v} is too large"),
    })
}

/// Parses an id string with the core's parser.
pub(crate) fn id<T: FromStr<Err = li::Error>>(s: &str) -> li::Result<T> {
    s.parse()
}

fn ids<T: FromStr<Err = li::Error>>(v: Option<Vec<String>>) -> li::Result<Vec<T>> {
    v.unwrap_or_default().iter().map(|s| id(s)).collect()
}

fn opt_id<T: FromStr<Err = li::Error>>(s: Option<String>) -> li::Result<Option<T>> {
    s.as_deref().map(id).transpose()
}

fn id_str(id: impl ToString) -> String {
    id.to_string()
}

// ---------------------------------------------------------------------------------------------
// String unions

/// A tier of the channel tree, top to bottom.
#[napi(string_enum = "snake_case")]
pub enum Tier {
    /// The root; mints inventory.
    Vendor,
    /// Distributor.
    Distributor,
    /// Reseller.
    Reseller,
    /// Hub.
    Hub,
    /// Center.
    Center,
}

impl From<Tier> for li::Tier {
    fn from(t: Tier) -> Self {
        match t {
            Tier::Vendor => li::Tier::Vendor,
            Tier::Distributor => li::Tier::Distributor,
            Tier::Reseller => li::Tier::Reseller,
            Tier::Hub => li::Tier::Hub,
            Tier::Center => li::Tier::Center,
        }
    }
}

impl From<li::Tier> for Tier {
    fn from(t: li::Tier) -> Self {
        match t {
            li::Tier::Vendor => Tier::Vendor,
            li::Tier::Distributor => Tier::Distributor,
            li::Tier::Reseller => Tier::Reseller,
            li::Tier::Hub => Tier::Hub,
            li::Tier::Center => Tier::Center,
        }
    }
}

/// A tenant's pricing plan.
#[napi(string_enum = "snake_case")]
pub enum Plan {
    /// The standard plan.
    Standard,
    /// The enterprise plan.
    Enterprise,
}

impl From<Plan> for li::Plan {
    fn from(p: Plan) -> Self {
        match p {
            Plan::Standard => li::Plan::Standard,
            Plan::Enterprise => li::Plan::Enterprise,
        }
    }
}

impl From<li::Plan> for Plan {
    fn from(p: li::Plan) -> Self {
        match p {
            li::Plan::Standard => Plan::Standard,
            li::Plan::Enterprise => Plan::Enterprise,
        }
    }
}

/// How a unit of a product is delivered.
#[napi(string_enum = "snake_case")]
pub enum ProductKind {
    /// A one-time code an end user redeems ("User Activation Codes").
    ActivationCode,
    /// A license ("Center License").
    License,
}

impl From<ProductKind> for li::ProductKind {
    fn from(k: ProductKind) -> Self {
        match k {
            ProductKind::ActivationCode => li::ProductKind::ActivationCode,
            ProductKind::License => li::ProductKind::License,
        }
    }
}

impl From<li::ProductKind> for ProductKind {
    fn from(k: li::ProductKind) -> Self {
        match k {
            li::ProductKind::ActivationCode => ProductKind::ActivationCode,
            li::ProductKind::License => ProductKind::License,
        }
    }
}

/// The life of an order.
#[napi(string_enum = "snake_case")]
pub enum OrderStatus {
    /// Pending: asked for, not yet approved.
    Requested,
    /// Approved with units available.
    Active,
    /// Approved, no unit available.
    Depleted,
    /// Refused by the source organization.
    Rejected,
    /// Withdrawn by the requester.
    Cancelled,
}

impl From<OrderStatus> for li::OrderStatus {
    fn from(s: OrderStatus) -> Self {
        match s {
            OrderStatus::Requested => li::OrderStatus::Requested,
            OrderStatus::Active => li::OrderStatus::Active,
            OrderStatus::Depleted => li::OrderStatus::Depleted,
            OrderStatus::Rejected => li::OrderStatus::Rejected,
            OrderStatus::Cancelled => li::OrderStatus::Cancelled,
        }
    }
}

impl From<li::OrderStatus> for OrderStatus {
    fn from(s: li::OrderStatus) -> Self {
        match s {
            li::OrderStatus::Requested => OrderStatus::Requested,
            li::OrderStatus::Active => OrderStatus::Active,
            li::OrderStatus::Depleted => OrderStatus::Depleted,
            li::OrderStatus::Rejected => OrderStatus::Rejected,
            li::OrderStatus::Cancelled => OrderStatus::Cancelled,
        }
    }
}

/// What kind of change a ledger entry records.
#[napi(string_enum = "snake_case")]
pub enum LedgerKind {
    /// A tenant (and its vendor org) was created.
    TenantCreated,
    /// An organization was created.
    OrgCreated,
    /// An organization was deactivated.
    OrgDeactivated,
    /// A user was created.
    UserCreated,
    /// A user was made admin of an organization.
    AdminGranted,
    /// A product was defined.
    ProductCreated,
    /// The vendor minted stock.
    Minted,
    /// A request was made.
    Requested,
    /// A pending request was edited.
    RequestEdited,
    /// A pending request was cancelled.
    Cancelled,
    /// A request was approved.
    Approved,
    /// A request was rejected.
    Rejected,
    /// Units were assigned (pushed) to a child.
    Assigned,
    /// An order's metadata was edited.
    MetadataEdited,
    /// An order's customer was added, edited or removed.
    CustomerSet,
    /// A bundle was defined.
    BundleCreated,
    /// A product's license policy was changed.
    ProductPolicySet,
    /// Licenses or codes were issued from an order.
    LicensesIssued,
    /// An unused license was revoked; its unit went back to its order.
    LicenseRevoked,
    /// A license was disabled.
    LicenseDisabled,
    /// A license was enabled again.
    LicenseEnabled,
    /// A license was activated on a device.
    LicenseActivated,
    /// A device deactivated its license.
    LicenseDeactivated,
    /// A device was removed from a license.
    DeviceReset,
    /// Every device was removed from a license.
    LicenseReset,
    /// A floating license was borrowed.
    LicenseBorrowed,
    /// A floating borrow was returned.
    BorrowReturned,
    /// An activation code was redeemed.
    CodeRedeemed,
    /// A license user was added.
    LicenseUserAdded,
    /// A license user was edited.
    LicenseUserEdited,
    /// A license user was deleted.
    LicenseUserDeleted,
    /// A license user's password was set.
    LicenseUserPasswordSet,
    /// A license was given to (or taken from) a license user.
    LicenseAssigned,
    /// A license manager was added or given permissions.
    ManagerAdded,
    /// A license manager was removed.
    ManagerRemoved,
    /// An order and its licenses were deleted.
    OrderDeleted,
    /// Unused units were returned to their source.
    UnitsReturned,
}

impl From<li::LedgerKind> for LedgerKind {
    fn from(k: li::LedgerKind) -> Self {
        use li::LedgerKind as K;
        match k {
            K::TenantCreated => LedgerKind::TenantCreated,
            K::OrgCreated => LedgerKind::OrgCreated,
            K::OrgDeactivated => LedgerKind::OrgDeactivated,
            K::UserCreated => LedgerKind::UserCreated,
            K::AdminGranted => LedgerKind::AdminGranted,
            K::ProductCreated => LedgerKind::ProductCreated,
            K::Minted => LedgerKind::Minted,
            K::Requested => LedgerKind::Requested,
            K::RequestEdited => LedgerKind::RequestEdited,
            K::Cancelled => LedgerKind::Cancelled,
            K::Approved => LedgerKind::Approved,
            K::Rejected => LedgerKind::Rejected,
            K::Assigned => LedgerKind::Assigned,
            K::MetadataEdited => LedgerKind::MetadataEdited,
            K::CustomerSet => LedgerKind::CustomerSet,
            K::BundleCreated => LedgerKind::BundleCreated,
            K::ProductPolicySet => LedgerKind::ProductPolicySet,
            K::LicensesIssued => LedgerKind::LicensesIssued,
            K::LicenseRevoked => LedgerKind::LicenseRevoked,
            K::LicenseDisabled => LedgerKind::LicenseDisabled,
            K::LicenseEnabled => LedgerKind::LicenseEnabled,
            K::LicenseActivated => LedgerKind::LicenseActivated,
            K::LicenseDeactivated => LedgerKind::LicenseDeactivated,
            K::DeviceReset => LedgerKind::DeviceReset,
            K::LicenseReset => LedgerKind::LicenseReset,
            K::LicenseBorrowed => LedgerKind::LicenseBorrowed,
            K::BorrowReturned => LedgerKind::BorrowReturned,
            K::CodeRedeemed => LedgerKind::CodeRedeemed,
            K::LicenseUserAdded => LedgerKind::LicenseUserAdded,
            K::LicenseUserEdited => LedgerKind::LicenseUserEdited,
            K::LicenseUserDeleted => LedgerKind::LicenseUserDeleted,
            K::LicenseUserPasswordSet => LedgerKind::LicenseUserPasswordSet,
            K::LicenseAssigned => LedgerKind::LicenseAssigned,
            K::ManagerAdded => LedgerKind::ManagerAdded,
            K::ManagerRemoved => LedgerKind::ManagerRemoved,
            K::OrderDeleted => LedgerKind::OrderDeleted,
            K::UnitsReturned => LedgerKind::UnitsReturned,
        }
    }
}

/// SQLite's durability setting for each commit.
#[napi(string_enum = "snake_case")]
pub enum Synchronous {
    /// Survives a crash of the process; the last commits may be lost on a power cut.
    Normal,
    /// Survives a power cut.
    Full,
}

impl From<Synchronous> for li::Synchronous {
    fn from(s: Synchronous) -> Self {
        match s {
            Synchronous::Normal => li::Synchronous::Normal,
            Synchronous::Full => li::Synchronous::Full,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// How to open an SQLite store; what is left out keeps the core's default.
#[napi(object)]
pub struct SqliteOptions {
    /// Durability of each commit.
    pub synchronous: Option<Synchronous>,
    /// How long a writer waits for another connection's write lock before failing, in ms.
    pub busy_timeout_ms: Option<f64>,
    /// Upgrade an older schema (true) or refuse to open it.
    pub migrate: Option<bool>,
}

impl SqliteOptions {
    pub(crate) fn into_core(self) -> li::Result<li::SqliteOptions> {
        let mut options = li::SqliteOptions::default();
        if let Some(s) = self.synchronous {
            options.synchronous = s.into();
        }
        if let Some(ms) = self.busy_timeout_ms {
            options.busy_timeout = std::time::Duration::from_millis(to_u64("busy timeout", ms)?);
        }
        if let Some(m) = self.migrate {
            options.migrate = m;
        }
        Ok(options)
    }
}

/// How to open a PostgreSQL store; what is left out keeps the core's default.
#[napi(object)]
pub struct PostgresOptions {
    /// Connections this handle may open to the database.
    pub max_connections: Option<f64>,
    /// How often a transaction is retried after a serialization failure or deadlock.
    pub max_retries: Option<f64>,
    /// Upgrade an older schema (true) or refuse to open it.
    pub migrate: Option<bool>,
}

impl PostgresOptions {
    pub(crate) fn into_core(self) -> li::Result<li::PostgresOptions> {
        let mut options = li::PostgresOptions::default();
        if let Some(n) = self.max_connections {
            options.max_connections = to_usize("max connections", n)?;
        }
        if let Some(n) = self.max_retries {
            options.max_retries =
                u32::try_from(to_u64("max retries", n)?).map_err(|_| li::Error::InvalidInput {
                    field: "max retries",
                    reason: format!("{n} is too large"),
                })?;
        }
        if let Some(m) = self.migrate {
            options.migrate = m;
        }
        Ok(options)
    }
}

/// What `createTenant` needs.
#[napi(object)]
pub struct NewTenant {
    /// Display name of the tenant.
    pub name: String,
    /// Pricing plan.
    pub plan: Plan,
    /// Name of the vendor (root) organization.
    pub vendor_name: String,
    /// First order number (default 1).
    pub first_order_number: Option<f64>,
}

impl NewTenant {
    pub(crate) fn into_core(self) -> li::Result<li::NewTenant> {
        Ok(li::NewTenant {
            name: self.name,
            plan: self.plan.into(),
            vendor_name: self.vendor_name,
            first_order_number: self
                .first_order_number
                .map(|n| to_u64("first order number", n))
                .transpose()?,
        })
    }
}

/// What `createOrg` needs.
#[napi(object)]
pub struct NewOrganization {
    /// Display name.
    pub name: String,
    /// Tier (anything but `vendor`).
    pub tier: Tier,
    /// The parent organization's id.
    pub parent: String,
}

impl NewOrganization {
    pub(crate) fn into_core(self) -> li::Result<li::NewOrganization> {
        Ok(li::NewOrganization {
            name: self.name,
            tier: self.tier.into(),
            parent: id(&self.parent)?,
        })
    }
}

/// What `createUser` needs.
#[napi(object)]
pub struct NewUser {
    /// Full name.
    pub name: String,
    /// Email address (unique within the tenant).
    pub email: String,
}

impl From<NewUser> for li::NewUser {
    fn from(u: NewUser) -> Self {
        li::NewUser {
            name: u.name,
            email: u.email,
        }
    }
}

/// What `createProduct` needs.
#[napi(object)]
pub struct NewProduct {
    /// Short code, unique within the tenant (e.g. `CL`).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Delivery kind.
    pub kind: ProductKind,
}

impl From<NewProduct> for li::NewProduct {
    fn from(p: NewProduct) -> Self {
        li::NewProduct {
            code: p.code,
            name: p.name,
            kind: p.kind.into(),
        }
    }
}

/// What `mint` needs: new stock into an order the vendor holds.
#[napi(object)]
pub struct NewMint {
    /// The product's id.
    pub product: String,
    /// Units to mint.
    pub quantity: f64,
    /// Purchase order reference.
    pub purchase_order: Option<String>,
    /// Comments.
    pub comments: Option<String>,
}

impl NewMint {
    pub(crate) fn into_core(self) -> li::Result<li::NewMint> {
        Ok(li::NewMint {
            product: id(&self.product)?,
            quantity: to_u64("quantity", self.quantity)?,
            purchase_order: self.purchase_order,
            comments: self.comments,
        })
    }
}

/// What `request` needs: units asked of the holder's parent organization.
#[napi(object)]
pub struct NewRequest {
    /// The requesting organization's id (the actor must be one of its admins).
    pub holder: String,
    /// The product's id.
    pub product: String,
    /// Units asked for.
    pub quantity: f64,
    /// Purchase order reference.
    pub purchase_order: Option<String>,
    /// Requester comments.
    pub comments: Option<String>,
}

impl NewRequest {
    pub(crate) fn into_core(self) -> li::Result<li::NewRequest> {
        Ok(li::NewRequest {
            holder: id(&self.holder)?,
            product: id(&self.product)?,
            quantity: to_u64("quantity", self.quantity)?,
            purchase_order: self.purchase_order,
            comments: self.comments,
        })
    }
}

/// Changes to a pending request: a field left out stays as it is; `''` clears a text field.
#[napi(object)]
pub struct RequestEdit {
    /// New purchase order reference.
    pub purchase_order: Option<String>,
    /// New product id.
    pub product: Option<String>,
    /// New quantity.
    pub quantity: Option<f64>,
    /// New requester comments.
    pub comments: Option<String>,
}

impl RequestEdit {
    pub(crate) fn into_core(self) -> li::Result<li::RequestEdit> {
        Ok(li::RequestEdit {
            purchase_order: self.purchase_order,
            product: opt_id(self.product)?,
            quantity: self.quantity.map(|q| to_u64("quantity", q)).transpose()?,
            comments: self.comments,
        })
    }
}

/// What `assign` needs: units pushed from an organization to one of its children.
#[napi(object)]
pub struct NewAssignment {
    /// The assigning organization's id (the actor must be one of its admins).
    pub from: String,
    /// The receiving child organization's id.
    pub to: String,
    /// The product's id.
    pub product: String,
    /// Units to assign.
    pub quantity: f64,
    /// Purchase order reference.
    pub purchase_order: Option<String>,
    /// Comments.
    pub comments: Option<String>,
}

impl NewAssignment {
    pub(crate) fn into_core(self) -> li::Result<li::NewAssignment> {
        Ok(li::NewAssignment {
            from: id(&self.from)?,
            to: id(&self.to)?,
            product: id(&self.product)?,
            quantity: to_u64("quantity", self.quantity)?,
            purchase_order: self.purchase_order,
            comments: self.comments,
        })
    }
}

/// Options of `approve`.
#[napi(object)]
pub struct ApproveOptions {
    /// Units approved (1 to the requested quantity); the requested quantity when left out.
    pub quantity: Option<f64>,
    /// Approval comments.
    pub comments: Option<String>,
}

/// Options of `reject`.
#[napi(object)]
pub struct RejectOptions {
    /// Rejection comments.
    pub comments: Option<String>,
}

/// Filters and paging of `list`. Everything left out matches everything.
#[napi(object)]
pub struct ListOptions {
    /// Only these statuses.
    pub statuses: Option<Vec<OrderStatus>>,
    /// Only these product ids.
    pub products: Option<Vec<String>>,
    /// Only this order number.
    pub order_number: Option<f64>,
    /// Only purchase orders containing this text (case-insensitive).
    pub purchase_order: Option<String>,
    /// Only orders requested at or after this time.
    pub requested_from: Option<DateTime<Utc>>,
    /// Only orders requested strictly before this time.
    pub requested_to: Option<DateTime<Utc>>,
    /// The `next` cursor of the previous page.
    pub cursor: Option<String>,
    /// Items per page (1 to 1000; default 100).
    pub limit: Option<f64>,
}

impl ListOptions {
    /// The core filter, cursor and page size.
    pub(crate) fn into_core(self) -> li::Result<(li::InventoryFilter, Option<li::Cursor>, usize)> {
        let filter = li::InventoryFilter {
            statuses: self
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            products: ids(self.products)?,
            order_number: self
                .order_number
                .map(|n| to_u64("order number", n).map(li::OrderNumber))
                .transpose()?,
            purchase_order: self.purchase_order,
            requested_from: self.requested_from,
            requested_to: self.requested_to,
        };
        let cursor = self.cursor.as_deref().map(str::parse).transpose()?;
        let limit = self
            .limit
            .map(|l| to_usize("limit", l))
            .transpose()?
            .unwrap_or(li::DEFAULT_PAGE);
        Ok((filter, cursor, limit))
    }
}

/// Paging of `ledger`.
#[napi(object)]
pub struct LedgerOptions {
    /// Only entries with a sequence number above this one (default 0: from the start).
    pub after: Option<f64>,
    /// Entries per call (1 to 1000; default 100).
    pub limit: Option<f64>,
}

impl LedgerOptions {
    /// `(after, limit)` for the core.
    pub(crate) fn into_core(self) -> li::Result<(u64, usize)> {
        Ok((
            self.after
                .map(|a| to_u64("after", a))
                .transpose()?
                .unwrap_or(0),
            self.limit
                .map(|l| to_usize("limit", l))
                .transpose()?
                .unwrap_or(li::DEFAULT_PAGE),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Outputs

/// One license vendor's world.
#[napi(object, use_nullable = true)]
pub struct Tenant {
    /// The tenant's id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Pricing plan.
    pub plan: Plan,
    /// The vendor (root) organization's id.
    pub vendor: String,
    /// Units ever minted.
    pub minted: f64,
    /// The number the next order will get.
    pub next_order_number: f64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<li::Tenant> for Tenant {
    fn from(t: li::Tenant) -> Self {
        Tenant {
            id: id_str(t.id),
            name: t.name,
            plan: t.plan.into(),
            vendor: id_str(t.vendor),
            minted: num(t.minted),
            next_order_number: num(t.next_order_number),
            created_at: t.created_at,
        }
    }
}

/// A node of the channel tree.
#[napi(object, use_nullable = true)]
pub struct Organization {
    /// The organization's id.
    pub id: String,
    /// The tenant's id.
    pub tenant: String,
    /// Display name.
    pub name: String,
    /// Tier.
    pub tier: Tier,
    /// The parent's id; `null` for the vendor.
    pub parent: Option<String>,
    /// False once deactivated.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<li::Organization> for Organization {
    fn from(o: li::Organization) -> Self {
        Organization {
            id: id_str(o.id),
            tenant: id_str(o.tenant),
            name: o.name,
            tier: o.tier.into(),
            parent: o.parent.map(id_str),
            active: o.active,
            created_at: o.created_at,
        }
    }
}

/// A person.
#[napi(object, use_nullable = true)]
pub struct User {
    /// The user's id.
    pub id: String,
    /// The tenant's id.
    pub tenant: String,
    /// Full name.
    pub name: String,
    /// Email, lower-case.
    pub email: String,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
}

impl From<li::User> for User {
    fn from(u: li::User) -> Self {
        User {
            id: id_str(u.id),
            tenant: id_str(u.tenant),
            name: u.name,
            email: u.email,
            created_at: u.created_at,
        }
    }
}

/// An inventory type.
#[napi(object, use_nullable = true)]
pub struct Product {
    /// The product's id.
    pub id: String,
    /// The tenant's id.
    pub tenant: String,
    /// Short code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Delivery kind.
    pub kind: ProductKind,
    /// When it was defined.
    pub created_at: DateTime<Utc>,
}

impl From<li::Product> for Product {
    fn from(p: li::Product) -> Self {
        Product {
            id: id_str(p.id),
            tenant: id_str(p.tenant),
            code: p.code,
            name: p.name,
            kind: p.kind.into(),
            created_at: p.created_at,
        }
    }
}

/// An inventory lot of one product held by one organization.
#[napi(object, use_nullable = true)]
pub struct Order {
    /// The order's id.
    pub id: String,
    /// The human order number.
    pub number: f64,
    /// The tenant's id.
    pub tenant: String,
    /// The product's id.
    pub product: String,
    /// Purchase order reference.
    pub purchase_order: Option<String>,
    /// The holder's id ("Requested By" / "Assigned To").
    pub holder: String,
    /// The source's id ("Requested To" / "Assigned By"); `null` for minted stock.
    pub source: Option<String>,
    /// The requesting user's id; `null` when assigned or minted.
    pub requested_by: Option<String>,
    /// When it was requested (or assigned, or minted).
    pub requested_at: DateTime<Utc>,
    /// Units asked for.
    pub requested_quantity: f64,
    /// Requester comments.
    pub requester_comments: Option<String>,
    /// The approving (or rejecting, or assigning) user's id.
    pub approved_by: Option<String>,
    /// When it was approved (or rejected).
    pub approved_at: Option<DateTime<Utc>>,
    /// Units approved (0 until approved).
    pub approved_quantity: f64,
    /// Approval comments.
    pub approval_comments: Option<String>,
    /// Current status.
    pub status: OrderStatus,
    /// Units drawn by child orders.
    pub drawn: f64,
    /// Units issued as licenses or codes.
    pub issued: f64,
    /// Units available.
    pub available: f64,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<li::Order> for Order {
    fn from(o: li::Order) -> Self {
        Order {
            id: id_str(o.id),
            number: num(o.number.get()),
            tenant: id_str(o.tenant),
            product: id_str(o.product),
            purchase_order: o.purchase_order,
            holder: id_str(o.holder),
            source: o.source.map(id_str),
            requested_by: o.requested_by.map(id_str),
            requested_at: o.requested_at,
            requested_quantity: num(o.requested_quantity),
            requester_comments: o.requester_comments,
            approved_by: o.approved_by.map(id_str),
            approved_at: o.approved_at,
            approved_quantity: num(o.approved_quantity),
            approval_comments: o.approval_comments,
            status: o.status.into(),
            drawn: num(o.drawn),
            issued: num(o.issued),
            available: num(o.available),
            updated_at: o.updated_at,
        }
    }
}

/// An order with the names a person reads next to it.
#[napi(object, use_nullable = true)]
pub struct OrderDetails {
    /// The order.
    pub order: Order,
    /// The product's name.
    pub product_name: String,
    /// The product's kind.
    pub product_kind: ProductKind,
    /// The holder's name.
    pub holder_name: String,
    /// The source's name.
    pub source_name: Option<String>,
    /// The requesting user's name.
    pub requested_by_name: Option<String>,
    /// The approving user's name.
    pub approved_by_name: Option<String>,
}

impl From<li::OrderDetails> for OrderDetails {
    fn from(d: li::OrderDetails) -> Self {
        OrderDetails {
            order: d.order.into(),
            product_name: d.product_name,
            product_kind: d.product_kind.into(),
            holder_name: d.holder_name,
            source_name: d.source_name,
            requested_by_name: d.requested_by_name,
            approved_by_name: d.approved_by_name,
        }
    }
}

/// One page of the inventory list, newest first.
#[napi(object, use_nullable = true)]
pub struct OrderPage {
    /// The orders of this page.
    pub items: Vec<OrderDetails>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next: Option<String>,
}

impl From<li::Page<li::OrderDetails>> for OrderPage {
    fn from(p: li::Page<li::OrderDetails>) -> Self {
        OrderPage {
            items: p.items.into_iter().map(Into::into).collect(),
            next: p.next.map(|c| c.to_string()),
        }
    }
}

/// One product of an organization's summary.
#[napi(object, use_nullable = true)]
pub struct SummaryLine {
    /// The product's id.
    pub product: String,
    /// Its name.
    pub product_name: String,
    /// Its kind.
    pub product_kind: ProductKind,
    /// Units approved into the org's active and depleted orders.
    pub held: f64,
    /// Units available now.
    pub available: f64,
    /// The org's own requests still pending.
    pub pending_requests: f64,
    /// Units asked for by those requests.
    pub pending_units: f64,
    /// Requests addressed to the org awaiting its approval.
    pub incoming_requests: f64,
    /// Units asked for by those.
    pub incoming_units: f64,
}

impl From<li::SummaryLine> for SummaryLine {
    fn from(s: li::SummaryLine) -> Self {
        SummaryLine {
            product: id_str(s.product),
            product_name: s.product_name,
            product_kind: s.product_kind.into(),
            held: num(s.held),
            available: num(s.available),
            pending_requests: num(s.pending_requests),
            pending_units: num(s.pending_units),
            incoming_requests: num(s.incoming_requests),
            incoming_units: num(s.incoming_units),
        }
    }
}

/// One outgoing draw of an order ("Detail of Inventory Use").
#[napi(object, use_nullable = true)]
pub struct UseLine {
    /// The child order's id.
    pub order: String,
    /// Its number.
    pub order_number: f64,
    /// Its purchase order.
    pub purchase_order: Option<String>,
    /// Units drawn.
    pub quantity: f64,
    /// When ("Date of Assignment").
    pub at: DateTime<Utc>,
    /// The child order's holder ("Requested By").
    pub requested_by_org: String,
    /// The requesting user.
    pub requested_by_user: Option<String>,
    /// The approving or assigning organization ("Approved By").
    pub approved_by_org: String,
    /// The approving user.
    pub approved_by_user: Option<String>,
}

impl From<li::UseLine> for UseLine {
    fn from(u: li::UseLine) -> Self {
        UseLine {
            order: id_str(u.order),
            order_number: num(u.order_number.get()),
            purchase_order: u.purchase_order,
            quantity: num(u.quantity),
            at: u.at,
            requested_by_org: u.requested_by_org,
            requested_by_user: u.requested_by_user,
            approved_by_org: u.approved_by_org,
            approved_by_user: u.approved_by_user,
        }
    }
}

/// "Detail of Inventory Use" of an order.
#[napi(object, use_nullable = true)]
pub struct InventoryUse {
    /// The order itself.
    pub order: OrderDetails,
    /// Its outgoing draws, oldest first.
    pub draws: Vec<UseLine>,
}

impl From<li::InventoryUse> for InventoryUse {
    fn from(u: li::InventoryUse) -> Self {
        InventoryUse {
            order: u.order.into(),
            draws: u.draws.into_iter().map(Into::into).collect(),
        }
    }
}

/// The change one ledger entry made to one order's quantities (signed deltas).
#[napi(object, use_nullable = true)]
pub struct Movement {
    /// The order's id.
    pub order: String,
    /// Its holder's id.
    pub org: String,
    /// Its product's id.
    pub product: String,
    /// Change of the approved quantity.
    pub approved: f64,
    /// Change of the units drawn.
    pub drawn: f64,
    /// Change of the units issued.
    pub issued: f64,
    /// Change of the available units.
    pub available: f64,
}

impl From<li::Movement> for Movement {
    fn from(m: li::Movement) -> Self {
        Movement {
            order: id_str(m.order),
            org: id_str(m.org),
            product: id_str(m.product),
            approved: m.approved as f64,
            drawn: m.drawn as f64,
            issued: m.issued as f64,
            available: m.available as f64,
        }
    }
}

/// One immutable, hash-chained ledger entry.
#[napi(object, use_nullable = true)]
pub struct LedgerEntry {
    /// The tenant's id.
    pub tenant: String,
    /// Sequence number within the tenant, from 1.
    pub seq: f64,
    /// When.
    pub at: DateTime<Utc>,
    /// The acting user's id; `null` for provisioning.
    pub actor: Option<String>,
    /// What kind of change.
    pub kind: LedgerKind,
    /// The order concerned.
    pub order: Option<String>,
    /// The organization concerned.
    pub org: Option<String>,
    /// Units minted by this entry.
    pub minted: f64,
    /// The quantity changes.
    pub movements: Vec<Movement>,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// SHA-256 of this entry, hex.
    pub hash: String,
}

impl From<li::LedgerEntry> for LedgerEntry {
    fn from(e: li::LedgerEntry) -> Self {
        LedgerEntry {
            tenant: id_str(e.tenant),
            seq: num(e.seq),
            at: e.at,
            actor: e.actor.map(id_str),
            kind: e.kind.into(),
            order: e.order.map(id_str),
            org: e.org.map(id_str),
            minted: num(e.minted),
            movements: e.movements.into_iter().map(Into::into).collect(),
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// The result of `audit`: conservation and ledger checks over a whole tenant.
#[napi(object, use_nullable = true)]
pub struct Audit {
    /// Orders examined.
    pub orders: f64,
    /// Ledger entries examined.
    pub ledger_entries: f64,
    /// Units ever minted.
    pub minted: f64,
    /// Σ available over all orders.
    pub available: f64,
    /// Σ issued over all orders.
    pub issued: f64,
    /// Every discrepancy found; empty when all holds.
    pub problems: Vec<String>,
    /// True when no problem was found.
    pub clean: bool,
}

impl From<li::Audit> for Audit {
    fn from(a: li::Audit) -> Self {
        Audit {
            clean: a.is_clean(),
            orders: a.orders as f64,
            ledger_entries: num(a.ledger_entries),
            minted: num(a.minted),
            available: num(a.available),
            issued: num(a.issued),
            problems: a.problems,
        }
    }
}
