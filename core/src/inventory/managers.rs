//! License managers: users given some permissions over one order.
//!
//! Rules: docs/rules.md §5.

use std::collections::BTreeSet;

use crate::error::{Action, Error, Result};
use crate::ids::{OrderId, UserId};
use crate::inventory::Session;
use crate::inventory::outbox;
use crate::inventory::rules::*;
use crate::ledger::LedgerKind;
use crate::notification::NotificationKind;
use crate::permission::{LicenseManager, Permission};

impl Session {
    /// Makes `user` a license manager of an order with `permissions` (added to any they hold).
    /// Admins of the holder may grant any permission; a manager with `manage_managers` only
    /// those it holds itself. `create_order` and `issue_license` need the enterprise plan.
    pub fn add_license_manager(
        &self,
        order: OrderId,
        user: UserId,
        permissions: &[Permission],
    ) -> Result<LicenseManager> {
        if permissions.is_empty() {
            return Err(Error::invalid(
                "permissions",
                "grant at least one permission",
            ));
        }
        let wanted: BTreeSet<Permission> = permissions.iter().copied().collect();
        self.inv.command(
            self.tenant,
            "add_license_manager",
            &(self.user, order, user, &wanted),
            |tx, now| {
                let actor = Actor::load(tx, self.tenant, self.user)?;
                let o = get_order(tx, self.tenant, order)?;
                get_user(tx, self.tenant, user)?;
                for p in &wanted {
                    actor.require_plan(*p)?;
                }
                if !actor.is_admin(o.holder) {
                    actor.require_permission(
                        tx,
                        &o,
                        Permission::ManageManagers,
                        Action::ManageManagers,
                    )?;
                    let own = tx
                        .manager(self.tenant, o.id, self.user)?
                        .map(|m| m.permissions)
                        .unwrap_or_default();
                    if let Some(p) = wanted.iter().find(|p| !own.contains(p)) {
                        return Err(actor.denied(
                            Action::ManageManagers,
                            format!(
                                "cannot grant the {p} permission, which the manager does not hold"
                            ),
                        ));
                    }
                }
                let existing = tx.manager(self.tenant, o.id, user)?;
                let is_new = existing.is_none();
                let mut m = existing.unwrap_or(LicenseManager {
                    tenant: self.tenant,
                    order: o.id,
                    user,
                    permissions: BTreeSet::new(),
                });
                m.permissions.extend(wanted.iter().copied());
                tx.put_manager(&m)?;
                let entry = append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), LedgerKind::ManagerAdded).order(&o),
                )?;
                if is_new {
                    let granted: Vec<Permission> = m.permissions.iter().copied().collect();
                    outbox::notify(
                        tx,
                        now,
                        entry.seq,
                        NotificationKind::ManagerInvitation,
                        [user],
                        &o,
                        &granted,
                    )?;
                }
                Ok(m)
            },
        )
    }

    /// The license managers of an order.
    pub fn license_managers(&self, order: OrderId) -> Result<Vec<LicenseManager>> {
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let o = get_order(tx, self.tenant, order)?;
            actor.require_view_order(tx, &o)?;
            tx.managers_of_order(self.tenant, o.id)
        })
    }
}
