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
use crate::views::{CountsChange, InventoryFilter, OrderList, SummaryCounts, order_counts};

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

    /// The row's key as text: its id, or its two ids joined by `/` (hyphenated, lower case, as
    /// the ids print), on the stack.
    fn key(self) -> KeyText {
        match self {
            Row::Org(id) => KeyText::one(id.as_uuid()),
            Row::User(id) => KeyText::one(id.as_uuid()),
            Row::Admin(user, org) => KeyText::two(user.as_uuid(), org.as_uuid()),
            Row::Product(id) => KeyText::one(id.as_uuid()),
            Row::Bundle(id) => KeyText::one(id.as_uuid()),
            Row::Order(id) => KeyText::one(id.as_uuid()),
            Row::Draw(order, source) => KeyText::two(order.as_uuid(), source.as_uuid()),
            Row::License(id) => KeyText::one(id.as_uuid()),
            Row::LicenseUser(id) => KeyText::one(id.as_uuid()),
            Row::Manager(order, user) => KeyText::two(order.as_uuid(), user.as_uuid()),
        }
    }

    /// The hash of this row holding `content`.
    ///
    /// A row is often hashed twice with the same content: as it is after one transaction, and
    /// as it is before the next that changes it (a draw's row, then a later transaction's
    /// "before"). So the last few rows hashed on this thread are kept with their JSON
    /// ([`Recent`]): the same row with the same bytes has the same hash, and SHA-256 is the
    /// larger part of the work. Orders, hashed most, have their own cache by value
    /// ([`Row::order_hash`]).
    fn hash(self, content: &impl Serialize) -> Result<Digest32> {
        let json = self.json(content)?;
        let found = RECENT_ROWS
            .with_recent(|r| r.find(|(row, j)| *row == self && *j == json))
            .flatten();
        if let Some(h) = found {
            return Ok(h);
        }
        let h = self.digest(&json);
        RECENT_ROWS.with_recent(|r| r.keep((self, json), h));
        Ok(h)
    }

    /// The hash of `order`'s row.
    ///
    /// An order is hashed about five times a request and its approval: the request's after,
    /// the approval's before (the same content) and after, and its lot's before (the lot's
    /// after in the last approval) and after. The last few orders hashed on this thread are
    /// kept by value: an equal order serialises to the same JSON, so it has the same hash,
    /// found without serialising it (docs/decisions.md §71). A miss costs a comparison.
    fn order_hash(order: &Order) -> Result<Digest32> {
        if let Some(h) = RECENT_ORDERS
            .with_recent(|r| r.find(|o| o == order))
            .flatten()
        {
            return Ok(h);
        }
        let row = Row::Order(order.id);
        let h = row.digest(&row.json(order)?);
        RECENT_ORDERS.with_recent(|r| r.keep(order.clone(), h));
        Ok(h)
    }

    /// `content` as the JSON its hash is of.
    fn json(self, content: &impl Serialize) -> Result<Vec<u8>> {
        // serde_json writes in small pieces (a timestamp a character at a time): into a buffer
        // sized for an order row, then into the hash at once.
        let mut json = Vec::with_capacity(1024);
        serde_json::to_writer(&mut json, content).map_err(|source| Error::Json {
            what: format!("the {} row {}", self.table(), self.key()),
            source,
        })?;
        Ok(json)
    }

    /// `SHA-256(table ‖ 0 ‖ key ‖ 0 ‖ json)`.
    fn digest(self, json: &[u8]) -> Digest32 {
        let mut h = Sha256::new();
        h.update(self.table().as_bytes());
        h.update([0]);
        h.update(self.key().as_bytes());
        h.update([0]);
        h.update(json);
        h.finalize().into()
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
            Row::Order(id) => tx
                .order(tenant, id)?
                .map(|r| Row::order_hash(&r))
                .transpose(),
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

/// The last few values hashed on this thread with their hashes, the oldest replaced first.
/// A hit needs an equal value (for [`RECENT_ROWS`] the same row and the very bytes the hash was
/// of; for [`RECENT_ORDERS`] an equal order, whose JSON is the same), so it can only ever give
/// the hash SHA-256 would.
struct Recent<K> {
    rows: Vec<(K, Digest32)>,
    /// The slot the next value goes into once `rows` is full.
    next: usize,
}

impl<K> Default for Recent<K> {
    fn default() -> Self {
        Recent {
            rows: Vec::new(),
            next: 0,
        }
    }
}

thread_local! {
    /// Rows other than orders, with their JSON (under a kilobyte each).
    static RECENT_ROWS: std::cell::RefCell<Recent<(Row, Vec<u8>)>> = std::cell::RefCell::default();
    /// Orders, by value.
    static RECENT_ORDERS: std::cell::RefCell<Recent<Order>> = std::cell::RefCell::default();
}

/// Runs `f` on this thread's cache; `None` without it (the thread being torn down, or the
/// cache borrowed already): then nothing is found or kept.
trait WithRecent<K> {
    fn with_recent<R>(&'static self, f: impl FnOnce(&mut Recent<K>) -> R) -> Option<R>;
}

impl<K> WithRecent<K> for std::thread::LocalKey<std::cell::RefCell<Recent<K>>> {
    fn with_recent<R>(&'static self, f: impl FnOnce(&mut Recent<K>) -> R) -> Option<R> {
        self.try_with(|r| r.try_borrow_mut().ok().map(|mut r| f(&mut r)))
            .ok()
            .flatten()
    }
}

impl<K> Recent<K> {
    /// Values kept per thread.
    const SIZE: usize = 8;

    fn find(&self, matches: impl Fn(&K) -> bool) -> Option<Digest32> {
        self.rows.iter().find(|(k, _)| matches(k)).map(|(_, h)| *h)
    }

    /// Keeps `value` and its hash.
    fn keep(&mut self, value: K, hash: Digest32) {
        if self.rows.len() < Self::SIZE {
            self.rows.push((value, hash));
            return;
        }
        let slot = self.next;
        if let Some(old) = self.rows.get_mut(slot) {
            *old = (value, hash);
        }
        self.next = slot.wrapping_add(1) % Self::SIZE; // below SIZE, a small constant
    }
}

/// The last ledger entry a [`Recorder`] wrote on this thread: its tenant, seq, hash and
/// digests. The next entry of that tenant usually follows it (the next command), and its
/// `prev_hash` names it: the digests are then these, without reading the recorded state back
/// and parsing its hex (docs/decisions.md §71). A hash covers the entry's state, so an entry
/// with that seq and hash records exactly these digests, whoever wrote it; one rolled back and
/// written again differently has another hash, and is read.
struct LastWritten {
    tenant: TenantId,
    seq: u64,
    hash: String,
    digests: TableDigests,
}

thread_local! {
    static LAST_WRITTEN: std::cell::RefCell<Option<LastWritten>> = const { std::cell::RefCell::new(None) };
}

impl LastWritten {
    /// The digests of `tenant`'s entry `seq - 1` if it is the one kept and its hash is
    /// `prev_hash`; never empty ones (an entry without state is read, as before).
    fn find(tenant: TenantId, seq: u64, prev_hash: &str) -> Option<TableDigests> {
        LAST_WRITTEN
            .try_with(|l| {
                let l = l.try_borrow().ok()?;
                let l = l.as_ref()?;
                (l.tenant == tenant
                    && l.seq.checked_add(1) == Some(seq)
                    && l.hash == prev_hash
                    && !l.digests.is_empty())
                .then(|| l.digests.clone())
            })
            .ok()
            .flatten()
    }

    fn keep(tenant: TenantId, seq: u64, hash: &str, digests: &TableDigests) {
        // Without the thread's slot (being torn down, or borrowed) nothing is kept.
        let _ = LAST_WRITTEN.try_with(|l| {
            if let Ok(mut l) = l.try_borrow_mut() {
                *l = Some(LastWritten {
                    tenant,
                    seq,
                    hash: hash.to_owned(),
                    digests: digests.clone(),
                });
            }
        });
    }
}

/// A row key as text without a `String`: one hyphenated UUID (36 bytes), or two joined by `/`.
struct KeyText {
    buf: [u8; KeyText::TWO],
    len: usize,
}

impl KeyText {
    const ONE: usize = uuid::fmt::Hyphenated::LENGTH;
    const TWO: usize = 2 * Self::ONE + 1;

    fn one(id: uuid::Uuid) -> Self {
        let mut buf = [0; Self::TWO];
        let (first, _) = buf.split_at_mut(Self::ONE);
        id.hyphenated().encode_lower(first);
        KeyText {
            buf,
            len: Self::ONE,
        }
    }

    fn two(a: uuid::Uuid, b: uuid::Uuid) -> Self {
        let mut buf = [0; Self::TWO];
        let (first, rest) = buf.split_at_mut(Self::ONE);
        a.hyphenated().encode_lower(first);
        if let Some((slash, second)) = rest.split_first_mut() {
            *slash = b'/';
            b.hyphenated().encode_lower(second);
        }
        KeyText {
            buf,
            len: Self::TWO,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

impl std::fmt::Display for KeyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Hex digits, hyphens and a slash: always UTF-8.
        f.write_str(std::str::from_utf8(self.as_bytes()).unwrap_or_default())
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
        .map(|(t, d)| ((*t).to_owned(), crate::ledger::hex(d)))
        .collect()
}

/// Parses an entry's recorded digests (unknown tables are kept under their own name).
fn from_hex(state: &BTreeMap<String, String>) -> Option<TableDigests> {
    let mut out = TableDigests::new();
    for (table, hex) in state {
        let table = TABLES.iter().find(|t| **t == table.as_str())?;
        if hex.len() != 64 {
            return None;
        }
        let mut d = [0u8; 32];
        for (byte, pair) in d.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
            *byte = hex_byte(pair)?;
        }
        out.insert(table, d);
    }
    Some(out)
}

/// The byte of two hex digits; anything else goes to `u8::from_str_radix` as it always did
/// (which also takes a `+` before one digit).
fn hex_byte(pair: &[u8]) -> Option<u8> {
    let digit = |c: &u8| char::from(*c).to_digit(16);
    if let [hi, lo] = pair {
        if let (Some(hi), Some(lo)) = (digit(hi), digit(lo)) {
            return u8::try_from(hi << 4 | lo).ok();
        }
    }
    u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()
}

#[cfg(test)]
mod tests;

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
        fold(&mut d, row.table(), &Row::order_hash(&o)?);
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

/// What the recorder knows of a row touched since the last written entry.
struct Touch {
    /// Its hash before the first touch (`None`: it did not exist).
    before: Option<Digest32>,
    /// Its hash after the latest write, when the write said it; `None`: read it back.
    after: Option<Option<Digest32>>,
}

/// A [`Tx`] that notes every covered row a write touches (with its hash before the first
/// touch and, where the write gives it, after) and, when an entry is appended, records in it
/// the tenant's table digests after the transaction. The newest entry of a transaction is held
/// back until [`Recorder::finish`], so that writes after it are in its digest; an entry before
/// it is written when the next comes, with the digests as they are then (the next entry's
/// `prev_hash` is fixed to match).
///
/// It also keeps the orders this transaction has read or written, so that an update knows the
/// row it replaces without reading it again, and sends the summary counters' change of every
/// order write to the store at the end (docs/decisions.md §41).
pub(crate) struct Recorder<'a> {
    inner: &'a mut dyn Tx,
    /// Rows touched since the last written entry.
    touched: BTreeMap<(TenantId, Row), Touch>,
    /// Changes to the digests folded in already (new licenses: an issue of a million keeps
    /// no row of them; a later write of one reads its hash back), per tenant.
    folded: BTreeMap<TenantId, TableDigests>,
    /// Orders as they are now in this transaction (from reads and writes through it).
    orders: HashMap<OrderId, Order>,
    /// The summary counters' change, per tenant.
    counts: BTreeMap<TenantId, BTreeMap<(OrgId, ProductId), CountsChange>>,
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
            folded: BTreeMap::new(),
            orders: HashMap::new(),
            counts: BTreeMap::new(),
            held: None,
            last: None,
        }
    }

    /// Notes a write of `row`: `before` is its hash before the write if the caller knows it
    /// (`Some(None)`: it does not exist yet), `after` its hash after the write if known.
    fn touch(
        &mut self,
        tenant: TenantId,
        row: Row,
        before: Option<Option<Digest32>>,
        after: Option<Option<Digest32>>,
    ) -> Result<()> {
        if let Some(t) = self.touched.get_mut(&(tenant, row)) {
            t.after = after;
            return Ok(());
        }
        let before = match before {
            Some(b) => b,
            None => row.current(self.inner, tenant)?,
        };
        self.touched.insert((tenant, row), Touch { before, after });
        Ok(())
    }

    /// Notes a write of `row` whose content after the write is `after` (`None`: deleted).
    fn touch_known<T: Serialize>(
        &mut self,
        tenant: TenantId,
        row: Row,
        before: Option<Option<Digest32>>,
        after: Option<&T>,
    ) -> Result<()> {
        let after = after.map(|v| row.hash(v)).transpose()?;
        self.touch(tenant, row, before, Some(after))
    }

    /// The order as it is now: from this transaction's reads and writes, or read.
    fn current_order(&mut self, tenant: TenantId, id: OrderId) -> Result<Option<Order>> {
        if let Some(o) = self.orders.get(&id) {
            return Ok(Some(o.clone()));
        }
        let o = self.inner.order(tenant, id)?;
        if let Some(o) = &o {
            self.orders.insert(id, o.clone());
        }
        Ok(o)
    }

    /// Notes an order going from `before` to `after` (either absent): its row for the
    /// digests, and its change of the summary counters.
    fn order_changes(
        &mut self,
        tenant: TenantId,
        id: OrderId,
        before: Option<&Order>,
        after: Option<&Order>,
    ) -> Result<()> {
        let row = Row::Order(id);
        // The row's hash before its first touch in this entry; a later touch keeps that one.
        let before_hash = if self.touched.contains_key(&(tenant, row)) {
            None
        } else {
            Some(before.map(Row::order_hash).transpose()?)
        };
        let after_hash = after.map(Row::order_hash).transpose()?;
        self.touch(tenant, row, before_hash, Some(after_hash))?;
        let counts = self.counts.entry(tenant).or_default();
        if let Some(o) = before {
            order_counts(o, -1, counts)?;
        }
        if let Some(o) = after {
            order_counts(o, 1, counts)?;
        }
        match after {
            Some(o) => self.orders.insert(id, o.clone()),
            None => self.orders.remove(&id),
        };
        Ok(())
    }

    fn remember(&mut self, orders: &[Order]) {
        for o in orders {
            self.orders.insert(o.id, o.clone());
        }
    }

    /// The digests before the entry `seq` of `tenant` (whose previous entry's hash is
    /// `prev_hash`): the previous entry's, if it records them.
    fn previous(
        &mut self,
        tenant: TenantId,
        seq: u64,
        prev_hash: &str,
    ) -> Result<Option<TableDigests>> {
        if let Some((t, s, d)) = &self.last {
            if *t == tenant && s.checked_add(1) == Some(seq) {
                return Ok(Some(d.clone()));
            }
        }
        if let Some(d) = LastWritten::find(tenant, seq, prev_hash) {
            return Ok(Some(d));
        }
        if let Some((head, state)) = self.inner.recorded_state(tenant)? {
            if head.checked_add(1) == Some(seq) {
                return Ok(Some(state)
                    .filter(|s| !s.is_empty())
                    .and_then(|s| from_hex(&s)));
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
        let folded = self.folded.remove(&tenant).unwrap_or_default();
        let digests = match self.previous(tenant, entry.seq, &entry.prev_hash)? {
            Some(mut d) => {
                for (table, h) in &folded {
                    fold(&mut d, table, h);
                }
                let touched = std::mem::take(&mut self.touched);
                for ((t, row), touch) in touched {
                    if t != tenant {
                        return Err(Error::InvariantViolated(format!(
                            "a write to tenant {tenant} touched a row of tenant {t}"
                        )));
                    }
                    let after = match touch.after {
                        Some(h) => h,
                        None => row.current(self.inner, t)?,
                    };
                    if let Some(h) = touch.before {
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
                tenant_digests(self.inner, tenant)?
            }
        };
        entry.state = to_hex(&digests);
        entry.hash = entry.compute_hash();
        self.inner.append_ledger(&entry)?;
        LastWritten::keep(tenant, entry.seq, &entry.hash, &digests);
        self.last = Some((tenant, entry.seq, digests));
        Ok(entry.hash)
    }

    /// Writes the held entry and the counters' change; refuses a transaction that changed
    /// covered rows without an entry.
    pub(crate) fn finish(mut self) -> Result<()> {
        for (tenant, counts) in std::mem::take(&mut self.counts) {
            let changes: Vec<CountsChange> =
                counts.into_values().filter(|c| !c.is_zero()).collect();
            if !changes.is_empty() {
                self.inner.change_counts(tenant, &changes)?;
            }
        }
        match self.held.take() {
            Some(entry) => self.write(entry).map(|_| ()),
            None if self.touched.is_empty() && self.folded.is_empty() => Ok(()),
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
        self.touch_known(org.tenant, Row::Org(org.id), Some(None), Some(org))?;
        self.inner.insert_org(org)
    }

    fn update_org(&mut self, org: &Organization) -> Result<()> {
        self.touch_known(org.tenant, Row::Org(org.id), None, Some(org))?;
        self.inner.update_org(org)
    }

    fn org(&mut self, tenant: TenantId, id: OrgId) -> Result<Option<Organization>> {
        self.inner.org(tenant, id)
    }

    fn insert_user(&mut self, user: &User) -> Result<()> {
        self.touch_known(user.tenant, Row::User(user.id), Some(None), Some(user))?;
        self.inner.insert_user(user)
    }

    fn user(&mut self, tenant: TenantId, id: UserId) -> Result<Option<User>> {
        self.inner.user(tenant, id)
    }

    fn user_by_email(&mut self, tenant: TenantId, email: &str) -> Result<Option<User>> {
        self.inner.user_by_email(tenant, email)
    }

    fn insert_admin(&mut self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        self.touch_known(tenant, Row::Admin(user, org), None, Some(&()))?;
        self.inner.insert_admin(tenant, user, org)
    }

    fn delete_admin(&mut self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        self.touch_known::<()>(tenant, Row::Admin(user, org), None, None)?;
        self.inner.delete_admin(tenant, user, org)
    }

    fn update_user(&mut self, user: &User) -> Result<()> {
        self.touch_known(user.tenant, Row::User(user.id), None, Some(user))?;
        self.inner.update_user(user)
    }

    fn admin_orgs(&mut self, tenant: TenantId, user: UserId) -> Result<Vec<OrgId>> {
        self.inner.admin_orgs(tenant, user)
    }

    fn org_admins(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<UserId>> {
        self.inner.org_admins(tenant, org)
    }

    fn insert_product(&mut self, product: &Product) -> Result<()> {
        let row = Row::Product(product.id);
        self.touch_known(product.tenant, row, Some(None), Some(product))?;
        self.inner.insert_product(product)
    }

    fn update_product(&mut self, product: &Product) -> Result<()> {
        self.touch_known(
            product.tenant,
            Row::Product(product.id),
            None,
            Some(product),
        )?;
        self.inner.update_product(product)
    }

    fn product(&mut self, tenant: TenantId, id: ProductId) -> Result<Option<Product>> {
        self.inner.product(tenant, id)
    }

    fn product_by_code(&mut self, tenant: TenantId, code: &str) -> Result<Option<Product>> {
        self.inner.product_by_code(tenant, code)
    }

    fn insert_order(&mut self, order: &Order) -> Result<()> {
        self.order_changes(order.tenant, order.id, None, Some(order))?;
        self.inner.insert_order(order)
    }

    fn update_order(&mut self, order: &Order) -> Result<()> {
        let before = self.current_order(order.tenant, order.id)?;
        self.order_changes(order.tenant, order.id, before.as_ref(), Some(order))?;
        self.inner.update_order(order)
    }

    fn order(&mut self, tenant: TenantId, id: OrderId) -> Result<Option<Order>> {
        let o = self.inner.order(tenant, id)?;
        self.remember(o.as_slice());
        Ok(o)
    }

    fn order_by_number(&mut self, tenant: TenantId, number: OrderNumber) -> Result<Option<Order>> {
        let o = self.inner.order_by_number(tenant, number)?;
        self.remember(o.as_slice());
        Ok(o)
    }

    fn drawable_orders(
        &mut self,
        tenant: TenantId,
        holder: OrgId,
        product: ProductId,
    ) -> Result<Vec<Order>> {
        let orders = self.inner.drawable_orders(tenant, holder, product)?;
        self.remember(&orders);
        Ok(orders)
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
        self.inner
            .list_orders(tenant, org, list, filter, before, limit)
    }

    fn all_orders(&mut self, tenant: TenantId) -> Result<Vec<Order>> {
        self.inner.all_orders(tenant)
    }

    fn summary(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<SummaryCounts>> {
        self.inner.summary(tenant, org)
    }

    fn change_counts(&mut self, tenant: TenantId, changes: &[CountsChange]) -> Result<()> {
        self.inner.change_counts(tenant, changes)
    }

    fn all_counts(&mut self, tenant: TenantId) -> Result<Vec<(OrgId, SummaryCounts)>> {
        self.inner.all_counts(tenant)
    }

    fn insert_draw(&mut self, draw: &Draw) -> Result<()> {
        let row = Row::Draw(draw.order, draw.source_order);
        self.touch_known(draw.tenant, row, Some(None), Some(draw))?;
        self.inner.insert_draw(draw)
    }

    fn draws_from(&mut self, tenant: TenantId, source_order: OrderId) -> Result<Vec<Draw>> {
        self.inner.draws_from(tenant, source_order)
    }

    fn delete_order(&mut self, tenant: TenantId, id: OrderId) -> Result<()> {
        let before = self.current_order(tenant, id)?;
        self.order_changes(tenant, id, before.as_ref(), None)?;
        for d in self.inner.draws_into(tenant, id)? {
            let row = Row::Draw(d.order, d.source_order);
            self.touch_known::<()>(tenant, row, Some(Some(row.hash(&d)?)), None)?;
        }
        let mut after = None;
        loop {
            let page = self.inner.licenses_of_order(tenant, id, after, MAX_PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for l in &page {
                let row = Row::License(l.id);
                self.touch_known::<()>(tenant, row, Some(Some(row.hash(l)?)), None)?;
            }
        }
        for u in self.inner.license_users_of_order(tenant, id)? {
            self.touch_known::<()>(tenant, Row::LicenseUser(u.id), None, None)?;
        }
        for m in self.inner.managers_of_order(tenant, id)? {
            let row = Row::Manager(m.order, m.user);
            self.touch_known::<()>(tenant, row, Some(Some(row.hash(&m)?)), None)?;
        }
        self.inner.delete_order(tenant, id)
    }

    fn draws_into(&mut self, tenant: TenantId, order: OrderId) -> Result<Vec<Draw>> {
        self.inner.draws_into(tenant, order)
    }

    fn update_draw(&mut self, draw: &Draw) -> Result<()> {
        let row = Row::Draw(draw.order, draw.source_order);
        let after = Some(draw).filter(|d| d.quantity > 0);
        self.touch_known(draw.tenant, row, None, after)?;
        self.inner.update_draw(draw)
    }

    fn insert_bundle(&mut self, bundle: &Bundle) -> Result<()> {
        let row = Row::Bundle(bundle.id);
        self.touch_known(bundle.tenant, row, Some(None), Some(bundle))?;
        self.inner.insert_bundle(bundle)
    }

    fn bundle(&mut self, tenant: TenantId, id: BundleId) -> Result<Option<Bundle>> {
        self.inner.bundle(tenant, id)
    }

    fn insert_licenses(&mut self, licenses: &[License]) -> Result<()> {
        for l in licenses {
            let row = Row::License(l.id);
            if self.touched.contains_key(&(l.tenant, row)) {
                self.touch_known(l.tenant, row, Some(None), Some(l))?;
            } else {
                let h = row.hash(l)?;
                fold(self.folded.entry(l.tenant).or_default(), row.table(), &h);
            }
        }
        self.inner.insert_licenses(licenses)
    }

    fn update_license(&mut self, license: &License) -> Result<()> {
        let row = Row::License(license.id);
        self.touch_known(license.tenant, row, None, Some(license))?;
        self.inner.update_license(license)
    }

    fn delete_license(&mut self, tenant: TenantId, id: LicenseId) -> Result<()> {
        self.touch_known::<()>(tenant, Row::License(id), None, None)?;
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
        let row = Row::LicenseUser(user.id);
        self.touch_known(user.tenant, row, Some(None), Some(&(user, password_hash)))?;
        self.inner.insert_license_user(user, password_hash)
    }

    fn update_license_user(&mut self, user: &LicenseUser) -> Result<()> {
        // The password is not in `user`: the row is read back for the digest.
        self.touch(user.tenant, Row::LicenseUser(user.id), None, None)?;
        self.inner.update_license_user(user)
    }

    fn set_license_user_password(
        &mut self,
        tenant: TenantId,
        id: LicenseUserId,
        password_hash: &str,
    ) -> Result<()> {
        self.touch(tenant, Row::LicenseUser(id), None, None)?;
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
        self.touch_known::<()>(tenant, Row::LicenseUser(id), None, None)?;
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
        let row = Row::Manager(manager.order, manager.user);
        self.touch_known(manager.tenant, row, None, Some(manager))?;
        self.inner.put_manager(manager)
    }

    fn delete_manager(&mut self, tenant: TenantId, order: OrderId, user: UserId) -> Result<()> {
        self.touch_known::<()>(tenant, Row::Manager(order, user), None, None)?;
        self.inner.delete_manager(tenant, order, user)
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
            // Its hash is not known before its digests are: the next entry's `prev_hash` is set
            // when the held one is written (`append_ledger`).
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
        }
        // Hashed by `write`, once its state digests are in it.
        self.held = Some(entry);
        Ok(())
    }

    fn ledger(&mut self, tenant: TenantId, after: u64, limit: usize) -> Result<Vec<LedgerEntry>> {
        self.inner.ledger(tenant, after, limit)
    }

    fn recorded_head(&mut self, tenant: TenantId) -> Result<Option<LedgerHead>> {
        self.inner.recorded_head(tenant)
    }

    fn recorded_state(
        &mut self,
        tenant: TenantId,
    ) -> Result<Option<(u64, BTreeMap<String, String>)>> {
        self.inner.recorded_state(tenant)
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

    fn new_notification_ids(&mut self, count: usize) -> Result<Vec<NotificationId>> {
        self.inner.new_notification_ids(count)
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

    fn prune_idempotency(&mut self, tenant: TenantId, before: DateTime<Utc>) -> Result<u64> {
        self.inner.prune_idempotency(tenant, before)
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
