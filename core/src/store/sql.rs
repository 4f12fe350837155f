//! What the SQL stores share: one [`Tx`] implementation over a minimal [`SqlConn`], the column
//! lists, and the decoding of rows into domain values.
//!
//! Statements are written once, with numbered `?N` placeholders, in the common subset of SQLite
//! and PostgreSQL; a backend only runs them ([`SqlConn::query`], [`SqlConn::execute`]) and turns
//! its rows into [`Cell`]s.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{Error, Result, StorageError};
use crate::hierarchy::{Organization, Plan, Tenant, Tier, User};
use crate::idempotency::IdempotencyRecord;
use crate::ids::{
    BundleId, LicenseId, LicenseUserId, NotificationId, OrderId, OrderNumber, OrgId, ProductId,
    TenantId, UserId,
};
use crate::keys::LicenseKey;
use crate::ledger::{LedgerEntry, LedgerHead, LedgerKind, Movement};
use crate::license::{License, LicenseStatus, LicenseUser};
use crate::notification::{Notification, NotificationKind};
use crate::order::{Draw, Order, OrderMetadata, OrderStatus};
use crate::permission::LicenseManager;
use crate::product::{Bundle, Product, ProductKind};
use crate::store::Tx;
use crate::store::directory::{Directory, Key, Value};
use crate::store::notification_keys;
use crate::time;
use crate::views::fold_case;
use crate::views::{CountsChange, InventoryFilter, OrderList, SummaryCounts};

/// A value in a row or a parameter: the types our schema uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Text(String),
    /// An id: 16 bytes on SQLite (a BLOB, migration 0014), its hyphenated text on PostgreSQL
    /// (docs/decisions.md §56).
    Id(Uuid),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}
impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Null, Into::into)
    }
}

/// The one thing a SQL backend provides inside an open transaction.
pub(crate) trait SqlConn {
    /// Runs a query; returns its rows.
    fn query(&mut self, sql: &str, params: &[Cell]) -> Result<Vec<Raw>>;
    /// Runs a statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Cell]) -> Result<u64>;
    /// Runs the combined writes of a command (one statement of several parts, typed by its
    /// parameters) and checks what each part changed against `expected`. PostgreSQL prepares
    /// each text once per connection with its parameters' types, then binds and runs it in one
    /// round trip, and sends a command's last writes without waiting for their answer
    /// (docs/decisions.md §69): a failure then fails the connection's next statement or commit.
    fn write_combined(&mut self, sql: &str, params: Vec<Cell>, expected: Expected) -> Result<()> {
        let rows = self.query(sql, &params)?;
        expected.check(&rows)
    }
    /// Whether held-back writes are sent as one statement (data-modifying `WITH` clauses,
    /// PostgreSQL) rather than one by one (SQLite, where a statement costs no round trip).
    fn combines_writes(&self) -> bool {
        false
    }
    /// The writes sent from now on are the command's last: no read follows them (an SQLite
    /// group's command then needs no savepoint, docs/decisions.md §67).
    fn last_writes(&mut self) {}
    /// Whether the outbox is keyed by an integer that new notification ids hold (SQLite,
    /// docs/decisions.md §72) rather than by the ids themselves (PostgreSQL).
    fn keyed_outbox(&self) -> bool {
        false
    }
}

/// A group's command and its savepoint (docs/decisions.md §67). A command that is not its
/// transaction's first needs one only if something it wrote must be undone: its writes are held
/// back until it reads or ends (§41), so a command refused before then wrote nothing, and one
/// whose writes all go out in its last flush (the common case: reads first, then writes) is
/// not refused after them. So the savepoint is taken at the first write that a read follows,
/// and otherwise not at all: SQLite then keeps no copy of the pages the command changes, and
/// PostgreSQL spends no round trip on it. (On PostgreSQL any failed statement aborts the whole
/// transaction, so there a failed statement without a savepoint gives the group up as well.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Savepoint {
    /// None wanted: the transaction's first command (a failure ends the transaction), or no
    /// group at all.
    None,
    /// Wanted before the command's first write, unless that write is of its last flush.
    Pending,
    /// Taken: a failure rolls back to it.
    Taken,
    /// The command's writes went out in its last flush without one; `sent` of them succeeded.
    /// A failure after the first leaves part of the command in the transaction, which can
    /// then no longer be trusted; a failure of the first left nothing (SQLite undoes a failed
    /// statement).
    Skipped { sent: u32 },
}

impl Savepoint {
    /// Before a write (`ending`: of the command's last flush): whether the savepoint is to be
    /// taken now (it is then counted as taken).
    pub(crate) fn take_before_write(&mut self, ending: bool) -> bool {
        match self {
            Savepoint::Pending if ending => {
                *self = Savepoint::Skipped { sent: 0 };
                false
            }
            Savepoint::Pending => {
                *self = Savepoint::Taken;
                true
            }
            Savepoint::None | Savepoint::Taken | Savepoint::Skipped { .. } => false,
        }
    }

    /// After a write went out.
    pub(crate) fn wrote(&mut self) {
        if let Savepoint::Skipped { sent } = self {
            *sent = sent.saturating_add(1);
        }
    }
}

/// A write held back until the transaction next reads or ends (docs/decisions.md §41).
struct Held {
    sql: String,
    params: Vec<Cell>,
    table: &'static str,
    /// The row it writes (table and first parameter, the row's id): a second write of the
    /// same row is not held beside the first.
    key: (&'static str, Cell),
    /// The rows it must change.
    rows: u64,
}

/// The row a held write changes: its table and id.
fn row_of(table: &'static str, key: impl std::fmt::Display) -> (&'static str, Cell) {
    (table, Cell::Text(key.to_string()))
}

/// Appends the placeholder `?n` to `q` (without a `format!` allocation: multi-row statements
/// write hundreds of them per command).
fn push_placeholder(q: &mut String, n: usize) {
    q.push('?');
    push_number(q, n);
}

/// A statement's text built from the column lists once, on first use, then borrowed: the hot
/// reads ran a `format!` (an allocation and the `fmt` machinery) per call (docs/decisions.md
/// §62). Each use is its own static.
macro_rules! sql_once {
    ($($text:tt)*) => {{
        static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| format!($($text)*));
        TEXT.as_str()
    }};
}

/// Appends `n` in decimal to `q` (`itoa`: no `fmt` machinery per placeholder).
fn push_number(q: &mut String, n: usize) {
    q.push_str(itoa::Buffer::new().format(n));
}

/// `count` placeholders from `?first` on, separated by commas: `?3, ?4, ?5`.
fn placeholders(first: usize, count: usize) -> String {
    let mut q = String::with_capacity(count.saturating_mul(5));
    for i in 0..count {
        if i > 0 {
            q.push_str(", ");
        }
        push_placeholder(&mut q, first.saturating_add(i));
    }
    q
}

/// Appends `sql` to `out` with each placeholder `?N` renumbered `?(N + by)`. Placeholders and
/// their digits are ASCII, so the text is copied in slices between them (a command's combined
/// write renumbers a few kilobytes: docs/decisions.md §71).
fn shift_placeholders(out: &mut String, sql: &str, by: usize) {
    let mut rest = sql;
    while let Some(q) = rest.find('?') {
        // `?` is one byte, and the digits after it are ASCII: both splits fall on characters.
        let Some((head, tail)) = rest.split_at_checked(q.saturating_add(1)) else {
            break;
        };
        out.push_str(head);
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        let Some((number, after)) = tail.split_at_checked(digits) else {
            rest = tail;
            break;
        };
        match number.parse::<usize>() {
            Ok(n) => push_number(out, n.saturating_add(by)),
            Err(_) => out.push_str(number),
        }
        rest = after;
    }
    out.push_str(rest);
}

/// A row as cells, decoded afterwards (so decoding errors are ours, with the table named).
pub(crate) struct Raw(pub(crate) Vec<Cell>);

fn corrupt(table: &'static str, reason: impl Into<String>) -> Error {
    StorageError::Corrupt {
        table,
        reason: reason.into(),
    }
    .into()
}

pub(crate) fn to_i64(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::InvariantViolated(format!("{v} does not fit a BIGINT")))
}

fn uuid_col(table: &'static str, s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| corrupt(table, format!("bad uuid '{s}': {e}")))
}

fn json_col<T: serde::de::DeserializeOwned>(table: &'static str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| corrupt(table, format!("bad JSON '{s}': {e}")))
}

/// A value as JSON text, for the columns that keep one.
pub(crate) fn json<T: serde::Serialize>(v: &T) -> Result<Cell> {
    serde_json::to_string(v)
        .map(Cell::Text)
        .map_err(|source| Error::Json {
            what: "a stored value".into(),
            source,
        })
}

fn time_col(table: &'static str, s: &str) -> Result<DateTime<Utc>> {
    time::parse(s).ok_or_else(|| corrupt(table, format!("bad timestamp '{s}'")))
}

impl Raw {
    fn text(&self, t: &'static str, i: usize) -> Result<String> {
        match self.0.get(i) {
            Some(Cell::Text(s)) => Ok(s.clone()),
            other => Err(corrupt(
                t,
                format!("column {i}: expected text, got {other:?}"),
            )),
        }
    }
    fn opt_text(&self, t: &'static str, i: usize) -> Result<Option<String>> {
        match self.0.get(i) {
            Some(Cell::Null) => Ok(None),
            _ => self.text(t, i).map(Some),
        }
    }
    pub(crate) fn int(&self, t: &'static str, i: usize) -> Result<i64> {
        match self.0.get(i) {
            Some(Cell::Int(v)) => Ok(*v),
            // SUM over no rows is NULL.
            Some(Cell::Null) => Ok(0),
            other => Err(corrupt(
                t,
                format!("column {i}: expected integer, got {other:?}"),
            )),
        }
    }
    fn uint(&self, t: &'static str, i: usize) -> Result<u64> {
        let v = self.int(t, i)?;
        u64::try_from(v).map_err(|_| corrupt(t, format!("column {i}: negative value {v}")))
    }
    fn uuid(&self, t: &'static str, i: usize) -> Result<Uuid> {
        match self.0.get(i) {
            Some(Cell::Id(u)) => Ok(*u),
            Some(Cell::Text(s)) => uuid_col(t, s),
            other => Err(corrupt(
                t,
                format!("column {i}: expected an id, got {other:?}"),
            )),
        }
    }
    fn opt_uuid(&self, t: &'static str, i: usize) -> Result<Option<Uuid>> {
        match self.0.get(i) {
            Some(Cell::Null) => Ok(None),
            _ => self.uuid(t, i).map(Some),
        }
    }
    fn time(&self, t: &'static str, i: usize) -> Result<DateTime<Utc>> {
        time_col(t, &self.text(t, i)?)
    }
    fn opt_time(&self, t: &'static str, i: usize) -> Result<Option<DateTime<Utc>>> {
        self.opt_text(t, i)?.map(|s| time_col(t, &s)).transpose()
    }
    fn json<T: serde::de::DeserializeOwned>(&self, t: &'static str, i: usize) -> Result<T> {
        json_col(t, &self.text(t, i)?)
    }
    fn parse<T: FromStr<Err = Error>>(&self, t: &'static str, i: usize) -> Result<T> {
        let s = self.text(t, i)?;
        s.parse().map_err(|e: Error| corrupt(t, e.to_string()))
    }
}

const TENANT_COLS: &str = "id, name, plan, vendor, minted, next_order_number, created_at, retired";
fn tenant_from(r: &Raw) -> Result<Tenant> {
    let t = "tenants";
    Ok(Tenant {
        id: TenantId::from_uuid(r.uuid(t, 0)?),
        name: r.text(t, 1)?,
        plan: r.parse::<Plan>(t, 2)?,
        vendor: OrgId::from_uuid(r.uuid(t, 3)?),
        minted: r.uint(t, 4)?,
        next_order_number: r.uint(t, 5)?,
        created_at: r.time(t, 6)?,
        retired: r.uint(t, 7)?,
    })
}

const ORG_COLS: &str = "id, tenant, name, tier, parent, active, created_at";
fn org_from(r: &Raw) -> Result<Organization> {
    let t = "organizations";
    Ok(Organization {
        id: OrgId::from_uuid(r.uuid(t, 0)?),
        tenant: TenantId::from_uuid(r.uuid(t, 1)?),
        name: r.text(t, 2)?,
        tier: r.parse::<Tier>(t, 3)?,
        parent: r.opt_uuid(t, 4)?.map(OrgId::from_uuid),
        active: r.int(t, 5)? != 0,
        created_at: r.time(t, 6)?,
    })
}

const USER_COLS: &str = "id, tenant, name, email, created_at, active";
fn user_from(r: &Raw) -> Result<User> {
    let t = "users";
    Ok(User {
        id: UserId::from_uuid(r.uuid(t, 0)?),
        tenant: TenantId::from_uuid(r.uuid(t, 1)?),
        name: r.text(t, 2)?,
        email: r.text(t, 3)?,
        created_at: r.time(t, 4)?,
        active: r.int(t, 5)? != 0,
    })
}

const PRODUCT_COLS: &str = "id, tenant, code, name, kind, created_at, policy, retired";
fn product_from(r: &Raw) -> Result<Product> {
    let t = "products";
    Ok(Product {
        id: ProductId::from_uuid(r.uuid(t, 0)?),
        tenant: TenantId::from_uuid(r.uuid(t, 1)?),
        code: r.text(t, 2)?,
        name: r.text(t, 3)?,
        kind: r.parse::<ProductKind>(t, 4)?,
        created_at: r.time(t, 5)?,
        policy: r.json(t, 6)?,
        retired: r.int(t, 7)? != 0,
    })
}

const ORDER_COLS: &str = "id, tenant, number, product, purchase_order, holder, source, \
    requested_by, requested_at, requested_quantity, requester_comments, approved_by, approved_at, \
    approved_quantity, approval_comments, status, drawn, issued, available, updated_at, \
    reference, campaign, download_id, is_test, is_trial, customer, bundle";
fn order_from(r: &Raw) -> Result<Order> {
    let t = "orders";
    Ok(Order {
        id: OrderId::from_uuid(r.uuid(t, 0)?),
        tenant: TenantId::from_uuid(r.uuid(t, 1)?),
        number: OrderNumber(r.uint(t, 2)?),
        product: ProductId::from_uuid(r.uuid(t, 3)?),
        purchase_order: r.opt_text(t, 4)?,
        holder: OrgId::from_uuid(r.uuid(t, 5)?),
        source: r.opt_uuid(t, 6)?.map(OrgId::from_uuid),
        requested_by: r.opt_uuid(t, 7)?.map(UserId::from_uuid),
        requested_at: r.time(t, 8)?,
        requested_quantity: r.uint(t, 9)?,
        requester_comments: r.opt_text(t, 10)?,
        approved_by: r.opt_uuid(t, 11)?.map(UserId::from_uuid),
        approved_at: r.opt_time(t, 12)?,
        approved_quantity: r.uint(t, 13)?,
        approval_comments: r.opt_text(t, 14)?,
        status: r.parse::<OrderStatus>(t, 15)?,
        drawn: r.uint(t, 16)?,
        issued: r.uint(t, 17)?,
        available: r.uint(t, 18)?,
        updated_at: r.time(t, 19)?,
        metadata: OrderMetadata {
            reference: r.opt_text(t, 20)?,
            campaign: r.json(t, 21)?,
            download_id: r.opt_text(t, 22)?,
            is_test: r.int(t, 23)? != 0,
            is_trial: r.int(t, 24)? != 0,
        },
        customer: r.opt_text(t, 25)?.map(|c| json_col(t, &c)).transpose()?,
        bundle: r.opt_uuid(t, 26)?.map(BundleId::from_uuid),
    })
}

const LEDGER_COLS: &str = "tenant, seq, recorded_at, actor, kind, order_id, org, minted, \
    movements, prev_hash, hash, retired, state";

/// The ledger's rows are keyed by one integer, `ledger_base × 2^40 + seq`, where `ledger_base`
/// is the tenant's store-wide number (migrations 0016 and 0017, docs/decisions.md §65): a
/// tenant's entries are the keys from its base to its base + 2^40 − 1, in order. This is the
/// base of the tenant bound as `?1` (0 for a tenant that does not exist, whose range holds no
/// entry: every key is at least 2^40).
macro_rules! ledger_base {
    () => {
        "(COALESCE((SELECT ledger_base FROM tenants WHERE id = ?1), 0) * 1099511627776)"
    };
}

/// The largest `seq` a ledger key can hold (2^40 − 1); the schema refuses a larger one.
const LEDGER_SEQ_MAX: u64 = (1 << 40) - 1;

/// A tenant's newest ledger entry (`?1` tenant): the last key of its range.
pub(crate) fn ledger_head_sql() -> &'static str {
    concat!(
        "SELECT seq, hash FROM ledger WHERE key BETWEEN ",
        ledger_base!(),
        " AND ",
        ledger_base!(),
        " + 1099511627775 ORDER BY key DESC LIMIT 1"
    )
}

/// A page of a tenant's ledger (`?1` tenant, after `?2`, at most `?3` entries): keys of its
/// range, in order.
pub(crate) fn ledger_page_sql() -> &'static str {
    sql_once!(
        "SELECT {LEDGER_COLS} FROM ledger WHERE key > {base} + ?2 \
         AND key <= {base} + 1099511627775 ORDER BY key LIMIT ?3",
        base = ledger_base!()
    )
}
fn ledger_from(r: &Raw) -> Result<LedgerEntry> {
    let t = "ledger";
    let movements: Vec<Movement> =
        serde_json::from_str(&r.text(t, 8)?).map_err(|e| corrupt(t, format!("movements: {e}")))?;
    Ok(LedgerEntry {
        tenant: TenantId::from_uuid(r.uuid(t, 0)?),
        seq: r.uint(t, 1)?,
        at: r.time(t, 2)?,
        actor: r.opt_uuid(t, 3)?.map(UserId::from_uuid),
        kind: r.parse::<LedgerKind>(t, 4)?,
        order: r.opt_uuid(t, 5)?.map(OrderId::from_uuid),
        org: r.opt_uuid(t, 6)?.map(OrgId::from_uuid),
        minted: r.uint(t, 7)?,
        movements,
        prev_hash: r.text(t, 9)?,
        hash: r.text(t, 10)?,
        retired: r.uint(t, 11)?,
        state: serde_json::from_str(&r.text(t, 12)?)
            .map_err(|e| corrupt(t, format!("state: {e}")))?,
    })
}

fn bundle_from(r: &Raw) -> Result<Bundle> {
    let t = "bundles";
    Ok(Bundle {
        id: BundleId::from_uuid(r.uuid(t, 0)?),
        tenant: TenantId::from_uuid(r.uuid(t, 1)?),
        name: r.text(t, 2)?,
        lines: r.json(t, 3)?,
    })
}

fn draw_from(r: &Raw) -> Result<Draw> {
    let t = "draws";
    Ok(Draw {
        tenant: TenantId::from_uuid(r.uuid(t, 0)?),
        order: OrderId::from_uuid(r.uuid(t, 1)?),
        source_order: OrderId::from_uuid(r.uuid(t, 2)?),
        quantity: r.uint(t, 3)?,
        at: r.time(t, 4)?,
    })
}

const LICENSE_COLS: &str = "id, tenant, order_id, product, license_key, is_code, status, \
    license_user, activations, borrows, policy, trial, issued_at, activated_at, expires_at, \
    imported";
const LICENSE_N: usize = 16;
fn license_from(r: &Raw) -> Result<License> {
    let t = "licenses";
    Ok(License {
        id: LicenseId::from_uuid(r.uuid(t, 0)?),
        tenant: TenantId::from_uuid(r.uuid(t, 1)?),
        order: OrderId::from_uuid(r.uuid(t, 2)?),
        product: ProductId::from_uuid(r.uuid(t, 3)?),
        key: LicenseKey::stored(r.text(t, 4)?),
        is_code: r.int(t, 5)? != 0,
        status: r.parse::<LicenseStatus>(t, 6)?,
        license_user: r.opt_uuid(t, 7)?.map(LicenseUserId::from_uuid),
        activations: r.json(t, 8)?,
        borrows: r.json(t, 9)?,
        policy: r.json(t, 10)?,
        trial: r.int(t, 11)? != 0,
        issued_at: r.time(t, 12)?,
        activated_at: r.opt_time(t, 13)?,
        expires_at: r.opt_time(t, 14)?,
        imported: r.int(t, 15)? != 0,
    })
}

fn license_cells(l: &License) -> Result<[Cell; LICENSE_N]> {
    Ok([
        id(l.id),
        id(l.tenant),
        id(l.order),
        id(l.product),
        l.key.as_str().into(),
        Cell::Int(i64::from(l.is_code)),
        l.status.as_str().into(),
        opt_id(l.license_user),
        json(&l.activations)?,
        json(&l.borrows)?,
        json(&l.policy)?,
        Cell::Int(i64::from(l.trial)),
        ts(l.issued_at),
        l.activated_at.map(time::format).into(),
        l.expires_at.map(time::format).into(),
        Cell::Int(i64::from(l.imported)),
    ])
}

const LICENSE_USER_COLS: &str =
    "id, tenant, order_id, email, name, CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END";
fn license_user_from(r: &Raw) -> Result<LicenseUser> {
    let t = "license_users";
    Ok(LicenseUser {
        id: LicenseUserId::from_uuid(r.uuid(t, 0)?),
        tenant: TenantId::from_uuid(r.uuid(t, 1)?),
        order: OrderId::from_uuid(r.uuid(t, 2)?),
        email: r.text(t, 3)?,
        name: r.opt_text(t, 4)?,
        has_password: r.int(t, 5)? != 0,
    })
}

fn manager_from(r: &Raw) -> Result<LicenseManager> {
    let t = "license_managers";
    Ok(LicenseManager {
        tenant: TenantId::from_uuid(r.uuid(t, 0)?),
        order: OrderId::from_uuid(r.uuid(t, 1)?),
        user: UserId::from_uuid(r.uuid(t, 2)?),
        permissions: LicenseManager::parse_permissions(&r.text(t, 3)?)
            .map_err(|e| corrupt(t, e.to_string()))?,
    })
}

/// Licenses per multi-row INSERT: few round trips, well under every parameter limit.
const LICENSE_BATCH: usize = 100;

fn id(v: impl Into<Uuid>) -> Cell {
    Cell::Id(v.into())
}

fn opt_id<T: Into<Uuid>>(v: Option<T>) -> Cell {
    v.map_or(Cell::Null, id)
}

/// A holder's drawable orders of a product (`?1` tenant, `?2` holder, `?3` product), read
/// through the partial index `orders_for_draw` (migration 0013), which holds the drawable
/// status only: the query names it as a literal, as a partial index requires.
pub(crate) fn drawable_sql() -> &'static str {
    sql_once!(
        "SELECT {ORDER_COLS} FROM orders WHERE tenant = ?1 AND holder = ?2 AND product = ?3 \
         AND {}",
        drawable_terms()
    )
}

/// What makes an order drawable, in SQL: its status as a literal (as the partial index
/// `orders_for_draw` requires) and units left.
fn drawable_terms() -> &'static str {
    sql_once!(
        "status = '{}' AND available > 0",
        OrderStatus::DRAWABLE.as_str()
    )
}

/// A tenant's pending notifications in order (`?1` tenant, `?2` limit), read through the
/// partial index `notifications_pending`.
pub(crate) fn pending_sql() -> &'static str {
    sql_once!(
        "SELECT {NOTIFICATION_COLS} FROM notifications \
         WHERE tenant = ?1 AND sent_at IS NULL ORDER BY seq, id LIMIT ?2"
    )
}

/// Finds notification `?1` of tenant `?2`. In a keyed outbox (SQLite, docs/decisions.md §72)
/// by the key `?3` its id names or, for an id that names none, the key `notification_ids`
/// maps it to; the row's id and tenant must match as well.
const NOTIFICATION_BY_ID: &str = "id = ?1 AND tenant = ?2";
const NOTIFICATION_BY_KEY: &str = "key = COALESCE((SELECT key FROM notification_ids \
     WHERE id = ?1), ?3) AND id = ?1 AND tenant = ?2";

/// Reads a notification by id (see [`NOTIFICATION_BY_KEY`] for its parameters).
pub(crate) fn notification_sql(keyed: bool) -> &'static str {
    if keyed {
        sql_once!("SELECT {NOTIFICATION_COLS} FROM notifications WHERE {NOTIFICATION_BY_KEY}")
    } else {
        sql_once!("SELECT {NOTIFICATION_COLS} FROM notifications WHERE {NOTIFICATION_BY_ID}")
    }
}

/// Marks a notification sent at the last parameter (see [`NOTIFICATION_BY_KEY`] for the
/// others).
pub(crate) fn notification_sent_sql(keyed: bool) -> &'static str {
    if keyed {
        sql_once!("UPDATE notifications SET sent_at = ?4 WHERE {NOTIFICATION_BY_KEY}")
    } else {
        sql_once!("UPDATE notifications SET sent_at = ?3 WHERE {NOTIFICATION_BY_ID}")
    }
}

const NOTIFICATION_COLS: &str = "id, tenant, seq, kind, recipient, email, name, order_id, digest, \
     permissions, created_at, sent_at";
fn notification_from(r: &Raw) -> Result<Notification> {
    let t = "notifications";
    Ok(Notification {
        id: NotificationId::from_uuid(r.uuid(t, 0)?),
        tenant: TenantId::from_uuid(r.uuid(t, 1)?),
        seq: r.uint(t, 2)?,
        kind: r.parse::<NotificationKind>(t, 3)?,
        recipient: UserId::from_uuid(r.uuid(t, 4)?),
        email: r.text(t, 5)?,
        name: r.text(t, 6)?,
        order: OrderId::from_uuid(r.uuid(t, 7)?),
        digest: r.json(t, 8)?,
        permissions: r.json(t, 9)?,
        created_at: r.time(t, 10)?,
        sent_at: r.opt_time(t, 11)?,
    })
}

fn ts(t: DateTime<Utc>) -> Cell {
    Cell::Text(time::format(t))
}

fn num(v: u64) -> Result<Cell> {
    Ok(Cell::Int(to_i64(v)?))
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
/// The columns of an `org_counts` line after its tenant and organization.
const COUNTS_COLS: &str = "product, orders, held, available, pending_requests, \
     pending_units, incoming_requests, incoming_units";

/// A counters line from the columns of [`COUNTS_COLS`], starting at column `at`.
fn counts_from(r: &Raw, at: usize) -> Result<SummaryCounts> {
    let t = "org_counts";
    let col = |i: usize| at.checked_add(i).ok_or_else(|| corrupt(t, "column index"));
    Ok(SummaryCounts {
        product: ProductId::from_uuid(r.uuid(t, col(0)?)?),
        orders: r.uint(t, col(1)?)?,
        held: r.uint(t, col(2)?)?,
        available: r.uint(t, col(3)?)?,
        pending_requests: r.uint(t, col(4)?)?,
        pending_units: r.uint(t, col(5)?)?,
        incoming_requests: r.uint(t, col(6)?)?,
        incoming_units: r.uint(t, col(7)?)?,
    })
}

fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len().saturating_add(2));
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Refuses a write of `table` that changed other than the `rows` it must.
fn expect_count(table: &'static str, rows: u64, changed: u64) -> Result<()> {
    if changed == rows {
        Ok(())
    } else {
        Err(StorageError::RowCount {
            table,
            reason: format!("expected to change {rows} rows, changed {changed}"),
        }
        .into())
    }
}

/// What each part of a command's combined writes must change: its table and rows, in the
/// order of the parts, which is that of the counts in the statement's one row.
pub(crate) struct Expected(Vec<(&'static str, u64)>);

impl Expected {
    /// Checks the combined statement's `rows` against what each part must change.
    pub(crate) fn check(&self, rows: &[Raw]) -> Result<()> {
        let row = rows
            .first()
            .ok_or_else(|| corrupt("(writes)", "no row of counts"))?;
        for (i, &(table, want)) in self.0.iter().enumerate() {
            expect_count(table, want, row.uint(table, i)?)?;
        }
        Ok(())
    }
}

/// The [`Tx`] of every SQL store.
pub(crate) struct SqlTx<'a> {
    conn: &'a mut dyn SqlConn,
    /// Whether [`Tx::lock_tenant`] locks the row it reads (`FOR UPDATE`, on PostgreSQL; SQLite's
    /// write transaction holds the whole database).
    lock_rows: bool,
    /// Refuse writes and write locks (a read transaction), on every backend alike.
    read_only: bool,
    /// What the lock statement read with the tenant it locked, kept current by this
    /// transaction's writes: the tenant, its ledger head and state digests, and its directory
    /// version need no statement of their own (docs/decisions.md §41).
    locked: Option<Locked>,
    /// The directory cache of the store.
    directory: &'a Directory,
    /// The tenant and directory version a read transaction's snapshot holds.
    snapshot: Option<(TenantId, i64)>,
    /// Set once this transaction writes a directory row: the cache is not used after that.
    directory_written: bool,
    /// Writes held back until the next read or the end ([`SqlTx::finish`]).
    held: Vec<Held>,
    /// The indexed columns that change (product, status) of the orders this transaction has
    /// read or written: an update that leaves them alone does not write them, so SQLite does
    /// not rewrite the index entries that hold them (docs/decisions.md §41).
    order_keys: std::collections::HashMap<OrderId, (ProductId, OrderStatus)>,
    /// The drawable orders of the source and product of the order last read by id, read with
    /// it on a backend where a statement is a round trip (docs/decisions.md §68): what
    /// `drawable_orders` answers for them next, if nothing was written in between.
    drawable: Option<(TenantId, OrgId, ProductId, Vec<Order>)>,
    /// The held writes are being sent as the command's last: on a backend that combines
    /// writes, even a lone one goes out that way, without waiting (docs/decisions.md §69).
    ending: bool,
    /// A group's command: the locked tenant's row, if changed, is left for the group's commit
    /// to write rather than written with the command's last writes (docs/decisions.md §70).
    tenant_at_commit: bool,
    /// The outbox keys this transaction has taken, on a backend with a keyed outbox
    /// (docs/decisions.md §72): the next one follows them.
    notification_keys: Option<std::ops::Range<i64>>,
}

/// The tenant a write transaction locked, as this transaction has left it. A group's
/// transaction hands it from one command to the next ([`SqlTx::carrying`]): the lock is held
/// until the group commits, so the next command needs no statement to take it again
/// (docs/decisions.md §58).
#[derive(Clone, Debug)]
pub(crate) struct Locked {
    row: Tenant,
    head: LedgerHead,
    /// The head's state digests (JSON; `None` if not recorded).
    state: Option<String>,
    directory_version: i64,
    /// Whether this transaction changed the row (written once, when the held writes go).
    changed: bool,
    /// The next free key of a keyed outbox (SQLite, docs/decisions.md §72): read with the
    /// lock, so a command's notifications need no statement to find it, and moved past the
    /// keys each command of the transaction takes. `None` where the outbox is keyed by id.
    outbox_next: Option<i64>,
}

/// What locking a tenant reads: its row, its ledger head and state, its directory version.
pub(crate) fn lock_cols() -> &'static str {
    sql_once!("{TENANT_COLS}, ledger_seq, ledger_hash, ledger_state, directory_version")
}

/// The columns of [`lock_cols`] that hold integers (the others hold text), for a row read as
/// text.
#[cfg(feature = "postgres")]
pub(crate) const LOCK_INTEGERS: [usize; 5] = [4, 5, 7, 8, 11];

/// The outbox key after the largest, which column `at` of `r` holds (NULL: none yet, so 1).
fn outbox_key_after(r: &Raw, at: usize) -> Result<i64> {
    r.int("notifications", at)?
        .checked_add(1)
        .ok_or_else(|| corrupt("notifications", "the largest key is the last one"))
}

impl Locked {
    /// The tenant as a row of [`lock_cols`] holds it, locked and not yet changed.
    pub(crate) fn from_row(r: &Raw) -> Result<Locked> {
        let t = "tenants";
        Ok(Locked {
            row: tenant_from(r)?,
            head: LedgerHead {
                seq: r.uint(t, 8)?,
                hash: r.text(t, 9)?,
            },
            state: r.opt_text(t, 10)?,
            directory_version: r.int(t, 11)?,
            changed: false,
            // SQLite's lock reads the outbox's largest key after the lock's own columns.
            outbox_next: match r.0.get(12) {
                None => None,
                Some(_) => Some(outbox_key_after(r, 12)?),
            },
        })
    }
}

impl<'a> SqlTx<'a> {
    /// A transaction's `Tx` over `conn`.
    pub(crate) fn new(
        conn: &'a mut dyn SqlConn,
        lock_rows: bool,
        read_only: bool,
        directory: &'a Directory,
    ) -> Self {
        SqlTx {
            conn,
            lock_rows,
            read_only,
            locked: None,
            directory,
            snapshot: None,
            directory_written: false,
            held: Vec::new(),
            order_keys: std::collections::HashMap::new(),
            drawable: None,
            ending: false,
            tenant_at_commit: false,
            notification_keys: None,
        }
    }

    /// This transaction, in a group whose earlier commands left the tenant `locked` (with its
    /// lock still held by the open transaction): `lock_tenant` of that tenant reads nothing.
    pub(crate) fn carrying(mut self, locked: Option<Locked>) -> Self {
        self.locked = locked;
        self
    }

    /// This transaction, a command of a group whose commit writes the locked tenant's row
    /// (docs/decisions.md §70): its writes leave that row out, and the tenant it hands on
    /// ([`SqlTx::finish_carrying`]) still says it changed, except before a read of the
    /// `tenants` table's own columns ([`SqlTx::flush_with`]).
    pub(crate) fn tenant_at_commit(mut self) -> Self {
        self.tenant_at_commit = true;
        self
    }

    /// Sends the held writes; the store calls it before committing.
    pub(crate) fn finish(self) -> Result<()> {
        self.finish_carrying().map(drop)
    }

    /// Sends the held writes, and gives the locked tenant as this transaction left it, for the
    /// next command of a group ([`SqlTx::carrying`]).
    pub(crate) fn finish_carrying(mut self) -> Result<Option<Locked>> {
        self.conn.last_writes();
        self.ending = true;
        self.flush()?;
        Ok(self.locked.take())
    }

    /// Holds back a write of the row `key` of `table` (it must change `rows` rows), after
    /// sending those held before if one of them writes the same row.
    fn hold(
        &mut self,
        sql: String,
        params: Vec<Cell>,
        (table, key): (&'static str, Cell),
        rows: u64,
    ) -> Result<()> {
        self.writable()?;
        self.drawable = None;
        let key = (table, key);
        if self.held.iter().any(|h| h.key == key) {
            self.flush()?;
        }
        self.held.push(Held {
            sql,
            params,
            table,
            key,
            rows,
        });
        Ok(())
    }

    /// Sends the held writes, with the locked tenant's row if this transaction changed it
    /// (unless a group's commit writes that, docs/decisions.md §70): one statement on a
    /// backend that combines writes, else one each.
    fn flush(&mut self) -> Result<()> {
        self.flush_with(!self.tenant_at_commit)
    }

    /// Sends the held writes, with the locked tenant's row if `tenant_row` and it changed.
    /// Before a read of the `tenants` table's own columns, a group's command writes the row
    /// it would otherwise leave to the commit (no other statement reads them: the locked
    /// tenant is read from what the transaction carries).
    fn flush_with(&mut self, tenant_row: bool) -> Result<()> {
        if let Some(l) = self.locked.as_mut().filter(|l| l.changed && tenant_row) {
            l.changed = false;
            let (row, head) = (l.row.clone(), l.head.clone());
            let (state, directory) = (l.state.clone(), l.directory_version);
            self.held.push(Held {
                sql:
                    "UPDATE tenants SET name = ?2, plan = ?3, minted = ?4, next_order_number = ?5, \
                      retired = ?6, ledger_seq = ?7, ledger_hash = ?8, ledger_state = ?9, \
                      directory_version = ?10 WHERE id = ?1"
                        .to_owned(),
                params: vec![
                    id(row.id),
                    row.name.as_str().into(),
                    row.plan.as_str().into(),
                    num(row.minted)?,
                    num(row.next_order_number)?,
                    num(row.retired)?,
                    num(head.seq)?,
                    head.hash.as_str().into(),
                    state.into(),
                    Cell::Int(directory),
                ],
                table: "tenants",
                key: row_of("tenants", row.id),
                rows: 1,
            });
        }
        let held = std::mem::take(&mut self.held);
        match held.as_slice() {
            [] => Ok(()),
            _ if !self.conn.combines_writes() => held.iter().try_for_each(|h| self.send_one(h)),
            [one] if !self.ending => self.send_one(one),
            _ => self.send_combined(held),
        }
    }

    fn send_one(&mut self, h: &Held) -> Result<()> {
        let n = self.conn.execute(&h.sql, &h.params)?;
        expect_count(h.table, h.rows, n)
    }

    /// `WITH w1 AS (… RETURNING 1), w2 AS (…) SELECT (SELECT COUNT(*) FROM w1), …`: every
    /// held write in one statement (all see the same snapshot, which is why no two write the
    /// same row), each row count checked.
    fn send_combined(&mut self, held: Vec<Held>) -> Result<()> {
        let (mut params, mut expected) = (Vec::new(), Vec::with_capacity(held.len()));
        let text: usize = held.iter().map(|h| h.sql.len().saturating_add(48)).sum();
        let mut sql = String::with_capacity(text.saturating_add(16));
        sql.push_str("WITH ");
        let writes = held.len();
        for (i, h) in held.into_iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('w');
            push_number(&mut sql, i);
            sql.push_str(" AS (");
            shift_placeholders(&mut sql, &h.sql, params.len());
            sql.push_str(" RETURNING 1)");
            params.extend(h.params);
            expected.push((h.table, h.rows));
        }
        sql.push_str(" SELECT ");
        for i in 0..writes {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str("(SELECT COUNT(*) FROM w");
            push_number(&mut sql, i);
            sql.push(')');
        }
        self.conn.write_combined(&sql, params, Expected(expected))
    }

    /// Runs a query, after the held writes.
    fn query(&mut self, sql: &str, params: &[Cell]) -> Result<Vec<Raw>> {
        self.flush()?;
        self.conn.query(sql, params)
    }

    /// Runs a statement now, after the held writes; returns the rows it changed.
    fn execute(&mut self, sql: &str, params: &[Cell]) -> Result<u64> {
        self.drawable = None;
        self.flush()?;
        self.conn.execute(sql, params)
    }

    fn locked(&self, tenant: TenantId) -> Option<&Locked> {
        self.locked.as_ref().filter(|l| l.row.id == tenant)
    }

    /// The directory version this transaction may use the cache at, if any.
    fn directory_version(&self, tenant: TenantId) -> Option<i64> {
        if self.directory_written {
            return None;
        }
        match (self.locked(tenant), self.snapshot) {
            (Some(l), _) => Some(l.directory_version),
            (None, Some((t, v))) if t == tenant => Some(v),
            _ => None,
        }
    }

    /// `load`'s answer to `key`, from the directory cache when this transaction may use it.
    fn cached<T: Clone>(
        &mut self,
        tenant: TenantId,
        key: Key,
        wrap: fn(T) -> Value,
        unwrap: fn(Value) -> Option<T>,
        load: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let version = self.directory_version(tenant);
        if let Some(v) = version {
            if let Some(hit) = self.directory.get(tenant, v, key).and_then(unwrap) {
                return Ok(hit);
            }
        }
        let value = load(self)?;
        if let Some(v) = version {
            self.directory.put(tenant, v, key, wrap(value.clone()));
        }
        Ok(value)
    }

    /// An order by id, and in the same statement the drawable orders of its source and
    /// product (`drawable_sql`'s rows), kept for the `drawable_orders` that an approval asks
    /// next (docs/decisions.md §68): one round trip instead of two on PostgreSQL.
    fn order_with_drawable(&mut self, tenant: TenantId, order: OrderId) -> Result<Option<Order>> {
        let rows = self.query(
            sql_once!(
                "SELECT CAST(0 AS BIGINT), {ORDER_COLS} FROM orders WHERE id = ?1 AND tenant = ?2 \
                 UNION ALL \
                 SELECT CAST(1 AS BIGINT), {ORDER_COLS} FROM orders WHERE tenant = ?2 AND {} \
                 AND holder = (SELECT source FROM orders WHERE id = ?1 AND tenant = ?2) \
                 AND product = (SELECT product FROM orders WHERE id = ?1 AND tenant = ?2)",
                drawable_terms()
            ),
            &[id(order), id(tenant)],
        )?;
        let (mut found, mut drawable) = (None, Vec::new());
        for Raw(mut cells) in rows {
            // The first column says which part of the union the row is from: 0 the order.
            let part = match cells.first() {
                Some(Cell::Int(part)) => *part,
                other => return Err(corrupt("orders", format!("column 0: got {other:?}"))),
            };
            let o = order_from(&Raw(cells.split_off(1)))?;
            if part == 0 {
                found = Some(o);
            } else {
                drawable.push(o);
            }
        }
        if let Some(o) = &found {
            self.note_orders(std::slice::from_ref(o));
            self.note_orders(&drawable);
            self.drawable = o.source.map(|source| (tenant, source, o.product, drawable));
        }
        Ok(found)
    }

    /// Takes the next `count` keys of a keyed outbox (docs/decisions.md §72): those after the
    /// largest written, as the tenant's lock read it (or a statement of its own, if nothing
    /// is locked), and after those this transaction and the group's earlier commands took.
    /// No held write needs sending first: every notification written takes its key here.
    fn take_notification_keys(&mut self, count: usize) -> Result<std::ops::Range<i64>> {
        let carried = self.locked.as_ref().and_then(|l| l.outbox_next);
        let start = match (&self.notification_keys, carried) {
            (Some(taken), _) => taken.end,
            (None, Some(next)) => next,
            (None, None) => {
                let rows = self.conn.query("SELECT MAX(key) FROM notifications", &[])?;
                match rows.first() {
                    Some(r) => outbox_key_after(r, 0)?,
                    None => 1,
                }
            }
        };
        let end = i64::try_from(count)
            .ok()
            .and_then(|n| start.checked_add(n))
            .ok_or_else(|| corrupt("notifications", format!("no {count} keys left")))?;
        let first = self.notification_keys.as_ref().map_or(start, |t| t.start);
        self.notification_keys = Some(first..end);
        if let Some(l) = self.locked.as_mut().filter(|l| l.outbox_next.is_some()) {
            l.outbox_next = Some(end);
        }
        Ok(start..end)
    }

    /// The parameters of [`notification_sql`] and [`notification_sent_sql`] for notification
    /// `nid` of `tenant`: on a keyed outbox, the key its id names as well (or NULL).
    fn notification_params(&self, tenant: TenantId, nid: NotificationId) -> Vec<Cell> {
        let mut params = vec![id(nid), id(tenant)];
        if self.conn.keyed_outbox() {
            params.push(notification_keys::key_of(nid).map_or(Cell::Null, Cell::Int));
        }
        params
    }

    /// Notes the indexed columns of orders read, for [`Tx::update_order`].
    fn note_orders(&mut self, orders: &[Order]) {
        for o in orders {
            self.order_keys.insert(o.id, (o.product, o.status));
        }
    }

    /// Notes a write of a directory row of `tenant`: the tenant's directory version moves in
    /// this transaction, once.
    fn directory_write(&mut self, tenant: TenantId) -> Result<()> {
        if self.directory_written {
            return Ok(());
        }
        self.writable()?;
        self.directory_written = true;
        if let Some(l) = self.locked.as_mut().filter(|l| l.row.id == tenant) {
            l.directory_version = l.directory_version.saturating_add(1);
            l.changed = true;
            return Ok(());
        }
        // No row yet while a new tenant is being made: nothing of it can be cached.
        self.execute(
            "UPDATE tenants SET directory_version = directory_version + 1 WHERE id = ?1",
            &[id(tenant)],
        )?;
        Ok(())
    }

    fn one<T>(
        &mut self,
        sql: &str,
        params: &[Cell],
        decode: fn(&Raw) -> Result<T>,
    ) -> Result<Option<T>> {
        let rows = self.query(sql, params)?;
        rows.first().map(decode).transpose()
    }

    fn many<T>(
        &mut self,
        sql: &str,
        params: &[Cell],
        decode: fn(&Raw) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.query(sql, params)?.iter().map(decode).collect()
    }

    fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(Error::ReadOnlyTransaction)
        } else {
            Ok(())
        }
    }

    fn exec(&mut self, sql: &str, params: &[Cell], table: &'static str) -> Result<()> {
        self.writable()?;
        match self.execute(sql, params)? {
            1 => Ok(()),
            n => Err(StorageError::RowCount {
                table,
                reason: format!("expected to change 1 row, changed {n}"),
            }
            .into()),
        }
    }
}

impl Tx for SqlTx<'_> {
    fn insert_tenant(&mut self, t: &Tenant) -> Result<()> {
        self.exec(
            &format!("INSERT INTO tenants ({TENANT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
            &[
                id(t.id),
                t.name.as_str().into(),
                t.plan.as_str().into(),
                id(t.vendor),
                num(t.minted)?,
                num(t.next_order_number)?,
                ts(t.created_at),
                num(t.retired)?,
            ],
            "tenants",
        )
    }

    fn lock_tenant(&mut self, tenant: TenantId) -> Result<Option<Tenant>> {
        self.writable()?;
        // Locked already by this transaction: as this transaction has left it.
        if let Some(l) = self.locked(tenant) {
            return Ok(Some(l.row.clone()));
        }
        let sql = if self.lock_rows {
            sql_once!(
                "SELECT {} FROM tenants WHERE id = ?1 FOR UPDATE",
                lock_cols()
            )
        } else if self.conn.keyed_outbox() {
            // With the outbox's largest key (docs/decisions.md §72): SQLite's write
            // transaction holds the whole database, so no other writer takes a key after it.
            sql_once!(
                "SELECT {}, (SELECT MAX(key) FROM notifications) FROM tenants WHERE id = ?1",
                lock_cols()
            )
        } else {
            sql_once!("SELECT {} FROM tenants WHERE id = ?1", lock_cols())
        };
        let rows = self.query(sql, &[id(tenant)])?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let locked = Locked::from_row(r)?;
        let row = locked.row.clone();
        self.locked = Some(locked);
        Ok(Some(row))
    }

    fn tenant(&mut self, tenant: TenantId) -> Result<Option<Tenant>> {
        if let Some(l) = self.locked(tenant) {
            return Ok(Some(l.row.clone()));
        }
        let rows = self.query(
            sql_once!("SELECT {TENANT_COLS}, directory_version FROM tenants WHERE id = ?1"),
            &[id(tenant)],
        )?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        // A read transaction's snapshot: its directory version holds for all its reads.
        if self.read_only && self.snapshot.is_none() {
            self.snapshot = Some((tenant, r.int("tenants", 8)?));
        }
        tenant_from(r).map(Some)
    }

    fn tenants(&mut self) -> Result<Vec<Tenant>> {
        self.flush_with(true)?;
        self.many(
            &format!("SELECT {TENANT_COLS} FROM tenants ORDER BY created_at, id"),
            &[],
            tenant_from,
        )
    }

    fn update_tenant(&mut self, t: &Tenant) -> Result<()> {
        self.writable()?;
        // The locked tenant's row is written once, with the held writes.
        if let Some(l) = self.locked.as_mut().filter(|l| l.row.id == t.id) {
            l.row = Tenant {
                vendor: l.row.vendor,
                created_at: l.row.created_at,
                ..t.clone()
            };
            l.changed = true;
            return Ok(());
        }
        self.exec(
            "UPDATE tenants SET name = ?2, plan = ?3, minted = ?4, next_order_number = ?5, \
             retired = ?6 WHERE id = ?1",
            &[
                id(t.id),
                t.name.as_str().into(),
                t.plan.as_str().into(),
                num(t.minted)?,
                num(t.next_order_number)?,
                num(t.retired)?,
            ],
            "tenants",
        )
    }

    fn insert_org(&mut self, o: &Organization) -> Result<()> {
        self.directory_write(o.tenant)?;
        self.exec(
            "INSERT INTO organizations (id, tenant, name, tier, parent, active, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                id(o.id),
                id(o.tenant),
                o.name.as_str().into(),
                o.tier.as_str().into(),
                opt_id(o.parent),
                Cell::Int(i64::from(o.active)),
                ts(o.created_at),
            ],
            "organizations",
        )
    }

    fn update_org(&mut self, o: &Organization) -> Result<()> {
        self.directory_write(o.tenant)?;
        self.exec(
            "UPDATE organizations SET name = ?3, active = ?4 WHERE id = ?1 AND tenant = ?2",
            &[
                id(o.id),
                id(o.tenant),
                o.name.as_str().into(),
                Cell::Int(i64::from(o.active)),
            ],
            "organizations",
        )
    }

    fn org(&mut self, tenant: TenantId, org: OrgId) -> Result<Option<Organization>> {
        self.cached(
            tenant,
            Key::Org(org),
            Value::Org,
            |v| match v {
                Value::Org(o) => Some(o),
                _ => None,
            },
            |s| {
                s.one(
                    &format!("SELECT {ORG_COLS} FROM organizations WHERE id = ?1 AND tenant = ?2"),
                    &[id(org), id(tenant)],
                    org_from,
                )
            },
        )
    }

    fn insert_user(&mut self, u: &User) -> Result<()> {
        self.directory_write(u.tenant)?;
        self.exec(
            &format!("INSERT INTO users ({USER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
            &[
                id(u.id),
                id(u.tenant),
                u.name.as_str().into(),
                u.email.as_str().into(),
                ts(u.created_at),
                Cell::Int(i64::from(u.active)),
            ],
            "users",
        )
    }

    fn update_user(&mut self, u: &User) -> Result<()> {
        self.directory_write(u.tenant)?;
        self.exec(
            "UPDATE users SET name = ?3, active = ?4 WHERE id = ?1 AND tenant = ?2",
            &[
                id(u.id),
                id(u.tenant),
                u.name.as_str().into(),
                Cell::Int(i64::from(u.active)),
            ],
            "users",
        )
    }

    fn user(&mut self, tenant: TenantId, user: UserId) -> Result<Option<User>> {
        self.cached(
            tenant,
            Key::User(user),
            Value::User,
            |v| match v {
                Value::User(u) => Some(u),
                _ => None,
            },
            |s| {
                s.one(
                    &format!("SELECT {USER_COLS} FROM users WHERE id = ?1 AND tenant = ?2"),
                    &[id(user), id(tenant)],
                    user_from,
                )
            },
        )
    }

    fn user_by_email(&mut self, tenant: TenantId, email: &str) -> Result<Option<User>> {
        self.one(
            &format!("SELECT {USER_COLS} FROM users WHERE tenant = ?1 AND email = ?2"),
            &[id(tenant), email.into()],
            user_from,
        )
    }

    fn insert_admin(&mut self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        self.writable()?;
        self.directory_write(tenant)?;
        self.execute(
            "INSERT INTO org_admins (tenant, user_id, org) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            &[id(tenant), id(user), id(org)],
        )?;
        Ok(())
    }

    fn delete_admin(&mut self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        self.directory_write(tenant)?;
        self.exec(
            "DELETE FROM org_admins WHERE tenant = ?1 AND user_id = ?2 AND org = ?3",
            &[id(tenant), id(user), id(org)],
            "org_admins",
        )
    }

    fn org_admins(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<UserId>> {
        self.cached(
            tenant,
            Key::OrgAdmins(org),
            Value::Users,
            |v| match v {
                Value::Users(u) => Some(u),
                _ => None,
            },
            |s| {
                s.many(
                    "SELECT user_id FROM org_admins WHERE tenant = ?1 AND org = ?2 ORDER BY user_id",
                    &[id(tenant), id(org)],
                    |r| Ok(UserId::from_uuid(r.uuid("org_admins", 0)?)),
                )
            },
        )
    }

    fn admin_orgs(&mut self, tenant: TenantId, user: UserId) -> Result<Vec<OrgId>> {
        self.cached(
            tenant,
            Key::AdminOrgs(user),
            Value::Orgs,
            |v| match v {
                Value::Orgs(o) => Some(o),
                _ => None,
            },
            |s| {
                s.many(
                    "SELECT org FROM org_admins WHERE tenant = ?1 AND user_id = ?2 ORDER BY org",
                    &[id(tenant), id(user)],
                    |r| Ok(OrgId::from_uuid(r.uuid("org_admins", 0)?)),
                )
            },
        )
    }

    fn insert_product(&mut self, p: &Product) -> Result<()> {
        self.directory_write(p.tenant)?;
        self.exec(
            &format!(
                "INSERT INTO products ({PRODUCT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ),
            &[
                id(p.id),
                id(p.tenant),
                p.code.as_str().into(),
                p.name.as_str().into(),
                p.kind.as_str().into(),
                ts(p.created_at),
                json(&p.policy)?,
                Cell::Int(i64::from(p.retired)),
            ],
            "products",
        )
    }

    fn update_product(&mut self, p: &Product) -> Result<()> {
        self.directory_write(p.tenant)?;
        self.exec(
            "UPDATE products SET name = ?3, policy = ?4, retired = ?5 WHERE id = ?1 AND tenant = ?2",
            &[
                id(p.id),
                id(p.tenant),
                p.name.as_str().into(),
                json(&p.policy)?,
                Cell::Int(i64::from(p.retired)),
            ],
            "products",
        )
    }

    fn product(&mut self, tenant: TenantId, product: ProductId) -> Result<Option<Product>> {
        self.cached(
            tenant,
            Key::Product(product),
            Value::Product,
            |v| match v {
                Value::Product(p) => Some(p),
                _ => None,
            },
            |s| {
                s.one(
                    &format!("SELECT {PRODUCT_COLS} FROM products WHERE id = ?1 AND tenant = ?2"),
                    &[id(product), id(tenant)],
                    product_from,
                )
            },
        )
    }

    fn product_by_code(&mut self, tenant: TenantId, code: &str) -> Result<Option<Product>> {
        self.one(
            &format!("SELECT {PRODUCT_COLS} FROM products WHERE tenant = ?1 AND code = ?2"),
            &[id(tenant), code.into()],
            product_from,
        )
    }

    fn insert_order(&mut self, o: &Order) -> Result<()> {
        self.order_keys.insert(o.id, (o.product, o.status));
        self.hold(
            format!(
                "INSERT INTO orders ({ORDER_COLS}, purchase_order_folded) VALUES (?1, ?2, ?3, ?4, \
                 ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, \
                 ?22, ?23, ?24, ?25, ?26, ?27, ?28)"
            ),
            vec![
                id(o.id),
                id(o.tenant),
                num(o.number.0)?,
                id(o.product),
                o.purchase_order.clone().into(),
                id(o.holder),
                opt_id(o.source),
                opt_id(o.requested_by),
                ts(o.requested_at),
                num(o.requested_quantity)?,
                o.requester_comments.clone().into(),
                opt_id(o.approved_by),
                o.approved_at.map(time::format).into(),
                num(o.approved_quantity)?,
                o.approval_comments.clone().into(),
                o.status.as_str().into(),
                num(o.drawn)?,
                num(o.issued)?,
                num(o.available)?,
                ts(o.updated_at),
                o.metadata.reference.clone().into(),
                json(&o.metadata.campaign)?,
                o.metadata.download_id.clone().into(),
                Cell::Int(i64::from(o.metadata.is_test)),
                Cell::Int(i64::from(o.metadata.is_trial)),
                o.customer
                    .as_ref()
                    .map(json)
                    .transpose()?
                    .unwrap_or(Cell::Null),
                opt_id(o.bundle),
                o.purchase_order.as_deref().map(fold_case).into(),
            ],
            row_of("orders", o.id),
            1,
        )
    }

    fn update_order(&mut self, o: &Order) -> Result<()> {
        let keys = (o.product, o.status);
        let unchanged = self.order_keys.get(&o.id) == Some(&keys);
        self.order_keys.insert(o.id, keys);
        // ?1 id, ?2 tenant, then the columns; product and status (indexed) only when changed.
        let mut sets: Vec<&str> = Vec::with_capacity(23);
        let mut args = vec![id(o.id), id(o.tenant)];
        let mut set = |column: &'static str, value: Cell| {
            sets.push(column);
            args.push(value);
        };
        if !unchanged {
            set("product", id(o.product));
            set("status", o.status.as_str().into());
        }
        set("purchase_order", o.purchase_order.clone().into());
        set("requested_by", opt_id(o.requested_by));
        set("requested_quantity", num(o.requested_quantity)?);
        set("requester_comments", o.requester_comments.clone().into());
        set("approved_by", opt_id(o.approved_by));
        set("approved_at", o.approved_at.map(time::format).into());
        set("approved_quantity", num(o.approved_quantity)?);
        set("approval_comments", o.approval_comments.clone().into());
        set("drawn", num(o.drawn)?);
        set("issued", num(o.issued)?);
        set("available", num(o.available)?);
        set("updated_at", ts(o.updated_at));
        set("reference", o.metadata.reference.clone().into());
        set("campaign", json(&o.metadata.campaign)?);
        set("download_id", o.metadata.download_id.clone().into());
        set("is_test", Cell::Int(i64::from(o.metadata.is_test)));
        set("is_trial", Cell::Int(i64::from(o.metadata.is_trial)));
        set(
            "customer",
            o.customer
                .as_ref()
                .map(json)
                .transpose()?
                .unwrap_or(Cell::Null),
        );
        set(
            "purchase_order_folded",
            o.purchase_order.as_deref().map(fold_case).into(),
        );
        // One string, no `format!` per column (40 of them a request+approve pair before).
        let mut sql = String::with_capacity(sets.len().saturating_mul(24).saturating_add(64));
        sql.push_str("UPDATE orders SET ");
        for (i, c) in sets.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(c);
            sql.push_str(" = ");
            push_placeholder(&mut sql, i.saturating_add(3));
        }
        sql.push_str(" WHERE id = ?1 AND tenant = ?2");
        self.hold(sql, args, row_of("orders", o.id), 1)
    }

    fn order(&mut self, tenant: TenantId, order: OrderId) -> Result<Option<Order>> {
        if self.conn.combines_writes() {
            return self.order_with_drawable(tenant, order);
        }
        let o = self.one(
            sql_once!("SELECT {ORDER_COLS} FROM orders WHERE id = ?1 AND tenant = ?2"),
            &[id(order), id(tenant)],
            order_from,
        )?;
        self.note_orders(o.as_slice());
        Ok(o)
    }

    fn order_by_number(&mut self, tenant: TenantId, number: OrderNumber) -> Result<Option<Order>> {
        let o = self.one(
            sql_once!("SELECT {ORDER_COLS} FROM orders WHERE tenant = ?1 AND number = ?2"),
            &[id(tenant), num(number.0)?],
            order_from,
        )?;
        self.note_orders(o.as_slice());
        Ok(o)
    }

    fn drawable_orders(
        &mut self,
        tenant: TenantId,
        holder: OrgId,
        product: ProductId,
    ) -> Result<Vec<Order>> {
        if let Some((t, h, p, orders)) = self.drawable.take() {
            if (t, h, p) == (tenant, holder, product) {
                return Ok(orders);
            }
        }
        self.many(
            drawable_sql(),
            &[id(tenant), id(holder), id(product)],
            order_from,
        )
        .inspect(|orders| self.note_orders(orders))
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
        let side = match list {
            OrderList::Held => "holder",
            OrderList::AwaitingDecision | OrderList::Supplied => "source",
        };
        let mut q = format!("SELECT {ORDER_COLS} FROM orders WHERE tenant = ?1 AND {side} = ?2");
        let mut args: Vec<Cell> = vec![id(tenant), id(org)];
        let push = |q: &mut String, args: &mut Vec<Cell>, v: Cell| {
            args.push(v);
            push_placeholder(q, args.len());
        };
        if let Some(statuses) = list.statuses() {
            q.push_str(" AND status IN (");
            for (i, s) in statuses.iter().enumerate() {
                if i > 0 {
                    q.push_str(", ");
                }
                push(&mut q, &mut args, s.as_str().into());
            }
            q.push(')');
        }
        if let Some(by) = filter.requested_by_org {
            q.push_str(" AND holder = ");
            push(&mut q, &mut args, id(by));
        }
        if !filter.statuses.is_empty() {
            q.push_str(" AND status IN (");
            for (i, s) in filter.statuses.iter().enumerate() {
                if i > 0 {
                    q.push_str(", ");
                }
                push(&mut q, &mut args, s.as_str().into());
            }
            q.push(')');
        }
        if !filter.products.is_empty() {
            q.push_str(" AND product IN (");
            for (i, p) in filter.products.iter().enumerate() {
                if i > 0 {
                    q.push_str(", ");
                }
                push(&mut q, &mut args, id(*p));
            }
            q.push(')');
        }
        if let Some(n) = filter.order_number {
            q.push_str(" AND number = ");
            push(&mut q, &mut args, num(n.0)?);
        }
        if let Some(po) = &filter.purchase_order {
            // Both sides folded by the domain's `fold_case`: the stored column and the needle.
            q.push_str(" AND purchase_order_folded LIKE ");
            let pattern = format!("%{}%", like_escape(&fold_case(po)));
            push(&mut q, &mut args, pattern.into());
            q.push_str(" ESCAPE '\\'");
        }
        if let Some(from) = filter.requested_from {
            q.push_str(" AND requested_at >= ");
            push(&mut q, &mut args, ts(from));
        }
        if let Some(to) = filter.requested_to {
            q.push_str(" AND requested_at < ");
            push(&mut q, &mut args, ts(to));
        }
        if let Some(b) = before {
            q.push_str(" AND number < ");
            push(&mut q, &mut args, num(b.0)?);
        }
        q.push_str(" ORDER BY number DESC LIMIT ");
        push(&mut q, &mut args, num(limit as u64)?);
        self.many(&q, &args, order_from)
    }

    fn all_orders(&mut self, tenant: TenantId) -> Result<Vec<Order>> {
        self.many(
            &format!("SELECT {ORDER_COLS} FROM orders WHERE tenant = ?1 ORDER BY number"),
            &[id(tenant)],
            order_from,
        )
    }

    fn summary(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<SummaryCounts>> {
        let mut lines = self.many(
            &format!(
                "SELECT {COUNTS_COLS} FROM org_counts WHERE tenant = ?1 AND org = ?2 \
                 ORDER BY product"
            ),
            &[id(tenant), id(org)],
            |r| counts_from(r, 0),
        )?;
        lines.retain(SummaryCounts::is_shown);
        Ok(lines)
    }

    fn change_counts(&mut self, tenant: TenantId, changes: &[CountsChange]) -> Result<()> {
        self.writable()?;
        if changes.is_empty() {
            return Ok(());
        }
        // One statement for every line: ?1 the tenant, then nine per change.
        let mut args = vec![id(tenant)];
        let mut rows = Vec::with_capacity(changes.len());
        for c in changes {
            let first = args.len().saturating_add(1);
            rows.push(format!("(?1, {})", placeholders(first, 9)));
            args.extend([
                id(c.org),
                id(c.product),
                Cell::Int(c.orders),
                Cell::Int(c.held),
                Cell::Int(c.available),
                Cell::Int(c.pending_requests),
                Cell::Int(c.pending_units),
                Cell::Int(c.incoming_requests),
                Cell::Int(c.incoming_units),
            ]);
        }
        let sql = format!(
            "INSERT INTO org_counts (tenant, org, {COUNTS_COLS}) VALUES {} \
             ON CONFLICT (tenant, org, product) DO UPDATE SET \
             orders = org_counts.orders + excluded.orders, \
             held = org_counts.held + excluded.held, \
             available = org_counts.available + excluded.available, \
             pending_requests = org_counts.pending_requests + excluded.pending_requests, \
             pending_units = org_counts.pending_units + excluded.pending_units, \
             incoming_requests = org_counts.incoming_requests + excluded.incoming_requests, \
             incoming_units = org_counts.incoming_units + excluded.incoming_units",
            rows.join(", ")
        );
        let rows = u64::try_from(changes.len()).unwrap_or(u64::MAX);
        self.hold(sql, args, row_of("org_counts", tenant), rows)
    }

    fn all_counts(&mut self, tenant: TenantId) -> Result<Vec<(OrgId, SummaryCounts)>> {
        self.many(
            &format!("SELECT org, {COUNTS_COLS} FROM org_counts WHERE tenant = ?1"),
            &[id(tenant)],
            |r| {
                Ok((
                    OrgId::from_uuid(r.uuid("org_counts", 0)?),
                    counts_from(r, 1)?,
                ))
            },
        )
    }

    fn insert_draw(&mut self, d: &Draw) -> Result<()> {
        self.hold(
            "INSERT INTO draws (tenant, order_id, source_order, quantity, drawn_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)"
                .to_owned(),
            vec![
                id(d.tenant),
                id(d.order),
                id(d.source_order),
                num(d.quantity)?,
                ts(d.at),
            ],
            row_of("draws", format!("{}/{}", d.order, d.source_order)),
            1,
        )
    }

    fn draws_from(&mut self, tenant: TenantId, source_order: OrderId) -> Result<Vec<Draw>> {
        self.many(
            "SELECT tenant, order_id, source_order, quantity, drawn_at FROM draws \
             WHERE tenant = ?1 AND source_order = ?2",
            &[id(tenant), id(source_order)],
            draw_from,
        )
    }

    fn delete_order(&mut self, tenant: TenantId, order: OrderId) -> Result<()> {
        self.writable()?;
        self.order_keys.remove(&order);
        for table in ["licenses", "license_users", "license_managers", "draws"] {
            self.execute(
                &format!("DELETE FROM {table} WHERE tenant = ?1 AND order_id = ?2"),
                &[id(tenant), id(order)],
            )?;
        }
        self.exec(
            "DELETE FROM orders WHERE tenant = ?1 AND id = ?2",
            &[id(tenant), id(order)],
            "orders",
        )
    }

    fn draws_into(&mut self, tenant: TenantId, order: OrderId) -> Result<Vec<Draw>> {
        self.many(
            "SELECT tenant, order_id, source_order, quantity, drawn_at FROM draws \
             WHERE tenant = ?1 AND order_id = ?2",
            &[id(tenant), id(order)],
            draw_from,
        )
    }

    fn update_draw(&mut self, d: &Draw) -> Result<()> {
        if d.quantity == 0 {
            self.exec(
                "DELETE FROM draws WHERE tenant = ?1 AND order_id = ?2 AND source_order = ?3",
                &[id(d.tenant), id(d.order), id(d.source_order)],
                "draws",
            )
        } else {
            self.hold(
                "UPDATE draws SET quantity = ?4 WHERE tenant = ?1 AND order_id = ?2 AND source_order = ?3"
                    .to_owned(),
                vec![id(d.tenant), id(d.order), id(d.source_order), num(d.quantity)?],
                row_of("draws", format!("{}/{}", d.order, d.source_order)),
                1,
            )
        }
    }

    fn insert_bundle(&mut self, b: &Bundle) -> Result<()> {
        self.exec(
            "INSERT INTO bundles (id, tenant, name, lines) VALUES (?1, ?2, ?3, ?4)",
            &[
                id(b.id),
                id(b.tenant),
                b.name.as_str().into(),
                json(&b.lines)?,
            ],
            "bundles",
        )
    }

    fn bundle(&mut self, tenant: TenantId, bundle: BundleId) -> Result<Option<Bundle>> {
        self.one(
            "SELECT id, tenant, name, lines FROM bundles WHERE id = ?1 AND tenant = ?2",
            &[id(bundle), id(tenant)],
            bundle_from,
        )
    }

    fn insert_licenses(&mut self, licenses: &[License]) -> Result<()> {
        self.writable()?;
        for chunk in licenses.chunks(LICENSE_BATCH) {
            let mut q = format!("INSERT INTO licenses ({LICENSE_COLS}) VALUES ");
            let mut args = Vec::with_capacity(chunk.len().saturating_mul(LICENSE_N));
            for (i, l) in chunk.iter().enumerate() {
                q.push_str(if i == 0 { "(" } else { ", (" });
                for j in 0..LICENSE_N {
                    if j > 0 {
                        q.push_str(", ");
                    }
                    // At most LICENSE_BATCH × LICENSE_N placeholders: far from overflow.
                    let n = i
                        .checked_mul(LICENSE_N)
                        .and_then(|n| n.checked_add(j))
                        .and_then(|n| n.checked_add(1));
                    push_placeholder(&mut q, n.ok_or_else(crate::checked::overflow)?);
                }
                q.push(')');
                args.extend(license_cells(l)?);
            }
            let n = self.execute(&q, &args)?;
            if n != chunk.len() as u64 {
                return Err(StorageError::RowCount {
                    table: "licenses",
                    reason: format!("inserted {n} of {}", chunk.len()),
                }
                .into());
            }
        }
        Ok(())
    }

    fn update_license(&mut self, l: &License) -> Result<()> {
        self.exec(
            "UPDATE licenses SET status = ?3, license_user = ?4, activations = ?5, borrows = ?6, \
             activated_at = ?7, expires_at = ?8 WHERE id = ?1 AND tenant = ?2",
            &[
                id(l.id),
                id(l.tenant),
                l.status.as_str().into(),
                opt_id(l.license_user),
                json(&l.activations)?,
                json(&l.borrows)?,
                l.activated_at.map(time::format).into(),
                l.expires_at.map(time::format).into(),
            ],
            "licenses",
        )
    }

    fn delete_license(&mut self, tenant: TenantId, license: LicenseId) -> Result<()> {
        self.exec(
            "DELETE FROM licenses WHERE id = ?1 AND tenant = ?2",
            &[id(license), id(tenant)],
            "licenses",
        )
    }

    fn license(&mut self, tenant: TenantId, license: LicenseId) -> Result<Option<License>> {
        self.one(
            &format!("SELECT {LICENSE_COLS} FROM licenses WHERE id = ?1 AND tenant = ?2"),
            &[id(license), id(tenant)],
            license_from,
        )
    }

    fn license_by_key(&mut self, tenant: TenantId, key: &LicenseKey) -> Result<Option<License>> {
        self.one(
            &format!("SELECT {LICENSE_COLS} FROM licenses WHERE tenant = ?1 AND license_key = ?2"),
            &[id(tenant), key.as_str().into()],
            license_from,
        )
    }

    fn licenses_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        after: Option<LicenseId>,
        limit: usize,
    ) -> Result<Vec<License>> {
        match after {
            Some(a) => self.many(
                &format!(
                    "SELECT {LICENSE_COLS} FROM licenses WHERE tenant = ?1 AND order_id = ?2 \
                     AND id > ?3 ORDER BY id LIMIT ?4"
                ),
                &[id(tenant), id(order), id(a), num(limit as u64)?],
                license_from,
            ),
            None => self.many(
                &format!(
                    "SELECT {LICENSE_COLS} FROM licenses WHERE tenant = ?1 AND order_id = ?2 \
                     ORDER BY id LIMIT ?3"
                ),
                &[id(tenant), id(order), num(limit as u64)?],
                license_from,
            ),
        }
    }

    fn insert_license_user(&mut self, u: &LicenseUser, password_hash: Option<&str>) -> Result<()> {
        self.exec(
            "INSERT INTO license_users (id, tenant, order_id, email, name, password_hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                id(u.id),
                id(u.tenant),
                id(u.order),
                u.email.as_str().into(),
                u.name.clone().into(),
                password_hash.into(),
            ],
            "license_users",
        )
    }

    fn update_license_user(&mut self, u: &LicenseUser) -> Result<()> {
        self.exec(
            "UPDATE license_users SET email = ?3, name = ?4 WHERE id = ?1 AND tenant = ?2",
            &[
                id(u.id),
                id(u.tenant),
                u.email.as_str().into(),
                u.name.clone().into(),
            ],
            "license_users",
        )
    }

    fn set_license_user_password(
        &mut self,
        tenant: TenantId,
        user: LicenseUserId,
        password_hash: &str,
    ) -> Result<()> {
        self.exec(
            "UPDATE license_users SET password_hash = ?3 WHERE id = ?1 AND tenant = ?2",
            &[id(user), id(tenant), password_hash.into()],
            "license_users",
        )
    }

    fn license_user_password(
        &mut self,
        tenant: TenantId,
        user: LicenseUserId,
    ) -> Result<Option<String>> {
        Ok(self
            .one(
                "SELECT password_hash FROM license_users WHERE id = ?1 AND tenant = ?2",
                &[id(user), id(tenant)],
                |r| r.opt_text("license_users", 0),
            )?
            .flatten())
    }

    fn delete_license_user(&mut self, tenant: TenantId, user: LicenseUserId) -> Result<()> {
        self.exec(
            "DELETE FROM license_users WHERE id = ?1 AND tenant = ?2",
            &[id(user), id(tenant)],
            "license_users",
        )
    }

    fn license_user(
        &mut self,
        tenant: TenantId,
        user: LicenseUserId,
    ) -> Result<Option<LicenseUser>> {
        self.one(
            &format!("SELECT {LICENSE_USER_COLS} FROM license_users WHERE id = ?1 AND tenant = ?2"),
            &[id(user), id(tenant)],
            license_user_from,
        )
    }

    fn license_user_by_email(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        email: &str,
    ) -> Result<Option<LicenseUser>> {
        self.one(
            &format!(
                "SELECT {LICENSE_USER_COLS} FROM license_users \
                 WHERE tenant = ?1 AND order_id = ?2 AND email = ?3"
            ),
            &[id(tenant), id(order), email.into()],
            license_user_from,
        )
    }

    fn license_users_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
    ) -> Result<Vec<LicenseUser>> {
        self.many(
            &format!(
                "SELECT {LICENSE_USER_COLS} FROM license_users \
                 WHERE tenant = ?1 AND order_id = ?2 ORDER BY email"
            ),
            &[id(tenant), id(order)],
            license_user_from,
        )
    }

    fn put_manager(&mut self, m: &LicenseManager) -> Result<()> {
        self.writable()?;
        let args = [
            id(m.tenant),
            id(m.order),
            id(m.user),
            m.permissions_text().into(),
        ];
        let updated = self.execute(
            "UPDATE license_managers SET permissions = ?4 \
             WHERE tenant = ?1 AND order_id = ?2 AND user_id = ?3",
            &args,
        )?;
        if updated == 0 {
            self.exec(
                "INSERT INTO license_managers (tenant, order_id, user_id, permissions) \
                 VALUES (?1, ?2, ?3, ?4)",
                &args,
                "license_managers",
            )?;
        }
        Ok(())
    }

    fn delete_manager(&mut self, tenant: TenantId, order: OrderId, user: UserId) -> Result<()> {
        self.exec(
            "DELETE FROM license_managers WHERE tenant = ?1 AND order_id = ?2 AND user_id = ?3",
            &[id(tenant), id(order), id(user)],
            "license_managers",
        )
    }

    fn manager(
        &mut self,
        tenant: TenantId,
        order: OrderId,
        user: UserId,
    ) -> Result<Option<LicenseManager>> {
        self.one(
            "SELECT tenant, order_id, user_id, permissions FROM license_managers \
             WHERE tenant = ?1 AND order_id = ?2 AND user_id = ?3",
            &[id(tenant), id(order), id(user)],
            manager_from,
        )
    }

    fn managers_of_order(
        &mut self,
        tenant: TenantId,
        order: OrderId,
    ) -> Result<Vec<LicenseManager>> {
        self.many(
            "SELECT tenant, order_id, user_id, permissions FROM license_managers \
             WHERE tenant = ?1 AND order_id = ?2 ORDER BY user_id",
            &[id(tenant), id(order)],
            manager_from,
        )
    }

    fn managed_by(&mut self, tenant: TenantId, user: UserId) -> Result<Vec<LicenseManager>> {
        self.many(
            "SELECT tenant, order_id, user_id, permissions FROM license_managers \
             WHERE tenant = ?1 AND user_id = ?2 ORDER BY order_id",
            &[id(tenant), id(user)],
            manager_from,
        )
    }

    fn ledger_head(&mut self, tenant: TenantId) -> Result<Option<LedgerHead>> {
        if let Some(l) = self.locked(tenant) {
            return Ok(Some(l.head.clone()).filter(|h| h.seq > 0));
        }
        self.one(ledger_head_sql(), &[id(tenant)], |r| {
            Ok(LedgerHead {
                seq: r.uint("ledger", 0)?,
                hash: r.text("ledger", 1)?,
            })
        })
    }

    fn append_ledger(&mut self, e: &LedgerEntry) -> Result<()> {
        let movements = serde_json::to_string(&e.movements).map_err(|source| Error::Json {
            what: format!("the movements of ledger entry {}", e.seq),
            source,
        })?;
        let state = serde_json::to_string(&e.state).map_err(|source| Error::Json {
            what: format!("the state digest of ledger entry {}", e.seq),
            source,
        })?;
        self.hold(
            sql_once!(
                "INSERT INTO ledger (key, {LEDGER_COLS}) VALUES ({} + ?2, \
                 ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                ledger_base!()
            )
            .to_owned(),
            vec![
                id(e.tenant),
                num(e.seq)?,
                ts(e.at),
                opt_id(e.actor),
                e.kind.as_str().into(),
                opt_id(e.order),
                opt_id(e.org),
                num(e.minted)?,
                movements.into(),
                e.prev_hash.as_str().into(),
                e.hash.as_str().into(),
                num(e.retired)?,
                state.as_str().into(),
            ],
            row_of("ledger", format!("{}/{}", e.tenant, e.seq)),
            1,
        )?;
        // The head moves in the same transaction (docs/decisions.md §38), with its state
        // digests (§41): the locked tenant's row is written once, with the held writes.
        let state = Some(state).filter(|s| s != "{}");
        if let Some(l) = self.locked.as_mut().filter(|l| l.row.id == e.tenant) {
            l.head = LedgerHead {
                seq: e.seq,
                hash: e.hash.clone(),
            };
            l.state = state;
            l.changed = true;
            return Ok(());
        }
        self.exec(
            "UPDATE tenants SET ledger_seq = ?2, ledger_hash = ?3, ledger_state = ?4 WHERE id = ?1",
            &[
                id(e.tenant),
                num(e.seq)?,
                e.hash.as_str().into(),
                state.clone().into(),
            ],
            "tenants",
        )
    }

    fn recorded_state(
        &mut self,
        tenant: TenantId,
    ) -> Result<Option<(u64, std::collections::BTreeMap<String, String>)>> {
        let (seq, state) = match self.locked(tenant) {
            Some(l) => (l.head.seq, l.state.clone()),
            None => {
                let rows = self.query(
                    "SELECT ledger_seq, ledger_state FROM tenants WHERE id = ?1",
                    &[id(tenant)],
                )?;
                let Some(r) = rows.first() else {
                    return Ok(None);
                };
                (r.uint("tenants", 0)?, r.opt_text("tenants", 1)?)
            }
        };
        state
            .map(|s| json_col("tenants", &s).map(|state| (seq, state)))
            .transpose()
    }

    fn all_orgs(&mut self, tenant: TenantId) -> Result<Vec<Organization>> {
        self.many(
            &format!("SELECT {ORG_COLS} FROM organizations WHERE tenant = ?1"),
            &[id(tenant)],
            org_from,
        )
    }

    fn all_users(&mut self, tenant: TenantId) -> Result<Vec<User>> {
        self.many(
            &format!("SELECT {USER_COLS} FROM users WHERE tenant = ?1"),
            &[id(tenant)],
            user_from,
        )
    }

    fn all_admins(&mut self, tenant: TenantId) -> Result<Vec<(UserId, OrgId)>> {
        self.many(
            "SELECT user_id, org FROM org_admins WHERE tenant = ?1",
            &[id(tenant)],
            |r| {
                Ok((
                    UserId::from_uuid(r.uuid("org_admins", 0)?),
                    OrgId::from_uuid(r.uuid("org_admins", 1)?),
                ))
            },
        )
    }

    fn all_products(&mut self, tenant: TenantId) -> Result<Vec<Product>> {
        self.many(
            &format!("SELECT {PRODUCT_COLS} FROM products WHERE tenant = ?1"),
            &[id(tenant)],
            product_from,
        )
    }

    fn all_bundles(&mut self, tenant: TenantId) -> Result<Vec<Bundle>> {
        self.many(
            "SELECT id, tenant, name, lines FROM bundles WHERE tenant = ?1",
            &[id(tenant)],
            bundle_from,
        )
    }

    fn recorded_head(&mut self, tenant: TenantId) -> Result<Option<LedgerHead>> {
        self.flush_with(true)?;
        self.one(
            "SELECT ledger_seq, ledger_hash FROM tenants WHERE id = ?1",
            &[id(tenant)],
            |r| {
                Ok(LedgerHead {
                    seq: r.uint("tenants", 0)?,
                    hash: r.text("tenants", 1)?,
                })
            },
        )
    }

    fn ledger(&mut self, tenant: TenantId, after: u64, limit: usize) -> Result<Vec<LedgerEntry>> {
        // Past the largest seq a key holds there is no entry (and `base + after` stays in
        // range).
        let after = after.min(LEDGER_SEQ_MAX);
        self.many(
            ledger_page_sql(),
            &[id(tenant), num(after)?, num(limit as u64)?],
            ledger_from,
        )
    }

    fn idempotency(&mut self, tenant: TenantId, key: &str) -> Result<Option<IdempotencyRecord>> {
        self.one(
            "SELECT tenant, key, command, fingerprint, result, created_at FROM idempotency_keys \
             WHERE tenant = ?1 AND key = ?2",
            &[id(tenant), key.into()],
            |r| {
                let t = "idempotency_keys";
                Ok(IdempotencyRecord {
                    tenant: TenantId::from_uuid(r.uuid(t, 0)?),
                    key: r.text(t, 1)?,
                    command: r.text(t, 2)?,
                    fingerprint: r.text(t, 3)?,
                    result: r.text(t, 4)?,
                    at: r.time(t, 5)?,
                })
            },
        )
    }

    fn prune_idempotency(&mut self, tenant: TenantId, before: DateTime<Utc>) -> Result<u64> {
        self.writable()?;
        // `created_at` is text of one fixed width (`time::format`): it sorts as the times do.
        self.execute(
            "DELETE FROM idempotency_keys WHERE tenant = ?1 AND created_at < ?2",
            &[id(tenant), ts(before)],
        )
    }

    fn insert_idempotency(&mut self, rec: &IdempotencyRecord) -> Result<()> {
        self.exec(
            "INSERT INTO idempotency_keys (tenant, key, command, fingerprint, result, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                id(rec.tenant),
                rec.key.as_str().into(),
                rec.command.as_str().into(),
                rec.fingerprint.as_str().into(),
                rec.result.as_str().into(),
                ts(rec.at),
            ],
            "idempotency_keys",
        )
    }

    fn idempotency_secret(&mut self, tenant: TenantId) -> Result<Option<String>> {
        self.one(
            "SELECT idempotency_secret FROM tenant_secrets WHERE tenant = ?1",
            &[id(tenant)],
            |r| r.text("tenant_secrets", 0),
        )
    }

    fn insert_idempotency_secret(&mut self, tenant: TenantId, secret: &str) -> Result<()> {
        self.exec(
            "INSERT INTO tenant_secrets (tenant, idempotency_secret) VALUES (?1, ?2)",
            &[id(tenant), secret.into()],
            "tenant_secrets",
        )
    }

    fn new_notification_ids(&mut self, count: usize) -> Result<Vec<NotificationId>> {
        if !self.conn.keyed_outbox() {
            return Ok(super::time_ordered_ids(count));
        }
        self.writable()?;
        self.take_notification_keys(count)?
            .map(|key| {
                notification_keys::id_for(key)
                    .ok_or_else(|| corrupt("notifications", format!("key {key} out of range")))
            })
            .collect()
    }

    fn insert_notifications(&mut self, notifications: &[Notification]) -> Result<()> {
        let Some(first) = notifications.first() else {
            return Ok(());
        };
        // One statement for all: twelve parameters a row, and on a keyed outbox its key
        // first (docs/decisions.md §72): the one its id names if this transaction took it,
        // else a new one, mapped from the id in `notification_ids`.
        let keyed = self.conn.keyed_outbox();
        let width = if keyed { 13 } else { 12 };
        let mut rows = Vec::with_capacity(notifications.len());
        let mut args = Vec::with_capacity(notifications.len().saturating_mul(width));
        let mut mapped = Vec::new();
        // A change's notifications share their order's digest: its JSON is made once.
        let mut digest: Option<(&crate::notification::OrderDigest, Cell)> = None;
        let taken = self.notification_keys.clone().unwrap_or(0..0);
        for n in notifications {
            let at = args.len();
            rows.push(format!("({})", placeholders(at.saturating_add(1), width)));
            if keyed {
                let key = match notification_keys::key_of(n.id).filter(|k| taken.contains(k)) {
                    Some(key) => key,
                    None => {
                        let key = self.take_notification_keys(1)?.start;
                        mapped.extend([id(n.id), Cell::Int(key)]);
                        key
                    }
                };
                args.push(Cell::Int(key));
            }
            args.extend([
                id(n.id),
                id(n.tenant),
                num(n.seq)?,
                n.kind.as_str().into(),
                id(n.recipient),
                n.email.as_str().into(),
                n.name.as_str().into(),
                id(n.order),
                match &digest {
                    Some((last, text)) if *last == &n.digest => text.clone(),
                    _ => {
                        let text = json(&n.digest)?;
                        digest = Some((&n.digest, text.clone()));
                        text
                    }
                },
                json(&n.permissions)?,
                ts(n.created_at),
                n.sent_at.map_or(Cell::Null, ts),
            ]);
        }
        let count = u64::try_from(notifications.len()).unwrap_or(u64::MAX);
        let columns = if keyed { "key, " } else { "" };
        self.hold(
            format!(
                "INSERT INTO notifications ({columns}{NOTIFICATION_COLS}) VALUES {}",
                rows.join(", ")
            ),
            args,
            row_of("notifications", first.id),
            count,
        )?;
        if mapped.is_empty() {
            return Ok(());
        }
        let pairs = mapped.len() / 2;
        let values: Vec<String> = (0..pairs)
            .map(|i| {
                format!(
                    "({})",
                    placeholders(i.saturating_mul(2).saturating_add(1), 2)
                )
            })
            .collect();
        self.hold(
            format!(
                "INSERT INTO notification_ids (id, key) VALUES {}",
                values.join(", ")
            ),
            mapped,
            row_of("notification_ids", first.id),
            u64::try_from(pairs).unwrap_or(u64::MAX),
        )
    }

    fn pending_notifications(
        &mut self,
        tenant: TenantId,
        limit: usize,
    ) -> Result<Vec<Notification>> {
        self.many(
            pending_sql(),
            &[id(tenant), num(limit as u64)?],
            notification_from,
        )
    }

    fn notification(
        &mut self,
        tenant: TenantId,
        nid: NotificationId,
    ) -> Result<Option<Notification>> {
        let params = self.notification_params(tenant, nid);
        let keyed = self.conn.keyed_outbox();
        self.one(notification_sql(keyed), &params, notification_from)
    }

    fn set_notification_sent(
        &mut self,
        tenant: TenantId,
        nid: NotificationId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut params = self.notification_params(tenant, nid);
        params.push(ts(at));
        let keyed = self.conn.keyed_outbox();
        self.exec(notification_sent_sql(keyed), &params, "notifications")
    }
}

/// What the savepoint tests of both SQL stores' group backends share (docs/decisions.md §67).
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod group_test_support {
    use crate::store::Tx;
    use crate::store::group::Backend;
    use crate::{Inventory, NewTenant, Plan, Result, Tenant, TenantId};

    /// A new tenant, "Savepoints", committed through `inv`.
    pub(crate) fn tenant(inv: &Inventory) -> Tenant {
        inv.create_tenant(NewTenant {
            name: "Savepoints".into(),
            plan: Plan::Standard,
            vendor_name: "Vendor".into(),
            first_order_number: None,
        })
        .unwrap()
    }

    /// Renames `tenant` through its locked row: a write of the command's last flush.
    pub(crate) fn rename(tx: &mut dyn Tx, tenant: TenantId, name: &str) -> Result<()> {
        let mut t = tx.lock_tenant(tenant)?.unwrap();
        t.name = name.into();
        tx.update_tenant(&t)
    }

    /// `tenant`'s name as the `tenants` table gives it (not the locked row's copy).
    fn listed_name(tx: &mut dyn Tx, tenant: TenantId) -> Result<String> {
        Ok(tx
            .tenants()?
            .into_iter()
            .find(|t| t.id == tenant)
            .unwrap()
            .name)
    }

    /// In a new group on `backend`: a command renames `tenant` to `name`, and the next reads
    /// the tenant's name from the `tenants` table (not from the locked row's copy); the name
    /// it read. The group is committed.
    pub(crate) fn renamed_then_listed<B: Backend>(
        backend: &B,
        tenant: TenantId,
        name: &str,
    ) -> String {
        let mut group = backend.begin().unwrap();
        backend
            .member(&mut group, true, &mut |tx| rename(tx, tenant, name))
            .unwrap()
            .unwrap();
        let mut seen = String::new();
        backend
            .member(&mut group, false, &mut |tx| {
                seen = listed_name(tx, tenant)?;
                Ok(())
            })
            .unwrap()
            .unwrap();
        backend.commit(&mut group).unwrap();
        backend.give_back(group, false);
        seen
    }

    /// Holds a draw between orders that do not exist: a write the database refuses (the
    /// draws' foreign keys, or a test's trigger), which the core never sends.
    pub(crate) fn missing_draw(tx: &mut dyn Tx, tenant: TenantId) -> Result<()> {
        tx.insert_draw(&crate::Draw {
            tenant,
            order: crate::OrderId::new(),
            source_order: crate::OrderId::new(),
            quantity: 1,
            at: chrono::Utc::now(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ledger key's stride, written as a literal in the statements' text (`ledger_base!`,
    /// docs/decisions.md §65), is the one the reads clamp to (`LEDGER_SEQ_MAX`).
    #[test]
    fn the_ledger_key_stride_is_written_once_in_effect() {
        let stride = LEDGER_SEQ_MAX + 1;
        assert_eq!(stride, 1 << 40);
        assert!(
            ledger_base!().ends_with(&format!(" * {stride})")),
            "{}",
            ledger_base!()
        );
    }

    #[test]
    fn placeholders_are_numbered_from_the_first() {
        assert_eq!(placeholders(3, 3), "?3, ?4, ?5");
        assert_eq!(placeholders(1, 1), "?1");
        assert_eq!(placeholders(9, 0), "");
        let mut q = String::from("x = ");
        push_placeholder(&mut q, 120);
        assert_eq!(q, "x = ?120");
        let shifted = |sql: &str, by: usize| {
            let mut out = String::from("<");
            shift_placeholders(&mut out, sql, by);
            out
        };
        assert_eq!(
            shifted("a = ?1 AND b IN (?2, ?10)", 7),
            "<a = ?8 AND b IN (?9, ?17)"
        );
        // Text around and between placeholders is kept, whatever it holds; a `?` without
        // digits stays as it is.
        assert_eq!(
            shifted("?1 'é ? ü' ?? x?3y ?", 100),
            "<?101 'é ? ü' ?? x?103y ?"
        );
        assert_eq!(shifted("no placeholders", 5), "<no placeholders");
        assert_eq!(shifted("", 5), "<");
    }
}
