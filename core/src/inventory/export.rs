//! The CSV export facade: what a session may export, read in one snapshot page by page. The
//! columns and cell formats are in `crate::export`.
//!
//! Rules: docs/rules.md §12.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use crate::error::{Action, Error, Result};
use crate::export::{
    Csv, INVENTORY_COLUMNS, ORDER_COLUMNS, inventory_cells, license_cells, order_cells,
};
use crate::ids::{LicenseUserId, OrderId, OrgId};
use crate::input::MAX_PAGE;
use crate::inventory::Session;
use crate::inventory::rules::{Actor, Names, get_org, get_product};
use crate::order::Order;
use crate::views::{InventoryFilter, OrderList};

impl Session {
    /// Writes an order as CSV: one row per license, each with the order's and customer's
    /// columns ([`ORDER_COLUMNS`]); an order without licenses gives one row with empty license
    /// columns. Returns the number of data rows. Readable by whoever may see the order.
    pub fn export_order_csv(&self, order: OrderId, out: impl Write) -> Result<u64> {
        self.by(Action::View, || {
            let mut csv = Csv::new(out);
            self.inv.read(|tx| {
                let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
                let o: Order = tx
                    .order(self.tenant, order)?
                    .ok_or_else(|| Error::not_found(crate::Entity::Order, order))?;
                actor.require_view_order(tx, &o)?;
                let product = get_product(tx, self.tenant, o.product)?;
                let holder = get_org(tx, self.tenant, o.holder)?.name;
                let source = o
                    .source
                    .map(|s| get_org(tx, self.tenant, s).map(|s| s.name))
                    .transpose()?
                    .unwrap_or_default();
                let emails: HashMap<LicenseUserId, String> = tx
                    .license_users_of_order(self.tenant, o.id)?
                    .into_iter()
                    .map(|u| (u.id, u.email))
                    .collect();
                let order_cells = order_cells(&o, &product, holder, source);
                csv.header(&ORDER_COLUMNS)?;
                let mut after = None;
                let mut any = false;
                loop {
                    let page = tx.licenses_of_order(self.tenant, o.id, after, MAX_PAGE)?;
                    let Some(last) = page.last() else { break };
                    after = Some(last.id);
                    for l in &page {
                        any = true;
                        let mut row = order_cells.clone();
                        row.extend(license_cells(l, &emails));
                        csv.row(&row)?;
                    }
                }
                if !any {
                    let mut row = order_cells.clone();
                    row.resize(ORDER_COLUMNS.len(), String::new());
                    csv.row(&row)?;
                }
                Ok(())
            })?;
            csv.finish()
        })
    }

    /// Writes an organization's inventory list as CSV ([`INVENTORY_COLUMNS`]), newest first,
    /// filtered like [`Session::list`]. Returns the number of data rows.
    pub fn export_inventory_csv(
        &self,
        org: OrgId,
        filter: &InventoryFilter,
        out: impl Write,
    ) -> Result<u64> {
        self.by(Action::View, || {
            let mut csv = Csv::new(out);
            self.inv.read(|tx| {
                let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
                let org = get_org(tx, self.tenant, org)?;
                actor.require_view(tx, &org)?;
                csv.header(&INVENTORY_COLUMNS)?;
                let mut names = Names::new(self.tenant);
                let mut before = None;
                loop {
                    let page = tx.list_orders(
                        self.tenant,
                        org.id,
                        OrderList::Held,
                        filter,
                        before,
                        MAX_PAGE,
                    )?;
                    let Some(last) = page.last() else { break };
                    before = Some(last.number);
                    for o in page {
                        let d = names.details(tx, o)?;
                        csv.row(&inventory_cells(&d))?;
                    }
                }
                Ok(())
            })?;
            csv.finish()
        })
    }
}

impl Session {
    /// [`Session::export_order_csv`] into the file at `path`, atomically: the CSV is written
    /// to a temporary file beside it and renamed over `path` only once complete and synced.
    /// A refused or failed export leaves `path` as it was (absent, or the previous file); a
    /// reader never sees half an export. The file is created readable by its owner only (it
    /// holds license keys).
    ///
    /// ```
    /// # use license_inventory::*;
    /// # fn main() -> Result<()> {
    /// # let inv = Inventory::in_memory();
    /// # let t = inv.create_tenant(NewTenant { name: "T".into(), plan: Plan::Standard, vendor_name: "V".into(), first_order_number: None })?;
    /// # let vera = inv.create_user(t.id, NewUser { name: "Vera".into(), email: "vera@example.com".into() })?;
    /// # inv.grant_admin(t.id, vera.id, t.vendor)?;
    /// # let cl = inv.create_product(t.id, NewProduct { code: "CL".into(), name: "Center License".into(), kind: ProductKind::License })?;
    /// let s = inv.session(t.id, vera.id)?;
    /// let order = s.mint(NewMint::new(cl.id, 3))?;
    /// s.issue(order.id, 3)?;
    /// let dir = std::env::temp_dir().join(format!("li-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).map_err(|e| Error::Export(e.into()))?;
    /// let rows = s.export_order_csv_to_path(order.id, dir.join("order.csv"))?;
    /// assert_eq!(rows, 3);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok(())
    /// # }
    /// ```
    pub fn export_order_csv_to_path(&self, order: OrderId, path: impl AsRef<Path>) -> Result<u64> {
        self.by(Action::View, || {
            to_path(path.as_ref(), |out| self.export_order_csv(order, out))
        })
    }

    /// [`Session::export_inventory_csv`] into the file at `path`, atomically, like
    /// [`Session::export_order_csv_to_path`].
    pub fn export_inventory_csv_to_path(
        &self,
        org: OrgId,
        filter: &InventoryFilter,
        path: impl AsRef<Path>,
    ) -> Result<u64> {
        self.by(Action::View, || {
            to_path(path.as_ref(), |out| {
                self.export_inventory_csv(org, filter, out)
            })
        })
    }
}

/// Runs `export` into a temporary file in `path`'s folder, then syncs it and renames it over
/// `path`. On any error the temporary file is removed and `path` is untouched.
fn to_path(path: &Path, export: impl FnOnce(&mut std::fs::File) -> Result<u64>) -> Result<u64> {
    let io = |e: std::io::Error| Error::Export(e.into());
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".license-inventory-export-")
        .suffix(".csv.tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    let rows = export(tmp.as_file_mut())?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(rows)
}
