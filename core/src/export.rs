//! CSV export (RFC 4180, header row, stable column order), streamed: an order of 100,000
//! licenses is written page by page from one consistent snapshot, never held in memory whole.
//! Cells a spreadsheet would run as a formula are neutralised with a leading `'`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::ids::{LicenseUserId, OrderId, OrgId};
use crate::input::MAX_PAGE;
use crate::inventory::Session;
use crate::inventory::rules::{Actor, Names, get_org, get_product};
use crate::license::License;
use crate::order::Order;
use crate::views::InventoryFilter;

/// The columns of an order export, in order.
pub const ORDER_COLUMNS: [&str; 32] = [
    "order_number",
    "order_id",
    "product_code",
    "product_name",
    "purchase_order",
    "holder",
    "source",
    "order_status",
    "approved_quantity",
    "available",
    "issued",
    "order_reference",
    "campaign",
    "download_id",
    "is_test",
    "is_trial",
    "customer_name",
    "customer_email",
    "customer_company",
    "customer_phone",
    "customer_reference",
    "license_key",
    "license_kind",
    "license_status",
    "license_user_email",
    "trial",
    "activations",
    "max_activations",
    "devices",
    "issued_at",
    "activated_at",
    "expires_at",
];

/// The columns of an inventory-list export, in order.
pub const INVENTORY_COLUMNS: [&str; 12] = [
    "order_number",
    "inventory_type",
    "purchase_order",
    "order_status",
    "requested_approved",
    "available",
    "issued",
    "requested_by",
    "date_requested",
    "approved_by",
    "date_approved",
    "order_reference",
];

/// Neutralises a cell a spreadsheet would evaluate: one starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'`.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

fn date(t: Option<DateTime<Utc>>) -> String {
    t.map(crate::time::format).unwrap_or_default()
}

struct Csv<W: Write> {
    out: csv::Writer<W>,
    rows: u64,
}

impl<W: Write> Csv<W> {
    fn new(out: W) -> Self {
        Csv {
            out: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
            rows: 0,
        }
    }

    fn header(&mut self, columns: &[&str]) -> Result<()> {
        self.out.write_record(columns).map_err(Error::Export)
    }

    fn row(&mut self, cells: &[String]) -> Result<()> {
        self.out
            .write_record(cells.iter().map(|c| neutralize(c).into_owned()))
            .map_err(Error::Export)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<u64> {
        self.out.flush().map_err(|e| Error::Export(e.into()))?;
        Ok(self.rows)
    }
}

fn yes(b: bool) -> String {
    if b { "true" } else { "false" }.to_owned()
}

impl Session {
    /// Writes an order as CSV: one row per license, each with the order's and customer's
    /// columns ([`ORDER_COLUMNS`]); an order without licenses gives one row with empty license
    /// columns. Returns the number of data rows. Readable by whoever may see the order.
    pub fn export_order_csv(&self, order: OrderId, out: impl Write) -> Result<u64> {
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
            let c = o.customer.clone().unwrap_or_default();
            let m = &o.metadata;
            let order_cells = vec![
                o.number.to_string(),
                o.id.to_string(),
                product.code.clone(),
                product.name.clone(),
                o.purchase_order.clone().unwrap_or_default(),
                holder,
                source,
                o.status.to_string(),
                o.approved_quantity.to_string(),
                o.available.to_string(),
                o.issued.to_string(),
                m.reference.clone().unwrap_or_default(),
                m.campaign
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("&"),
                m.download_id.clone().unwrap_or_default(),
                yes(m.is_test),
                yes(m.is_trial),
                c.name,
                c.email.unwrap_or_default(),
                c.company.unwrap_or_default(),
                c.phone.unwrap_or_default(),
                c.reference.unwrap_or_default(),
            ];
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
    }

    /// Writes an organization's inventory list as CSV ([`INVENTORY_COLUMNS`]), newest first,
    /// filtered like [`Session::list`]. Returns the number of data rows.
    pub fn export_inventory_csv(
        &self,
        org: OrgId,
        filter: &InventoryFilter,
        out: impl Write,
    ) -> Result<u64> {
        let mut csv = Csv::new(out);
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let org = get_org(tx, self.tenant, org)?;
            actor.require_view(tx, &org)?;
            csv.header(&INVENTORY_COLUMNS)?;
            let mut names = Names::new(self.tenant);
            let mut before = None;
            loop {
                let page = tx.list_orders(self.tenant, org.id, filter, before, MAX_PAGE)?;
                let Some(last) = page.last() else { break };
                before = Some(last.number);
                for o in page {
                    let d = names.details(tx, o)?;
                    let o = &d.order;
                    let who = |org: &str, user: &Option<String>| match user {
                        Some(u) => format!("{org} {u}"),
                        None => org.to_owned(),
                    };
                    csv.row(&[
                        o.number.to_string(),
                        d.product_name.clone(),
                        o.purchase_order.clone().unwrap_or_default(),
                        o.status.label().to_owned(),
                        if o.status.holds_units() {
                            o.approved_quantity
                        } else {
                            o.requested_quantity
                        }
                        .to_string(),
                        o.available.to_string(),
                        o.issued.to_string(),
                        who(&d.holder_name, &d.requested_by_name),
                        date(Some(o.requested_at)),
                        match (&d.source_name, o.approved_by) {
                            (Some(s), Some(_)) => who(s, &d.approved_by_name),
                            _ => String::new(),
                        },
                        date(o.approved_at),
                        o.metadata.reference.clone().unwrap_or_default(),
                    ])?;
                }
            }
            Ok(())
        })?;
        csv.finish()
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
    /// let order = s.mint(NewMint { product: cl.id, quantity: 3, ..Default::default() })?;
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
        to_path(path.as_ref(), |out| self.export_order_csv(order, out))
    }

    /// [`Session::export_inventory_csv`] into the file at `path`, atomically, like
    /// [`Session::export_order_csv_to_path`].
    pub fn export_inventory_csv_to_path(
        &self,
        org: OrgId,
        filter: &InventoryFilter,
        path: impl AsRef<Path>,
    ) -> Result<u64> {
        to_path(path.as_ref(), |out| {
            self.export_inventory_csv(org, filter, out)
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

fn license_cells(l: &License, emails: &HashMap<LicenseUserId, String>) -> Vec<String> {
    vec![
        l.key.to_string(),
        if l.is_code {
            "activation_code"
        } else {
            "license"
        }
        .to_owned(),
        l.status.to_string(),
        l.license_user
            .and_then(|u| emails.get(&u).cloned())
            .unwrap_or_default(),
        yes(l.trial),
        l.activations.len().to_string(),
        l.policy.max_activations.to_string(),
        l.activations
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        date(Some(l.issued_at)),
        date(l.activated_at),
        date(l.expires_at),
    ]
}

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn formula_cells_are_neutralised() {
        for f in ["=SUM(A1:A2)", "+1", "-2", "@cmd", "\tx", "\rx"] {
            assert_eq!(neutralize(f), format!("'{f}"));
        }
        for plain in ["EE2017-5", "MGA Inc", "", "1-2"] {
            assert_eq!(neutralize(plain), plain);
        }
    }
}
