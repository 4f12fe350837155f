//! # license-inventory
//!
//! License inventory through a reseller hierarchy: inventory is minted by a vendor, requested and
//! approved down the channel tree (distributor › reseller › hub › center), and never lost or
//! oversold, on any store, under any concurrency.
//!
//! Everything starts from an [`Inventory`] over a [`Store`] ([`MemoryStore`], or the embedded
//! default `SqliteStore`). Provisioning (tenants, organizations, users, products) is done by the
//! host application; every other action is taken by a user through a [`Session`], which checks
//! their roles.
//!
//! ```
//! use license_inventory::*;
//! # fn main() -> Result<()> {
//! let inv = Inventory::in_memory();
//! let t = inv.create_tenant(NewTenant {
//!     name: "Jasperactive".into(), plan: Plan::Standard,
//!     vendor_name: "Jasperactive".into(), first_order_number: Some(1210),
//! })?;
//! let ellen = inv.create_org(t.id, NewOrganization { name: "Ellen Emporium".into(), tier: Tier::Distributor, parent: t.vendor })?;
//! let mga = inv.create_org(t.id, NewOrganization { name: "MGA Inc".into(), tier: Tier::Reseller, parent: ellen.id })?;
//! let irina = inv.create_user(t.id, NewUser { name: "Irina Heer".into(), email: "irina@example.com".into() })?;
//! inv.grant_admin(t.id, irina.id, ellen.id)?;
//! inv.grant_admin(t.id, irina.id, mga.id)?;
//! let cl = inv.create_product(t.id, NewProduct { code: "CL".into(), name: "Center License".into(), kind: ProductKind::License })?;
//!
//! let s = inv.session(t.id, irina.id)?;
//! // Ellen Emporium has nothing yet: MGA's request cannot be approved…
//! let req = s.request(NewRequest::new(mga.id, cl.id, 3))?;
//! let err = s.approve(req.id, None, None).unwrap_err();
//! assert!(matches!(err, Error::InsufficientInventory { available: 0, requested: 3, .. }));
//! // …until the vendor supplies Ellen Emporium (an approval at the vendor mints).
//! let stock = s.request(NewRequest::new(ellen.id, cl.id, 5));
//! assert!(matches!(stock, Ok(_)));
//! # Ok(()) }
//! ```

// Overflow and out-of-bounds access are typed errors, never panics, on every path input reaches
// (docs/decisions.md 30). Tests may index and add freely.
#![cfg_attr(
    not(test),
    warn(clippy::arithmetic_side_effects, clippy::indexing_slicing)
)]

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

mod anchor;
mod checked;
mod error;
mod export;
mod hierarchy;
mod idempotency;
mod ids;
mod input;
mod inventory;
mod keys;
mod ledger;
mod license;
mod notification;
mod order;
mod permission;
mod product;
pub mod store;
mod time;
mod views;

pub use anchor::{
    Checkpoint, SigningKey, VerifyingKey, generate_signing_key, signing_key_from_hex, to_hex,
    verifying_key_from_hex,
};
pub use error::{Action, Attempt, Entity, Error, PasswordHashError, Result, StorageError};
pub use export::{INVENTORY_COLUMNS, ORDER_COLUMNS, neutralize};
pub use hierarchy::{NewOrganization, NewTenant, NewUser, Organization, Plan, Tenant, Tier, User};
pub use idempotency::IdempotencyRecord;
pub use ids::{
    BundleId, LicenseId, LicenseUserId, NotificationId, OrderId, OrderNumber, OrgId, ProductId,
    TenantId, UserId,
};
pub use input::{DEFAULT_PAGE, MAX_COMMENT, MAX_NAME, MAX_PAGE, MAX_PURCHASE_ORDER, MAX_QUANTITY};
pub use inventory::{
    Audit, BatchCommand, BatchResult, Holding, ISSUE_CHUNK, Inventory, Issued, LedgerFilter,
    MAX_BATCH, MAX_IDEMPOTENCY_KEY, MAX_ISSUE, MAX_SUBTREE_DEPTH, MIN_PASSWORD, OrderFigures,
    Session,
};
pub use keys::{IMPORTED_KEY_PUNCTUATION, LicenseKey, MAX_IMPORTED_KEY, MIN_IMPORTED_KEY};
pub use ledger::{GENESIS_HASH, LedgerEntry, LedgerHead, LedgerKind, Movement};
pub use license::{
    Activation, Borrow, Floating, License, LicensePolicy, LicenseStatus, LicenseUser,
    NewLicenseUser, Password, Validity,
};
pub use notification::{Notification, NotificationKind, OrderDigest};
pub use order::{
    Customer, Draw, MetadataEdit, NewAssignment, NewMint, NewRequest, Order, OrderMetadata,
    OrderStatus, RequestEdit,
};
pub use permission::{LicenseManager, Permission};
pub use product::{Bundle, BundleLine, NewBundle, NewProduct, Product, ProductKind};
pub use store::{MemoryStore, Store, Tx};
#[cfg(feature = "postgres")]
pub use store::{PostgresOptions, PostgresStore};
#[cfg(feature = "sqlite")]
pub use store::{SqliteOptions, SqliteStore, Synchronous};
pub use time::{Clock, ManualClock, SystemClock};
pub use views::{
    Cursor, InventoryFilter, InventoryUse, NameCursor, OrderDetails, OrderList, OrgInTree, Page,
    Role, SummaryCounts, SummaryLine, UseLine,
};
