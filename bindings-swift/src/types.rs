//! The hand-written value types of the Swift binding, and the home of all of them: the records
//! and enums of the table (`license-inventory-bindings-schema`) are generated into
//! [`crate::records`] and re-exported here. Written by hand: the id records, `Validity` (a sum
//! type), the filters (inputs), pages, `BatchCommand`/`BatchResult`, and the methods that
//! uniffi exports on generated types (`OrderStatus.label()`, `Permission.name()`, …).
//!
//! Times are `SystemTime` here and `Date` in Swift; ids are typed structs over a Foundation
//! `UUID`.

use std::collections::HashMap;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use license_inventory as core;
use uuid::Uuid;

pub use crate::records::*;

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

/// A whole number of the core (`u64` or `usize`) as the `u64` Swift sees (`UInt64`); a `usize`
/// beyond `u64` (impossible on today's targets) saturates.
pub(crate) trait Whole {
    /// The value as a `u64`.
    fn whole(self) -> u64;
}

impl Whole for u64 {
    fn whole(self) -> u64 {
        self
    }
}

impl Whole for usize {
    fn whole(self) -> u64 {
        u64::try_from(self).unwrap_or(u64::MAX)
    }
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

#[uniffi::export]
impl OrderStatus {
    /// The status as the seed's tables print it ("Active", "Requested", …).
    pub fn label(&self) -> String {
        core::OrderStatus::from(*self).label().to_owned()
    }
}

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
/// The core's default license policy, which `createProduct` without a policy gives: perpetual,
/// one device, not floating, not a trial.
#[uniffi::export]
pub fn default_license_policy() -> LicensePolicy {
    core::LicensePolicy::default().into()
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
    /// Only orders requested by this organization.
    #[uniffi(default)]
    pub requested_by_org: Option<OrgId>,
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
            requested_by_org: f.requested_by_org.map(Into::into),
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

/// One page of a directory list, in name order: `items` and the `next` cursor.
macro_rules! name_page {
    ($page:ident, $item:ident, $what:literal) => {
        #[doc = $what]
        #[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
        pub struct $page {
            /// The entries of this page.
            pub items: Vec<$item>,
            /// Where the next page starts (opaque: pass it back as `cursor`); `nil` on the last
            /// page.
            pub next: Option<String>,
        }

        impl From<core::Page<core::$item, core::NameCursor>> for $page {
            fn from(p: core::Page<core::$item, core::NameCursor>) -> Self {
                $page {
                    items: p.items.into_iter().map(Into::into).collect(),
                    next: p.next.map(|c| c.to_string()),
                }
            }
        }
    };
}

name_page!(
    OrgPage,
    Organization,
    "One page of organizations, in name order."
);
name_page!(
    OrgTreePage,
    OrgInTree,
    "One page of a subtree: level by level, each level in name order."
);
name_page!(UserPage, User, "One page of users, in name order.");
name_page!(ProductPage, Product, "One page of products, in name order.");
name_page!(BundlePage, Bundle, "One page of bundles, in name order.");

/// One line of an organization's summary: one product.
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

#[uniffi::export]
impl NotificationKind {
    /// The kind's snake-case name, as the core and the other bindings write it
    /// (`request_confirmation`, …).
    pub fn name(&self) -> String {
        core::NotificationKind::from(*self).as_str().to_owned()
    }
}

/// The order a notification is about, as it was when the notification was written (the order
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
/// One command of `Session.batch`: the same inputs, defaults, rules and effects as the
/// session method of the same name (`.approve(order:)` approves all that was asked, like
/// `Session.approve(order:)`).
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
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
    /// `Session.editRequest`: changes a pending request (`nil` leaves a field as it is).
    EditRequest {
        /// The pending request.
        order: OrderId,
        /// New purchase order reference.
        #[uniffi(default = None)]
        purchase_order: Option<String>,
        /// New product.
        #[uniffi(default = None)]
        product: Option<ProductId>,
        /// New quantity.
        #[uniffi(default = None)]
        quantity: Option<u64>,
        /// New requester comments.
        #[uniffi(default = None)]
        comments: Option<String>,
    },
    /// `Session.borrow`: a floating license for `borrower`, for `seconds`.
    Borrow {
        /// The license.
        license: LicenseId,
        /// Who borrows it.
        borrower: String,
        /// For how long.
        seconds: u32,
    },
    /// `Session.returnBorrow`.
    ReturnBorrow {
        /// The license.
        license: LicenseId,
        /// Whose borrow ends.
        borrower: String,
    },
    /// `Session.mint`: new stock into an order held by the vendor.
    Mint {
        /// The product.
        product: ProductId,
        /// Units to mint.
        quantity: u64,
        /// Purchase order reference.
        #[uniffi(default = None)]
        purchase_order: Option<String>,
        /// Comments.
        #[uniffi(default = None)]
        comments: Option<String>,
    },
    /// `Session.returnUnits`: unused units back to the source.
    ReturnUnits {
        /// The order.
        order: OrderId,
        /// Units to return.
        quantity: u64,
    },
    /// `Session.deleteOrder`: the order and its licenses, irreversibly.
    DeleteOrder {
        /// The order.
        order: OrderId,
    },
    /// `Session.importLicenses`: existing keys into an order.
    ImportLicenses {
        /// The order.
        order: OrderId,
        /// The keys, in the vendor's own format.
        keys: Vec<String>,
    },
    /// `Session.revoke`: an unused license; its unit returns to its order.
    Revoke {
        /// The license.
        license: LicenseId,
    },
    /// `Session.disable`.
    Disable {
        /// The license.
        license: LicenseId,
    },
    /// `Session.enable`.
    Enable {
        /// The license.
        license: LicenseId,
    },
    /// `Session.resetDevice`: removes one device from a license.
    ResetDevice {
        /// The license.
        license: LicenseId,
        /// The device.
        fingerprint: String,
    },
    /// `Session.resetLicense`: removes every device from a license.
    ResetLicense {
        /// The license.
        license: LicenseId,
    },
    /// `Session.editLicenseUser` (`nil` leaves a field as it is).
    EditLicenseUser {
        /// The license user.
        user: LicenseUserId,
        /// New email.
        #[uniffi(default = None)]
        email: Option<String>,
        /// New name.
        #[uniffi(default = None)]
        name: Option<String>,
    },
    /// `Session.deleteLicenseUser`.
    DeleteLicenseUser {
        /// The license user.
        user: LicenseUserId,
    },
    /// `Session.assignLicense` (`nil`: the license is taken back).
    AssignLicense {
        /// The license.
        license: LicenseId,
        /// Its license user.
        #[uniffi(default = None)]
        user: Option<LicenseUserId>,
    },
    /// `Session.addLicenseManager`.
    AddLicenseManager {
        /// The order.
        order: OrderId,
        /// The user.
        user: UserId,
        /// Permissions added to any they hold.
        permissions: Vec<Permission>,
    },
    /// `Session.setLicenseManagerPermissions`.
    SetLicenseManagerPermissions {
        /// The order.
        order: OrderId,
        /// The manager.
        user: UserId,
        /// The permissions it will hold.
        permissions: Vec<Permission>,
    },
    /// `Session.removeLicenseManager`.
    RemoveLicenseManager {
        /// The order.
        order: OrderId,
        /// The manager.
        user: UserId,
    },
    /// `Session.editMetadata`: `nil` leaves a field as it is, `""` clears a text field,
    /// `campaign` replaces all the campaign parameters.
    EditMetadata {
        /// The order.
        order: OrderId,
        /// New order reference.
        #[uniffi(default = None)]
        reference: Option<String>,
        /// New campaign parameters (replaces them all).
        #[uniffi(default = None)]
        campaign: Option<HashMap<String, String>>,
        /// New download id.
        #[uniffi(default = None)]
        download_id: Option<String>,
        /// New test flag.
        #[uniffi(default = None)]
        is_test: Option<bool>,
        /// New trial flag.
        #[uniffi(default = None)]
        is_trial: Option<bool>,
    },
    /// `Session.setCustomer`: adds or replaces an order's customer; `nil` removes it.
    SetCustomer {
        /// The order.
        order: OrderId,
        /// The customer (`nil`: removed).
        customer: Option<Customer>,
    },
    /// `Session.issueInBulk`: issues `quantity` licenses without returning them (`.issued`).
    IssueInBulk {
        /// The order to issue from.
        order: OrderId,
        /// How many licenses (or codes).
        quantity: u64,
    },
    /// `Session.requestBundle`: one request per line of the bundle (`.orders`).
    RequestBundle {
        /// The requesting organization.
        holder: OrgId,
        /// The bundle.
        bundle: BundleId,
        /// Purchase order reference.
        #[uniffi(default = None)]
        purchase_order: Option<String>,
        /// The requester's comments.
        #[uniffi(default = None)]
        comments: Option<String>,
    },
    /// `Session.addLicenseUser`, with an initial `password` when given (hashed before the
    /// batch's transaction; a keyed batch fingerprints it, never in the clear).
    AddLicenseUser {
        /// The order.
        order: OrderId,
        /// Email.
        email: String,
        /// Name.
        #[uniffi(default = None)]
        name: Option<String>,
        /// Initial password.
        #[uniffi(default = None)]
        password: Option<String>,
    },
    /// `Session.setLicenseUserPassword` (hashed before the batch's transaction; a keyed batch
    /// retried with another password is `Conflict`).
    SetLicenseUserPassword {
        /// The license user (`user`, like the other license-user commands of a batch).
        user: LicenseUserId,
        /// The new password (at least `minPassword()` characters).
        password: String,
    },
}

/// Passwords never show: the core's command redacts them.
impl std::fmt::Debug for BatchCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&core::BatchCommand::from(self.clone()), f)
    }
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
            BatchCommand::EditRequest {
                order,
                purchase_order,
                product,
                quantity,
                comments,
            } => core::BatchCommand::EditRequest {
                order: order.into(),
                edit: core::RequestEdit {
                    purchase_order,
                    product: product.map(Into::into),
                    quantity,
                    comments,
                },
            },
            BatchCommand::Borrow {
                license,
                borrower,
                seconds,
            } => core::BatchCommand::Borrow {
                license: license.into(),
                borrower,
                seconds,
            },
            BatchCommand::ReturnBorrow { license, borrower } => core::BatchCommand::ReturnBorrow {
                license: license.into(),
                borrower,
            },
            BatchCommand::Mint {
                product,
                quantity,
                purchase_order,
                comments,
            } => core::BatchCommand::Mint(core::NewMint {
                product: product.into(),
                quantity,
                purchase_order,
                comments,
            }),
            BatchCommand::ReturnUnits { order, quantity } => core::BatchCommand::ReturnUnits {
                order: order.into(),
                quantity,
            },
            BatchCommand::DeleteOrder { order } => core::BatchCommand::DeleteOrder {
                order: order.into(),
            },
            BatchCommand::ImportLicenses { order, keys } => core::BatchCommand::ImportLicenses {
                order: order.into(),
                keys,
            },
            BatchCommand::Revoke { license } => core::BatchCommand::Revoke {
                license: license.into(),
            },
            BatchCommand::Disable { license } => core::BatchCommand::Disable {
                license: license.into(),
            },
            BatchCommand::Enable { license } => core::BatchCommand::Enable {
                license: license.into(),
            },
            BatchCommand::ResetDevice {
                license,
                fingerprint,
            } => core::BatchCommand::ResetDevice {
                license: license.into(),
                fingerprint,
            },
            BatchCommand::ResetLicense { license } => core::BatchCommand::ResetLicense {
                license: license.into(),
            },
            BatchCommand::EditLicenseUser { user, email, name } => {
                core::BatchCommand::EditLicenseUser {
                    user: user.into(),
                    email,
                    name,
                }
            }
            BatchCommand::DeleteLicenseUser { user } => {
                core::BatchCommand::DeleteLicenseUser { user: user.into() }
            }
            BatchCommand::AssignLicense { license, user } => core::BatchCommand::AssignLicense {
                license: license.into(),
                user: user.map(Into::into),
            },
            BatchCommand::AddLicenseManager {
                order,
                user,
                permissions,
            } => core::BatchCommand::AddLicenseManager {
                order: order.into(),
                user: user.into(),
                permissions: permissions.into_iter().map(Into::into).collect(),
            },
            BatchCommand::SetLicenseManagerPermissions {
                order,
                user,
                permissions,
            } => core::BatchCommand::SetLicenseManagerPermissions {
                order: order.into(),
                user: user.into(),
                permissions: permissions.into_iter().map(Into::into).collect(),
            },
            BatchCommand::RemoveLicenseManager { order, user } => {
                core::BatchCommand::RemoveLicenseManager {
                    order: order.into(),
                    user: user.into(),
                }
            }
            BatchCommand::EditMetadata {
                order,
                reference,
                campaign,
                download_id,
                is_test,
                is_trial,
            } => core::BatchCommand::EditMetadata {
                order: order.into(),
                edit: core::MetadataEdit {
                    reference,
                    campaign: campaign.map(|c| c.into_iter().collect()),
                    download_id,
                    is_test,
                    is_trial,
                },
            },
            BatchCommand::SetCustomer { order, customer } => core::BatchCommand::SetCustomer {
                order: order.into(),
                customer: customer.map(Into::into),
            },
            BatchCommand::IssueInBulk { order, quantity } => core::BatchCommand::IssueInBulk {
                order: order.into(),
                quantity,
            },
            BatchCommand::RequestBundle {
                holder,
                bundle,
                purchase_order,
                comments,
            } => core::BatchCommand::RequestBundle {
                holder: holder.into(),
                bundle: bundle.into(),
                purchase_order,
                comments,
            },
            BatchCommand::AddLicenseUser {
                order,
                email,
                name,
                password,
            } => core::BatchCommand::AddLicenseUser {
                order: order.into(),
                user: core::NewLicenseUser {
                    email,
                    name,
                    password,
                },
            },
            BatchCommand::SetLicenseUserPassword { user, password } => {
                core::BatchCommand::SetLicenseUserPassword {
                    user: user.into(),
                    password: core::Password::from(password),
                }
            }
        }
    }
}

/// What one command of `Session.batch` returned, in the batch's order.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum BatchResult {
    /// The order a request, approval, rejection, cancellation or assignment wrote (boxed, as in
    /// the core; a plain `Order` in Swift).
    Order(Box<Order>),
    /// The licenses (or codes) an issue or an import made.
    Licenses(Vec<License>),
    /// The license a disable, enable or reset changed.
    License(Box<License>),
    /// The license manager an addition or a change of permissions wrote.
    Manager(LicenseManager),
    /// The license user an addition or an edit wrote.
    LicenseUser(LicenseUser),
    /// The requests a bundle request made, one per line.
    Orders(Vec<Order>),
    /// What an issue in bulk did.
    Issued(Box<Issued>),
    /// A deletion (of an order, a license user or a license manager) or a password change
    /// was done.
    Done,
}

impl From<core::BatchResult> for BatchResult {
    fn from(r: core::BatchResult) -> Self {
        match r {
            core::BatchResult::Order(order) => BatchResult::Order(Box::new((*order).into())),
            core::BatchResult::Licenses(licenses) => {
                BatchResult::Licenses(licenses.into_iter().map(Into::into).collect())
            }
            core::BatchResult::License(license) => {
                BatchResult::License(Box::new((*license).into()))
            }
            core::BatchResult::Manager(manager) => BatchResult::Manager(manager.into()),
            core::BatchResult::LicenseUser(user) => BatchResult::LicenseUser(user.into()),
            core::BatchResult::Orders(orders) => {
                BatchResult::Orders(orders.into_iter().map(Into::into).collect())
            }
            core::BatchResult::Issued(issued) => BatchResult::Issued(Box::new((*issued).into())),
            core::BatchResult::Done => BatchResult::Done,
        }
    }
}
