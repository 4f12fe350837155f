//! Bundles: vendor-defined sets of products, and bundle orders.
//!
//! Rules: docs/rules.md §2.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::error::{Action, Entity, Error, Result};
use crate::ids::{BundleId, OrgId, TenantId};
use crate::input::{self, MAX_COMMENT, MAX_PURCHASE_ORDER};
use crate::inventory::outbox;
use crate::inventory::rules::*;
use crate::inventory::{Inventory, Session};
use crate::ledger::LedgerKind;
use crate::order::Order;
use crate::permission::Permission;
use crate::product::{Bundle, NewBundle};
use crate::store::Tx;

impl Inventory {
    /// Defines a bundle: a named set of (product, quantity) lines. Provisioning, like products.
    pub fn create_bundle(&self, tenant: TenantId, new: NewBundle) -> Result<Bundle> {
        self.by_host(Action::CreateBundle, || {
            let name = input::name("bundle name", &new.name)?;
            if new.lines.is_empty() {
                return Err(Error::invalid(
                    "bundle lines",
                    "a bundle needs at least one line",
                ));
            }
            let mut seen = BTreeSet::new();
            for line in &new.lines {
                input::quantity(line.quantity)?;
                if !seen.insert(line.product) {
                    return Err(Error::invalid(
                        "bundle lines",
                        format!("product {} appears twice", line.product),
                    ));
                }
            }
            self.command(tenant, "create_bundle", &new, |tx, now| {
                lock_tenant(tx, tenant)?;
                for line in &new.lines {
                    live_product(tx, tenant, line.product)?;
                }
                let bundle = Bundle {
                    id: BundleId::new(),
                    tenant,
                    name: name.clone(),
                    lines: new.lines.clone(),
                };
                tx.insert_bundle(&bundle)?;
                append(tx, tenant, now, draft(None, LedgerKind::BundleCreated))?;
                Ok(bundle)
            })
        })
    }

    /// Reads a bundle.
    pub fn bundle(&self, tenant: TenantId, id: BundleId) -> Result<Bundle> {
        self.by_host(Action::View, || {
            self.read(|tx| {
                tx.bundle(tenant, id)?
                    .ok_or_else(|| Error::not_found(Entity::Bundle, id))
            })
        })
    }
}

impl Session {
    /// Requests a bundle for `holder` from its parent: one request per line, grouped under one
    /// new bundle-order id. Admins of the holder, or managers with `create_bundle_order` on one
    /// of its orders.
    pub fn request_bundle(
        &self,
        holder: OrgId,
        bundle: BundleId,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> Result<Vec<Order>> {
        self.by(Action::RequestBundle, || {
            let po = input::text(
                "purchase order",
                purchase_order.as_deref(),
                MAX_PURCHASE_ORDER,
            )?;
            let comments = input::text("requester comments", comments.as_deref(), MAX_COMMENT)?;
            self.inv.command(
                self.tenant,
                "request_bundle",
                &(self.user, holder, bundle, &po, &comments),
                |tx, now| {
                    self.request_bundle_in(
                        tx,
                        now,
                        holder,
                        bundle,
                        po.as_deref(),
                        comments.as_deref(),
                    )
                },
            )
        })
    }

    pub(crate) fn request_bundle_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        holder: OrgId,
        bundle: BundleId,
        purchase_order: Option<&str>,
        comments: Option<&str>,
    ) -> Result<Vec<Order>> {
        let po = input::text("purchase order", purchase_order, MAX_PURCHASE_ORDER)?;
        let comments = input::text("requester comments", comments, MAX_COMMENT)?;
        let mut actor = Actor::load(tx, self.tenant, self.user)?;
        let holder = get_org(tx, self.tenant, holder)?;
        actor.require_org_permission(
            tx,
            &holder,
            Permission::CreateBundleOrder,
            Action::RequestBundle,
        )?;
        let b = tx
            .bundle(self.tenant, bundle)?
            .ok_or_else(|| Error::not_found(Entity::Bundle, bundle))?;
        let Some(source) = holder.parent else {
            return Err(Error::hierarchy("the vendor has no parent to request from"));
        };
        let source = get_org(tx, self.tenant, source)?;
        require_active(&holder)?;
        require_active(&source)?;
        let group = BundleId::new();
        let mut orders = Vec::new();
        for line in &b.lines {
            live_product(tx, self.tenant, line.product)?;
            let mut o = Order::new_request(
                self.tenant,
                actor.take_number()?,
                line.product,
                holder.id,
                Some(source.id),
                Some(self.user),
                line.quantity,
                now,
            );
            o.purchase_order.clone_from(&po);
            o.requester_comments.clone_from(&comments);
            o.bundle = Some(group);
            o.check_invariants()?;
            tx.insert_order(&o)?;
            let entry = append(
                tx,
                self.tenant,
                now,
                draft(Some(self.user), LedgerKind::Requested).order(&o),
            )?;
            outbox::on_request(tx, now, entry.seq, &o)?;
            orders.push(o);
        }
        tx.update_tenant(&actor.tenant)?;
        Ok(orders)
    }
}
