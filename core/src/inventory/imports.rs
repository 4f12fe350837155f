//! Bringing existing license keys from another system: a list of keys, or the CSV of an order
//! export (the layout of [`ORDER_COLUMNS`]), added to an order like an issue of as many.
//!
//! Rules: docs/rules.md §7.

use std::io::Read;
use std::path::Path;

use crate::error::{Action, Error, Result};
use crate::export::ORDER_COLUMNS;
use crate::ids::OrderId;
use crate::inventory::Session;
use crate::keys::LicenseKey;
use crate::license::License;

/// The column of an order export that holds the key.
const KEY_COLUMN: &str = "license_key";

impl Session {
    /// Adds licenses with existing `keys` (from another system, in the vendor's own format:
    /// [`LicenseKey::imported`]) to an order, each consuming one available unit, exactly like
    /// [`Session::issue`] of as many (the same permission, states and limits), all or nothing.
    /// The licenses are marked `imported`. A malformed key (`InvalidInput`) or one that repeats
    /// or that a license of the tenant already has (`Conflict`) refuses the whole import and is
    /// named by its position and first symbols.
    ///
    /// ```
    /// use license_inventory::*;
    /// # fn main() -> Result<()> {
    /// let inv = Inventory::in_memory();
    /// let t = inv.create_tenant(NewTenant { name: "T".into(), plan: Plan::Standard, vendor_name: "V".into(), first_order_number: None })?;
    /// let vera = inv.create_user(t.id, NewUser { name: "Vera".into(), email: "vera@example.com".into() })?;
    /// inv.grant_admin(t.id, vera.id, t.vendor)?;
    /// let cl = inv.create_product(t.id, NewProduct { code: "CL".into(), name: "Center License".into(), kind: ProductKind::License })?;
    /// let s = inv.session(t.id, vera.id)?;
    /// let order = s.mint(NewMint::new(cl.id, 5))?;
    /// let licenses = s.import_licenses(order.id, &["ACME-0001", "ACME-0002"])?;
    /// assert!(licenses.iter().all(|l| l.imported));
    /// assert_eq!(inv.check_license(t.id, "ACME-0002")?.order, order.id);
    /// # Ok(()) }
    /// ```
    pub fn import_licenses(
        &self,
        order: OrderId,
        keys: &[impl AsRef<str>],
    ) -> Result<Vec<License>> {
        self.by(Action::ImportLicenses, || {
            let keys = checked_keys(keys)?;
            self.inv.command(
                self.tenant,
                "import_licenses",
                &(self.user, order, &keys),
                |tx, now| self.import_in(tx, now, order, &keys),
            )
        })
    }

    /// [`Session::import_licenses`] of the keys of a CSV in an order export's layout (a header
    /// row with a `license_key` column, as [`Session::export_order_csv`] writes; other columns
    /// are ignored, and rows without a key are skipped), so an export of another system's order
    /// (or of another tenant's) imports as it is.
    pub fn import_licenses_csv(&self, order: OrderId, csv: impl Read) -> Result<Vec<License>> {
        self.by(Action::ImportLicenses, || {
            let keys = keys_of_csv(csv)?;
            self.import_licenses(order, &keys)
        })
    }

    /// [`Session::import_licenses_csv`] of the file at `path`.
    pub fn import_licenses_csv_from_path(
        &self,
        order: OrderId,
        path: impl AsRef<Path>,
    ) -> Result<Vec<License>> {
        self.by(Action::ImportLicenses, || {
            let file = std::fs::File::open(path.as_ref()).map_err(|e| {
                Error::invalid(
                    "path",
                    format!("cannot open {}: {e}", path.as_ref().display()),
                )
            })?;
            self.import_licenses_csv(order, std::io::BufReader::new(file))
        })
    }
}

/// Each key of an import checked ([`LicenseKey::imported`]), an error naming its position.
pub(crate) fn checked_keys(keys: &[impl AsRef<str>]) -> Result<Vec<LicenseKey>> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| LicenseKey::imported(k.as_ref()).map_err(|e| at_position(i, e)))
        .collect()
}

/// An import's key error, with the key's position in the import.
fn at_position(i: usize, e: Error) -> Error {
    match e {
        Error::InvalidInput { field, reason, .. } => Error::InvalidInput {
            attempt: None,
            field,
            reason: format!("key {i} of the import: {reason}"),
        },
        other => other,
    }
}

/// The non-empty `license_key` cells of a CSV with a header row.
fn keys_of_csv(csv: impl Read) -> Result<Vec<String>> {
    let bad = |reason: String| Error::invalid("csv", reason);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(csv);
    let column = reader
        .headers()
        .map_err(|e| bad(format!("unreadable header row: {e}")))?
        .iter()
        .position(|h| h == KEY_COLUMN)
        .ok_or_else(|| {
            bad(format!(
                "no {KEY_COLUMN} column: give the CSV of an order export (columns: {})",
                ORDER_COLUMNS.join(", ")
            ))
        })?;
    let mut keys = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(format!("row {}: {e}", row.saturating_add(2))))?;
        if let Some(key) = record.get(column).map(str::trim).filter(|k| !k.is_empty()) {
            keys.push(key.to_owned());
        }
    }
    if keys.is_empty() {
        return Err(bad(format!(
            "no {KEY_COLUMN} in any row: nothing to import"
        )));
    }
    Ok(keys)
}
