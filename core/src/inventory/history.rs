//! Reading the past from the ledger (docs/rules.md §9): ledger entries per order, per
//! organization or by time range, and any order's quantities or any organization's holdings as
//! they were at a past moment. Everything is rebuilt by replaying the ledger's movements in one
//! read snapshot; nothing here writes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::checked::Checked;
use crate::error::{Action, Entity, Error, Result};
use crate::ids::{OrderId, OrgId, ProductId, TenantId};
use crate::input::MAX_PAGE;
use crate::inventory::Inventory;
use crate::inventory::rules::{get_org, get_tenant, page_limit};
use crate::ledger::LedgerEntry;
use crate::store::Tx;

/// Which ledger entries [`Inventory::ledger_matching`] returns: those that satisfy every filter
/// given (all of them when empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerFilter {
    /// Entries about this order, or moving its quantities.
    pub order: Option<OrderId>,
    /// Entries about this organization, or moving the quantities of an order it holds.
    pub org: Option<OrgId>,
    /// Entries recorded at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Entries recorded before this moment.
    pub to: Option<DateTime<Utc>>,
}

impl LedgerFilter {
    fn matches(&self, e: &LedgerEntry) -> bool {
        self.order
            .is_none_or(|o| e.order == Some(o) || e.movements.iter().any(|m| m.order == o))
            && self
                .org
                .is_none_or(|g| e.org == Some(g) || e.movements.iter().any(|m| m.org == g))
            && self.from.is_none_or(|f| e.at >= f)
            && self.to.is_none_or(|t| e.at < t)
    }
}

/// An order's quantities at one moment, rebuilt from the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderFigures {
    /// The order.
    pub order: OrderId,
    /// Its holder.
    pub org: OrgId,
    /// Its product.
    pub product: ProductId,
    /// Units approved into it.
    pub approved: u64,
    /// Units children drew from it.
    pub drawn: u64,
    /// Units issued as licenses or codes.
    pub issued: u64,
    /// Units available.
    pub available: u64,
}

/// What an organization held of one product at one moment: the sum over its orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holding {
    /// The product.
    pub product: ProductId,
    /// How many of the organization's orders of this product held units (approved ones).
    pub orders: u64,
    /// Units approved into them.
    pub approved: u64,
    /// Units children drew from them.
    pub drawn: u64,
    /// Units issued from them.
    pub issued: u64,
    /// Units available in them.
    pub available: u64,
}

/// Signed running sums of one order's movements.
#[derive(Default)]
struct Sums {
    org: Option<OrgId>,
    product: Option<ProductId>,
    approved: i64,
    drawn: i64,
    issued: i64,
    available: i64,
}

impl Sums {
    fn figures(&self, order: OrderId) -> Result<Option<OrderFigures>> {
        let (Some(org), Some(product)) = (self.org, self.product) else {
            return Ok(None);
        };
        let n = |field: &str, v: i64| {
            u64::try_from(v).map_err(|_| {
                Error::InvariantViolated(format!(
                    "replaying the ledger gives order {order} a negative {field} ({v})"
                ))
            })
        };
        Ok(Some(OrderFigures {
            order,
            org,
            product,
            approved: n("approved", self.approved)?,
            drawn: n("drawn", self.drawn)?,
            issued: n("issued", self.issued)?,
            available: n("available", self.available)?,
        }))
    }
}

/// Calls `f` with every ledger entry of `tenant`, in order, a page at a time.
fn each_entry(
    tx: &mut dyn Tx,
    tenant: TenantId,
    mut after: u64,
    mut f: impl FnMut(LedgerEntry) -> Result<bool>,
) -> Result<()> {
    loop {
        let page = tx.ledger(tenant, after, MAX_PAGE)?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = last.seq;
        for e in page {
            if !f(e)? {
                return Ok(());
            }
        }
    }
}

/// The running sums, per order, of every movement recorded at or before `at` that `keep`
/// selects; an order `keep` selects that moves only later is there with zero sums.
fn replay(
    tx: &mut dyn Tx,
    tenant: TenantId,
    at: DateTime<Utc>,
    keep: impl Fn(OrderId, OrgId) -> bool,
) -> Result<BTreeMap<OrderId, Sums>> {
    let mut sums: BTreeMap<OrderId, Sums> = BTreeMap::new();
    each_entry(tx, tenant, 0, |e| {
        for m in e.movements.iter().filter(|m| keep(m.order, m.org)) {
            let s = sums.entry(m.order).or_default();
            s.org = Some(m.org);
            s.product = Some(m.product);
            if e.at <= at {
                s.approved = s.approved.plus(m.approved)?;
                s.drawn = s.drawn.plus(m.drawn)?;
                s.issued = s.issued.plus(m.issued)?;
                s.available = s.available.plus(m.available)?;
            }
        }
        Ok(true)
    })?;
    Ok(sums)
}

impl Inventory {
    /// Up to `limit` (1 to [`crate::MAX_PAGE`]) ledger entries of the tenant with sequence
    /// numbers above `after` that match `filter`, in order; pass the last `seq` as `after` for
    /// the next page. Scans the ledger from `after` (a read of one snapshot).
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
    /// let a = s.mint(NewMint::new(cl.id, 5))?;
    /// s.mint(NewMint::new(cl.id, 7))?;
    /// s.issue(a.id, 2)?;
    /// let of_a = inv.ledger_matching(t.id, &LedgerFilter { order: Some(a.id), ..Default::default() }, 0, 100)?;
    /// let kinds: Vec<LedgerKind> = of_a.iter().map(|e| e.kind).collect();
    /// assert_eq!(kinds, [LedgerKind::Minted, LedgerKind::LicensesIssued]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn ledger_matching(
        &self,
        tenant: TenantId,
        filter: &LedgerFilter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<LedgerEntry>> {
        self.by_host(Action::View, || {
            let limit = page_limit(limit)?;
            let after = crate::input::stored_number("after", after)?;
            self.read(|tx| {
                get_tenant(tx, tenant)?;
                let mut out = Vec::new();
                each_entry(tx, tenant, after, |e| {
                    if filter.matches(&e) {
                        out.push(e);
                    }
                    Ok(out.len() < limit)
                })?;
                Ok(out)
            })
        })
    }

    /// An order's quantities as they were at `at`: the sum of the ledger's movements of the
    /// order recorded at or before `at`. Works for deleted orders too. An order with no
    /// movement by then (a pending request, or one made later) has all quantities 0; an order
    /// the ledger and the store have never seen is `NotFound`.
    pub fn order_at(
        &self,
        tenant: TenantId,
        order: OrderId,
        at: DateTime<Utc>,
    ) -> Result<OrderFigures> {
        self.by_host(Action::View, || {
            self.read(|tx| {
                get_tenant(tx, tenant)?;
                let mut sums = replay(tx, tenant, at, |o, _| o == order)?;
                if let Some(f) = sums
                    .remove(&order)
                    .map(|s| s.figures(order))
                    .transpose()?
                    .flatten()
                {
                    return Ok(f);
                }
                // No movement ever: a pending (or rejected, cancelled) request, or nothing at all.
                let o = tx
                    .order(tenant, order)?
                    .ok_or_else(|| Error::not_found(Entity::Order, order))?;
                let (org, product) = (o.holder, o.product);
                Ok(OrderFigures {
                    order,
                    org,
                    product,
                    approved: 0,
                    drawn: 0,
                    issued: 0,
                    available: 0,
                })
            })
        })
    }

    /// What an organization held at `at`, per product (sorted by product id): the quantities
    /// of the orders it held, rebuilt from the ledger as [`Inventory::order_at`] does. Products
    /// it never held are absent.
    pub fn holdings_at(
        &self,
        tenant: TenantId,
        org: OrgId,
        at: DateTime<Utc>,
    ) -> Result<Vec<Holding>> {
        self.by_host(Action::View, || {
            self.read(|tx| {
                get_tenant(tx, tenant)?;
                get_org(tx, tenant, org)?;
                let sums = replay(tx, tenant, at, |_, g| g == org)?;
                let mut by_product: BTreeMap<ProductId, Holding> = BTreeMap::new();
                for (order, s) in &sums {
                    // An order that held nothing then (not yet approved, or deleted) is no holding.
                    let Some(f) = s.figures(*order)?.filter(|f| f.approved > 0) else {
                        continue;
                    };
                    let h = by_product.entry(f.product).or_insert(Holding {
                        product: f.product,
                        orders: 0,
                        approved: 0,
                        drawn: 0,
                        issued: 0,
                        available: 0,
                    });
                    h.orders = h.orders.plus(1)?;
                    h.approved = h.approved.plus(f.approved)?;
                    h.drawn = h.drawn.plus(f.drawn)?;
                    h.issued = h.issued.plus(f.issued)?;
                    h.available = h.available.plus(f.available)?;
                }
                Ok(by_product.into_values().collect())
            })
        })
    }
}
