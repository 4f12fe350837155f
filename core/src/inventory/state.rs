//! The digest of a tenant's rows that every ledger entry records, and the [`Recorder`] that
//! computes it in the writing transaction (docs/decisions.md §38).
//!
//! Each covered row hashes to `SHA-256(table ‖ 0 ‖ id ‖ 0 ‖ JSON of the row)`; a table's digest
//! is the XOR of its rows' hashes, so a write changes it by `before ⊕ after` of the rows it
//! touched, without reading the others. The entry written by a transaction records the digest of
//! every table after it; `audit` recomputes the digests from the current rows and compares them
//! with the newest entry's, so a row changed, added or removed outside the library is seen.
//! Covered: organizations, users, admin grants, products, bundles, orders, draws, licenses,
//! license users (with their password hash) and license managers. Not covered: the tenant row
//! (its counters are checked against the ledger's replay, its head against the newest entry),
//! notifications and idempotency records (operational, not inventory state).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::hierarchy::{Organization, Tenant, User};
use crate::idempotency::IdempotencyRecord;
use crate::ids::{
    BundleId, LicenseId, LicenseUserId, NotificationId, OrderId, OrderNumber, OrgId, ProductId,
    TenantId, UserId,
};
use crate::input::MAX_PAGE;
use crate::keys::LicenseKey;
use crate::ledger::{LedgerEntry, LedgerHead};
use crate::license::{License, LicenseUser};
use crate::notification::Notification;
use crate::order::{Draw, Order};
use crate::permission::LicenseManager;
use crate::product::{Bundle, Product};
use crate::store::Tx;
use crate::views::{InventoryFilter, SummaryCounts};

/// One table's digest: the XOR of its rows' hashes.
pub(crate) type Digest32 = [u8; 32];

/// The digests of a tenant's tables, by table name.
pub(crate) type TableDigests = BTreeMap<&'static str, Digest32>;

/// A covered row, by table and key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Row {
    Org(OrgId),
    User(UserId),
    Admin(UserId, OrgId),
    Product(ProductId),
    Bundle(BundleId),
    Order(OrderId),
    /// (drawing order, source order).
    Draw(OrderId, OrderId),
    License(LicenseId),
    LicenseUser(LicenseUserId),
    /// (order, user).
    Manager(OrderId, UserId),
}

impl Row {
    /// The table's name (as in the SQL stores).
    pub(crate) fn table(self) -> &'static str {
        match self {
            Row::Org(_) => "organizations",
            Row::User(_) => "users",
            Row::Admin(..) => "org_admins",
            Row::Product(_) => "products",
            Row::Bundle(_) => "bundles",
            Row::Order(_) => "orders",
            Row::Draw(..) => "draws",
            Row::License(_) => "licenses",
            Row::LicenseUser(_) => "license_users",
            Row::Manager(..) => "license_managers",
        }
    }

    /// The row's key as text.
    fn key(self) -> String {
        match self {
            Row::Org(id) => id.to_string(),
            Row::User(id) => id.to_string(),
            Row::Admin(user, org) => format!("{user}/{org}"),
            Row::Product(id) => id.to_string(),
            Row::Bundle(id) => id.to_string(),
            Row::Order(id) => id.to_string(),
            Row::Draw(order, source) => format!("{order}/{source}"),
            Row::License(id) => id.to_string(),
            Row::LicenseUser(id) => id.to_string(),
            Row::Manager(order, user) => format!("{order}/{user}"),
        }
    }

    /// The hash of this row holding `content`.
    fn hash(self, content: &impl Serialize) -> Result<Digest32> {
        let json = serde_json::to_vec(content).map_err(|source| Error::Json {
            what: format!("the {} row {}", self.table(), self.key()),
            source,
        })?;
        let mut h = Sha256::new();
        h.update(self.table().as_bytes());
        h.update([0]);
        h.update(self.key().as_bytes());
        h.update([0]);
        h.update(&json);
        Ok(h.finalize().into())
    }

    /// The hash of the row as it is now; `None` if it does not exist.
    fn current(self, tx: &mut dyn Tx, tenant: TenantId) -> Result<Option<Digest32>> {
        match self {
            Row::Org(id) => tx.org(tenant, id)?.map(|r| self.hash(&r)).transpose(),
            Row::User(id) => tx.user(tenant, id)?.map(|r| self.hash(&r)).transpose(),
            Row::Admin(user, org) => {
                if tx.admin_orgs(tenant, user)?.contains(&org) {
                    self.hash(&()).map(Some)
                } else {
                    Ok(None)
                }
            }
            Row::Product(id) => tx.product(tenant, id)?.map(|r| self.hash(&r)).transpose(),
            Row::Bundle(id) => tx.bundle(tenant, id)?.map(|r| self.hash(&r)).transpose(),
            Row::Order(id) => tx.order(tenant, id)?.map(|r| self.hash(&r)).transpose(),
            Row::Draw(order, source) => tx
                .draws_into(tenant, order)?
                .into_iter()
                .find(|d| d.source_order == source)
                .map(|r| self.hash(&r))
                .transpose(),
            Row::License(id) => tx.license(tenant, id)?.map(|r| self.hash(&r)).transpose(),
            Row::LicenseUser(id) => match tx.license_user(tenant, id)? {
                Some(u) => {
                    let password = tx.license_user_password(tenant, id)?;
                    self.hash(&(u, password)).map(Some)
                }
                None => Ok(None),
            },
            Row::Manager(order, user) => tx
                .manager(tenant, order, user)?
                .map(|r| self.hash(&r))
                .transpose(),
        }
    }
}

fn xor(acc: &mut Digest32, h: &Digest32) {
    for (a, b) in acc.iter_mut().zip(h) {
        *a ^= b;
    }
}

fn fold(digests: &mut TableDigests, table: &'static str, h: &Digest32) {
    xor(digests.entry(table).or_insert([0; 32]), h);
}

/// Hex of the non-zero digests, as a ledger entry records them.
pub(crate) fn to_hex(digests: &TableDigests) -> BTreeMap<String, String> {
    digests
        .iter()
        .filter(|(_, d)| **d != [0; 32])
        .map(|(t, d)| {
            let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
            ((*t).to_owned(), hex)
        })
        .collect()
}

/// Parses an entry's recorded digests (unknown tables are kept under their own name).
fn from_hex(state: &BTreeMap<String, String>) -> Option<TableDigests> {
    let mut out = TableDigests::new();
    for (table, hex) in state {
        let table = TABLES.iter().find(|t| **t == table.as_str())?;
        let mut d = [0u8; 32];
        if hex.len() != 64 {
            return None;
        }
        for (i, byte) in d.iter_mut().enumerate() {
            let pair = hex.get(i.checked_mul(2)?..i.checked_mul(2)?.checked_add(2)?)?;
            *byte = u8::from_str_radix(pair, 16).ok()?;
        }
        out.insert(table, d);
    }
    Some(out)
}

/// Every covered table.
pub(crate) const TABLES: [&str; 10] = [
    "organizations",
    "users",
    "org_admins",
    "products",
    "bundles",
    "orders",
    "draws",
    "licenses",
    "license_users",
    "license_managers",
];

/// The digests of every covered table of `tenant`, from its current rows.
pub(crate) fn tenant_digests(tx: &mut dyn Tx, tenant: TenantId) -> Result<TableDigests> {
    let mut d = TableDigests::new();
    for r in tx.all_orgs(tenant)? {
        let row = Row::Org(r.id);
        fold(&mut d, row.table(), &row.hash(&r)?);
    }
    for r in tx.all_users(tenant)? {
        let row = Row::User(r.id);
        fold(&mut d, row.table(), &row.hash(&r)?);
    }
    for (user, org) in tx.all_admins(tenant)? {
        let row = Row::Admin(user, org);
        fold(&mut d, row.table(), &row.hash(&())?);
    }
    for r in tx.all_products(tenant)? {
        let row = Row::Product(r.id);
        fold(&mut d, row.table(), &row.hash(&r)?);
    }
    for r in tx.all_bundles(tenant)? {
        let row = Row::Bundle(r.id);
        fold(&mut d, row.table(), &row.hash(&r)?);
    }
    for o in tx.all_orders(tenant)? {
        let row = Row::Order(o.id);
        fold(&mut d, row.table(), &row.hash(&o)?);
        for r in tx.draws_into(tenant, o.id)? {
            let row = Row::Draw(r.order, r.source_order);
            fold(&mut d, row.table(), &row.hash(&r)?);
        }
        let mut after = None;
        loop {
            let page = tx.licenses_of_order(tenant, o.id, after, MAX_PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for r in &page {
                let row = Row::License(r.id);
                fold(&mut d, row.table(), &row.hash(r)?);
            }
        }
        for u in tx.license_users_of_order(tenant, o.id)? {
            let row = Row::LicenseUser(u.id);
            let password = tx.license_user_password(tenant, u.id)?;
            fold(&mut d, row.table(), &row.hash(&(u, password))?);
        }
        for r in tx.managers_of_order(tenant, o.id)? {
            let row = Row::Manager(r.order, r.user);
            fold(&mut d, row.table(), &row.hash(&r)?);
        }
    }
    Ok(d)
}

/// The tables whose recorded digest (from an entry's `state`) differs from `actual`; `None` if
/// the recorded state cannot be read.
pub(crate) fn differing(
    recorded: &BTreeMap<String, String>,
    actual: &TableDigests,
) -> Option<Vec<&'static str>> {
    let recorded = from_hex(recorded)?;
    Some(
        TABLES
            .iter()
            .copied()
            .filter(|t| {
                recorded.get(t).copied().unwrap_or([0; 32])
                    != actual.get(t).copied().unwrap_or([0; 32])
            })
            .collect(),
    )
}

/// A [`Tx`] that notes every covered row a write touches (with its hash before the first
/// touch) and, when an entry is appended, records in it the tenant's table digests after the
/// transaction. The newest entry of a transaction is held back until [`Recorder::finish`], so
/// that writes after it are in its digest; an entry before it is written when the next comes,
/// with the digests as they are then (the next entry's `prev_hash` is fixed to match).
pub(crate) struct Recorder<'a> {
    inner: &'a mut dyn Tx,
    /// Rows touched since the last written entry, with their hash before.
    touched: BTreeMap<(TenantId, Row), Option<Digest32>>,
    /// Rows inserted by `insert_licenses` (their hash after is that of the inserted value).
    inserted: HashMap<(TenantId, Row), Digest32>,
    /// The newest entry, not yet written.
    held: Option<LedgerEntry>,
    /// The digests recorded by the last entry written by this transaction.
    last: Option<(TenantId, u64, TableDigests)>,
}

impl<'a> Recorder<'a> {
    pub(crate) fn new(inner: &'a mut dyn Tx) -> Self {
        Recorder {
            inner,
            touched: BTreeMap::new(),
            inserted: HashMap::new(),
            held: None,
            last: None,
        }
    }

    fn touch(&mut self, tenant: TenantId, row: Row) -> Result<()> {
        if !self.touched.contains_key(&(tenant, row)) {
            let before = row.current(self.inner, tenant)?;
            self.touched.insert((tenant, row), before);
        }
        self.inserted.remove(&(tenant, row));
        Ok(())
    }

    /// The digests before the entry `seq` of `tenant`: the previous entry's, if it records them.
    fn previous(&mut self, tenant: TenantId, seq: u64) -> Result<Option<TableDigests>> {
        if let Some((t, s, d)) = &self.last {
            if *t == tenant && s.checked_add(1) == Some(seq) {
                return Ok(Some(d.clone()));
            }
        }
        let Some(prev) = seq.checked_sub(2) else {
            return Ok(None);
        };
        let entries = self.inner.ledger(tenant, prev, 1)?;
        Ok(entries
            .first()
            .filter(|e| !e.state.is_empty())
            .and_then(|e| from_hex(&e.state)))
    }

    /// Records the digests in `entry` and writes it; returns its hash.
    fn write(&mut self, mut entry: LedgerEntry) -> Result<String> {
        let tenant = entry.tenant;
        let digests = match self.previous(tenant, entry.seq)? {
            Some(mut d) => {
                let touched = std::mem::take(&mut self.touched);
                for ((t, row), before) in touched {
                    if t != tenant {
                        return Err(Error::InvariantViolated(format!(
                            "a write to tenant {tenant} touched a row of tenant {t}"
                        )));
                    }
                    let after = match self.inserted.remove(&(t, row)) {
                        Some(h) => Some(h),
                        None => row.current(self.inner, t)?,
                    };
                    if let Some(h) = before {
                        fold(&mut d, row.table(), &h);
                    }
                    if let Some(h) = after {
                        fold(&mut d, row.table(), &h);
                    }
                }
                d
            }
            // The first entry, or the first after an upgrade: every row, counted afresh.
            None => {
                self.touched.clear();
                self.inserted.clear();
                tenant_digests(self.inner, tenant)?
            }
        };
        entry.state = to_hex(&digests);
        entry.hash = entry.compute_hash();
        self.inner.append_ledger(&entry)?;
        self.last = Some((tenant, entry.seq, digests));
        Ok(entry.hash)
    }

    /// Writes the held entry; refuses a transaction that changed covered rows without one.
    pub(crate) fn finish(mut self) -> Result<()> {
        match self.held.take() {
            Some(entry) => self.write(entry).map(|_| ()),
            None if self.touched.is_empty() && self.inserted.is_empty() => Ok(()),
            None => Err(Error::InvariantViolated(
                "a write changed rows without a ledger entry".into(),
            )),
        }
    }
}

impl Tx for Recorder<'_> {
    fn insert_tenant(&mut self, tenant: &Tenant) -> Result<()> {
        self.inner.insert_tenant(tenant)
    }

    fn lock_tenant(&mut self, id: TenantId) -> Result<Option<Tenant>> {
        self.inner.lock_tenant(id)
    }

    fn tenant(&mut self, id: TenantId) -> Result<Option<Tenant>> {
        self.inner.tenant(id)
    }

    fn tenants(&mut self) -> Result<Vec<Tenant>> {
        self.inner.tenants()
    }

    fn update_tenant(&mut self, tenant: &Tenant) -> Result<()> {
        self.inner.update_tenant(tenant)
    }

    fn insert_org(&mut self, org: &Organization) -> Result<()> {
        self.touch(org.tenant, Row::Org(org.id))?;
        self.inner.insert_org(org)
    }

    fn update_org(&mut self, org: &Organization) -> Result<()> {
        self.touch(org.tenant, Row::Org(org.id))?;
        self.inner.update_org(org)
    }

    fn org(&mut self, tenant: TenantId, id: OrgId) -> Result<Option<Organization>> {
        self.inner.org(tenant, id)
    }

    fn insert_user(&mut self, user: &User) -> Result<()> {
        self.touch(user.tenant, Row::User(user.id))?;
        self.inner.insert_user(user)
    }

    fn user(&mut self, tenant: TenantId, id: UserId) -> Result<Option<User>> {
        self.inner.user(tenant, id)
    }

    fn user_by_email(&mut self, tenant: TenantId, email: &str) -> Result<Option<User>> {
        self.inner.user_by_email(tenant, email)
    }

    fn insert_admin(&mut self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        self.touch(tenant, Row::Admin(user, org))?;
        self.inner.insert_admin(tenant, user, org)
    }

    fn admin_orgs(&mut self, tenant: TenantId, user: UserId) -> Result<Vec<OrgId>> {
        self.inner.admin_orgs(tenant, user)
    }

    fn org_admins(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<UserId>> {
        self.inner.org_admins(tenant, org)
    }

    fn insert_product(&mut self, product: &Product) -> Result<()> {
        self.touch(product.tenant, Row::Product(product.id))?;
        self.inner.insert_product(product)
    }

    fn update_product(&mut self, product: &Product) -> Result<()> {
        self.touch(product.tenant, Row::Product(product.id))?;
        self.inner.update_product(product)
    }

    fn product(&mut self, tenant: TenantId, id: ProductId) -> Result<Option<Product>> {
        self.inner.product(tenant, id)
    }

    fn product_by_code(&mut self, tenant: TenantId, code: &str) -> Result<Option<Product>> {
        self.inner.product_by_code(tenant, code)
    }

    fn insert_order(&mut self, order: &Order) -> Result<()> {
        self.touch(order.tenant, Row::Order(order.id))?;
        self.inner.insert_order(order)
    }

    fn update_order(&mut self, order: &Order) -> Result<()> {
        self.touch(order.tenant, Row::Order(order.id))?;
        self.inner.update_order(order)
    }

    fn order(&mut self, tenant: TenantId, id: OrderId) -> Result<Option<Order>> {
        self.inner.order(tenant, id)
    }

    fn order_by_number(&mut self, tenant: TenantId, number: OrderNumber) -> Result<Option<Order>> {
        self.inner.order_by_number(tenant, number)
    }

    fn drawable_orders(
        &mut self,
        tenant: TenantId,
        holder: OrgId,
        product: ProductId,
    ) -> Result<Vec<Order>> {
        self.inner.drawable_orders(tenant, holder, product)
    }

    fn list_orders(
        &mut self,
        tenant: TenantId,
        holder: OrgId,
        filter: &InventoryFilter,
        before: Option<OrderNumber>,
        limit: usize,
    ) -> Result<Vec<Order>> {
        self.inner
            .list_orders(tenant, holder, filter, before, limit)
    }

    fn all_orders(&mut self, tenant: TenantId) -> Result<Vec<Order>> {
        self.inner.all_orders(tenant)
    }

    fn summary(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<SummaryCounts>> {
        self.inner.summary(tenant, org)
    }

    fn insert_draw(&mut self, draw: &Draw) -> Result<()> {
        self.touch(draw.tenant, Row::Draw(draw.order, draw.source_order))?;
        self.inner.insert_draw(draw)
    }

    fn draws_from(&mut self, tenant: TenantId, source_order: OrderId) -> Result<Vec<Draw>> {
        self.inner.draws_from(tenant, source_order)
    }

    fn delete_order(&mut self, tenant: TenantId, id: OrderId) -> Result<()> {
        self.touch(tenant, Row::Order(id))?;
        for d in self.inner.draws_into(tenant, id)? {
            self.touch(tenant, Row::Draw(d.order, d.source_order))?;
        }
        let mut after = None;
        loop {
            let page = self.inner.licenses_of_order(tenant, id, after, MAX_PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for l in &page {
                self.touch(tenant, Row::License(l.id))?;
            }
        }
        for u in self.inner.license_users_of_order(tenant, id)? {
            self.touch(tenant, Row::LicenseUser(u.id))?;
        }
        for m in self.inner.managers_of_order(tenant, id)? {
            self.touch(tenant, Row::Manager(m.order, m.user))?;
        }
        self.inner.delete_order(tenant, id)
    }

    fn draws_into(&mut self, tenant: TenantId, order: OrderId) -> Result<Vec<Draw>> {
        self.inner.draws_into(tenant, order)
    }

    fn update_draw(&mut self, draw: &Draw) -> Result<()> {
        self.touch(draw.tenant, Row::Draw(draw.order, draw.source_order))?;
        self.inner.update_draw(draw)
    }

    fn insert_bundle(&mut self, bundle: &Bundle) -> Result<()> {
        self.touch(bundle.tenant, Row::Bundle(bundle.id))?;
        self.inner.insert_bundle(bundle)
    }

    fn bundle(&mut self, tenant: TenantId, id: BundleId) -> Result<Option<Bundle>> {
        self.inner.bundle(tenant, id)
    }

    fn insert_licenses(&mut self, licenses: &[License]) -> Result<()> {
        for l in licenses {
            let row = Row::License(l.id);
            if let std::collections::btree_map::Entry::Vacant(slot) =
                self.touched.entry((l.tenant, row))
            {
                slot.insert(None);
                self.inserted.insert((l.tenant, row), row.hash(l)?);
            } else {
                self.touch(l.tenant, row)?;
            }
        }
        self.inner.insert_licenses(licenses)
    }

    fn update_license(&mut self, license: &License) -> Result<()> {
        self.touch(license.tenant, Row::License(license.id))?;
        self.inner.update_license(license)
    }

    fn delete_license(&mut self, tenant: TenantId, id: LicenseId) -> Result<()> {
        self.touch(tenant, Row::License(id))?;
        self.inner.delete_license(tenant, id)
    }

    fn license(&mut self, tenant: TenantId, id: LicenseId) -> Result<Option<License>> {
        self.inner.license(tenant, id)
    }

    fn license_by_key(&mut self, tenant: TenantId, key: &LicenseKey) -> Result<Option<License>> {
        self.inner.license_by_key(tenant, key)
    }

    fn licenses_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        after: Option<LicenseId>,
        limit: usize,
    ) -> Result<Vec<License>> {
        self.inner.licenses_of_order(tenant, order, after, limit)
    }

    fn insert_license_user(
        &mut self,
        user: &LicenseUser,
        password_hash: Option<&str>,
    ) -> Result<()> {
        self.touch(user.tenant, Row::LicenseUser(user.id))?;
        self.inner.insert_license_user(user, password_hash)
    }

    fn update_license_user(&mut self, user: &LicenseUser) -> Result<()> {
        self.touch(user.tenant, Row::LicenseUser(user.id))?;
        self.inner.update_license_user(user)
    }

    fn set_license_user_password(
        &mut self,
        tenant: TenantId,
        id: LicenseUserId,
        password_hash: &str,
    ) -> Result<()> {
        self.touch(tenant, Row::LicenseUser(id))?;
        self.inner
            .set_license_user_password(tenant, id, password_hash)
    }

    fn license_user_password(
        &mut self,
        tenant: TenantId,
        id: LicenseUserId,
    ) -> Result<Option<String>> {
        self.inner.license_user_password(tenant, id)
    }

    fn delete_license_user(&mut self, tenant: TenantId, id: LicenseUserId) -> Result<()> {
        self.touch(tenant, Row::LicenseUser(id))?;
        self.inner.delete_license_user(tenant, id)
    }

    fn license_user(&mut self, tenant: TenantId, id: LicenseUserId) -> Result<Option<LicenseUser>> {
        self.inner.license_user(tenant, id)
    }

    fn license_user_by_email(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        email: &str,
    ) -> Result<Option<LicenseUser>> {
        self.inner.license_user_by_email(tenant, order, email)
    }

    fn license_users_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
    ) -> Result<Vec<LicenseUser>> {
        self.inner.license_users_of_order(tenant, order)
    }

    fn put_manager(&mut self, manager: &LicenseManager) -> Result<()> {
        self.touch(manager.tenant, Row::Manager(manager.order, manager.user))?;
        self.inner.put_manager(manager)
    }

    fn manager(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        user: UserId,
    ) -> Result<Option<LicenseManager>> {
        self.inner.manager(tenant, order, user)
    }

    fn managers_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
    ) -> Result<Vec<LicenseManager>> {
        self.inner.managers_of_order(tenant, order)
    }

    fn managed_by(&mut self, tenant: TenantId, user: UserId) -> Result<Vec<LicenseManager>> {
        self.inner.managed_by(tenant, user)
    }

    fn ledger_head(&mut self, tenant: TenantId) -> Result<Option<LedgerHead>> {
        match &self.held {
            Some(e) if e.tenant == tenant => Ok(Some(LedgerHead {
                seq: e.seq,
                hash: e.hash.clone(),
            })),
            _ => self.inner.ledger_head(tenant),
        }
    }

    fn append_ledger(&mut self, entry: &LedgerEntry) -> Result<()> {
        let mut entry = entry.clone();
        if let Some(held) = self.held.take() {
            entry.prev_hash = self.write(held)?;
            entry.hash = entry.compute_hash();
        }
        self.held = Some(entry);
        Ok(())
    }

    fn ledger(&mut self, tenant: TenantId, after: u64, limit: usize) -> Result<Vec<LedgerEntry>> {
        self.inner.ledger(tenant, after, limit)
    }

    fn recorded_head(&mut self, tenant: TenantId) -> Result<Option<LedgerHead>> {
        self.inner.recorded_head(tenant)
    }

    fn all_orgs(&mut self, tenant: TenantId) -> Result<Vec<Organization>> {
        self.inner.all_orgs(tenant)
    }

    fn all_users(&mut self, tenant: TenantId) -> Result<Vec<User>> {
        self.inner.all_users(tenant)
    }

    fn all_admins(&mut self, tenant: TenantId) -> Result<Vec<(UserId, OrgId)>> {
        self.inner.all_admins(tenant)
    }

    fn all_products(&mut self, tenant: TenantId) -> Result<Vec<Product>> {
        self.inner.all_products(tenant)
    }

    fn all_bundles(&mut self, tenant: TenantId) -> Result<Vec<Bundle>> {
        self.inner.all_bundles(tenant)
    }

    fn insert_notifications(&mut self, notifications: &[Notification]) -> Result<()> {
        self.inner.insert_notifications(notifications)
    }

    fn pending_notifications(
        &mut self,
        tenant: TenantId,
        limit: usize,
    ) -> Result<Vec<Notification>> {
        self.inner.pending_notifications(tenant, limit)
    }

    fn notification(
        &mut self,
        tenant: TenantId,
        id: NotificationId,
    ) -> Result<Option<Notification>> {
        self.inner.notification(tenant, id)
    }

    fn idempotency(&mut self, tenant: TenantId, key: &str) -> Result<Option<IdempotencyRecord>> {
        self.inner.idempotency(tenant, key)
    }

    fn insert_idempotency(&mut self, record: &IdempotencyRecord) -> Result<()> {
        self.inner.insert_idempotency(record)
    }

    fn idempotency_secret(&mut self, tenant: TenantId) -> Result<Option<String>> {
        self.inner.idempotency_secret(tenant)
    }

    fn insert_idempotency_secret(&mut self, tenant: TenantId, secret: &str) -> Result<()> {
        self.inner.insert_idempotency_secret(tenant, secret)
    }

    fn set_notification_sent(
        &mut self,
        tenant: TenantId,
        id: NotificationId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.inner.set_notification_sent(tenant, id, at)
    }
}
