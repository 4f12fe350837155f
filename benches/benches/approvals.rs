//! Request+approve pairs with one writer, the library beside its hand-written peers in the
//! same run (benches/src/peers.rs): one iteration is a request of one unit and its approval
//! (two transactions, one draw, two chained ledger rows). Memory store vs a `HashMap` loop;
//! SQLite FULL and NORMAL vs raw rusqlite (minimal: orders, draw, ledger; full: also the
//! order-number counter and the four notification rows); PostgreSQL vs a conditional-UPDATE
//! program when `LICENSE_INVENTORY_PG_URL` is set.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use license_inventory::{Inventory, Synchronous};
use license_inventory_benches::{library, peers, pg_url};

fn memory(c: &mut Criterion) {
    let mut group = c.benchmark_group("pair/memory");
    group.throughput(Throughput::Elements(1));
    let b = library::setup(&Inventory::in_memory());
    group.bench_function("library", |bench| bench.iter(|| b.pair()));
    let mut minimal = peers::memory::Peer::new(false);
    group.bench_function("peer minimal", |bench| bench.iter(|| minimal.pair()));
    let mut full = peers::memory::Peer::new(true);
    group.bench_function("peer full", |bench| bench.iter(|| full.pair()));
    std::hint::black_box(minimal.rows() + full.rows());
    group.finish();
}

fn sqlite(c: &mut Criterion) {
    for (sync, name) in [(Synchronous::Full, "FULL"), (Synchronous::Normal, "NORMAL")] {
        let mut group = c.benchmark_group(format!("pair/sqlite {name}"));
        group.throughput(Throughput::Elements(1));
        let dir = tempfile::tempdir().unwrap();
        let b = library::setup(&library::sqlite(&dir.path().join("library.db"), sync));
        group.bench_function("library", |bench| bench.iter(|| b.pair()));
        let mut minimal = peers::sqlite::Peer::open(&dir.path().join("minimal.db"), name, false);
        group.bench_function("peer minimal", |bench| bench.iter(|| minimal.pair()));
        let mut full = peers::sqlite::Peer::open(&dir.path().join("full.db"), name, true);
        group.bench_function("peer full", |bench| bench.iter(|| full.pair()));
        group.finish();
    }
}

fn postgres(c: &mut Criterion) {
    let Some(url) = pg_url("pair/postgres") else {
        return;
    };
    let mut group = c.benchmark_group("pair/postgres");
    group.throughput(Throughput::Elements(1));
    let b = library::setup(&library::postgres(&url, 1));
    group.bench_function("library", |bench| bench.iter(|| b.pair()));
    peers::postgres::reset(&url);
    let mut peer = peers::postgres::Peer::connect(&url);
    group.bench_function("peer conditional update", |bench| {
        bench.iter(|| peer.pair())
    });
    group.finish();
}

criterion_group!(benches, memory, sqlite, postgres);
criterion_main!(benches);
