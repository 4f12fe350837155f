//! Licenses: issuing N keys from one order in one call (one transaction: N keys from the OS
//! CSPRNG, N rows, one ledger entry), beside a raw rusqlite peer inserting the same rows (the
//! library's `licenses` columns and indexes, one prepared INSERT per row, one `BEGIN
//! IMMEDIATE` transaction, SQLite FULL); and exporting an order of 10,000 licenses as CSV
//! (streamed a page at a time from one read snapshot). N is 10,000, or
//! `LICENSE_INVENTORY_BENCH_ISSUE_N` (up to 1,000,000, the library's `MAX_ISSUE`).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use license_inventory::*;
use license_inventory_benches::{library::stocked, peers};

const EXPORT_N: u64 = 10_000;

fn issue_n() -> u64 {
    std::env::var("LICENSE_INVENTORY_BENCH_ISSUE_N")
        .ok()
        .and_then(|n| n.replace(['_', ','], "").parse().ok())
        .unwrap_or(10_000)
        .clamp(1, MAX_ISSUE)
}

/// A fresh store (and the folder that holds it) per iteration, so the stores do not grow
/// across iterations; only the `issue` call is timed.
fn issue(c: &mut Criterion) {
    let n = issue_n();
    let mut group = c.benchmark_group(format!("issue {n} licenses"));
    group.sample_size(10);
    group.throughput(Throughput::Elements(n));
    group.bench_function("memory library", |b| {
        b.iter_batched(
            || stocked(&Inventory::in_memory(), n),
            |(s, order)| s.issue(order, n).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("sqlite FULL library", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let inv = Inventory::open_sqlite(dir.path().join("bench.db")).unwrap();
                (dir, stocked(&inv, n))
            },
            |(_dir, (s, order))| assert_eq!(s.issue(order, n).unwrap().len() as u64, n),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("sqlite FULL library in bulk", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let inv = Inventory::open_sqlite(dir.path().join("bench.db")).unwrap();
                (dir, stocked(&inv, n))
            },
            |(_dir, (s, order))| assert_eq!(s.issue_in_bulk(order, n).unwrap().count, n),
            BatchSize::PerIteration,
        )
    });
    let signed = i64::try_from(n).unwrap();
    group.bench_function("sqlite FULL peer", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let (conn, lot) = peers::issue::stocked(&dir.path().join("peer.db"), signed);
                (dir, conn, lot)
            },
            |(_dir, mut conn, lot)| {
                assert_eq!(peers::issue::issue(&mut conn, &lot, signed), n as usize)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn export(c: &mut Criterion) {
    let mut group = c.benchmark_group("export an order of 10,000 licenses");
    group.sample_size(10);
    group.throughput(Throughput::Elements(EXPORT_N));
    let memory = Inventory::in_memory();
    let (s, order) = stocked(&memory, EXPORT_N);
    s.issue(order, EXPORT_N).unwrap();
    group.bench_function("memory", |b| {
        b.iter(|| {
            assert_eq!(
                s.export_order_csv(order, std::io::sink()).unwrap(),
                EXPORT_N
            )
        })
    });
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Inventory::open_sqlite(dir.path().join("bench.db")).unwrap();
    let (s, order) = stocked(&sqlite, EXPORT_N);
    s.issue(order, EXPORT_N).unwrap();
    group.bench_function("sqlite", |b| {
        b.iter(|| {
            assert_eq!(
                s.export_order_csv(order, std::io::sink()).unwrap(),
                EXPORT_N
            )
        })
    });
    group.finish();
}

criterion_group!(benches, issue, export);
criterion_main!(benches);
