//! Conversions shared by the generated records (module `records`) and the inputs (module
//! `inputs`): JS numbers and id strings to and from the core's types, and the few values
//! written by hand on purpose: `Validity` (a sum type: a tagged union in JS), the list page
//! and the results of a batch. Conversion only: every rule stays in the core.
//!
//! - ids are strings (hyphenated UUIDs), parsed by the core's `FromStr` (a bad id is the core's
//!   `INVALID_INPUT`);
//! - quantities and order numbers are JS numbers, checked to be non-negative safe integers;
//! - times are `Date`s, taken through [`Date`] (an Invalid Date is the core's `INVALID_INPUT`);
//! - an absent value is `null` in what the binding returns; in what it takes, an optional
//!   field is left out (or `undefined`), except in the value objects that spell every field
//!   (`LicensePolicy`, `Customer`, …, marked `use_nullable`), where it is `null`.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use license_inventory as li;
use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi_derive::napi;

use crate::records::{
    Bundle, Issued, License, LicenseManager, LicenseUser, Order, OrderDetails, OrgInTree,
    Organization, Product, User,
};

// ---------------------------------------------------------------------------------------------
// Scalars

/// The largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A core count as a JS number (exact up to 2^53, far above any quantity the core accepts).
pub(crate) fn num(v: u64) -> f64 {
    v as f64
}

/// A JS number as a non-negative integer; anything else is the core's `INVALID_INPUT`.
pub(crate) fn to_u64(field: &'static str, v: f64) -> li::Result<u64> {
    if v.is_finite() && v.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&v) {
        Ok(v as u64)
    } else {
        Err(li::Error::InvalidInput {
            attempt: None,
            field,
            reason: format!("{v} is not a non-negative integer"),
        })
    }
}

/// A JS number as a count of items (a page size).
pub(crate) fn to_usize(field: &'static str, v: f64) -> li::Result<usize> {
    let n = to_u64(field, v)?;
    usize::try_from(n).map_err(|_| li::Error::InvalidInput {
        attempt: None,
        field,
        reason: format!("{v} is too large"),
    })
}

/// A JS number as a `u32` figure (a policy limit, a borrow duration).
pub(crate) fn to_u32(field: &'static str, v: f64) -> li::Result<u32> {
    let n = to_u64(field, v)?;
    u32::try_from(n).map_err(|_| li::Error::InvalidInput {
        attempt: None,
        field,
        reason: format!("{v} is too large"),
    })
}

/// Parses an id string with the core's parser.
pub(crate) fn id<T: FromStr<Err = li::Error>>(s: &str) -> li::Result<T> {
    s.parse()
}

/// Parses a list of id strings (none when left out).
pub(crate) fn ids<T: FromStr<Err = li::Error>>(v: Option<Vec<String>>) -> li::Result<Vec<T>> {
    v.unwrap_or_default().iter().map(|s| id(s)).collect()
}

/// Parses an optional id string.
pub(crate) fn opt_id<T: FromStr<Err = li::Error>>(s: Option<String>) -> li::Result<Option<T>> {
    s.as_deref().map(id).transpose()
}

/// An id or a license key as its string.
pub(crate) fn text(v: impl ToString) -> String {
    v.to_string()
}

/// A signed change of a quantity as a JS number (exact: quantities stay far below 2^53).
pub(crate) fn delta(v: i64) -> f64 {
    v as f64
}

/// A count held as `usize` as a JS number.
pub(crate) fn size(v: usize) -> f64 {
    v as f64
}

/// An order number as a JS number.
pub(crate) fn number(v: li::OrderNumber) -> f64 {
    num(v.get())
}

// ---------------------------------------------------------------------------------------------
// Dates

/// A JS `Date` the binding takes (every parameter and input field that is a time): its
/// milliseconds since the epoch, checked by [`Date::to_core`]. napi's own conversion to a
/// chrono `DateTime` turns an Invalid Date (`new Date(NaN)`) into 1970-01-01 without a word, so
/// no input is declared as a `DateTime`: this is the one place a `Date` becomes a time. A value
/// that is not a `Date` at all is refused by napi before the call (like any wrong type). The
/// name makes napi's type generator write `Date` in `index.d.ts`.
#[derive(Clone, Copy, Debug)]
pub struct Date(f64);

impl Date {
    /// The time, or `INVALID_INPUT` naming `field` for an Invalid Date or one chrono cannot hold.
    pub(crate) fn to_core(self, field: &'static str) -> li::Result<DateTime<Utc>> {
        let ms = self.0;
        if !ms.is_finite() {
            return Err(li::Error::InvalidInput {
                attempt: None,
                field,
                reason: "is an Invalid Date (its time is NaN)".into(),
            });
        }
        // A JS Date holds whole milliseconds within ±8.64e15, so the cast is exact.
        DateTime::from_timestamp_millis(ms as i64).ok_or_else(|| li::Error::InvalidInput {
            attempt: None,
            field,
            reason: format!("{ms} ms since 1970 is out of range"),
        })
    }

    /// An optional time (see [`Date::to_core`]).
    pub(crate) fn opt(v: Option<Date>, field: &'static str) -> li::Result<Option<DateTime<Utc>>> {
        v.map(|d| d.to_core(field)).transpose()
    }
}

impl TypeName for Date {
    fn type_name() -> &'static str {
        "Date"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

// napi's conversion traits are `unsafe fn`s (they take raw N-API handles); these two only
// forward to napi's own `JsDate` conversions, which check the handle is a `Date`.
#[allow(unsafe_code)]
impl ValidateNapiValue for Date {
    unsafe fn validate(
        env: napi::sys::napi_env,
        napi_val: napi::sys::napi_value,
    ) -> napi::Result<napi::sys::napi_value> {
        // SAFETY: the same handles napi gave us, passed on unchanged.
        unsafe { napi::JsDate::validate(env, napi_val) }
    }
}

#[allow(unsafe_code)]
impl FromNapiValue for Date {
    unsafe fn from_napi_value(
        env: napi::sys::napi_env,
        napi_val: napi::sys::napi_value,
    ) -> napi::Result<Self> {
        // SAFETY: as above. `validate` refuses anything that is not a `Date` with napi's own
        // message (napi_get_date_value, inside `value_of`, would refuse it without one).
        unsafe { napi::JsDate::validate(env, napi_val) }?;
        let date = unsafe { napi::JsDate::from_napi_value(env, napi_val) }?;
        Ok(Date(date.value_of()?))
    }
}

// ---------------------------------------------------------------------------------------------
// Validity: taken and returned alike (a result can be passed back as it is)

/// How long a license is valid: `{ kind: 'perpetual' }`, `{ kind: 'days_from_activation', days }`
/// or `{ kind: 'days_from_issue', days }`.
#[napi(discriminant = "kind", discriminant_case = "snake_case")]
pub enum Validity {
    /// Never expires.
    Perpetual,
    /// Valid for `days` days from its first activation.
    DaysFromActivation {
        /// Days (1 to 36500).
        days: f64,
    },
    /// Valid for `days` days from its issue.
    DaysFromIssue {
        /// Days (1 to 36500).
        days: f64,
    },
}

impl Validity {
    /// The core's `Validity`; `days` must be a whole number in range.
    pub(crate) fn into_core(self) -> li::Result<li::Validity> {
        Ok(match self {
            Validity::Perpetual => li::Validity::Perpetual,
            Validity::DaysFromActivation { days } => {
                li::Validity::DaysFromActivation(to_u32("validity", days)?)
            }
            Validity::DaysFromIssue { days } => {
                li::Validity::DaysFromIssue(to_u32("validity", days)?)
            }
        })
    }
}

impl From<li::Validity> for Validity {
    fn from(v: li::Validity) -> Self {
        match v {
            li::Validity::Perpetual => Validity::Perpetual,
            li::Validity::DaysFromActivation(d) => {
                Validity::DaysFromActivation { days: f64::from(d) }
            }
            li::Validity::DaysFromIssue(d) => Validity::DaysFromIssue { days: f64::from(d) },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-written outputs

/// One page of the inventory list, newest first.
#[napi(object, use_nullable = true)]
pub struct OrderPage {
    /// The orders of this page.
    pub items: Vec<OrderDetails>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next: Option<String>,
}

impl From<li::Page<li::OrderDetails>> for OrderPage {
    fn from(p: li::Page<li::OrderDetails>) -> Self {
        OrderPage {
            items: p.items.into_iter().map(Into::into).collect(),
            next: p.next.map(|c| c.to_string()),
        }
    }
}

/// One page of a directory list, in name order: `items` and the `next` cursor.
macro_rules! name_page {
    ($page:ident, $item:ident, $what:literal) => {
        #[doc = concat!("One page of ", $what, ".")]
        #[napi(object, use_nullable = true, object_from_js = false)]
        pub struct $page {
            /// The entries of this page.
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; `null` on the last page.
            pub next: Option<String>,
        }

        impl From<li::Page<li::$item, li::NameCursor>> for $page {
            fn from(p: li::Page<li::$item, li::NameCursor>) -> Self {
                $page {
                    items: p.items.into_iter().map(Into::into).collect(),
                    next: p.next.map(|c| c.to_string()),
                }
            }
        }
    };
}

name_page!(OrgPage, Organization, "organizations, in name order");
name_page!(
    OrgTreePage,
    OrgInTree,
    "a subtree: level by level, each level in name order"
);
name_page!(UserPage, User, "users, in name order");
name_page!(ProductPage, Product, "products, in name order");
name_page!(BundlePage, Bundle, "bundles, in name order");

/// What one command of a batch resolved with, in the batch's order: `{ kind: 'order', order }`
/// for a request, approval, rejection, cancellation, assignment, mint, return, revocation,
/// metadata or customer edit; `{ kind: 'licenses', licenses }` for an issue or an import;
/// `{ kind: 'license', license }` for a disable, enable, reset, borrow or license assignment;
/// `{ kind: 'manager', manager }` for an added or changed license manager;
/// `{ kind: 'license_user', licenseUser }` for an added or edited license user;
/// `{ kind: 'orders', orders }` for a bundle request; `{ kind: 'issued', issued }` for an issue
/// in bulk; `{ kind: 'done' }` for a deletion or a password change.
#[napi(
    discriminant = "kind",
    discriminant_case = "snake_case",
    object_from_js = false
)]
// Unboxed: napi converts no `Box`, and results only live until they become JS objects.
#[allow(clippy::large_enum_variant)]
pub enum BatchResult {
    /// The order the command wrote.
    Order {
        /// The order, as the command left it.
        order: Order,
    },
    /// The licenses (or codes) an issue or an import made.
    Licenses {
        /// The licenses, as issued.
        licenses: Vec<License>,
    },
    /// The license a disable, enable or reset changed.
    License {
        /// The license, as the command left it.
        license: License,
    },
    /// The license manager an addition or a change of permissions wrote.
    Manager {
        /// The manager.
        manager: LicenseManager,
    },
    /// The license user an addition or an edit wrote.
    LicenseUser {
        /// The license user.
        license_user: LicenseUser,
    },
    /// The requests a bundle request made, one per line.
    Orders {
        /// The requests.
        orders: Vec<Order>,
    },
    /// What an issue in bulk did.
    Issued {
        /// The order and the new licenses' id range.
        issued: Issued,
    },
    /// A deletion (of an order, a license user or a license manager) or a password change
    /// was done.
    Done,
}

impl From<li::BatchResult> for BatchResult {
    fn from(r: li::BatchResult) -> Self {
        match r {
            li::BatchResult::Order(order) => BatchResult::Order {
                order: (*order).into(),
            },
            li::BatchResult::Licenses(licenses) => BatchResult::Licenses {
                licenses: licenses.into_iter().map(Into::into).collect(),
            },
            li::BatchResult::License(license) => BatchResult::License {
                license: (*license).into(),
            },
            li::BatchResult::Manager(manager) => BatchResult::Manager {
                manager: manager.into(),
            },
            li::BatchResult::LicenseUser(user) => BatchResult::LicenseUser {
                license_user: user.into(),
            },
            li::BatchResult::Orders(orders) => BatchResult::Orders {
                orders: orders.into_iter().map(Into::into).collect(),
            },
            li::BatchResult::Issued(issued) => BatchResult::Issued {
                issued: (*issued).into(),
            },
            li::BatchResult::Done => BatchResult::Done,
        }
    }
}
