//! The reference store: everything in memory behind one mutex.
//!
//! A transaction writes in place and keeps an undo log; on error the log is replayed backwards,
//! so the cost of a transaction grows with its work, never with the size of the store.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use crate::error::{Result, StorageError};
use crate::hierarchy::{Organization, Tenant, User};
use crate::ids::{OrderId, OrderNumber, OrgId, ProductId, TenantId, UserId};
use crate::ledger::{LedgerEntry, LedgerHead};
use crate::order::{Draw, Order, OrderStatus};
use crate::product::Product;
use crate::store::{Store, Tx, Work};
use crate::views::{InventoryFilter, SummaryCounts};

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
        self.state.lock().map_err(|_| StorageError::Poisoned.into())
    }
}

#[derive(Debug, Default)]
struct State {
    tenants: HashMap<TenantId, Tenant>,
    orgs: HashMap<OrgId, Organization>,
    users: HashMap<UserId, User>,
    users_by_email: HashMap<(TenantId, String), UserId>,
    admins: BTreeSet<(TenantId, UserId, OrgId)>,
    products: HashMap<ProductId, Product>,
    products_by_code: HashMap<(TenantId, String), ProductId>,
    orders: HashMap<OrderId, Order>,
    by_number: BTreeMap<(TenantId, OrderNumber), OrderId>,
    by_holder: HashMap<(TenantId, OrgId), BTreeSet<OrderNumber>>,
    by_source: HashMap<(TenantId, OrgId), BTreeSet<OrderNumber>>,
    draws_from: HashMap<OrderId, Vec<Draw>>,
    ledger: HashMap<TenantId, Vec<LedgerEntry>>,
}

/// How to take one write back.
enum Undo {
    Tenant(TenantId, Option<Tenant>),
    Org(OrgId, Option<Organization>),
    User(UserId, (TenantId, String)),
    Admin((TenantId, UserId, OrgId)),
    Product(ProductId, (TenantId, String)),
    Order(OrderId, Option<Box<Order>>),
    Draw(OrderId),
    Ledger(TenantId),
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
            Undo::Admin(key) => {
                self.admins.remove(&key);
            }
            Undo::Product(id, key) => {
                self.products.remove(&id);
                self.products_by_code.remove(&key);
            }
            Undo::Order(id, old) => {
                if old.is_none() {
                    if let Some(o) = self.orders.get(&id) {
                        let (t, n, h, s) = (o.tenant, o.number, o.holder, o.source);
                        self.by_number.remove(&(t, n));
                        if let Some(set) = self.by_holder.get_mut(&(t, h)) {
                            set.remove(&n);
                        }
                        if let Some(set) = s.and_then(|s| self.by_source.get_mut(&(t, s))) {
                            set.remove(&n);
                        }
                    }
                }
                restore(&mut self.orders, id, old.map(|o| *o));
            }
            Undo::Draw(source) => {
                if let Some(v) = self.draws_from.get_mut(&source) {
                    v.pop();
                }
            }
            Undo::Ledger(t) => {
                if let Some(v) = self.ledger.get_mut(&t) {
                    v.pop();
                }
            }
        }
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
}

impl MemTx<'_> {
    /// Refuses writes (and write locks) in a read transaction, as PostgreSQL does.
    fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(crate::error::Error::InvariantViolated(
                "write attempted in a read-only transaction".into(),
            ))
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
        };
        let result = work(&mut tx);
        if result.is_err() {
            while let Some(op) = tx.undo.pop() {
                tx.state.undo(op);
            }
        }
        result
    }

    fn read(&self, work: Work<'_>) -> Result<()> {
        let mut guard = self.lock()?;
        let mut tx = MemTx {
            state: &mut guard,
            undo: Vec::new(),
            read_only: true,
        };
        let result = work(&mut tx);
        while let Some(op) = tx.undo.pop() {
            tx.state.undo(op);
        }
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
            self.undo.push(Undo::Admin((tenant, user, org)));
        }
        Ok(())
    }

    fn admin_orgs(&mut self, tenant: TenantId, user: UserId) -> Result<Vec<OrgId>> {
        Ok(self
            .state
            .admins
            .iter()
            .filter(|(t, u, _)| *t == tenant && *u == user)
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
        self.state.orders.insert(order.id, order.clone());
        self.state.by_number.insert(key, order.id);
        self.state
            .by_holder
            .entry((order.tenant, order.holder))
            .or_default()
            .insert(order.number);
        if let Some(source) = order.source {
            self.state
                .by_source
                .entry((order.tenant, source))
                .or_default()
                .insert(order.number);
        }
        self.undo.push(Undo::Order(order.id, None));
        Ok(())
    }

    fn update_order(&mut self, order: &Order) -> Result<()> {
        self.writable()?;
        let old = self
            .state
            .orders
            .get(&order.id)
            .cloned()
            .ok_or_else(|| missing("orders", order.number))?;
        if old.holder != order.holder || old.source != order.source || old.number != order.number {
            return Err(crate::error::Error::InvariantViolated(format!(
                "order {}: holder, source and number never change",
                order.number
            )));
        }
        self.state.orders.insert(order.id, order.clone());
        self.undo.push(Undo::Order(order.id, Some(Box::new(old))));
        Ok(())
    }

    fn order(&mut self, tenant: TenantId, id: OrderId) -> Result<Option<Order>> {
        Ok(self
            .state
            .orders
            .get(&id)
            .filter(|o| o.tenant == tenant)
            .cloned())
    }

    fn order_by_number(&mut self, tenant: TenantId, number: OrderNumber) -> Result<Option<Order>> {
        Ok(self
            .state
            .by_number
            .get(&(tenant, number))
            .and_then(|id| self.state.orders.get(id))
            .cloned())
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
            .filter(|o| o.product == product && o.status == OrderStatus::Active && o.available > 0)
            .cloned()
            .collect())
    }

    fn list_orders(
        &mut self,
        tenant: TenantId,
        holder: OrgId,
        filter: &InventoryFilter,
        before: Option<OrderNumber>,
        limit: usize,
    ) -> Result<Vec<Order>> {
        let Some(numbers) = self.state.by_holder.get(&(tenant, holder)) else {
            return Ok(Vec::new());
        };
        let upper = before.unwrap_or(OrderNumber(u64::MAX));
        Ok(self
            .state
            .orders_numbered(tenant, numbers.range(..upper).rev())
            .filter(|o| filter.matches(o))
            .take(limit)
            .cloned()
            .collect())
    }

    fn all_orders(&mut self, tenant: TenantId) -> Result<Vec<Order>> {
        Ok(self
            .state
            .by_number
            .range((tenant, OrderNumber(0))..=(tenant, OrderNumber(u64::MAX)))
            .filter_map(|(_, id)| self.state.orders.get(id).cloned())
            .collect())
    }

    fn summary(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<SummaryCounts>> {
        let mut lines: BTreeMap<ProductId, SummaryCounts> = BTreeMap::new();
        let empty = BTreeSet::new();
        let held = self.state.by_holder.get(&(tenant, org)).unwrap_or(&empty);
        for o in self.state.orders_numbered(tenant, held.iter()) {
            let line = lines.entry(o.product).or_insert_with(|| SummaryCounts {
                product: o.product,
                ..SummaryCounts::default()
            });
            if o.status.holds_units() {
                line.held += o.approved_quantity;
                line.available += o.available;
            } else if o.status == OrderStatus::Requested {
                line.pending_requests += 1;
                line.pending_units += o.requested_quantity;
            }
        }
        let incoming = self.state.by_source.get(&(tenant, org)).unwrap_or(&empty);
        for o in self.state.orders_numbered(tenant, incoming.iter()) {
            if o.status == OrderStatus::Requested {
                let line = lines.entry(o.product).or_insert_with(|| SummaryCounts {
                    product: o.product,
                    ..SummaryCounts::default()
                });
                line.incoming_requests += 1;
                line.incoming_units += o.requested_quantity;
            }
        }
        Ok(lines.into_values().collect())
    }

    fn insert_draw(&mut self, draw: &Draw) -> Result<()> {
        self.writable()?;
        self.state
            .draws_from
            .entry(draw.source_order)
            .or_default()
            .push(draw.clone());
        self.undo.push(Undo::Draw(draw.source_order));
        Ok(())
    }

    fn draws_from(&mut self, tenant: TenantId, source_order: OrderId) -> Result<Vec<Draw>> {
        Ok(self
            .state
            .draws_from
            .get(&source_order)
            .map(|v| v.iter().filter(|d| d.tenant == tenant).cloned().collect())
            .unwrap_or_default())
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
        let expected = log.last().map_or(1, |e| e.seq + 1);
        if entry.seq != expected {
            return Err(duplicate("ledger", format!("entry {}", entry.seq)));
        }
        log.push(entry.clone());
        self.undo.push(Undo::Ledger(entry.tenant));
        Ok(())
    }

    fn ledger(&mut self, tenant: TenantId, after: u64, limit: usize) -> Result<Vec<LedgerEntry>> {
        let Some(log) = self.state.ledger.get(&tenant) else {
            return Ok(Vec::new());
        };
        let start = usize::try_from(after).unwrap_or(usize::MAX).min(log.len());
        Ok(log[start..].iter().take(limit).cloned().collect())
    }
}
