//! Value types as Swift sees them: uniffi Records (Swift structs) and Enums (Swift enums),
//! each with `From` conversions from (and, for inputs, into) the core's types. Times are
//! `SystemTime` here and `Date` in Swift; ids are typed structs over a Foundation `UUID`.

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
    /// Units ever minted by the vendor: the conservation total.
    pub minted: u64,
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
            available: a.available,
            issued: a.issued,
            problems: a.problems,
        }
    }
}
