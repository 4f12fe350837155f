//! The numbered SQL migrations shared by the SQL stores.

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 18;

/// `(version, sql)`, applied in order, each inside the opening transaction.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/0001_init.sql")),
    (2, include_str!("../../migrations/0002_licenses.sql")),
    (3, include_str!("../../migrations/0003_notifications.sql")),
    (4, include_str!("../../migrations/0004_idempotency.sql")),
    (
        5,
        include_str!("../../migrations/0005_purchase_order_search.sql"),
    ),
    (6, include_str!("../../migrations/0006_ledger_head.sql")),
    (7, include_str!("../../migrations/0007_tenant_secrets.sql")),
    (8, include_str!("../../migrations/0008_counters.sql")),
    (
        9,
        include_str!("../../migrations/0009_draws_without_rowid.sql"),
    ),
    (10, include_str!("../../migrations/0010_approval_queue.sql")),
    (11, include_str!("../../migrations/0011_take_backs.sql")),
    (12, include_str!("../../migrations/0012_imported_keys.sql")),
    (
        13,
        include_str!("../../migrations/0013_slimmer_indexes.sql"),
    ),
    (14, include_str!("../../migrations/0014_compact_ids.sql")),
    (
        15,
        include_str!("../../migrations/0015_hot_foreign_keys.sql"),
    ),
    (16, include_str!("../../migrations/0016_ledger_keys.sql")),
    (
        17,
        include_str!("../../migrations/0017_ledger_keys_postgres.sql"),
    ),
    (
        18,
        include_str!("../../migrations/0018_notification_keys.sql"),
    ),
];

/// Versions whose script is written for SQLite alone (its storage layout; 17 does 16's work
/// on PostgreSQL): a PostgreSQL store records them without running the script
/// (docs/decisions.md §44, §56, §65, §72).
#[cfg(feature = "postgres")]
pub(crate) const SQLITE_ONLY: &[i64] = &[9, 14, 16, 18];

/// Whether a PostgreSQL store runs the script of `version`.
#[cfg(feature = "postgres")]
pub(crate) fn runs_on_postgres(version: i64) -> bool {
    !SQLITE_ONLY.contains(&version)
}

/// Versions whose script is written for PostgreSQL alone (its constraints; 17 is 16's work in
/// its dialect): an SQLite store records them without running the script (docs/decisions.md
/// §59, §65).
#[cfg(feature = "sqlite")]
#[doc(hidden)]
pub const POSTGRES_ONLY: &[i64] = &[15, 17];

/// Whether an SQLite store runs the script of `version`.
#[cfg(feature = "sqlite")]
pub(crate) fn runs_on_sqlite(version: i64) -> bool {
    !POSTGRES_ONLY.contains(&version)
}

/// Data steps the SQL cannot do, run right after the script of their version in the same
/// transaction: `(version, select, update)`. The select returns `(id, text)` rows; the update
/// takes `(?1 folded text, ?2 id)`. Version 5 fills `purchase_order_folded` with the core's
/// [`fold_case`](crate::views::fold_case) of each existing purchase order.
pub(crate) const BACKFILLS: &[(i64, &str, &str)] = &[(
    5,
    "SELECT id, purchase_order FROM orders WHERE purchase_order IS NOT NULL",
    "UPDATE orders SET purchase_order_folded = ?1 WHERE id = ?2",
)];

/// The backfills to run after migrating to `version`.
pub(crate) fn backfills(version: i64) -> impl Iterator<Item = (&'static str, &'static str)> {
    BACKFILLS
        .iter()
        .filter(move |(v, _, _)| *v == version)
        .map(|(_, select, update)| (*select, *update))
}

/// The value a backfill writes for one row's text.
pub(crate) fn backfill_value(text: &str) -> String {
    crate::views::fold_case(text)
}

/// What a newer-than-known schema says.
pub const HINT_NEWER: &str =
    "it was written by a newer license-inventory; upgrade the library to open it";
/// What an older schema says when migrations are disabled.
pub const HINT_OLDER: &str = "open it with migrations enabled to upgrade it";

/// The migrations to apply to a database at version `found`: none if current, all newer ones if
/// `allow`; a newer-than-known schema, or an older one without `allow`, is refused.
pub(crate) fn pending(
    found: i64,
    allow: bool,
) -> crate::Result<impl Iterator<Item = &'static (i64, &'static str)>> {
    let mismatch = |hint| crate::Error::SchemaMismatch {
        found,
        supported: SCHEMA_VERSION,
        hint,
    };
    if found > SCHEMA_VERSION {
        return Err(mismatch(HINT_NEWER));
    }
    if found < SCHEMA_VERSION && !allow {
        return Err(mismatch(HINT_OLDER));
    }
    Ok(MIGRATIONS.iter().filter(move |(v, _)| *v > found))
}
