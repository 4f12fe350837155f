//! Orders: the inventory lots, their statuses, and the draws that link them to their sources.
//!
//! Rules: docs/rules.md §3, §4.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use std::collections::BTreeMap;

use crate::ids::{BundleId, OrderId, OrderNumber, OrgId, ProductId, TenantId, UserId};

/// The life of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Pending: asked for, not yet approved.
    Requested,
    /// Approved (or assigned, or minted) with units available.
    Active,
    /// Approved, with no unit available (comes back to active when units return).
    Depleted,
    /// Refused by the source organization.
    Rejected,
    /// Withdrawn by the requester.
    Cancelled,
}

impl OrderStatus {
    /// All statuses, in display order.
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Requested,
        OrderStatus::Active,
        OrderStatus::Depleted,
        OrderStatus::Rejected,
        OrderStatus::Cancelled,
    ];

    /// The snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Requested => "requested",
            OrderStatus::Active => "active",
            OrderStatus::Depleted => "depleted",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// The status as the seed's tables print it ("Active", "Requested", …).
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Requested => "Requested",
            OrderStatus::Active => "Active",
            OrderStatus::Depleted => "Depleted",
            OrderStatus::Rejected => "Rejected",
            OrderStatus::Cancelled => "Cancelled",
        }
    }

    /// The statuses whose orders hold units (`active`, `depleted`): counted as held in
    /// summaries and exports (docs/rules.md §4). The SQL stores build their `status IN (…)`
    /// from this list.
    pub(crate) const HOLDING: [OrderStatus; 2] = [OrderStatus::Active, OrderStatus::Depleted];

    /// The status of the orders a draw may take from (with units available).
    pub(crate) const DRAWABLE: OrderStatus = OrderStatus::Active;

    /// True for the statuses that hold units (`active`, `depleted`).
    pub fn holds_units(self) -> bool {
        Self::HOLDING.contains(&self)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrderStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        OrderStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| Error::invalid("order status", format!("unknown status '{s}'")))
    }
}

/// An inventory lot of one product held by one organization.
///
/// Conservation: `approved_quantity == drawn + issued + available` once approved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The order's id (UUID v7).
    pub id: OrderId,
    /// The human order number, per tenant.
    pub number: OrderNumber,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// The product.
    pub product: ProductId,
    /// Purchase order reference, free text.
    pub purchase_order: Option<String>,
    /// The holder ("Requested By" / "Assigned To").
    pub holder: OrgId,
    /// The source ("Requested To" / "Assigned By"); `None` for the vendor's own minted stock.
    pub source: Option<OrgId>,
    /// Who requested it; `None` when it was assigned (pushed) or minted.
    pub requested_by: Option<UserId>,
    /// When it was requested (or assigned, or minted).
    #[serde(serialize_with = "crate::time::serde_text::serialize")]
    pub requested_at: DateTime<Utc>,
    /// Units asked for.
    pub requested_quantity: u64,
    /// The requester's comments.
    pub requester_comments: Option<String>,
    /// Who approved (or rejected, or assigned) it.
    pub approved_by: Option<UserId>,
    /// When it was approved (or rejected).
    #[serde(serialize_with = "crate::time::serde_text::option")]
    pub approved_at: Option<DateTime<Utc>>,
    /// Units approved (0 until approved).
    pub approved_quantity: u64,
    /// The approver's comments.
    pub approval_comments: Option<String>,
    /// Current status.
    pub status: OrderStatus,
    /// Units drawn from this order by child orders.
    pub drawn: u64,
    /// Units issued as licenses or codes.
    pub issued: u64,
    /// Units available to draw or issue.
    pub available: u64,
    /// When it last changed.
    #[serde(serialize_with = "crate::time::serde_text::serialize")]
    pub updated_at: DateTime<Utc>,
    /// Metadata: reference, campaign, download id, test and trial flags.
    pub metadata: OrderMetadata,
    /// The end customer, if recorded.
    pub customer: Option<Customer>,
    /// The bundle order this order is a line of, if any.
    pub bundle: Option<BundleId>,
}

impl Order {
    /// Checks the per-order conservation rule and that the status agrees with the quantities.
    pub fn check_invariants(&self) -> Result<()> {
        let accounted = self
            .drawn
            .checked_add(self.issued)
            .and_then(|s| s.checked_add(self.available))
            .ok_or_else(|| Error::InvariantViolated(format!("order {}: overflow", self.number)))?;
        let ok = match self.status {
            OrderStatus::Requested | OrderStatus::Rejected | OrderStatus::Cancelled => {
                accounted == 0 && self.approved_quantity == 0
            }
            OrderStatus::Active => accounted == self.approved_quantity && self.available > 0,
            OrderStatus::Depleted => accounted == self.approved_quantity && self.available == 0,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::InvariantViolated(format!(
                "order {} ({}): approved {} != drawn {} + issued {} + available {}",
                self.number,
                self.status,
                self.approved_quantity,
                self.drawn,
                self.issued,
                self.available
            )))
        }
    }

    /// A new pending order: `quantity` units of `product` for `holder`, from `source`, number
    /// `number`, requested at `now`, nothing approved. Callers set what differs.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new_request(
        tenant: TenantId,
        number: OrderNumber,
        product: ProductId,
        holder: OrgId,
        source: Option<OrgId>,
        requested_by: Option<UserId>,
        quantity: u64,
        now: DateTime<Utc>,
    ) -> Order {
        Order {
            id: OrderId::new(),
            number,
            tenant,
            product,
            purchase_order: None,
            holder,
            source,
            requested_by,
            requested_at: now,
            requested_quantity: quantity,
            requester_comments: None,
            approved_by: None,
            approved_at: None,
            approved_quantity: 0,
            approval_comments: None,
            status: OrderStatus::Requested,
            drawn: 0,
            issued: 0,
            available: 0,
            updated_at: now,
            metadata: OrderMetadata::default(),
            customer: None,
            bundle: None,
        }
    }

    /// Approves `quantity` units by `by` at `now`: the order becomes active with them available.
    pub(crate) fn approve(&mut self, quantity: u64, by: UserId, now: DateTime<Utc>) {
        self.approved_quantity = quantity;
        self.available = quantity;
        self.status = OrderStatus::Active;
        self.approved_by = Some(by);
        self.approved_at = Some(now);
        self.updated_at = now;
    }

    /// True when a draw may take units from this order.
    pub(crate) fn is_drawable(&self) -> bool {
        self.status == OrderStatus::DRAWABLE && self.available > 0
    }

    /// Puts the orders a draw takes from in draw order: first in, first out (the lowest order
    /// number first). The one place that decides it; stores return drawable orders unsorted.
    pub(crate) fn sort_for_drawing(orders: &mut [Order]) {
        orders.sort_by_key(|o| o.number);
    }

    /// Sets `active` or `depleted` from the available quantity (for orders that hold units).
    pub(crate) fn settle_status(&mut self) {
        if self.status.holds_units() {
            self.status = if self.available == 0 {
                OrderStatus::Depleted
            } else {
                OrderStatus::Active
            };
        }
    }
}

/// An order's metadata, editable by the holder's admins at any time (also after approval).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderMetadata {
    /// The order reference number.
    pub reference: Option<String>,
    /// Campaign parameters (key → value), e.g. `utm_source → newsletter`.
    pub campaign: BTreeMap<String, String>,
    /// The download id.
    pub download_id: Option<String>,
    /// A test order.
    pub is_test: bool,
    /// A trial order: its licenses are trials.
    pub is_trial: bool,
}

/// Changes to an order's metadata: `None` leaves a field as it is; `Some("")` clears a text
/// field; `campaign` replaces the whole map.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetadataEdit {
    /// New order reference.
    pub reference: Option<String>,
    /// New campaign parameters (replaces them all).
    pub campaign: Option<BTreeMap<String, String>>,
    /// New download id.
    pub download_id: Option<String>,
    /// New test flag.
    pub is_test: Option<bool>,
    /// New trial flag.
    pub is_trial: Option<bool>,
}

/// The end customer of an order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// The customer's own reference.
    pub reference: Option<String>,
}

/// A record that `order` drew `quantity` units from `source_order`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draw {
    /// The tenant.
    pub tenant: TenantId,
    /// The drawing (child) order.
    pub order: OrderId,
    /// The order the units came from.
    pub source_order: OrderId,
    /// Units drawn.
    pub quantity: u64,
    /// When.
    #[serde(serialize_with = "crate::time::serde_text::serialize")]
    pub at: DateTime<Utc>,
}

impl Draw {
    /// Puts draws in the order they were taken, oldest first (ties by the orders' ids). The one
    /// place that decides it; stores return draws unsorted.
    pub(crate) fn sort_oldest_first(draws: &mut [Draw]) {
        draws.sort_by_key(|d| (d.at, d.order, d.source_order));
    }
}

/// A request (pull) for units from the holder's parent organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRequest {
    /// The requesting organization (the actor must be one of its admins).
    pub holder: OrgId,
    /// The product asked for.
    pub product: ProductId,
    /// Units asked for.
    pub quantity: u64,
    /// Purchase order reference.
    pub purchase_order: Option<String>,
    /// Requester comments.
    pub comments: Option<String>,
}

/// Changes to a pending request; `None` leaves a field as it is, `Some("")` clears a text field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestEdit {
    /// New purchase order reference.
    pub purchase_order: Option<String>,
    /// New product.
    pub product: Option<ProductId>,
    /// New quantity.
    pub quantity: Option<u64>,
    /// New requester comments.
    pub comments: Option<String>,
}

/// An assignment (push) of units from an organization to one of its children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAssignment {
    /// The assigning organization (the actor must be one of its admins).
    pub from: OrgId,
    /// The receiving child organization.
    pub to: OrgId,
    /// The product.
    pub product: ProductId,
    /// Units to assign.
    pub quantity: u64,
    /// Purchase order reference.
    pub purchase_order: Option<String>,
    /// Comments.
    pub comments: Option<String>,
}

/// New stock minted by the vendor into an order it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMint {
    /// The product.
    pub product: ProductId,
    /// Units to mint.
    pub quantity: u64,
    /// Purchase order reference.
    pub purchase_order: Option<String>,
    /// Comments.
    pub comments: Option<String>,
}

/// The builder methods every new order has: a purchase order reference and comments.
macro_rules! purchase_order_and_comments {
    ($($new:ty),*) => {$(
        impl $new {
            /// With a purchase order reference.
            pub fn purchase_order(mut self, purchase_order: impl Into<String>) -> Self {
                self.purchase_order = Some(purchase_order.into());
                self
            }

            /// With comments.
            pub fn comments(mut self, comments: impl Into<String>) -> Self {
                self.comments = Some(comments.into());
                self
            }
        }
    )*};
}

purchase_order_and_comments!(NewRequest, NewAssignment, NewMint);

impl NewRequest {
    /// A request by `holder` for `quantity` units of `product`, without purchase order or
    /// comments (add them with [`NewRequest::purchase_order`] and [`NewRequest::comments`]).
    pub fn new(holder: OrgId, product: ProductId, quantity: u64) -> Self {
        NewRequest {
            holder,
            product,
            quantity,
            purchase_order: None,
            comments: None,
        }
    }
}

impl NewAssignment {
    /// An assignment of `quantity` units of `product` from `from` to its child `to`, without
    /// purchase order or comments.
    pub fn new(from: OrgId, to: OrgId, product: ProductId, quantity: u64) -> Self {
        NewAssignment {
            from,
            to,
            product,
            quantity,
            purchase_order: None,
            comments: None,
        }
    }
}

impl NewMint {
    /// `quantity` new units of `product`, without purchase order or comments.
    pub fn new(product: ProductId, quantity: u64) -> Self {
        NewMint {
            product,
            quantity,
            purchase_order: None,
            comments: None,
        }
    }
}
