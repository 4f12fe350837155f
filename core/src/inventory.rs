//! The entry point: [`Inventory`] (provisioning, audit) and [`Session`] (everything a user does).
//!
//! Every public method is one atomic transaction on the store: it either does all it says, or
//! returns an error and changes nothing.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::error::{Action, Entity, Error, Result};
use crate::hierarchy::{NewOrganization, NewTenant, NewUser, Organization, Tenant, Tier, User};
use crate::ids::{OrderId, OrderNumber, OrgId, ProductId, TenantId, UserId};
use crate::input::{self, MAX_COMMENT, MAX_PAGE, MAX_PURCHASE_ORDER, signed};
use crate::ledger::{GENESIS_HASH, LedgerEntry, LedgerKind, Movement};
use crate::order::{Draw, NewAssignment, NewMint, NewRequest, Order, OrderStatus, RequestEdit};
use crate::product::{NewProduct, Product};
use crate::store::{MemoryStore, Store, Tx};
use crate::time::{self, Clock, SystemClock};
use crate::views::{
    Cursor, InventoryFilter, InventoryUse, OrderDetails, Page, SummaryLine, UseLine,
};

/// A handle on one store: cheap to clone, safe to share between threads.
///
/// ```
/// use license_inventory::*;
/// # fn main() -> Result<()> {
/// let inv = Inventory::in_memory();
/// let tenant = inv.create_tenant(NewTenant {
///     name: "Jasperactive".into(),
///     plan: Plan::Standard,
///     vendor_name: "Jasperactive".into(),
///     first_order_number: None,
/// })?;
/// let admin = inv.create_user(tenant.id, NewUser { name: "Vera Vendor".into(), email: "vera@example.com".into() })?;
/// inv.grant_admin(tenant.id, admin.id, tenant.vendor)?;
/// let product = inv.create_product(tenant.id, NewProduct { code: "CL".into(), name: "Center License".into(), kind: ProductKind::License })?;
/// let vera = inv.session(tenant.id, admin.id)?;
/// let order = vera.mint(NewMint { product: product.id, quantity: 10, ..Default::default() })?;
/// assert_eq!(order.available, 10);
/// assert!(inv.audit(tenant.id)?.is_clean());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Inventory {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Inventory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inventory").finish_non_exhaustive()
    }
}

/// The result of [`Inventory::audit`]: conservation and ledger checks over a whole tenant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audit {
    /// Orders examined.
    pub orders: usize,
    /// Ledger entries examined.
    pub ledger_entries: u64,
    /// Units the tenant ever minted.
    pub minted: u64,
    /// Σ available over all orders.
    pub available: u64,
    /// Σ issued over all orders.
    pub issued: u64,
    /// Every discrepancy found; empty when all holds.
    pub problems: Vec<String>,
}

impl Audit {
    /// True when no problem was found.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Inventory {
    /// An inventory over `store`, with the system clock.
    pub fn new(store: impl Store + 'static) -> Self {
        Self::from_store(Arc::new(store))
    }

    /// An inventory over a shared store.
    pub fn from_store(store: Arc<dyn Store>) -> Self {
        Inventory {
            store,
            clock: Arc::new(SystemClock),
        }
    }

    /// An inventory in memory (nothing is persisted).
    pub fn in_memory() -> Self {
        Self::new(MemoryStore::new())
    }

    /// An inventory in an SQLite file (created and migrated as needed), with default options.
    #[cfg(feature = "sqlite")]
    pub fn open_sqlite(path: impl AsRef<std::path::Path>) -> Result<Self> {
        Ok(Self::new(crate::store::SqliteStore::open(path)?))
    }

    /// The same inventory reading time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The store underneath.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    fn now(&self) -> DateTime<Utc> {
        time::truncate(self.clock.now())
    }

    fn write<T>(&self, mut work: impl FnMut(&mut dyn Tx, DateTime<Utc>) -> Result<T>) -> Result<T> {
        let now = self.now();
        let mut out = None;
        self.store.write(&mut |tx| {
            out = Some(work(tx, now)?);
            Ok(())
        })?;
        out.ok_or_else(|| {
            Error::InvariantViolated("the store committed without running the work".into())
        })
    }

    fn read<T>(&self, mut work: impl FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut out = None;
        self.store.read(&mut |tx| {
            out = Some(work(tx)?);
            Ok(())
        })?;
        out.ok_or_else(|| {
            Error::InvariantViolated("the store returned without running the work".into())
        })
    }

    /// Creates a tenant and its vendor (root) organization.
    pub fn create_tenant(&self, new: NewTenant) -> Result<Tenant> {
        let name = input::name("tenant name", &new.name)?;
        let vendor_name = input::name("vendor name", &new.vendor_name)?;
        let first = new.first_order_number.unwrap_or(1);
        if first == 0 || first > 1_000_000_000_000 {
            return Err(Error::invalid(
                "first order number",
                "must be between 1 and 10^12",
            ));
        }
        self.write(|tx, now| {
            let tenant = Tenant {
                id: TenantId::new(),
                name: name.clone(),
                plan: new.plan,
                vendor: OrgId::new(),
                minted: 0,
                next_order_number: first,
                created_at: now,
            };
            let vendor = Organization {
                id: tenant.vendor,
                tenant: tenant.id,
                name: vendor_name.clone(),
                tier: Tier::Vendor,
                parent: None,
                active: true,
                created_at: now,
            };
            tx.insert_tenant(&tenant)?;
            tx.insert_org(&vendor)?;
            let entry = draft(None, LedgerKind::TenantCreated).org(vendor.id);
            append(tx, tenant.id, now, entry)?;
            Ok(tenant)
        })
    }

    /// Reads a tenant.
    pub fn tenant(&self, id: TenantId) -> Result<Tenant> {
        self.read(|tx| {
            tx.tenant(id)?
                .ok_or_else(|| Error::not_found(Entity::Tenant, id))
        })
    }

    /// Every tenant in the store, oldest first (to find one again in a reopened store).
    pub fn tenants(&self) -> Result<Vec<Tenant>> {
        self.read(|tx| tx.tenants())
    }

    /// Creates an organization under `new.parent`, whose tier must be strictly higher.
    pub fn create_org(&self, tenant: TenantId, new: NewOrganization) -> Result<Organization> {
        let name = input::name("organization name", &new.name)?;
        if new.tier == Tier::Vendor {
            return Err(Error::hierarchy(
                "a tenant has exactly one vendor, created with the tenant",
            ));
        }
        self.write(|tx, now| {
            lock_tenant(tx, tenant)?;
            let parent = get_org(tx, tenant, new.parent)?;
            if parent.tier.rank() >= new.tier.rank() {
                return Err(Error::hierarchy(format!(
                    "a {} cannot be placed under the {} '{}': a parent's tier must be strictly higher",
                    new.tier, parent.tier, parent.name
                )));
            }
            if !parent.active {
                return Err(Error::hierarchy(format!(
                    "the parent '{}' is deactivated",
                    parent.name
                )));
            }
            // The new org has no children, so it cannot close a cycle; still make sure the
            // parent's own chain reaches the root.
            ancestors(tx, tenant, &parent)?;
            let org = Organization {
                id: OrgId::new(),
                tenant,
                name: name.clone(),
                tier: new.tier,
                parent: Some(parent.id),
                active: true,
                created_at: now,
            };
            tx.insert_org(&org)?;
            append(tx, tenant, now, draft(None, LedgerKind::OrgCreated).org(org.id))?;
            Ok(org)
        })
    }

    /// Reads an organization.
    pub fn org(&self, tenant: TenantId, id: OrgId) -> Result<Organization> {
        self.read(|tx| get_org(tx, tenant, id))
    }

    /// Deactivates an organization: it keeps its orders, but cannot request, approve, assign or
    /// receive inventory any more. The vendor cannot be deactivated.
    pub fn deactivate_org(&self, tenant: TenantId, id: OrgId) -> Result<Organization> {
        self.write(|tx, now| {
            lock_tenant(tx, tenant)?;
            let mut org = get_org(tx, tenant, id)?;
            if org.tier == Tier::Vendor {
                return Err(Error::hierarchy("the vendor cannot be deactivated"));
            }
            if org.active {
                org.active = false;
                tx.update_org(&org)?;
                append(
                    tx,
                    tenant,
                    now,
                    draft(None, LedgerKind::OrgDeactivated).org(org.id),
                )?;
            }
            Ok(org)
        })
    }

    /// Creates a user; the email must be unique within the tenant.
    pub fn create_user(&self, tenant: TenantId, new: NewUser) -> Result<User> {
        let name = input::name("user name", &new.name)?;
        let email = input::email(&new.email)?;
        self.write(|tx, now| {
            lock_tenant(tx, tenant)?;
            if tx.user_by_email(tenant, &email)?.is_some() {
                return Err(Error::Conflict {
                    what: format!("a user with email {email}"),
                });
            }
            let user = User {
                id: UserId::new(),
                tenant,
                name: name.clone(),
                email: email.clone(),
                created_at: now,
            };
            tx.insert_user(&user)?;
            append(tx, tenant, now, draft(None, LedgerKind::UserCreated))?;
            Ok(user)
        })
    }

    /// Reads a user.
    pub fn user(&self, tenant: TenantId, id: UserId) -> Result<User> {
        self.read(|tx| get_user(tx, tenant, id))
    }

    /// Makes `user` an admin of `org` (idempotent). Admins of the vendor are system administrators.
    pub fn grant_admin(&self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        self.write(|tx, now| {
            lock_tenant(tx, tenant)?;
            get_user(tx, tenant, user)?;
            get_org(tx, tenant, org)?;
            if !tx.admin_orgs(tenant, user)?.contains(&org) {
                tx.insert_admin(tenant, user, org)?;
                append(
                    tx,
                    tenant,
                    now,
                    draft(None, LedgerKind::AdminGranted).org(org),
                )?;
            }
            Ok(())
        })
    }

    /// Defines a product; its code must be unique within the tenant.
    pub fn create_product(&self, tenant: TenantId, new: NewProduct) -> Result<Product> {
        let code = input::code(&new.code)?;
        let name = input::name("product name", &new.name)?;
        self.write(|tx, now| {
            lock_tenant(tx, tenant)?;
            if tx.product_by_code(tenant, &code)?.is_some() {
                return Err(Error::Conflict {
                    what: format!("a product with code {code}"),
                });
            }
            let product = Product {
                id: ProductId::new(),
                tenant,
                code: code.clone(),
                name: name.clone(),
                kind: new.kind,
                created_at: now,
            };
            tx.insert_product(&product)?;
            append(tx, tenant, now, draft(None, LedgerKind::ProductCreated))?;
            Ok(product)
        })
    }

    /// Reads a product.
    pub fn product(&self, tenant: TenantId, id: ProductId) -> Result<Product> {
        self.read(|tx| get_product(tx, tenant, id))
    }

    /// Reads a product by its code.
    pub fn product_by_code(&self, tenant: TenantId, code: &str) -> Result<Product> {
        self.read(|tx| {
            tx.product_by_code(tenant, code)?
                .ok_or_else(|| Error::not_found(Entity::Product, code))
        })
    }

    /// Acts as `user`: every action of the returned session is checked against their roles.
    pub fn session(&self, tenant: TenantId, user: UserId) -> Result<Session> {
        self.user(tenant, user)?;
        Ok(Session {
            inv: self.clone(),
            tenant,
            user,
        })
    }

    /// Up to `limit` ledger entries of the tenant with sequence numbers above `after`.
    pub fn ledger(&self, tenant: TenantId, after: u64, limit: usize) -> Result<Vec<LedgerEntry>> {
        let limit = page_limit(limit)?;
        self.read(|tx| {
            get_tenant(tx, tenant)?;
            tx.ledger(tenant, after, limit)
        })
    }

    /// Checks a whole tenant in one snapshot: every order's conservation rule, the tenant's
    /// `minted = Σ available + Σ issued`, the ledger's hash chain and sequence, and that replaying
    /// the ledger's movements rebuilds every order's quantities.
    pub fn audit(&self, tenant: TenantId) -> Result<Audit> {
        self.read(|tx| {
            let t = get_tenant(tx, tenant)?;
            let orders = tx.all_orders(tenant)?;
            let mut audit = Audit {
                orders: orders.len(),
                minted: t.minted,
                ..Audit::default()
            };
            for o in &orders {
                if let Err(e) = o.check_invariants() {
                    audit.problems.push(e.to_string());
                }
                audit.available = audit.available.saturating_add(o.available);
                audit.issued = audit.issued.saturating_add(o.issued);
            }
            if audit.available.saturating_add(audit.issued) != t.minted {
                audit.problems.push(format!(
                    "minted {} != available {} + issued {}",
                    t.minted, audit.available, audit.issued
                ));
            }
            // Replay the ledger.
            let mut replay: HashMap<OrderId, [i64; 4]> = HashMap::new();
            let mut minted: u64 = 0;
            let mut prev = GENESIS_HASH.to_owned();
            let mut after = 0;
            loop {
                let batch = tx.ledger(tenant, after, MAX_PAGE)?;
                let Some(last) = batch.last() else { break };
                after = last.seq;
                for e in &batch {
                    audit.ledger_entries += 1;
                    if e.seq != audit.ledger_entries {
                        audit.problems.push(format!("ledger sequence gap before entry {}", e.seq));
                    }
                    if e.prev_hash != prev || e.compute_hash() != e.hash {
                        audit.problems.push(format!("ledger entry {} fails its hash chain", e.seq));
                    }
                    if let Err(err) = e.check_balance() {
                        audit.problems.push(err.to_string());
                    }
                    prev.clone_from(&e.hash);
                    minted = minted.saturating_add(e.minted);
                    for m in &e.movements {
                        let q = replay.entry(m.order).or_default();
                        q[0] += m.approved;
                        q[1] += m.drawn;
                        q[2] += m.issued;
                        q[3] += m.available;
                    }
                }
            }
            if minted != t.minted {
                audit.problems.push(format!("ledger mints {minted} but the tenant records {}", t.minted));
            }
            for o in &orders {
                let q = replay.remove(&o.id).unwrap_or_default();
                let actual = [o.approved_quantity, o.drawn, o.issued, o.available]
                    .map(|v| i64::try_from(v).unwrap_or(i64::MAX));
                if q != actual {
                    audit.problems.push(format!(
                        "order {}: ledger replays to {q:?} (approved, drawn, issued, available) but holds {actual:?}",
                        o.number
                    ));
                }
            }
            for id in replay.keys() {
                audit.problems.push(format!("ledger moves unknown order {id}"));
            }
            Ok(audit)
        })
    }
}

/// A user acting on the inventory. Every call checks the user's roles (DOMAIN §5).
#[derive(Clone, Debug)]
pub struct Session {
    inv: Inventory,
    tenant: TenantId,
    user: UserId,
}

impl Session {
    /// The acting user.
    pub fn user(&self) -> UserId {
        self.user
    }

    /// The tenant.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// Mints new stock into an order held by the vendor. Vendor admins only.
    pub fn mint(&self, new: NewMint) -> Result<Order> {
        let quantity = input::quantity(new.quantity)?;
        let po = input::text(
            "purchase order",
            new.purchase_order.as_deref(),
            MAX_PURCHASE_ORDER,
        )?;
        let comments = input::text("comments", new.comments.as_deref(), MAX_COMMENT)?;
        self.inv.write(|tx, now| {
            let mut actor = Actor::load(tx, self.tenant, self.user)?;
            if !actor.is_vendor_admin() {
                return Err(actor.denied(Action::Mint, "only vendor admins mint inventory"));
            }
            get_product(tx, self.tenant, new.product)?;
            let number = actor.take_number()?;
            actor.tenant.minted = actor
                .tenant
                .minted
                .checked_add(quantity)
                .ok_or_else(overflow)?;
            let order = Order {
                id: OrderId::new(),
                number,
                tenant: self.tenant,
                product: new.product,
                purchase_order: po.clone(),
                holder: actor.tenant.vendor,
                source: None,
                requested_by: Some(self.user),
                requested_at: now,
                requested_quantity: quantity,
                requester_comments: comments.clone(),
                approved_by: Some(self.user),
                approved_at: Some(now),
                approved_quantity: quantity,
                approval_comments: None,
                status: OrderStatus::Active,
                drawn: 0,
                issued: 0,
                available: quantity,
                updated_at: now,
            };
            order.check_invariants()?;
            tx.insert_order(&order)?;
            tx.update_tenant(&actor.tenant)?;
            let mut entry = draft(Some(self.user), LedgerKind::Minted).order(&order);
            entry.minted = quantity;
            entry.movements.push(arrival(&order)?);
            append(tx, self.tenant, now, entry)?;
            Ok(order)
        })
    }

    /// Requests units from the holder's parent organization. The order starts `requested`.
    pub fn request(&self, new: NewRequest) -> Result<Order> {
        let quantity = input::quantity(new.quantity)?;
        let po = input::text(
            "purchase order",
            new.purchase_order.as_deref(),
            MAX_PURCHASE_ORDER,
        )?;
        let comments = input::text("requester comments", new.comments.as_deref(), MAX_COMMENT)?;
        self.inv.write(|tx, now| {
            let mut actor = Actor::load(tx, self.tenant, self.user)?;
            let holder = get_org(tx, self.tenant, new.holder)?;
            actor.require_admin(&holder, Action::Request)?;
            let Some(source_id) = holder.parent else {
                return Err(Error::hierarchy(
                    "the vendor has no parent to request from; mint stock instead",
                ));
            };
            let source = get_org(tx, self.tenant, source_id)?;
            require_active(&holder)?;
            require_active(&source)?;
            get_product(tx, self.tenant, new.product)?;
            let order = Order {
                id: OrderId::new(),
                number: actor.take_number()?,
                tenant: self.tenant,
                product: new.product,
                purchase_order: po.clone(),
                holder: holder.id,
                source: Some(source.id),
                requested_by: Some(self.user),
                requested_at: now,
                requested_quantity: quantity,
                requester_comments: comments.clone(),
                approved_by: None,
                approved_at: None,
                approved_quantity: 0,
                approval_comments: None,
                status: OrderStatus::Requested,
                drawn: 0,
                issued: 0,
                available: 0,
                updated_at: now,
            };
            order.check_invariants()?;
            tx.insert_order(&order)?;
            tx.update_tenant(&actor.tenant)?;
            append(
                tx,
                self.tenant,
                now,
                draft(Some(self.user), LedgerKind::Requested).order(&order),
            )?;
            Ok(order)
        })
    }

    /// Edits a pending request (purchase order, product, quantity, comments). Admins of the
    /// requesting organization only; refused once the request is approved, rejected or cancelled.
    pub fn edit_request(&self, order: OrderId, edit: RequestEdit) -> Result<Order> {
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
        self.inv.write(|tx, now| {
            let actor = Actor::load(tx, self.tenant, self.user)?;
            let mut order = get_order(tx, self.tenant, order)?;
            let holder = get_org(tx, self.tenant, order.holder)?;
            actor.require_admin(&holder, Action::EditRequest)?;
            require_status(&order, OrderStatus::Requested, Action::EditRequest)?;
            if let Some(product) = edit.product {
                get_product(tx, self.tenant, product)?;
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
        })
    }

    /// Cancels (withdraws) a pending request. Admins of the requesting organization only.
    pub fn cancel(&self, order: OrderId) -> Result<Order> {
        self.inv.write(|tx, now| {
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
        })
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
        let quantity = quantity.map(input::quantity).transpose()?;
        let comments = input::text("approval comments", comments.as_deref(), MAX_COMMENT)?;
        self.inv.write(|tx, now| {
            let mut actor = Actor::load(tx, self.tenant, self.user)?;
            let mut order = get_order(tx, self.tenant, order)?;
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
            order.approved_quantity = qty;
            order.available = qty;
            order.status = OrderStatus::Active;
            order.approved_by = Some(self.user);
            order.approved_at = Some(now);
            order.approval_comments.clone_from(&comments);
            order.updated_at = now;
            order.check_invariants()?;
            tx.update_order(&order)?;
            let mut entry = draft(Some(self.user), LedgerKind::Approved).order(&order);
            entry.movements.push(arrival(&order)?);
            supply(tx, &mut actor.tenant, &source, &order, now, &mut entry)?;
            tx.update_tenant(&actor.tenant)?;
            append(tx, self.tenant, now, entry)?;
            Ok(order)
        })
    }

    /// Rejects a pending request addressed to the actor's organization.
    pub fn reject(&self, order: OrderId, comments: Option<String>) -> Result<Order> {
        let comments = input::text("approval comments", comments.as_deref(), MAX_COMMENT)?;
        self.inv.write(|tx, now| {
            let actor = Actor::load(tx, self.tenant, self.user)?;
            let mut order = get_order(tx, self.tenant, order)?;
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
            append(
                tx,
                self.tenant,
                now,
                draft(Some(self.user), LedgerKind::Rejected).order(&order),
            )?;
            Ok(order)
        })
    }

    /// Assigns (pushes) units from an organization to one of its children: a new order, born
    /// `active`, drawn like an approval.
    pub fn assign(&self, new: NewAssignment) -> Result<Order> {
        let quantity = input::quantity(new.quantity)?;
        let po = input::text(
            "purchase order",
            new.purchase_order.as_deref(),
            MAX_PURCHASE_ORDER,
        )?;
        let comments = input::text("comments", new.comments.as_deref(), MAX_COMMENT)?;
        self.inv.write(|tx, now| {
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
            get_product(tx, self.tenant, new.product)?;
            let order = Order {
                id: OrderId::new(),
                number: actor.take_number()?,
                tenant: self.tenant,
                product: new.product,
                purchase_order: po.clone(),
                holder: to.id,
                source: Some(from.id),
                requested_by: None,
                requested_at: now,
                requested_quantity: quantity,
                requester_comments: None,
                approved_by: Some(self.user),
                approved_at: Some(now),
                approved_quantity: quantity,
                approval_comments: comments.clone(),
                status: OrderStatus::Active,
                drawn: 0,
                issued: 0,
                available: quantity,
                updated_at: now,
            };
            order.check_invariants()?;
            tx.insert_order(&order)?;
            let mut entry = draft(Some(self.user), LedgerKind::Assigned).order(&order);
            entry.movements.push(arrival(&order)?);
            supply(tx, &mut actor.tenant, &from, &order, now, &mut entry)?;
            tx.update_tenant(&actor.tenant)?;
            append(tx, self.tenant, now, entry)?;
            Ok(order)
        })
    }

    /// An order with its names, if the actor may see it.
    pub fn order(&self, id: OrderId) -> Result<OrderDetails> {
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let order = get_order(tx, self.tenant, id)?;
            actor.require_view_order(tx, &order)?;
            Names::new(self.tenant).details(tx, order)
        })
    }

    /// An order by its number, if the actor may see it.
    pub fn order_by_number(&self, number: OrderNumber) -> Result<OrderDetails> {
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let order = tx
                .order_by_number(self.tenant, number)?
                .ok_or_else(|| Error::not_found(Entity::Order, number))?;
            actor.require_view_order(tx, &order)?;
            Names::new(self.tenant).details(tx, order)
        })
    }

    /// The inventory list of `org`: its orders matching `filter`, newest first, `limit` (1 to
    /// 1000) per page; pass the returned cursor back for the next page.
    pub fn list(
        &self,
        org: OrgId,
        filter: &InventoryFilter,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<OrderDetails>> {
        let limit = page_limit(limit)?;
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let org = get_org(tx, self.tenant, org)?;
            actor.require_view(tx, &org)?;
            let mut orders =
                tx.list_orders(self.tenant, org.id, filter, cursor.map(|c| c.0), limit + 1)?;
            let next = if orders.len() > limit {
                orders.truncate(limit);
                orders.last().map(|o| Cursor(o.number))
            } else {
                None
            };
            let mut names = Names::new(self.tenant);
            let items = orders
                .into_iter()
                .map(|o| names.details(tx, o))
                .collect::<Result<Vec<_>>>()?;
            Ok(Page { items, next })
        })
    }

    /// The summary of `org`: per product, units held and available, its pending requests, and
    /// the requests addressed to it awaiting approval.
    pub fn summary(&self, org: OrgId) -> Result<Vec<SummaryLine>> {
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let org = get_org(tx, self.tenant, org)?;
            actor.require_view(tx, &org)?;
            let counts = tx.summary(self.tenant, org.id)?;
            let mut lines = counts
                .into_iter()
                .map(|c| {
                    let p = get_product(tx, self.tenant, c.product)?;
                    Ok(SummaryLine {
                        product: c.product,
                        product_name: p.name,
                        product_kind: p.kind,
                        held: c.held,
                        available: c.available,
                        pending_requests: c.pending_requests,
                        pending_units: c.pending_units,
                        incoming_requests: c.incoming_requests,
                        incoming_units: c.incoming_units,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            lines.sort_by(|a, b| a.product_name.cmp(&b.product_name));
            Ok(lines)
        })
    }

    /// "Detail of Inventory Use" of an order: the order and its outgoing draws.
    pub fn detail_of_use(&self, id: OrderId) -> Result<InventoryUse> {
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let order = get_order(tx, self.tenant, id)?;
            actor.require_view_order(tx, &order)?;
            let mut names = Names::new(self.tenant);
            let mut draws = Vec::new();
            for d in tx.draws_from(self.tenant, order.id)? {
                let child = get_order(tx, self.tenant, d.order)?;
                draws.push(UseLine {
                    order: child.id,
                    order_number: child.number,
                    purchase_order: child.purchase_order.clone(),
                    quantity: d.quantity,
                    at: d.at,
                    requested_by_org: names.org(tx, child.holder)?,
                    requested_by_user: names.user_opt(tx, child.requested_by)?,
                    approved_by_org: names.org(tx, order.holder)?,
                    approved_by_user: names.user_opt(tx, child.approved_by)?,
                });
            }
            let order = names.details(tx, order)?;
            Ok(InventoryUse { order, draws })
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Rules shared by the operations above.

/// The acting user inside one transaction: their tenant (locked for writes) and admin roles.
struct Actor {
    user: UserId,
    tenant: Tenant,
    admin_of: Vec<OrgId>,
}

impl Actor {
    /// Loads the actor for a write: takes the tenant's write lock first.
    fn load(tx: &mut dyn Tx, tenant: TenantId, user: UserId) -> Result<Actor> {
        let t = lock_tenant(tx, tenant)?;
        Self::with_tenant(tx, t, user)
    }

    /// Loads the actor for a read (no lock).
    fn load_for_read(tx: &mut dyn Tx, tenant: TenantId, user: UserId) -> Result<Actor> {
        let t = get_tenant(tx, tenant)?;
        Self::with_tenant(tx, t, user)
    }

    fn with_tenant(tx: &mut dyn Tx, t: Tenant, user: UserId) -> Result<Actor> {
        let tenant = t.id;
        get_user(tx, tenant, user)?;
        Ok(Actor {
            user,
            tenant: t,
            admin_of: tx.admin_orgs(tenant, user)?,
        })
    }

    fn is_vendor_admin(&self) -> bool {
        self.admin_of.contains(&self.tenant.vendor)
    }

    fn is_admin(&self, org: OrgId) -> bool {
        self.is_vendor_admin() || self.admin_of.contains(&org)
    }

    fn denied(&self, action: Action, reason: impl Into<String>) -> Error {
        Error::PermissionDenied {
            action,
            actor: self.user,
            reason: reason.into(),
        }
    }

    fn require_admin(&self, org: &Organization, action: Action) -> Result<()> {
        if self.is_admin(org.id) {
            Ok(())
        } else {
            Err(self.denied(action, format!("not an admin of '{}'", org.name)))
        }
    }

    /// Admins of an organization or of any of its ancestors may read it.
    fn require_view(&self, tx: &mut dyn Tx, org: &Organization) -> Result<()> {
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

    fn require_view_order(&self, tx: &mut dyn Tx, order: &Order) -> Result<()> {
        let holder = get_org(tx, self.tenant.id, order.holder)?;
        self.require_view(tx, &holder)
    }

    /// Takes the next order number (the tenant row is written back by the caller's update).
    fn take_number(&mut self) -> Result<OrderNumber> {
        let n = self.tenant.next_order_number;
        self.tenant.next_order_number = n.checked_add(1).ok_or_else(overflow)?;
        Ok(OrderNumber(n))
    }
}

fn overflow() -> Error {
    Error::InvariantViolated("a counter would overflow".into())
}

fn page_limit(limit: usize) -> Result<usize> {
    if limit == 0 || limit > MAX_PAGE {
        Err(Error::invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE}"),
        ))
    } else {
        Ok(limit)
    }
}

fn lock_tenant(tx: &mut dyn Tx, id: TenantId) -> Result<Tenant> {
    tx.lock_tenant(id)?
        .ok_or_else(|| Error::not_found(Entity::Tenant, id))
}

fn get_tenant(tx: &mut dyn Tx, id: TenantId) -> Result<Tenant> {
    tx.tenant(id)?
        .ok_or_else(|| Error::not_found(Entity::Tenant, id))
}

fn get_org(tx: &mut dyn Tx, tenant: TenantId, id: OrgId) -> Result<Organization> {
    tx.org(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::Organization, id))
}

fn get_user(tx: &mut dyn Tx, tenant: TenantId, id: UserId) -> Result<User> {
    tx.user(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::User, id))
}

fn get_product(tx: &mut dyn Tx, tenant: TenantId, id: ProductId) -> Result<Product> {
    tx.product(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::Product, id))
}

fn get_order(tx: &mut dyn Tx, tenant: TenantId, id: OrderId) -> Result<Order> {
    tx.order(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::Order, id))
}

fn source_of(tx: &mut dyn Tx, order: &Order) -> Result<Organization> {
    let id = order.source.ok_or_else(|| {
        Error::InvariantViolated(format!("order {} has no source organization", order.number))
    })?;
    get_org(tx, order.tenant, id)
}

fn require_status(order: &Order, status: OrderStatus, action: Action) -> Result<()> {
    if order.status == status {
        Ok(())
    } else {
        Err(Error::InvalidState {
            order: order.number,
            status: order.status,
            action,
        })
    }
}

fn require_active(org: &Organization) -> Result<()> {
    if org.active {
        Ok(())
    } else {
        Err(Error::hierarchy(format!("'{}' is deactivated", org.name)))
    }
}

/// The ids of `org`'s ancestors, nearest first. Fails on a cycle or a broken chain.
fn ancestors(tx: &mut dyn Tx, tenant: TenantId, org: &Organization) -> Result<Vec<OrgId>> {
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
fn supply(
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
    let sources = tx.drawable_orders(tenant.id, source.id, order.product)?;
    let available = sources
        .iter()
        .try_fold(0u64, |acc, o| acc.checked_add(o.available))
        .ok_or_else(overflow)?;
    if available < qty {
        return Err(Error::InsufficientInventory {
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
        from.available -= take;
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
            available: -t,
        });
        remaining -= take;
    }
    Ok(())
}

/// The movement of an order receiving its approved units.
fn arrival(order: &Order) -> Result<Movement> {
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
struct Draft {
    actor: Option<UserId>,
    kind: LedgerKind,
    order: Option<OrderId>,
    org: Option<OrgId>,
    minted: u64,
    movements: Vec<Movement>,
}

fn draft(actor: Option<UserId>, kind: LedgerKind) -> Draft {
    Draft {
        actor,
        kind,
        order: None,
        org: None,
        minted: 0,
        movements: Vec::new(),
    }
}

impl Draft {
    fn org(mut self, org: OrgId) -> Self {
        self.org = Some(org);
        self
    }

    fn order(mut self, order: &Order) -> Self {
        self.order = Some(order.id);
        self.org = Some(order.holder);
        self
    }
}

/// Numbers, chains and appends an entry; refuses one that creates or destroys units.
fn append(tx: &mut dyn Tx, tenant: TenantId, now: DateTime<Utc>, d: Draft) -> Result<LedgerEntry> {
    let (seq, prev_hash) = match tx.ledger_head(tenant)? {
        Some(head) => (head.seq + 1, head.hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut entry = LedgerEntry {
        tenant,
        seq,
        at: now,
        actor: d.actor,
        kind: d.kind,
        order: d.order,
        org: d.org,
        minted: d.minted,
        movements: d.movements,
        prev_hash,
        hash: String::new(),
    };
    entry.check_balance()?;
    entry.hash = entry.compute_hash();
    tx.append_ledger(&entry)?;
    Ok(entry)
}

/// Looks names up once per call.
struct Names {
    tenant: TenantId,
    orgs: HashMap<OrgId, String>,
    users: HashMap<UserId, String>,
    products: HashMap<ProductId, Product>,
}

impl Names {
    fn new(tenant: TenantId) -> Self {
        Names {
            tenant,
            orgs: HashMap::new(),
            users: HashMap::new(),
            products: HashMap::new(),
        }
    }

    fn org(&mut self, tx: &mut dyn Tx, id: OrgId) -> Result<String> {
        if let Some(n) = self.orgs.get(&id) {
            return Ok(n.clone());
        }
        let name = get_org(tx, self.tenant, id)?.name;
        self.orgs.insert(id, name.clone());
        Ok(name)
    }

    fn user_opt(&mut self, tx: &mut dyn Tx, id: Option<UserId>) -> Result<Option<String>> {
        let Some(id) = id else { return Ok(None) };
        if let Some(n) = self.users.get(&id) {
            return Ok(Some(n.clone()));
        }
        let name = get_user(tx, self.tenant, id)?.name;
        self.users.insert(id, name.clone());
        Ok(Some(name))
    }

    fn details(&mut self, tx: &mut dyn Tx, order: Order) -> Result<OrderDetails> {
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
