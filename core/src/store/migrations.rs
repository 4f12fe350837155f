//! The numbered SQL migrations shared by the SQL stores.

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 1;

/// `(version, sql)`, applied in order, each inside the opening transaction.
pub const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../migrations/0001_init.sql"))];

/// What a newer-than-known schema says.
pub const HINT_NEWER: &str =
    "it was written by a newer license-inventory; upgrade the library to open it";
/// What an older schema says when migrations are disabled.
pub const HINT_OLDER: &str = "open it with migrations enabled to upgrade it";
