//! CSV export formats (RFC 4180, header row, stable column order): the columns and how each
//! cell is written. The export itself (`inventory/export.rs`) is streamed: an order of 100,000
//! licenses is written page by page from one consistent snapshot, never held in memory whole.
//! Cells a spreadsheet would run as a formula are neutralised with a leading `'`.
//!
//! Rules: docs/rules.md §12.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, Utc};

use crate::checked::Checked;
use crate::error::{Error, Result};
use crate::ids::LicenseUserId;
use crate::license::License;
use crate::order::Order;
use crate::product::Product;
use crate::views::OrderDetails;

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

pub(crate) struct Csv<W: Write> {
    out: csv::Writer<W>,
    rows: u64,
}

impl<W: Write> Csv<W> {
    pub(crate) fn new(out: W) -> Self {
        Csv {
            out: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
            rows: 0,
        }
    }

    pub(crate) fn header(&mut self, columns: &[&str]) -> Result<()> {
        self.out.write_record(columns).map_err(Error::Export)
    }

    pub(crate) fn row(&mut self, cells: &[String]) -> Result<()> {
        self.out
            .write_record(cells.iter().map(|c| neutralize(c).into_owned()))
            .map_err(Error::Export)?;
        self.rows = self.rows.plus(1)?;
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<u64> {
        self.out.flush().map_err(|e| Error::Export(e.into()))?;
        Ok(self.rows)
    }
}

fn yes(b: bool) -> String {
    if b { "true" } else { "false" }.to_owned()
}

pub(crate) fn license_cells(l: &License, emails: &HashMap<LicenseUserId, String>) -> Vec<String> {
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

/// The order's and customer's cells of an order export row (the first columns of
/// [`ORDER_COLUMNS`]).
pub(crate) fn order_cells(
    o: &Order,
    product: &Product,
    holder: String,
    source: String,
) -> Vec<String> {
    let c = o.customer.clone().unwrap_or_default();
    let m = &o.metadata;
    vec![
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
    ]
}

/// One row of an inventory export ([`INVENTORY_COLUMNS`]).
pub(crate) fn inventory_cells(d: &OrderDetails) -> Vec<String> {
    let o = &d.order;
    let who = |org: &str, user: &Option<String>| match user {
        Some(u) => format!("{org} {u}"),
        None => org.to_owned(),
    };
    vec![
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
