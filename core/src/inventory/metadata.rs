//! An order's metadata and customer.
//!
//! Rules: docs/rules.md §3.

use crate::error::{Action, Error, Result};
use crate::ids::OrderId;
use crate::input::{self, MAX_COMMENT, MAX_NAME, MAX_PURCHASE_ORDER};
use crate::inventory::Session;
use crate::inventory::rules::*;
use crate::ledger::LedgerKind;
use crate::order::{Customer, MetadataEdit, Order};

fn customer(c: Customer) -> Result<Customer> {
    Ok(Customer {
        name: input::name("customer name", &c.name)?,
        email: c.email.as_deref().map(input::email).transpose()?,
        company: input::text("customer company", c.company.as_deref(), MAX_NAME)?,
        phone: input::text("customer phone", c.phone.as_deref(), 50)?,
        reference: input::text(
            "customer reference",
            c.reference.as_deref(),
            MAX_PURCHASE_ORDER,
        )?,
    })
}

impl Session {
    /// Edits an order's metadata (reference, campaign, download id, test and trial flags), also
    /// after approval. Admins of the holder.
    pub fn edit_metadata(&self, order: OrderId, edit: MetadataEdit) -> Result<Order> {
        let reference = edit
            .reference
            .as_deref()
            .map(|s| input::text("order reference", Some(s), MAX_PURCHASE_ORDER))
            .transpose()?;
        let download_id = edit
            .download_id
            .as_deref()
            .map(|s| input::text("download id", Some(s), MAX_PURCHASE_ORDER))
            .transpose()?;
        if let Some(c) = &edit.campaign {
            if c.len() > 50 {
                return Err(Error::invalid("campaign", "at most 50 parameters"));
            }
            for (k, v) in c {
                input::name("campaign key", k)?;
                input::text("campaign value", Some(v), MAX_COMMENT)?;
            }
        }
        self.inv.command(
            self.tenant,
            "edit_metadata",
            &(self.user, order, &edit),
            |tx, now| {
                let actor = Actor::load(tx, self.tenant, self.user)?;
                let mut o = get_order(tx, self.tenant, order)?;
                let holder = get_org(tx, self.tenant, o.holder)?;
                actor.require_admin(&holder, Action::EditMetadata)?;
                let m = &mut o.metadata;
                if let Some(r) = &reference {
                    m.reference.clone_from(r);
                }
                if let Some(d) = &download_id {
                    m.download_id.clone_from(d);
                }
                if let Some(c) = &edit.campaign {
                    m.campaign.clone_from(c);
                }
                if let Some(t) = edit.is_test {
                    m.is_test = t;
                }
                if let Some(t) = edit.is_trial {
                    m.is_trial = t;
                }
                o.updated_at = now;
                tx.update_order(&o)?;
                append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), LedgerKind::MetadataEdited).order(&o),
                )?;
                Ok(o)
            },
        )
    }

    /// Adds, replaces (`Some`) or removes (`None`) an order's customer. Admins of the holder.
    pub fn set_customer(&self, order: OrderId, new: Option<Customer>) -> Result<Order> {
        let new = new.map(customer).transpose()?;
        self.inv.command(
            self.tenant,
            "set_customer",
            &(self.user, order, &new),
            |tx, now| {
                let actor = Actor::load(tx, self.tenant, self.user)?;
                let mut o = get_order(tx, self.tenant, order)?;
                let holder = get_org(tx, self.tenant, o.holder)?;
                actor.require_admin(&holder, Action::EditCustomer)?;
                o.customer.clone_from(&new);
                o.updated_at = now;
                tx.update_order(&o)?;
                append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), LedgerKind::CustomerSet).order(&o),
                )?;
                Ok(o)
            },
        )
    }
}
