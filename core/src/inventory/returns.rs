//! Returning unused units to the source, and deleting orders.
//!
//! Rules: docs/rules.md §8.

use chrono::{DateTime, Utc};

use crate::checked::{Checked, negative};
use crate::error::{Action, Error, Result};
use crate::hierarchy::Tier;
use crate::ids::OrderId;
use crate::input::{self, signed};
use crate::inventory::Session;
use crate::inventory::rules::*;
use crate::ledger::{LedgerKind, Movement};
use crate::order::{Draw, Order};
use crate::store::Tx;

impl Session {
    /// Returns `quantity` unused units of an order to its source: they go back to the source
    /// orders they were drawn from, newest draw first (units minted by a vendor-tier approval
    /// are retired). Admins of the holder.
    pub fn return_units(&self, order: OrderId, quantity: u64) -> Result<Order> {
        self.by(Action::ReturnUnits, || {
            let quantity = input::quantity(quantity)?;
            self.inv.command(
                self.tenant,
                "return_units",
                &(self.user, order, quantity),
                |tx, now| self.return_units_in(tx, now, order, quantity),
            )
        })
    }

    pub(crate) fn return_units_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        quantity: u64,
    ) -> Result<Order> {
        let quantity = input::quantity(quantity)?;
        let mut actor = Actor::load(tx, self.tenant, self.user)?;
        let mut o = get_order(tx, self.tenant, order)?;
        actor.require_admin(&get_org(tx, self.tenant, o.holder)?, Action::ReturnUnits)?;
        if !o.status.holds_units() || o.source.is_none() {
            return Err(Error::InvalidState {
                attempt: None,
                order: o.number,
                status: o.status,
                action: Action::ReturnUnits,
            });
        }
        if o.available < quantity {
            return Err(Error::InsufficientInventory {
                attempt: None,
                available: o.available,
                requested: quantity,
            });
        }
        let mut entry = draft(Some(self.user), LedgerKind::UnitsReturned).order(&o);
        let unreturned = give_back(tx, &o, quantity, true, now, &mut entry)?;
        entry.retired = unreturned;
        actor.tenant.retired = actor
            .tenant
            .retired
            .checked_add(unreturned)
            .ok_or_else(overflow)?;
        tx.update_tenant(&actor.tenant)?;
        o.approved_quantity = o.approved_quantity.minus(quantity)?;
        o.available = o.available.minus(quantity)?;
        o.settle_status();
        o.updated_at = now;
        o.check_invariants()?;
        tx.update_order(&o)?;
        entry.movements.push(Movement {
            order: o.id,
            org: o.holder,
            product: o.product,
            approved: negative(quantity)?,
            drawn: 0,
            issued: 0,
            available: negative(quantity)?,
        });
        append(tx, self.tenant, now, entry)?;
        Ok(o)
    }

    /// Deletes an order and every license in it, irreversibly. Refused while child orders hold
    /// units drawn from it (the error names them). Its unconsumed units return to its sources;
    /// its issued units are retired; the ledger records the deletion. Admins of the holder.
    pub fn delete_order(&self, order: OrderId) -> Result<()> {
        self.by(Action::DeleteOrder, || {
            self.inv.command(
                self.tenant,
                "delete_order",
                &(self.user, order),
                |tx, now| self.delete_order_in(tx, now, order),
            )
        })
    }

    pub(crate) fn delete_order_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
    ) -> Result<()> {
        let mut actor = Actor::load(tx, self.tenant, self.user)?;
        let o = get_order(tx, self.tenant, order)?;
        actor.require_admin(&get_org(tx, self.tenant, o.holder)?, Action::DeleteOrder)?;
        let mut children = Vec::new();
        for d in tx.draws_from(self.tenant, o.id)? {
            if let Some(child) = tx.order(self.tenant, d.order)? {
                children.push(child.number);
            }
        }
        if !children.is_empty() {
            children.sort();
            children.dedup();
            return Err(Error::OrderInUse {
                attempt: None,
                order: o.number,
                children,
            });
        }
        let mut entry = draft(Some(self.user), LedgerKind::OrderDeleted).order(&o);
        let unreturned = if o.status.holds_units() {
            give_back(tx, &o, o.available, false, now, &mut entry)?
        } else {
            0
        };
        let retired = unreturned.checked_add(o.issued).ok_or_else(overflow)?;
        entry.retired = retired;
        actor.tenant.retired = actor
            .tenant
            .retired
            .checked_add(retired)
            .ok_or_else(overflow)?;
        tx.update_tenant(&actor.tenant)?;
        entry.movements.push(Movement {
            order: o.id,
            org: o.holder,
            product: o.product,
            approved: negative(o.approved_quantity)?,
            drawn: negative(o.drawn)?,
            issued: negative(o.issued)?,
            available: negative(o.available)?,
        });
        tx.delete_order(self.tenant, o.id)?;
        append(tx, self.tenant, now, entry)?;
        Ok(())
    }
}

/// Gives `quantity` units of `order` back to the source orders it drew from, newest draw first;
/// returns how many could not go back (none drawn: minted at the vendor). With `keep_draws`
/// the draw records shrink accordingly (a return); otherwise they are left for the deletion.
fn give_back(
    tx: &mut dyn Tx,
    order: &Order,
    quantity: u64,
    keep_draws: bool,
    now: DateTime<Utc>,
    entry: &mut Draft,
) -> Result<u64> {
    let mut remaining = quantity;
    let mut draws = tx.draws_into(order.tenant, order.id)?;
    Draw::sort_oldest_first(&mut draws);
    draws.reverse();
    for mut d in draws {
        if remaining == 0 {
            break;
        }
        let give = d.quantity.min(remaining);
        let mut src = get_order(tx, order.tenant, d.source_order)?;
        src.drawn = src.drawn.checked_sub(give).ok_or_else(|| {
            Error::InvariantViolated(format!("order {} drew less than it returns", src.number))
        })?;
        src.available = src.available.checked_add(give).ok_or_else(overflow)?;
        src.settle_status();
        src.updated_at = now;
        src.check_invariants()?;
        tx.update_order(&src)?;
        if keep_draws {
            d.quantity = d.quantity.minus(give)?;
            tx.update_draw(&d)?;
        }
        let g = signed(give)?;
        entry.movements.push(Movement {
            order: src.id,
            org: src.holder,
            product: src.product,
            approved: 0,
            drawn: negative(give)?,
            issued: 0,
            available: g,
        });
        remaining = remaining.minus(give)?;
    }
    // What no draw accounts for was minted, by a vendor-tier approval or by a mint (no
    // source): it leaves the tenant.
    if remaining > 0 {
        let holder_source = order
            .source
            .map(|s| get_org(tx, order.tenant, s))
            .transpose()?;
        if holder_source.is_some_and(|s| s.tier != Tier::Vendor) {
            return Err(Error::InvariantViolated(format!(
                "order {} has {remaining} units no draw accounts for",
                order.number
            )));
        }
    }
    Ok(remaining)
}
