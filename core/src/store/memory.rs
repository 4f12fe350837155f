//! The reference store: everything in memory behind one mutex.
//!
//! A transaction writes in place and keeps an undo log; on error the log is replayed backwards,
//! so the cost of a transaction grows with its work, never with the size of the store.
//!
//! A panic inside a transaction is rolled back too: the undo log is replayed when the
//! transaction is dropped, which happens during the unwind, before the mutex is released. So a
//! lock poisoned by such a panic guards a consistent state, and the next caller takes it over
//! (`PoisonError::into_inner`) instead of failing forever. The one case where that proof does
//! not hold, a panic in the replay itself, is recorded (`rolling_back` stays set) and then the
//! store refuses with [`StorageError::Poisoned`]. (A panic in the replay while already unwinding
//! aborts the process, so it never leaves a poisoned lock behind.)

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use crate::checked::Checked;
use crate::error::Error;
use crate::error::{Result, StorageError};
use crate::hierarchy::{Organization, Tenant, User};
use crate::idempotency::IdempotencyRecord;
use crate::ids::{
    BundleId, LicenseId, LicenseUserId, NotificationId, OrderId, OrderNumber, OrgId, ProductId,
    TenantId, UserId,
};
use crate::keys::LicenseKey;
use crate::ledger::{LedgerEntry, LedgerHead};
use crate::license::{License, LicenseUser};
use crate::notification::Notification;
use crate::order::{Draw, Order};
use crate::permission::LicenseManager;
use crate::product::{Bundle, Product};
use crate::store::{Store, Tx, Work};
use crate::views::{CountsChange, InventoryFilter, OrderList, SummaryCounts};

/// An in-memory store: fast, and gone when dropped. The reference the other stores must match.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>> {
        match self.state.lock() {
            Ok(state) => Ok(state),
            Err(poisoned) => {
                let state = poisoned.into_inner();
                if state.rolling_back {
                    return Err(StorageError::Poisoned.into());
                }
                // The panicking transaction was rolled back during its unwind (module docs).
                self.state.clear_poison();
                Ok(state)
            }
        }
    }
}

#[derive(Debug, Default)]
struct State {
    tenants: HashMap<TenantId, Tenant>,
    orgs: HashMap<OrgId, Organization>,
    users: HashMap<UserId, User>,
    users_by_email: HashMap<(TenantId, String), UserId>,
    /// Admin grants, by user and (the same grants) by organization.
    admins: BTreeSet<(TenantId, UserId, OrgId)>,
    admins_by_org: BTreeSet<(TenantId, OrgId, UserId)>,
    products: HashMap<ProductId, Product>,
    products_by_code: HashMap<(TenantId, String), ProductId>,
    orders: HashMap<OrderId, Box<Order>>,
    by_number: BTreeMap<(TenantId, OrderNumber), OrderId>,
    by_holder: HashMap<(TenantId, OrgId), BTreeSet<OrderNumber>>,
    by_source: HashMap<(TenantId, OrgId), BTreeSet<OrderNumber>>,
    /// Draws by (drawing order, source order), indexed both ways.
    draws: HashMap<(OrderId, OrderId), Draw>,
    draws_by_source: HashMap<OrderId, BTreeSet<OrderId>>,
    draws_by_order: HashMap<OrderId, BTreeSet<OrderId>>,
    ledger: HashMap<TenantId, Vec<LedgerEntry>>,
    /// Each tenant's recorded ledger head, moved by every append (docs/decisions.md §38).
    heads: HashMap<TenantId, LedgerHead>,
    bundles: HashMap<BundleId, Bundle>,
    licenses: HashMap<LicenseId, License>,
    license_keys: HashMap<(TenantId, LicenseKey), LicenseId>,
    licenses_by_order: HashMap<OrderId, BTreeSet<LicenseId>>,
    /// License users with their password hash.
    license_users: HashMap<LicenseUserId, (LicenseUser, Option<String>)>,
    /// License users by order and email (so an order's users are one range, sorted by email).
    license_user_emails: BTreeMap<(OrderId, String), LicenseUserId>,
    /// License managers by order and user, and (the same keys) by tenant and user.
    managers: BTreeMap<(OrderId, UserId), LicenseManager>,
    managers_by_user: BTreeSet<(TenantId, UserId, OrderId)>,
    /// Notifications and orders are boxed: the maps grow with every command, and growing moves
    /// every entry (a pointer, not a 400-byte row; docs/decisions.md §71).
    notifications: HashMap<NotificationId, Box<Notification>>,
    /// The unsent notifications, in outbox order.
    pending: BTreeSet<(TenantId, u64, NotificationId)>,
    idempotency: HashMap<(TenantId, String), IdempotencyRecord>,
    idempotency_secrets: HashMap<TenantId, String>,
    /// The summary counters, per organization and product (docs/decisions.md §41).
    counts: HashMap<(TenantId, OrgId), BTreeMap<ProductId, SummaryCounts>>,
    /// Set while an undo log is replayed: still set after a lock was poisoned means the replay
    /// panicked and the state cannot be trusted.
    rolling_back: bool,
}

/// How to take one write back.
enum Undo {
    Tenant(TenantId, Option<Tenant>),
    Org(OrgId, Option<Organization>),
    User(UserId, (TenantId, String)),
    Admin((TenantId, UserId, OrgId)),
    AdminRemoved((TenantId, UserId, OrgId)),
    UserUpdate(UserId, Box<User>),
    Product(ProductId, (TenantId, String)),
    Order(OrderId, Option<Box<Order>>),
    Draw((OrderId, OrderId), Option<Draw>),
    Ledger(TenantId),
    Bundle(BundleId),
    ProductUpdate(ProductId, Box<Product>),
    License(LicenseId, Option<Box<License>>),
    LicenseUser(LicenseUserId, Option<Box<(LicenseUser, Option<String>)>>),
    Manager((OrderId, UserId), Option<LicenseManager>),
    Notification(NotificationId, Option<Box<Notification>>),
    Idempotency((TenantId, String)),
    IdempotencyPruned(Box<IdempotencyRecord>),
    IdempotencySecret(TenantId),
    Counts((TenantId, OrgId), ProductId, Option<SummaryCounts>),
}

impl State {
    fn undo(&mut self, op: Undo) {
        match op {
            Undo::Tenant(id, old) => restore(&mut self.tenants, id, old),
            Undo::Org(id, old) => restore(&mut self.orgs, id, old),
            Undo::User(id, key) => {
                self.users.remove(&id);
                self.users_by_email.remove(&key);
            }
            Undo::Admin((tenant, user, org)) => {
                self.admins.remove(&(tenant, user, org));
                self.admins_by_org.remove(&(tenant, org, user));
            }
            Undo::AdminRemoved((tenant, user, org)) => {
                self.admins.insert((tenant, user, org));
                self.admins_by_org.insert((tenant, org, user));
            }
            Undo::UserUpdate(id, old) => {
                self.users.insert(id, *old);
            }
            Undo::Product(id, key) => {
                self.products.remove(&id);
                self.products_by_code.remove(&key);
            }
            Undo::Order(id, old) => {
                self.put_order(id, old.map(|o| *o));
            }
            Undo::Draw(key, old) => {
                self.put_draw(key, old);
            }
            Undo::Ledger(t) => {
                if let Some(v) = self.ledger.get_mut(&t) {
                    v.pop();
                    match v.last() {
                        Some(e) => {
                            self.heads.insert(
                                t,
                                LedgerHead {
                                    seq: e.seq,
                                    hash: e.hash.clone(),
                                },
                            );
                        }
                        None => {
                            self.heads.remove(&t);
                        }
                    }
                }
            }
            Undo::ProductUpdate(id, old) => {
                self.products.insert(id, *old);
            }
            Undo::Bundle(id) => {
                self.bundles.remove(&id);
            }
            Undo::License(id, old) => {
                self.put_license(id, old.map(|l| *l));
            }
            Undo::LicenseUser(id, old) => {
                self.put_license_user(id, old.map(|u| *u));
            }
            Undo::Manager(key, old) => {
                self.put_manager(key, old);
            }
            Undo::Notification(id, old) => {
                self.put_notification(id, old.map(|n| *n));
            }
            Undo::Idempotency(key) => {
                self.idempotency.remove(&key);
            }
            Undo::IdempotencyPruned(record) => {
                self.idempotency
                    .insert((record.tenant, record.key.clone()), *record);
            }
            Undo::IdempotencySecret(tenant) => {
                self.idempotency_secrets.remove(&tenant);
            }
            Undo::Counts(key, product, old) => {
                let lines = self.counts.entry(key).or_default();
                match old {
                    Some(c) => lines.insert(product, c),
                    None => lines.remove(&product),
                };
            }
        }
    }

    /// Sets (`Some`) or removes (`None`) a notification, keeping the pending index; returns the
    /// old one.
    fn put_notification(
        &mut self,
        id: NotificationId,
        new: Option<Notification>,
    ) -> Option<Notification> {
        let old = self.notifications.remove(&id).map(|n| *n);
        if let Some(n) = &old {
            self.pending.remove(&(n.tenant, n.seq, id));
        }
        if let Some(n) = new {
            if n.sent_at.is_none() {
                self.pending.insert((n.tenant, n.seq, id));
            }
            self.notifications.insert(id, Box::new(n));
        }
        old
    }

    /// Sets (`Some`) or removes (`None`) an order, keeping its indexes; returns the old one.
    fn put_order(&mut self, id: OrderId, new: Option<Order>) -> Option<Order> {
        let old = self.orders.remove(&id).map(|o| *o);
        if let Some(o) = &old {
            self.by_number.remove(&(o.tenant, o.number));
            if let Some(set) = self.by_holder.get_mut(&(o.tenant, o.holder)) {
                set.remove(&o.number);
            }
            if let Some(set) = o
                .source
                .and_then(|s| self.by_source.get_mut(&(o.tenant, s)))
            {
                set.remove(&o.number);
            }
        }
        if let Some(o) = new {
            self.by_number.insert((o.tenant, o.number), id);
            self.by_holder
                .entry((o.tenant, o.holder))
                .or_default()
                .insert(o.number);
            if let Some(src) = o.source {
                self.by_source
                    .entry((o.tenant, src))
                    .or_default()
                    .insert(o.number);
            }
            self.orders.insert(id, Box::new(o));
        }
        old
    }

    /// Sets or removes the license manager of `key = (order, user)`, keeping the by-user index;
    /// returns the old one.
    fn put_manager(
        &mut self,
        key: (OrderId, UserId),
        new: Option<LicenseManager>,
    ) -> Option<LicenseManager> {
        let old = self.managers.remove(&key);
        if let Some(m) = &old {
            self.managers_by_user.remove(&(m.tenant, m.user, m.order));
        }
        if let Some(m) = new {
            self.managers_by_user.insert((m.tenant, m.user, m.order));
            self.managers.insert(key, m);
        }
        old
    }

    /// The keys of `order`'s license managers (one range of the map).
    fn manager_keys(&self, order: OrderId) -> impl Iterator<Item = &(OrderId, UserId)> {
        self.managers
            .range((order, UserId::MIN)..=(order, UserId::MAX))
            .map(|(k, _)| k)
    }

    /// The ids of `order`'s license users, by email (one range of the email index).
    fn license_user_ids(&self, order: OrderId) -> impl Iterator<Item = LicenseUserId> + '_ {
        self.license_user_emails
            .range((order, String::new())..)
            .take_while(move |((o, _), _)| *o == order)
            .map(|(_, id)| *id)
    }

    /// Sets or removes the draw of `key = (order, source_order)`; returns the old one.
    fn put_draw(&mut self, key: (OrderId, OrderId), new: Option<Draw>) -> Option<Draw> {
        let old = self.draws.remove(&key);
        if old.is_some() {
            if let Some(set) = self.draws_by_source.get_mut(&key.1) {
                set.remove(&key.0);
            }
            if let Some(set) = self.draws_by_order.get_mut(&key.0) {
                set.remove(&key.1);
            }
        }
        if let Some(d) = new {
            self.draws_by_source.entry(key.1).or_default().insert(key.0);
            self.draws_by_order.entry(key.0).or_default().insert(key.1);
            self.draws.insert(key, d);
        }
        old
    }

    /// Sets or removes a license, keeping its key and order indexes; returns the old one.
    fn put_license(&mut self, id: LicenseId, new: Option<License>) -> Option<License> {
        let old = self.licenses.remove(&id);
        if let Some(l) = &old {
            self.license_keys.remove(&(l.tenant, l.key.clone()));
            if let Some(set) = self.licenses_by_order.get_mut(&l.order) {
                set.remove(&id);
            }
        }
        if let Some(l) = new {
            self.license_keys.insert((l.tenant, l.key.clone()), id);
            self.licenses_by_order
                .entry(l.order)
                .or_default()
                .insert(id);
            self.licenses.insert(id, l);
        }
        old
    }

    /// Sets or removes a license user (with password hash); returns the old one.
    fn put_license_user(
        &mut self,
        id: LicenseUserId,
        new: Option<(LicenseUser, Option<String>)>,
    ) -> Option<(LicenseUser, Option<String>)> {
        let old = self.license_users.remove(&id);
        if let Some((u, _)) = &old {
            self.license_user_emails.remove(&(u.order, u.email.clone()));
        }
        if let Some((u, hash)) = new {
            self.license_user_emails
                .insert((u.order, u.email.clone()), id);
            self.license_users.insert(id, (u, hash));
        }
        old
    }

    fn draws_of(&self, keys: impl Iterator<Item = (OrderId, OrderId)>) -> Vec<Draw> {
        keys.filter_map(|k| self.draws.get(&k).cloned()).collect()
    }

    fn orders_numbered<'a>(
        &'a self,
        tenant: TenantId,
        numbers: impl Iterator<Item = &'a OrderNumber> + 'a,
    ) -> impl Iterator<Item = &'a Order> + 'a {
        numbers.filter_map(move |n| {
            self.by_number
                .get(&(tenant, *n))
                .and_then(|id| self.orders.get(id))
                .map(|o| &**o)
        })
    }
}

fn restore<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, V>, key: K, old: Option<V>) {
    match old {
        Some(v) => {
            map.insert(key, v);
        }
        None => {
            map.remove(&key);
        }
    }
}

struct MemTx<'a> {
    state: &'a mut State,
    undo: Vec<Undo>,
    read_only: bool,
    /// Set when the transaction commits; otherwise dropping it rolls it back.
    keep: bool,
}

impl Drop for MemTx<'_> {
    /// Rolls back unless committed: on an error, in a read, and during a panic's unwind.
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        self.state.rolling_back = true;
        while let Some(op) = self.undo.pop() {
            self.state.undo(op);
        }
        self.state.rolling_back = false;
    }
}

impl MemTx<'_> {
    /// Refuses writes (and write locks) in a read transaction, as PostgreSQL does.
    fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(crate::error::Error::ReadOnlyTransaction)
        } else {
            Ok(())
        }
    }
}

impl Store for MemoryStore {
    fn write(&self, work: Work<'_>) -> Result<()> {
        let mut guard = self.lock()?;
        let mut tx = MemTx {
            state: &mut guard,
            undo: Vec::new(),
            read_only: false,
            keep: false,
        };
        let result = work(&mut tx);
        tx.keep = result.is_ok();
        drop(tx);
        result
    }

    fn read(&self, work: Work<'_>) -> Result<()> {
        let mut guard = self.lock()?;
        let mut tx = MemTx {
            state: &mut guard,
            undo: Vec::new(),
            read_only: true,
            keep: false,
        };
        let result = work(&mut tx);
        drop(tx);
        result
    }
}

fn missing(table: &'static str, what: impl std::fmt::Display) -> crate::error::Error {
    StorageError::RowCount {
        table,
        reason: format!("{what} does not exist"),
    }
    .into()
}

fn duplicate(table: &'static str, what: impl std::fmt::Display) -> crate::error::Error {
    StorageError::RowCount {
        table,
        reason: format!("{what} already exists"),
    }
    .into()
}

impl Tx for MemTx<'_> {
    fn insert_tenant(&mut self, tenant: &Tenant) -> Result<()> {
        self.writable()?;
        if self.state.tenants.contains_key(&tenant.id) {
            return Err(duplicate("tenants", tenant.id));
        }
        self.state.tenants.insert(tenant.id, tenant.clone());
        self.undo.push(Undo::Tenant(tenant.id, None));
        Ok(())
    }

    fn lock_tenant(&mut self, id: TenantId) -> Result<Option<Tenant>> {
        self.writable()?;
        self.tenant(id)
    }

    fn tenant(&mut self, id: TenantId) -> Result<Option<Tenant>> {
        Ok(self.state.tenants.get(&id).cloned())
    }

    fn tenants(&mut self) -> Result<Vec<Tenant>> {
        let mut all: Vec<Tenant> = self.state.tenants.values().cloned().collect();
        all.sort_by_key(|t| (t.created_at, t.id));
        Ok(all)
    }

    fn update_tenant(&mut self, tenant: &Tenant) -> Result<()> {
        self.writable()?;
        let old = self
            .state
            .tenants
            .insert(tenant.id, tenant.clone())
            .ok_or_else(|| missing("tenants", tenant.id))?;
        self.undo.push(Undo::Tenant(tenant.id, Some(old)));
        Ok(())
    }

    fn insert_org(&mut self, org: &Organization) -> Result<()> {
        self.writable()?;
        if self.state.orgs.contains_key(&org.id) {
            return Err(duplicate("organizations", org.id));
        }
        self.state.orgs.insert(org.id, org.clone());
        self.undo.push(Undo::Org(org.id, None));
        Ok(())
    }

    fn update_org(&mut self, org: &Organization) -> Result<()> {
        self.writable()?;
        let old = self
            .state
            .orgs
            .insert(org.id, org.clone())
            .ok_or_else(|| missing("organizations", org.id))?;
        self.undo.push(Undo::Org(org.id, Some(old)));
        Ok(())
    }

    fn org(&mut self, tenant: TenantId, id: OrgId) -> Result<Option<Organization>> {
        Ok(self
            .state
            .orgs
            .get(&id)
            .filter(|o| o.tenant == tenant)
            .cloned())
    }

    fn insert_user(&mut self, user: &User) -> Result<()> {
        self.writable()?;
        let key = (user.tenant, user.email.clone());
        if self.state.users.contains_key(&user.id) || self.state.users_by_email.contains_key(&key) {
            return Err(duplicate("users", &user.email));
        }
        self.state.users.insert(user.id, user.clone());
        self.state.users_by_email.insert(key.clone(), user.id);
        self.undo.push(Undo::User(user.id, key));
        Ok(())
    }

    fn update_user(&mut self, user: &User) -> Result<()> {
        self.writable()?;
        let old = self
            .state
            .users
            .get(&user.id)
            .filter(|u| u.tenant == user.tenant && u.email == user.email)
            .cloned()
            .ok_or_else(|| missing("users", user.id))?;
        self.state.users.insert(user.id, user.clone());
        self.undo.push(Undo::UserUpdate(user.id, Box::new(old)));
        Ok(())
    }

    fn user(&mut self, tenant: TenantId, id: UserId) -> Result<Option<User>> {
        Ok(self
            .state
            .users
            .get(&id)
            .filter(|u| u.tenant == tenant)
            .cloned())
    }

    fn user_by_email(&mut self, tenant: TenantId, email: &str) -> Result<Option<User>> {
        let id = self
            .state
            .users_by_email
            .get(&(tenant, email.to_owned()))
            .copied();
        Ok(id.and_then(|id| self.state.users.get(&id).cloned()))
    }

    fn insert_admin(&mut self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        self.writable()?;
        if self.state.admins.insert((tenant, user, org)) {
            self.state.admins_by_org.insert((tenant, org, user));
            self.undo.push(Undo::Admin((tenant, user, org)));
        }
        Ok(())
    }

    fn delete_admin(&mut self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        self.writable()?;
        if !self.state.admins.remove(&(tenant, user, org)) {
            return Err(missing("org_admins", user));
        }
        self.state.admins_by_org.remove(&(tenant, org, user));
        self.undo.push(Undo::AdminRemoved((tenant, user, org)));
        Ok(())
    }

    fn org_admins(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<UserId>> {
        Ok(self
            .state
            .admins_by_org
            .range((tenant, org, UserId::MIN)..=(tenant, org, UserId::MAX))
            .map(|(_, _, u)| *u)
            .collect())
    }

    fn idempotency(&mut self, tenant: TenantId, key: &str) -> Result<Option<IdempotencyRecord>> {
        Ok(self
            .state
            .idempotency
            .get(&(tenant, key.to_owned()))
            .cloned())
    }

    fn prune_idempotency(&mut self, tenant: TenantId, before: DateTime<Utc>) -> Result<u64> {
        self.writable()?;
        let old: Vec<(TenantId, String)> = self
            .state
            .idempotency
            .iter()
            .filter(|((t, _), r)| *t == tenant && r.at < before)
            .map(|(k, _)| k.clone())
            .collect();
        let mut pruned = 0u64;
        for k in old {
            if let Some(record) = self.state.idempotency.remove(&k) {
                self.undo.push(Undo::IdempotencyPruned(Box::new(record)));
                pruned = pruned.saturating_add(1);
            }
        }
        Ok(pruned)
    }

    fn insert_idempotency(&mut self, record: &IdempotencyRecord) -> Result<()> {
        self.writable()?;
        let k = (record.tenant, record.key.clone());
        if self.state.idempotency.contains_key(&k) {
            return Err(StorageError::RowCount {
                table: "idempotency_keys",
                reason: format!("key '{}' already exists", record.key),
            }
            .into());
        }
        self.state.idempotency.insert(k.clone(), record.clone());
        self.undo.push(Undo::Idempotency(k));
        Ok(())
    }

    fn idempotency_secret(&mut self, tenant: TenantId) -> Result<Option<String>> {
        Ok(self.state.idempotency_secrets.get(&tenant).cloned())
    }

    fn insert_idempotency_secret(&mut self, tenant: TenantId, secret: &str) -> Result<()> {
        self.writable()?;
        if self.state.idempotency_secrets.contains_key(&tenant) {
            return Err(StorageError::RowCount {
                table: "tenant_secrets",
                reason: format!("tenant {tenant} already has a secret"),
            }
            .into());
        }
        self.state
            .idempotency_secrets
            .insert(tenant, secret.to_owned());
        self.undo.push(Undo::IdempotencySecret(tenant));
        Ok(())
    }

    fn insert_notifications(&mut self, notifications: &[Notification]) -> Result<()> {
        self.writable()?;
        if let Some(n) = notifications
            .iter()
            .find(|n| self.state.notifications.contains_key(&n.id))
        {
            return Err(StorageError::RowCount {
                table: "notifications",
                reason: format!("notification {} already exists", n.id),
            }
            .into());
        }
        for n in notifications {
            self.state.put_notification(n.id, Some(n.clone()));
            self.undo.push(Undo::Notification(n.id, None));
        }
        Ok(())
    }

    fn pending_notifications(
        &mut self,
        tenant: TenantId,
        limit: usize,
    ) -> Result<Vec<Notification>> {
        let from = (tenant, 0, NotificationId::from_uuid(uuid::Uuid::nil()));
        Ok(self
            .state
            .pending
            .range(from..)
            .take_while(|(t, _, _)| *t == tenant)
            .take(limit)
            .filter_map(|(_, _, id)| {
                self.state
                    .notifications
                    .get(id)
                    .map(|n| Notification::clone(n))
            })
            .collect())
    }

    fn notification(
        &mut self,
        tenant: TenantId,
        id: NotificationId,
    ) -> Result<Option<Notification>> {
        Ok(self
            .state
            .notifications
            .get(&id)
            .filter(|n| n.tenant == tenant)
            .map(|n| Notification::clone(n)))
    }

    fn set_notification_sent(
        &mut self,
        tenant: TenantId,
        id: NotificationId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.writable()?;
        let Some(mut n) = self.notification(tenant, id)? else {
            return Err(StorageError::RowCount {
                table: "notifications",
                reason: format!("notification {id} does not exist"),
            }
            .into());
        };
        n.sent_at = Some(at);
        let old = self.state.put_notification(id, Some(n));
        self.undo.push(Undo::Notification(id, old.map(Box::new)));
        Ok(())
    }

    fn admin_orgs(&mut self, tenant: TenantId, user: UserId) -> Result<Vec<OrgId>> {
        Ok(self
            .state
            .admins
            .range((tenant, user, OrgId::MIN)..=(tenant, user, OrgId::MAX))
            .map(|(_, _, o)| *o)
            .collect())
    }

    fn insert_product(&mut self, product: &Product) -> Result<()> {
        self.writable()?;
        let key = (product.tenant, product.code.clone());
        if self.state.products.contains_key(&product.id)
            || self.state.products_by_code.contains_key(&key)
        {
            return Err(duplicate("products", &product.code));
        }
        self.state.products.insert(product.id, product.clone());
        self.state.products_by_code.insert(key.clone(), product.id);
        self.undo.push(Undo::Product(product.id, key));
        Ok(())
    }

    fn update_product(&mut self, product: &Product) -> Result<()> {
        self.writable()?;
        let old = self
            .state
            .products
            .insert(product.id, product.clone())
            .ok_or_else(|| missing("products", product.id))?;
        self.undo
            .push(Undo::ProductUpdate(product.id, Box::new(old)));
        Ok(())
    }

    fn product(&mut self, tenant: TenantId, id: ProductId) -> Result<Option<Product>> {
        Ok(self
            .state
            .products
            .get(&id)
            .filter(|p| p.tenant == tenant)
            .cloned())
    }

    fn product_by_code(&mut self, tenant: TenantId, code: &str) -> Result<Option<Product>> {
        let id = self
            .state
            .products_by_code
            .get(&(tenant, code.to_owned()))
            .copied();
        Ok(id.and_then(|id| self.state.products.get(&id).cloned()))
    }

    fn insert_order(&mut self, order: &Order) -> Result<()> {
        self.writable()?;
        let key = (order.tenant, order.number);
        if self.state.orders.contains_key(&order.id) || self.state.by_number.contains_key(&key) {
            return Err(duplicate("orders", order.number));
        }
        self.state.put_order(order.id, Some(order.clone()));
        self.undo.push(Undo::Order(order.id, None));
        Ok(())
    }

    fn update_order(&mut self, order: &Order) -> Result<()> {
        self.writable()?;
        let row = self
            .state
            .orders
            .get_mut(&order.id)
            .filter(|o| o.tenant == order.tenant)
            .ok_or_else(|| missing("orders", order.number))?;
        if row.holder != order.holder || row.source != order.source || row.number != order.number {
            return Err(Error::InvariantViolated(format!(
                "order {}: holder, source and number never change",
                order.number
            )));
        }
        // The indexes are by tenant, number, holder and source, none of which changed: only the
        // row is replaced (`put_order`, which the undo uses, would give the same state).
        let old = std::mem::replace(row, Box::new(order.clone()));
        self.undo.push(Undo::Order(order.id, Some(old)));
        Ok(())
    }

    fn order(&mut self, tenant: TenantId, id: OrderId) -> Result<Option<Order>> {
        Ok(self
            .state
            .orders
            .get(&id)
            .filter(|o| o.tenant == tenant)
            .map(|o| Order::clone(o)))
    }

    fn order_by_number(&mut self, tenant: TenantId, number: OrderNumber) -> Result<Option<Order>> {
        Ok(self
            .state
            .by_number
            .get(&(tenant, number))
            .and_then(|id| self.state.orders.get(id))
            .map(|o| Order::clone(o)))
    }

    fn drawable_orders(
        &mut self,
        tenant: TenantId,
        holder: OrgId,
        product: ProductId,
    ) -> Result<Vec<Order>> {
        let Some(numbers) = self.state.by_holder.get(&(tenant, holder)) else {
            return Ok(Vec::new());
        };
        Ok(self
            .state
            .orders_numbered(tenant, numbers.iter())
            .filter(|o| o.product == product && o.is_drawable())
            .cloned()
            .collect())
    }

    fn list_orders(
        &mut self,
        tenant: TenantId,
        org: OrgId,
        list: OrderList,
        filter: &InventoryFilter,
        before: Option<OrderNumber>,
        limit: usize,
    ) -> Result<Vec<Order>> {
        let index = match list {
            OrderList::Held => &self.state.by_holder,
            OrderList::AwaitingDecision | OrderList::Supplied => &self.state.by_source,
        };
        let Some(numbers) = index.get(&(tenant, org)) else {
            return Ok(Vec::new());
        };
        let upper = before.unwrap_or(OrderNumber(u64::MAX));
        Ok(self
            .state
            .orders_numbered(tenant, numbers.range(..upper).rev())
            .filter(|o| list.contains(org, o) && filter.matches(o))
            .take(limit)
            .cloned()
            .collect())
    }

    fn all_orders(&mut self, tenant: TenantId) -> Result<Vec<Order>> {
        Ok(self
            .state
            .by_number
            .range((tenant, OrderNumber(0))..=(tenant, OrderNumber(u64::MAX)))
            .filter_map(|(_, id)| self.state.orders.get(id).map(|o| Order::clone(o)))
            .collect())
    }

    fn summary(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<SummaryCounts>> {
        Ok(self
            .state
            .counts
            .get(&(tenant, org))
            .into_iter()
            .flat_map(BTreeMap::values)
            .filter(|c| c.is_shown())
            .cloned()
            .collect())
    }

    fn change_counts(&mut self, tenant: TenantId, changes: &[CountsChange]) -> Result<()> {
        self.writable()?;
        for change in changes {
            let lines = self.state.counts.entry((tenant, change.org)).or_default();
            let old = lines.get(&change.product).cloned();
            let mut line = old
                .clone()
                .unwrap_or_else(|| SummaryCounts::new(change.product));
            change.apply(&mut line)?;
            lines.insert(change.product, line);
            self.undo
                .push(Undo::Counts((tenant, change.org), change.product, old));
        }
        Ok(())
    }

    fn all_counts(&mut self, tenant: TenantId) -> Result<Vec<(OrgId, SummaryCounts)>> {
        Ok(self
            .state
            .counts
            .iter()
            .filter(|((t, _), _)| *t == tenant)
            .flat_map(|((_, org), lines)| lines.values().map(|c| (*org, c.clone())))
            .collect())
    }

    fn insert_draw(&mut self, draw: &Draw) -> Result<()> {
        self.writable()?;
        let key = (draw.order, draw.source_order);
        if self.state.draws.contains_key(&key) {
            return Err(duplicate(
                "draws",
                format!("draw of {} from {}", draw.order, draw.source_order),
            ));
        }
        self.state.put_draw(key, Some(draw.clone()));
        self.undo.push(Undo::Draw(key, None));
        Ok(())
    }

    fn draws_from(&mut self, tenant: TenantId, source_order: OrderId) -> Result<Vec<Draw>> {
        let keys: Vec<_> = self
            .state
            .draws_by_source
            .get(&source_order)
            .map(|set| set.iter().map(|o| (*o, source_order)).collect())
            .unwrap_or_default();
        let mut v = self.state.draws_of(keys.into_iter());
        v.retain(|d| d.tenant == tenant);
        Ok(v)
    }

    fn draws_into(&mut self, tenant: TenantId, order: OrderId) -> Result<Vec<Draw>> {
        let keys: Vec<_> = self
            .state
            .draws_by_order
            .get(&order)
            .map(|set| set.iter().map(|s| (order, *s)).collect())
            .unwrap_or_default();
        let mut v = self.state.draws_of(keys.into_iter());
        v.retain(|d| d.tenant == tenant);
        Ok(v)
    }

    fn update_draw(&mut self, draw: &Draw) -> Result<()> {
        self.writable()?;
        let key = (draw.order, draw.source_order);
        if !self.state.draws.contains_key(&key) {
            return Err(missing(
                "draws",
                format!("draw of {} from {}", draw.order, draw.source_order),
            ));
        }
        let new = (draw.quantity > 0).then(|| draw.clone());
        let old = self.state.put_draw(key, new);
        self.undo.push(Undo::Draw(key, old));
        Ok(())
    }

    fn delete_order(&mut self, tenant: TenantId, id: OrderId) -> Result<()> {
        self.writable()?;
        let order = self
            .state
            .orders
            .get(&id)
            .filter(|o| o.tenant == tenant)
            .ok_or_else(|| missing("orders", id))?
            .clone();
        let licenses: Vec<LicenseId> = self
            .state
            .licenses_by_order
            .get(&id)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        for l in licenses {
            let old = self.state.put_license(l, None);
            self.undo.push(Undo::License(l, old.map(Box::new)));
        }
        let users: Vec<LicenseUserId> = self.state.license_user_ids(id).collect();
        for u in users {
            let old = self.state.put_license_user(u, None);
            self.undo.push(Undo::LicenseUser(u, old.map(Box::new)));
        }
        let managers: Vec<(OrderId, UserId)> = self.state.manager_keys(id).copied().collect();
        for k in managers {
            let old = self.state.put_manager(k, None);
            self.undo.push(Undo::Manager(k, old));
        }
        let draws: Vec<(OrderId, OrderId)> = self
            .state
            .draws_by_order
            .get(&id)
            .map(|s| s.iter().map(|src| (id, *src)).collect())
            .unwrap_or_default();
        for k in draws {
            let old = self.state.put_draw(k, None);
            self.undo.push(Undo::Draw(k, old));
        }
        let old = self.state.put_order(id, None);
        debug_assert_eq!(old.as_ref().map(|o| o.number), Some(order.number));
        self.undo.push(Undo::Order(id, old.map(Box::new)));
        Ok(())
    }

    fn insert_bundle(&mut self, bundle: &Bundle) -> Result<()> {
        self.writable()?;
        if self.state.bundles.contains_key(&bundle.id) {
            return Err(duplicate("bundles", bundle.id));
        }
        self.state.bundles.insert(bundle.id, bundle.clone());
        self.undo.push(Undo::Bundle(bundle.id));
        Ok(())
    }

    fn bundle(&mut self, tenant: TenantId, id: BundleId) -> Result<Option<Bundle>> {
        Ok(self
            .state
            .bundles
            .get(&id)
            .filter(|b| b.tenant == tenant)
            .cloned())
    }

    fn insert_licenses(&mut self, licenses: &[License]) -> Result<()> {
        self.writable()?;
        for l in licenses {
            if self.state.licenses.contains_key(&l.id)
                || self
                    .state
                    .license_keys
                    .contains_key(&(l.tenant, l.key.clone()))
            {
                return Err(duplicate("licenses", &l.key));
            }
            self.state.put_license(l.id, Some(l.clone()));
            self.undo.push(Undo::License(l.id, None));
        }
        Ok(())
    }

    fn update_license(&mut self, license: &License) -> Result<()> {
        self.writable()?;
        if !self.state.licenses.contains_key(&license.id) {
            return Err(missing("licenses", &license.key));
        }
        let old = self.state.put_license(license.id, Some(license.clone()));
        self.undo.push(Undo::License(license.id, old.map(Box::new)));
        Ok(())
    }

    fn delete_license(&mut self, tenant: TenantId, id: LicenseId) -> Result<()> {
        self.writable()?;
        if self
            .state
            .licenses
            .get(&id)
            .is_none_or(|l| l.tenant != tenant)
        {
            return Err(missing("licenses", id));
        }
        let old = self.state.put_license(id, None);
        self.undo.push(Undo::License(id, old.map(Box::new)));
        Ok(())
    }

    fn license(&mut self, tenant: TenantId, id: LicenseId) -> Result<Option<License>> {
        Ok(self
            .state
            .licenses
            .get(&id)
            .filter(|l| l.tenant == tenant)
            .cloned())
    }

    fn license_by_key(&mut self, tenant: TenantId, key: &LicenseKey) -> Result<Option<License>> {
        Ok(self
            .state
            .license_keys
            .get(&(tenant, key.clone()))
            .and_then(|id| self.state.licenses.get(id))
            .cloned())
    }

    fn licenses_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        after: Option<LicenseId>,
        limit: usize,
    ) -> Result<Vec<License>> {
        let Some(ids) = self.state.licenses_by_order.get(&order) else {
            return Ok(Vec::new());
        };
        let lower = match after {
            Some(a) => std::ops::Bound::Excluded(a),
            None => std::ops::Bound::Unbounded,
        };
        Ok(ids
            .range((lower, std::ops::Bound::Unbounded))
            .filter_map(|id| self.state.licenses.get(id))
            .filter(|l| l.tenant == tenant)
            .take(limit)
            .cloned()
            .collect())
    }

    fn insert_license_user(
        &mut self,
        user: &LicenseUser,
        password_hash: Option<&str>,
    ) -> Result<()> {
        self.writable()?;
        if self.state.license_users.contains_key(&user.id)
            || self
                .state
                .license_user_emails
                .contains_key(&(user.order, user.email.clone()))
        {
            return Err(duplicate("license_users", &user.email));
        }
        let mut u = user.clone();
        u.has_password = password_hash.is_some();
        self.state
            .put_license_user(user.id, Some((u, password_hash.map(str::to_owned))));
        self.undo.push(Undo::LicenseUser(user.id, None));
        Ok(())
    }

    fn update_license_user(&mut self, user: &LicenseUser) -> Result<()> {
        self.writable()?;
        let hash = self
            .state
            .license_users
            .get(&user.id)
            .ok_or_else(|| missing("license_users", user.id))?
            .1
            .clone();
        let mut u = user.clone();
        u.has_password = hash.is_some();
        let old = self.state.put_license_user(user.id, Some((u, hash)));
        self.undo
            .push(Undo::LicenseUser(user.id, old.map(Box::new)));
        Ok(())
    }

    fn set_license_user_password(
        &mut self,
        tenant: TenantId,
        id: LicenseUserId,
        password_hash: &str,
    ) -> Result<()> {
        self.writable()?;
        let (mut u, _) = self
            .state
            .license_users
            .get(&id)
            .filter(|(u, _)| u.tenant == tenant)
            .ok_or_else(|| missing("license_users", id))?
            .clone();
        u.has_password = true;
        let old = self
            .state
            .put_license_user(id, Some((u, Some(password_hash.to_owned()))));
        self.undo.push(Undo::LicenseUser(id, old.map(Box::new)));
        Ok(())
    }

    fn license_user_password(
        &mut self,
        tenant: TenantId,
        id: LicenseUserId,
    ) -> Result<Option<String>> {
        Ok(self
            .state
            .license_users
            .get(&id)
            .filter(|(u, _)| u.tenant == tenant)
            .and_then(|(_, h)| h.clone()))
    }

    fn delete_license_user(&mut self, tenant: TenantId, id: LicenseUserId) -> Result<()> {
        self.writable()?;
        if self
            .state
            .license_users
            .get(&id)
            .is_none_or(|(u, _)| u.tenant != tenant)
        {
            return Err(missing("license_users", id));
        }
        let old = self.state.put_license_user(id, None);
        self.undo.push(Undo::LicenseUser(id, old.map(Box::new)));
        Ok(())
    }

    fn license_user(&mut self, tenant: TenantId, id: LicenseUserId) -> Result<Option<LicenseUser>> {
        Ok(self
            .state
            .license_users
            .get(&id)
            .filter(|(u, _)| u.tenant == tenant)
            .map(|(u, _)| u.clone()))
    }

    fn license_user_by_email(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        email: &str,
    ) -> Result<Option<LicenseUser>> {
        let id = self
            .state
            .license_user_emails
            .get(&(order, email.to_owned()))
            .copied();
        Ok(id.and_then(|id| self.license_user(tenant, id).ok().flatten()))
    }

    fn license_users_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
    ) -> Result<Vec<LicenseUser>> {
        let state = &self.state;
        Ok(state
            .license_user_ids(order)
            .filter_map(|id| state.license_users.get(&id))
            .filter(|(u, _)| u.tenant == tenant)
            .map(|(u, _)| u.clone())
            .collect())
    }

    fn put_manager(&mut self, manager: &LicenseManager) -> Result<()> {
        self.writable()?;
        let key = (manager.order, manager.user);
        let old = self.state.put_manager(key, Some(manager.clone()));
        self.undo.push(Undo::Manager(key, old));
        Ok(())
    }

    fn delete_manager(&mut self, tenant: TenantId, order: OrderId, user: UserId) -> Result<()> {
        self.writable()?;
        let key = (order, user);
        if self
            .state
            .managers
            .get(&key)
            .is_none_or(|m| m.tenant != tenant)
        {
            return Err(missing("license_managers", user));
        }
        let old = self.state.put_manager(key, None);
        self.undo.push(Undo::Manager(key, old));
        Ok(())
    }

    fn manager(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        user: UserId,
    ) -> Result<Option<LicenseManager>> {
        Ok(self
            .state
            .managers
            .get(&(order, user))
            .filter(|m| m.tenant == tenant)
            .cloned())
    }

    fn managers_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
    ) -> Result<Vec<LicenseManager>> {
        let state = &self.state;
        Ok(state
            .manager_keys(order)
            .filter_map(|k| state.managers.get(k))
            .filter(|m| m.tenant == tenant)
            .cloned()
            .collect())
    }

    fn managed_by(&mut self, tenant: TenantId, user: UserId) -> Result<Vec<LicenseManager>> {
        let state = &self.state;
        Ok(state
            .managers_by_user
            .range((tenant, user, OrderId::MIN)..=(tenant, user, OrderId::MAX))
            .filter_map(|(_, _, order)| state.managers.get(&(*order, user)))
            .cloned()
            .collect())
    }

    fn ledger_head(&mut self, tenant: TenantId) -> Result<Option<LedgerHead>> {
        Ok(self
            .state
            .ledger
            .get(&tenant)
            .and_then(|v| v.last())
            .map(|e| LedgerHead {
                seq: e.seq,
                hash: e.hash.clone(),
            }))
    }

    fn append_ledger(&mut self, entry: &LedgerEntry) -> Result<()> {
        self.writable()?;
        let log = self.state.ledger.entry(entry.tenant).or_default();
        let expected = match log.last() {
            Some(e) => e.seq.plus(1)?,
            None => 1,
        };
        if entry.seq != expected {
            return Err(duplicate("ledger", format!("entry {}", entry.seq)));
        }
        log.push(entry.clone());
        self.state.heads.insert(
            entry.tenant,
            LedgerHead {
                seq: entry.seq,
                hash: entry.hash.clone(),
            },
        );
        self.undo.push(Undo::Ledger(entry.tenant));
        Ok(())
    }

    fn recorded_state(
        &mut self,
        tenant: TenantId,
    ) -> Result<Option<(u64, BTreeMap<String, String>)>> {
        Ok(self
            .state
            .ledger
            .get(&tenant)
            .and_then(|v| v.last())
            .map(|e| (e.seq, e.state.clone())))
    }

    fn recorded_head(&mut self, tenant: TenantId) -> Result<Option<LedgerHead>> {
        if !self.state.tenants.contains_key(&tenant) {
            return Ok(None);
        }
        Ok(Some(self.state.heads.get(&tenant).cloned().unwrap_or(
            LedgerHead {
                seq: 0,
                hash: crate::ledger::GENESIS_HASH.to_owned(),
            },
        )))
    }

    fn all_orgs(&mut self, tenant: TenantId) -> Result<Vec<Organization>> {
        Ok(self
            .state
            .orgs
            .values()
            .filter(|o| o.tenant == tenant)
            .cloned()
            .collect())
    }

    fn all_users(&mut self, tenant: TenantId) -> Result<Vec<User>> {
        Ok(self
            .state
            .users
            .values()
            .filter(|u| u.tenant == tenant)
            .cloned()
            .collect())
    }

    fn all_admins(&mut self, tenant: TenantId) -> Result<Vec<(UserId, OrgId)>> {
        Ok(self
            .state
            .admins
            .iter()
            .filter(|(t, _, _)| *t == tenant)
            .map(|(_, u, o)| (*u, *o))
            .collect())
    }

    fn all_products(&mut self, tenant: TenantId) -> Result<Vec<Product>> {
        Ok(self
            .state
            .products
            .values()
            .filter(|p| p.tenant == tenant)
            .cloned()
            .collect())
    }

    fn all_bundles(&mut self, tenant: TenantId) -> Result<Vec<Bundle>> {
        Ok(self
            .state
            .bundles
            .values()
            .filter(|b| b.tenant == tenant)
            .cloned()
            .collect())
    }

    fn ledger(&mut self, tenant: TenantId, after: u64, limit: usize) -> Result<Vec<LedgerEntry>> {
        let Some(log) = self.state.ledger.get(&tenant) else {
            return Ok(Vec::new());
        };
        let start = usize::try_from(after).unwrap_or(usize::MAX).min(log.len());
        Ok(log
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take(limit)
            .cloned()
            .collect())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::error::Error;

    /// A failed write takes back its admin grants and managers from every index, and each
    /// lookup sees only its own tenant's rows.
    #[test]
    fn indexes_follow_the_undo_log_and_stay_per_tenant() {
        let store = MemoryStore::new();
        let (t1, t2) = (TenantId::new(), TenantId::new());
        let (user, org, order) = (UserId::new(), OrgId::new(), OrderId::new());
        let manager = |tenant| LicenseManager {
            tenant,
            order,
            user,
            permissions: BTreeSet::new(),
        };
        store
            .write(&mut |tx| {
                tx.insert_admin(t1, user, org)?;
                tx.put_manager(&manager(t1))
            })
            .unwrap();
        let failed = store.write(&mut |tx| {
            tx.insert_admin(t2, user, org)?;
            tx.put_manager(&LicenseManager {
                order: OrderId::new(),
                ..manager(t2)
            })?;
            Err(Error::invalid("test", "roll back"))
        });
        assert!(failed.is_err());
        store
            .read(&mut |tx| {
                assert_eq!(tx.admin_orgs(t1, user)?, [org]);
                assert_eq!(tx.org_admins(t1, org)?, [user]);
                assert!(tx.admin_orgs(t2, user)?.is_empty());
                assert!(tx.org_admins(t2, org)?.is_empty());
                assert_eq!(tx.managed_by(t1, user)?, [manager(t1)]);
                assert!(tx.managed_by(t2, user)?.is_empty());
                assert_eq!(tx.managers_of_order(t1, order)?, [manager(t1)]);
                assert!(tx.managers_of_order(t2, order)?.is_empty());
                Ok(())
            })
            .unwrap();
    }
}
