//! Concurrent writers on one hot lot: every writer requests one unit from the same
//! distributor lot and approves it. One iteration is `PAIRS` pairs shared among the writers
//! (throughput = pairs per second, wall time from a common start to the last writer's end);
//! p50/p99 pair latency is printed after each bench.
//!
//! Writers are threads or processes, 1, 16 and 64 of them. SQLite FULL: threads share one
//! `Inventory` handle (the peer: one connection per thread); processes each open their own
//! `Inventory` on the same file (the peer: one connection per process). PostgreSQL, when
//! `LICENSE_INVENTORY_PG_URL` is set: threads share one store with a pool of that many
//! connections (the peer: one client per thread); processes each open a store with one
//! connection (the peer: one client each). Processes are `bench-worker` children started and
//! connected before the clock runs, released by a line on their stdin (benches/src/concurrent.rs).
//!
//! `cargo bench -p license-inventory-benches --bench concurrent [-- FILTER]`, e.g.
//! `-- 'sqlite FULL/.*processes'`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
    measurement::WallTime,
};
use license_inventory::Synchronous;
use license_inventory_benches::concurrent::{Latencies, Workers, run};
use license_inventory_benches::{library, peers, pg_url};

/// Pairs per iteration: divisible by every writer count below.
const PAIRS: u64 = 64;

/// Writer counts.
const WRITERS: [usize; 3] = [1, 16, 64];

const WORKER: &str = env!("CARGO_BIN_EXE_bench-worker");

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(PAIRS));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group
}

/// Benches `count` worker processes started with `args` (only if the filter selects `name`:
/// they start on the first call).
fn processes(
    group: &mut BenchmarkGroup<'_, WallTime>,
    (group_name, name): (&str, &str),
    count: usize,
    args: &[String],
) {
    let lat = Latencies::default();
    let mut workers = None;
    group.bench_function(name, |bench| {
        let w = workers.get_or_insert_with(|| Workers::spawn(WORKER, count, args));
        bench.iter_custom(|iters| w.run(iters * PAIRS, &lat))
    });
    drop(workers);
    lat.report(&format!("{group_name}/{name}"));
}

fn sqlite(c: &mut Criterion) {
    const NAME: &str = "concurrent/sqlite FULL";
    let mut group = group(c, NAME);
    let dir = tempfile::tempdir().unwrap();
    let lib_db = dir.path().join("library.db");
    let b = library::setup(&library::sqlite(&lib_db, Synchronous::Full));
    let peer_db = dir.path().join("peer.db");
    drop(peers::sqlite::Peer::open(&peer_db, "FULL", true));
    for threads in WRITERS {
        let lat = Latencies::default();
        let name = format!("library {threads} threads");
        group.bench_function(&name, |bench| {
            bench.iter_custom(|iters| run(threads, iters * PAIRS, &lat, |_| || b.pair()))
        });
        lat.report(&format!("{NAME}/{name}"));
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
        lat.report(&format!("{NAME}/{name}"));
    }
    let mut lib_args = vec!["sqlite-library".to_owned(), path(&lib_db)];
    lib_args.extend(b.args());
    let peer_args = ["sqlite-peer".to_owned(), path(&peer_db)];
    for count in WRITERS {
        processes(
            &mut group,
            (NAME, &format!("library {count} processes")),
            count,
            &lib_args,
        );
        processes(
            &mut group,
            (NAME, &format!("peer full {count} processes")),
            count,
            &peer_args,
        );
    }
    group.finish();
}

fn path(p: &std::path::Path) -> String {
    p.to_str().unwrap().to_owned()
}

fn postgres(c: &mut Criterion) {
    const NAME: &str = "concurrent/postgres";
    let Some(url) = pg_url(NAME) else {
        return;
    };
    let mut group = group(c, NAME);
    peers::postgres::reset(&url);
    for threads in WRITERS {
        {
            // The store (and its pool of `threads` connections) is closed before the peer runs.
            let b = library::setup(&library::postgres(&url, threads));
            let lat = Latencies::default();
            let name = format!("library {threads} threads");
            group.bench_function(&name, |bench| {
                bench.iter_custom(|iters| run(threads, iters * PAIRS, &lat, |_| || b.pair()))
            });
            lat.report(&format!("{NAME}/{name}"));
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
        lat.report(&format!("{NAME}/{name}"));
    }
    for count in WRITERS {
        {
            // The tenant is set up through a store of one connection, closed before the
            // processes open theirs.
            let mut args = vec!["pg-library".to_owned(), url.clone()];
            args.extend(library::setup(&library::postgres(&url, 1)).args());
            processes(
                &mut group,
                (NAME, &format!("library {count} processes")),
                count,
                &args,
            );
        }
        processes(
            &mut group,
            (NAME, &format!("peer conditional update {count} processes")),
            count,
            &["pg-peer".to_owned(), url.clone()],
        );
    }
    group.finish();
}

criterion_group!(benches, sqlite, postgres);
criterion_main!(benches);
