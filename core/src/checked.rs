//! Checked arithmetic that fails with a typed error instead of panicking or wrapping. Every
//! count, sum and time computation of the library goes through these (the crate denies plain
//! `+ - *` and indexing outside tests: `clippy::arithmetic_side_effects`, `indexing_slicing`).

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{Error, Result};

/// The error for a count, sum or time that would overflow. Valid input never reaches it; a
/// tampered store or an absurd figure does, and then nothing is changed.
pub(crate) fn overflow() -> Error {
    Error::InvariantViolated("a counter would overflow".into())
}

/// `+` and `-` that return [`overflow`] instead of wrapping or panicking.
pub(crate) trait Checked: Sized {
    /// `self + rhs`.
    fn plus(self, rhs: Self) -> Result<Self>;
    /// `self - rhs`.
    fn minus(self, rhs: Self) -> Result<Self>;
}

macro_rules! checked {
    ($($t:ty),*) => {$(
        impl Checked for $t {
            fn plus(self, rhs: Self) -> Result<Self> {
                self.checked_add(rhs).ok_or_else(overflow)
            }
            fn minus(self, rhs: Self) -> Result<Self> {
                self.checked_sub(rhs).ok_or_else(overflow)
            }
        }
    )*};
}

checked!(u32, u64, usize, i64, i128);

/// `-q` as a signed ledger delta.
pub(crate) fn negative(q: u64) -> Result<i64> {
    crate::input::signed(q)?.checked_neg().ok_or_else(overflow)
}

/// `at + days` (an expiry), or `InvalidInput` (field `expiry`) past the end of year 9999,
/// the latest time a store keeps ([`crate::time::storable`]).
pub(crate) fn plus_days(at: DateTime<Utc>, days: u32) -> Result<DateTime<Utc>> {
    let end = TimeDelta::try_days(i64::from(days))
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    crate::time::storable("expiry", end)
}

/// `at + seconds` (the end of a borrow), or `InvalidInput` (field `borrow end`) past the end
/// of year 9999, the latest time a store keeps ([`crate::time::storable`]).
pub(crate) fn plus_seconds(at: DateTime<Utc>, seconds: u32) -> Result<DateTime<Utc>> {
    let end = TimeDelta::try_seconds(i64::from(seconds))
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    crate::time::storable("borrow end", end)
}
