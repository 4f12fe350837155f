//! Concurrent writers on one hot lot: every thread requests one unit from the same
//! distributor lot and approves it. One iteration is `PAIRS` pairs shared among the threads
//! (throughput = pairs per second, wall time from a common start to the last thread's end);
//! p50/p99 pair latency is printed after each bench. SQLite FULL with 1 and 16 threads (one
//! `Inventory` handle; one connection per peer thread); PostgreSQL with 16 and 64 threads
//! (a pool of that many connections; one client per peer thread) when
//! `LICENSE_INVENTORY_PG_URL` is set.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use license_inventory::Synchronous;
use license_inventory_benches::concurrent::{Latencies, run};
use license_inventory_benches::{library, peers, pg_url};

/// Pairs per iteration: divisible by every thread count below.
const PAIRS: u64 = 64;

fn sqlite(c: &mut Criterion) {
    let mut group = c.benchmark_group("concurrent/sqlite FULL");
    group.throughput(Throughput::Elements(PAIRS));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    let dir = tempfile::tempdir().unwrap();
    let b = library::setup(&library::sqlite(
        &dir.path().join("library.db"),
        Synchronous::Full,
    ));
    let peer_db = dir.path().join("peer.db");
    drop(peers::sqlite::Peer::open(&peer_db, "FULL", true));
    for threads in [1, 16] {
        let lat = Latencies::default();
        let name = format!("library {threads} threads");
        group.bench_function(&name, |bench| {
            bench.iter_custom(|iters| run(threads, iters * PAIRS, &lat, |_| || b.pair()))
        });
        lat.report(&format!("concurrent/sqlite FULL/{name}"));
        let lat = Latencies::default();
        let name = format!("peer full {threads} threads");
        group.bench_function(&name, |bench| {
            bench.iter_custom(|iters| {
                run(threads, iters * PAIRS, &lat, |_| {
                    let mut p = peers::sqlite::Peer::open(&peer_db, "FULL", true);
                    move || p.pair()
                })
            })
        });
        lat.report(&format!("concurrent/sqlite FULL/{name}"));
    }
    group.finish();
}

fn postgres(c: &mut Criterion) {
    let Some(url) = pg_url("concurrent/postgres") else {
        return;
    };
    let mut group = c.benchmark_group("concurrent/postgres");
    group.throughput(Throughput::Elements(PAIRS));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    peers::postgres::reset(&url);
    for threads in [16, 64] {
        {
            // The store (and its pool of `threads` connections) is closed before the peer runs.
            let b = library::setup(&library::postgres(&url, threads));
            let lat = Latencies::default();
            let name = format!("library {threads} threads");
            group.bench_function(&name, |bench| {
                bench.iter_custom(|iters| run(threads, iters * PAIRS, &lat, |_| || b.pair()))
            });
            lat.report(&format!("concurrent/postgres/{name}"));
        }
        let lat = Latencies::default();
        let name = format!("peer conditional update {threads} threads");
        group.bench_function(&name, |bench| {
            bench.iter_custom(|iters| {
                run(threads, iters * PAIRS, &lat, |_| {
                    let mut p = peers::postgres::Peer::connect(&url);
                    move || p.pair()
                })
            })
        });
        lat.report(&format!("concurrent/postgres/{name}"));
    }
    group.finish();
}

criterion_group!(benches, sqlite, postgres);
criterion_main!(benches);
