//! The benches' worker process: a writer that is a process of its own, not a thread.
//!
//! `bench-worker pairs <store> <args…>` opens its own store handle (or peer connection), says
//! `ready` on stdout, then for each line `run N` on stdin runs N request+approve pairs and
//! answers `done` followed by each pair's latency in nanoseconds; it exits when stdin closes.
//! Stores: `sqlite-library PATH TENANT USER MGA PRODUCT` (SQLite FULL, the tenant of
//! `library::setup`), `sqlite-peer PATH` (the raw rusqlite full peer, FULL),
//! `pg-library URL TENANT USER MGA PRODUCT`, `pg-peer URL` (the conditional-UPDATE peer).
//!
//! `bench-worker issue <side> DIR N` issues N licenses in a fresh store in DIR in one call
//! (`sqlite-library`: a SQLite FULL store and `Session::issue`; `sqlite-peer`: the raw
//! rusqlite issue peer) and prints `issued N NANOS HWM_BEFORE_KB HWM_KB`: the time of the
//! issue alone, and this process's peak resident set (`VmHWM`) before and after it.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, Write};
use std::time::Instant;

use license_inventory::{Inventory, Synchronous};
use license_inventory_benches::{library, peers, proc_status_kb};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["pairs", "sqlite-library", path, ids @ ..] => {
            let inv = library::sqlite(path.as_ref(), Synchronous::Full);
            let b = library::Pairs::open(&inv, &strings(ids));
            serve(|| b.pair());
        }
        ["pairs", "sqlite-peer", path] => {
            let mut p = peers::sqlite::Peer::open(path.as_ref(), "FULL", true);
            serve(|| p.pair());
        }
        ["pairs", "pg-library", url, ids @ ..] => {
            let inv = library::postgres(url, 1);
            let b = library::Pairs::open(&inv, &strings(ids));
            serve(|| b.pair());
        }
        ["pairs", "pg-peer", url] => {
            let mut p = peers::postgres::Peer::connect(url);
            serve(|| p.pair());
        }
        ["issue", side, dir, n] => issue(side, dir.as_ref(), n.parse().unwrap()),
        _ => panic!("bench-worker: unknown arguments {args:?} (see src/bin/bench-worker.rs)"),
    }
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| (*s).to_owned()).collect()
}

/// Answers `run N` lines until stdin closes.
fn serve(mut pair: impl FnMut()) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let n: usize = line
            .strip_prefix("run ")
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("bench-worker: expected `run N`, got {line:?}"));
        let mut latencies = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            pair();
            latencies.push(t.elapsed().as_nanos());
        }
        let mut answer = String::from("done");
        for l in latencies {
            answer.push(' ');
            answer.push_str(&l.to_string());
        }
        writeln!(out, "{answer}").unwrap();
        out.flush().unwrap();
    }
}

fn issue(side: &str, dir: &std::path::Path, n: u64) {
    let hwm = || proc_status_kb("VmHWM").unwrap_or(0);
    let (nanos, before) = match side {
        "sqlite-library" => {
            let inv = Inventory::open_sqlite(dir.join("library.db")).unwrap();
            let (s, order) = library::stocked(&inv, n);
            let before = hwm();
            let t = Instant::now();
            // The bounded-memory form: licenses are stored in chunks, none kept.
            let issued = s.issue_in_bulk(order, n).unwrap();
            let nanos = t.elapsed().as_nanos();
            assert_eq!(issued.count, n);
            (nanos, before)
        }
        "sqlite-peer" => {
            let signed = i64::try_from(n).unwrap();
            let (mut conn, lot) = peers::issue::stocked(&dir.join("peer.db"), signed);
            let before = hwm();
            let t = Instant::now();
            let rows = peers::issue::issue(&mut conn, &lot, signed);
            let nanos = t.elapsed().as_nanos();
            assert_eq!(rows as u64, n);
            (nanos, before)
        }
        _ => panic!("bench-worker issue: unknown side {side:?}"),
    };
    println!("issued {n} {nanos} {before} {}", hwm());
}
