//! The embedded default store: SQLite (bundled), WAL, one `BEGIN IMMEDIATE` transaction per
//! write, cached prepared statements, numbered migrations applied in a transaction.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, Statement, StatementStatus, TransactionBehavior, params_from_iter};

use crate::error::{Error, Result, StorageError};
use crate::store::checkpoint::{CheckpointCounts, Checkpoints};
use crate::store::directory::Directory;
use crate::store::group::{Backend, Groups, check_group};
use crate::store::migrations::{backfill_value, backfills, pending, runs_on_sqlite};
use crate::store::pool::Pool;
use crate::store::sql::{Cell, Locked, Raw, Savepoint, SqlConn, SqlTx};
use crate::store::{Store, Work};

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

impl Synchronous {
    /// `"normal"` or `"full"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Synchronous::Normal => "normal",
            Synchronous::Full => "full",
        }
    }
}

impl std::str::FromStr for Synchronous {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "normal" => Ok(Synchronous::Normal),
            "full" => Ok(Synchronous::Full),
            other => Err(Error::InvalidInput {
                attempt: None,
                field: "synchronous",
                reason: format!("'{other}' is neither 'normal' nor 'full'"),
            }),
        }
    }
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
    /// The most commands of this store one transaction may carry (group commit,
    /// docs/decisions.md §42): commands that arrive while another is being written or
    /// committed share the next transaction and its one `fsync`, each in a savepoint. 1 turns
    /// grouping off (every command commits alone); at most
    /// [`MAX_GROUP`](crate::store::MAX_GROUP). Default
    /// [`SqliteOptions::GROUP`].
    pub group_commit: usize,
    /// The page size, in bytes, of a database this store creates: a power of two from 512 to
    /// 65,536. SQLite writes whole pages, one for every table and index a command changes, so
    /// smaller pages write fewer bytes per command (docs/decisions.md §55). A database that
    /// exists keeps the size it was created with. Default [`SqliteOptions::PAGE_SIZE`].
    pub page_size: u32,
}

impl SqliteOptions {
    /// The default most commands per transaction.
    pub const GROUP: usize = 32;
    /// The default page size of a new database: 2 KiB.
    pub const PAGE_SIZE: u32 = 2048;
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(30),
            migrate: true,
            group_commit: Self::GROUP,
            page_size: Self::PAGE_SIZE,
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
    pool: Pool<Connection>,
    reprepares: Reprepares,
    directory: Directory,
    groups: Groups<GroupConn>,
    /// The WAL's checkpoints (a file's store; none in memory).
    checkpoints: Option<Arc<Checkpoints>>,
}

/// How many times SQLite re-prepared each statement the store ran, by statement text: read
/// (and reset) from `SQLITE_STMTSTATUS_REPREPARE` after every run, one call that reads a
/// counter; the map is touched only when the count is not zero (decision 40: it stays empty).
#[derive(Default)]
struct Reprepares(Mutex<BTreeMap<String, u64>>);

impl Reprepares {
    fn note(&self, stmt: &Statement<'_>, query: &str) {
        let n = stmt.reset_status(StatementStatus::RePrepare);
        if let Ok(n @ 1..) = u64::try_from(n) {
            let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            let count = map.entry(query.to_owned()).or_insert(0);
            *count = count.saturating_add(n);
        }
    }

    fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
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
        check_busy_timeout(options.busy_timeout)?;
        check_group(options.group_commit)?;
        check_page_size(options.page_size)?;
        let mut conn = Self::connect(Some(&path), &options)?;
        migrate(&conn, options.migrate)?;
        // With synchronous=NORMAL the WAL is checkpointed by a thread of the store's; with
        // FULL by SQLite in the commit that crosses the threshold (docs/decisions.md §63).
        let checkpoints = match options.synchronous {
            Synchronous::Normal => {
                let checkpoints = Arc::new(Checkpoints::start(
                    Self::connect(Some(&path), &options)?,
                    checkpoint_pages(&conn)?,
                ));
                checkpoints.hook(&mut conn).map_err(sql)?;
                Some(checkpoints)
            }
            Synchronous::Full => None,
        };
        let (p, o, c) = (path.clone(), options.clone(), checkpoints.clone());
        let pool = Pool::new(
            conn,
            8,
            Box::new(move || {
                let mut conn = Self::connect(Some(&p), &o)?;
                if let Some(c) = &c {
                    c.hook(&mut conn).map_err(sql)?;
                }
                Ok(conn)
            }),
            reusable,
        );
        Ok(SqliteStore {
            path: Some(path),
            groups: Groups::new(options.group_commit),
            options,
            pool,
            reprepares: Reprepares::default(),
            directory: Directory::default(),
            checkpoints,
        })
    }

    /// A private in-memory database (one connection; nothing persisted).
    pub fn in_memory() -> Result<Self> {
        let options = SqliteOptions::default();
        let conn = Self::connect(None, &options)?;
        migrate(&conn, true)?;
        // One connection only: a second would be a different database.
        let pool = Pool::new(
            conn,
            1,
            Box::new(|| {
                Err(Error::InvariantViolated(
                    "an in-memory SQLite store has exactly one connection".into(),
                ))
            }),
            reusable,
        );
        Ok(SqliteStore {
            path: None,
            groups: Groups::new(options.group_commit),
            options,
            pool,
            reprepares: Reprepares::default(),
            directory: Directory::default(),
            checkpoints: None,
        })
    }

    /// The page size, in bytes, of the open database (see [`SqliteOptions::page_size`]).
    pub fn page_size(&self) -> Result<u32> {
        self.pool
            .checkout()?
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .map_err(sql)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        read_version(&*self.pool.checkout()?)
    }

    fn connect(path: Option<&Path>, options: &SqliteOptions) -> Result<Connection> {
        let conn = match path {
            Some(p) => Connection::open(p),
            None => Connection::open_in_memory(),
        }
        .map_err(sql)?;
        conn.busy_timeout(options.busy_timeout).map_err(sql)?;
        // The hot path's statements and the six transaction-control ones (§62), with room.
        conn.set_prepared_statement_cache_capacity(96);
        // Keep each cached statement's plan (decision 40). Without the query planner stability
        // guarantee, the bundled SQLite (built with STAT4) lets a plan depend on the values
        // bound to `?N`, marks the statement expired whenever one is rebound, and prepares it
        // again on the next run: `admin_orgs`, `org_admins`, `ledger_head`… were re-prepared
        // on every call, ~20% of a request+approve profile. Our queries have one good plan
        // whatever the values (equality on indexed columns), so nothing is lost.
        let qpsg = conn
            .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(sql)?;
        if !qpsg {
            return Err(Error::InvariantViolated(
                "SQLite did not enable the query planner stability guarantee (QPSG)".into(),
            ));
        }
        let sync = match options.synchronous {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        };
        // Takes effect only on a database without tables yet (a new file, or a new in-memory
        // one), before WAL mode; an existing database keeps its page size.
        conn.execute_batch(&format!("PRAGMA page_size={}", options.page_size))
            .map_err(sql)?;
        if path.is_some() {
            // journal_mode returns the mode in effect, which is not WAL when the file cannot
            // have one (e.g. a read-only folder): refuse to run without it.
            let mode: String = conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .map_err(sql)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::InvariantViolated(format!(
                    "SQLite refused journal_mode=WAL (the mode is '{mode}'): check that the database's folder is writable and not on a network file system"
                )));
            }
            // With synchronous=NORMAL, a pooled connection's WAL hook replaces this
            // (docs/decisions.md §63).
            let pages = checkpoint_pages(&conn)?;
            conn.execute_batch(&format!("PRAGMA wal_autocheckpoint={pages}"))
                .map_err(sql)?;
        }
        // temp_store=MEMORY: the journals of a group's savepoints (docs/decisions.md §42) stay in
        // memory instead of temporary files (they only serve a rollback within the
        // transaction; the WAL is what survives a crash): half the bytes a pair wrote went there.
        conn.execute_batch(&format!(
            "PRAGMA synchronous={sync}; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
        ))
        .map_err(sql)?;
        let (in_effect, _) = pragmas(&conn)?;
        if in_effect != options.synchronous {
            return Err(Error::InvariantViolated(format!(
                "SQLite did not take synchronous={sync} (it is {})",
                in_effect.as_str()
            )));
        }
        Ok(conn)
    }

    /// The `synchronous` setting and journal mode in effect on each pooled connection, all
    /// of them opened for the occasion (tests check that the options took effect everywhere).
    #[doc(hidden)]
    pub fn connection_pragmas(&self) -> Result<Vec<(Synchronous, String)>> {
        self.on_every_connection(pragmas)
    }

    /// `PRAGMA wal_autocheckpoint` (in pages) on each pooled connection, all of them opened for
    /// the occasion: the WAL is checkpointed at the same size in bytes whatever the page size;
    /// 0 where the store's WAL hook has replaced SQLite's automatic checkpoint (synchronous
    /// NORMAL, docs/decisions.md §63).
    #[doc(hidden)]
    pub fn wal_autocheckpoints(&self) -> Result<Vec<i64>> {
        self.on_every_connection(|conn| {
            conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
                .map_err(sql)
        })
    }

    /// The WAL checkpoints run since the store opened, by the store's thread or by a writer
    /// (docs/decisions.md §63; zero with synchronous=FULL, where SQLite's own automatic
    /// checkpoint runs). Tests and benchmarks read it.
    #[doc(hidden)]
    pub fn checkpoint_counts(&self) -> CheckpointCounts {
        self.checkpoints
            .as_ref()
            .map(|c| c.counts())
            .unwrap_or_default()
    }

    /// `read` on every connection the pool may hold, each checked out (so opened) at once.
    fn on_every_connection<T>(&self, read: impl Fn(&Connection) -> Result<T>) -> Result<Vec<T>> {
        let mut held = Vec::new();
        let mut out = Vec::new();
        for _ in 0..self.pool.max() {
            let conn = self.pool.checkout()?;
            out.push(read(&conn)?);
            held.push(conn);
        }
        Ok(out)
    }

    /// How many times SQLite re-prepared each statement this store ran since it was opened, by
    /// statement text (`SQLITE_STMTSTATUS_REPREPARE`; statements never re-prepared are left
    /// out). Tests check that cached statements are prepared once (decision 40).
    #[doc(hidden)]
    pub fn statement_reprepares(&self) -> BTreeMap<String, u64> {
        self.reprepares.snapshot()
    }

    /// (commands committed, commits) by this store's writers since it opened: with group
    /// commit (docs/decisions.md §42) a commit carries several commands. Tests read it.
    #[doc(hidden)]
    pub fn commit_counts(&self) -> (u64, u64) {
        self.groups.counts()
    }

    /// A read: a deferred transaction (a snapshot from its first read), rolled back.
    fn read_only(&self, work: Work<'_>) -> Result<()> {
        // The guard gives the connection back when this returns or unwinds (a panic in
        // `work`): the transaction is dropped first, which rolls it back.
        let mut conn = self.pool.checkout()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(sql)?;
        let mut sql_conn = SqliteConn::new(&tx, &self.reprepares, Savepoint::None);
        let mut sql_tx = SqlTx::new(&mut sql_conn, false, true, &self.directory);
        work(&mut sql_tx)?;
        sql_tx.finish()
    }
}

/// The `synchronous` setting and the journal mode of `conn`.
fn pragmas(conn: &Connection) -> Result<(Synchronous, String)> {
    let level: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .map_err(sql)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .map_err(sql)?;
    let sync = match level {
        1 => Synchronous::Normal,
        2 => Synchronous::Full,
        other => {
            return Err(Error::InvariantViolated(format!(
                "SQLite's synchronous level is {other}, neither NORMAL (1) nor FULL (2)"
            )));
        }
    };
    Ok((sync, mode))
}

/// A connection goes back to the pool only outside any transaction: a rollback that failed
/// (even after a panic, when the dropped transaction rolls back) leaves it open, and such a
/// connection is closed instead. (An in-memory store then loses its only connection and
/// fails every later call with a typed error rather than reusing a half-written one.)
fn reusable(conn: &mut Connection, _panicking: bool) -> bool {
    conn.is_autocommit()
}

/// The longest busy timeout SQLite takes: `i32::MAX` milliseconds (about 24.8 days).
const MAX_BUSY_TIMEOUT: Duration = Duration::from_millis(i32::MAX as u64);

/// Refuses a busy timeout SQLite cannot take (the driver would panic on it).
fn check_busy_timeout(timeout: Duration) -> Result<()> {
    if timeout > MAX_BUSY_TIMEOUT {
        return Err(Error::InvalidInput {
            attempt: None,
            field: "busy_timeout",
            reason: format!(
                "{timeout:?} is longer than SQLite's limit of {} ms (about 24.8 days)",
                i32::MAX
            ),
        });
    }
    Ok(())
}

/// The WAL's size, in bytes, at which it is checkpointed: SQLite's default (1,000 pages of its
/// default 4 KiB).
const WAL_CHECKPOINT_BYTES: i64 = 1000 * 4096;

/// The WAL's length, in pages of `conn`'s database, at which it is checkpointed: the same size
/// in bytes whatever the page size, or smaller pages would checkpoint (and `fsync` the database
/// file) more often for the same work (docs/decisions.md §55).
fn checkpoint_pages(conn: &Connection) -> Result<i64> {
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .map_err(sql)?;
    Ok(WAL_CHECKPOINT_BYTES.checked_div(page_size).unwrap_or(1000))
}

fn check_page_size(size: u32) -> Result<()> {
    if (512..=65_536).contains(&size) && size.is_power_of_two() {
        return Ok(());
    }
    Err(Error::InvalidInput {
        attempt: None,
        field: "page_size",
        reason: format!(
            "{size} bytes: SQLite's page size is a power of two from 512 to 65536 (default {})",
            SqliteOptions::PAGE_SIZE
        ),
    })
}

fn migrate(conn: &Connection, allow: bool) -> Result<()> {
    let tx =
        rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(sql)?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .map_err(sql)?;
    let found = read_version(&tx)?;
    for (version, script) in pending(found, allow)? {
        if runs_on_sqlite(*version) {
            tx.execute_batch(script).map_err(sql)?;
        }
        for (select, update) in backfills(*version) {
            let rows = tx
                .prepare(select)
                .and_then(|mut st| {
                    st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(sql)?;
            for (id, text) in rows {
                tx.execute(update, rusqlite::params![backfill_value(&text), id])
                    .map_err(sql)?;
            }
        }
        tx.execute("DELETE FROM schema_version", []).map_err(sql)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [version],
        )
        .map_err(sql)?;
    }
    tx.commit().map_err(sql)
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

/// The SQLite side of a group commit: `BEGIN IMMEDIATE` on a connection taken from the pool,
/// a savepoint per command, one `COMMIT`.
/// Runs transaction-control statements (`BEGIN IMMEDIATE`, `SAVEPOINT`, `COMMIT`, …) one after
/// another, each prepared once per connection: parsing them afresh for every command was 7% of
/// the instructions of a request+approve pair (docs/decisions.md §62).
fn control(conn: &Connection, statements: &[&str]) -> Result<()> {
    statements.iter().try_for_each(|s| {
        conn.prepare_cached(s)
            .and_then(|mut st| st.execute([]))
            .map(drop)
            .map_err(sql)
    })
}

/// A group's connection, with the tenant its commands have locked so far, as they left it
/// (docs/decisions.md §58).
pub(crate) struct GroupConn {
    conn: Connection,
    carry: Option<Locked>,
    /// Whether a transaction is open: not after the only command in it failed and it was
    /// rolled back (the next command begins one).
    begun: bool,
    /// Whether the open transaction holds no command yet (its next runs without a savepoint).
    empty: bool,
    /// Savepoints its commands took (docs/decisions.md §67), for the tests.
    savepoints: u64,
}

impl Backend for SqliteStore {
    type Conn = GroupConn;

    fn begin(&self) -> Result<GroupConn> {
        let conn = self.pool.take()?;
        match control(&conn, &["BEGIN IMMEDIATE"]) {
            Ok(()) => Ok(GroupConn {
                conn,
                carry: None,
                begun: true,
                empty: true,
                savepoints: 0,
            }),
            Err(e) => {
                self.pool.give_back(conn, false);
                Err(e)
            }
        }
    }

    /// The first command of a transaction runs without a savepoint, as on PostgreSQL: a lone
    /// writer (the common case) pays for no savepoint journal. If it fails, the transaction is
    /// rolled back and the next command of the group begins another: the failed one gets its
    /// own error, not that of a `BEGIN` that waited for another process's lock.
    fn member(
        &self,
        group: &mut GroupConn,
        _first: bool,
        work: Work<'_>,
    ) -> std::result::Result<Result<()>, Error> {
        let GroupConn {
            conn,
            carry,
            begun,
            empty,
            savepoints,
        } = group;
        if !*begun {
            // This command's own error if the lock cannot be had: the group goes on.
            if let Err(e) = control(conn, &["BEGIN IMMEDIATE"]) {
                return Ok(Err(e));
            }
            (*begun, *empty) = (true, true);
        }
        let alone = *empty;
        let mut sql_conn = SqliteConn::new(
            conn,
            &self.reprepares,
            if alone {
                Savepoint::None
            } else {
                Savepoint::Pending
            },
        );
        let result = (|| {
            let mut tx = SqlTx::new(&mut sql_conn, false, false, &self.directory)
                .carrying(carry.clone())
                .tenant_at_commit();
            work(&mut tx)?;
            tx.finish_carrying()
        })();
        let savepoint = sql_conn.savepoint;
        if savepoint == Savepoint::Taken {
            *savepoints = savepoints.saturating_add(1);
        }
        let (end, result): (&[&str], _) = match (result, alone, savepoint) {
            (Ok(locked), true, _) => {
                (*carry, *empty) = (locked, false);
                return Ok(Ok(()));
            }
            (Ok(locked), false, Savepoint::Taken) => {
                *carry = locked;
                (&["RELEASE command"], Ok(()))
            }
            (Ok(locked), false, _) => {
                *carry = locked;
                return Ok(Ok(()));
            }
            (Err(e), true, _) => {
                // Nothing of the group is in the transaction: it ends, and with it the lock.
                (*carry, *begun) = (None, false);
                (&["ROLLBACK"], Err(e))
            }
            // Rolled back to before this command: the tenant as the earlier ones left it.
            (Err(e), false, Savepoint::Taken) => {
                (&["ROLLBACK TO command", "RELEASE command"], Err(e))
            }
            // Part of the command is in the transaction, or SQLite ended the transaction
            // itself (an I/O error): the group cannot go on.
            (Err(e), false, Savepoint::Skipped { sent }) if sent > 0 => return Err(e),
            (Err(e), false, _) if conn.is_autocommit() => return Err(e),
            // Nothing of it was written: the group goes on as the earlier commands left it.
            (Err(e), false, _) => return Ok(Err(e)),
        };
        control(conn, end)?;
        Ok(result)
    }

    /// Writes the locked tenant's row as the group's commands left it, once for the group
    /// (docs/decisions.md §70), and commits.
    fn commit(&self, group: &mut GroupConn) -> Result<()> {
        if !group.begun {
            // Every command of the group failed: nothing to commit.
            return Ok(());
        }
        let mut sql_conn = SqliteConn::new(&group.conn, &self.reprepares, Savepoint::None);
        SqlTx::new(&mut sql_conn, false, false, &self.directory)
            .carrying(group.carry.take())
            .finish()?;
        control(&group.conn, &["COMMIT"])
    }

    fn give_back(&self, group: GroupConn, broken: bool) {
        let mut conn = group.conn;
        if broken {
            // Whether the rollback worked is read from the connection just below.
            let _ = conn.execute_batch("ROLLBACK");
        }
        let keep = reusable(&mut conn, false);
        self.pool.give_back(conn, !keep);
    }
}

impl Store for SqliteStore {
    fn write(&self, work: Work<'_>) -> Result<()> {
        self.groups.write(self, work)
    }

    fn read(&self, work: Work<'_>) -> Result<()> {
        self.read_only(work)
    }
}

/// Runs the shared SQL on one SQLite connection (inside its open transaction).
struct SqliteConn<'a> {
    conn: &'a Connection,
    reprepares: &'a Reprepares,
    savepoint: Savepoint,
    /// The writes sent from now on are the command's last (`SqlConn::last_writes`).
    ending: bool,
}

impl<'a> SqliteConn<'a> {
    fn new(conn: &'a Connection, reprepares: &'a Reprepares, savepoint: Savepoint) -> Self {
        SqliteConn {
            conn,
            reprepares,
            savepoint,
            ending: false,
        }
    }

    /// Takes a group command's savepoint before its first write, unless that write is of its
    /// last flush (docs/decisions.md §67).
    fn before_write(&mut self) -> Result<()> {
        if self.savepoint.take_before_write(self.ending) {
            control(self.conn, &["SAVEPOINT command"])?;
        }
        Ok(())
    }
}

/// A cell bound as it is, borrowed: no copy of a text (a row's JSON, a ledger state) per
/// statement (docs/decisions.md §62).
impl rusqlite::ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Cell::Null => ValueRef::Null,
            Cell::Int(v) => ValueRef::Integer(*v),
            Cell::Text(s) => ValueRef::Text(s.as_bytes()),
            // Ids are 16 bytes (migration 0014, docs/decisions.md §56).
            Cell::Id(u) => ValueRef::Blob(u.as_bytes()),
        }))
    }
}

fn from_value(v: ValueRef<'_>) -> Result<Cell> {
    match v {
        ValueRef::Null => Ok(Cell::Null),
        ValueRef::Integer(i) => Ok(Cell::Int(i)),
        ValueRef::Text(t) => String::from_utf8(t.to_vec()).map(Cell::Text).map_err(|e| {
            StorageError::Corrupt {
                table: "(query)",
                reason: format!("text is not UTF-8: {e}"),
            }
            .into()
        }),
        ValueRef::Blob(b) => uuid::Uuid::from_slice(b).map(Cell::Id).map_err(|e| {
            StorageError::Corrupt {
                table: "(query)",
                reason: format!("a BLOB of {} bytes is not an id: {e}", b.len()),
            }
            .into()
        }),
        other => Err(StorageError::Corrupt {
            table: "(query)",
            reason: format!("unexpected column type {:?}", other.data_type()),
        }
        .into()),
    }
}

impl SqlConn for SqliteConn<'_> {
    fn query(&mut self, query: &str, params: &[Cell]) -> Result<Vec<Raw>> {
        let mut stmt = self.conn.prepare_cached(query).map_err(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query(params_from_iter(params)).map_err(sql)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql)? {
            let cells = (0..n)
                .map(|i| row.get_ref(i).map_err(sql).and_then(from_value))
                .collect::<Result<Vec<_>>>()?;
            out.push(Raw(cells));
        }
        drop(rows);
        self.reprepares.note(&stmt, query);
        Ok(out)
    }

    fn execute(&mut self, query: &str, params: &[Cell]) -> Result<u64> {
        self.before_write()?;
        let mut stmt = self.conn.prepare_cached(query).map_err(sql)?;
        let n = stmt.execute(params_from_iter(params)).map_err(sql)?;
        self.reprepares.note(&stmt, query);
        self.savepoint.wrote();
        Ok(n as u64)
    }

    fn last_writes(&mut self) {
        self.ending = true;
    }

    fn keyed_outbox(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::TenantId;
    use crate::store::Tx;
    use crate::store::sql::group_test_support::{self, missing_draw, rename, renamed_then_listed};
    use crate::store::sql::{
        drawable_sql, ledger_head_sql, ledger_page_sql, notification_sent_sql, notification_sql,
        pending_sql,
    };
    use crate::views::CountsChange;

    /// A tenant (with its vendor organization) and a product, committed on `path`.
    fn tenant_and_product(path: &Path) -> (crate::Tenant, crate::Product) {
        let inv = crate::Inventory::open_sqlite(path).unwrap();
        let tenant = group_test_support::tenant(&inv);
        let product = inv
            .create_product(
                tenant.id,
                crate::NewProduct {
                    code: "P".into(),
                    name: "Product".into(),
                    kind: crate::ProductKind::License,
                },
            )
            .unwrap();
        (tenant, product)
    }

    fn name_of(path: &Path, tenant: TenantId) -> String {
        Connection::open(path)
            .unwrap()
            .query_row(
                "SELECT name FROM tenants WHERE id = ?1",
                [tenant.as_uuid().as_bytes()],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// A group's command takes a savepoint only when it reads after it wrote (docs/decisions.md
    /// §67): one whose writes all go out at its end takes none; one refused after a read that
    /// followed its writes is rolled back to its savepoint; one refused before it wrote leaves
    /// nothing; the group's other commands stay.
    #[test]
    fn a_grouped_command_takes_a_savepoint_only_when_it_reads_after_writing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("savepoints.db");
        let (tenant, _) = tenant_and_product(&path);
        let t = tenant.id;
        let store = SqliteStore::open(&path).unwrap();
        let mut group = store.begin().unwrap();
        let mut run = |first: bool, work: &mut dyn FnMut(&mut dyn Tx) -> Result<()>| {
            store.member(&mut group, first, work).unwrap()
        };
        run(true, &mut |tx| rename(tx, t, "one")).unwrap();
        run(false, &mut |tx| rename(tx, t, "two")).unwrap();
        let refused = run(false, &mut |tx| {
            rename(tx, t, "three")?;
            tx.tenants()?;
            Err(Error::invalid("name", "refused after a read"))
        });
        assert_eq!(refused.map_err(|e| e.code()), Err("INVALID_INPUT"));
        let refused = run(false, &mut |tx| {
            rename(tx, t, "four")?;
            Err(Error::invalid("name", "refused before writing"))
        });
        assert_eq!(refused.map_err(|e| e.code()), Err("INVALID_INPUT"));
        assert_eq!(
            group.savepoints, 1,
            "only the command that read after writing"
        );
        store.commit(&mut group).unwrap();
        store.give_back(group, false);
        assert_eq!(name_of(&path, t), "two");
    }

    /// A group writes its tenant's row once, at its commit (docs/decisions.md §70): three
    /// commands that each renamed the tenant change no row until the commit, which changes
    /// one; a command reading the `tenants` table sees the row as the commands before it left
    /// it.
    #[test]
    fn a_group_writes_its_tenant_row_once_at_its_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenant_once.db");
        let (tenant, _) = tenant_and_product(&path);
        let t = tenant.id;
        let store = SqliteStore::open(&path).unwrap();
        let mut group = store.begin().unwrap();
        let before = group.conn.total_changes();
        for (i, name) in ["one", "two", "three"].into_iter().enumerate() {
            store
                .member(&mut group, i == 0, &mut |tx| rename(tx, t, name))
                .unwrap()
                .unwrap();
        }
        assert_eq!(group.conn.total_changes(), before, "no row written yet");
        store.commit(&mut group).unwrap();
        assert_eq!(group.conn.total_changes() - before, 1, "the tenant's row");
        store.give_back(group, false);
        assert_eq!(name_of(&path, t), "three");

        assert_eq!(renamed_then_listed(&store, t, "four"), "four");
        assert_eq!(name_of(&path, t), "four");
    }

    /// A group's command whose last writes fail after one of them went out cannot be undone
    /// apart from the group (it took no savepoint): the group's transaction is given up, and
    /// nothing of any of its commands stays (docs/decisions.md §67).
    #[test]
    fn a_grouped_command_failing_within_its_last_writes_gives_the_group_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.db");
        let (tenant, product) = tenant_and_product(&path);
        let t = tenant.id;
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TRIGGER boom BEFORE INSERT ON draws \
                 BEGIN SELECT RAISE(ABORT, 'boom'); END;",
            )
            .unwrap();
        let counts = |path: &Path| -> i64 {
            Connection::open(path)
                .unwrap()
                .query_row("SELECT COALESCE(SUM(orders), 0) FROM org_counts", [], |r| {
                    r.get(0)
                })
                .unwrap()
        };
        let before = counts(&path);
        let store = SqliteStore::open(&path).unwrap();
        let mut group = store.begin().unwrap();
        store
            .member(&mut group, true, &mut |tx| rename(tx, t, "one"))
            .unwrap()
            .unwrap();
        // Held: a counter line (sent first, and kept by SQLite), then a draw (refused by the
        // trigger).
        let broken = store.member(&mut group, false, &mut |tx| {
            tx.change_counts(
                t,
                &[CountsChange {
                    org: tenant.vendor,
                    product: product.id,
                    orders: 1,
                    held: 0,
                    available: 0,
                    pending_requests: 0,
                    pending_units: 0,
                    incoming_requests: 0,
                    incoming_units: 0,
                }],
            )?;
            missing_draw(tx, t)
        });
        assert!(broken.is_err(), "{broken:?}");
        assert_eq!(group.savepoints, 0);
        store.give_back(group, true);
        assert_eq!(name_of(&path, t), "Savepoints");
        assert_eq!(counts(&path), before);
    }

    /// A group's command that fails alone in its transaction ends the transaction, and the
    /// write lock with it, at once, and gets its own refusal; the next command of the group
    /// begins another transaction, and if another connection holds the lock by then, that
    /// command (not the refused one) gets the storage error, and the group goes on
    /// (docs/decisions.md §58).
    #[test]
    fn a_refused_first_command_ends_its_transaction_and_keeps_its_own_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("group.db");
        let options = SqliteOptions {
            busy_timeout: Duration::from_millis(20),
            ..SqliteOptions::default()
        };
        let store = SqliteStore::open_with(&path, options).unwrap();
        let mut group = store.begin().unwrap();
        let refused = store
            .member(&mut group, true, &mut |_| {
                Err(Error::invalid("quantity", "too many"))
            })
            .unwrap();
        assert!(
            matches!(
                refused,
                Err(Error::InvalidInput {
                    field: "quantity",
                    ..
                })
            ),
            "{refused:?}"
        );
        // The lock is free: another connection takes it without waiting.
        let other = Connection::open(&path).unwrap();
        other.busy_timeout(Duration::ZERO).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let busy = store.member(&mut group, false, &mut |_| Ok(())).unwrap();
        assert_eq!(busy.map_err(|e| e.code()), Err("STORAGE"));
        other.execute_batch("COMMIT").unwrap();
        // The group goes on: its next command begins a transaction, which commits and frees
        // the lock again.
        store
            .member(&mut group, false, &mut |_| Ok(()))
            .unwrap()
            .unwrap();
        assert!(
            other.execute_batch("BEGIN IMMEDIATE").is_err(),
            "the group's command holds the lock until the group commits"
        );
        store.commit(&mut group).unwrap();
        store.give_back(group, false);
        other.execute_batch("BEGIN IMMEDIATE; COMMIT").unwrap();
    }

    /// A store on a new file whose WAL is checkpointed at `threshold` pages by its thread and
    /// at `limit` by the writer; with a table to fill.
    fn checkpointed(threshold: i64, limit: i64) -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteOptions {
            synchronous: Synchronous::Normal,
            ..SqliteOptions::default()
        };
        let store = SqliteStore::open_with(dir.path().join("wal.db"), options).unwrap();
        store
            .checkpoints
            .as_ref()
            .unwrap()
            .set_pages(threshold, limit);
        store
            .pool
            .checkout()
            .unwrap()
            .execute_batch("CREATE TABLE filler (b BLOB); PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        (dir, store)
    }

    /// `n` commits of a 3,000-byte blob (three or four WAL frames each), on the store's pooled
    /// connections.
    fn fill(store: &SqliteStore, n: usize) {
        for _ in 0..n {
            store
                .pool
                .checkout()
                .unwrap()
                .execute_batch("INSERT INTO filler VALUES (randomblob(3000))")
                .unwrap();
        }
    }

    /// The WAL file's length in pages (of 2 KiB, with their frame headers).
    fn wal_pages(dir: &tempfile::TempDir) -> u64 {
        let bytes = std::fs::metadata(dir.path().join("wal.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
        bytes / (2048 + 24)
    }

    /// Past the threshold the store's thread checkpoints the WAL and the writers do not; the
    /// WAL starts again and stays well short of what it would reach with nothing else to
    /// checkpoint it (the limit is out of reach) (docs/decisions.md §63).
    #[test]
    fn the_thread_checkpoints_the_wal_and_the_writers_do_not() {
        let (_dir, store) = checkpointed(40, 1_000_000);
        let checkpoints = store.checkpoints.as_ref().unwrap();
        assert_eq!(store.wal_autocheckpoints().unwrap(), vec![0; 8]);
        // 300 commits of about 3.7 frames: 1,100 frames if nothing checkpointed. A pause every
        // 15 commits gives the thread (on a busy machine) its turn.
        let (mut restarts, mut longest, mut previous) = (0, 0, checkpoints.wal_frames());
        for n in 1..=300 {
            fill(&store, 1);
            let frames = checkpoints.wal_frames();
            if frames < previous {
                restarts += 1;
            }
            (longest, previous) = (longest.max(frames), frames);
            if n % 15 == 0 {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let counts = store.checkpoint_counts();
        assert_eq!(counts.inline, 0, "{counts:?}");
        assert!(counts.background >= 2, "{counts:?}");
        assert!(restarts >= 2, "the WAL started again {restarts} times");
        assert!(longest < 600, "the WAL grew to {longest} frames");
    }

    /// A WAL that reaches the limit (the thread asked but not keeping up) is checkpointed by the
    /// writer that committed, as SQLite would, so it stays bounded whatever the thread does.
    #[test]
    fn a_writer_checkpoints_a_wal_at_the_limit() {
        let (dir, store) = checkpointed(1_000_000, 40);
        fill(&store, 300);
        let counts = store.checkpoint_counts();
        assert_eq!(counts.background, 0, "{counts:?}");
        assert!(counts.inline >= 5, "{counts:?}");
        // The limit, and the commit that crossed it (three or four pages), and the next one,
        // which starts the WAL again only once it commits.
        let pages = wal_pages(&dir);
        assert!(pages <= 60, "the WAL grew to {pages} pages");
    }

    /// A store whose thread is gone checkpoints at the threshold in its writers, as before.
    #[test]
    fn without_the_thread_writers_checkpoint_at_the_threshold() {
        let (dir, store) = checkpointed(40, 1_000_000);
        store.checkpoints.as_ref().unwrap().halt();
        // (The schema's pages may have asked the thread for one checkpoint already.)
        let before = store.checkpoint_counts();
        fill(&store, 300);
        let counts = store.checkpoint_counts();
        assert_eq!(counts.background, before.background, "{counts:?}");
        assert!(counts.inline >= before.inline + 5, "{counts:?}");
        let pages = wal_pages(&dir);
        assert!(pages <= 60, "the WAL grew to {pages} pages");
    }

    /// The hot reads use the partial indexes of migration 0013: a partial index serves only a
    /// query whose terms imply its condition, so a query that stopped naming the status (or an
    /// index whose condition drifted from `OrderStatus::DRAWABLE`) would scan instead. The
    /// ledger's reads are a range of its keys (migration 0016), and a notification's a lookup
    /// of its key (migration 0018), not a scan.
    #[test]
    fn hot_reads_use_their_indexes() {
        let store = SqliteStore::in_memory().unwrap();
        let conn = store.pool.checkout().unwrap();
        for (query, index) in [
            (drawable_sql(), "INDEX orders_for_draw "),
            (pending_sql(), "INDEX notifications_pending "),
            // A notification by id is a lookup of its key (docs/decisions.md §72).
            (
                notification_sql(true),
                "SEARCH notifications USING INTEGER PRIMARY KEY (rowid=?)",
            ),
            (
                notification_sent_sql(true),
                "SEARCH notifications USING INTEGER PRIMARY KEY (rowid=?)",
            ),
            // The ledger's reads are a range of its integer keys (docs/decisions.md §65).
            (
                ledger_head_sql(),
                "SEARCH ledger USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)",
            ),
            (
                ledger_page_sql(),
                "SEARCH ledger USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)",
            ),
        ] {
            let mut stmt = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {query}"))
                .unwrap();
            let unbound = std::iter::repeat_n(rusqlite::types::Value::Null, stmt.parameter_count());
            let plan: Vec<String> = stmt
                .query_map(params_from_iter(unbound), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(
                plan.iter().any(|step| step.contains(index)),
                "{query}\nis planned as {plan:?}, not through {index}"
            );
        }
    }
}
