//! Newtype identifiers: a tenant id can never be passed where an order id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Error;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        // No `Default`: a default id would be a random one, which fails later as `NotFound`.
        #[allow(clippy::new_without_default)]
        impl $name {
            /// The smallest id (nil UUID): a lower bound for index ranges.
            #[allow(dead_code)]
            pub(crate) const MIN: Self = Self(Uuid::nil());
            /// The largest id (max UUID): an upper bound for index ranges.
            #[allow(dead_code)]
            pub(crate) const MAX: Self = Self(Uuid::max());

            /// A new, time-ordered (UUID v7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID.
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = Error;

            /// Parses the hyphenated (or simple) UUID form.
            fn from_str(s: &str) -> Result<Self, Error> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|e| Error::invalid($field, format!("'{s}' is not a UUID: {e}")))
            }
        }
    };
}

uuid_id!(
    /// Identifies a tenant: one license vendor's world.
    TenantId,
    "tenant id"
);
uuid_id!(
    /// Identifies an organization of the channel tree.
    OrgId,
    "organization id"
);
uuid_id!(
    /// Identifies a user.
    UserId,
    "user id"
);
uuid_id!(
    /// Identifies a product (inventory type).
    ProductId,
    "product id"
);
uuid_id!(
    /// Identifies an order (inventory lot).
    OrderId,
    "order id"
);
uuid_id!(
    /// Identifies a license or activation code.
    LicenseId,
    "license id"
);
uuid_id!(
    /// Identifies a license user (an end user within one order).
    LicenseUserId,
    "license user id"
);
uuid_id!(
    /// Identifies a bundle, and groups the orders a bundle order created.
    BundleId,
    "bundle id"
);
uuid_id!(
    /// Identifies a notification of the outbox.
    NotificationId,
    "notification id"
);

/// The human order number: per tenant, increasing, never reused (1210, 1211, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderNumber(pub u64);

impl OrderNumber {
    /// The number as an integer.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<u64> for OrderNumber {
    fn from(n: u64) -> Self {
        OrderNumber(n)
    }
}
