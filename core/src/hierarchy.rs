//! Tenants, the channel tree of organizations, and users with their admin roles.
//!
//! Rules: docs/rules.md §1.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{OrgId, TenantId, UserId};

/// A tenant's pricing plan; some license-manager permissions need `Enterprise`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// The standard plan.
    #[default]
    Standard,
    /// The enterprise plan.
    Enterprise,
}

/// One license vendor's world. Nothing ever crosses tenants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Units gone for good: issued in deleted orders, or deleted unconsumed at the vendor.
    /// Conservation: `minted - retired = Σ available + Σ issued`.
    pub retired: u64,
    /// The number the next order will get.
    pub next_order_number: u64,
    /// When the tenant was created.
    pub created_at: DateTime<Utc>,
}

/// What [`crate::Inventory::create_tenant`] needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTenant {
    /// Display name of the tenant.
    pub name: String,
    /// Pricing plan.
    pub plan: Plan,
    /// Name of the vendor (root) organization.
    pub vendor_name: String,
    /// First order number (default 1); lets a migrated tenant continue its numbering.
    pub first_order_number: Option<u64>,
}

/// The tiers of the channel tree, top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
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

impl Tier {
    /// 0 for the vendor, 4 for a center: a parent's rank is strictly lower than its child's.
    pub fn rank(self) -> u8 {
        match self {
            Tier::Vendor => 0,
            Tier::Distributor => 1,
            Tier::Reseller => 2,
            Tier::Hub => 3,
            Tier::Center => 4,
        }
    }

    /// The snake-case name (`vendor`, `distributor`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Vendor => "vendor",
            Tier::Distributor => "distributor",
            Tier::Reseller => "reseller",
            Tier::Hub => "hub",
            Tier::Center => "center",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Tier {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "vendor" => Tier::Vendor,
            "distributor" => Tier::Distributor,
            "reseller" => Tier::Reseller,
            "hub" => Tier::Hub,
            "center" => Tier::Center,
            other => return Err(Error::invalid("tier", format!("unknown tier '{other}'"))),
        })
    }
}

impl Plan {
    /// The snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Standard => "standard",
            Plan::Enterprise => "enterprise",
        }
    }
}

impl FromStr for Plan {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "standard" => Ok(Plan::Standard),
            "enterprise" => Ok(Plan::Enterprise),
            other => Err(Error::invalid("plan", format!("unknown plan '{other}'"))),
        }
    }
}

/// A node of the channel tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// The organization's id.
    pub id: OrgId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// Display name, e.g. "MGA Inc".
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// Its parent; `None` only for the vendor.
    pub parent: Option<OrgId>,
    /// False once deactivated: it keeps its inventory but cannot request, approve or be assigned.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// What [`crate::Inventory::create_org`] needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrganization {
    /// Display name.
    pub name: String,
    /// Tier: anything but `vendor` (the vendor is created with the tenant).
    pub tier: Tier,
    /// The parent; its tier must be strictly higher.
    pub parent: OrgId,
}

/// A person, unique by email within the tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The user's id.
    pub id: UserId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// Full name, e.g. "Irina Heer".
    pub name: String,
    /// Email, stored lower-case; unique within the tenant.
    pub email: String,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// False once deactivated ([`crate::Inventory::deactivate_user`]): the user keeps their
    /// roles on record but may do nothing until reactivated. (Left out of the row's stored
    /// form while true, so rows written before it existed keep their digests.)
    #[serde(
        default = "crate::hierarchy::yes",
        skip_serializing_if = "crate::hierarchy::is_true"
    )]
    pub active: bool,
}

pub(crate) fn yes() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
pub(crate) fn is_true(b: &bool) -> bool {
    *b
}

#[allow(clippy::trivially_copy_pass_by_ref)]
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

/// What [`crate::Inventory::create_user`] needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    /// Full name.
    pub name: String,
    /// Email address.
    pub email: String,
}
