//! SQLite-specific behaviour: schema versions, migrations, persistence, many connections.

use std::sync::atomic::{AtomicU64, Ordering};

use license_inventory::store::conformance::World;
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
            supported: 1,
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
                supported: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("migrations enabled"), "{err}");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 1);
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

#[test]
fn an_upgraded_schema_equals_a_fresh_one() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    let upgraded = dir.path().join("upgraded.db");
    drop(SqliteStore::open(&fresh).unwrap());
    rusqlite::Connection::open(&upgraded)
        .unwrap()
        .execute_batch("CREATE TABLE unrelated (x BIGINT)")
        .unwrap();
    drop(SqliteStore::open(&upgraded).unwrap());
    // Reopening an up-to-date database changes nothing either.
    drop(SqliteStore::open(&fresh).unwrap());
    assert_eq!(schema_of(&fresh), schema_of(&upgraded));
    assert!(
        schema_of(&fresh)
            .iter()
            .any(|(_, n, _)| n == "orders_for_draw")
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
        [o.id.to_string()],
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
                    match session.assign(NewAssignment {
                        from: ellen,
                        to: mga,
                        product: cl,
                        quantity: 1,
                        ..Default::default()
                    }) {
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
