//! The rules every operation shares: the acting user and their roles, lookups, draws, the
//! ledger append, and name lookups for the views.
//!
//! Rules: docs/rules.md §4, §5.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::checked::Checked;
use crate::error::{Action, Entity, Error, Result};
use crate::hierarchy::{Organization, Plan, Tenant, Tier, User};
use crate::ids::{
    LicenseId, LicenseUserId, OrderId, OrderNumber, OrgId, ProductId, TenantId, UserId,
};
use crate::input::{MAX_PAGE, signed};
use crate::ledger::{GENESIS_HASH, LedgerEntry, LedgerKind, Movement};
use crate::license::{License, LicenseUser};
use crate::order::{Draw, Order, OrderStatus};
use crate::permission::Permission;
use crate::product::Product;
use crate::store::Tx;
use crate::views::OrderDetails;

/// The acting user inside one transaction: their tenant (locked for writes) and admin roles.
pub(crate) struct Actor {
    pub(crate) user: UserId,
    pub(crate) tenant: Tenant,
    /// The organizations the user administers; none while the user is deactivated.
    pub(crate) admin_of: Vec<OrgId>,
    /// False for a deactivated user: they hold no role and no manager permission.
    pub(crate) active: bool,
}

impl Actor {
    /// Loads the actor for a write: takes the tenant's write lock first.
    pub(crate) fn load(tx: &mut dyn Tx, tenant: TenantId, user: UserId) -> Result<Actor> {
        let t = lock_tenant(tx, tenant)?;
        Self::with_tenant(tx, t, user)
    }

    /// Loads the actor for a read (no lock).
    pub(crate) fn load_for_read(tx: &mut dyn Tx, tenant: TenantId, user: UserId) -> Result<Actor> {
        let t = get_tenant(tx, tenant)?;
        Self::with_tenant(tx, t, user)
    }

    pub(crate) fn with_tenant(tx: &mut dyn Tx, t: Tenant, user: UserId) -> Result<Actor> {
        let tenant = t.id;
        let active = get_user(tx, tenant, user)?.active;
        let admin_of = if active {
            tx.admin_orgs(tenant, user)?
        } else {
            Vec::new()
        };
        Ok(Actor {
            user,
            tenant: t,
            admin_of,
            active,
        })
    }

    pub(crate) fn is_vendor_admin(&self) -> bool {
        self.admin_of.contains(&self.tenant.vendor)
    }

    pub(crate) fn is_admin(&self, org: OrgId) -> bool {
        self.is_vendor_admin() || self.admin_of.contains(&org)
    }

    pub(crate) fn denied(&self, action: Action, reason: impl Into<String>) -> Error {
        let reason = reason.into();
        let reason = if self.active {
            reason
        } else {
            format!("the user is deactivated ({reason})")
        };
        Error::PermissionDenied {
            action,
            actor: self.user,
            reason,
        }
    }

    pub(crate) fn require_admin(&self, org: &Organization, action: Action) -> Result<()> {
        if self.is_admin(org.id) {
            Ok(())
        } else {
            Err(self.denied(action, format!("not an admin of '{}'", org.name)))
        }
    }

    /// Admins of an organization or of any of its ancestors may read it.
    pub(crate) fn require_view(&self, tx: &mut dyn Tx, org: &Organization) -> Result<()> {
        if self.is_admin(org.id) {
            return Ok(());
        }
        let chain = ancestors(tx, self.tenant.id, org)?;
        if chain.iter().any(|a| self.admin_of.contains(a)) {
            Ok(())
        } else {
            Err(self.denied(
                Action::View,
                format!("'{}' is not in a branch the user administers", org.name),
            ))
        }
    }

    pub(crate) fn require_view_order(&self, tx: &mut dyn Tx, order: &Order) -> Result<()> {
        let holder = get_org(tx, self.tenant.id, order.holder)?;
        if self.require_view(tx, &holder).is_ok()
            || (self.active && tx.manager(self.tenant.id, order.id, self.user)?.is_some())
        {
            return Ok(());
        }
        Err(self.denied(
            Action::View,
            format!(
                "order {} is not in a branch the user administers, nor managed by the user",
                order.number
            ),
        ))
    }

    /// Admins of the holder (and vendor admins) may; otherwise the user must be a license
    /// manager of `order` holding `permission` (and, for enterprise-only permissions, the
    /// tenant must be on the enterprise plan).
    pub(crate) fn require_permission(
        &self,
        tx: &mut dyn Tx,
        order: &Order,
        permission: Permission,
        action: Action,
    ) -> Result<()> {
        if self.is_admin(order.holder) {
            return Ok(());
        }
        let holds = self.active
            && tx
                .manager(self.tenant.id, order.id, self.user)?
                .is_some_and(|m| m.permissions.contains(&permission));
        if !holds {
            let holder = get_org(tx, self.tenant.id, order.holder)?;
            return Err(self.denied(
                action,
                format!(
                    "not an admin of '{}' and not a license manager of order {} with the {} permission",
                    holder.name, order.number, permission
                ),
            ));
        }
        self.require_plan(permission)
    }

    /// Like [`Self::require_permission`], for actions on an organization rather than an order:
    /// a manager qualifies through any order of `org` they manage with `permission`.
    pub(crate) fn require_org_permission(
        &self,
        tx: &mut dyn Tx,
        org: &Organization,
        permission: Permission,
        action: Action,
    ) -> Result<()> {
        if self.is_admin(org.id) {
            return Ok(());
        }
        let managed = if self.active {
            tx.managed_by(self.tenant.id, self.user)?
        } else {
            Vec::new()
        };
        for m in managed {
            if m.permissions.contains(&permission)
                && tx
                    .order(self.tenant.id, m.order)?
                    .is_some_and(|o| o.holder == org.id)
            {
                return self.require_plan(permission);
            }
        }
        Err(self.denied(
            action,
            format!(
                "not an admin of '{}' and not a license manager of one of its orders with the {} permission",
                org.name, permission
            ),
        ))
    }

    /// Enterprise-only permissions work only on the enterprise plan.
    pub(crate) fn require_plan(&self, permission: Permission) -> Result<()> {
        if permission.enterprise_only() && self.tenant.plan != Plan::Enterprise {
            Err(Error::PlanRequired {
                permission,
                attempt: None,
            })
        } else {
            Ok(())
        }
    }

    /// Takes the next order number (the tenant row is written back by the caller's update).
    pub(crate) fn take_number(&mut self) -> Result<OrderNumber> {
        let n = self.tenant.next_order_number;
        self.tenant.next_order_number = n.checked_add(1).ok_or_else(overflow)?;
        Ok(OrderNumber(n))
    }
}

pub(crate) use crate::checked::overflow;

pub(crate) fn page_limit(limit: usize) -> Result<usize> {
    if limit == 0 || limit > MAX_PAGE {
        Err(Error::invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE}"),
        ))
    } else {
        Ok(limit)
    }
}

pub(crate) fn lock_tenant(tx: &mut dyn Tx, id: TenantId) -> Result<Tenant> {
    tx.lock_tenant(id)?
        .ok_or_else(|| Error::not_found(Entity::Tenant, id))
}

pub(crate) fn get_tenant(tx: &mut dyn Tx, id: TenantId) -> Result<Tenant> {
    tx.tenant(id)?
        .ok_or_else(|| Error::not_found(Entity::Tenant, id))
}

pub(crate) fn get_org(tx: &mut dyn Tx, tenant: TenantId, id: OrgId) -> Result<Organization> {
    tx.org(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::Organization, id))
}

pub(crate) fn get_user(tx: &mut dyn Tx, tenant: TenantId, id: UserId) -> Result<User> {
    tx.user(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::User, id))
}

/// A product new inventory may be made of: not retired (docs/rules.md §2).
pub(crate) fn live_product(tx: &mut dyn Tx, tenant: TenantId, id: ProductId) -> Result<Product> {
    let p = get_product(tx, tenant, id)?;
    if p.retired {
        return Err(Error::invalid(
            "product",
            format!(
                "'{}' is retired: it can no longer be requested, assigned, minted or bundled",
                p.name
            ),
        ));
    }
    Ok(p)
}

pub(crate) fn get_product(tx: &mut dyn Tx, tenant: TenantId, id: ProductId) -> Result<Product> {
    tx.product(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::Product, id))
}

pub(crate) fn get_order(tx: &mut dyn Tx, tenant: TenantId, id: OrderId) -> Result<Order> {
    tx.order(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::Order, id))
}

pub(crate) fn source_of(tx: &mut dyn Tx, order: &Order) -> Result<Organization> {
    let id = order.source.ok_or_else(|| {
        Error::InvariantViolated(format!("order {} has no source organization", order.number))
    })?;
    get_org(tx, order.tenant, id)
}

pub(crate) fn require_status(order: &Order, status: OrderStatus, action: Action) -> Result<()> {
    if order.status == status {
        Ok(())
    } else {
        Err(Error::InvalidState {
            attempt: None,
            order: order.number,
            status: order.status,
            action,
        })
    }
}

pub(crate) fn require_active(org: &Organization) -> Result<()> {
    if org.active {
        Ok(())
    } else {
        Err(Error::hierarchy(format!("'{}' is deactivated", org.name)))
    }
}

/// The ids of `org`'s ancestors, nearest first. Fails on a cycle or a broken chain.
pub(crate) fn ancestors(
    tx: &mut dyn Tx,
    tenant: TenantId,
    org: &Organization,
) -> Result<Vec<OrgId>> {
    let mut chain = Vec::new();
    let mut next = org.parent;
    while let Some(id) = next {
        if chain.len() > 8 || id == org.id || chain.contains(&id) {
            return Err(Error::InvariantViolated(format!(
                "the parent chain of '{}' has a cycle",
                org.name
            )));
        }
        chain.push(id);
        next = get_org(tx, tenant, id)?.parent;
    }
    Ok(chain)
}

/// Supplies `order` (already written) from `source`: mints at the vendor, otherwise draws from
/// the source's active orders of the product, oldest first. All or nothing. The caller writes
/// `tenant` back.
pub(crate) fn supply(
    tx: &mut dyn Tx,
    tenant: &mut Tenant,
    source: &Organization,
    order: &Order,
    now: DateTime<Utc>,
    entry: &mut Draft,
) -> Result<()> {
    let qty = order.approved_quantity;
    if source.tier == Tier::Vendor {
        tenant.minted = tenant.minted.checked_add(qty).ok_or_else(overflow)?;
        entry.minted = qty;
        return Ok(());
    }
    let mut sources = tx.drawable_orders(tenant.id, source.id, order.product)?;
    sources.retain(Order::is_drawable);
    Order::sort_for_drawing(&mut sources);
    let available = sources
        .iter()
        .try_fold(0u64, |acc, o| acc.checked_add(o.available))
        .ok_or_else(overflow)?;
    if available < qty {
        return Err(Error::InsufficientInventory {
            attempt: None,
            available,
            requested: qty,
        });
    }
    let mut remaining = qty;
    for mut from in sources {
        if remaining == 0 {
            break;
        }
        let take = from.available.min(remaining);
        from.available = from.available.minus(take)?;
        from.drawn = from.drawn.checked_add(take).ok_or_else(overflow)?;
        from.settle_status();
        from.updated_at = now;
        from.check_invariants()?;
        tx.update_order(&from)?;
        tx.insert_draw(&Draw {
            tenant: tenant.id,
            order: order.id,
            source_order: from.id,
            quantity: take,
            at: now,
        })?;
        let t = signed(take)?;
        entry.movements.push(Movement {
            order: from.id,
            org: from.holder,
            product: from.product,
            approved: 0,
            drawn: t,
            issued: 0,
            available: crate::checked::negative(take)?,
        });
        remaining = remaining.minus(take)?;
    }
    Ok(())
}

/// The movement of an order receiving its approved units.
pub(crate) fn arrival(order: &Order) -> Result<Movement> {
    let q = signed(order.approved_quantity)?;
    Ok(Movement {
        order: order.id,
        org: order.holder,
        product: order.product,
        approved: q,
        drawn: 0,
        issued: 0,
        available: q,
    })
}

/// A ledger entry before it is numbered and chained.
pub(crate) struct Draft {
    pub(crate) actor: Option<UserId>,
    pub(crate) kind: LedgerKind,
    pub(crate) order: Option<OrderId>,
    pub(crate) org: Option<OrgId>,
    pub(crate) minted: u64,
    pub(crate) retired: u64,
    pub(crate) movements: Vec<Movement>,
}

pub(crate) fn draft(actor: Option<UserId>, kind: LedgerKind) -> Draft {
    Draft {
        actor,
        kind,
        order: None,
        org: None,
        minted: 0,
        retired: 0,
        movements: Vec::new(),
    }
}

impl Draft {
    pub(crate) fn org(mut self, org: OrgId) -> Self {
        self.org = Some(org);
        self
    }

    pub(crate) fn license(mut self, license: &crate::license::License) -> Self {
        self.order = Some(license.order);
        self
    }

    pub(crate) fn order(mut self, order: &Order) -> Self {
        self.order = Some(order.id);
        self.org = Some(order.holder);
        self
    }
}

/// Numbers, chains and appends an entry; refuses one that creates or destroys units.
pub(crate) fn append(
    tx: &mut dyn Tx,
    tenant: TenantId,
    now: DateTime<Utc>,
    d: Draft,
) -> Result<LedgerEntry> {
    let (seq, prev_hash) = match tx.ledger_head(tenant)? {
        Some(head) => (head.seq.plus(1)?, head.hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let entry = LedgerEntry {
        tenant,
        seq,
        at: now,
        actor: d.actor,
        kind: d.kind,
        order: d.order,
        org: d.org,
        minted: d.minted,
        retired: d.retired,
        movements: d.movements,
        state: std::collections::BTreeMap::new(),
        prev_hash,
        hash: String::new(),
    };
    entry.check_balance()?;
    // No hash yet: every write goes through the state recorder (docs/decisions.md §38), which
    // records the state digests in the entry and only then hashes it, once.
    tx.append_ledger(&entry)?;
    Ok(entry)
}

/// Looks names up once per call.
pub(crate) struct Names {
    pub(crate) tenant: TenantId,
    pub(crate) orgs: HashMap<OrgId, String>,
    pub(crate) users: HashMap<UserId, String>,
    pub(crate) products: HashMap<ProductId, Product>,
}

impl Names {
    pub(crate) fn new(tenant: TenantId) -> Self {
        Names {
            tenant,
            orgs: HashMap::new(),
            users: HashMap::new(),
            products: HashMap::new(),
        }
    }

    pub(crate) fn org(&mut self, tx: &mut dyn Tx, id: OrgId) -> Result<String> {
        if let Some(n) = self.orgs.get(&id) {
            return Ok(n.clone());
        }
        let name = get_org(tx, self.tenant, id)?.name;
        self.orgs.insert(id, name.clone());
        Ok(name)
    }

    pub(crate) fn user_opt(
        &mut self,
        tx: &mut dyn Tx,
        id: Option<UserId>,
    ) -> Result<Option<String>> {
        let Some(id) = id else { return Ok(None) };
        if let Some(n) = self.users.get(&id) {
            return Ok(Some(n.clone()));
        }
        let name = get_user(tx, self.tenant, id)?.name;
        self.users.insert(id, name.clone());
        Ok(Some(name))
    }

    pub(crate) fn details(&mut self, tx: &mut dyn Tx, order: Order) -> Result<OrderDetails> {
        let product = match self.products.get(&order.product) {
            Some(p) => p.clone(),
            None => {
                let p = get_product(tx, self.tenant, order.product)?;
                self.products.insert(p.id, p.clone());
                p
            }
        };
        Ok(OrderDetails {
            product_name: product.name,
            product_kind: product.kind,
            holder_name: self.org(tx, order.holder)?,
            source_name: order.source.map(|s| self.org(tx, s)).transpose()?,
            requested_by_name: self.user_opt(tx, order.requested_by)?,
            approved_by_name: self.user_opt(tx, order.approved_by)?,
            order,
        })
    }
}

pub(crate) fn get_license(tx: &mut dyn Tx, tenant: TenantId, id: LicenseId) -> Result<License> {
    tx.license(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::License, id))
}

pub(crate) fn get_license_user(
    tx: &mut dyn Tx,
    tenant: TenantId,
    id: LicenseUserId,
) -> Result<LicenseUser> {
    tx.license_user(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::LicenseUser, id))
}

/// The movement of `order` changing by `issued` and `available` units.
pub(crate) fn shift(order: &Order, issued: i64, available: i64) -> Movement {
    Movement {
        order: order.id,
        org: order.holder,
        product: order.product,
        approved: 0,
        drawn: 0,
        issued,
        available,
    }
}
