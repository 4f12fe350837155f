//! The record of an idempotent command, as a store keeps it (the rules are in
//! `inventory/idempotency.rs`).

use chrono::{DateTime, Utc};

use crate::ids::TenantId;

/// One recorded command: what [`Tx::idempotency`](crate::store::Tx::idempotency) returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// The tenant.
    pub tenant: TenantId,
    /// The key the caller chose.
    pub key: String,
    /// The command's name (`approve`, `issue`, …).
    pub command: String,
    /// SHA-256 of the command's name and arguments (passwords excluded), hex.
    pub fingerprint: String,
    /// The command's result, as JSON.
    pub result: String,
    /// When it ran.
    pub at: DateTime<Utc>,
}
