//! Frozen value classes: newtypes over the core's records, whose getters convert each field
//! (ids to `str`, times to aware UTC `datetime`, enums to the `license_inventory` enums).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use license_inventory as core;
use pyo3::prelude::*;

use crate::convert::{self, enum_repr, parse, repr, repr_opt, whole, whole_u32};

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
    /// Units gone for good: issued in deleted orders, or deleted unconsumed at the vendor.
    /// Conservation: `minted - retired = Σ available + Σ issued`.
    #[getter]
    fn retired(&self) -> u64 {
        self.0.retired
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
            "Tenant(id={}, name={}, plan={}, minted={}, retired={}, next_order_number={})",
            repr(py, &t.id.to_string()),
            repr(py, &t.name),
            enum_repr("Plan", t.plan.as_str()),
            t.minted,
            t.retired,
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
    /// The policy of the licenses issued for it (copied onto each license at issue).
    #[getter]
    fn policy(&self) -> LicensePolicy {
        LicensePolicy(self.0.policy)
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
    /// Its metadata: reference, campaign, download id, test and trial flags.
    #[getter]
    fn metadata(&self) -> OrderMetadata {
        OrderMetadata(self.0.metadata.clone())
    }
    /// The end customer, if recorded.
    #[getter]
    fn customer(&self) -> Option<Customer> {
        self.0.customer.clone().map(Customer)
    }
    /// The id shared by the orders of one bundle order, if it is a line of one.
    #[getter]
    fn bundle(&self) -> Option<String> {
        self.0.bundle.map(|b| b.to_string())
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
    /// Units retired by this entry (an order deletion, or a return of units minted by a
    /// vendor-tier approval).
    #[getter]
    fn retired(&self) -> u64 {
        self.0.retired
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
    /// Units retired (issued in deleted orders, or unconsumed and minted at the vendor).
    #[getter]
    fn retired(&self) -> u64 {
        self.0.retired
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
            "Audit(orders={}, ledger_entries={}, minted={}, retired={}, available={}, issued={}, \
             problems={})",
            a.orders,
            a.ledger_entries,
            a.minted,
            a.retired,
            a.available,
            a.issued,
            a.problems.len()
        )
    }
}

// --- the order detail: policies, licenses, license users and managers, customers, bundles ------

/// How long a license is valid: perpetual, or N days from its first activation or from issue.
/// Built with `Validity.perpetual()`, `Validity.days_from_activation(n)` or
/// `Validity.days_from_issue(n)`.
#[pyclass(frozen, eq, hash, from_py_object, module = "license_inventory._native")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Validity(pub core::Validity);

#[pymethods]
impl Validity {
    /// Never expires.
    #[staticmethod]
    fn perpetual() -> Self {
        Validity(core::Validity::Perpetual)
    }
    /// Valid for `days` days from the license's first activation.
    #[staticmethod]
    fn days_from_activation(py: Python<'_>, days: &Bound<'_, PyAny>) -> PyResult<Self> {
        whole_u32(py, "validity", days).map(|d| Validity(core::Validity::DaysFromActivation(d)))
    }
    /// Valid for `days` days from the license's issue.
    #[staticmethod]
    fn days_from_issue(py: Python<'_>, days: &Bound<'_, PyAny>) -> PyResult<Self> {
        whole_u32(py, "validity", days).map(|d| Validity(core::Validity::DaysFromIssue(d)))
    }
    /// Which kind of validity.
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::validity_kind(py, self.kind_str())
    }
    /// The number of days; `None` when perpetual.
    #[getter]
    fn days(&self) -> Option<u32> {
        match self.0 {
            core::Validity::Perpetual => None,
            core::Validity::DaysFromActivation(d) | core::Validity::DaysFromIssue(d) => Some(d),
        }
    }
    fn __repr__(&self) -> String {
        match self.days() {
            None => format!("Validity.{}()", self.kind_str()),
            Some(d) => format!("Validity.{}({d})", self.kind_str()),
        }
    }
}

impl Validity {
    fn kind_str(&self) -> &'static str {
        match self.0 {
            core::Validity::Perpetual => "perpetual",
            core::Validity::DaysFromActivation(_) => "days_from_activation",
            core::Validity::DaysFromIssue(_) => "days_from_issue",
        }
    }
}

/// Floating use: at most `max_borrows` open borrows at once, each of at most
/// `max_borrow_seconds`.
#[pyclass(frozen, eq, hash, from_py_object, module = "license_inventory._native")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Floating(pub core::Floating);

#[pymethods]
impl Floating {
    #[new]
    fn new(
        py: Python<'_>,
        max_borrows: &Bound<'_, PyAny>,
        max_borrow_seconds: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        Ok(Floating(core::Floating {
            max_borrows: whole_u32(py, "max borrows", max_borrows)?,
            max_borrow_seconds: whole_u32(py, "max borrow seconds", max_borrow_seconds)?,
        }))
    }
    /// How many borrows may be open at once.
    #[getter]
    fn max_borrows(&self) -> u32 {
        self.0.max_borrows
    }
    /// The longest one borrow may last, in seconds.
    #[getter]
    fn max_borrow_seconds(&self) -> u32 {
        self.0.max_borrow_seconds
    }
    fn __repr__(&self) -> String {
        format!(
            "Floating(max_borrows={}, max_borrow_seconds={})",
            self.0.max_borrows, self.0.max_borrow_seconds
        )
    }
}

/// A product's license policy, copied onto each license when it is issued. An argument left
/// `None` takes the core's default (perpetual, one device, not floating, not a trial).
#[pyclass(frozen, eq, hash, from_py_object, module = "license_inventory._native")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LicensePolicy(pub core::LicensePolicy);

#[pymethods]
impl LicensePolicy {
    #[new]
    #[pyo3(signature = (*, max_activations=None, validity=None, floating=None, trial=None))]
    fn new(
        py: Python<'_>,
        max_activations: Option<&Bound<'_, PyAny>>,
        validity: Option<Validity>,
        floating: Option<Floating>,
        trial: Option<bool>,
    ) -> PyResult<Self> {
        let mut policy = core::LicensePolicy::default();
        if let Some(n) = max_activations {
            policy.max_activations = whole_u32(py, "max activations", n)?;
        }
        if let Some(v) = validity {
            policy.validity = v.0;
        }
        if let Some(f) = floating {
            policy.floating = Some(f.0);
        }
        if let Some(t) = trial {
            policy.trial = t;
        }
        Ok(LicensePolicy(policy))
    }
    /// How long a license is valid.
    #[getter]
    fn validity(&self) -> Validity {
        Validity(self.0.validity)
    }
    /// Devices one license may be activated on.
    #[getter]
    fn max_activations(&self) -> u32 {
        self.0.max_activations
    }
    /// Floating use, if the product allows it.
    #[getter]
    fn floating(&self) -> Option<Floating> {
        self.0.floating.map(Floating)
    }
    /// Licenses of this product are trials.
    #[getter]
    fn trial(&self) -> bool {
        self.0.trial
    }
    fn __repr__(&self) -> String {
        let p = &self.0;
        format!(
            "LicensePolicy(max_activations={}, validity={}, floating={}, trial={})",
            p.max_activations,
            Validity(p.validity).__repr__(),
            p.floating
                .map_or_else(|| "None".to_owned(), |f| Floating(f).__repr__()),
            py_bool(p.trial)
        )
    }
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// The end customer of an order.
#[pyclass(frozen, eq, from_py_object, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Customer(pub core::Customer);

#[pymethods]
impl Customer {
    #[new]
    #[pyo3(signature = (name, *, email=None, company=None, phone=None, reference=None))]
    fn new(
        name: String,
        email: Option<String>,
        company: Option<String>,
        phone: Option<String>,
        reference: Option<String>,
    ) -> Self {
        Customer(core::Customer {
            name,
            email,
            company,
            phone,
            reference,
        })
    }
    /// Name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    /// Email.
    #[getter]
    fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Company.
    #[getter]
    fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }
    /// Phone.
    #[getter]
    fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// The customer's own reference.
    #[getter]
    fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let c = &self.0;
        format!(
            "Customer(name={}, email={}, company={}, phone={}, reference={})",
            repr(py, &c.name),
            repr_opt(py, c.email.as_deref()),
            repr_opt(py, c.company.as_deref()),
            repr_opt(py, c.phone.as_deref()),
            repr_opt(py, c.reference.as_deref())
        )
    }
}

/// An order's metadata: reference, campaign parameters, download id, test and trial flags.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct OrderMetadata(pub core::OrderMetadata);

#[pymethods]
impl OrderMetadata {
    /// The order reference number.
    #[getter]
    fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    /// Campaign parameters (key → value), e.g. `{"utm_source": "newsletter"}`; a new `dict`
    /// on each access.
    #[getter]
    fn campaign(&self) -> BTreeMap<String, String> {
        self.0.campaign.clone()
    }
    /// The download id.
    #[getter]
    fn download_id(&self) -> Option<&str> {
        self.0.download_id.as_deref()
    }
    /// A test order.
    #[getter]
    fn is_test(&self) -> bool {
        self.0.is_test
    }
    /// A trial order: its licenses are trials.
    #[getter]
    fn is_trial(&self) -> bool {
        self.0.is_trial
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let m = &self.0;
        let campaign: Vec<String> = m
            .campaign
            .iter()
            .map(|(k, v)| format!("{}: {}", repr(py, k), repr(py, v)))
            .collect();
        format!(
            "OrderMetadata(reference={}, campaign={{{}}}, download_id={}, is_test={}, is_trial={})",
            repr_opt(py, m.reference.as_deref()),
            campaign.join(", "),
            repr_opt(py, m.download_id.as_deref()),
            py_bool(m.is_test),
            py_bool(m.is_trial)
        )
    }
}

/// One line of a bundle: a product and how many units of it.
#[pyclass(frozen, eq, from_py_object, module = "license_inventory._native")]
#[derive(Clone, Copy, PartialEq)]
pub struct BundleLine(pub core::BundleLine);

#[pymethods]
impl BundleLine {
    #[new]
    fn new(py: Python<'_>, product: &str, quantity: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(BundleLine(core::BundleLine {
            product: parse(py, product)?,
            quantity: whole(py, "quantity", quantity)?,
        }))
    }
    /// The id of the product.
    #[getter]
    fn product(&self) -> String {
        self.0.product.to_string()
    }
    /// Units of it.
    #[getter]
    fn quantity(&self) -> u64 {
        self.0.quantity
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "BundleLine(product={}, quantity={})",
            repr(py, &self.0.product.to_string()),
            self.0.quantity
        )
    }
}

/// A named set of (product, quantity) lines; a bundle order creates one request per line.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Bundle(pub core::Bundle);

#[pymethods]
impl Bundle {
    /// The bundle's id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// The id of the tenant.
    #[getter]
    fn tenant(&self) -> String {
        self.0.tenant.to_string()
    }
    /// Display name ("Classroom pack").
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    /// Its lines.
    #[getter]
    fn lines(&self) -> Vec<BundleLine> {
        self.0.lines.iter().copied().map(BundleLine).collect()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Bundle(id={}, name={}, lines={})",
            repr(py, &self.0.id.to_string()),
            repr(py, &self.0.name),
            self.0.lines.len()
        )
    }
}

/// A device a license is activated on (or who redeemed an activation code).
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Activation(pub core::Activation);

#[pymethods]
impl Activation {
    /// The device's fingerprint (opaque, chosen by the application).
    #[getter]
    fn fingerprint(&self) -> &str {
        &self.0.fingerprint
    }
    /// A name a person recognises ("Front desk PC").
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    /// When.
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Activation(fingerprint={}, name={}, at={})",
            repr(py, &self.0.fingerprint),
            repr(py, &self.0.name),
            repr(py, &self.0.at.to_rfc3339())
        )
    }
}

/// An open borrow of a floating license.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Borrow(pub core::Borrow);

#[pymethods]
impl Borrow {
    /// Who or what borrowed it (a device fingerprint or a user).
    #[getter]
    fn borrower(&self) -> &str {
        &self.0.borrower
    }
    /// When.
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// When it ends by itself.
    #[getter]
    fn until(&self) -> DateTime<Utc> {
        self.0.until
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Borrow(borrower={}, at={}, until={})",
            repr(py, &self.0.borrower),
            repr(py, &self.0.at.to_rfc3339()),
            repr(py, &self.0.until.to_rfc3339())
        )
    }
}

/// A license, or an activation code, issued from an order.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct License(pub core::License);

#[pymethods]
impl License {
    /// The license's id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// The id of the tenant.
    #[getter]
    fn tenant(&self) -> String {
        self.0.tenant.to_string()
    }
    /// The id of the order it was issued from.
    #[getter]
    fn order(&self) -> String {
        self.0.order.to_string()
    }
    /// The id of the product.
    #[getter]
    fn product(&self) -> String {
        self.0.product.to_string()
    }
    /// Its key (or code), `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`, unique within the tenant.
    #[getter]
    fn key(&self) -> &str {
        self.0.key.as_str()
    }
    /// True for an activation code (single use), false for a license.
    #[getter]
    fn is_code(&self) -> bool {
        self.0.is_code
    }
    /// Its state.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::license_status(py, self.0.status)
    }
    /// The id of the license user it belongs to, if any.
    #[getter]
    fn license_user(&self) -> Option<String> {
        self.0.license_user.map(|u| u.to_string())
    }
    /// Devices it is activated on.
    #[getter]
    fn activations(&self) -> Vec<Activation> {
        self.0.activations.iter().cloned().map(Activation).collect()
    }
    /// Open floating borrows.
    #[getter]
    fn borrows(&self) -> Vec<Borrow> {
        self.0.borrows.iter().cloned().map(Borrow).collect()
    }
    /// The policy copied from the product at issue.
    #[getter]
    fn policy(&self) -> LicensePolicy {
        LicensePolicy(self.0.policy)
    }
    /// A trial (from the product's policy or the order's trial flag).
    #[getter]
    fn trial(&self) -> bool {
        self.0.trial
    }
    /// When it was issued.
    #[getter]
    fn issued_at(&self) -> DateTime<Utc> {
        self.0.issued_at
    }
    /// When it was first activated or redeemed.
    #[getter]
    fn activated_at(&self) -> Option<DateTime<Utc>> {
        self.0.activated_at
    }
    /// When it expires, once known.
    #[getter]
    fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// True while nothing has used it: no activation, never redeemed, no borrow.
    #[getter]
    fn is_unused(&self) -> bool {
        self.0.is_unused()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let l = &self.0;
        format!(
            "License(key={}, status={}, is_code={}, activations={}, borrows={}, id={})",
            repr(py, l.key.as_str()),
            enum_repr("LicenseStatus", l.status.as_str()),
            py_bool(l.is_code),
            l.activations.len(),
            l.borrows.len(),
            repr(py, &l.id.to_string())
        )
    }
}

/// An end user of the licenses of one order.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct LicenseUser(pub core::LicenseUser);

#[pymethods]
impl LicenseUser {
    /// The license user's id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// The id of the tenant.
    #[getter]
    fn tenant(&self) -> String {
        self.0.tenant.to_string()
    }
    /// The id of the order whose licenses they use.
    #[getter]
    fn order(&self) -> String {
        self.0.order.to_string()
    }
    /// Email, lower-case, unique within the order.
    #[getter]
    fn email(&self) -> &str {
        &self.0.email
    }
    /// Name.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// True when a password is set (it is kept only as an Argon2id hash, which never leaves
    /// the library).
    #[getter]
    fn has_password(&self) -> bool {
        self.0.has_password
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let u = &self.0;
        format!(
            "LicenseUser(email={}, name={}, has_password={}, id={})",
            repr(py, &u.email),
            repr_opt(py, u.name.as_deref()),
            py_bool(u.has_password),
            repr(py, &u.id.to_string())
        )
    }
}

/// A user's permissions over one order.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct LicenseManager(pub core::LicenseManager);

#[pymethods]
impl LicenseManager {
    /// The id of the tenant.
    #[getter]
    fn tenant(&self) -> String {
        self.0.tenant.to_string()
    }
    /// The id of the order managed.
    #[getter]
    fn order(&self) -> String {
        self.0.order.to_string()
    }
    /// The id of the manager (a user).
    #[getter]
    fn user(&self) -> String {
        self.0.user.to_string()
    }
    /// What they may do, in the vendor platform's order.
    #[getter]
    fn permissions<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        self.0
            .permissions
            .iter()
            .map(|p| convert::permission(py, *p))
            .collect()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let permissions: Vec<String> = self
            .0
            .permissions
            .iter()
            .map(|p| enum_repr("Permission", p.as_str()))
            .collect();
        format!(
            "LicenseManager(user={}, order={}, permissions=[{}])",
            repr(py, &self.0.user.to_string()),
            repr(py, &self.0.order.to_string()),
            permissions.join(", ")
        )
    }
}

/// The order a notification is about, as it was when the notification was written.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct OrderDigest(pub core::OrderDigest);

#[pymethods]
impl OrderDigest {
    /// The order's number.
    #[getter]
    fn number(&self) -> u64 {
        self.0.number.get()
    }
    /// The product's name.
    #[getter]
    fn product_name(&self) -> &str {
        &self.0.product_name
    }
    /// Units requested.
    #[getter]
    fn requested_quantity(&self) -> u64 {
        self.0.requested_quantity
    }
    /// Units approved (0 until approved).
    #[getter]
    fn approved_quantity(&self) -> u64 {
        self.0.approved_quantity
    }
    /// The purchase order reference.
    #[getter]
    fn purchase_order(&self) -> Option<&str> {
        self.0.purchase_order.as_deref()
    }
    /// The organization holding (or requesting) the order.
    #[getter]
    fn holder_name(&self) -> &str {
        &self.0.holder_name
    }
    /// The organization it is requested from, if any.
    #[getter]
    fn source_name(&self) -> Option<&str> {
        self.0.source_name.as_deref()
    }
    /// The requester's comments.
    #[getter]
    fn requester_comments(&self) -> Option<&str> {
        self.0.requester_comments.as_deref()
    }
    /// The approver's (or rejecter's) comments.
    #[getter]
    fn approval_comments(&self) -> Option<&str> {
        self.0.approval_comments.as_deref()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let d = &self.0;
        format!(
            "OrderDigest(number={}, product_name={}, requested_quantity={}, approved_quantity={})",
            d.number,
            repr(py, &d.product_name),
            d.requested_quantity,
            d.approved_quantity
        )
    }
}

/// One message to one person in the outbox, waiting for the host application to send it.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Notification(pub core::Notification);

#[pymethods]
impl Notification {
    /// Its id (what `Inventory.mark_notifications_sent` takes).
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// The id of the tenant.
    #[getter]
    fn tenant(&self) -> String {
        self.0.tenant.to_string()
    }
    /// The ledger entry of the change that caused it.
    #[getter]
    fn seq(&self) -> u64 {
        self.0.seq
    }
    /// What it is about.
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::notification_kind(py, self.0.kind)
    }
    /// The id of the user it is for.
    #[getter]
    fn recipient(&self) -> String {
        self.0.recipient.to_string()
    }
    /// The recipient's email when it was written.
    #[getter]
    fn email(&self) -> &str {
        &self.0.email
    }
    /// The recipient's name when it was written.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    /// The id of the order it is about.
    #[getter]
    fn order(&self) -> String {
        self.0.order.to_string()
    }
    /// The order's figures when it was written.
    #[getter]
    fn digest(&self) -> OrderDigest {
        OrderDigest(self.0.digest.clone())
    }
    /// For a manager invitation, the permissions granted; else empty.
    #[getter]
    fn permissions<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        self.0
            .permissions
            .iter()
            .map(|p| convert::permission(py, *p))
            .collect()
    }
    /// A one-line subject for the message.
    #[getter]
    fn subject(&self) -> String {
        self.0.subject()
    }
    /// When it was written.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was marked sent; `None` while pending.
    #[getter]
    fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Notification(kind={}, email={}, subject={}, id={})",
            enum_repr("NotificationKind", self.0.kind.as_str()),
            repr(py, &self.0.email),
            repr(py, &self.0.subject()),
            repr(py, &self.0.id.to_string())
        )
    }
}

/// An order's quantities at one moment, rebuilt from the ledger.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct OrderFigures(pub core::OrderFigures);

#[pymethods]
impl OrderFigures {
    /// The id of the order.
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
    /// Units approved into it.
    #[getter]
    fn approved(&self) -> u64 {
        self.0.approved
    }
    /// Units children drew from it.
    #[getter]
    fn drawn(&self) -> u64 {
        self.0.drawn
    }
    /// Units issued as licenses or codes.
    #[getter]
    fn issued(&self) -> u64 {
        self.0.issued
    }
    /// Units available.
    #[getter]
    fn available(&self) -> u64 {
        self.0.available
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let f = &self.0;
        format!(
            "OrderFigures(order={}, approved={}, drawn={}, issued={}, available={})",
            repr(py, &f.order.to_string()),
            f.approved,
            f.drawn,
            f.issued,
            f.available
        )
    }
}

/// What an organization held of one product at one moment: the sum over its orders.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Holding(pub core::Holding);

#[pymethods]
impl Holding {
    /// The id of the product.
    #[getter]
    fn product(&self) -> String {
        self.0.product.to_string()
    }
    /// How many of the organization's orders of this product held units.
    #[getter]
    fn orders(&self) -> u64 {
        self.0.orders
    }
    /// Units approved into them.
    #[getter]
    fn approved(&self) -> u64 {
        self.0.approved
    }
    /// Units children drew from them.
    #[getter]
    fn drawn(&self) -> u64 {
        self.0.drawn
    }
    /// Units issued from them.
    #[getter]
    fn issued(&self) -> u64 {
        self.0.issued
    }
    /// Units available in them.
    #[getter]
    fn available(&self) -> u64 {
        self.0.available
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let h = &self.0;
        format!(
            "Holding(product={}, orders={}, approved={}, drawn={}, issued={}, available={})",
            repr(py, &h.product.to_string()),
            h.orders,
            h.approved,
            h.drawn,
            h.issued,
            h.available
        )
    }
}

/// One command of `Session.batch`, made with its constructor (`BatchCommand.approve(order)`,
/// `BatchCommand.issue(order, 3)`, …): the same inputs and rules as the session method of the
/// same name.
#[pyclass(frozen, eq, from_py_object, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct BatchCommand(pub core::BatchCommand);

#[pymethods]
impl BatchCommand {
    /// `Session.request` in a batch.
    #[staticmethod]
    #[pyo3(signature = (holder, product, quantity, *, purchase_order=None, comments=None))]
    fn request(
        py: Python<'_>,
        holder: &str,
        product: &str,
        quantity: &Bound<'_, PyAny>,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Request(
            core::NewRequest {
                holder: parse(py, holder)?,
                product: parse(py, product)?,
                quantity: whole(py, "quantity", quantity)?,
                purchase_order,
                comments,
            },
        )))
    }
    /// `Session.approve` in a batch.
    #[staticmethod]
    #[pyo3(signature = (order, *, quantity=None, comments=None))]
    fn approve(
        py: Python<'_>,
        order: &str,
        quantity: Option<&Bound<'_, PyAny>>,
        comments: Option<String>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Approve {
            order: parse(py, order)?,
            quantity: quantity.map(|q| whole(py, "quantity", q)).transpose()?,
            comments,
        }))
    }
    /// `Session.reject` in a batch.
    #[staticmethod]
    #[pyo3(signature = (order, *, comments=None))]
    fn reject(py: Python<'_>, order: &str, comments: Option<String>) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Reject {
            order: parse(py, order)?,
            comments,
        }))
    }
    /// `Session.cancel` in a batch.
    #[staticmethod]
    fn cancel(py: Python<'_>, order: &str) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Cancel {
            order: parse(py, order)?,
        }))
    }
    /// `Session.assign` in a batch.
    #[staticmethod]
    #[pyo3(signature = (from_org, to_org, product, quantity, *, purchase_order=None, comments=None))]
    fn assign(
        py: Python<'_>,
        from_org: &str,
        to_org: &str,
        product: &str,
        quantity: &Bound<'_, PyAny>,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Assign(
            core::NewAssignment {
                from: parse(py, from_org)?,
                to: parse(py, to_org)?,
                product: parse(py, product)?,
                quantity: whole(py, "quantity", quantity)?,
                purchase_order,
                comments,
            },
        )))
    }
    /// `Session.issue` in a batch.
    #[staticmethod]
    fn issue(py: Python<'_>, order: &str, quantity: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Issue {
            order: parse(py, order)?,
            quantity: whole(py, "quantity", quantity)?,
        }))
    }
    fn __repr__(&self) -> String {
        match &self.0 {
            core::BatchCommand::Request(n) => format!(
                "BatchCommand.request('{}', '{}', {})",
                n.holder, n.product, n.quantity
            ),
            core::BatchCommand::Approve {
                order, quantity, ..
            } => match quantity {
                Some(q) => format!("BatchCommand.approve('{order}', quantity={q})"),
                None => format!("BatchCommand.approve('{order}')"),
            },
            core::BatchCommand::Reject { order, .. } => format!("BatchCommand.reject('{order}')"),
            core::BatchCommand::Cancel { order } => format!("BatchCommand.cancel('{order}')"),
            core::BatchCommand::Assign(n) => format!(
                "BatchCommand.assign('{}', '{}', '{}', {})",
                n.from, n.to, n.product, n.quantity
            ),
            core::BatchCommand::Issue { order, quantity } => {
                format!("BatchCommand.issue('{order}', {quantity})")
            }
        }
    }
}
