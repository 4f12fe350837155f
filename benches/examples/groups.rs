//! Request+approve pairs from many threads at once, to see how group commit
//! (docs/decisions.md §42, §58) behaves rather than to time it against a peer (the
//! `concurrent` bench does that):
//!
//! ```sh
//! cargo build --release -p license-inventory-benches --example groups
//! target/release/examples/groups sqlite 16 2000
//! LICENSE_INVENTORY_PG_URL=… target/release/examples/groups postgres 64 2000
//! ```
//!
//! `GROUP=N` sets the most commands a transaction may carry. It prints pairs per second, commands per commit (the size of the groups) and, on
//! PostgreSQL, round trips per pair. SQLite runs on a new file with `synchronous=FULL` in a
//! temporary folder; PostgreSQL on the database of `LICENSE_INVENTORY_PG_URL`, with one
//! connection per thread.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Instant;

use license_inventory::{
    Inventory, PostgresOptions, PostgresStore, SqliteOptions, SqliteStore, Synchronous,
};
use license_inventory_benches::library;

const USAGE: &str = "usage: [GROUP=N] groups sqlite|postgres THREADS PAIRS";

/// The most commands a transaction may carry, if `GROUP` gives it (else the store's default).
fn group_size() -> Option<usize> {
    std::env::var("GROUP").ok().map(|g| g.parse().expect(USAGE))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, store, threads, pairs] = args.as_slice() else {
        panic!("{USAGE}");
    };
    let threads: usize = threads.parse().expect(USAGE);
    let pairs: usize = pairs.parse().expect(USAGE);
    let dir = tempfile::tempdir().unwrap();
    // The store, and how to read its (commands, commits) and its round trips.
    type Counter<T> = Box<dyn Fn() -> T>;
    let (inv, counts, trips): (Inventory, Counter<(u64, u64)>, Option<Counter<u64>>) = match store
        .as_str()
    {
        "sqlite" => {
            let defaults = SqliteOptions::default();
            let options = SqliteOptions {
                synchronous: Synchronous::Full,
                group_commit: group_size().unwrap_or(defaults.group_commit),
                ..defaults
            };
            let s =
                Arc::new(SqliteStore::open_with(dir.path().join("groups.db"), options).unwrap());
            let a = Arc::clone(&s);
            (
                Inventory::from_store(s),
                Box::new(move || a.commit_counts()),
                None,
            )
        }
        "postgres" => {
            let url = std::env::var("LICENSE_INVENTORY_PG_URL")
                .expect("set LICENSE_INVENTORY_PG_URL to a PostgreSQL database");
            let defaults = PostgresOptions::default();
            let options = PostgresOptions {
                max_connections: threads,
                group_commit: group_size().unwrap_or(defaults.group_commit),
                ..defaults
            };
            let s = Arc::new(PostgresStore::connect_with(&url, options).unwrap());
            let (a, b) = (Arc::clone(&s), Arc::clone(&s));
            (
                Inventory::from_store(s),
                Box::new(move || a.commit_counts()),
                Some(Box::new(move || b.round_trips())),
            )
        }
        _ => panic!("{USAGE}"),
    };
    let b = library::setup(&inv);
    let trips = || trips.as_ref().map(|t| t());
    let ((commands, commits), round_trips) = (counts(), trips());
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let b = &b;
            // The pairs shared out as evenly as they go.
            let mine = pairs / threads + usize::from(t < pairs % threads);
            scope.spawn(move || (0..mine).for_each(|_| b.pair()));
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    let ((commands_after, commits_after), round_trips_after) = (counts(), trips());
    let commands = commands_after - commands;
    let commits = commits_after - commits;
    let round_trips = match (round_trips, round_trips_after) {
        (Some(before), Some(after)) => {
            format!(
                "; {:.1} round trips a pair",
                (after - before) as f64 / pairs as f64
            )
        }
        _ => String::new(),
    };
    println!(
        "{store}, {threads} threads: {pairs} pairs in {elapsed:.2} s, {:.0} pairs/s; \
         {commands} commands in {commits} commits ({:.1} a commit){round_trips}",
        pairs as f64 / elapsed,
        commands as f64 / commits.max(1) as f64,
    );
}
