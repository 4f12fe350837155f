//! JS-facing values (plain objects and string unions) and their conversions from and to the
//! core's types. Conversion only: every rule stays in the core.
//!
//! - ids are strings (hyphenated UUIDs), parsed by the core's `FromStr` (a bad id is the core's
//!   `INVALID_INPUT`);
//! - quantities and order numbers are JS numbers, checked to be non-negative safe integers;
//! - times are `Date`s;
//! - an absent value is `null` in what the binding returns; in what it takes, an optional
//!   field is left out (or `undefined`), except in the value objects that spell every field
//!   (`LicensePolicy`, `Customer`, …, marked `use_nullable`), where it is `null`.

use std::collections::BTreeMap;
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

/// A JS number as a `u32` figure (a policy limit, a borrow duration).
pub(crate) fn to_u32(field: &'static str, v: f64) -> li::Result<u32> {
    let n = to_u64(field, v)?;
    u32::try_from(n).map_err(|_| li::Error::InvalidInput {
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

pub(crate) fn opt_id<T: FromStr<Err = li::Error>>(s: Option<String>) -> li::Result<Option<T>> {
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

/// The state of a license.
#[napi(string_enum = "snake_case")]
pub enum LicenseStatus {
    /// Issued, never activated (or an activation code not yet redeemed).
    Issued,
    /// Activated at least once (or redeemed).
    Active,
    /// Disabled by an administrator: cannot be activated or borrowed.
    Disabled,
}

impl From<li::LicenseStatus> for LicenseStatus {
    fn from(s: li::LicenseStatus) -> Self {
        match s {
            li::LicenseStatus::Issued => LicenseStatus::Issued,
            li::LicenseStatus::Active => LicenseStatus::Active,
            li::LicenseStatus::Disabled => LicenseStatus::Disabled,
        }
    }
}

/// What a license manager may do on its order: exactly the nine permissions of the vendor
/// platform. `create_order` and `issue_license` need the enterprise plan.
#[napi(string_enum = "snake_case")]
pub enum Permission {
    /// Add, edit and delete license users, and assign licenses to them.
    ManageLicenseUsers,
    /// Change license users' passwords.
    ManageLicenseUserCredentials,
    /// Add license managers to the order (only with permissions the manager holds).
    ManageManagers,
    /// Remove one device from a license.
    ResetDevice,
    /// Remove every device from a license.
    ResetLicense,
    /// Borrow and return floating licenses.
    BorrowLicense,
    /// Request a bundle for the order's organization.
    CreateBundleOrder,
    /// Request new inventory for the order's organization (enterprise plan).
    CreateOrder,
    /// Issue new licenses from the order (enterprise plan).
    IssueLicense,
}

impl From<Permission> for li::Permission {
    fn from(p: Permission) -> Self {
        match p {
            Permission::ManageLicenseUsers => li::Permission::ManageLicenseUsers,
            Permission::ManageLicenseUserCredentials => {
                li::Permission::ManageLicenseUserCredentials
            }
            Permission::ManageManagers => li::Permission::ManageManagers,
            Permission::ResetDevice => li::Permission::ResetDevice,
            Permission::ResetLicense => li::Permission::ResetLicense,
            Permission::BorrowLicense => li::Permission::BorrowLicense,
            Permission::CreateBundleOrder => li::Permission::CreateBundleOrder,
            Permission::CreateOrder => li::Permission::CreateOrder,
            Permission::IssueLicense => li::Permission::IssueLicense,
        }
    }
}

impl From<li::Permission> for Permission {
    fn from(p: li::Permission) -> Self {
        match p {
            li::Permission::ManageLicenseUsers => Permission::ManageLicenseUsers,
            li::Permission::ManageLicenseUserCredentials => {
                Permission::ManageLicenseUserCredentials
            }
            li::Permission::ManageManagers => Permission::ManageManagers,
            li::Permission::ResetDevice => Permission::ResetDevice,
            li::Permission::ResetLicense => Permission::ResetLicense,
            li::Permission::BorrowLicense => Permission::BorrowLicense,
            li::Permission::CreateBundleOrder => Permission::CreateBundleOrder,
            li::Permission::CreateOrder => Permission::CreateOrder,
            li::Permission::IssueLicense => Permission::IssueLicense,
        }
    }
}

/// What a notification is about.
#[napi(string_enum = "snake_case")]
pub enum NotificationKind {
    /// To the requester: the request was recorded, with its details.
    RequestConfirmation,
    /// To the source organization's admins and the vendor admins: a request awaits approval.
    RequestReceived,
    /// To the requester: the request was approved (the quantity approved is in the digest).
    RequestApproved,
    /// To the requester: the request was rejected (the comments are in the digest).
    RequestRejected,
    /// To a new license manager: an invitation to manage the order, with its permissions.
    ManagerInvitation,
}

impl From<li::NotificationKind> for NotificationKind {
    fn from(k: li::NotificationKind) -> Self {
        use li::NotificationKind as K;
        match k {
            K::RequestConfirmation => NotificationKind::RequestConfirmation,
            K::RequestReceived => NotificationKind::RequestReceived,
            K::RequestApproved => NotificationKind::RequestApproved,
            K::RequestRejected => NotificationKind::RequestRejected,
            K::ManagerInvitation => NotificationKind::ManagerInvitation,
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
// Values taken and returned alike (a result can be passed back as it is)

/// How long a license is valid: `{ kind: 'perpetual' }`, `{ kind: 'days_from_activation', days }`
/// or `{ kind: 'days_from_issue', days }`.
#[napi(discriminant = "kind", discriminant_case = "snake_case")]
pub enum Validity {
    /// Never expires.
    Perpetual,
    /// Valid for `days` days from its first activation.
    DaysFromActivation {
        /// Days (1 to 36500).
        days: f64,
    },
    /// Valid for `days` days from its issue.
    DaysFromIssue {
        /// Days (1 to 36500).
        days: f64,
    },
}

impl Validity {
    fn into_core(self) -> li::Result<li::Validity> {
        Ok(match self {
            Validity::Perpetual => li::Validity::Perpetual,
            Validity::DaysFromActivation { days } => {
                li::Validity::DaysFromActivation(to_u32("validity", days)?)
            }
            Validity::DaysFromIssue { days } => {
                li::Validity::DaysFromIssue(to_u32("validity", days)?)
            }
        })
    }
}

impl From<li::Validity> for Validity {
    fn from(v: li::Validity) -> Self {
        match v {
            li::Validity::Perpetual => Validity::Perpetual,
            li::Validity::DaysFromActivation(d) => {
                Validity::DaysFromActivation { days: f64::from(d) }
            }
            li::Validity::DaysFromIssue(d) => Validity::DaysFromIssue { days: f64::from(d) },
        }
    }
}

/// Floating use: a license borrowed by a bounded number of holders at once, each for a
/// bounded time.
#[napi(object, use_nullable = true)]
pub struct Floating {
    /// How many borrows may be open at once.
    pub max_borrows: f64,
    /// The longest one borrow may last, in seconds.
    pub max_borrow_seconds: f64,
}

/// A product's license policy, copied onto each license when it is issued. Every field is
/// given (`floating: null` for a license that does not float); the core checks the figures.
#[napi(object, use_nullable = true)]
pub struct LicensePolicy {
    /// How long a license is valid.
    pub validity: Validity,
    /// Devices one license may be activated on.
    pub max_activations: f64,
    /// Floating use; `null` when the product does not float.
    pub floating: Option<Floating>,
    /// Licenses of this product are trials.
    pub trial: bool,
}

impl LicensePolicy {
    pub(crate) fn into_core(self) -> li::Result<li::LicensePolicy> {
        Ok(li::LicensePolicy {
            validity: self.validity.into_core()?,
            max_activations: to_u32("max activations", self.max_activations)?,
            floating: self
                .floating
                .map(|f| {
                    Ok::<_, li::Error>(li::Floating {
                        max_borrows: to_u32("max borrows", f.max_borrows)?,
                        max_borrow_seconds: to_u32("max borrow seconds", f.max_borrow_seconds)?,
                    })
                })
                .transpose()?,
            trial: self.trial,
        })
    }
}

impl From<li::LicensePolicy> for LicensePolicy {
    fn from(p: li::LicensePolicy) -> Self {
        LicensePolicy {
            validity: p.validity.into(),
            max_activations: f64::from(p.max_activations),
            floating: p.floating.map(|f| Floating {
                max_borrows: f64::from(f.max_borrows),
                max_borrow_seconds: f64::from(f.max_borrow_seconds),
            }),
            trial: p.trial,
        }
    }
}

/// The end customer of an order. Every field is given (`null` for none), so an order's
/// `customer` can be edited and passed back to `setCustomer`.
#[napi(object, use_nullable = true)]
pub struct Customer {
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// The customer's own reference.
    pub reference: Option<String>,
}

impl From<Customer> for li::Customer {
    fn from(c: Customer) -> Self {
        li::Customer {
            name: c.name,
            email: c.email,
            company: c.company,
            phone: c.phone,
            reference: c.reference,
        }
    }
}

impl From<li::Customer> for Customer {
    fn from(c: li::Customer) -> Self {
        Customer {
            name: c.name,
            email: c.email,
            company: c.company,
            phone: c.phone,
            reference: c.reference,
        }
    }
}

/// One line of a bundle: a product and how many units of it.
#[napi(object, use_nullable = true)]
pub struct BundleLine {
    /// The product's id.
    pub product: String,
    /// Units of it.
    pub quantity: f64,
}

impl BundleLine {
    fn into_core(self) -> li::Result<li::BundleLine> {
        Ok(li::BundleLine {
            product: id(&self.product)?,
            quantity: to_u64("quantity", self.quantity)?,
        })
    }
}

impl From<li::BundleLine> for BundleLine {
    fn from(l: li::BundleLine) -> Self {
        BundleLine {
            product: id_str(l.product),
            quantity: num(l.quantity),
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
    /// The policy of its licenses; the core's default (perpetual, one device, not floating,
    /// not a trial) when left out.
    pub policy: Option<LicensePolicy>,
}

impl NewProduct {
    /// The core's product and, if given, its policy.
    pub(crate) fn into_core(self) -> li::Result<(li::NewProduct, Option<li::LicensePolicy>)> {
        let policy = self.policy.map(LicensePolicy::into_core).transpose()?;
        let product = li::NewProduct {
            code: self.code,
            name: self.name,
            kind: self.kind.into(),
        };
        Ok((product, policy))
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
        let filter = InventoryFilter {
            statuses: self.statuses,
            products: self.products,
            order_number: self.order_number,
            purchase_order: self.purchase_order,
            requested_from: self.requested_from,
            requested_to: self.requested_to,
        }
        .into_core()?;
        let cursor = self.cursor.as_deref().map(str::parse).transpose()?;
        let limit = self
            .limit
            .map(|l| to_usize("limit", l))
            .transpose()?
            .unwrap_or(li::DEFAULT_PAGE);
        Ok((filter, cursor, limit))
    }
}

/// Which orders of an organization `exportInventoryCsv` writes (the filters of `list`).
/// Everything left out matches everything.
#[napi(object)]
pub struct InventoryFilter {
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
}

impl InventoryFilter {
    /// The core filter.
    pub(crate) fn into_core(self) -> li::Result<li::InventoryFilter> {
        Ok(li::InventoryFilter {
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
        })
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

/// Which ledger entries `ledgerMatching` returns: those that satisfy every filter given (all of
/// them when everything is left out).
#[napi(object)]
pub struct LedgerFilter {
    /// Only entries about this order id, or moving its quantities.
    pub order: Option<String>,
    /// Only entries about this organization id, or moving the quantities of an order it holds.
    pub org: Option<String>,
    /// Only entries recorded at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only entries recorded strictly before this time.
    pub to: Option<DateTime<Utc>>,
}

impl LedgerFilter {
    /// The core filter.
    pub(crate) fn into_core(self) -> li::Result<li::LedgerFilter> {
        Ok(li::LedgerFilter {
            order: opt_id(self.order)?,
            org: opt_id(self.org)?,
            from: self.from,
            to: self.to,
        })
    }
}

/// What `createBundle` needs: a named set of (product, quantity) lines.
#[napi(object)]
pub struct NewBundle {
    /// Display name ("Classroom pack").
    pub name: String,
    /// Its lines (at least one; a product at most once).
    pub lines: Vec<BundleLine>,
}

impl NewBundle {
    pub(crate) fn into_core(self) -> li::Result<li::NewBundle> {
        Ok(li::NewBundle {
            name: self.name,
            lines: self
                .lines
                .into_iter()
                .map(BundleLine::into_core)
                .collect::<li::Result<_>>()?,
        })
    }
}

/// What `requestBundle` needs: one request per line of the bundle, from the holder's parent.
#[napi(object)]
pub struct NewBundleRequest {
    /// The requesting organization's id.
    pub holder: String,
    /// The bundle's id.
    pub bundle: String,
    /// Purchase order reference (on every order of the bundle).
    pub purchase_order: Option<String>,
    /// Requester comments.
    pub comments: Option<String>,
}

/// Changes to an order's metadata: a field left out stays as it is; `''` clears a text field;
/// `campaign` replaces all the campaign parameters.
#[napi(object)]
pub struct MetadataEdit {
    /// New order reference.
    pub reference: Option<String>,
    /// New campaign parameters (key → value), replacing them all.
    pub campaign: Option<BTreeMap<String, String>>,
    /// New download id.
    pub download_id: Option<String>,
    /// New test flag.
    pub is_test: Option<bool>,
    /// New trial flag (licenses issued from now on are trials).
    pub is_trial: Option<bool>,
}

impl From<MetadataEdit> for li::MetadataEdit {
    fn from(e: MetadataEdit) -> Self {
        li::MetadataEdit {
            reference: e.reference,
            campaign: e.campaign,
            download_id: e.download_id,
            is_test: e.is_test,
            is_trial: e.is_trial,
        }
    }
}

/// What `addLicenseUser` needs.
#[napi(object)]
pub struct NewLicenseUser {
    /// Email (unique within the order).
    pub email: String,
    /// Name.
    pub name: Option<String>,
    /// Initial password (kept only as an Argon2id hash; at least 8 characters).
    pub password: Option<String>,
}

impl From<NewLicenseUser> for li::NewLicenseUser {
    fn from(u: NewLicenseUser) -> Self {
        li::NewLicenseUser {
            email: u.email,
            name: u.name,
            password: u.password,
        }
    }
}

/// Changes to a license user: a field left out stays as it is; `name: ''` clears the name.
#[napi(object)]
pub struct LicenseUserEdit {
    /// New email.
    pub email: Option<String>,
    /// New name.
    pub name: Option<String>,
}

/// Paging of `licenses`.
#[napi(object)]
pub struct LicenseListOptions {
    /// Only licenses after this license id (the last id of the previous page).
    pub after: Option<String>,
    /// Licenses per call (1 to 1000; default 100).
    pub limit: Option<f64>,
}

impl LicenseListOptions {
    /// `(after, limit)` for the core.
    pub(crate) fn into_core(self) -> li::Result<(Option<li::LicenseId>, usize)> {
        Ok((
            opt_id(self.after)?,
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
    /// Units retired (issued in deleted orders, or unconsumed and minted at the vendor):
    /// `minted - retired = Σ available + Σ issued`.
    pub retired: f64,
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
            retired: num(t.retired),
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
    /// The policy of the licenses issued for it.
    pub policy: LicensePolicy,
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
            policy: p.policy.into(),
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
    /// Reference, campaign, download id, test and trial flags.
    pub metadata: OrderMetadata,
    /// The end customer; `null` when none is recorded.
    pub customer: Option<Customer>,
    /// The id shared by the orders of one bundle request; `null` for a single order.
    pub bundle: Option<String>,
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
            metadata: o.metadata.into(),
            customer: o.customer.map(Into::into),
            bundle: o.bundle.map(id_str),
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
    /// Units retired by this entry (an order deletion, a return of vendor-minted units).
    pub retired: f64,
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
            retired: num(e.retired),
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
    /// Units retired: `minted - retired = available + issued`.
    pub retired: f64,
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
            retired: num(a.retired),
            available: num(a.available),
            issued: num(a.issued),
            problems: a.problems,
        }
    }
}

/// An order's metadata, editable by the holder's admins at any time (`editMetadata`).
#[napi(object, use_nullable = true)]
pub struct OrderMetadata {
    /// The order reference number.
    pub reference: Option<String>,
    /// Campaign parameters (key → value), e.g. `utm_source → newsletter`.
    pub campaign: BTreeMap<String, String>,
    /// The download id.
    pub download_id: Option<String>,
    /// A test order.
    pub is_test: bool,
    /// A trial order: its licenses are trials.
    pub is_trial: bool,
}

impl From<li::OrderMetadata> for OrderMetadata {
    fn from(m: li::OrderMetadata) -> Self {
        OrderMetadata {
            reference: m.reference,
            campaign: m.campaign,
            download_id: m.download_id,
            is_test: m.is_test,
            is_trial: m.is_trial,
        }
    }
}

/// A named set of products and quantities; `requestBundle` creates one order per line.
#[napi(object, use_nullable = true)]
pub struct Bundle {
    /// The bundle's id.
    pub id: String,
    /// The tenant's id.
    pub tenant: String,
    /// Display name.
    pub name: String,
    /// Its lines.
    pub lines: Vec<BundleLine>,
}

impl From<li::Bundle> for Bundle {
    fn from(b: li::Bundle) -> Self {
        Bundle {
            id: id_str(b.id),
            tenant: id_str(b.tenant),
            name: b.name,
            lines: b.lines.into_iter().map(Into::into).collect(),
        }
    }
}

/// A device a license is activated on (or who redeemed an activation code).
#[napi(object, use_nullable = true)]
pub struct Activation {
    /// The device's fingerprint (opaque, chosen by the application).
    pub fingerprint: String,
    /// A name a person recognises ("Front desk PC").
    pub name: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<li::Activation> for Activation {
    fn from(a: li::Activation) -> Self {
        Activation {
            fingerprint: a.fingerprint,
            name: a.name,
            at: a.at,
        }
    }
}

/// An open borrow of a floating license.
#[napi(object, use_nullable = true)]
pub struct Borrow {
    /// Who or what borrowed it.
    pub borrower: String,
    /// When.
    pub at: DateTime<Utc>,
    /// When it ends by itself.
    pub until: DateTime<Utc>,
}

impl From<li::Borrow> for Borrow {
    fn from(b: li::Borrow) -> Self {
        Borrow {
            borrower: b.borrower,
            at: b.at,
            until: b.until,
        }
    }
}

/// A license, or an activation code, issued from an order.
#[napi(object, use_nullable = true)]
pub struct License {
    /// The license's id.
    pub id: String,
    /// The tenant's id.
    pub tenant: String,
    /// The id of the order it was issued from.
    pub order: String,
    /// The product's id.
    pub product: String,
    /// Its key (or code), `7KQ2M-XR4TD-9WZPH-BN3CV-0G6JA`, unique within the tenant.
    pub key: String,
    /// True for an activation code (redeemed once), false for a license.
    pub is_code: bool,
    /// Its state.
    pub status: LicenseStatus,
    /// The id of the license user it belongs to; `null` when none.
    pub license_user: Option<String>,
    /// Devices it is activated on.
    pub activations: Vec<Activation>,
    /// Open floating borrows.
    pub borrows: Vec<Borrow>,
    /// The policy copied from the product at issue.
    pub policy: LicensePolicy,
    /// A trial (from the product's policy or the order's trial flag).
    pub trial: bool,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// When it was first activated or redeemed.
    pub activated_at: Option<DateTime<Utc>>,
    /// When it expires, once known.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<li::License> for License {
    fn from(l: li::License) -> Self {
        License {
            id: id_str(l.id),
            tenant: id_str(l.tenant),
            order: id_str(l.order),
            product: id_str(l.product),
            key: l.key.to_string(),
            is_code: l.is_code,
            status: l.status.into(),
            license_user: l.license_user.map(id_str),
            activations: l.activations.into_iter().map(Into::into).collect(),
            borrows: l.borrows.into_iter().map(Into::into).collect(),
            policy: l.policy.into(),
            trial: l.trial,
            issued_at: l.issued_at,
            activated_at: l.activated_at,
            expires_at: l.expires_at,
        }
    }
}

/// An end user of the licenses of one order.
#[napi(object, use_nullable = true)]
pub struct LicenseUser {
    /// The license user's id.
    pub id: String,
    /// The tenant's id.
    pub tenant: String,
    /// The id of the order whose licenses they use.
    pub order: String,
    /// Email, lower-case, unique within the order.
    pub email: String,
    /// Name.
    pub name: Option<String>,
    /// True when a password is set (the password itself never leaves the library).
    pub has_password: bool,
}

impl From<li::LicenseUser> for LicenseUser {
    fn from(u: li::LicenseUser) -> Self {
        LicenseUser {
            id: id_str(u.id),
            tenant: id_str(u.tenant),
            order: id_str(u.order),
            email: u.email,
            name: u.name,
            has_password: u.has_password,
        }
    }
}

/// A user's permissions over one order.
#[napi(object, use_nullable = true)]
pub struct LicenseManager {
    /// The tenant's id.
    pub tenant: String,
    /// The id of the order managed.
    pub order: String,
    /// The manager's user id.
    pub user: String,
    /// What they may do, in the vendor platform's order.
    pub permissions: Vec<Permission>,
}

impl From<li::LicenseManager> for LicenseManager {
    fn from(m: li::LicenseManager) -> Self {
        LicenseManager {
            tenant: id_str(m.tenant),
            order: id_str(m.order),
            user: id_str(m.user),
            permissions: m.permissions.into_iter().map(Into::into).collect(),
        }
    }
}

/// The order a notification is about, as it was when the notification was written (the
/// message still reads right after the order changes or is deleted).
#[napi(object, use_nullable = true)]
pub struct OrderDigest {
    /// The order's number.
    pub number: f64,
    /// The product's name ("Center License").
    pub product_name: String,
    /// Units requested.
    pub requested_quantity: f64,
    /// Units approved (0 until approved).
    pub approved_quantity: f64,
    /// The purchase order reference.
    pub purchase_order: Option<String>,
    /// The organization holding (or requesting) the order.
    pub holder_name: String,
    /// The organization it is requested from, if any.
    pub source_name: Option<String>,
    /// The requester's comments.
    pub requester_comments: Option<String>,
    /// The approver's (or rejecter's) comments.
    pub approval_comments: Option<String>,
}

impl From<li::OrderDigest> for OrderDigest {
    fn from(d: li::OrderDigest) -> Self {
        OrderDigest {
            number: num(d.number.get()),
            product_name: d.product_name,
            requested_quantity: num(d.requested_quantity),
            approved_quantity: num(d.approved_quantity),
            purchase_order: d.purchase_order,
            holder_name: d.holder_name,
            source_name: d.source_name,
            requester_comments: d.requester_comments,
            approval_comments: d.approval_comments,
        }
    }
}

/// One message to one person in the outbox, waiting until the host application sends it and
/// marks it sent (`markNotificationsSent`).
#[napi(object, use_nullable = true)]
pub struct Notification {
    /// Its id: what `markNotificationsSent` takes.
    pub id: String,
    /// The tenant's id.
    pub tenant: String,
    /// The sequence number of the ledger entry of the change that caused it.
    pub seq: f64,
    /// What it is about.
    pub kind: NotificationKind,
    /// The recipient's user id.
    pub recipient: String,
    /// The recipient's email when it was written.
    pub email: String,
    /// The recipient's name when it was written.
    pub name: String,
    /// The id of the order it is about.
    pub order: String,
    /// The order's figures when it was written.
    pub digest: OrderDigest,
    /// For a `manager_invitation`, the permissions granted; else empty.
    pub permissions: Vec<Permission>,
    /// A one-line subject for the message ("Order 1213: request for 2 Center License from
    /// MGA Inc"), the core's wording.
    pub subject: String,
    /// When it was written (the time of its change).
    pub created_at: DateTime<Utc>,
    /// When it was marked sent; `null` while pending.
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<li::Notification> for Notification {
    fn from(n: li::Notification) -> Self {
        let subject = n.subject();
        Notification {
            id: id_str(n.id),
            tenant: id_str(n.tenant),
            seq: num(n.seq),
            kind: n.kind.into(),
            recipient: id_str(n.recipient),
            email: n.email,
            name: n.name,
            order: id_str(n.order),
            digest: n.digest.into(),
            permissions: n.permissions.into_iter().map(Into::into).collect(),
            subject,
            created_at: n.created_at,
            sent_at: n.sent_at,
        }
    }
}

/// An order's quantities at one moment, rebuilt from the ledger (`orderAt`).
#[napi(object, use_nullable = true)]
pub struct OrderFigures {
    /// The order's id.
    pub order: String,
    /// Its holder's id.
    pub org: String,
    /// Its product's id.
    pub product: String,
    /// Units approved into it.
    pub approved: f64,
    /// Units child orders drew from it.
    pub drawn: f64,
    /// Units issued as licenses or codes.
    pub issued: f64,
    /// Units available.
    pub available: f64,
}

impl From<li::OrderFigures> for OrderFigures {
    fn from(f: li::OrderFigures) -> Self {
        OrderFigures {
            order: id_str(f.order),
            org: id_str(f.org),
            product: id_str(f.product),
            approved: num(f.approved),
            drawn: num(f.drawn),
            issued: num(f.issued),
            available: num(f.available),
        }
    }
}

/// What an organization held of one product at one moment: the sum over its orders that held
/// units then (`holdingsAt`).
#[napi(object, use_nullable = true)]
pub struct Holding {
    /// The product's id.
    pub product: String,
    /// How many of the organization's orders of this product held units (approved ones).
    pub orders: f64,
    /// Units approved into them.
    pub approved: f64,
    /// Units child orders drew from them.
    pub drawn: f64,
    /// Units issued from them.
    pub issued: f64,
    /// Units available in them.
    pub available: f64,
}

impl From<li::Holding> for Holding {
    fn from(h: li::Holding) -> Self {
        Holding {
            product: id_str(h.product),
            orders: num(h.orders),
            approved: num(h.approved),
            drawn: num(h.drawn),
            issued: num(h.issued),
            available: num(h.available),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Batches

/// The kinds of batch command, as `kind` spells them.
const BATCH_KINDS: &str = "'request', 'approve', 'reject', 'cancel', 'assign' or 'issue'";

/// How the binding reads one command of `Session.batch`: `kind` and every field any kind
/// takes, flat. Write a `BatchCommand` (the discriminated union on `kind`); each command is
/// checked against its kind's fields when the batch runs: a missing `kind` or field, an
/// unknown `kind`, or a field its kind does not take rejects with `INVALID_INPUT` (`field`
/// names the field, `reason` starts with `batch command <index>`).
#[napi(object)]
pub struct BatchCommandFields {
    /// `'request'`, `'approve'`, `'reject'`, `'cancel'`, `'assign'` or `'issue'`.
    pub kind: Option<String>,
    /// The order (approve, reject, cancel, issue).
    pub order: Option<String>,
    /// Units (request, assign, issue; approve: default all requested).
    pub quantity: Option<f64>,
    /// Comments (request, approve, reject, assign).
    pub comments: Option<String>,
    /// The requesting organization (request).
    pub holder: Option<String>,
    /// The product (request, assign).
    pub product: Option<String>,
    /// The assigning organization (assign).
    pub from: Option<String>,
    /// The receiving child organization (assign).
    pub to: Option<String>,
    /// Purchase order reference (request, assign).
    pub purchase_order: Option<String>,
}

impl BatchCommandFields {
    /// The core command; `index` (its place in the batch) names it in errors.
    fn into_core(self, index: usize) -> li::Result<li::BatchCommand> {
        let BatchCommandFields {
            kind,
            order,
            quantity,
            comments,
            holder,
            product,
            from,
            to,
            purchase_order,
        } = self;
        let Some(kind) = kind else {
            return Err(li::Error::InvalidInput {
                field: "kind",
                reason: format!("batch command {index}: missing (one of {BATCH_KINDS})"),
            });
        };
        let takes: &[&str] = match kind.as_str() {
            "request" => &["holder", "product", "quantity", "purchaseOrder", "comments"],
            "approve" => &["order", "quantity", "comments"],
            "reject" => &["order", "comments"],
            "cancel" => &["order"],
            "assign" => &[
                "from",
                "to",
                "product",
                "quantity",
                "purchaseOrder",
                "comments",
            ],
            "issue" => &["order", "quantity"],
            _ => {
                return Err(li::Error::InvalidInput {
                    field: "kind",
                    reason: format!("batch command {index}: '{kind}' is not one of {BATCH_KINDS}"),
                });
            }
        };
        let at = At { index, kind: &kind };
        let given = [
            ("order", order.is_some()),
            ("quantity", quantity.is_some()),
            ("comments", comments.is_some()),
            ("holder", holder.is_some()),
            ("product", product.is_some()),
            ("from", from.is_some()),
            ("to", to.is_some()),
            ("purchaseOrder", purchase_order.is_some()),
        ];
        if let Some((field, _)) = given.iter().find(|(f, is)| *is && !takes.contains(f)) {
            return Err(at.error(field, format!("{kind} does not take {field}")));
        }
        let order_id = |order: Option<String>| -> li::Result<li::OrderId> {
            at.value(id(&at.need(order, "order")?))
        };
        Ok(match kind.as_str() {
            "request" => li::BatchCommand::Request(
                at.value(
                    NewRequest {
                        holder: at.need(holder, "holder")?,
                        product: at.need(product, "product")?,
                        quantity: at.need(quantity, "quantity")?,
                        purchase_order,
                        comments,
                    }
                    .into_core(),
                )?,
            ),
            "approve" => li::BatchCommand::Approve {
                order: order_id(order)?,
                quantity: at.value(quantity.map(|q| to_u64("quantity", q)).transpose())?,
                comments,
            },
            "reject" => li::BatchCommand::Reject {
                order: order_id(order)?,
                comments,
            },
            "cancel" => li::BatchCommand::Cancel {
                order: order_id(order)?,
            },
            "assign" => li::BatchCommand::Assign(
                at.value(
                    NewAssignment {
                        from: at.need(from, "from")?,
                        to: at.need(to, "to")?,
                        product: at.need(product, "product")?,
                        quantity: at.need(quantity, "quantity")?,
                        purchase_order,
                        comments,
                    }
                    .into_core(),
                )?,
            ),
            // "issue": the kind was checked above.
            _ => li::BatchCommand::Issue {
                order: order_id(order)?,
                quantity: at.value(to_u64("quantity", at.need(quantity, "quantity")?))?,
            },
        })
    }
}

/// One command of a batch being read: its errors name its place and kind.
struct At<'a> {
    index: usize,
    kind: &'a str,
}

impl At<'_> {
    /// `INVALID_INPUT` for `field` of this command.
    fn error(&self, field: &'static str, what: impl std::fmt::Display) -> li::Error {
        li::Error::InvalidInput {
            field,
            reason: format!("batch command {} ({}): {what}", self.index, self.kind),
        }
    }

    /// A field the command's kind needs.
    fn need<T>(&self, v: Option<T>, field: &'static str) -> li::Result<T> {
        v.ok_or_else(|| self.error(field, "missing"))
    }

    /// A converted value, its `INVALID_INPUT` naming the command.
    fn value<T>(&self, v: li::Result<T>) -> li::Result<T> {
        v.map_err(|err| match err {
            li::Error::InvalidInput { field, reason } => self.error(field, reason),
            other => other,
        })
    }
}

/// The core commands of a batch, in order; the first malformed one is the error.
pub(crate) fn batch_commands(
    commands: Vec<BatchCommandFields>,
) -> li::Result<Vec<li::BatchCommand>> {
    commands
        .into_iter()
        .enumerate()
        .map(|(index, c)| c.into_core(index))
        .collect()
}

/// What one command of a batch resolved with, in the batch's order: `{ kind: 'order', order }`
/// for a request, approval, rejection, cancellation or assignment, `{ kind: 'licenses',
/// licenses }` for an issue.
#[napi(
    discriminant = "kind",
    discriminant_case = "snake_case",
    object_from_js = false
)]
// Unboxed: napi converts no `Box`, and results only live until they become JS objects.
#[allow(clippy::large_enum_variant)]
pub enum BatchResult {
    /// The order the command wrote.
    Order {
        /// The order, as the command left it.
        order: Order,
    },
    /// The licenses (or codes) an issue made.
    Licenses {
        /// The licenses, as issued.
        licenses: Vec<License>,
    },
}

impl From<li::BatchResult> for BatchResult {
    fn from(r: li::BatchResult) -> Self {
        match r {
            li::BatchResult::Order(order) => BatchResult::Order {
                order: (*order).into(),
            },
            li::BatchResult::Licenses(licenses) => BatchResult::Licenses {
                licenses: licenses.into_iter().map(Into::into).collect(),
            },
        }
    }
}
