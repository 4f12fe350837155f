//! The embedded default store: SQLite (bundled), WAL, one `BEGIN IMMEDIATE` transaction per
//! write, cached prepared statements, numbered migrations applied in a transaction.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params, params_from_iter};
use uuid::Uuid;

use crate::error::{Error, Result, StorageError};
use crate::hierarchy::{Organization, Plan, Tenant, Tier, User};
use crate::ids::{OrderId, OrderNumber, OrgId, ProductId, TenantId, UserId};
use crate::ledger::{LedgerEntry, LedgerHead, LedgerKind, Movement};
use crate::order::{Draw, Order, OrderStatus};
use crate::product::{Product, ProductKind};
use crate::store::migrations::{HINT_NEWER, HINT_OLDER, MIGRATIONS, SCHEMA_VERSION};
use crate::store::{Store, Tx, Work};
use crate::time;
use crate::views::{InventoryFilter, SummaryCounts};

/// SQLite's `synchronous` setting.
///
/// With `Full` (the default), a command that returned success survives a power cut. With `Normal`
/// (under WAL) it survives a crash of the process but the last commits may be lost on a power
/// cut; writes are faster.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Synchronous {
    /// `PRAGMA synchronous=NORMAL`.
    Normal,
    /// `PRAGMA synchronous=FULL`.
    #[default]
    Full,
}

/// How to open an [`SqliteStore`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Durability of each commit.
    pub synchronous: Synchronous,
    /// How long a writer waits for another connection's write lock before failing.
    pub busy_timeout: Duration,
    /// Upgrade an older schema (true, default) or refuse to open it.
    pub migrate: bool,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(30),
            migrate: true,
        }
    }
}

/// A store in an SQLite database file (or in memory).
///
/// Connections are pooled: each transaction takes one, so reads run concurrently under WAL;
/// writes are serialised by SQLite's write lock (`BEGIN IMMEDIATE`), across threads and processes.
pub struct SqliteStore {
    path: Option<PathBuf>,
    options: SqliteOptions,
    pool: Mutex<Vec<Connection>>,
    returned: Condvar,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn sql(e: rusqlite::Error) -> Error {
    StorageError::Sqlite(e).into()
}

impl SqliteStore {
    /// Opens (creating and migrating if needed) the database at `path` with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens the database at `path` with `options`.
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let conn = Self::connect(Some(&path), &options)?;
        let store = SqliteStore {
            path: Some(path),
            options,
            pool: Mutex::new(Vec::new()),
            returned: Condvar::new(),
        };
        store.migrate(&conn)?;
        store.checkin(conn);
        Ok(store)
    }

    /// A private in-memory database (one connection; nothing persisted).
    pub fn in_memory() -> Result<Self> {
        let options = SqliteOptions::default();
        let conn = Self::connect(None, &options)?;
        let store = SqliteStore {
            path: None,
            options,
            pool: Mutex::new(Vec::new()),
            returned: Condvar::new(),
        };
        store.migrate(&conn)?;
        store.checkin(conn);
        Ok(store)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        let conn = self.checkout()?;
        let v = read_version(&conn);
        self.checkin(conn);
        v
    }

    fn connect(path: Option<&Path>, options: &SqliteOptions) -> Result<Connection> {
        let conn = match path {
            Some(p) => Connection::open(p),
            None => Connection::open_in_memory(),
        }
        .map_err(sql)?;
        conn.busy_timeout(options.busy_timeout).map_err(sql)?;
        conn.set_prepared_statement_cache_capacity(64);
        let sync = match options.synchronous {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        };
        if path.is_some() {
            // journal_mode returns a row; query it rather than execute.
            let _mode: String = conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .map_err(sql)?;
        }
        conn.execute_batch(&format!(
            "PRAGMA synchronous={sync}; PRAGMA foreign_keys=ON;"
        ))
        .map_err(sql)?;
        Ok(conn)
    }

    fn migrate(&self, conn: &Connection) -> Result<()> {
        let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
            .map_err(sql)?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            .map_err(sql)?;
        let found = read_version(&tx)?;
        if found > SCHEMA_VERSION {
            return Err(Error::SchemaMismatch {
                found,
                supported: SCHEMA_VERSION,
                hint: HINT_NEWER,
            });
        }
        if found < SCHEMA_VERSION {
            if !self.options.migrate {
                return Err(Error::SchemaMismatch {
                    found,
                    supported: SCHEMA_VERSION,
                    hint: HINT_OLDER,
                });
            }
            for (version, script) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
                tx.execute_batch(script).map_err(sql)?;
                tx.execute("DELETE FROM schema_version", []).map_err(sql)?;
                tx.execute(
                    "INSERT INTO schema_version (version) VALUES (?1)",
                    [version],
                )
                .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    fn checkout(&self) -> Result<Connection> {
        let mut pool = self.lock_pool()?;
        loop {
            if let Some(conn) = pool.pop() {
                return Ok(conn);
            }
            if let Some(path) = &self.path {
                drop(pool);
                return Self::connect(Some(path), &self.options);
            }
            // In memory: one connection only; wait for it.
            pool = self
                .returned
                .wait(pool)
                .map_err(|_| Error::from(StorageError::Poisoned))?;
        }
    }

    fn checkin(&self, conn: Connection) {
        if let Ok(mut pool) = self.pool.lock() {
            if pool.len() < 8 {
                pool.push(conn);
            }
        }
        self.returned.notify_one();
    }

    fn lock_pool(&self) -> Result<MutexGuard<'_, Vec<Connection>>> {
        self.pool.lock().map_err(|_| StorageError::Poisoned.into())
    }

    fn run(&self, behavior: TransactionBehavior, commit: bool, work: Work<'_>) -> Result<()> {
        let mut conn = self.checkout()?;
        let result = (|| {
            let tx = conn.transaction_with_behavior(behavior).map_err(sql)?;
            work(&mut SqliteTx { conn: &tx })?;
            if commit {
                tx.commit().map_err(sql)?;
            }
            Ok(())
        })();
        self.checkin(conn);
        result
    }
}

fn read_version(conn: &Connection) -> Result<i64> {
    let exists: bool = conn
        .query_row(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .map_err(sql)?;
    if !exists {
        return Ok(0);
    }
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_version",
        [],
        |r| r.get(0),
    )
    .map_err(sql)
}

impl Store for SqliteStore {
    fn write(&self, work: Work<'_>) -> Result<()> {
        self.run(TransactionBehavior::Immediate, true, work)
    }

    fn read(&self, work: Work<'_>) -> Result<()> {
        self.run(TransactionBehavior::Deferred, false, work)
    }
}

struct SqliteTx<'a> {
    conn: &'a Connection,
}

// ---- conversions ---------------------------------------------------------------------------

fn corrupt(table: &'static str, reason: impl Into<String>) -> Error {
    StorageError::Corrupt {
        table,
        reason: reason.into(),
    }
    .into()
}

fn to_i64(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::InvariantViolated(format!("{v} does not fit a BIGINT")))
}

fn uuid_col(table: &'static str, s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| corrupt(table, format!("bad uuid '{s}': {e}")))
}

fn time_col(table: &'static str, s: &str) -> Result<DateTime<Utc>> {
    time::parse(s).ok_or_else(|| corrupt(table, format!("bad timestamp '{s}'")))
}

fn u64_col(table: &'static str, v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| corrupt(table, format!("negative quantity {v}")))
}

/// A row read as raw SQLite values, decoded afterwards (so decoding errors are ours).
struct Raw(Vec<Value>);

impl Raw {
    fn read(row: &Row<'_>, n: usize) -> rusqlite::Result<Raw> {
        (0..n)
            .map(|i| row.get::<_, Value>(i))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map(Raw)
    }
    fn text(&self, t: &'static str, i: usize) -> Result<String> {
        match self.0.get(i) {
            Some(Value::Text(s)) => Ok(s.clone()),
            other => Err(corrupt(
                t,
                format!("column {i}: expected text, got {other:?}"),
            )),
        }
    }
    fn opt_text(&self, t: &'static str, i: usize) -> Result<Option<String>> {
        match self.0.get(i) {
            Some(Value::Null) => Ok(None),
            _ => self.text(t, i).map(Some),
        }
    }
    fn int(&self, t: &'static str, i: usize) -> Result<i64> {
        match self.0.get(i) {
            Some(Value::Integer(v)) => Ok(*v),
            other => Err(corrupt(
                t,
                format!("column {i}: expected integer, got {other:?}"),
            )),
        }
    }
    fn uint(&self, t: &'static str, i: usize) -> Result<u64> {
        u64_col(t, self.int(t, i)?)
    }
    fn uuid(&self, t: &'static str, i: usize) -> Result<Uuid> {
        uuid_col(t, &self.text(t, i)?)
    }
    fn opt_uuid(&self, t: &'static str, i: usize) -> Result<Option<Uuid>> {
        self.opt_text(t, i)?.map(|s| uuid_col(t, &s)).transpose()
    }
    fn time(&self, t: &'static str, i: usize) -> Result<DateTime<Utc>> {
        time_col(t, &self.text(t, i)?)
    }
    fn opt_time(&self, t: &'static str, i: usize) -> Result<Option<DateTime<Utc>>> {
        self.opt_text(t, i)?.map(|s| time_col(t, &s)).transpose()
    }
    fn parse<T: FromStr<Err = Error>>(&self, t: &'static str, i: usize) -> Result<T> {
        let s = self.text(t, i)?;
        s.parse().map_err(|e: Error| corrupt(t, e.to_string()))
    }
}

const TENANT_COLS: &str = "id, name, plan, vendor, minted, next_order_number, created_at";
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

const USER_COLS: &str = "id, tenant, name, email, created_at";
fn user_from(r: &Raw) -> Result<User> {
    let t = "users";
    Ok(User {
        id: UserId::from_uuid(r.uuid(t, 0)?),
        tenant: TenantId::from_uuid(r.uuid(t, 1)?),
        name: r.text(t, 2)?,
        email: r.text(t, 3)?,
        created_at: r.time(t, 4)?,
    })
}

const PRODUCT_COLS: &str = "id, tenant, code, name, kind, created_at";
fn product_from(r: &Raw) -> Result<Product> {
    let t = "products";
    Ok(Product {
        id: ProductId::from_uuid(r.uuid(t, 0)?),
        tenant: TenantId::from_uuid(r.uuid(t, 1)?),
        code: r.text(t, 2)?,
        name: r.text(t, 3)?,
        kind: r.parse::<ProductKind>(t, 4)?,
        created_at: r.time(t, 5)?,
    })
}

const ORDER_COLS: &str = "id, tenant, number, product, purchase_order, holder, source, \
    requested_by, requested_at, requested_quantity, requester_comments, approved_by, approved_at, \
    approved_quantity, approval_comments, status, drawn, issued, available, updated_at";
const ORDER_N: usize = 20;
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
    })
}

const LEDGER_COLS: &str =
    "tenant, seq, recorded_at, actor, kind, order_id, org, minted, movements, prev_hash, hash";
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
    })
}

fn opt_string<T: ToString>(v: Option<T>) -> Option<String> {
    v.map(|x| x.to_string())
}

impl SqliteTx<'_> {
    fn one<T>(
        &self,
        query: &str,
        params: impl rusqlite::Params,
        n: usize,
        decode: fn(&Raw) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut stmt = self.conn.prepare_cached(query).map_err(sql)?;
        let raw = stmt
            .query_row(params, |row| Raw::read(row, n))
            .optional()
            .map_err(sql)?;
        raw.as_ref().map(decode).transpose()
    }

    fn many<T>(
        &self,
        query: &str,
        params: impl rusqlite::Params,
        n: usize,
        decode: fn(&Raw) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(query).map_err(sql)?;
        let rows = stmt
            .query_map(params, |row| Raw::read(row, n))
            .map_err(sql)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql)?;
        rows.iter().map(decode).collect()
    }

    fn exec(&self, query: &str, params: impl rusqlite::Params, table: &'static str) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(query).map_err(sql)?;
        let n = stmt.execute(params).map_err(sql)?;
        if n == 1 {
            Ok(())
        } else {
            Err(StorageError::RowCount {
                table,
                reason: format!("expected to change 1 row, changed {n}"),
            }
            .into())
        }
    }
}

impl Tx for SqliteTx<'_> {
    fn insert_tenant(&mut self, t: &Tenant) -> Result<()> {
        self.exec(
            "INSERT INTO tenants (id, name, plan, vendor, minted, next_order_number, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                t.id.to_string(),
                t.name,
                t.plan.as_str(),
                t.vendor.to_string(),
                to_i64(t.minted)?,
                to_i64(t.next_order_number)?,
                time::format(t.created_at)
            ],
            "tenants",
        )
    }

    fn lock_tenant(&mut self, id: TenantId) -> Result<Option<Tenant>> {
        // BEGIN IMMEDIATE already holds the database's write lock.
        self.tenant(id)
    }

    fn tenant(&mut self, id: TenantId) -> Result<Option<Tenant>> {
        self.one(
            &format!("SELECT {TENANT_COLS} FROM tenants WHERE id = ?1"),
            [id.to_string()],
            7,
            tenant_from,
        )
    }

    fn update_tenant(&mut self, t: &Tenant) -> Result<()> {
        self.exec(
            "UPDATE tenants SET name = ?2, plan = ?3, minted = ?4, next_order_number = ?5 WHERE id = ?1",
            params![
                t.id.to_string(),
                t.name,
                t.plan.as_str(),
                to_i64(t.minted)?,
                to_i64(t.next_order_number)?
            ],
            "tenants",
        )
    }

    fn insert_org(&mut self, o: &Organization) -> Result<()> {
        self.exec(
            "INSERT INTO organizations (id, tenant, name, tier, parent, active, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                o.id.to_string(),
                o.tenant.to_string(),
                o.name,
                o.tier.as_str(),
                opt_string(o.parent),
                i64::from(o.active),
                time::format(o.created_at)
            ],
            "organizations",
        )
    }

    fn update_org(&mut self, o: &Organization) -> Result<()> {
        self.exec(
            "UPDATE organizations SET name = ?3, active = ?4 WHERE id = ?1 AND tenant = ?2",
            params![
                o.id.to_string(),
                o.tenant.to_string(),
                o.name,
                i64::from(o.active)
            ],
            "organizations",
        )
    }

    fn org(&mut self, tenant: TenantId, id: OrgId) -> Result<Option<Organization>> {
        self.one(
            &format!("SELECT {ORG_COLS} FROM organizations WHERE id = ?1 AND tenant = ?2"),
            [id.to_string(), tenant.to_string()],
            7,
            org_from,
        )
    }

    fn insert_user(&mut self, u: &User) -> Result<()> {
        self.exec(
            "INSERT INTO users (id, tenant, name, email, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                u.id.to_string(),
                u.tenant.to_string(),
                u.name,
                u.email,
                time::format(u.created_at)
            ],
            "users",
        )
    }

    fn user(&mut self, tenant: TenantId, id: UserId) -> Result<Option<User>> {
        self.one(
            &format!("SELECT {USER_COLS} FROM users WHERE id = ?1 AND tenant = ?2"),
            [id.to_string(), tenant.to_string()],
            5,
            user_from,
        )
    }

    fn user_by_email(&mut self, tenant: TenantId, email: &str) -> Result<Option<User>> {
        self.one(
            &format!("SELECT {USER_COLS} FROM users WHERE tenant = ?1 AND email = ?2"),
            [tenant.to_string(), email.to_owned()],
            5,
            user_from,
        )
    }

    fn insert_admin(&mut self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO org_admins (tenant, user_id, org) VALUES (?1, ?2, ?3) \
                 ON CONFLICT DO NOTHING",
            )
            .map_err(sql)?;
        stmt.execute([tenant.to_string(), user.to_string(), org.to_string()])
            .map_err(sql)?;
        Ok(())
    }

    fn admin_orgs(&mut self, tenant: TenantId, user: UserId) -> Result<Vec<OrgId>> {
        self.many(
            "SELECT org FROM org_admins WHERE tenant = ?1 AND user_id = ?2 ORDER BY org",
            [tenant.to_string(), user.to_string()],
            1,
            |r| Ok(OrgId::from_uuid(r.uuid("org_admins", 0)?)),
        )
    }

    fn insert_product(&mut self, p: &Product) -> Result<()> {
        self.exec(
            "INSERT INTO products (id, tenant, code, name, kind, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                p.id.to_string(),
                p.tenant.to_string(),
                p.code,
                p.name,
                p.kind.as_str(),
                time::format(p.created_at)
            ],
            "products",
        )
    }

    fn product(&mut self, tenant: TenantId, id: ProductId) -> Result<Option<Product>> {
        self.one(
            &format!("SELECT {PRODUCT_COLS} FROM products WHERE id = ?1 AND tenant = ?2"),
            [id.to_string(), tenant.to_string()],
            6,
            product_from,
        )
    }

    fn product_by_code(&mut self, tenant: TenantId, code: &str) -> Result<Option<Product>> {
        self.one(
            &format!("SELECT {PRODUCT_COLS} FROM products WHERE tenant = ?1 AND code = ?2"),
            [tenant.to_string(), code.to_owned()],
            6,
            product_from,
        )
    }

    fn insert_order(&mut self, o: &Order) -> Result<()> {
        self.exec(
            &format!(
                "INSERT INTO orders ({ORDER_COLS}) VALUES \
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"
            ),
            params![
                o.id.to_string(),
                o.tenant.to_string(),
                to_i64(o.number.0)?,
                o.product.to_string(),
                o.purchase_order,
                o.holder.to_string(),
                opt_string(o.source),
                opt_string(o.requested_by),
                time::format(o.requested_at),
                to_i64(o.requested_quantity)?,
                o.requester_comments,
                opt_string(o.approved_by),
                o.approved_at.map(time::format),
                to_i64(o.approved_quantity)?,
                o.approval_comments,
                o.status.as_str(),
                to_i64(o.drawn)?,
                to_i64(o.issued)?,
                to_i64(o.available)?,
                time::format(o.updated_at)
            ],
            "orders",
        )
    }

    fn update_order(&mut self, o: &Order) -> Result<()> {
        self.exec(
            "UPDATE orders SET product = ?3, purchase_order = ?4, requested_by = ?5, \
             requested_quantity = ?6, requester_comments = ?7, approved_by = ?8, approved_at = ?9, \
             approved_quantity = ?10, approval_comments = ?11, status = ?12, drawn = ?13, \
             issued = ?14, available = ?15, updated_at = ?16 WHERE id = ?1 AND tenant = ?2",
            params![
                o.id.to_string(),
                o.tenant.to_string(),
                o.product.to_string(),
                o.purchase_order,
                opt_string(o.requested_by),
                to_i64(o.requested_quantity)?,
                o.requester_comments,
                opt_string(o.approved_by),
                o.approved_at.map(time::format),
                to_i64(o.approved_quantity)?,
                o.approval_comments,
                o.status.as_str(),
                to_i64(o.drawn)?,
                to_i64(o.issued)?,
                to_i64(o.available)?,
                time::format(o.updated_at)
            ],
            "orders",
        )
    }

    fn order(&mut self, tenant: TenantId, id: OrderId) -> Result<Option<Order>> {
        self.one(
            &format!("SELECT {ORDER_COLS} FROM orders WHERE id = ?1 AND tenant = ?2"),
            [id.to_string(), tenant.to_string()],
            ORDER_N,
            order_from,
        )
    }

    fn order_by_number(&mut self, tenant: TenantId, number: OrderNumber) -> Result<Option<Order>> {
        self.one(
            &format!("SELECT {ORDER_COLS} FROM orders WHERE tenant = ?1 AND number = ?2"),
            params![tenant.to_string(), to_i64(number.0)?],
            ORDER_N,
            order_from,
        )
    }

    fn drawable_orders(
        &mut self,
        tenant: TenantId,
        holder: OrgId,
        product: ProductId,
    ) -> Result<Vec<Order>> {
        self.many(
            &format!(
                "SELECT {ORDER_COLS} FROM orders WHERE tenant = ?1 AND holder = ?2 AND product = ?3 \
                 AND status = 'active' AND available > 0 ORDER BY number"
            ),
            [tenant.to_string(), holder.to_string(), product.to_string()],
            ORDER_N,
            order_from,
        )
    }

    fn list_orders(
        &mut self,
        tenant: TenantId,
        holder: OrgId,
        filter: &InventoryFilter,
        before: Option<OrderNumber>,
        limit: usize,
    ) -> Result<Vec<Order>> {
        let mut q = format!("SELECT {ORDER_COLS} FROM orders WHERE tenant = ? AND holder = ?");
        let mut args: Vec<Value> = vec![
            Value::Text(tenant.to_string()),
            Value::Text(holder.to_string()),
        ];
        if !filter.statuses.is_empty() {
            q.push_str(" AND status IN (");
            q.push_str(&vec!["?"; filter.statuses.len()].join(", "));
            q.push(')');
            args.extend(
                filter
                    .statuses
                    .iter()
                    .map(|s| Value::Text(s.as_str().to_owned())),
            );
        }
        if !filter.products.is_empty() {
            q.push_str(" AND product IN (");
            q.push_str(&vec!["?"; filter.products.len()].join(", "));
            q.push(')');
            args.extend(filter.products.iter().map(|p| Value::Text(p.to_string())));
        }
        if let Some(n) = filter.order_number {
            q.push_str(" AND number = ?");
            args.push(Value::Integer(to_i64(n.0)?));
        }
        if let Some(po) = &filter.purchase_order {
            q.push_str(" AND instr(lower(purchase_order), ?) > 0");
            args.push(Value::Text(po.to_lowercase()));
        }
        if let Some(from) = filter.requested_from {
            q.push_str(" AND requested_at >= ?");
            args.push(Value::Text(time::format(from)));
        }
        if let Some(to) = filter.requested_to {
            q.push_str(" AND requested_at < ?");
            args.push(Value::Text(time::format(to)));
        }
        if let Some(b) = before {
            q.push_str(" AND number < ?");
            args.push(Value::Integer(to_i64(b.0)?));
        }
        q.push_str(" ORDER BY number DESC LIMIT ?");
        args.push(Value::Integer(to_i64(limit as u64)?));
        self.many(&q, params_from_iter(args), ORDER_N, order_from)
    }

    fn all_orders(&mut self, tenant: TenantId) -> Result<Vec<Order>> {
        self.many(
            &format!("SELECT {ORDER_COLS} FROM orders WHERE tenant = ?1 ORDER BY number"),
            [tenant.to_string()],
            ORDER_N,
            order_from,
        )
    }

    fn summary(&mut self, tenant: TenantId, org: OrgId) -> Result<Vec<SummaryCounts>> {
        let mut lines = std::collections::BTreeMap::<ProductId, SummaryCounts>::new();
        let held = self.many(
            "SELECT product, \
               CAST(SUM(CASE WHEN status IN ('active', 'depleted') THEN approved_quantity ELSE 0 END) AS BIGINT), \
               CAST(SUM(CASE WHEN status IN ('active', 'depleted') THEN available ELSE 0 END) AS BIGINT), \
               CAST(SUM(CASE WHEN status = 'requested' THEN 1 ELSE 0 END) AS BIGINT), \
               CAST(SUM(CASE WHEN status = 'requested' THEN requested_quantity ELSE 0 END) AS BIGINT) \
             FROM orders WHERE tenant = ?1 AND holder = ?2 GROUP BY product",
            [tenant.to_string(), org.to_string()],
            5,
            |r| {
                let t = "orders";
                Ok(SummaryCounts {
                    product: ProductId::from_uuid(r.uuid(t, 0)?),
                    held: r.uint(t, 1)?,
                    available: r.uint(t, 2)?,
                    pending_requests: r.uint(t, 3)?,
                    pending_units: r.uint(t, 4)?,
                    ..SummaryCounts::default()
                })
            },
        )?;
        for line in held {
            lines.insert(line.product, line);
        }
        let incoming = self.many(
            "SELECT product, CAST(COUNT(*) AS BIGINT), CAST(SUM(requested_quantity) AS BIGINT) \
             FROM orders WHERE tenant = ?1 AND source = ?2 AND status = 'requested' GROUP BY product",
            [tenant.to_string(), org.to_string()],
            3,
            |r| {
                let t = "orders";
                Ok((ProductId::from_uuid(r.uuid(t, 0)?), r.uint(t, 1)?, r.uint(t, 2)?))
            },
        )?;
        for (product, count, units) in incoming {
            let line = lines.entry(product).or_insert_with(|| SummaryCounts {
                product,
                ..SummaryCounts::default()
            });
            line.incoming_requests = count;
            line.incoming_units = units;
        }
        Ok(lines.into_values().collect())
    }

    fn insert_draw(&mut self, d: &Draw) -> Result<()> {
        self.exec(
            "INSERT INTO draws (tenant, order_id, source_order, quantity, drawn_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                d.tenant.to_string(),
                d.order.to_string(),
                d.source_order.to_string(),
                to_i64(d.quantity)?,
                time::format(d.at)
            ],
            "draws",
        )
    }

    fn draws_from(&mut self, tenant: TenantId, source_order: OrderId) -> Result<Vec<Draw>> {
        self.many(
            "SELECT tenant, order_id, source_order, quantity, drawn_at FROM draws \
             WHERE tenant = ?1 AND source_order = ?2 ORDER BY drawn_at, order_id",
            [tenant.to_string(), source_order.to_string()],
            5,
            |r| {
                let t = "draws";
                Ok(Draw {
                    tenant: TenantId::from_uuid(r.uuid(t, 0)?),
                    order: OrderId::from_uuid(r.uuid(t, 1)?),
                    source_order: OrderId::from_uuid(r.uuid(t, 2)?),
                    quantity: r.uint(t, 3)?,
                    at: r.time(t, 4)?,
                })
            },
        )
    }

    fn ledger_head(&mut self, tenant: TenantId) -> Result<Option<LedgerHead>> {
        self.one(
            "SELECT seq, hash FROM ledger WHERE tenant = ?1 ORDER BY seq DESC LIMIT 1",
            [tenant.to_string()],
            2,
            |r| {
                Ok(LedgerHead {
                    seq: r.uint("ledger", 0)?,
                    hash: r.text("ledger", 1)?,
                })
            },
        )
    }

    fn append_ledger(&mut self, e: &LedgerEntry) -> Result<()> {
        let movements = serde_json::to_string(&e.movements)
            .map_err(|err| Error::InvariantViolated(format!("ledger movements: {err}")))?;
        self.exec(
            &format!(
                "INSERT INTO ledger ({LEDGER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ),
            params![
                e.tenant.to_string(),
                to_i64(e.seq)?,
                time::format(e.at),
                opt_string(e.actor),
                e.kind.as_str(),
                opt_string(e.order),
                opt_string(e.org),
                to_i64(e.minted)?,
                movements,
                e.prev_hash,
                e.hash
            ],
            "ledger",
        )
    }

    fn ledger(&mut self, tenant: TenantId, after: u64, limit: usize) -> Result<Vec<LedgerEntry>> {
        self.many(
            &format!(
                "SELECT {LEDGER_COLS} FROM ledger WHERE tenant = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
            ),
            params![tenant.to_string(), to_i64(after)?, to_i64(limit as u64)?],
            11,
            ledger_from,
        )
    }
}
