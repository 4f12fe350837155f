//! Criterion benchmarks of license-inventory; see `benches/`.
//!
//! This crate holds what the benches share: the library's setup ([`library`]), and the
//! hand-written programs the library is measured against in the same run ([`peers`]): a
//! `HashMap` loop, raw rusqlite, and a conditional-UPDATE PostgreSQL program, each doing the
//! same bookkeeping with the same guarantees (docs/decisions.md §39), and the writer threads
//! and processes of the concurrent benches ([`concurrent`]; the processes are the
//! `bench-worker` binary, src/bin/bench-worker.rs). The ratios in the README are library
//! throughput ÷ peer throughput from one run.
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

/// A field of `/proc/self/status` in kB (`VmHWM` is the peak resident set), or `None` where
/// there is no such file.
pub fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// Bytes this process has handed to `write(2)` and friends so far (`wchar` of
/// `/proc/self/io`), or `None` where there is no such file.
pub fn written_bytes() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("wchar:")?.trim().parse().ok())
}

/// A folder beside the running bench binary (`target/release/bench-cache`) for what is slow
/// to build and may be kept between runs.
pub fn cache_dir() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/release/deps/<bench>-<hash> → target/release
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("bench-cache");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A positive whole number from the environment variable `name` (`_` and `,` allowed as
/// separators), or `default`.
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|n| n.replace(['_', ','], "").parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}
