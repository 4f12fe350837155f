//! Taking provisioning back, the host application's job like provisioning itself (no acting
//! user): revoke an admin role, reactivate an organization, deactivate and reactivate a user,
//! change a tenant's plan, rename or retire a product. Each is one transaction with its ledger
//! entry; doing what is already done changes nothing and records nothing.
//!
//! Rules: docs/rules.md §1, §2, §5.

use crate::error::{Action, Error, Result};
use crate::hierarchy::{Organization, Plan, Tenant, User};
use crate::ids::{OrgId, ProductId, TenantId, UserId};
use crate::input;
use crate::inventory::Inventory;
use crate::inventory::rules::{append, draft, get_org, get_product, get_user, lock_tenant};
use crate::ledger::LedgerKind;
use crate::product::Product;

impl Inventory {
    /// Takes `user`'s admin role over `org` away (nothing happens if they do not hold it). The
    /// vendor organization keeps at least one admin: removing its last is refused
    /// (`Hierarchy`). The user's license-manager permissions are not affected.
    ///
    /// ```
    /// use license_inventory::*;
    /// # fn main() -> Result<()> {
    /// let inv = Inventory::in_memory();
    /// let t = inv.create_tenant(NewTenant { name: "Jasperactive".into(), plan: Plan::Standard, vendor_name: "Jasperactive".into(), first_order_number: None })?;
    /// let vera = inv.create_user(t.id, NewUser { name: "Vera Vendor".into(), email: "vera@example.com".into() })?;
    /// inv.grant_admin(t.id, vera.id, t.vendor)?;
    /// assert_eq!(inv.revoke_admin(t.id, vera.id, t.vendor).unwrap_err().code(), "HIERARCHY_VIOLATION");
    /// # Ok(()) }
    /// ```
    pub fn revoke_admin(&self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        self.by_host(Action::RevokeAdmin, || {
            self.command(tenant, "revoke_admin", &(user, org), |tx, now| {
                let t = lock_tenant(tx, tenant)?;
                get_user(tx, tenant, user)?;
                let o = get_org(tx, tenant, org)?;
                let admins = tx.org_admins(tenant, org)?;
                if !admins.contains(&user) {
                    return Ok(());
                }
                if org == t.vendor && admins.len() == 1 {
                    return Err(Error::hierarchy(format!(
                        "'{}' is the last admin of the vendor organization '{}': grant another \
                     user the role first",
                        get_user(tx, tenant, user)?.name,
                        o.name
                    )));
                }
                tx.delete_admin(tenant, user, org)?;
                append(
                    tx,
                    tenant,
                    now,
                    draft(None, LedgerKind::AdminRevoked).org(org),
                )?;
                Ok(())
            })
        })
    }

    /// Reactivates a deactivated organization: it may request, approve and receive inventory
    /// again. Its parent must be active (`Hierarchy` otherwise).
    pub fn reactivate_org(&self, tenant: TenantId, id: OrgId) -> Result<Organization> {
        self.by_host(Action::ReactivateOrg, || {
            self.command(tenant, "reactivate_org", &id, |tx, now| {
                lock_tenant(tx, tenant)?;
                let mut org = get_org(tx, tenant, id)?;
                if org.active {
                    return Ok(org);
                }
                if let Some(parent) = org.parent {
                    let p = get_org(tx, tenant, parent)?;
                    if !p.active {
                        return Err(Error::hierarchy(format!(
                            "'{}' cannot be reactivated under the deactivated '{}': reactivate \
                         '{}' first",
                            org.name, p.name, p.name
                        )));
                    }
                }
                org.active = true;
                tx.update_org(&org)?;
                append(
                    tx,
                    tenant,
                    now,
                    draft(None, LedgerKind::OrgReactivated).org(org.id),
                )?;
                Ok(org)
            })
        })
    }

    /// Deactivates a user: their admin roles and manager permissions stay on record but give
    /// them nothing (every command of theirs is refused with `PermissionDenied`) until
    /// [`Inventory::reactivate_user`]. The vendor organization keeps at least one active
    /// admin: deactivating its last is refused (`Hierarchy`).
    pub fn deactivate_user(&self, tenant: TenantId, id: UserId) -> Result<User> {
        self.by_host(Action::DeactivateUser, || {
            self.set_user_active(tenant, id, false)
        })
    }

    /// Reactivates a deactivated user: their roles and permissions count again.
    pub fn reactivate_user(&self, tenant: TenantId, id: UserId) -> Result<User> {
        self.by_host(Action::ReactivateUser, || {
            self.set_user_active(tenant, id, true)
        })
    }

    fn set_user_active(&self, tenant: TenantId, id: UserId, active: bool) -> Result<User> {
        let name = if active {
            "reactivate_user"
        } else {
            "deactivate_user"
        };
        self.command(tenant, name, &id, |tx, now| {
            let t = lock_tenant(tx, tenant)?;
            let mut user = get_user(tx, tenant, id)?;
            if user.active == active {
                return Ok(user);
            }
            if !active && tx.admin_orgs(tenant, id)?.contains(&t.vendor) {
                let mut others = 0usize;
                for admin in tx.org_admins(tenant, t.vendor)? {
                    if admin != id && get_user(tx, tenant, admin)?.active {
                        others = others.saturating_add(1);
                    }
                }
                if others == 0 {
                    return Err(Error::hierarchy(format!(
                        "'{}' is the last active admin of the vendor organization: grant \
                         another user the role first",
                        user.name
                    )));
                }
            }
            user.active = active;
            tx.update_user(&user)?;
            let kind = if active {
                LedgerKind::UserReactivated
            } else {
                LedgerKind::UserDeactivated
            };
            append(tx, tenant, now, draft(None, kind))?;
            Ok(user)
        })
    }

    /// Changes the tenant's plan. On a downgrade to the standard plan the enterprise-only
    /// permissions already granted to license managers stay on record but are not honoured
    /// (every use is refused with `PlanRequired`), and no new one can be granted; an upgrade
    /// back honours them again (docs/rules.md §5).
    pub fn change_plan(&self, tenant: TenantId, plan: Plan) -> Result<Tenant> {
        self.by_host(Action::ChangePlan, || {
            self.command(tenant, "change_plan", &plan, |tx, now| {
                let mut t = lock_tenant(tx, tenant)?;
                if t.plan == plan {
                    return Ok(t);
                }
                t.plan = plan;
                tx.update_tenant(&t)?;
                append(tx, tenant, now, draft(None, LedgerKind::PlanChanged))?;
                // The append moved the ledger head: return the tenant as stored.
                lock_tenant(tx, tenant)
            })
        })
    }

    /// Renames a product (every order, license and export shows the new name from now on;
    /// notifications already written keep the name they were written with).
    pub fn rename_product(&self, tenant: TenantId, id: ProductId, name: &str) -> Result<Product> {
        self.by_host(Action::RenameProduct, || {
            let name = input::name("product name", name)?;
            self.command(tenant, "rename_product", &(id, &name), |tx, now| {
                lock_tenant(tx, tenant)?;
                let mut p = get_product(tx, tenant, id)?;
                if p.name == name {
                    return Ok(p);
                }
                p.name = name.clone();
                tx.update_product(&p)?;
                append(tx, tenant, now, draft(None, LedgerKind::ProductRenamed))?;
                Ok(p)
            })
        })
    }

    /// Retires a product: nobody may request, assign, mint or bundle it any more
    /// (`InvalidInput` naming it); existing orders, pending requests and licenses are
    /// untouched, and a pending request may still be approved.
    pub fn retire_product(&self, tenant: TenantId, id: ProductId) -> Result<Product> {
        self.by_host(Action::RetireProduct, || {
            self.command(tenant, "retire_product", &id, |tx, now| {
                lock_tenant(tx, tenant)?;
                let mut p = get_product(tx, tenant, id)?;
                if p.retired {
                    return Ok(p);
                }
                p.retired = true;
                tx.update_product(&p)?;
                append(tx, tenant, now, draft(None, LedgerKind::ProductRetired))?;
                Ok(p)
            })
        })
    }
}
