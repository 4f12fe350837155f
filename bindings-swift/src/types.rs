//! Value types as Swift sees them: uniffi Records (Swift structs) and Enums (Swift enums),
//! each with `From` conversions from (and, for inputs, into) the core's types. Times are
//! `SystemTime` here and `Date` in Swift; ids are typed structs over a Foundation `UUID`.

use std::collections::HashMap;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use license_inventory as core;
use uuid::Uuid;

// A UUID crosses the FFI as its hyphenated text; uniffi.toml maps it to Foundation's `UUID`.
uniffi::custom_type!(Uuid, String, {
    remote,
    lower: |u| u.hyphenated().to_string(),
    try_lift: |s| Ok(Uuid::parse_str(&s)?),
});

/// A core time as a `SystemTime` (`Date` in Swift).
pub(crate) fn time(at: DateTime<Utc>) -> SystemTime {
    SystemTime::from(at)
}

/// A `SystemTime` (`Date` in Swift) as a core time.
pub(crate) fn core_time(at: SystemTime) -> DateTime<Utc> {
    DateTime::<Utc>::from(at)
}

macro_rules! id_record {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Record)]
        pub struct $name {
            /// The UUID inside.
            pub uuid: Uuid,
        }

        impl From<core::$name> for $name {
            fn from(id: core::$name) -> Self {
                Self { uuid: id.as_uuid() }
            }
        }

        impl From<$name> for core::$name {
            fn from(id: $name) -> Self {
                core::$name::from_uuid(id.uuid)
            }
        }
    };
}

id_record!(
    /// Identifies a tenant: one license vendor's world.
    TenantId
);
id_record!(
    /// Identifies an organization of the channel tree.
    OrgId
);
id_record!(
    /// Identifies a user.
    UserId
);
id_record!(
    /// Identifies a product (inventory type).
    ProductId
);
id_record!(
    /// Identifies an order (inventory lot).
    OrderId
);
id_record!(
    /// Identifies a license or activation code.
    LicenseId
);
id_record!(
    /// Identifies a license user (an end user of an order's licenses).
    LicenseUserId
);
id_record!(
    /// Identifies a bundle definition, or the bundle order shared by the orders of one bundle
    /// request (`Order.bundle`).
    BundleId
);
id_record!(
    /// Identifies a notification of the outbox (`Inventory.markNotificationsSent` takes these).
    NotificationId
);

/// Mirrors a fieldless core enum both ways, variant for variant.
macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl From<core::$name> for $name {
            fn from(v: core::$name) -> Self {
                match v {
                    $(core::$name::$variant => $name::$variant),+
                }
            }
        }

        impl From<$name> for core::$name {
            fn from(v: $name) -> Self {
                match v {
                    $($name::$variant => core::$name::$variant),+
                }
            }
        }
    };
}

mirror_enum!(
    /// A tenant's pricing plan; some license-manager permissions need `enterprise`.
    Plan {
        /// The standard plan.
        Standard,
        /// The enterprise plan.
        Enterprise,
    }
);

mirror_enum!(
    /// The tiers of the channel tree, top to bottom.
    Tier {
        /// The root; mints inventory. One per tenant.
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
);

mirror_enum!(
    /// How a unit of a product is delivered.
    ProductKind {
        /// Each unit is a one-time code an end user redeems ("User Activation Codes").
        ActivationCode,
        /// Each unit is a license ("Center License").
        License,
    }
);

mirror_enum!(
    /// The life of an order.
    OrderStatus {
        /// Pending: asked for, not yet approved.
        Requested,
        /// Approved (or assigned, or minted) with units available.
        Active,
        /// Approved, with no unit available.
        Depleted,
        /// Refused by the source organization.
        Rejected,
        /// Withdrawn by the requester.
        Cancelled,
    }
);

#[uniffi::export]
impl OrderStatus {
    /// The status as the seed's tables print it ("Active", "Requested", …).
    pub fn label(&self) -> String {
        core::OrderStatus::from(*self).label().to_owned()
    }
}

mirror_enum!(
    /// What kind of change a ledger entry records.
    LedgerKind {
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
        /// The vendor minted stock into its own order.
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
);

/// One license vendor's world.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Tenant {
    /// The tenant's id.
    pub id: TenantId,
    /// Display name.
    pub name: String,
    /// Pricing plan.
    pub plan: Plan,
    /// The root organization (tier `vendor`), created with the tenant.
    pub vendor: OrgId,
    /// Units ever minted by the vendor.
    pub minted: u64,
    /// Units gone for good (issued in deleted orders, or deleted unconsumed at the vendor).
    /// Conservation: `minted - retired = Σ available + Σ issued`.
    pub retired: u64,
    /// The number the next order will get.
    pub next_order_number: u64,
    /// When the tenant was created.
    pub created_at: SystemTime,
}

impl From<core::Tenant> for Tenant {
    fn from(t: core::Tenant) -> Self {
        Tenant {
            id: t.id.into(),
            name: t.name,
            plan: t.plan.into(),
            vendor: t.vendor.into(),
            minted: t.minted,
            retired: t.retired,
            next_order_number: t.next_order_number,
            created_at: time(t.created_at),
        }
    }
}

/// A node of the channel tree.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Organization {
    /// The organization's id.
    pub id: OrgId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// Display name, e.g. "MGA Inc".
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// Its parent; `nil` only for the vendor.
    pub parent: Option<OrgId>,
    /// False once deactivated.
    pub active: bool,
    /// When it was created.
    pub created_at: SystemTime,
}

impl From<core::Organization> for Organization {
    fn from(o: core::Organization) -> Self {
        Organization {
            id: o.id.into(),
            tenant: o.tenant.into(),
            name: o.name,
            tier: o.tier.into(),
            parent: o.parent.map(Into::into),
            active: o.active,
            created_at: time(o.created_at),
        }
    }
}

/// A person, unique by email within the tenant.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct User {
    /// The user's id.
    pub id: UserId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// Full name, e.g. "Irina Heer".
    pub name: String,
    /// Email, stored lower-case.
    pub email: String,
    /// When the user was created.
    pub created_at: SystemTime,
}

impl From<core::User> for User {
    fn from(u: core::User) -> Self {
        User {
            id: u.id.into(),
            tenant: u.tenant.into(),
            name: u.name,
            email: u.email,
            created_at: time(u.created_at),
        }
    }
}

/// An inventory type, e.g. "Center License".
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Product {
    /// The product's id.
    pub id: ProductId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// Short code, unique within the tenant (e.g. `CL`).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Delivery kind.
    pub kind: ProductKind,
    /// The policy of the licenses issued for it.
    pub policy: LicensePolicy,
    /// When it was defined.
    pub created_at: SystemTime,
}

impl From<core::Product> for Product {
    fn from(p: core::Product) -> Self {
        Product {
            id: p.id.into(),
            tenant: p.tenant.into(),
            code: p.code,
            name: p.name,
            kind: p.kind.into(),
            policy: p.policy.into(),
            created_at: time(p.created_at),
        }
    }
}

/// An inventory lot of one product held by one organization.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Order {
    /// The order's id (UUID v7).
    pub id: OrderId,
    /// The human order number, per tenant (1210, 1211, …).
    pub number: u64,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// The product.
    pub product: ProductId,
    /// Purchase order reference.
    pub purchase_order: Option<String>,
    /// The holder ("Requested By" / "Assigned To").
    pub holder: OrgId,
    /// The source ("Requested To" / "Assigned By"); `nil` for the vendor's minted stock.
    pub source: Option<OrgId>,
    /// Who requested it; `nil` when assigned or minted.
    pub requested_by: Option<UserId>,
    /// When it was requested (or assigned, or minted).
    pub requested_at: SystemTime,
    /// Units asked for.
    pub requested_quantity: u64,
    /// The requester's comments.
    pub requester_comments: Option<String>,
    /// Who approved (or rejected, or assigned) it.
    pub approved_by: Option<UserId>,
    /// When it was approved (or rejected).
    pub approved_at: Option<SystemTime>,
    /// Units approved (0 until approved).
    pub approved_quantity: u64,
    /// The approver's comments.
    pub approval_comments: Option<String>,
    /// Current status.
    pub status: OrderStatus,
    /// Units drawn from this order by child orders.
    pub drawn: u64,
    /// Units issued as licenses or codes.
    pub issued: u64,
    /// Units available to draw or issue.
    pub available: u64,
    /// When it last changed.
    pub updated_at: SystemTime,
    /// Reference, campaign, download id, test and trial flags (`Session.editMetadata`).
    pub metadata: OrderMetadata,
    /// The end customer; `nil` when none is recorded (`Session.setCustomer`).
    pub customer: Option<Customer>,
    /// The id shared by the orders of one bundle request; `nil` for a single order.
    pub bundle: Option<BundleId>,
}

impl From<core::Order> for Order {
    fn from(o: core::Order) -> Self {
        Order {
            id: o.id.into(),
            number: o.number.get(),
            tenant: o.tenant.into(),
            product: o.product.into(),
            purchase_order: o.purchase_order,
            holder: o.holder.into(),
            source: o.source.map(Into::into),
            requested_by: o.requested_by.map(Into::into),
            requested_at: time(o.requested_at),
            requested_quantity: o.requested_quantity,
            requester_comments: o.requester_comments,
            approved_by: o.approved_by.map(Into::into),
            approved_at: o.approved_at.map(time),
            approved_quantity: o.approved_quantity,
            approval_comments: o.approval_comments,
            status: o.status.into(),
            drawn: o.drawn,
            issued: o.issued,
            available: o.available,
            updated_at: time(o.updated_at),
            metadata: o.metadata.into(),
            customer: o.customer.map(Into::into),
            bundle: o.bundle.map(Into::into),
        }
    }
}

/// An order with the names a person reads next to it ("Order Details").
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct OrderDetails {
    /// The order.
    pub order: Order,
    /// The product's name ("Center License").
    pub product_name: String,
    /// The product's kind.
    pub product_kind: ProductKind,
    /// The holder's name ("MGA Inc").
    pub holder_name: String,
    /// The source's name ("Ellen Emporium"), if any.
    pub source_name: Option<String>,
    /// The requesting user's name, if it was requested by a user.
    pub requested_by_name: Option<String>,
    /// The approving user's name, if approved.
    pub approved_by_name: Option<String>,
}

impl From<core::OrderDetails> for OrderDetails {
    fn from(d: core::OrderDetails) -> Self {
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

/// Filters for an organization's inventory list; the default (`InventoryFilter()`) matches
/// everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct InventoryFilter {
    /// Only these statuses (empty: all).
    #[uniffi(default)]
    pub statuses: Vec<OrderStatus>,
    /// Only these products (empty: all).
    #[uniffi(default)]
    pub products: Vec<ProductId>,
    /// Only this order number.
    #[uniffi(default)]
    pub order_number: Option<u64>,
    /// Only purchase orders containing this text (case-insensitive).
    #[uniffi(default)]
    pub purchase_order: Option<String>,
    /// Only orders requested at or after this time.
    #[uniffi(default)]
    pub requested_from: Option<SystemTime>,
    /// Only orders requested strictly before this time.
    #[uniffi(default)]
    pub requested_to: Option<SystemTime>,
}

impl From<InventoryFilter> for core::InventoryFilter {
    fn from(f: InventoryFilter) -> Self {
        core::InventoryFilter {
            statuses: f.statuses.into_iter().map(Into::into).collect(),
            products: f.products.into_iter().map(Into::into).collect(),
            order_number: f.order_number.map(core::OrderNumber),
            purchase_order: f.purchase_order,
            requested_from: f.requested_from.map(core_time),
            requested_to: f.requested_to.map(core_time),
        }
    }
}

/// One page of an inventory list, newest first.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct OrderPage {
    /// The orders of this page.
    pub items: Vec<OrderDetails>,
    /// Where the next page starts (opaque: pass it back to `list`); `nil` on the last page.
    pub next: Option<String>,
}

impl From<core::Page<core::OrderDetails>> for OrderPage {
    fn from(p: core::Page<core::OrderDetails>) -> Self {
        OrderPage {
            items: p.items.into_iter().map(Into::into).collect(),
            next: p.next.map(|c| c.to_string()),
        }
    }
}

/// One line of an organization's summary: one product.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SummaryLine {
    /// The product.
    pub product: ProductId,
    /// Its name.
    pub product_name: String,
    /// Its kind.
    pub product_kind: ProductKind,
    /// Units approved into the org's active and depleted orders.
    pub held: u64,
    /// Units available now.
    pub available: u64,
    /// The org's own requests still pending.
    pub pending_requests: u64,
    /// Units asked for by those requests.
    pub pending_units: u64,
    /// Requests addressed to the org awaiting its approval.
    pub incoming_requests: u64,
    /// Units asked for by those.
    pub incoming_units: u64,
}

impl From<core::SummaryLine> for SummaryLine {
    fn from(l: core::SummaryLine) -> Self {
        SummaryLine {
            product: l.product.into(),
            product_name: l.product_name,
            product_kind: l.product_kind.into(),
            held: l.held,
            available: l.available,
            pending_requests: l.pending_requests,
            pending_units: l.pending_units,
            incoming_requests: l.incoming_requests,
            incoming_units: l.incoming_units,
        }
    }
}

/// One outgoing draw of an order, as "Detail of Inventory Use" lists it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct UseLine {
    /// The child order that drew the units.
    pub order: OrderId,
    /// Its number.
    pub order_number: u64,
    /// Its purchase order.
    pub purchase_order: Option<String>,
    /// Units drawn.
    pub quantity: u64,
    /// When ("Date of Assignment").
    pub at: SystemTime,
    /// The child order's holder ("Requested By").
    pub requested_by_org: String,
    /// The requesting user, if it was a request.
    pub requested_by_user: Option<String>,
    /// The organization that approved or assigned ("Approved By").
    pub approved_by_org: String,
    /// The approving user.
    pub approved_by_user: Option<String>,
}

impl From<core::UseLine> for UseLine {
    fn from(l: core::UseLine) -> Self {
        UseLine {
            order: l.order.into(),
            order_number: l.order_number.get(),
            purchase_order: l.purchase_order,
            quantity: l.quantity,
            at: time(l.at),
            requested_by_org: l.requested_by_org,
            requested_by_user: l.requested_by_user,
            approved_by_org: l.approved_by_org,
            approved_by_user: l.approved_by_user,
        }
    }
}

/// "Detail of Inventory Use" of an order.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct InventoryUse {
    /// The order itself.
    pub order: OrderDetails,
    /// Its outgoing draws, oldest first.
    pub draws: Vec<UseLine>,
}

impl From<core::InventoryUse> for InventoryUse {
    fn from(u: core::InventoryUse) -> Self {
        InventoryUse {
            order: u.order.into(),
            draws: u.draws.into_iter().map(Into::into).collect(),
        }
    }
}

/// The change one ledger entry made to one order's quantities (signed deltas).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Movement {
    /// The order whose quantities changed.
    pub order: OrderId,
    /// Its holder.
    pub org: OrgId,
    /// Its product.
    pub product: ProductId,
    /// Change of the approved quantity.
    pub approved: i64,
    /// Change of the units drawn by children.
    pub drawn: i64,
    /// Change of the units issued.
    pub issued: i64,
    /// Change of the available units.
    pub available: i64,
}

impl From<core::Movement> for Movement {
    fn from(m: core::Movement) -> Self {
        Movement {
            order: m.order.into(),
            org: m.org.into(),
            product: m.product.into(),
            approved: m.approved,
            drawn: m.drawn,
            issued: m.issued,
            available: m.available,
        }
    }
}

/// One immutable, hash-chained ledger entry.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct LedgerEntry {
    /// The tenant.
    pub tenant: TenantId,
    /// Sequence number within the tenant, from 1, without gaps.
    pub seq: u64,
    /// When.
    pub at: SystemTime,
    /// Who; `nil` for host-level provisioning.
    pub actor: Option<UserId>,
    /// What kind of change.
    pub kind: LedgerKind,
    /// The order concerned, if any.
    pub order: Option<OrderId>,
    /// The organization concerned, if any.
    pub org: Option<OrgId>,
    /// Units minted by this entry.
    pub minted: u64,
    /// Units retired by this entry (an order deletion).
    pub retired: u64,
    /// The quantity changes.
    pub movements: Vec<Movement>,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// SHA-256 of this entry's content and `prevHash`, hex.
    pub hash: String,
}

impl From<core::LedgerEntry> for LedgerEntry {
    fn from(e: core::LedgerEntry) -> Self {
        LedgerEntry {
            tenant: e.tenant.into(),
            seq: e.seq,
            at: time(e.at),
            actor: e.actor.map(Into::into),
            kind: e.kind.into(),
            order: e.order.map(Into::into),
            org: e.org.map(Into::into),
            minted: e.minted,
            retired: e.retired,
            movements: e.movements.into_iter().map(Into::into).collect(),
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// Conservation and ledger checks over a whole tenant (`Inventory.audit`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Audit {
    /// Orders examined.
    pub orders: u64,
    /// Ledger entries examined.
    pub ledger_entries: u64,
    /// Units the tenant ever minted.
    pub minted: u64,
    /// Units retired: `minted - retired = available + issued`.
    pub retired: u64,
    /// Σ available over all orders.
    pub available: u64,
    /// Σ issued over all orders.
    pub issued: u64,
    /// Every discrepancy found; empty when all holds.
    pub problems: Vec<String>,
}

impl From<core::Audit> for Audit {
    fn from(a: core::Audit) -> Self {
        Audit {
            orders: u64::try_from(a.orders).unwrap_or(u64::MAX),
            ledger_entries: a.ledger_entries,
            minted: a.minted,
            retired: a.retired,
            available: a.available,
            issued: a.issued,
            problems: a.problems,
        }
    }
}

mirror_enum!(
    /// The state of a license.
    LicenseStatus {
        /// Issued, never activated (or an activation code not yet redeemed).
        Issued,
        /// Activated at least once (or redeemed).
        Active,
        /// Disabled by an administrator: cannot be activated or borrowed.
        Disabled,
    }
);

mirror_enum!(
    /// What a license manager may do on its order: exactly the nine permissions of the vendor
    /// platform, each guarding real operations of `Session`. `createOrder` and `issueLicense`
    /// need the enterprise plan.
    Permission {
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
);

#[uniffi::export]
impl Permission {
    /// The permission's snake-case name, as the vendor platform and the core's messages write
    /// it (`manage_license_users`, …).
    pub fn name(&self) -> String {
        core::Permission::from(*self).as_str().to_owned()
    }

    /// True for the permissions only the enterprise plan may grant and use.
    pub fn enterprise_only(&self) -> bool {
        core::Permission::from(*self).enterprise_only()
    }
}

/// All nine permissions, in the vendor platform's order.
#[uniffi::export]
pub fn all_permissions() -> Vec<Permission> {
    core::Permission::ALL.into_iter().map(Into::into).collect()
}

/// How long a license is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Validity {
    /// Never expires.
    Perpetual,
    /// Valid for `days` days from its first activation.
    DaysFromActivation {
        /// Days (1 to 36500; the core checks).
        days: u32,
    },
    /// Valid for `days` days from its issue.
    DaysFromIssue {
        /// Days (1 to 36500; the core checks).
        days: u32,
    },
}

impl From<core::Validity> for Validity {
    fn from(v: core::Validity) -> Self {
        match v {
            core::Validity::Perpetual => Validity::Perpetual,
            core::Validity::DaysFromActivation(days) => Validity::DaysFromActivation { days },
            core::Validity::DaysFromIssue(days) => Validity::DaysFromIssue { days },
        }
    }
}

impl From<Validity> for core::Validity {
    fn from(v: Validity) -> Self {
        match v {
            Validity::Perpetual => core::Validity::Perpetual,
            Validity::DaysFromActivation { days } => core::Validity::DaysFromActivation(days),
            Validity::DaysFromIssue { days } => core::Validity::DaysFromIssue(days),
        }
    }
}

/// Floating use: a license borrowed by a bounded number of holders at once, each for a
/// bounded time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Floating {
    /// How many borrows may be open at once.
    pub max_borrows: u32,
    /// The longest one borrow may last, in seconds.
    pub max_borrow_seconds: u32,
}

impl From<core::Floating> for Floating {
    fn from(f: core::Floating) -> Self {
        Floating {
            max_borrows: f.max_borrows,
            max_borrow_seconds: f.max_borrow_seconds,
        }
    }
}

impl From<Floating> for core::Floating {
    fn from(f: Floating) -> Self {
        core::Floating {
            max_borrows: f.max_borrows,
            max_borrow_seconds: f.max_borrow_seconds,
        }
    }
}

/// A product's license policy, copied onto each license when it is issued. The core checks
/// the figures (`InvalidInput` otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Record)]
pub struct LicensePolicy {
    /// How long a license is valid.
    pub validity: Validity,
    /// Devices one license may be activated on (1 to 100000).
    pub max_activations: u32,
    /// Floating use; `nil` (the default) when the product does not float.
    #[uniffi(default)]
    pub floating: Option<Floating>,
    /// Licenses of this product are trials (default `false`).
    #[uniffi(default)]
    pub trial: bool,
}

impl From<core::LicensePolicy> for LicensePolicy {
    fn from(p: core::LicensePolicy) -> Self {
        LicensePolicy {
            validity: p.validity.into(),
            max_activations: p.max_activations,
            floating: p.floating.map(Into::into),
            trial: p.trial,
        }
    }
}

impl From<LicensePolicy> for core::LicensePolicy {
    fn from(p: LicensePolicy) -> Self {
        core::LicensePolicy {
            validity: p.validity.into(),
            max_activations: p.max_activations,
            floating: p.floating.map(Into::into),
            trial: p.trial,
        }
    }
}

/// The core's default license policy, which `createProduct` without a policy gives: perpetual,
/// one device, not floating, not a trial.
#[uniffi::export]
pub fn default_license_policy() -> LicensePolicy {
    core::LicensePolicy::default().into()
}

/// A device a license is activated on (or who redeemed an activation code).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Activation {
    /// The device's fingerprint (opaque, chosen by the application).
    pub fingerprint: String,
    /// A name a person recognises ("Front desk PC").
    pub name: String,
    /// When.
    pub at: SystemTime,
}

impl From<core::Activation> for Activation {
    fn from(a: core::Activation) -> Self {
        Activation {
            fingerprint: a.fingerprint,
            name: a.name,
            at: time(a.at),
        }
    }
}

/// An open borrow of a floating license.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Borrow {
    /// Who or what borrowed it (a device fingerprint or a user).
    pub borrower: String,
    /// When.
    pub at: SystemTime,
    /// When it ends by itself.
    pub until: SystemTime,
}

impl From<core::Borrow> for Borrow {
    fn from(b: core::Borrow) -> Self {
        Borrow {
            borrower: b.borrower,
            at: time(b.at),
            until: time(b.until),
        }
    }
}

/// A license, or an activation code, issued from an order.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct License {
    /// The license's id.
    pub id: LicenseId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// The order it was issued from.
    pub order: OrderId,
    /// The product.
    pub product: ProductId,
    /// Its key (or code), `7KQ2M-XR4TD-9WZPH-BN3CV-0G6JA`, unique within the tenant.
    pub key: String,
    /// True for an activation code (redeemed once), false for a license.
    pub is_code: bool,
    /// Its state.
    pub status: LicenseStatus,
    /// The license user it belongs to; `nil` when none.
    pub license_user: Option<LicenseUserId>,
    /// Devices it is activated on.
    pub activations: Vec<Activation>,
    /// Open floating borrows.
    pub borrows: Vec<Borrow>,
    /// The policy copied from the product at issue.
    pub policy: LicensePolicy,
    /// A trial (from the product's policy or the order's trial flag).
    pub trial: bool,
    /// When it was issued.
    pub issued_at: SystemTime,
    /// When it was first activated or redeemed.
    pub activated_at: Option<SystemTime>,
    /// When it expires, once known.
    pub expires_at: Option<SystemTime>,
}

impl From<core::License> for License {
    fn from(l: core::License) -> Self {
        License {
            id: l.id.into(),
            tenant: l.tenant.into(),
            order: l.order.into(),
            product: l.product.into(),
            key: l.key.to_string(),
            is_code: l.is_code,
            status: l.status.into(),
            license_user: l.license_user.map(Into::into),
            activations: l.activations.into_iter().map(Into::into).collect(),
            borrows: l.borrows.into_iter().map(Into::into).collect(),
            policy: l.policy.into(),
            trial: l.trial,
            issued_at: time(l.issued_at),
            activated_at: l.activated_at.map(time),
            expires_at: l.expires_at.map(time),
        }
    }
}

/// An end user of the licenses of one order.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct LicenseUser {
    /// The license user's id.
    pub id: LicenseUserId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// The order whose licenses they use.
    pub order: OrderId,
    /// Email, lower-case, unique within the order.
    pub email: String,
    /// Name.
    pub name: Option<String>,
    /// True when a password is set (the password itself never leaves the library).
    pub has_password: bool,
}

impl From<core::LicenseUser> for LicenseUser {
    fn from(u: core::LicenseUser) -> Self {
        LicenseUser {
            id: u.id.into(),
            tenant: u.tenant.into(),
            order: u.order.into(),
            email: u.email,
            name: u.name,
            has_password: u.has_password,
        }
    }
}

/// A user's permissions over one order.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct LicenseManager {
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// The order managed.
    pub order: OrderId,
    /// The manager.
    pub user: UserId,
    /// What they may do, in the vendor platform's order.
    pub permissions: Vec<Permission>,
}

impl From<core::LicenseManager> for LicenseManager {
    fn from(m: core::LicenseManager) -> Self {
        LicenseManager {
            tenant: m.tenant.into(),
            order: m.order.into(),
            user: m.user.into(),
            permissions: m.permissions.into_iter().map(Into::into).collect(),
        }
    }
}

/// The end customer of an order; an order's `customer` can be changed and passed back to
/// `Session.setCustomer`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Customer {
    /// Name.
    pub name: String,
    /// Email.
    #[uniffi(default)]
    pub email: Option<String>,
    /// Company.
    #[uniffi(default)]
    pub company: Option<String>,
    /// Phone.
    #[uniffi(default)]
    pub phone: Option<String>,
    /// The customer's own reference.
    #[uniffi(default)]
    pub reference: Option<String>,
}

impl From<core::Customer> for Customer {
    fn from(c: core::Customer) -> Self {
        Customer {
            name: c.name,
            email: c.email,
            company: c.company,
            phone: c.phone,
            reference: c.reference,
        }
    }
}

impl From<Customer> for core::Customer {
    fn from(c: Customer) -> Self {
        core::Customer {
            name: c.name,
            email: c.email,
            company: c.company,
            phone: c.phone,
            reference: c.reference,
        }
    }
}

/// An order's metadata, editable by the holder's admins at any time (`Session.editMetadata`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct OrderMetadata {
    /// The order reference number.
    pub reference: Option<String>,
    /// Campaign parameters (key → value), e.g. `utm_source → newsletter`.
    pub campaign: HashMap<String, String>,
    /// The download id.
    pub download_id: Option<String>,
    /// A test order.
    pub is_test: bool,
    /// A trial order: the licenses issued from it are trials.
    pub is_trial: bool,
}

impl From<core::OrderMetadata> for OrderMetadata {
    fn from(m: core::OrderMetadata) -> Self {
        OrderMetadata {
            reference: m.reference,
            campaign: m.campaign.into_iter().collect(),
            download_id: m.download_id,
            is_test: m.is_test,
            is_trial: m.is_trial,
        }
    }
}

/// One line of a bundle: a product and how many units of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Record)]
pub struct BundleLine {
    /// The product.
    pub product: ProductId,
    /// Units of it.
    pub quantity: u64,
}

impl From<core::BundleLine> for BundleLine {
    fn from(l: core::BundleLine) -> Self {
        BundleLine {
            product: l.product.into(),
            quantity: l.quantity,
        }
    }
}

impl From<BundleLine> for core::BundleLine {
    fn from(l: BundleLine) -> Self {
        core::BundleLine {
            product: l.product.into(),
            quantity: l.quantity,
        }
    }
}

/// A named set of products and quantities (vendor-defined, like products);
/// `Session.requestBundle` creates one request per line.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Bundle {
    /// The bundle's id.
    pub id: BundleId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// Display name ("Classroom pack").
    pub name: String,
    /// Its lines.
    pub lines: Vec<BundleLine>,
}

impl From<core::Bundle> for Bundle {
    fn from(b: core::Bundle) -> Self {
        Bundle {
            id: b.id.into(),
            tenant: b.tenant.into(),
            name: b.name,
            lines: b.lines.into_iter().map(Into::into).collect(),
        }
    }
}

/// The columns of `Session.exportOrderCsv`, in order: the order's and customer's columns, then
/// the license's.
#[uniffi::export]
pub fn order_columns() -> Vec<String> {
    core::ORDER_COLUMNS
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}

/// The columns of `Session.exportInventoryCsv`, in order.
#[uniffi::export]
pub fn inventory_columns() -> Vec<String> {
    core::INVENTORY_COLUMNS
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}

mirror_enum!(
    /// What a notification of the outbox is about.
    NotificationKind {
        /// To the requester: the request was recorded, with its details.
        RequestConfirmation,
        /// To the source organization's admins and the vendor admins: a request awaits
        /// approval.
        RequestReceived,
        /// To the requester: the request was approved (the quantity approved is in the digest).
        RequestApproved,
        /// To the requester: the request was rejected (the comments are in the digest).
        RequestRejected,
        /// To a new license manager: an invitation to manage the order, with the permissions.
        ManagerInvitation,
    }
);

#[uniffi::export]
impl NotificationKind {
    /// The kind's snake-case name, as the core and the other bindings write it
    /// (`request_confirmation`, …).
    pub fn name(&self) -> String {
        core::NotificationKind::from(*self).as_str().to_owned()
    }
}

/// The order a notification is about, as it was when the notification was written (the order
/// may change or be deleted later; the message still reads right).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct OrderDigest {
    /// The order's number.
    pub number: u64,
    /// The product's name ("Center License").
    pub product_name: String,
    /// Units requested.
    pub requested_quantity: u64,
    /// Units approved (0 until approved).
    pub approved_quantity: u64,
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

impl From<core::OrderDigest> for OrderDigest {
    fn from(d: core::OrderDigest) -> Self {
        OrderDigest {
            number: d.number.get(),
            product_name: d.product_name,
            requested_quantity: d.requested_quantity,
            approved_quantity: d.approved_quantity,
            purchase_order: d.purchase_order,
            holder_name: d.holder_name,
            source_name: d.source_name,
            requester_comments: d.requester_comments,
            approval_comments: d.approval_comments,
        }
    }
}

/// One message to one person, waiting in the outbox until the host application sends it and
/// marks it sent (`Inventory.pendingNotifications`, `Inventory.markNotificationsSent`). The
/// library never sends anything.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Notification {
    /// Its id: what `Inventory.markNotificationsSent` takes.
    pub id: NotificationId,
    /// The tenant.
    pub tenant: TenantId,
    /// The ledger entry of the change that caused it.
    pub seq: u64,
    /// What it is about.
    pub kind: NotificationKind,
    /// Who it is for.
    pub recipient: UserId,
    /// The recipient's email when it was written.
    pub email: String,
    /// The recipient's name when it was written.
    pub name: String,
    /// The order it is about.
    pub order: OrderId,
    /// The order's figures when it was written.
    pub digest: OrderDigest,
    /// For a `managerInvitation`, the permissions granted; else empty.
    pub permissions: Vec<Permission>,
    /// A one-line subject for the message, the core's text ("Order 1213: request for 2 Center
    /// License from MGA Inc").
    pub subject: String,
    /// When it was written (the time of its change).
    pub created_at: SystemTime,
    /// When the host application marked it sent; `nil` while pending.
    pub sent_at: Option<SystemTime>,
}

impl From<core::Notification> for Notification {
    fn from(n: core::Notification) -> Self {
        let subject = n.subject();
        Notification {
            id: n.id.into(),
            tenant: n.tenant.into(),
            seq: n.seq,
            kind: n.kind.into(),
            recipient: n.recipient.into(),
            email: n.email,
            name: n.name,
            order: n.order.into(),
            digest: n.digest.into(),
            permissions: n.permissions.into_iter().map(Into::into).collect(),
            subject,
            created_at: time(n.created_at),
            sent_at: n.sent_at.map(time),
        }
    }
}

/// Which ledger entries `Inventory.ledgerMatching` returns: those that satisfy every filter
/// given. The default (`LedgerFilter()`) matches every entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct LedgerFilter {
    /// Only entries about this order, or moving its quantities.
    #[uniffi(default)]
    pub order: Option<OrderId>,
    /// Only entries about this organization, or moving the quantities of an order it holds.
    #[uniffi(default)]
    pub org: Option<OrgId>,
    /// Only entries recorded at or after this time.
    #[uniffi(default)]
    pub from: Option<SystemTime>,
    /// Only entries recorded strictly before this time.
    #[uniffi(default)]
    pub to: Option<SystemTime>,
}

impl From<LedgerFilter> for core::LedgerFilter {
    fn from(f: LedgerFilter) -> Self {
        core::LedgerFilter {
            order: f.order.map(Into::into),
            org: f.org.map(Into::into),
            from: f.from.map(core_time),
            to: f.to.map(core_time),
        }
    }
}

/// An order's quantities at one past moment, rebuilt from the ledger (`Inventory.orderAt`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, uniffi::Record)]
pub struct OrderFigures {
    /// The order.
    pub order: OrderId,
    /// Its holder.
    pub org: OrgId,
    /// Its product.
    pub product: ProductId,
    /// Units approved into it.
    pub approved: u64,
    /// Units child orders drew from it.
    pub drawn: u64,
    /// Units issued as licenses or codes.
    pub issued: u64,
    /// Units available.
    pub available: u64,
}

impl From<core::OrderFigures> for OrderFigures {
    fn from(f: core::OrderFigures) -> Self {
        OrderFigures {
            order: f.order.into(),
            org: f.org.into(),
            product: f.product.into(),
            approved: f.approved,
            drawn: f.drawn,
            issued: f.issued,
            available: f.available,
        }
    }
}

/// What an organization held of one product at one past moment, summed over its orders
/// (`Inventory.holdingsAt`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Holding {
    /// The product.
    pub product: ProductId,
    /// How many of the organization's orders of this product held units then (approved ones).
    pub orders: u64,
    /// Units approved into them.
    pub approved: u64,
    /// Units child orders drew from them.
    pub drawn: u64,
    /// Units issued from them.
    pub issued: u64,
    /// Units available in them.
    pub available: u64,
}

impl From<core::Holding> for Holding {
    fn from(h: core::Holding) -> Self {
        Holding {
            product: h.product.into(),
            orders: h.orders,
            approved: h.approved,
            drawn: h.drawn,
            issued: h.issued,
            available: h.available,
        }
    }
}

/// One command of `Session.batch`: the same inputs, defaults, rules and effects as the
/// session method of the same name (`.approve(order:)` approves all that was asked, like
/// `Session.approve(order:)`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum BatchCommand {
    /// `Session.request`: `quantity` units of `product` for `holder` from its parent.
    Request {
        /// The requesting organization.
        holder: OrgId,
        /// The product asked for.
        product: ProductId,
        /// Units asked for.
        quantity: u64,
        /// Purchase order reference.
        #[uniffi(default = None)]
        purchase_order: Option<String>,
        /// The requester's comments.
        #[uniffi(default = None)]
        comments: Option<String>,
    },
    /// `Session.approve`: approves a request, for `quantity` units (`nil`: all requested).
    Approve {
        /// The request.
        order: OrderId,
        /// Units to approve (`nil`: all requested).
        #[uniffi(default = None)]
        quantity: Option<u64>,
        /// The approver's comments.
        #[uniffi(default = None)]
        comments: Option<String>,
    },
    /// `Session.reject`: rejects a request.
    Reject {
        /// The request.
        order: OrderId,
        /// Comments.
        #[uniffi(default = None)]
        comments: Option<String>,
    },
    /// `Session.cancel`: cancels (withdraws) a pending request.
    Cancel {
        /// The request.
        order: OrderId,
    },
    /// `Session.assign`: assigns `quantity` units from `from` to its child `to`.
    Assign {
        /// The assigning organization.
        from: OrgId,
        /// The receiving child organization.
        to: OrgId,
        /// The product.
        product: ProductId,
        /// Units to assign.
        quantity: u64,
        /// Purchase order reference.
        #[uniffi(default = None)]
        purchase_order: Option<String>,
        /// Comments.
        #[uniffi(default = None)]
        comments: Option<String>,
    },
    /// `Session.issue`: issues `quantity` licenses (or activation codes) from an order.
    Issue {
        /// The order to issue from.
        order: OrderId,
        /// How many licenses (or codes).
        quantity: u64,
    },
}

impl From<BatchCommand> for core::BatchCommand {
    fn from(c: BatchCommand) -> Self {
        match c {
            BatchCommand::Request {
                holder,
                product,
                quantity,
                purchase_order,
                comments,
            } => core::BatchCommand::Request(core::NewRequest {
                holder: holder.into(),
                product: product.into(),
                quantity,
                purchase_order,
                comments,
            }),
            BatchCommand::Approve {
                order,
                quantity,
                comments,
            } => core::BatchCommand::Approve {
                order: order.into(),
                quantity,
                comments,
            },
            BatchCommand::Reject { order, comments } => core::BatchCommand::Reject {
                order: order.into(),
                comments,
            },
            BatchCommand::Cancel { order } => core::BatchCommand::Cancel {
                order: order.into(),
            },
            BatchCommand::Assign {
                from,
                to,
                product,
                quantity,
                purchase_order,
                comments,
            } => core::BatchCommand::Assign(core::NewAssignment {
                from: from.into(),
                to: to.into(),
                product: product.into(),
                quantity,
                purchase_order,
                comments,
            }),
            BatchCommand::Issue { order, quantity } => core::BatchCommand::Issue {
                order: order.into(),
                quantity,
            },
        }
    }
}

/// What one command of `Session.batch` returned, in the batch's order.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum BatchResult {
    /// The order a request, approval, rejection, cancellation or assignment wrote (boxed, as in
    /// the core; a plain `Order` in Swift).
    Order(Box<Order>),
    /// The licenses (or codes) an issue made.
    Licenses(Vec<License>),
}

impl From<core::BatchResult> for BatchResult {
    fn from(r: core::BatchResult) -> Self {
        match r {
            core::BatchResult::Order(order) => BatchResult::Order(Box::new((*order).into())),
            core::BatchResult::Licenses(licenses) => {
                BatchResult::Licenses(licenses.into_iter().map(Into::into).collect())
            }
        }
    }
}
