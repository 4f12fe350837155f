//! An order's metadata and customer.
//!
//! Rules: docs/rules.md §3.

use chrono::{DateTime, Utc};

use crate::error::{Action, Error, Result};
use crate::ids::OrderId;
use crate::input::{self, MAX_COMMENT, MAX_NAME, MAX_PURCHASE_ORDER};
use crate::inventory::Session;
use crate::inventory::rules::*;
use crate::ledger::LedgerKind;
use crate::order::{Customer, MetadataEdit, Order};
use crate::store::Tx;

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
        self.by(Action::EditMetadata, || {
            checked_metadata(&edit)?;
            self.inv.command(
                self.tenant,
                "edit_metadata",
                &(self.user, order, &edit),
                |tx, now| self.edit_metadata_in(tx, now, order, &edit),
            )
        })
    }

    pub(crate) fn edit_metadata_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        edit: &MetadataEdit,
    ) -> Result<Order> {
        let (reference, download_id) = checked_metadata(edit)?;
        let actor = Actor::load(tx, self.tenant, self.user)?;
        let mut o = get_order(tx, self.tenant, order)?;
        let holder = get_org(tx, self.tenant, o.holder)?;
        actor.require_admin(&holder, Action::EditMetadata)?;
        let m = &mut o.metadata;
        if let Some(r) = reference {
            m.reference = r;
        }
        if let Some(d) = download_id {
            m.download_id = d;
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
    }

    /// Adds, replaces (`Some`) or removes (`None`) an order's customer. Admins of the holder.
    pub fn set_customer(&self, order: OrderId, new: Option<Customer>) -> Result<Order> {
        self.by(Action::EditCustomer, || {
            let new = new.map(customer).transpose()?;
            self.inv.command(
                self.tenant,
                "set_customer",
                &(self.user, order, &new),
                |tx, now| self.set_customer_in(tx, now, order, new.as_ref()),
            )
        })
    }

    pub(crate) fn set_customer_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        new: Option<&Customer>,
    ) -> Result<Order> {
        let new = new.cloned().map(customer).transpose()?;
        let actor = Actor::load(tx, self.tenant, self.user)?;
        let mut o = get_order(tx, self.tenant, order)?;
        let holder = get_org(tx, self.tenant, o.holder)?;
        actor.require_admin(&holder, Action::EditCustomer)?;
        o.customer = new;
        o.updated_at = now;
        tx.update_order(&o)?;
        append(
            tx,
            self.tenant,
            now,
            draft(Some(self.user), LedgerKind::CustomerSet).order(&o),
        )?;
        Ok(o)
    }
}

/// A metadata edit's text fields, checked: `(reference, download id)`, each `None` when left
/// as it is.
type CheckedMetadata = (Option<Option<String>>, Option<Option<String>>);

fn checked_metadata(edit: &MetadataEdit) -> Result<CheckedMetadata> {
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
    Ok((reference, download_id))
}
