//! What a user does with orders: mint, request, edit, cancel, approve, reject, assign.
//!
//! Rules: docs/rules.md §4.

use chrono::{DateTime, Utc};

use crate::error::{Action, Error, Result};
use crate::ids::OrderId;
use crate::input::{self, MAX_COMMENT, MAX_PURCHASE_ORDER};
use crate::inventory::Session;
use crate::inventory::outbox;
use crate::inventory::rules::*;
use crate::ledger::LedgerKind;
use crate::order::{NewAssignment, NewMint, NewRequest, Order, OrderStatus, RequestEdit};
use crate::permission::Permission;
use crate::store::Tx;

impl Session {
    /// Mints new stock into an order held by the vendor. Vendor admins only.
    pub fn mint(&self, new: NewMint) -> Result<Order> {
        self.by(Action::Mint, || {
            let (quantity, po, comments) = checked_mint(&new)?;
            self.inv.command(
                self.tenant,
                "mint",
                &(self.user, new.product, quantity, &po, &comments),
                |tx, now| self.mint_in(tx, now, &new),
            )
        })
    }

    pub(crate) fn mint_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        new: &NewMint,
    ) -> Result<Order> {
        let (quantity, po, comments) = checked_mint(new)?;
        let mut actor = Actor::load(tx, self.tenant, self.user)?;
        if !actor.is_vendor_admin() {
            return Err(actor.denied(Action::Mint, "only vendor admins mint inventory"));
        }
        live_product(tx, self.tenant, new.product)?;
        let number = actor.take_number()?;
        actor.tenant.minted = actor
            .tenant
            .minted
            .checked_add(quantity)
            .ok_or_else(overflow)?;
        let mut order = Order::new_request(
            self.tenant,
            number,
            new.product,
            actor.tenant.vendor,
            None,
            Some(self.user),
            quantity,
            now,
        );
        order.purchase_order.clone_from(&po);
        order.requester_comments.clone_from(&comments);
        order.approve(quantity, self.user, now);
        order.check_invariants()?;
        tx.insert_order(&order)?;
        tx.update_tenant(&actor.tenant)?;
        let mut entry = draft(Some(self.user), LedgerKind::Minted).order(&order);
        entry.minted = quantity;
        entry.movements.push(arrival(&order)?);
        append(tx, self.tenant, now, entry)?;
        Ok(order)
    }

    /// Requests units from the holder's parent organization. The order starts `requested`.
    pub fn request(&self, new: NewRequest) -> Result<Order> {
        self.by(Action::Request, || {
            self.inv
                .command(self.tenant, "request", &(self.user, &new), |tx, now| {
                    self.request_in(tx, now, &new)
                })
        })
    }

    pub(crate) fn request_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        new: &NewRequest,
    ) -> Result<Order> {
        let quantity = input::quantity(new.quantity)?;
        let po = input::text(
            "purchase order",
            new.purchase_order.as_deref(),
            MAX_PURCHASE_ORDER,
        )?;
        let comments = input::text("requester comments", new.comments.as_deref(), MAX_COMMENT)?;
        let mut actor = Actor::load(tx, self.tenant, self.user)?;
        let holder = get_org(tx, self.tenant, new.holder)?;
        actor.require_org_permission(tx, &holder, Permission::CreateOrder, Action::Request)?;
        let Some(source_id) = holder.parent else {
            return Err(Error::hierarchy(
                "the vendor has no parent to request from; mint stock instead",
            ));
        };
        let source = get_org(tx, self.tenant, source_id)?;
        require_active(&holder)?;
        require_active(&source)?;
        live_product(tx, self.tenant, new.product)?;
        let mut order = Order::new_request(
            self.tenant,
            actor.take_number()?,
            new.product,
            holder.id,
            Some(source.id),
            Some(self.user),
            quantity,
            now,
        );
        order.purchase_order.clone_from(&po);
        order.requester_comments.clone_from(&comments);
        order.check_invariants()?;
        tx.insert_order(&order)?;
        tx.update_tenant(&actor.tenant)?;
        let entry = append(
            tx,
            self.tenant,
            now,
            draft(Some(self.user), LedgerKind::Requested).order(&order),
        )?;
        outbox::on_request(tx, now, entry.seq, &order)?;
        Ok(order)
    }

    /// Edits a pending request (purchase order, product, quantity, comments). Admins of the
    /// requesting organization only; refused once the request is approved, rejected or cancelled.
    pub fn edit_request(&self, order: OrderId, edit: RequestEdit) -> Result<Order> {
        self.by(Action::EditRequest, || {
            let (quantity, po, comments) = checked_edit(&edit)?;
            self.inv.command(
                self.tenant,
                "edit_request",
                &(self.user, order, quantity, &po, edit.product, &comments),
                |tx, now| self.edit_request_in(tx, now, order, &edit),
            )
        })
    }

    pub(crate) fn edit_request_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        edit: &RequestEdit,
    ) -> Result<Order> {
        let (quantity, po, comments) = checked_edit(edit)?;
        let actor = Actor::load(tx, self.tenant, self.user)?;
        let mut order = get_order(tx, self.tenant, order)?;
        let holder = get_org(tx, self.tenant, order.holder)?;
        actor.require_admin(&holder, Action::EditRequest)?;
        require_status(&order, OrderStatus::Requested, Action::EditRequest)?;
        if let Some(product) = edit.product {
            live_product(tx, self.tenant, product)?;
            order.product = product;
        }
        if let Some(q) = quantity {
            order.requested_quantity = q;
        }
        if let Some(po) = &po {
            order.purchase_order.clone_from(po);
        }
        if let Some(c) = &comments {
            order.requester_comments.clone_from(c);
        }
        order.updated_at = now;
        order.check_invariants()?;
        tx.update_order(&order)?;
        append(
            tx,
            self.tenant,
            now,
            draft(Some(self.user), LedgerKind::RequestEdited).order(&order),
        )?;
        Ok(order)
    }

    /// Cancels (withdraws) a pending request. Admins of the requesting organization only.
    pub fn cancel(&self, order: OrderId) -> Result<Order> {
        self.by(Action::Cancel, || {
            self.inv
                .command(self.tenant, "cancel", &(self.user, order), |tx, now| {
                    self.cancel_in(tx, now, order)
                })
        })
    }

    pub(crate) fn cancel_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
    ) -> Result<Order> {
        let actor = Actor::load(tx, self.tenant, self.user)?;
        let mut order = get_order(tx, self.tenant, order)?;
        let holder = get_org(tx, self.tenant, order.holder)?;
        actor.require_admin(&holder, Action::Cancel)?;
        require_status(&order, OrderStatus::Requested, Action::Cancel)?;
        order.status = OrderStatus::Cancelled;
        order.updated_at = now;
        order.check_invariants()?;
        tx.update_order(&order)?;
        append(
            tx,
            self.tenant,
            now,
            draft(Some(self.user), LedgerKind::Cancelled).order(&order),
        )?;
        Ok(order)
    }

    /// Approves a pending request addressed to the actor's organization, for `quantity` units
    /// (default: all requested; at most the requested quantity). The units are drawn from the
    /// source's active orders of the product, oldest first; at the vendor they are minted.
    /// If the source holds too few, fails with [`Error::InsufficientInventory`] and changes nothing.
    pub fn approve(
        &self,
        order: OrderId,
        quantity: Option<u64>,
        comments: Option<String>,
    ) -> Result<Order> {
        self.by(Action::Approve, || {
            self.inv.command(
                self.tenant,
                "approve",
                &(self.user, order, quantity, &comments),
                |tx, now| self.approve_in(tx, now, order, quantity, comments.as_deref()),
            )
        })
    }

    pub(crate) fn approve_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        quantity: Option<u64>,
        comments: Option<&str>,
    ) -> Result<Order> {
        let quantity = quantity.map(input::quantity).transpose()?;
        let comments = input::text("approval comments", comments, MAX_COMMENT)?;
        let mut actor = Actor::load(tx, self.tenant, self.user)?;
        let mut order = get_order(tx, self.tenant, order)?;
        // A minted order has no source and never was a request (docs/rules.md §4).
        if order.source.is_none() {
            require_status(&order, OrderStatus::Requested, Action::Approve)?;
        }
        let source = source_of(tx, &order)?;
        actor.require_admin(&source, Action::Approve)?;
        require_status(&order, OrderStatus::Requested, Action::Approve)?;
        require_active(&source)?;
        require_active(&get_org(tx, self.tenant, order.holder)?)?;
        let qty = quantity.unwrap_or(order.requested_quantity);
        if qty > order.requested_quantity {
            return Err(Error::invalid(
                "quantity",
                format!(
                    "cannot approve {qty} units of a request for {}",
                    order.requested_quantity
                ),
            ));
        }
        order.approve(qty, self.user, now);
        order.approval_comments.clone_from(&comments);
        order.check_invariants()?;
        let mut entry = draft(Some(self.user), LedgerKind::Approved).order(&order);
        entry.movements.push(arrival(&order)?);
        // The source's lots are read before this order is written, so a store that sends its
        // writes together sends them all at once (docs/decisions.md §41).
        supply(tx, &mut actor.tenant, &source, &order, now, &mut entry)?;
        tx.update_order(&order)?;
        tx.update_tenant(&actor.tenant)?;
        let entry = append(tx, self.tenant, now, entry)?;
        outbox::on_decision(tx, now, entry.seq, &order, true)?;
        Ok(order)
    }

    /// Rejects a pending request addressed to the actor's organization.
    pub fn reject(&self, order: OrderId, comments: Option<String>) -> Result<Order> {
        self.by(Action::Reject, || {
            self.inv.command(
                self.tenant,
                "reject",
                &(self.user, order, &comments),
                |tx, now| self.reject_in(tx, now, order, comments.as_deref()),
            )
        })
    }

    pub(crate) fn reject_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        comments: Option<&str>,
    ) -> Result<Order> {
        let comments = input::text("approval comments", comments, MAX_COMMENT)?;
        let actor = Actor::load(tx, self.tenant, self.user)?;
        let mut order = get_order(tx, self.tenant, order)?;
        // A minted order has no source and never was a request (docs/rules.md §4).
        if order.source.is_none() {
            require_status(&order, OrderStatus::Requested, Action::Reject)?;
        }
        let source = source_of(tx, &order)?;
        actor.require_admin(&source, Action::Reject)?;
        require_status(&order, OrderStatus::Requested, Action::Reject)?;
        order.status = OrderStatus::Rejected;
        order.approved_by = Some(self.user);
        order.approved_at = Some(now);
        order.approval_comments.clone_from(&comments);
        order.updated_at = now;
        order.check_invariants()?;
        tx.update_order(&order)?;
        let entry = append(
            tx,
            self.tenant,
            now,
            draft(Some(self.user), LedgerKind::Rejected).order(&order),
        )?;
        outbox::on_decision(tx, now, entry.seq, &order, false)?;
        Ok(order)
    }

    /// Assigns (pushes) units from an organization to one of its children: a new order, born
    /// `active`, drawn like an approval.
    pub fn assign(&self, new: NewAssignment) -> Result<Order> {
        self.by(Action::Assign, || {
            self.inv
                .command(self.tenant, "assign", &(self.user, &new), |tx, now| {
                    self.assign_in(tx, now, &new)
                })
        })
    }

    pub(crate) fn assign_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        new: &NewAssignment,
    ) -> Result<Order> {
        let quantity = input::quantity(new.quantity)?;
        let po = input::text(
            "purchase order",
            new.purchase_order.as_deref(),
            MAX_PURCHASE_ORDER,
        )?;
        let comments = input::text("comments", new.comments.as_deref(), MAX_COMMENT)?;
        let mut actor = Actor::load(tx, self.tenant, self.user)?;
        let from = get_org(tx, self.tenant, new.from)?;
        actor.require_admin(&from, Action::Assign)?;
        let to = get_org(tx, self.tenant, new.to)?;
        if to.parent != Some(from.id) {
            return Err(Error::hierarchy(format!(
                "'{}' is not a child of '{}'; inventory is assigned only to direct children",
                to.name, from.name
            )));
        }
        require_active(&from)?;
        require_active(&to)?;
        live_product(tx, self.tenant, new.product)?;
        let mut order = Order::new_request(
            self.tenant,
            actor.take_number()?,
            new.product,
            to.id,
            Some(from.id),
            None,
            quantity,
            now,
        );
        order.purchase_order.clone_from(&po);
        order.approve(quantity, self.user, now);
        order.approval_comments.clone_from(&comments);
        order.check_invariants()?;
        tx.insert_order(&order)?;
        let mut entry = draft(Some(self.user), LedgerKind::Assigned).order(&order);
        entry.movements.push(arrival(&order)?);
        supply(tx, &mut actor.tenant, &from, &order, now, &mut entry)?;
        tx.update_tenant(&actor.tenant)?;
        append(tx, self.tenant, now, entry)?;
        Ok(order)
    }
}

/// A mint's checked quantity, purchase order and comments.
fn checked_mint(new: &NewMint) -> Result<(u64, Option<String>, Option<String>)> {
    Ok((
        input::quantity(new.quantity)?,
        input::text(
            "purchase order",
            new.purchase_order.as_deref(),
            MAX_PURCHASE_ORDER,
        )?,
        input::text("comments", new.comments.as_deref(), MAX_COMMENT)?,
    ))
}

/// A request edit's checked quantity, purchase order and comments (each `None` when unchanged).
#[allow(clippy::type_complexity)] // three optional changes, named where they are unpacked
fn checked_edit(
    edit: &RequestEdit,
) -> Result<(Option<u64>, Option<Option<String>>, Option<Option<String>>)> {
    let quantity = edit.quantity.map(input::quantity).transpose()?;
    let po = edit
        .purchase_order
        .as_deref()
        .map(|s| input::text("purchase order", Some(s), MAX_PURCHASE_ORDER))
        .transpose()?;
    let comments = edit
        .comments
        .as_deref()
        .map(|s| input::text("requester comments", Some(s), MAX_COMMENT))
        .transpose()?;
    Ok((quantity, po, comments))
}
