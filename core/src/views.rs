//! Read models: the inventory list, the summary, order details and the detail of inventory use.
//!
//! Rules: docs/rules.md §6.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::hierarchy::{Organization, Tier};
use crate::ids::{OrderId, OrderNumber, OrgId, ProductId};
use crate::order::{Order, OrderStatus};
use crate::product::ProductKind;

/// Filters for an organization's inventory list. The default matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InventoryFilter {
    /// Only these statuses (empty: all).
    pub statuses: Vec<OrderStatus>,
    /// Only these products (empty: all).
    pub products: Vec<ProductId>,
    /// Only this order number.
    pub order_number: Option<OrderNumber>,
    /// Only purchase orders containing this text (case-insensitive).
    pub purchase_order: Option<String>,
    /// Only orders requested at or after this time.
    pub requested_from: Option<DateTime<Utc>>,
    /// Only orders requested strictly before this time.
    pub requested_to: Option<DateTime<Utc>>,
    /// Only orders requested by this organization (the seed's "Requested By": the holder).
    pub requested_by_org: Option<OrgId>,
}

impl InventoryFilter {
    /// True when `order` passes the filter (the reference semantics every store implements).
    pub fn matches(&self, order: &Order) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&order.status))
            && (self.products.is_empty() || self.products.contains(&order.product))
            && self.order_number.is_none_or(|n| n == order.number)
            && self.purchase_order.as_deref().is_none_or(|needle| {
                order
                    .purchase_order
                    .as_deref()
                    .is_some_and(|po| fold_case(po).contains(&fold_case(needle)))
            })
            && self.requested_from.is_none_or(|t| order.requested_at >= t)
            && self.requested_to.is_none_or(|t| order.requested_at < t)
            && self.requested_by_org.is_none_or(|org| order.holder == org)
    }
}

/// Which orders of an organization a list reads (docs/rules.md §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderList {
    /// The orders it holds: its inventory list ([`Session::list`](crate::Session::list)).
    Held,
    /// The requests addressed to it that wait for its decision: its approval queue
    /// ([`Session::approval_queue`](crate::Session::approval_queue)). Their number is the
    /// summary's incoming requests.
    AwaitingDecision,
    /// The orders it supplied: requests it approved and assignments it made, units drawn from it
    /// ([`Session::supplied_orders`](crate::Session::supplied_orders)).
    Supplied,
}

impl OrderList {
    /// True when `order` is on this list of `org` (the reference semantics every store
    /// implements).
    pub fn contains(self, org: OrgId, order: &Order) -> bool {
        match self {
            OrderList::Held => order.holder == org,
            OrderList::AwaitingDecision => {
                order.source == Some(org) && order.status == OrderStatus::Requested
            }
            OrderList::Supplied => {
                order.source == Some(org)
                    && matches!(order.status, OrderStatus::Active | OrderStatus::Depleted)
            }
        }
    }

    /// The statuses an order on this list can have (`None`: any).
    pub fn statuses(self) -> Option<&'static [OrderStatus]> {
        match self {
            OrderList::Held => None,
            OrderList::AwaitingDecision => Some(&[OrderStatus::Requested]),
            OrderList::Supplied => Some(&[OrderStatus::Active, OrderStatus::Depleted]),
        }
    }
}

/// How text searches fold case (docs/rules.md §6): each character is replaced by its Unicode
/// lowercase mapping (`char::to_lowercase`, the same for every character wherever it stands,
/// so `Σ` is always `σ`), and nothing else changes: `ß` stays `ß` (it does not match `ss`),
/// and no normalisation form is applied (a precomposed `É` and `E` + combining accent differ).
/// Every store searches text folded by this one function: the memory store on the fly, the
/// SQL stores in a column the core writes (`purchase_order_folded`, migration 0005).
pub(crate) fn fold_case(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// Where the next page of a list starts. Opaque: print it, pass it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cursor(pub(crate) OrderNumber);

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "o{}", self.0)
    }
}

impl FromStr for Cursor {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        s.strip_prefix('o')
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|n| *n <= crate::input::MAX_STORED_NUMBER)
            .map(|n| Cursor(OrderNumber(n)))
            .ok_or_else(|| Error::invalid("cursor", format!("'{s}' is not a cursor from a list")))
    }
}

/// One page of a list: orders newest first ([`Cursor`]), directory entries in name order
/// ([`NameCursor`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T, C = Cursor> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The cursor for the next page; `None` on the last page.
    pub next: Option<C>,
}

/// Where the next page of a directory list starts: after the entry with this rank (a subtree's
/// depth; 0 elsewhere), folded name and id. Opaque: print it, pass it back.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameCursor {
    pub(crate) rank: u32,
    pub(crate) folded: String,
    pub(crate) id: uuid::Uuid,
}

impl NameCursor {
    /// The cursor just after an entry.
    pub(crate) fn after(rank: u32, name: &str, id: uuid::Uuid) -> Self {
        NameCursor {
            rank,
            folded: fold_case(name),
            id,
        }
    }
}

impl fmt::Display for NameCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n{}:{}:{}", self.rank, self.id, self.folded)
    }
}

impl FromStr for NameCursor {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "cursor",
                format!("'{s}' is not a cursor from a directory list"),
            )
        };
        let rest = s.strip_prefix('n').ok_or_else(bad)?;
        let (rank, rest) = rest.split_once(':').ok_or_else(bad)?;
        let (id, folded) = rest.split_once(':').ok_or_else(bad)?;
        Ok(NameCursor {
            rank: rank.parse().map_err(|_| bad())?,
            id: id.parse().map_err(|_| bad())?,
            folded: folded.to_owned(),
        })
    }
}

/// One of a user's admin roles: an organization and its tier (what a Role menu offers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// The organization the user administers.
    pub org: OrgId,
    /// Its name.
    pub org_name: String,
    /// Its tier: the role is "administrator of a {tier}".
    pub tier: Tier,
}

/// An organization of a subtree, with its depth below the subtree's root (the root is 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgInTree {
    /// The organization.
    pub org: Organization,
    /// Levels below the root.
    pub depth: u32,
}

/// An order with the names a person reads next to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderDetails {
    /// The order.
    pub order: Order,
    /// The product's name ("Center License").
    pub product_name: String,
    /// The product's kind.
    pub product_kind: ProductKind,
    /// The holder's name ("MGA Inc").
    pub holder_name: String,
    /// The source's name ("Ellen Emporium"), if any.
    pub source_name: Option<String>,
    /// The requesting user's name, if it was requested by a user.
    pub requested_by_name: Option<String>,
    /// The approving user's name, if approved.
    pub approved_by_name: Option<String>,
}

/// One line of an organization's summary: one product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryLine {
    /// The product.
    pub product: ProductId,
    /// Its name.
    pub product_name: String,
    /// Its kind.
    pub product_kind: ProductKind,
    /// Units approved into the org's active and depleted orders.
    pub held: u64,
    /// Units available now.
    pub available: u64,
    /// The org's own requests still pending.
    pub pending_requests: u64,
    /// Units asked for by those requests.
    pub pending_units: u64,
    /// Requests addressed to the org awaiting its approval.
    pub incoming_requests: u64,
    /// Units asked for by those.
    pub incoming_units: u64,
}

/// The aggregate figures a store computes for one product of one organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryCounts {
    /// The product.
    pub product: ProductId,
    /// See [`SummaryLine::held`].
    pub held: u64,
    /// See [`SummaryLine::available`].
    pub available: u64,
    /// See [`SummaryLine::pending_requests`].
    pub pending_requests: u64,
    /// See [`SummaryLine::pending_units`].
    pub pending_units: u64,
    /// See [`SummaryLine::incoming_requests`].
    pub incoming_requests: u64,
    /// See [`SummaryLine::incoming_units`].
    pub incoming_units: u64,
    /// The organization's own orders of the product, in any status: the summary has a line
    /// for the product while this or `incoming_requests` is not zero.
    pub orders: u64,
}

impl SummaryCounts {
    /// All figures zero, for `product`.
    pub fn new(product: ProductId) -> Self {
        SummaryCounts {
            product,
            orders: 0,
            held: 0,
            available: 0,
            pending_requests: 0,
            pending_units: 0,
            incoming_requests: 0,
            incoming_units: 0,
        }
    }

    /// Whether the summary has a line for it: the organization has orders of the product, or
    /// requests of it addressed to it (a line that went back to zero is not shown).
    pub fn is_shown(&self) -> bool {
        self.orders > 0 || self.incoming_requests > 0
    }
}

/// A change to one organization's counters of one product, kept by the stores in the
/// transaction that changes the orders (docs/decisions.md §41), so that a summary reads one row
/// per product whatever the number of orders. Each field is added to the figure of the same
/// name in [`SummaryCounts`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountsChange {
    /// The organization whose summary changes.
    pub org: OrgId,
    /// The product.
    pub product: ProductId,
    /// Added to [`SummaryCounts::orders`].
    pub orders: i64,
    /// Added to [`SummaryCounts::held`].
    pub held: i64,
    /// Added to [`SummaryCounts::available`].
    pub available: i64,
    /// Added to [`SummaryCounts::pending_requests`].
    pub pending_requests: i64,
    /// Added to [`SummaryCounts::pending_units`].
    pub pending_units: i64,
    /// Added to [`SummaryCounts::incoming_requests`].
    pub incoming_requests: i64,
    /// Added to [`SummaryCounts::incoming_units`].
    pub incoming_units: i64,
}

impl CountsChange {
    fn zero(org: OrgId, product: ProductId) -> Self {
        CountsChange {
            org,
            product,
            orders: 0,
            held: 0,
            available: 0,
            pending_requests: 0,
            pending_units: 0,
            incoming_requests: 0,
            incoming_units: 0,
        }
    }

    /// Whether it changes nothing.
    pub fn is_zero(&self) -> bool {
        self.figures().iter().all(|v| *v == 0)
    }

    fn figures(&self) -> [i64; 7] {
        [
            self.orders,
            self.held,
            self.available,
            self.pending_requests,
            self.pending_units,
            self.incoming_requests,
            self.incoming_units,
        ]
    }

    /// Applies the change to `counts` (the line of the same org and product); a figure that
    /// would go below zero or overflow is an invariant violation.
    pub fn apply(&self, counts: &mut SummaryCounts) -> Result<()> {
        let fields = [
            (&mut counts.orders, self.orders),
            (&mut counts.held, self.held),
            (&mut counts.available, self.available),
            (&mut counts.pending_requests, self.pending_requests),
            (&mut counts.pending_units, self.pending_units),
            (&mut counts.incoming_requests, self.incoming_requests),
            (&mut counts.incoming_units, self.incoming_units),
        ];
        for (figure, by) in fields {
            *figure = figure.checked_add_signed(by).ok_or_else(|| {
                Error::InvariantViolated(format!(
                    "the summary counters of {} for {} would leave their range",
                    self.org, self.product
                ))
            })?;
        }
        Ok(())
    }
}

/// What the summaries' counters gain (`sign` 1) or lose (`sign` -1) by `order` existing as it
/// is: its holder's line counts the order, its units while it holds them (docs/rules.md §6) and
/// its request while pending; its source's line counts the pending request as incoming.
pub(crate) fn order_counts(
    order: &Order,
    sign: i64,
    into: &mut std::collections::BTreeMap<(OrgId, ProductId), CountsChange>,
) -> Result<()> {
    let signed = |v: u64| -> Result<i64> {
        i64::try_from(v)
            .ok()
            .and_then(|v| v.checked_mul(sign))
            .ok_or_else(|| Error::InvariantViolated(format!("{v} does not fit a counter")))
    };
    let add = |slot: &mut i64, v: i64| -> Result<()> {
        *slot = slot
            .checked_add(v)
            .ok_or_else(|| Error::InvariantViolated("a summary counter overflowed".into()))?;
        Ok(())
    };
    let holder = into
        .entry((order.holder, order.product))
        .or_insert_with(|| CountsChange::zero(order.holder, order.product));
    add(&mut holder.orders, sign)?;
    if order.status.holds_units() {
        add(&mut holder.held, signed(order.approved_quantity)?)?;
        add(&mut holder.available, signed(order.available)?)?;
    } else if order.status == OrderStatus::Requested {
        add(&mut holder.pending_requests, sign)?;
        add(&mut holder.pending_units, signed(order.requested_quantity)?)?;
    }
    if let (Some(source), OrderStatus::Requested) = (order.source, order.status) {
        let line = into
            .entry((source, order.product))
            .or_insert_with(|| CountsChange::zero(source, order.product));
        add(&mut line.incoming_requests, sign)?;
        add(&mut line.incoming_units, signed(order.requested_quantity)?)?;
    }
    Ok(())
}

/// One outgoing draw of an order, as "Detail of Inventory Use" lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UseLine {
    /// The child order that drew the units.
    pub order: OrderId,
    /// Its number.
    pub order_number: OrderNumber,
    /// Its purchase order.
    pub purchase_order: Option<String>,
    /// Units drawn.
    pub quantity: u64,
    /// When ("Date of Assignment").
    pub at: DateTime<Utc>,
    /// The child order's holder ("Requested By").
    pub requested_by_org: String,
    /// The requesting user, if it was a request.
    pub requested_by_user: Option<String>,
    /// The organization that approved or assigned ("Approved By").
    pub approved_by_org: String,
    /// The approving user.
    pub approved_by_user: Option<String>,
}

/// "Detail of Inventory Use" of an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryUse {
    /// The order itself.
    pub order: OrderDetails,
    /// Its outgoing draws, oldest first.
    pub draws: Vec<UseLine>,
}
