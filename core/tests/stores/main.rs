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

mod sqlite;
