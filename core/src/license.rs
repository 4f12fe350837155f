//! Licenses and activation codes issued from an order, their policy, devices and borrows, and
//! the license users they belong to.
//!
//! Rules: docs/rules.md §7.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{LicenseId, LicenseUserId, OrderId, ProductId, TenantId};
use crate::keys::LicenseKey;

/// How long a license is valid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "days")]
pub enum Validity {
    /// Never expires.
    #[default]
    Perpetual,
    /// Valid for N days from its first activation.
    DaysFromActivation(u32),
    /// Valid for N days from its issue.
    DaysFromIssue(u32),
}

/// Floating use: a license borrowed by a bounded number of holders at once, each for a bounded time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Floating {
    /// How many borrows may be open at once.
    pub max_borrows: u32,
    /// The longest one borrow may last, in seconds.
    pub max_borrow_seconds: u32,
}

/// A product's license policy, copied onto each license when it is issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LicensePolicy {
    /// How long a license is valid.
    pub validity: Validity,
    /// Devices one license may be activated on.
    pub max_activations: u32,
    /// Floating use, if the product allows it.
    pub floating: Option<Floating>,
    /// Licenses of this product are trials.
    pub trial: bool,
}

impl Default for LicensePolicy {
    /// Perpetual, one device, not floating, not a trial.
    fn default() -> Self {
        LicensePolicy {
            validity: Validity::Perpetual,
            max_activations: 1,
            floating: None,
            trial: false,
        }
    }
}

impl LicensePolicy {
    /// Checks the policy's figures.
    pub fn validate(&self) -> Result<()> {
        if self.max_activations == 0 || self.max_activations > 100_000 {
            return Err(Error::invalid(
                "max activations",
                "must be between 1 and 100000",
            ));
        }
        match self.validity {
            Validity::DaysFromActivation(0) | Validity::DaysFromIssue(0) => {
                return Err(Error::invalid(
                    "validity",
                    "a validity of 0 days is never valid",
                ));
            }
            Validity::DaysFromActivation(d) | Validity::DaysFromIssue(d) if d > 36_500 => {
                return Err(Error::invalid("validity", "at most 36500 days (100 years)"));
            }
            _ => {}
        }
        if let Some(f) = self.floating {
            if f.max_borrows == 0 || f.max_borrow_seconds == 0 {
                return Err(Error::invalid(
                    "floating",
                    "max borrows and max borrow duration must be at least 1",
                ));
            }
        }
        Ok(())
    }
}

/// The state of a license.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseStatus {
    /// Issued, never activated (or an activation code not yet redeemed).
    Issued,
    /// Activated at least once (or redeemed).
    Active,
    /// Disabled by an administrator: cannot be activated or borrowed.
    Disabled,
}

impl LicenseStatus {
    /// The snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenseStatus::Issued => "issued",
            LicenseStatus::Active => "active",
            LicenseStatus::Disabled => "disabled",
        }
    }
}

impl fmt::Display for LicenseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LicenseStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "issued" => Ok(LicenseStatus::Issued),
            "active" => Ok(LicenseStatus::Active),
            "disabled" => Ok(LicenseStatus::Disabled),
            other => Err(Error::invalid(
                "license status",
                format!("unknown status '{other}'"),
            )),
        }
    }
}

/// A device a license is activated on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activation {
    /// The device's fingerprint (opaque, chosen by the application).
    pub fingerprint: String,
    /// A name a person recognises ("Front desk PC").
    pub name: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// An open borrow of a floating license.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Borrow {
    /// Who or what borrowed it (a device fingerprint or a user).
    pub borrower: String,
    /// When.
    pub at: DateTime<Utc>,
    /// When it ends by itself.
    pub until: DateTime<Utc>,
}

/// A license, or an activation code, issued from an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct License {
    /// The license's id.
    pub id: LicenseId,
    /// The tenant.
    pub tenant: TenantId,
    /// The order it was issued from.
    pub order: OrderId,
    /// The product.
    pub product: ProductId,
    /// Its key (or code), unique within the tenant.
    pub key: LicenseKey,
    /// True for an activation code (single use), false for a license.
    pub is_code: bool,
    /// Its state.
    pub status: LicenseStatus,
    /// The license user it belongs to, if any.
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
    pub issued_at: DateTime<Utc>,
    /// When it was first activated or redeemed.
    pub activated_at: Option<DateTime<Utc>>,
    /// When it expires, once known.
    pub expires_at: Option<DateTime<Utc>>,
    /// True for a key brought from another system ([`crate::Session::import_licenses`]) rather
    /// than made here. (Left out of the row's stored form while false, so rows written before
    /// it existed keep their digests.)
    #[serde(default, skip_serializing_if = "crate::hierarchy::is_false")]
    pub imported: bool,
}

impl License {
    /// True while nothing has used it: no activation, never redeemed, no borrow.
    pub fn is_unused(&self) -> bool {
        self.activated_at.is_none() && self.activations.is_empty() && self.borrows.is_empty()
    }

    /// The expiry implied by the policy once activated at `at`.
    pub(crate) fn expiry_after_activation(
        &self,
        at: DateTime<Utc>,
    ) -> crate::Result<Option<DateTime<Utc>>> {
        Ok(match self.policy.validity {
            Validity::DaysFromActivation(d) => Some(crate::checked::plus_days(at, d)?),
            _ => self.expires_at,
        })
    }

    /// Records an activation on a device (or a code's redemption) at `now`: the device is
    /// added, the first activation starts the validity clock, and the license is active.
    pub(crate) fn record_activation(
        &mut self,
        fingerprint: String,
        name: String,
        now: DateTime<Utc>,
    ) -> crate::Result<()> {
        if self.activated_at.is_none() {
            self.expires_at = self.expiry_after_activation(now)?;
            self.activated_at = Some(now);
        }
        self.activations.push(Activation {
            fingerprint,
            name,
            at: now,
        });
        self.status = LicenseStatus::Active;
        Ok(())
    }
}

/// An end user of licenses within one order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseUser {
    /// The license user's id.
    pub id: LicenseUserId,
    /// The tenant.
    pub tenant: TenantId,
    /// The order whose licenses they use.
    pub order: OrderId,
    /// Email, lower-case, unique within the order.
    pub email: String,
    /// Name.
    pub name: Option<String>,
    /// True when a password is set. The password itself is stored only as an Argon2id hash,
    /// which never leaves the library.
    pub has_password: bool,
}

/// What [`crate::Session::add_license_user`] needs. Its `Debug` form shows whether a password
/// is set, never the password.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NewLicenseUser {
    /// Email.
    pub email: String,
    /// Name.
    pub name: Option<String>,
    /// Initial password (hashed with Argon2id at once), if any.
    pub password: Option<String>,
}

impl fmt::Debug for NewLicenseUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let NewLicenseUser {
            email,
            name,
            password,
        } = self;
        f.debug_struct("NewLicenseUser")
            .field("email", email)
            .field("name", name)
            .field("password", &password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A password given to a [`crate::BatchCommand`]: its `Debug` form never shows it (batches
/// are printed and fingerprinted by their `Debug` form).
///
/// ```
/// # use license_inventory::Password;
/// let p = Password::from("correct horse");
/// assert_eq!(format!("{p:?}"), "<redacted>");
/// assert_eq!(p.expose(), "correct horse");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The password itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Password(s)
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Password(s.to_owned())
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_a_new_license_user_hides_the_password() {
        let new = NewLicenseUser {
            email: "stu@elerome.example".into(),
            name: Some("Stu".into()),
            password: Some("correct horse".into()),
        };
        for shown in [format!("{new:?}"), format!("{new:#?}")] {
            assert!(!shown.contains("correct horse"), "{shown}");
            assert!(
                shown.contains("<redacted>") && shown.contains("stu@elerome"),
                "{shown}"
            );
        }
        let none = NewLicenseUser {
            password: None,
            ..new
        };
        assert!(format!("{none:?}").contains("password: None"));
    }
}
