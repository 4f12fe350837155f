//! Frozen value classes: newtypes over the core's records, whose getters convert each field
//! (ids to `str`, times to aware UTC `datetime`, enums to the `license_inventory` enums).

use chrono::{DateTime, Utc};
use license_inventory as core;
use pyo3::prelude::*;

use crate::convert::{self, enum_repr, repr, repr_opt};

/// A tenant: one license vendor's world.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Tenant(pub core::Tenant);

#[pymethods]
impl Tenant {
    /// The tenant's id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// Display name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    /// Pricing plan.
    #[getter]
    fn plan<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::plan(py, self.0.plan)
    }
    /// The id of the root (vendor) organization, created with the tenant.
    #[getter]
    fn vendor(&self) -> String {
        self.0.vendor.to_string()
    }
    /// Units ever minted by the vendor: the conservation total.
    #[getter]
    fn minted(&self) -> u64 {
        self.0.minted
    }
    /// The number the next order will get.
    #[getter]
    fn next_order_number(&self) -> u64 {
        self.0.next_order_number
    }
    /// When the tenant was created.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let t = &self.0;
        format!(
            "Tenant(id={}, name={}, plan={}, minted={}, next_order_number={})",
            repr(py, &t.id.to_string()),
            repr(py, &t.name),
            enum_repr("Plan", t.plan.as_str()),
            t.minted,
            t.next_order_number
        )
    }
}

/// A node of the channel tree.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Organization(pub core::Organization);

#[pymethods]
impl Organization {
    /// The organization's id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// The id of the tenant it belongs to.
    #[getter]
    fn tenant(&self) -> String {
        self.0.tenant.to_string()
    }
    /// Display name, e.g. "MGA Inc".
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    /// Its tier.
    #[getter]
    fn tier<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::tier(py, self.0.tier)
    }
    /// The id of its parent; `None` only for the vendor.
    #[getter]
    fn parent(&self) -> Option<String> {
        self.0.parent.map(|p| p.to_string())
    }
    /// False once deactivated.
    #[getter]
    fn active(&self) -> bool {
        self.0.active
    }
    /// When it was created.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let o = &self.0;
        format!(
            "Organization(id={}, name={}, tier={}, parent={}, active={})",
            repr(py, &o.id.to_string()),
            repr(py, &o.name),
            enum_repr("Tier", o.tier.as_str()),
            repr_opt(py, o.parent.map(|p| p.to_string()).as_deref()),
            if o.active { "True" } else { "False" }
        )
    }
}

/// A person, unique by email within the tenant.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct User(pub core::User);

#[pymethods]
impl User {
    /// The user's id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// The id of the tenant it belongs to.
    #[getter]
    fn tenant(&self) -> String {
        self.0.tenant.to_string()
    }
    /// Full name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    /// Email, lower-case.
    #[getter]
    fn email(&self) -> &str {
        &self.0.email
    }
    /// When the user was created.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let u = &self.0;
        format!(
            "User(id={}, name={}, email={})",
            repr(py, &u.id.to_string()),
            repr(py, &u.name),
            repr(py, &u.email)
        )
    }
}

/// An inventory type, e.g. "Center License".
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Product(pub core::Product);

#[pymethods]
impl Product {
    /// The product's id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// The id of the tenant it belongs to.
    #[getter]
    fn tenant(&self) -> String {
        self.0.tenant.to_string()
    }
    /// Short code, unique within the tenant.
    #[getter]
    fn code(&self) -> &str {
        &self.0.code
    }
    /// Display name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    /// Delivery kind.
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::product_kind(py, self.0.kind)
    }
    /// When it was defined.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let p = &self.0;
        format!(
            "Product(id={}, code={}, name={}, kind={})",
            repr(py, &p.id.to_string()),
            repr(py, &p.code),
            repr(py, &p.name),
            enum_repr("ProductKind", p.kind.as_str())
        )
    }
}

/// An inventory lot of one product held by one organization.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Order(pub core::Order);

#[pymethods]
impl Order {
    /// The order's id (UUID v7).
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// The human order number, per tenant.
    #[getter]
    fn number(&self) -> u64 {
        self.0.number.get()
    }
    /// The id of the tenant.
    #[getter]
    fn tenant(&self) -> String {
        self.0.tenant.to_string()
    }
    /// The id of the product.
    #[getter]
    fn product(&self) -> String {
        self.0.product.to_string()
    }
    /// Purchase order reference.
    #[getter]
    fn purchase_order(&self) -> Option<&str> {
        self.0.purchase_order.as_deref()
    }
    /// The id of the holder ("Requested By" / "Assigned To").
    #[getter]
    fn holder(&self) -> String {
        self.0.holder.to_string()
    }
    /// The id of the source ("Requested To" / "Assigned By"); `None` for minted stock.
    #[getter]
    fn source(&self) -> Option<String> {
        self.0.source.map(|s| s.to_string())
    }
    /// The id of the requesting user; `None` when assigned or minted.
    #[getter]
    fn requested_by(&self) -> Option<String> {
        self.0.requested_by.map(|u| u.to_string())
    }
    /// When it was requested (or assigned, or minted).
    #[getter]
    fn requested_at(&self) -> DateTime<Utc> {
        self.0.requested_at
    }
    /// Units asked for.
    #[getter]
    fn requested_quantity(&self) -> u64 {
        self.0.requested_quantity
    }
    /// The requester's comments.
    #[getter]
    fn requester_comments(&self) -> Option<&str> {
        self.0.requester_comments.as_deref()
    }
    /// The id of the user who approved (or rejected, or assigned) it.
    #[getter]
    fn approved_by(&self) -> Option<String> {
        self.0.approved_by.map(|u| u.to_string())
    }
    /// When it was approved (or rejected).
    #[getter]
    fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    /// Units approved (0 until approved).
    #[getter]
    fn approved_quantity(&self) -> u64 {
        self.0.approved_quantity
    }
    /// The approver's comments.
    #[getter]
    fn approval_comments(&self) -> Option<&str> {
        self.0.approval_comments.as_deref()
    }
    /// Current status.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::order_status(py, self.0.status)
    }
    /// Units drawn from this order by child orders.
    #[getter]
    fn drawn(&self) -> u64 {
        self.0.drawn
    }
    /// Units issued as licenses or codes.
    #[getter]
    fn issued(&self) -> u64 {
        self.0.issued
    }
    /// Units available to draw or issue.
    #[getter]
    fn available(&self) -> u64 {
        self.0.available
    }
    /// When it last changed.
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let o = &self.0;
        format!(
            "Order(number={}, status={}, purchase_order={}, requested_quantity={}, \
             approved_quantity={}, drawn={}, issued={}, available={}, id={})",
            o.number,
            enum_repr("OrderStatus", o.status.as_str()),
            repr_opt(py, o.purchase_order.as_deref()),
            o.requested_quantity,
            o.approved_quantity,
            o.drawn,
            o.issued,
            o.available,
            repr(py, &o.id.to_string())
        )
    }
}

/// An order with the names a person reads next to it.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct OrderDetails(pub core::OrderDetails);

#[pymethods]
impl OrderDetails {
    /// The order.
    #[getter]
    fn order(&self) -> Order {
        Order(self.0.order.clone())
    }
    /// The product's name ("Center License").
    #[getter]
    fn product_name(&self) -> &str {
        &self.0.product_name
    }
    /// The product's kind.
    #[getter]
    fn product_kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::product_kind(py, self.0.product_kind)
    }
    /// The holder's name ("MGA Inc").
    #[getter]
    fn holder_name(&self) -> &str {
        &self.0.holder_name
    }
    /// The source's name ("Ellen Emporium"), if any.
    #[getter]
    fn source_name(&self) -> Option<&str> {
        self.0.source_name.as_deref()
    }
    /// The requesting user's name, if it was requested by a user.
    #[getter]
    fn requested_by_name(&self) -> Option<&str> {
        self.0.requested_by_name.as_deref()
    }
    /// The approving user's name, if approved.
    #[getter]
    fn approved_by_name(&self) -> Option<&str> {
        self.0.approved_by_name.as_deref()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let d = &self.0;
        format!(
            "OrderDetails(number={}, product_name={}, status={}, holder_name={}, source_name={}, \
             requested_by_name={}, approved_by_name={}, available={})",
            d.order.number,
            repr(py, &d.product_name),
            enum_repr("OrderStatus", d.order.status.as_str()),
            repr(py, &d.holder_name),
            repr_opt(py, d.source_name.as_deref()),
            repr_opt(py, d.requested_by_name.as_deref()),
            repr_opt(py, d.approved_by_name.as_deref()),
            d.order.available
        )
    }
}

/// One page of an inventory list, newest first.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Page(pub core::Page<core::OrderDetails>);

#[pymethods]
impl Page {
    /// The orders of this page.
    #[getter]
    fn items(&self) -> Vec<OrderDetails> {
        self.0.items.iter().cloned().map(OrderDetails).collect()
    }
    /// The cursor of the next page (pass it back to `Session.list`); `None` on the last page.
    #[getter]
    fn next(&self) -> Option<String> {
        self.0.next.map(|c| c.to_string())
    }
    fn __len__(&self) -> usize {
        self.0.items.len()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let numbers: Vec<String> = self
            .0
            .items
            .iter()
            .map(|d| d.order.number.to_string())
            .collect();
        format!(
            "Page(numbers=[{}], next={})",
            numbers.join(", "),
            repr_opt(py, self.0.next.map(|c| c.to_string()).as_deref())
        )
    }
}

/// One line of an organization's summary: one product.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct SummaryLine(pub core::SummaryLine);

#[pymethods]
impl SummaryLine {
    /// The id of the product.
    #[getter]
    fn product(&self) -> String {
        self.0.product.to_string()
    }
    /// Its name.
    #[getter]
    fn product_name(&self) -> &str {
        &self.0.product_name
    }
    /// Its kind.
    #[getter]
    fn product_kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::product_kind(py, self.0.product_kind)
    }
    /// Units approved into the org's active and depleted orders.
    #[getter]
    fn held(&self) -> u64 {
        self.0.held
    }
    /// Units available now.
    #[getter]
    fn available(&self) -> u64 {
        self.0.available
    }
    /// The org's own requests still pending.
    #[getter]
    fn pending_requests(&self) -> u64 {
        self.0.pending_requests
    }
    /// Units asked for by those requests.
    #[getter]
    fn pending_units(&self) -> u64 {
        self.0.pending_units
    }
    /// Requests addressed to the org awaiting its approval.
    #[getter]
    fn incoming_requests(&self) -> u64 {
        self.0.incoming_requests
    }
    /// Units asked for by those.
    #[getter]
    fn incoming_units(&self) -> u64 {
        self.0.incoming_units
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let s = &self.0;
        format!(
            "SummaryLine(product_name={}, held={}, available={}, pending_requests={}, \
             pending_units={}, incoming_requests={}, incoming_units={})",
            repr(py, &s.product_name),
            s.held,
            s.available,
            s.pending_requests,
            s.pending_units,
            s.incoming_requests,
            s.incoming_units
        )
    }
}

/// One outgoing draw of an order, as "Detail of Inventory Use" lists it.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct UseLine(pub core::UseLine);

#[pymethods]
impl UseLine {
    /// The id of the child order that drew the units.
    #[getter]
    fn order(&self) -> String {
        self.0.order.to_string()
    }
    /// Its number.
    #[getter]
    fn order_number(&self) -> u64 {
        self.0.order_number.get()
    }
    /// Its purchase order.
    #[getter]
    fn purchase_order(&self) -> Option<&str> {
        self.0.purchase_order.as_deref()
    }
    /// Units drawn.
    #[getter]
    fn quantity(&self) -> u64 {
        self.0.quantity
    }
    /// When ("Date of Assignment").
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// The child order's holder ("Requested By").
    #[getter]
    fn requested_by_org(&self) -> &str {
        &self.0.requested_by_org
    }
    /// The requesting user's name, if it was a request.
    #[getter]
    fn requested_by_user(&self) -> Option<&str> {
        self.0.requested_by_user.as_deref()
    }
    /// The organization that approved or assigned ("Approved By").
    #[getter]
    fn approved_by_org(&self) -> &str {
        &self.0.approved_by_org
    }
    /// The approving user's name.
    #[getter]
    fn approved_by_user(&self) -> Option<&str> {
        self.0.approved_by_user.as_deref()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let u = &self.0;
        format!(
            "UseLine(order_number={}, purchase_order={}, quantity={}, at={}, \
             requested_by_org={}, approved_by_org={}, approved_by_user={})",
            u.order_number,
            repr_opt(py, u.purchase_order.as_deref()),
            u.quantity,
            repr(py, &u.at.to_rfc3339()),
            repr(py, &u.requested_by_org),
            repr(py, &u.approved_by_org),
            repr_opt(py, u.approved_by_user.as_deref())
        )
    }
}

/// "Detail of Inventory Use" of an order: the order and its outgoing draws.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct InventoryUse(pub core::InventoryUse);

#[pymethods]
impl InventoryUse {
    /// The order itself.
    #[getter]
    fn order(&self) -> OrderDetails {
        OrderDetails(self.0.order.clone())
    }
    /// Its outgoing draws, oldest first.
    #[getter]
    fn draws(&self) -> Vec<UseLine> {
        self.0.draws.iter().cloned().map(UseLine).collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "InventoryUse(order_number={}, draws={})",
            self.0.order.order.number,
            self.0.draws.len()
        )
    }
}

/// The change one ledger entry made to one order's quantities (signed deltas).
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Movement(pub core::Movement);

#[pymethods]
impl Movement {
    /// The id of the order whose quantities changed.
    #[getter]
    fn order(&self) -> String {
        self.0.order.to_string()
    }
    /// The id of its holder.
    #[getter]
    fn org(&self) -> String {
        self.0.org.to_string()
    }
    /// The id of its product.
    #[getter]
    fn product(&self) -> String {
        self.0.product.to_string()
    }
    /// Change of the approved quantity.
    #[getter]
    fn approved(&self) -> i64 {
        self.0.approved
    }
    /// Change of the units drawn by children.
    #[getter]
    fn drawn(&self) -> i64 {
        self.0.drawn
    }
    /// Change of the units issued.
    #[getter]
    fn issued(&self) -> i64 {
        self.0.issued
    }
    /// Change of the available units.
    #[getter]
    fn available(&self) -> i64 {
        self.0.available
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let m = &self.0;
        format!(
            "Movement(order={}, approved={}, drawn={}, issued={}, available={})",
            repr(py, &m.order.to_string()),
            m.approved,
            m.drawn,
            m.issued,
            m.available
        )
    }
}

/// One immutable, hash-chained ledger entry.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct LedgerEntry(pub core::LedgerEntry);

#[pymethods]
impl LedgerEntry {
    /// The id of the tenant.
    #[getter]
    fn tenant(&self) -> String {
        self.0.tenant.to_string()
    }
    /// Sequence number within the tenant, from 1, without gaps.
    #[getter]
    fn seq(&self) -> u64 {
        self.0.seq
    }
    /// When.
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// The id of the acting user; `None` for host-level provisioning.
    #[getter]
    fn actor(&self) -> Option<String> {
        self.0.actor.map(|a| a.to_string())
    }
    /// What kind of change.
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::ledger_kind(py, self.0.kind)
    }
    /// The id of the order concerned, if any.
    #[getter]
    fn order(&self) -> Option<String> {
        self.0.order.map(|o| o.to_string())
    }
    /// The id of the organization concerned, if any.
    #[getter]
    fn org(&self) -> Option<String> {
        self.0.org.map(|o| o.to_string())
    }
    /// Units minted by this entry.
    #[getter]
    fn minted(&self) -> u64 {
        self.0.minted
    }
    /// The quantity changes.
    #[getter]
    fn movements(&self) -> Vec<Movement> {
        self.0.movements.iter().cloned().map(Movement).collect()
    }
    /// Hash of the previous entry (64 zeros for the first).
    #[getter]
    fn prev_hash(&self) -> &str {
        &self.0.prev_hash
    }
    /// SHA-256 of this entry's content and `prev_hash`, hex.
    #[getter]
    fn hash(&self) -> &str {
        &self.0.hash
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let e = &self.0;
        format!(
            "LedgerEntry(seq={}, kind={}, at={}, actor={}, minted={}, movements={})",
            e.seq,
            enum_repr("LedgerKind", e.kind.as_str()),
            repr(py, &e.at.to_rfc3339()),
            repr_opt(py, e.actor.map(|a| a.to_string()).as_deref()),
            e.minted,
            e.movements.len()
        )
    }
}

/// The result of `Inventory.audit`: conservation and ledger checks over a whole tenant.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Audit(pub core::Audit);

#[pymethods]
impl Audit {
    /// Orders examined.
    #[getter]
    fn orders(&self) -> usize {
        self.0.orders
    }
    /// Ledger entries examined.
    #[getter]
    fn ledger_entries(&self) -> u64 {
        self.0.ledger_entries
    }
    /// Units the tenant ever minted.
    #[getter]
    fn minted(&self) -> u64 {
        self.0.minted
    }
    /// Sum of available units over all orders.
    #[getter]
    fn available(&self) -> u64 {
        self.0.available
    }
    /// Sum of issued units over all orders.
    #[getter]
    fn issued(&self) -> u64 {
        self.0.issued
    }
    /// Every discrepancy found; empty when all holds.
    #[getter]
    fn problems(&self) -> Vec<String> {
        self.0.problems.clone()
    }
    /// True when no problem was found.
    #[getter]
    fn is_clean(&self) -> bool {
        self.0.is_clean()
    }
    fn __repr__(&self) -> String {
        let a = &self.0;
        format!(
            "Audit(orders={}, ledger_entries={}, minted={}, available={}, issued={}, problems={})",
            a.orders,
            a.ledger_entries,
            a.minted,
            a.available,
            a.issued,
            a.problems.len()
        )
    }
}
