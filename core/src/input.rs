//! Parsing of caller input: trimmed, bounded text, emails, quantities. Parse, don't validate.

use crate::error::{Error, Result};

/// The largest quantity a single command may move.
pub const MAX_QUANTITY: u64 = 1_000_000_000;
/// The longest name (organization, user, product, tenant), in characters.
pub const MAX_NAME: usize = 200;
/// The longest purchase order reference, in characters.
pub const MAX_PURCHASE_ORDER: usize = 100;
/// The longest comment, in characters.
pub const MAX_COMMENT: usize = 2000;
/// The page size the bindings use when the caller names none.
pub const DEFAULT_PAGE: usize = 100;
/// The most items one page of a list may hold.
pub const MAX_PAGE: usize = 1000;

fn has_control(s: &str, allow_newlines: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))
}

/// A required name: trimmed, non-empty, at most [`MAX_NAME`] characters, no control characters.
pub(crate) fn name(field: &'static str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if t.chars().count() > MAX_NAME {
        return Err(Error::invalid(
            field,
            format!("longer than {MAX_NAME} characters"),
        ));
    }
    if has_control(t, false) {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(t.to_owned())
}

/// Optional free text: trimmed; empty means none; at most `max` characters.
pub(crate) fn text(field: &'static str, s: Option<&str>, max: usize) -> Result<Option<String>> {
    let Some(t) = s.map(str::trim) else {
        return Ok(None);
    };
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("longer than {max} characters"),
        ));
    }
    if has_control(t, true) {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(Some(t.to_owned()))
}

/// An email address, lower-cased: one `@`, a non-empty local part, a dotted domain, no spaces.
pub(crate) fn email(s: &str) -> Result<String> {
    let t = s.trim().to_lowercase();
    let bad = |why: &str| Err(Error::invalid("email", format!("'{s}' {why}")));
    if t.len() > 254 {
        return bad("is longer than 254 characters");
    }
    let Some((local, domain)) = t.split_once('@') else {
        return bad("has no '@'");
    };
    if local.is_empty() || domain.contains('@') {
        return bad("is not of the form name@domain");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return bad("needs a dotted domain such as example.com");
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("contains spaces or control characters");
    }
    Ok(t)
}

/// A product code: 1 to 32 of `A-Z a-z 0-9 _ -`.
pub(crate) fn code(s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() || t.len() > 32 {
        return Err(Error::invalid("product code", "must be 1 to 32 characters"));
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(Error::invalid(
            "product code",
            format!("'{t}' may hold only letters, digits, '_' and '-'"),
        ));
    }
    Ok(t.to_owned())
}

/// A quantity of units: 1 to [`MAX_QUANTITY`].
pub(crate) fn quantity(q: u64) -> Result<u64> {
    if q == 0 {
        return Err(Error::invalid("quantity", "must be at least 1"));
    }
    if q > MAX_QUANTITY {
        return Err(Error::invalid(
            "quantity",
            format!("{q} is more than the {MAX_QUANTITY} units one command may move"),
        ));
    }
    Ok(q)
}

/// The largest number a store keeps (PostgreSQL's and SQLite's signed 64-bit `BIGINT`).
pub(crate) const MAX_STORED_NUMBER: u64 = i64::MAX as u64;

/// A number the caller gives (an order number, a ledger position) that a store must be able to
/// hold: above `BIGINT` it is refused here, naming `field`, before any store sees it.
pub(crate) fn stored_number(field: &'static str, n: u64) -> Result<u64> {
    if n > MAX_STORED_NUMBER {
        return Err(Error::invalid(
            field,
            format!("{n} is larger than {MAX_STORED_NUMBER}, the largest number a store keeps"),
        ));
    }
    Ok(n)
}

/// A quantity as a signed ledger delta.
pub(crate) fn signed(q: u64) -> Result<i64> {
    i64::try_from(q).map_err(|_| Error::InvariantViolated(format!("quantity {q} overflows")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            email(" Irina.Heer@MGA.example ").ok().as_deref(),
            Some("irina.heer@mga.example")
        );
        for bad in [
            "",
            "irina",
            "@x.com",
            "a@b",
            "a@b..c",
            "a b@c.com",
            "a@b@c.com",
        ] {
            assert!(email(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn texts_and_quantities() {
        assert!(name("name", "  ").is_err());
        assert!(name("name", &"x".repeat(MAX_NAME + 1)).is_err());
        assert_eq!(text("po", Some("  "), 10).ok(), Some(None));
        assert!(text("po", Some("12345678901"), 10).is_err());
        assert!(quantity(0).is_err());
        assert!(quantity(MAX_QUANTITY + 1).is_err());
        assert_eq!(quantity(3).ok(), Some(3));
        assert!(code("C L").is_err());
    }
}
