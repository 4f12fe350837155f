//! License managers: users given some permissions over one order.
//!
//! Rules: docs/rules.md §5.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::error::{Action, Entity, Error, Result};
use crate::ids::{OrderId, UserId};
use crate::inventory::Session;
use crate::inventory::outbox;
use crate::inventory::rules::*;
use crate::ledger::LedgerKind;
use crate::notification::NotificationKind;
use crate::order::Order;
use crate::permission::{LicenseManager, Permission};
use crate::store::Tx;

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
        self.by(Action::ManageManagers, || {
            let wanted = permission_set(permissions, "grant at least one permission")?;
            self.inv.command(
                self.tenant,
                "add_license_manager",
                &(self.user, order, user, &wanted),
                |tx, now| self.add_license_manager_in(tx, now, order, user, permissions),
            )
        })
    }

    pub(crate) fn add_license_manager_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        user: UserId,
        permissions: &[Permission],
    ) -> Result<LicenseManager> {
        let wanted = permission_set(permissions, "grant at least one permission")?;
        let actor = Actor::load(tx, self.tenant, self.user)?;
        let o = get_order(tx, self.tenant, order)?;
        get_user(tx, self.tenant, user)?;
        require_may_change(tx, &actor, &o, &wanted, &wanted)?;
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
            let invited = vec![(NotificationKind::ManagerInvitation, [user].into())];
            outbox::notify(tx, now, entry.seq, invited, &o, &granted)?;
        }
        Ok(m)
    }

    /// Replaces the permissions of `user`, a license manager of `order`, with `permissions`
    /// (1 or more). The same authority as [`Session::add_license_manager`], applied to the
    /// change: a manager with `manage_managers` may only add or take away permissions it holds
    /// itself; enterprise-only permissions need the enterprise plan.
    pub fn set_license_manager_permissions(
        &self,
        order: OrderId,
        user: UserId,
        permissions: &[Permission],
    ) -> Result<LicenseManager> {
        self.by(Action::ManageManagers, || {
            let wanted = permission_set(
                permissions,
                "keep at least one permission, or remove the manager",
            )?;
            self.inv.command(
                self.tenant,
                "set_license_manager_permissions",
                &(self.user, order, user, &wanted),
                |tx, now| {
                    self.set_license_manager_permissions_in(tx, now, order, user, permissions)
                },
            )
        })
    }

    pub(crate) fn set_license_manager_permissions_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        user: UserId,
        permissions: &[Permission],
    ) -> Result<LicenseManager> {
        let wanted = permission_set(
            permissions,
            "keep at least one permission, or remove the manager",
        )?;
        let actor = Actor::load(tx, self.tenant, self.user)?;
        let o = get_order(tx, self.tenant, order)?;
        let mut m = existing_manager(tx, &o, user)?;
        let added: BTreeSet<Permission> = wanted.difference(&m.permissions).copied().collect();
        let changed: BTreeSet<Permission> = wanted
            .symmetric_difference(&m.permissions)
            .copied()
            .collect();
        require_may_change(tx, &actor, &o, &added, &changed)?;
        if m.permissions == wanted {
            return Ok(m);
        }
        m.permissions = wanted.clone();
        tx.put_manager(&m)?;
        append(
            tx,
            self.tenant,
            now,
            draft(Some(self.user), LedgerKind::ManagerChanged).order(&o),
        )?;
        Ok(m)
    }

    /// Removes `user` as a license manager of `order`, with every permission it held. The
    /// same authority as [`Session::set_license_manager_permissions`]: a manager with
    /// `manage_managers` may only remove a manager whose permissions it holds itself.
    pub fn remove_license_manager(&self, order: OrderId, user: UserId) -> Result<()> {
        self.by(Action::ManageManagers, || {
            self.inv.command(
                self.tenant,
                "remove_license_manager",
                &(self.user, order, user),
                |tx, now| self.remove_license_manager_in(tx, now, order, user),
            )
        })
    }

    pub(crate) fn remove_license_manager_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        user: UserId,
    ) -> Result<()> {
        let actor = Actor::load(tx, self.tenant, self.user)?;
        let o = get_order(tx, self.tenant, order)?;
        let m = existing_manager(tx, &o, user)?;
        require_may_change(tx, &actor, &o, &BTreeSet::new(), &m.permissions)?;
        tx.delete_manager(self.tenant, o.id, user)?;
        append(
            tx,
            self.tenant,
            now,
            draft(Some(self.user), LedgerKind::ManagerRemoved).order(&o),
        )?;
        Ok(())
    }

    /// The license managers of an order.
    pub fn license_managers(&self, order: OrderId) -> Result<Vec<LicenseManager>> {
        self.by(Action::View, || {
            self.inv.read(|tx| {
                let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
                let o = get_order(tx, self.tenant, order)?;
                actor.require_view_order(tx, &o)?;
                tx.managers_of_order(self.tenant, o.id)
            })
        })
    }
}

/// `permissions` as a set: at least one (`InvalidInput` saying `if_empty` otherwise).
fn permission_set(
    permissions: &[Permission],
    if_empty: &'static str,
) -> Result<BTreeSet<Permission>> {
    if permissions.is_empty() {
        return Err(Error::invalid("permissions", if_empty));
    }
    Ok(permissions.iter().copied().collect())
}

/// The manager `user` of `order`, or `NotFound`.
fn existing_manager(tx: &mut dyn Tx, o: &Order, user: UserId) -> Result<LicenseManager> {
    get_user(tx, o.tenant, user)?;
    tx.manager(o.tenant, o.id, user)?
        .ok_or_else(|| Error::not_found(Entity::LicenseManager, user))
}

/// Whether `actor` may grant `added` and change `changed` (added or taken away) among the
/// permissions of a manager of `o`: admins of the holder may change any; a manager needs
/// `manage_managers` and may only touch permissions it holds itself (no escalation).
/// Enterprise-only permissions may be granted on the enterprise plan only.
fn require_may_change(
    tx: &mut dyn Tx,
    actor: &Actor,
    o: &Order,
    added: &BTreeSet<Permission>,
    changed: &BTreeSet<Permission>,
) -> Result<()> {
    for p in added {
        actor.require_plan(*p)?;
    }
    if actor.is_admin(o.holder) {
        return Ok(());
    }
    actor.require_permission(tx, o, Permission::ManageManagers, Action::ManageManagers)?;
    let own = tx
        .manager(o.tenant, o.id, actor.user)?
        .map(|m| m.permissions)
        .unwrap_or_default();
    if let Some(p) = changed.iter().find(|p| !own.contains(p)) {
        let verb = if added.contains(p) {
            "grant"
        } else {
            "take away"
        };
        return Err(actor.denied(
            Action::ManageManagers,
            format!("cannot {verb} the {p} permission, which the manager does not hold"),
        ));
    }
    Ok(())
}
