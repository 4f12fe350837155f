//! SQLite-specific behaviour: schema versions, migrations, persistence, many connections.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use license_inventory::store::conformance::World;
use license_inventory::store::{MIGRATIONS, SCHEMA_VERSION};
use license_inventory::*;

fn open(path: &std::path::Path) -> Inventory {
    Inventory::open_sqlite(path).unwrap()
}

#[test]
fn newer_schema_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.db");
    drop(open(&path));
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute("UPDATE schema_version SET version = 99", [])
        .unwrap();
    drop(raw);
    match SqliteStore::open(&path) {
        Err(Error::SchemaMismatch {
            found: 99,
            supported: SCHEMA_VERSION,
            hint,
        }) => {
            assert!(hint.contains("newer"), "{hint}");
        }
        other => panic!("expected SchemaMismatch, got {other:?}"),
    }
}

#[test]
fn older_schema_is_refused_without_migrations_and_upgraded_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    // An empty database file is schema version 0.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE unrelated (x BIGINT)")
        .unwrap();
    let no_migrate = SqliteOptions {
        migrate: false,
        ..SqliteOptions::default()
    };
    let err = SqliteStore::open_with(&path, no_migrate).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SchemaMismatch {
                found: 0,
                supported: SCHEMA_VERSION,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("migrations enabled"), "{err}");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

fn schema_of(path: &std::path::Path) -> Vec<(String, String, Option<String>)> {
    let raw = rusqlite::Connection::open(path).unwrap();
    let mut stmt = raw
        .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT IN ('unrelated') ORDER BY type, name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// Every older version, migrated step by step, ends with exactly the schema of a fresh
/// database, and keeps its rows.
#[test]
fn every_upgrade_path_yields_the_fresh_schema() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    drop(SqliteStore::open(&fresh).unwrap());
    // Reopening an up-to-date database changes nothing.
    drop(SqliteStore::open(&fresh).unwrap());
    for start in 1..SCHEMA_VERSION {
        let old = dir.path().join(format!("v{start}.db"));
        let raw = rusqlite::Connection::open(&old).unwrap();
        raw.execute_batch("CREATE TABLE unrelated (x BIGINT); CREATE TABLE schema_version (version BIGINT NOT NULL)")
            .unwrap();
        let on_sqlite = |v: &i64| !license_inventory::store::POSTGRES_ONLY.contains(v);
        for (_, sql) in MIGRATIONS
            .iter()
            .filter(|(v, _)| *v <= start && on_sqlite(v))
        {
            raw.execute_batch(sql).unwrap();
        }
        raw.execute("INSERT INTO schema_version (version) VALUES (?1)", [start])
            .unwrap();
        // A row written by the old version.
        raw.execute(
            "INSERT INTO tenants (id, name, plan, vendor, minted, next_order_number, created_at) \
             VALUES ('018f0000-0000-7000-8000-000000000001', 'Old', 'standard', \
             '018f0000-0000-7000-8000-000000000002', 0, 7, '2017-10-20T01:45:00.000000Z')",
            [],
        )
        .unwrap();
        drop(raw);
        let store = SqliteStore::open(&old).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(
            schema_of(&old),
            schema_of(&fresh),
            "upgrading from version {start}"
        );
        let inv = Inventory::new(store);
        let tenants = inv.tenants().unwrap();
        assert_eq!(
            (
                tenants.len(),
                tenants[0].next_order_number,
                tenants[0].retired
            ),
            (1, 7, 0)
        );
    }
    assert!(
        schema_of(&fresh)
            .iter()
            .any(|(_, n, _)| n == "licenses_by_order")
    );
}

#[test]
fn data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.db");
    let (tenant, order) = {
        let w = World::new(open(&path), 1210);
        let o = w.stock(&w.ellen, &w.cl, 3);
        (w.tenant.id, o.id)
    };
    let inv = open(&path);
    let audit = inv.audit(tenant).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
    assert_eq!(audit.minted, 3);
    let vera = inv.ledger(tenant, 0, 100).unwrap().len();
    assert!(vera > 5);
    let entry = inv.ledger(tenant, 0, 1000).unwrap();
    assert!(entry.iter().any(|e| e.order == Some(order)));
}

#[test]
fn a_corrupt_row_is_a_storage_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.db");
    let w = World::new(open(&path), 1);
    let o = w.stock(&w.ellen, &w.cl, 3);
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "UPDATE orders SET status = 'bogus' WHERE id = ?1",
        [o.id.as_uuid().as_bytes()],
    )
    .unwrap();
    let err = w.vera.order(o.id).unwrap_err();
    assert_eq!(err.code(), "STORAGE");
    assert!(err.to_string().contains("bogus"), "{err}");
}

/// 16 threads, each with its own connection pool on one file, race to draw 100 units.
#[test]
fn sixteen_connections_on_one_file_draw_exactly_the_stock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.db");
    let w = World::new(open(&path), 1);
    let stock = w.stock(&w.ellen, &w.cl, 100);
    let (tenant, irina, ellen, mga, cl) =
        (w.tenant.id, w.irina.user(), w.ellen.id, w.mga.id, w.cl.id);
    let drawn = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for _ in 0..16 {
            scope.spawn(|| {
                let session = open(&path).session(tenant, irina).unwrap();
                for _ in 0..8 {
                    match session.assign(NewAssignment::new(ellen, mga, cl, 1)) {
                        Ok(o) => {
                            drawn.fetch_add(o.approved_quantity, Ordering::SeqCst);
                        }
                        Err(Error::InsufficientInventory { .. }) => {}
                        Err(e) => panic!("unexpected: {e}"),
                    }
                }
            });
        }
    });
    assert_eq!(drawn.load(Ordering::SeqCst), 100);
    let stock = w.vera.order(stock.id).unwrap().order;
    assert_eq!((stock.available, stock.drawn), (0, 100));
    w.assert_clean();
}

/// Passwords are stored only as Argon2id hashes: no column of any row holds the plain text.
#[test]
fn passwords_never_reach_the_database_in_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pw.db");
    let w = World::new(open(&path), 1);
    let o = w.center_order(&w.cl, 1);
    let first = "Plain-Text-Secret-1";
    let second = "Another-Secret-Two";
    let u = w
        .erin
        .add_license_user(
            o.id,
            NewLicenseUser {
                email: "student@elerome.example".into(),
                name: Some("Stu Dent".into()),
                password: Some(first.into()),
            },
        )
        .unwrap();
    assert!(u.has_password);
    w.erin.set_license_user_password(u.id, second).unwrap();
    assert!(
        w.inv
            .verify_license_user_password(w.tenant.id, u.id, second)
            .unwrap()
    );
    assert!(
        !w.inv
            .verify_license_user_password(w.tenant.id, u.id, first)
            .unwrap()
    );
    assert_eq!(
        w.erin
            .set_license_user_password(u.id, "short")
            .unwrap_err()
            .code(),
        "INVALID_INPUT"
    );

    let raw = rusqlite::Connection::open(&path).unwrap();
    let tables: Vec<String> = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut cells = 0;
    for table in tables {
        let mut stmt = raw.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                if let Ok(text) = row.get::<_, String>(i) {
                    cells += 1;
                    assert!(
                        !text.contains(first) && !text.contains(second),
                        "{table}: {text}"
                    );
                }
            }
        }
    }
    assert!(cells > 100, "the scan read the rows");
    let hash: String = raw
        .query_row("SELECT password_hash FROM license_users", [], |r| r.get(0))
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}

/// Migration 0005 fills the folded purchase-order column of existing orders with the core's
/// folding, so a non-ASCII search finds orders written before the upgrade.
#[test]
fn upgrade_to_5_folds_existing_purchase_orders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    let w = World::new(Inventory::open_sqlite(&path).unwrap(), 1);
    w.stock(&w.ellen, &w.cl, 10);
    for po in ["ÉCOLE-Ü-1", "straße-2"] {
        w.irina
            .request(NewRequest {
                holder: w.mga.id,
                product: w.cl.id,
                quantity: 1,
                purchase_order: Some(po.into()),
                comments: None,
            })
            .unwrap();
    }
    let (tenant, mga) = (w.tenant.id, w.mga.id);
    let irina = w.irina.user();
    drop(w);
    // Back to version 4: no folded column.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(&super::downgrade_to(4, true)).unwrap();
    drop(raw);
    let inv = Inventory::open_sqlite(&path).unwrap();
    let s = inv.session(tenant, irina).unwrap();
    let found = |needle: &str| {
        let f = InventoryFilter {
            purchase_order: Some(needle.into()),
            ..Default::default()
        };
        s.list(mga, &f, None, 10).unwrap().items.len()
    };
    assert_eq!(
        (found("école-ü"), found("STRAßE"), found("strasse")),
        (1, 1, 0)
    );
}

/// A busy timeout SQLite cannot take (2^31 ms or more made rusqlite panic) is refused, typed,
/// before any connection is opened; the largest one it takes opens.
#[test]
fn busy_timeout_beyond_sqlite_limit_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    for ms in [1_u64 << 31, u64::MAX] {
        let options = SqliteOptions {
            busy_timeout: std::time::Duration::from_millis(ms),
            ..SqliteOptions::default()
        };
        match SqliteStore::open_with(dir.path().join("x.db"), options) {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "busy_timeout"),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }
    assert!(!dir.path().join("x.db").exists(), "nothing was created");
    let options = SqliteOptions {
        busy_timeout: std::time::Duration::from_millis((1 << 31) - 1),
        ..SqliteOptions::default()
    };
    SqliteStore::open_with(dir.path().join("y.db"), options).unwrap();
}

/// A new database gets the page size of its options (2 KiB by default, in memory too); an
/// existing one keeps its own whatever the options say, and every store works on either.
#[test]
fn a_new_database_takes_the_page_size_and_an_existing_one_keeps_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let with = |size| SqliteOptions {
        page_size: size,
        ..SqliteOptions::default()
    };
    let default = dir.path().join("default.db");
    let store = SqliteStore::open(&default).unwrap();
    assert_eq!(store.page_size().unwrap(), SqliteOptions::PAGE_SIZE);
    assert_eq!(SqliteOptions::PAGE_SIZE, 2048);
    drop(store);
    let raw = rusqlite::Connection::open(&default).unwrap();
    let on_disk: u32 = raw.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    assert_eq!(on_disk, 2048, "the file itself");
    drop(raw);
    let reopened = SqliteStore::open_with(&default, with(8192)).unwrap();
    assert_eq!(
        reopened.page_size().unwrap(),
        2048,
        "an existing file keeps its size"
    );
    assert_eq!(
        SqliteStore::in_memory().unwrap().page_size().unwrap(),
        SqliteOptions::PAGE_SIZE
    );
    // The WAL is checkpointed at SQLite's default size in bytes (1,000 pages of 4 KiB).
    assert_eq!(reopened.wal_autocheckpoints().unwrap(), vec![2000; 8]);
    for size in [512, 4096, 65_536] {
        let path = dir.path().join(format!("p{size}.db"));
        let store = Arc::new(SqliteStore::open_with(&path, with(size)).unwrap());
        assert_eq!(store.page_size().unwrap(), size);
        let pages = i64::from(4_096_000 / size);
        assert_eq!(store.wal_autocheckpoints().unwrap(), vec![pages; 8]);
        let w = World::new(Inventory::from_store(store), 1);
        w.stock(&w.ellen, &w.cl, 100);
        requests_and_approvals(&w, 3);
        w.assert_clean();
    }
}

/// A page size SQLite cannot take is refused, typed, before any file is created.
#[test]
fn a_page_size_sqlite_cannot_take_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    for size in [0, 256, 3000, 131_072, u32::MAX] {
        let options = SqliteOptions {
            page_size: size,
            ..SqliteOptions::default()
        };
        match SqliteStore::open_with(&path, options) {
            Err(e @ Error::InvalidInput { field, .. }) => {
                assert_eq!(field, "page_size");
                assert!(e.to_string().contains(&size.to_string()), "{e}");
            }
            other => panic!("{size}: expected InvalidInput, got {other:?}"),
        }
    }
    assert!(!path.exists(), "nothing was created");
}

/// The options take effect on every pooled connection, not only the first: WAL, and
/// `synchronous` as configured.
#[test]
fn pragmas_take_effect_on_every_pooled_connection() {
    let dir = tempfile::tempdir().unwrap();
    for sync in [Synchronous::Full, Synchronous::Normal] {
        let options = SqliteOptions {
            synchronous: sync,
            ..SqliteOptions::default()
        };
        let store = SqliteStore::open_with(dir.path().join("p.db"), options).unwrap();
        let pragmas = store.connection_pragmas().unwrap();
        assert_eq!(pragmas.len(), 8, "every connection of the pool");
        for (i, (s, mode)) in pragmas.into_iter().enumerate() {
            assert_eq!((s, mode.as_str()), (sync, "wal"), "connection {i}");
        }
    }
}

/// Migration 0006 records each existing tenant's ledger head; entries written before it have no
/// state digest, and the first write after it records the digest of every row.
#[test]
fn upgrade_to_6_records_the_heads_and_the_next_entry_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    let w = World::new(Inventory::open_sqlite(&path).unwrap(), 1);
    w.stock(&w.ellen, &w.cl, 10);
    let (tenant, vendor, vera, ellen, cl) = (
        w.tenant.id,
        w.tenant.vendor,
        w.vera.user(),
        w.ellen.id,
        w.cl.id,
    );
    let entries = w.inv.ledger(tenant, 0, MAX_PAGE).unwrap();
    drop(w);
    // Back to version 5: entries as version 5 wrote them (no state, so their old hashes), and
    // neither the head columns nor the state column.
    let raw = rusqlite::Connection::open(&path).unwrap();
    let mut prev = GENESIS_HASH.to_owned();
    for mut e in entries {
        e.state.clear();
        e.prev_hash = prev.clone();
        e.hash = e.compute_hash();
        prev = e.hash.clone();
        raw.execute(
            "UPDATE ledger SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            rusqlite::params![e.prev_hash, e.hash, e.seq as i64],
        )
        .unwrap();
    }
    raw.execute_batch(&super::downgrade_to(5, true)).unwrap();
    drop(raw);
    let inv = Inventory::open_sqlite(&path).unwrap();
    let audit = inv.audit(tenant).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
    let head = inv.ledger(tenant, 0, MAX_PAGE).unwrap().pop().unwrap();
    assert!(head.state.is_empty(), "written before version 6");
    assert_eq!(head.hash, prev);
    // The head was backfilled: a checkpoint signs it.
    let key = generate_signing_key().unwrap();
    assert_eq!(inv.checkpoint(tenant, &key).unwrap().seq, head.seq);
    inv.session(tenant, vera)
        .unwrap()
        .assign(NewAssignment::new(vendor, ellen, cl, 1))
        .unwrap();
    let next = inv.ledger(tenant, head.seq, 1).unwrap().pop().unwrap();
    assert!(next.state.contains_key("orders"), "{:?}", next.state);
    let audit = inv.audit(tenant).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
}

/// Requests and approvals (with a rejection, a list and a summary), down the tree.
fn requests_and_approvals(w: &World, rounds: usize) {
    for _ in 0..rounds {
        let o = w
            .irina
            .request(NewRequest::new(w.mga.id, w.cl.id, 1))
            .unwrap();
        w.irina.approve(o.id, None, None).unwrap();
        let o = w
            .erin
            .request(NewRequest::new(w.elerome.id, w.cl.id, 1))
            .unwrap();
        w.irina.approve(o.id, None, None).unwrap();
        let o = w
            .erin
            .request(NewRequest::new(w.elerome.id, w.cl.id, 2))
            .unwrap();
        w.irina.reject(o.id, None).unwrap();
        w.irina
            .list(w.mga.id, &InventoryFilter::default(), None, 10)
            .unwrap();
        w.erin.summary(w.elerome.id).unwrap();
    }
}

/// The statements each run re-prepared, as the difference of two counts.
fn grown(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(sql, n)| (sql.clone(), n - before.get(sql).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Cached statements are prepared once (decision 40): SQLite re-prepares a statement whose
/// plan depends on the values bound to it (`WHERE col = ?N`) on every run unless the
/// connection keeps its plans (QPSG). Counted with `SQLITE_STMTSTATUS_REPREPARE` over every
/// statement the store runs: nothing is re-prepared, neither while the cache fills nor once
/// it is warm.
#[test]
fn cached_statements_are_prepared_once() {
    let dir = tempfile::tempdir().unwrap();
    let stores = [
        SqliteStore::open(dir.path().join("plans.db")).unwrap(),
        SqliteStore::in_memory().unwrap(),
    ];
    for store in stores {
        let store = Arc::new(store);
        let w = World::new(Inventory::from_store(store.clone()), 1);
        w.stock(&w.ellen, &w.cl, 1000);
        requests_and_approvals(&w, 5);
        let warm = store.statement_reprepares();
        requests_and_approvals(&w, 5);
        let second = grown(&warm, &store.statement_reprepares());
        let total = |m: &BTreeMap<String, u64>| m.values().sum::<u64>();
        assert!(
            second.is_empty() && warm.is_empty(),
            "{store:?}: {} re-prepares in the second run of the workload ({} in the first) of {} statements: {second:#?}",
            total(&second),
            total(&warm),
            second.len()
        );
        w.assert_clean();
    }
}

/// Migration 0008 counts the existing orders into the summary counters: after the upgrade
/// every summary is what it was and the audit (which recomputes the counters) is clean; the
/// next write records the state with the head.
#[test]
fn upgrade_to_8_counts_the_existing_orders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v7.db");
    let w = World::new(Inventory::open_sqlite(&path).unwrap(), 1);
    w.center_order(&w.cl, 10);
    w.stock(&w.ellen, &w.uac, 20);
    let pending = w
        .irina
        .request(NewRequest::new(w.mga.id, w.uac.id, 3))
        .unwrap();
    let rejected = w
        .irina
        .request(NewRequest::new(w.mga.id, w.uac.id, 2))
        .unwrap();
    w.irina.reject(rejected.id, None).unwrap();
    w.erin
        .request(NewRequest::new(w.elerome.id, w.cl.id, 4))
        .unwrap();
    let orgs = [
        w.tenant.vendor,
        w.ellen.id,
        w.mga.id,
        w.elerome.id,
        w.other.id,
    ];
    let summaries = |inv: &Inventory| {
        let vera = inv.session(w.tenant.id, w.vera.user()).unwrap();
        orgs.map(|o| vera.summary(o).unwrap())
    };
    let before = summaries(&w.inv);
    assert_eq!(before[2].iter().map(|l| l.pending_requests).sum::<u64>(), 1);
    assert_eq!(
        before[2].iter().map(|l| l.incoming_requests).sum::<u64>(),
        1
    );
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(&super::downgrade_to(7, true)).unwrap();
    drop(raw);
    let inv = Inventory::open_sqlite(&path).unwrap();
    let audit = inv.audit(w.tenant.id).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
    assert_eq!(summaries(&inv), before);
    inv.session(w.tenant.id, w.irina.user())
        .unwrap()
        .approve(pending.id, None, None)
        .unwrap();
    let audit = inv.audit(w.tenant.id).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
}

/// Migration 9 rebuilds the draws as a WITHOUT ROWID table (docs/decisions.md §44): every row
/// is kept, the audit (which re-hashes the ledger and every
/// row's state digest) is clean after it, and the next write chains on.
#[test]
fn upgrade_to_9_keeps_every_row_of_the_rebuilt_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v8.db");
    let w = World::new(Inventory::open_sqlite(&path).unwrap(), 1);
    w.center_order(&w.cl, 10);
    w.stock(&w.ellen, &w.uac, 20);
    let pending = w
        .irina
        .request(NewRequest::new(w.mga.id, w.uac.id, 3))
        .unwrap();
    let rebuilt = ["draws"];
    let layout = |raw: &rusqlite::Connection| {
        rebuilt.map(|t| {
            let sql: String = raw
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [t],
                    |r| r.get(0),
                )
                .unwrap();
            let rows: i64 = raw
                .query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                .unwrap();
            (sql.contains("WITHOUT ROWID"), rows)
        })
    };
    let raw = rusqlite::Connection::open(&path).unwrap();
    let fresh = layout(&raw);
    assert!(
        fresh.iter().all(|(compact, rows)| *compact && *rows > 0),
        "{fresh:?}"
    );
    raw.execute_batch(&super::downgrade_to(8, true)).unwrap();
    let old = layout(&raw);
    assert!(old.iter().all(|(compact, _)| !compact), "{old:?}");
    assert_eq!(old.map(|(_, rows)| rows), fresh.map(|(_, rows)| rows));
    drop(raw);

    let inv = Inventory::open_sqlite(&path).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(layout(&raw), fresh);
    let audit = inv.audit(w.tenant.id).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
    inv.session(w.tenant.id, w.irina.user())
        .unwrap()
        .approve(pending.id, None, None)
        .unwrap();
    let audit = inv.audit(w.tenant.id).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
}

/// Every column of every table that holds a value written as an id's 36-character text, with
/// how many such values: after migration 0014 there are none (docs/decisions.md §56).
fn text_ids(raw: &rusqlite::Connection) -> BTreeMap<String, i64> {
    let tables: Vec<String> = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut found = BTreeMap::new();
    for t in tables {
        let columns: Vec<String> = raw
            .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for c in columns {
            let n: i64 = raw
                .query_row(
                    &format!(
                        "SELECT COUNT(*) FROM {t} WHERE typeof({c}) = 'text' AND {c} GLOB \
                         '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-*' \
                         AND length({c}) = 36"
                    ),
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            if n > 0 {
                found.insert(format!("{t}.{c}"), n);
            }
        }
    }
    found
}

/// Migration 0014 stores every id in 16 bytes (docs/decisions.md §56): a version-13 file,
/// whose ids are text in every table (licenses, license users and managers, bundles,
/// idempotency records, notifications included), comes out with no id left as text, reads the
/// same, audits clean (the audit re-hashes every row), and takes the next write. A new file
/// never holds an id as text.
#[test]
fn upgrade_to_14_stores_every_id_in_16_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v13.db");
    // Licenses (one activated) and a license user, from the tamper tests' world.
    let (w, license, _) = super::tamper::world(Inventory::open_sqlite(&path).unwrap());
    let (t, order) = (w.tenant.id, license.order);
    w.stock(&w.ellen, &w.uac, 20);
    let pending = w
        .irina
        .request(NewRequest::new(w.mga.id, w.uac.id, 3))
        .unwrap();
    let manager = w.user("Max Manager");
    w.erin
        .add_license_manager(order, manager.id, &[Permission::ResetDevice])
        .unwrap();
    let bundle = w
        .inv
        .create_bundle(
            t,
            NewBundle {
                name: "Pack".into(),
                lines: vec![BundleLine {
                    product: w.cl.id,
                    quantity: 1,
                }],
            },
        )
        .unwrap();
    w.irina
        .request_bundle(w.mga.id, bundle.id, None, None)
        .unwrap();
    w.inv
        .with_idempotency_key("once")
        .unwrap()
        .create_user(
            t,
            NewUser {
                name: "Oona".into(),
                email: "oona@example.com".into(),
            },
        )
        .unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(text_ids(&raw), BTreeMap::new(), "a new file");
    let read = |inv: &Inventory| {
        let vera = inv.session(t, w.vera.user()).unwrap();
        (
            vera.summary(w.mga.id).unwrap(),
            vera.order(order).unwrap(),
            inv.ledger(t, 0, MAX_PAGE).unwrap(),
            vera.licenses(order, None, 10).unwrap(),
            inv.pending_notifications(t, 100).unwrap(),
        )
    };
    let before = read(&w.inv);

    raw.execute_batch(&super::downgrade_to(13, true)).unwrap();
    let old = text_ids(&raw);
    for column in [
        "tenants.id",
        "orders.holder",
        "draws.source_order",
        "ledger.actor",
        "licenses.order_id",
        "license_users.id",
        "license_managers.user_id",
        "bundles.id",
        "orders.bundle",
        "notifications.recipient",
        "org_counts.product",
        "idempotency_keys.tenant",
    ] {
        assert!(
            old.contains_key(column),
            "{column} is text at version 13: {old:?}"
        );
    }
    drop(raw);

    let inv = Inventory::open_sqlite(&path).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(text_ids(&raw), BTreeMap::new(), "after the upgrade");
    assert_eq!(read(&inv), before);
    let audit = inv.audit(t).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
    inv.session(t, w.irina.user())
        .unwrap()
        .approve(pending.id, None, None)
        .unwrap();
    let audit = inv.audit(t).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
}

/// How the ledger is keyed: whether its rows have an integer `key`, how many indexes the table
/// has (its own `(tenant, seq)` key was one), and how many of its rows there are; then how many
/// rows hold the key `ledger_base × 2^40 + seq` of their tenant.
fn ledger_layout(raw: &rusqlite::Connection) -> (bool, i64, i64) {
    let count = |sql: &str| raw.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        count("SELECT COUNT(*) FROM pragma_table_info('ledger') WHERE name = 'key'") == 1,
        count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger'"),
        count("SELECT COUNT(*) FROM ledger"),
    )
}

fn keyed_ledger_rows(raw: &rusqlite::Connection) -> i64 {
    raw.query_row(
        "SELECT COUNT(*) FROM ledger AS l JOIN tenants AS t ON t.id = l.tenant \
         WHERE l.key = t.ledger_base * 1099511627776 + l.seq",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// Migration 0016 keys SQLite's ledger by one integer (docs/decisions.md §65): a version-15
/// file with two tenants, whose entries interleave, comes out with every entry keyed by its
/// tenant's number and seq and no index on the ledger; each tenant's ledger reads as before,
/// audits clean, and takes the next write; a tenant created after the upgrade takes the next
/// number, and its entries are its own.
#[test]
fn upgrade_to_16_keys_the_ledger_by_one_integer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v15.db");
    let a = World::new(Inventory::open_sqlite(&path).unwrap(), 1);
    let b = World::new(a.inv.clone(), 1);
    for w in [&a, &b, &a] {
        w.center_order(&w.cl, 4);
    }
    a.stock(&a.ellen, &a.uac, 5);
    let pending = a
        .irina
        .request(NewRequest::new(a.mga.id, a.uac.id, 3))
        .unwrap();
    let ledgers =
        |inv: &Inventory| [a.tenant.id, b.tenant.id].map(|t| inv.ledger(t, 0, MAX_PAGE).unwrap());
    let before = ledgers(&a.inv);
    assert!(before.iter().all(|l| l.len() > 3), "{before:?}");
    let raw = rusqlite::Connection::open(&path).unwrap();
    let fresh = ledger_layout(&raw);
    assert_eq!((fresh.0, fresh.1), (true, 0), "a new file: {fresh:?}");
    assert_eq!(keyed_ledger_rows(&raw), fresh.2);

    raw.execute_batch(&super::downgrade_to(15, true)).unwrap();
    assert_eq!(ledger_layout(&raw), (false, 1, fresh.2), "version 15");
    drop(raw);

    let inv = Inventory::open_sqlite(&path).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(ledger_layout(&raw), fresh, "after the upgrade");
    assert_eq!(keyed_ledger_rows(&raw), fresh.2);
    assert_eq!(ledgers(&inv), before);
    inv.session(a.tenant.id, a.irina.user())
        .unwrap()
        .approve(pending.id, None, None)
        .unwrap();
    let c = World::new(inv.clone(), 1);
    c.center_order(&c.cl, 2);
    let bases: Vec<i64> = raw
        .prepare("SELECT ledger_base FROM tenants ORDER BY ledger_base")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(bases, [1, 2, 3]);
    assert_eq!(keyed_ledger_rows(&raw), ledger_layout(&raw).2);
    for (w, t) in [(&a, a.tenant.id), (&b, b.tenant.id), (&c, c.tenant.id)] {
        let entries = inv.ledger(t, 0, MAX_PAGE).unwrap();
        let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=entries.len() as u64).collect::<Vec<_>>());
        assert!(entries.iter().all(|e| e.tenant == t));
        let audit = inv.audit(w.tenant.id).unwrap();
        assert!(audit.is_clean(), "{:?}", audit.problems);
    }
    assert_eq!(ledgers(&inv)[1], before[1], "b's ledger did not move");
}

/// The directory cache of one store never hides a change made through another store of the
/// same file (another process, in effect): a grant, and a deactivation, are seen by the very
/// next command (docs/decisions.md §41).
#[test]
fn a_directory_change_by_another_store_is_seen_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let w = World::new(Inventory::open_sqlite(&path).unwrap(), 1);
    let other = Inventory::open_sqlite(&path).unwrap();
    super::directory_changes_are_seen(&w, &other);
}

/// Group commit (docs/decisions.md §42): 16 threads writing at once share commits (fewer
/// commits than commands), each gets exactly its own result (refusals included: every third
/// thread asks to approve more than was requested), every command that returned Ok is in the
/// database after it is reopened, and nothing of a refused one is.
#[test]
fn concurrent_writers_share_commits_and_keep_their_own_results() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("group.db");
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let w = World::new(Inventory::from_store(store.clone()), 1);
    w.stock(&w.ellen, &w.cl, 1_000);
    let (tenant, irina) = (w.tenant.id, w.irina.user());
    let results = super::writers_share_commits(&w, || store.commit_counts());
    drop(w);
    drop(store);
    // Reopened: what was acknowledged is there, what was refused is not.
    let inv = Inventory::open_sqlite(&path).unwrap();
    let vera = inv.session(tenant, irina).unwrap();
    for (id, approved) in results {
        let o = vera.order(id).unwrap().order;
        let want = if approved {
            OrderStatus::Active
        } else {
            OrderStatus::Requested
        };
        assert_eq!(o.status, want, "order {}", o.number);
    }
    let audit = inv.audit(tenant).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
}

/// A command that fails after moving the locked tenant leaves nothing to the rest of its
/// group (docs/decisions.md §58): see `failed_commands_do_not_leak_into_their_group`.
#[test]
fn a_failed_command_leaves_its_group_the_tenant_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("carry.db")).unwrap());
    let w = World::new(Inventory::from_store(store.clone()), 1);
    w.stock(&w.ellen, &w.cl, 1_000);
    super::failed_commands_do_not_leak_into_their_group(&w, || store.commit_counts());
}

/// With `group_commit: 1` every command commits alone.
#[test]
fn group_commit_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open_with(
            dir.path().join("alone.db"),
            SqliteOptions {
                group_commit: 1,
                ..SqliteOptions::default()
            },
        )
        .unwrap(),
    );
    let w = World::new(Inventory::from_store(store.clone()), 1);
    w.stock(&w.ellen, &w.cl, 100);
    let (tenant, irina, mga, cl) = (w.tenant.id, w.irina.user(), w.mga.id, w.cl.id);
    let (before, commits_before) = store.commit_counts();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            let inv = w.inv.clone();
            scope.spawn(move || {
                let s = inv.session(tenant, irina).unwrap();
                for _ in 0..4 {
                    s.request(NewRequest::new(mga, cl, 1)).unwrap();
                }
            });
        }
    });
    let (after, commits) = store.commit_counts();
    assert_eq!(after - before, 32);
    assert_eq!(commits - commits_before, 32);
    w.assert_clean();
}

/// A panic inside one writer's work aborts only the open group: the members waiting for its
/// commit are told `GroupAborted` (nothing of them written), every command acknowledged is in
/// the database, and the store keeps working.
#[test]
fn a_panic_in_a_group_aborts_it_cleanly() {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("panic.db");
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let w = World::new(Inventory::from_store(store.clone()), 1);
    w.stock(&w.ellen, &w.cl, 1_000);
    let (tenant, irina, mga, cl) = (w.tenant.id, w.irina.user(), w.mga.id, w.cl.id);
    let acknowledged = std::sync::Mutex::new(Vec::new());
    let aborted = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for t in 0..8 {
            let inv = w.inv.clone();
            let (acknowledged, aborted) = (&acknowledged, &aborted);
            scope.spawn(move || {
                let s = inv.session(tenant, irina).unwrap();
                for i in 0..16 {
                    if t == 0 && i % 4 == 0 {
                        let store = inv.store().clone();
                        let r = catch_unwind(AssertUnwindSafe(|| {
                            store.write(&mut |_tx| panic!("a bug inside a transaction"))
                        }));
                        assert!(r.is_err(), "the panic reaches its own caller");
                        continue;
                    }
                    match s.request(NewRequest::new(mga, cl, 1)) {
                        Ok(o) => acknowledged.lock().unwrap().push(o.id),
                        Err(Error::Storage(StorageError::GroupAborted { .. })) => {
                            aborted.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => panic!("unexpected: {e}"),
                    }
                }
            });
        }
    });
    println!(
        "{} acknowledged, {} aborted",
        acknowledged.lock().unwrap().len(),
        aborted.load(Ordering::SeqCst)
    );
    w.irina.request(NewRequest::new(mga, cl, 1)).unwrap();
    drop(w);
    drop(store);
    let inv = Inventory::open_sqlite(&path).unwrap();
    let s = inv.session(tenant, irina).unwrap();
    for id in acknowledged.into_inner().unwrap() {
        s.order(id).unwrap();
    }
    let audit = inv.audit(tenant).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
}

/// A group size of 0, or above `MAX_GROUP`, is refused, typed, before anything is created.
#[test]
fn a_group_size_out_of_range_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    for group_commit in [0, license_inventory::store::MAX_GROUP + 1] {
        let options = SqliteOptions {
            group_commit,
            ..SqliteOptions::default()
        };
        match SqliteStore::open_with(dir.path().join("x.db"), options) {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "group_commit"),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }
    assert!(!dir.path().join("x.db").exists(), "nothing was created");
}

/// The outbox's layout: its indexes (the pending index alone since version 18, docs/decisions.md
/// §72), and how many ids `notification_ids` maps to their rows.
fn outbox_layout(raw: &rusqlite::Connection) -> (Vec<String>, i64) {
    let indexes = raw
        .prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'notifications' AND type = 'index' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mapped = raw
        .query_row("SELECT COUNT(*) FROM notification_ids", [], |r| r.get(0))
        .unwrap_or(-1);
    (indexes, mapped)
}

/// Migration 0018 keys SQLite's outbox by an integer that new notification ids hold
/// (docs/decisions.md §72): a new file has no index of ids and maps no id; a version-17 file
/// whose notifications have time-ordered ids comes out with each old id mapped to its row, so
/// every old notification is found, marked sent and listed as before; a notification written
/// after the upgrade is found by the key its id holds, maps nothing, and an id one bit away
/// from it is not found.
#[test]
fn upgrade_to_18_keys_the_outbox_and_keeps_the_old_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v17.db");
    let w = World::new(Inventory::open_sqlite(&path).unwrap(), 1);
    let t = w.tenant.id;
    w.stock(&w.ellen, &w.uac, 5);
    let pending = w
        .irina
        .request(NewRequest::new(w.mga.id, w.uac.id, 3))
        .unwrap();
    let written = w.inv.pending_notifications(t, MAX_PAGE).unwrap();
    assert!(written.len() >= 3, "{written:?}");
    assert!(
        written
            .iter()
            .all(|n| n.id.as_uuid().get_version_num() == 8),
        "new ids name their rows: {written:?}"
    );
    let raw = rusqlite::Connection::open(&path).unwrap();
    let pending_only = vec!["notifications_pending".to_owned()];
    assert_eq!(outbox_layout(&raw), (pending_only.clone(), 0), "a new file");

    // Version 17, with time-ordered ids as it wrote them (each entry's in the order written).
    raw.execute_batch(&super::downgrade_to(17, true)).unwrap();
    assert_eq!(outbox_layout(&raw).1, -1, "no map at version 17");
    let keys: Vec<i64> = raw
        .prepare("SELECT rowid FROM notifications ORDER BY seq, id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for key in keys {
        let old = NotificationId::new();
        raw.execute(
            "UPDATE notifications SET id = ?1 WHERE rowid = ?2",
            rusqlite::params![old.as_uuid().as_bytes().to_vec(), key],
        )
        .unwrap();
    }
    drop(raw);
    let old = Inventory::open_sqlite(&path)
        .unwrap()
        .pending_notifications(t, MAX_PAGE)
        .unwrap();
    assert!(old.iter().all(|n| n.id.as_uuid().get_version_num() == 7));
    assert_eq!(old.len(), written.len());

    let inv = Inventory::open_sqlite(&path).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(
        outbox_layout(&raw),
        (pending_only.clone(), old.len() as i64),
        "after the upgrade"
    );
    assert_eq!(inv.pending_notifications(t, MAX_PAGE).unwrap(), old);
    for n in &old {
        assert_eq!(&inv.notification(t, n.id).unwrap(), n);
    }
    assert_eq!(inv.mark_notifications_sent(t, &[old[0].id]).unwrap(), 1);
    assert_eq!(inv.pending_notifications(t, MAX_PAGE).unwrap(), old[1..]);
    assert!(inv.notification(t, old[0].id).unwrap().sent_at.is_some());

    // Written after the upgrade: found by the key its id holds, mapping nothing.
    inv.session(t, w.irina.user())
        .unwrap()
        .approve(pending.id, None, None)
        .unwrap();
    let now = inv.pending_notifications(t, MAX_PAGE).unwrap();
    assert_eq!(now[..old.len() - 1], old[1..]);
    let new = &now[old.len() - 1..];
    assert!(!new.is_empty());
    assert!(new.iter().all(|n| n.id.as_uuid().get_version_num() == 8));
    assert_eq!(outbox_layout(&raw), (pending_only, old.len() as i64));
    for n in new {
        assert_eq!(&inv.notification(t, n.id).unwrap(), n);
        let mut near = n.id.as_uuid().into_bytes();
        near[9] ^= 0x10;
        let near = NotificationId::from_uuid(uuid::Uuid::from_bytes(near));
        assert!(matches!(
            inv.notification(t, near),
            Err(Error::NotFound { .. })
        ));
    }
    let ids: Vec<NotificationId> = now.iter().map(|n| n.id).collect();
    assert_eq!(inv.mark_notifications_sent(t, &ids).unwrap(), ids.len());
    assert!(inv.pending_notifications(t, MAX_PAGE).unwrap().is_empty());
    let audit = inv.audit(t).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
}
