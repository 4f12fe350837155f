//! The append-only ledger: one entry per change, written in the same transaction, hash-chained.
//!
//! Rules: docs/rules.md §9.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::checked::Checked;
use crate::error::{Error, Result};
use crate::ids::{OrderId, OrgId, ProductId, TenantId, UserId};

/// What kind of change an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// A user's admin role over an organization was revoked.
    AdminRevoked,
    /// A deactivated organization was reactivated.
    OrgReactivated,
    /// A user was deactivated.
    UserDeactivated,
    /// A deactivated user was reactivated.
    UserReactivated,
    /// The tenant's plan changed.
    PlanChanged,
    /// A product was renamed.
    ProductRenamed,
    /// A product was retired: no new requests, assignments or mints.
    ProductRetired,
    /// A license manager's permissions were replaced.
    ManagerChanged,
    /// Existing keys from another system were added to an order.
    LicensesImported,
}

impl LedgerKind {
    /// The snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::TenantCreated => "tenant_created",
            LedgerKind::OrgCreated => "org_created",
            LedgerKind::OrgDeactivated => "org_deactivated",
            LedgerKind::UserCreated => "user_created",
            LedgerKind::AdminGranted => "admin_granted",
            LedgerKind::ProductCreated => "product_created",
            LedgerKind::Minted => "minted",
            LedgerKind::Requested => "requested",
            LedgerKind::RequestEdited => "request_edited",
            LedgerKind::Cancelled => "cancelled",
            LedgerKind::Approved => "approved",
            LedgerKind::Rejected => "rejected",
            LedgerKind::Assigned => "assigned",
            LedgerKind::MetadataEdited => "metadata_edited",
            LedgerKind::CustomerSet => "customer_set",
            LedgerKind::BundleCreated => "bundle_created",
            LedgerKind::ProductPolicySet => "product_policy_set",
            LedgerKind::LicensesIssued => "licenses_issued",
            LedgerKind::LicenseRevoked => "license_revoked",
            LedgerKind::LicenseDisabled => "license_disabled",
            LedgerKind::LicenseEnabled => "license_enabled",
            LedgerKind::LicenseActivated => "license_activated",
            LedgerKind::LicenseDeactivated => "license_deactivated",
            LedgerKind::DeviceReset => "device_reset",
            LedgerKind::LicenseReset => "license_reset",
            LedgerKind::LicenseBorrowed => "license_borrowed",
            LedgerKind::BorrowReturned => "borrow_returned",
            LedgerKind::CodeRedeemed => "code_redeemed",
            LedgerKind::LicenseUserAdded => "license_user_added",
            LedgerKind::LicenseUserEdited => "license_user_edited",
            LedgerKind::LicenseUserDeleted => "license_user_deleted",
            LedgerKind::LicenseUserPasswordSet => "license_user_password_set",
            LedgerKind::LicenseAssigned => "license_assigned",
            LedgerKind::ManagerAdded => "manager_added",
            LedgerKind::ManagerRemoved => "manager_removed",
            LedgerKind::OrderDeleted => "order_deleted",
            LedgerKind::UnitsReturned => "units_returned",
            LedgerKind::AdminRevoked => "admin_revoked",
            LedgerKind::OrgReactivated => "org_reactivated",
            LedgerKind::UserDeactivated => "user_deactivated",
            LedgerKind::UserReactivated => "user_reactivated",
            LedgerKind::PlanChanged => "plan_changed",
            LedgerKind::ProductRenamed => "product_renamed",
            LedgerKind::ProductRetired => "product_retired",
            LedgerKind::ManagerChanged => "manager_changed",
            LedgerKind::LicensesImported => "licenses_imported",
        }
    }

    /// Every kind.
    pub const ALL: [LedgerKind; 46] = [
        LedgerKind::TenantCreated,
        LedgerKind::OrgCreated,
        LedgerKind::OrgDeactivated,
        LedgerKind::UserCreated,
        LedgerKind::AdminGranted,
        LedgerKind::ProductCreated,
        LedgerKind::Minted,
        LedgerKind::Requested,
        LedgerKind::RequestEdited,
        LedgerKind::Cancelled,
        LedgerKind::Approved,
        LedgerKind::Rejected,
        LedgerKind::Assigned,
        LedgerKind::MetadataEdited,
        LedgerKind::CustomerSet,
        LedgerKind::BundleCreated,
        LedgerKind::ProductPolicySet,
        LedgerKind::LicensesIssued,
        LedgerKind::LicenseRevoked,
        LedgerKind::LicenseDisabled,
        LedgerKind::LicenseEnabled,
        LedgerKind::LicenseActivated,
        LedgerKind::LicenseDeactivated,
        LedgerKind::DeviceReset,
        LedgerKind::LicenseReset,
        LedgerKind::LicenseBorrowed,
        LedgerKind::BorrowReturned,
        LedgerKind::CodeRedeemed,
        LedgerKind::LicenseUserAdded,
        LedgerKind::LicenseUserEdited,
        LedgerKind::LicenseUserDeleted,
        LedgerKind::LicenseUserPasswordSet,
        LedgerKind::LicenseAssigned,
        LedgerKind::ManagerAdded,
        LedgerKind::ManagerRemoved,
        LedgerKind::OrderDeleted,
        LedgerKind::UnitsReturned,
        LedgerKind::AdminRevoked,
        LedgerKind::OrgReactivated,
        LedgerKind::UserDeactivated,
        LedgerKind::UserReactivated,
        LedgerKind::PlanChanged,
        LedgerKind::ProductRenamed,
        LedgerKind::ProductRetired,
        LedgerKind::ManagerChanged,
        LedgerKind::LicensesImported,
    ];
}

impl fmt::Display for LedgerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LedgerKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        LedgerKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::invalid("ledger kind", format!("unknown kind '{s}'")))
    }
}

/// The change one entry made to one order's quantities (signed deltas).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// One immutable ledger entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The tenant.
    pub tenant: TenantId,
    /// Sequence number within the tenant, from 1, without gaps.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who; `None` for host-level provisioning (tenants, orgs, users, products).
    pub actor: Option<UserId>,
    /// What kind of change.
    pub kind: LedgerKind,
    /// The order concerned, if any.
    pub order: Option<OrderId>,
    /// The organization concerned, if any.
    pub org: Option<OrgId>,
    /// Units minted by this entry (only `minted`, or an approval/assignment at the vendor).
    pub minted: u64,
    /// Units retired by this entry (only an order deletion).
    pub retired: u64,
    /// The quantity changes.
    pub movements: Vec<Movement>,
    /// The digest of the tenant's rows after this entry's transaction, by table (hex of the XOR
    /// of the SHA-256 of every row; tables without rows are left out): what `audit` recomputes
    /// from the current rows and compares with the newest entry's. Empty in entries written
    /// before schema version 6 (docs/decisions.md §38).
    #[serde(default)]
    pub state: BTreeMap<String, String>,
    /// Hash of the previous entry (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 of this entry's content and `prev_hash`, hex.
    pub hash: String,
}

/// Lower-case hex of `bytes`, two digits a byte (what `format!("{b:02x}")` of each byte gives,
/// without a `String` per byte).
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // A nibble is below 16: `get` always finds its digit.
    let digit = |n: u8| DIGITS.get(usize::from(n)).copied().unwrap_or(b'0');
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(2));
    for &b in bytes {
        out.extend_from_slice(&[digit(b >> 4), digit(b & 0x0f)]);
    }
    // ASCII digits only.
    String::from_utf8(out).unwrap_or_default()
}

/// The hash that starts every tenant's chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl LedgerEntry {
    /// Computes the hash of this entry from its content and `prev_hash` (ignores `hash`).
    pub fn compute_hash(&self) -> String {
        #[derive(Serialize)]
        struct Content<'a> {
            tenant: &'a TenantId,
            seq: u64,
            at: String,
            actor: &'a Option<UserId>,
            kind: LedgerKind,
            order: &'a Option<OrderId>,
            org: &'a Option<OrgId>,
            minted: u64,
            retired: u64,
            movements: &'a [Movement],
            // Left out when empty, so entries written before it existed keep their hash.
            #[serde(skip_serializing_if = "BTreeMap::is_empty")]
            state: &'a BTreeMap<String, String>,
            prev_hash: &'a str,
        }
        let content = Content {
            tenant: &self.tenant,
            seq: self.seq,
            at: crate::time::format(self.at),
            actor: &self.actor,
            kind: self.kind,
            order: &self.order,
            org: &self.org,
            minted: self.minted,
            retired: self.retired,
            movements: &self.movements,
            state: &self.state,
            prev_hash: &self.prev_hash,
        };
        // Serialising plain structs, ids and integers cannot fail. The buffer is sized for an
        // entry with a movement and its state, so it is not grown on the way.
        let mut bytes = Vec::with_capacity(1536);
        if serde_json::to_writer(&mut bytes, &content).is_err() {
            bytes.clear();
        }
        hex(&Sha256::digest(&bytes))
    }

    /// Checks that the movements conserve units: Σ Δavailable + Σ Δissued == minted − retired,
    /// and that
    /// every order's Δapproved == Δdrawn + Δissued + Δavailable.
    pub fn check_balance(&self) -> Result<()> {
        let mut total: i128 = 0;
        for m in &self.movements {
            let sum = m
                .drawn
                .checked_add(m.issued)
                .and_then(|s| s.checked_add(m.available));
            if sum != Some(m.approved) {
                return Err(Error::InvariantViolated(format!(
                    "ledger entry {} moves order {} unevenly",
                    self.seq, m.order
                )));
            }
            total = total
                .plus(i128::from(m.available))?
                .plus(i128::from(m.issued))?;
        }
        if total != i128::from(self.minted).minus(i128::from(self.retired))? {
            return Err(Error::InvariantViolated(format!(
                "ledger entry {} ({}) creates or destroys units: net {} but minted {} and retired {}",
                self.seq, self.kind, total, self.minted, self.retired
            )));
        }
        Ok(())
    }
}

/// The newest entry's sequence number and hash: what the next entry chains to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerHead {
    /// Sequence number of the newest entry.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
}
