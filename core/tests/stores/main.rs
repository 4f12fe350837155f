//! Every store runs the one conformance suite; SQLite-specific behaviour follows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use license_inventory::{Inventory, SqliteStore};

license_inventory::conformance_tests!(memory, || (Inventory::in_memory(), ()));

license_inventory::conformance_tests!(sqlite_in_memory, || {
    (Inventory::new(SqliteStore::in_memory().unwrap()), ())
});

license_inventory::conformance_tests!(sqlite_file, || {
    let dir = tempfile::tempdir().unwrap();
    let inv = Inventory::open_sqlite(dir.path().join("inventory.db")).unwrap();
    (inv, dir)
});

/// The PostgreSQL database of the tests (`LICENSE_INVENTORY_PG_URL`, set by scripts/test, which
/// starts a throwaway cluster). Without it the PostgreSQL tests are skipped, loudly, except
/// under `CI=true`, where a missing database is a failure. Every test works in tenants of its
/// own, so they share the one database.
fn pg_url() -> Option<String> {
    match std::env::var("LICENSE_INVENTORY_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but LICENSE_INVENTORY_PG_URL is not set: run the tests through scripts/test"
            )
        }
        _ => {
            eprintln!(
                "SKIPPED: PostgreSQL tests need LICENSE_INVENTORY_PG_URL (scripts/test starts a cluster)"
            );
            None
        }
    }
}

license_inventory::conformance_tests!(
    postgres,
    || {
        let url = super::pg_url().unwrap();
        (
            Inventory::new(license_inventory::PostgresStore::connect(&url).unwrap()),
            (),
        )
    },
    available = super::pg_url().is_some()
);

mod postgres_only;
mod processes;
mod sqlite_only;
mod tamper;
