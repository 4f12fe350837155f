//! License managers: users granted a set of permissions over one order (docs/rules.md §5).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{OrderId, TenantId, UserId};

/// What a license manager may do on its order. Exactly the nine permissions of the vendor
/// platform; each guards a real operation of [`crate::Session`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Add, edit and delete license users ([`crate::Session::add_license_user`], …).
    ManageLicenseUsers,
    /// Change license users' passwords ([`crate::Session::set_license_user_password`]).
    ManageLicenseUserCredentials,
    /// Add license managers to the order ([`crate::Session::add_license_manager`]).
    ManageManagers,
    /// Remove one device from a license ([`crate::Session::reset_device`]).
    ResetDevice,
    /// Remove every device from a license ([`crate::Session::reset_license`]).
    ResetLicense,
    /// Borrow and return floating licenses ([`crate::Session::borrow`]).
    BorrowLicense,
    /// Request a bundle for the order's organization ([`crate::Session::request_bundle`]).
    CreateBundleOrder,
    /// Request new inventory for the order's organization ([`crate::Session::request`]).
    /// Enterprise plan only.
    CreateOrder,
    /// Issue new licenses from the order ([`crate::Session::issue`]). Enterprise plan only.
    IssueLicense,
}

impl Permission {
    /// All nine, in the vendor platform's order.
    pub const ALL: [Permission; 9] = [
        Permission::ManageLicenseUsers,
        Permission::ManageLicenseUserCredentials,
        Permission::ManageManagers,
        Permission::ResetDevice,
        Permission::ResetLicense,
        Permission::BorrowLicense,
        Permission::CreateBundleOrder,
        Permission::CreateOrder,
        Permission::IssueLicense,
    ];

    /// The snake-case name (`manage_license_users`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ManageLicenseUsers => "manage_license_users",
            Permission::ManageLicenseUserCredentials => "manage_license_user_credentials",
            Permission::ManageManagers => "manage_managers",
            Permission::ResetDevice => "reset_device",
            Permission::ResetLicense => "reset_license",
            Permission::BorrowLicense => "borrow_license",
            Permission::CreateBundleOrder => "create_bundle_order",
            Permission::CreateOrder => "create_order",
            Permission::IssueLicense => "issue_license",
        }
    }

    /// True for the permissions only the enterprise plan may grant.
    pub fn enterprise_only(self) -> bool {
        matches!(self, Permission::CreateOrder | Permission::IssueLicense)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Permission {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Permission::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| Error::invalid("permission", format!("unknown permission '{s}'")))
    }
}

/// A user's permissions over one order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseManager {
    /// The tenant.
    pub tenant: TenantId,
    /// The order managed.
    pub order: OrderId,
    /// The manager.
    pub user: UserId,
    /// What they may do.
    pub permissions: BTreeSet<Permission>,
}

impl LicenseManager {
    /// The permissions as one comma-separated text (how the SQL stores keep them).
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn permissions_text(&self) -> String {
        self.permissions
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Parses [`Self::permissions_text`].
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn parse_permissions(s: &str) -> Result<BTreeSet<Permission>> {
        s.split(',')
            .filter(|p| !p.is_empty())
            .map(Permission::from_str)
            .collect()
    }
}
