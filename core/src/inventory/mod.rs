//! The entry point: [`Inventory`] (provisioning, audit) and [`Session`] (everything a user does).
//!
//! Every public method is one atomic transaction on the store: it either does all it says, or
//! returns an error and changes nothing.

mod batch;
mod bundles;
mod export;
mod history;
mod idempotency;
mod license_users;
mod licenses;
mod managers;
mod metadata;
mod orders;
mod outbox;
mod policies;
mod returns;
pub(crate) mod rules;

pub use batch::{BatchCommand, BatchResult, MAX_BATCH};
pub use history::{Holding, LedgerFilter, OrderFigures};
pub use idempotency::MAX_IDEMPOTENCY_KEY;
pub use license_users::MIN_PASSWORD;
pub use licenses::MAX_ISSUE;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::checked::Checked;
use crate::error::{Entity, Error, Result};
use crate::hierarchy::{NewOrganization, NewTenant, NewUser, Organization, Tenant, Tier, User};
use crate::ids::{OrderId, OrgId, ProductId, TenantId, UserId};
use crate::input::{self, MAX_PAGE};
use crate::ledger::{GENESIS_HASH, LedgerEntry, LedgerKind};
use crate::product::{NewProduct, Product};
use crate::store::{MemoryStore, Store, Tx};
use crate::time::{self, Clock, SystemClock};

pub use orders::Session;
use rules::{
    ancestors, append, draft, get_org, get_product, get_tenant, get_user, lock_tenant, page_limit,
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
/// let order = vera.mint(NewMint::new(product.id, 10))?;
/// assert_eq!(order.available, 10);
/// assert!(inv.audit(tenant.id)?.is_clean());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Inventory {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// Set on a handle from [`Inventory::with_idempotency_key`].
    idempotency_key: Option<Arc<str>>,
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
    /// Units retired (issued in deleted orders, or unconsumed and minted at the vendor).
    pub retired: u64,
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
            idempotency_key: None,
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

    pub(crate) fn now(&self) -> DateTime<Utc> {
        time::truncate(self.clock.now())
    }

    pub(crate) fn write<T>(
        &self,
        mut work: impl FnMut(&mut dyn Tx, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
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

    pub(crate) fn read<T>(&self, mut work: impl FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
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
                retired: 0,
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
        self.command(tenant, "create_org", &(&name, new.tier, new.parent), |tx, now| {
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
        self.command(tenant, "deactivate_org", &id, |tx, now| {
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
        self.command(tenant, "create_user", &(&name, &email), |tx, now| {
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
        self.command(tenant, "grant_admin", &(user, org), |tx, now| {
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

    /// Defines a product, with the default license policy (perpetual, one device); its code
    /// must be unique within the tenant.
    pub fn create_product(&self, tenant: TenantId, new: NewProduct) -> Result<Product> {
        self.create_product_with_policy(tenant, new, crate::license::LicensePolicy::default())
    }

    /// Defines a product with the policy of the licenses issued for it, in one transaction.
    pub fn create_product_with_policy(
        &self,
        tenant: TenantId,
        new: NewProduct,
        policy: crate::license::LicensePolicy,
    ) -> Result<Product> {
        policy.validate()?;
        let code = input::code(&new.code)?;
        let name = input::name("product name", &new.name)?;
        self.command(
            tenant,
            "create_product",
            &(&code, &name, new.kind, policy),
            |tx, now| {
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
                    policy,
                    created_at: now,
                };
                tx.insert_product(&product)?;
                append(tx, tenant, now, draft(None, LedgerKind::ProductCreated))?;
                Ok(product)
            },
        )
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
        Ok(Session::new(self.clone(), tenant, user))
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
                retired: t.retired,
                ..Audit::default()
            };
            for o in &orders {
                if let Err(e) = o.check_invariants() {
                    audit.problems.push(e.to_string());
                }
                audit.available = audit.available.saturating_add(o.available);
                audit.issued = audit.issued.saturating_add(o.issued);
            }
            if audit.available.saturating_add(audit.issued).saturating_add(t.retired) != t.minted {
                audit.problems.push(format!(
                    "minted {} - retired {} != available {} + issued {}",
                    t.minted, t.retired, audit.available, audit.issued
                ));
            }
            // Replay the ledger.
            let mut replay: HashMap<OrderId, [i64; 4]> = HashMap::new();
            let mut minted: u64 = 0;
            let mut retired: u64 = 0;
            let mut prev = GENESIS_HASH.to_owned();
            let mut after = 0;
            loop {
                let batch = tx.ledger(tenant, after, MAX_PAGE)?;
                let Some(last) = batch.last() else { break };
                after = last.seq;
                for e in &batch {
                    audit.ledger_entries = audit.ledger_entries.plus(1)?;
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
                    retired = retired.saturating_add(e.retired);
                    for m in &e.movements {
                        let q = replay.entry(m.order).or_default();
                        let [approved, drawn, issued, available] = q;
                        *approved = approved.plus(m.approved)?;
                        *drawn = drawn.plus(m.drawn)?;
                        *issued = issued.plus(m.issued)?;
                        *available = available.plus(m.available)?;
                    }
                }
            }
            if (minted, retired) != (t.minted, t.retired) {
                audit.problems.push(format!(
                    "ledger mints {minted} and retires {retired} but the tenant records {} and {}",
                    t.minted, t.retired
                ));
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
            // Deleted orders replay to zero.
            for (id, q) in &replay {
                if *q != [0; 4] {
                    audit.problems.push(format!("ledger leaves {q:?} on order {id}, which no longer exists"));
                }
            }
            Ok(audit)
        })
    }
}
