//! Criterion benchmarks of license-inventory; see `benches/`.
//!
//! This crate holds what the benches share: the library's setup ([`library`]), and the
//! hand-written programs the library is measured against in the same run ([`peers`]): a
//! `HashMap` loop, raw rusqlite, and a conditional-UPDATE PostgreSQL program, each doing the
//! same bookkeeping with the same guarantees (docs/decisions.md §39). The ratios in the
//! README are library throughput ÷ peer throughput from one run.
// Bench code: a failure is a broken bench, and it should stop loudly.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod concurrent;
pub mod library;
pub mod peers;

/// The PostgreSQL URL of `LICENSE_INVENTORY_PG_URL`, or `None` after printing that the
/// PostgreSQL benches of `what` are skipped.
pub fn pg_url(what: &str) -> Option<String> {
    match std::env::var("LICENSE_INVENTORY_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!(
                "{what}: PostgreSQL benches skipped (set LICENSE_INVENTORY_PG_URL; \
                 `bash scripts/pg-cluster.sh start` prints one)"
            );
            None
        }
    }
}

/// Microseconds since the Unix epoch: the peers' timestamps.
pub fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
