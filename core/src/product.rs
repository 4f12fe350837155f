//! Products: the inventory types a vendor defines.
//!
//! Rules: docs/rules.md §2.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{BundleId, ProductId, TenantId};
use crate::license::LicensePolicy;

/// How a unit of the product is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    /// Each unit is a one-time code an end user redeems ("User Activation Codes").
    ActivationCode,
    /// Each unit is a license ("Center License").
    License,
}

impl ProductKind {
    /// The snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::ActivationCode => "activation_code",
            ProductKind::License => "license",
        }
    }
}

impl fmt::Display for ProductKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProductKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "activation_code" => Ok(ProductKind::ActivationCode),
            "license" => Ok(ProductKind::License),
            other => Err(Error::invalid(
                "product kind",
                format!("unknown kind '{other}'"),
            )),
        }
    }
}

/// An inventory type, e.g. "Center License".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The product's id.
    pub id: ProductId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// Short code, unique within the tenant (e.g. `CL`).
    pub code: String,
    /// Display name (e.g. "Center License").
    pub name: String,
    /// Delivery kind.
    pub kind: ProductKind,
    /// The policy of the licenses issued for it.
    pub policy: LicensePolicy,
    /// When it was defined.
    pub created_at: DateTime<Utc>,
    /// True once retired ([`crate::Inventory::retire_product`]): nobody may request, assign or
    /// mint it any more; existing orders and licenses are untouched. (Left out of the row's
    /// stored form while false, so rows written before it existed keep their digests.)
    #[serde(default, skip_serializing_if = "crate::hierarchy::is_false")]
    pub retired: bool,
}

/// One line of a bundle: a product and how many units of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleLine {
    /// The product.
    pub product: ProductId,
    /// Units of it.
    pub quantity: u64,
}

/// A named set of products and quantities; a bundle order creates one order per line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// The bundle's id.
    pub id: BundleId,
    /// The tenant.
    pub tenant: TenantId,
    /// Display name ("Classroom pack").
    pub name: String,
    /// Its lines.
    pub lines: Vec<BundleLine>,
}

/// What [`crate::Inventory::create_bundle`] needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewBundle {
    /// Display name.
    pub name: String,
    /// Its lines (at least one; a product at most once).
    pub lines: Vec<BundleLine>,
}

/// What [`crate::Inventory::create_product`] needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProduct {
    /// Short code, unique within the tenant.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Delivery kind.
    pub kind: ProductKind,
}
