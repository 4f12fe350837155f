//! Read models: the inventory list, the summary, order details and the detail of inventory use.
//!
//! Rules: docs/rules.md §6.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::ids::{OrderId, OrderNumber, ProductId};
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

/// One page of a list, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The cursor for the next page; `None` on the last page.
    pub next: Option<Cursor>,
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
}

impl SummaryCounts {
    /// All figures zero, for `product`.
    pub fn new(product: ProductId) -> Self {
        SummaryCounts {
            product,
            held: 0,
            available: 0,
            pending_requests: 0,
            pending_units: 0,
            incoming_requests: 0,
            incoming_units: 0,
        }
    }
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
