//! Footprint: bytes and memory, not time (a plain `main`, no criterion). Prints two reports.
//!
//! **Bytes written per request+approve pair**, library vs the raw rusqlite full peer, SQLite
//! FULL: each side runs `LICENSE_INVENTORY_BENCH_BYTES_PAIRS` pairs (default 500) on a fresh
//! file after its setup and a `wal_checkpoint(TRUNCATE)`. A second connection holds a read
//! transaction open meanwhile, so no checkpoint can move or restart the WAL: its size after the
//! run is every WAL byte the pairs appended (4 KiB pages plus 24-byte frame headers). Then the
//! reader ends, `wal_checkpoint(TRUNCATE)` copies the pages home, and the main file's growth is
//! the space the new rows take. `write(2)` bytes of the process during the run (`wchar` of
//! /proc/self/io) are printed as a check on the WAL figure.
//!
//! **Issue N keys, SQLite FULL, with peak memory**: the library (`Session::issue` in a
//! `bench-worker issue` process), the raw rusqlite peer (same, prepared INSERT per row) and a
//! Python peer (benches/peers/issue.py: stdlib sqlite3, one `executemany`), each in its own
//! child process so each peak resident set (`VmHWM`) is its own, at N and N/10 (so "peak
//! memory independent of N" can be read off). N = `LICENSE_INVENTORY_BENCH_ISSUE_N` (default
//! 10,000; 1,000,000 is the issue's figure); each side runs
//! `LICENSE_INVENTORY_BENCH_ISSUE_RUNS` times (default 3), the sides taking turns, and the
//! median keys/s is printed. Python is skipped if `python3` is missing.
//!
//! `cargo bench -p license-inventory-benches --bench footprint`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use license_inventory::{MAX_ISSUE, SqliteOptions, Synchronous};
use license_inventory_benches::{env_u64, library, peers, written_bytes};

const WORKER: &str = env!("CARGO_BIN_EXE_bench-worker");
const PYTHON_PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/issue.py");

fn main() {
    bytes();
    issue();
}

/// What `pairs` request+approve pairs wrote to the database at `path`.
struct Written {
    wal: u64,
    main: u64,
    syscalls: u64,
    /// WAL frames appended, by the b-tree (table or index) of the page each one carries.
    frames: std::collections::BTreeMap<String, u64>,
    /// Pages each b-tree gained.
    grown: std::collections::BTreeMap<String, u64>,
}

fn checkpoint(conn: &rusqlite::Connection) {
    let (busy, _, _): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint could not finish");
}

fn measure(path: &Path, pairs: u64, mut pair: impl FnMut()) -> Written {
    let wal_path = path.with_extension("db-wal");
    let conn = rusqlite::Connection::open(path).unwrap();
    checkpoint(&conn);
    let main_before = std::fs::metadata(path).unwrap().len();
    let before = page_owners(&conn);
    let pages_before = count_by_btree(&before, before.keys());
    assert_eq!(std::fs::metadata(&wal_path).map_or(0, |m| m.len()), 0);
    // A read transaction on the empty WAL: checkpoints cannot backfill or restart it.
    conn.execute_batch("BEGIN").unwrap();
    let _: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    let syscalls_before = written_bytes().unwrap_or(0);
    for _ in 0..pairs {
        pair();
    }
    let syscalls = written_bytes().unwrap_or(0) - syscalls_before;
    let wal = std::fs::metadata(&wal_path).unwrap().len();
    let pages = wal_pages(&std::fs::read(&wal_path).unwrap());
    conn.execute_batch("COMMIT").unwrap();
    checkpoint(&conn);
    let main = std::fs::metadata(path).unwrap().len() - main_before;
    let owners = page_owners(&conn);
    Written {
        wal,
        main,
        syscalls,
        frames: count_by_btree(&owners, &pages),
        grown: count_by_btree(&owners, owners.keys())
            .into_iter()
            .map(|(name, n)| {
                let before = pages_before.get(&name).copied().unwrap_or(0);
                (name, n.saturating_sub(before))
            })
            .collect(),
    }
}

/// The b-tree (table or index) each page belongs to (SQLite's `dbstat`; page 1 is the file
/// header and the schema, written whenever the file grows).
fn page_owners(conn: &rusqlite::Connection) -> std::collections::HashMap<u32, String> {
    let mut stmt = conn.prepare("SELECT pageno, name FROM dbstat").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// How many of `pages` belong to each b-tree of `owners` (a page no b-tree holds now: "(free
/// or new)").
fn count_by_btree<'a>(
    owners: &std::collections::HashMap<u32, String>,
    pages: impl IntoIterator<Item = &'a u32>,
) -> std::collections::BTreeMap<String, u64> {
    let mut counts = std::collections::BTreeMap::new();
    for page in pages {
        let name = owners.get(page).map_or("(free or new)", String::as_str);
        *counts.entry(name.to_owned()).or_insert(0) += 1;
    }
    counts
}

/// The page number of every frame of a WAL file (a 32-byte header with the page size at byte
/// 8, then frames of a 24-byte header, whose first 4 bytes are the page number, and one page).
fn wal_pages(wal: &[u8]) -> Vec<u32> {
    let be = |at: usize| u32::from_be_bytes(wal[at..at + 4].try_into().unwrap());
    let page_size = be(8) as usize;
    wal[32..]
        .chunks_exact(24 + page_size)
        .map(|frame| u32::from_be_bytes(frame[..4].try_into().unwrap()))
        .collect()
}

fn bytes() {
    let pairs = env_u64("LICENSE_INVENTORY_BENCH_BYTES_PAIRS", 500);
    let dir = tempfile::tempdir().unwrap();
    let lib_path = dir.path().join("library.db");
    let b = library::setup(&library::sqlite(&lib_path, Synchronous::Full));
    b.pair(); // every statement prepared, every table touched once
    let lib = measure(&lib_path, pairs, || b.pair());
    let peer_path = dir.path().join("peer.db");
    let mut p = peers::sqlite::Peer::open(&peer_path, "FULL", true);
    p.pair();
    let peer = measure(&peer_path, pairs, || p.pair());
    // The same peer on pages of the library's size (SQLite's default is 4 KiB).
    let small_path = dir.path().join("peer-small-pages.db");
    let page_size = SqliteOptions::PAGE_SIZE;
    rusqlite::Connection::open(&small_path)
        .unwrap()
        .execute_batch(&format!(
            "PRAGMA page_size={page_size}; CREATE TABLE fix_the_page_size (x); DROP TABLE fix_the_page_size;"
        ))
        .unwrap();
    let mut p = peers::sqlite::Peer::open(&small_path, "FULL", true);
    p.pair();
    let small = measure(&small_path, pairs, || p.pair());
    let per = |b: u64| b as f64 / pairs as f64;
    println!(
        "bytes per request+approve pair (BYTES, not time), SQLite FULL, {pairs} pairs on a fresh file:"
    );
    println!(
        "  {:<36} {:>9} {:>11} {:>6} {:>13} {:>6}",
        "",
        "library",
        "full peer",
        "ratio",
        format!("peer, {page_size} B"),
        "ratio"
    );
    for (what, l, p, s) in [
        ("WAL bytes appended", lib.wal, peer.wal, small.wal),
        (
            "main-file growth after checkpoint",
            lib.main,
            peer.main,
            small.main,
        ),
        (
            "write(2) bytes during the run",
            lib.syscalls,
            peer.syscalls,
            small.syscalls,
        ),
    ] {
        println!(
            "  {what:<36} {:>9.0} {:>11.0} {:>6.2} {:>13.0} {:>6.2}",
            per(l),
            per(p),
            l as f64 / p as f64,
            per(s),
            l as f64 / s as f64
        );
    }
    println!(
        "  (ratio = library ÷ peer; the library's pages are {page_size} bytes, the full peer's \
         SQLite's default 4096, the last peer's {page_size}; issue 10's target is ≤ 2 against the full peer)"
    );
    println!("WAL frames (pages) per pair, by table or index, and pages it grew by:");
    let small_label = format!("full peer, {page_size}-byte pages");
    for (side, written) in [
        ("library", &lib),
        ("full peer", &peer),
        (small_label.as_str(), &small),
    ] {
        let total: u64 = written.frames.values().sum();
        println!("  {side}: {:.1}", per(total));
        let mut by: Vec<_> = written.frames.iter().collect();
        by.sort_by(|a, b| b.1.cmp(a.1));
        for (name, n) in by {
            let grown = written.grown.get(name).copied().unwrap_or(0);
            println!("    {name:<36} {:>6.2} {:>6.2}", per(*n), per(grown));
        }
    }
}

/// One side's issue: keys per second and peak resident set in kB, before and after.
struct Issued {
    keys_per_s: f64,
    hwm_before: u64,
    hwm: u64,
}

fn parse_issued(out: &std::process::Output, n: u64) -> Issued {
    assert!(out.status.success(), "an issue run failed: {out:?}");
    let line = String::from_utf8_lossy(&out.stdout);
    let w: Vec<u64> = line
        .strip_prefix("issued ")
        .unwrap_or_else(|| panic!("unexpected output {line:?}"))
        .split_whitespace()
        .map(|w| w.parse().unwrap())
        .collect();
    assert_eq!(w[0], n);
    Issued {
        keys_per_s: n as f64 / (w[1] as f64 / 1e9),
        hwm_before: w[2],
        hwm: w[3],
    }
}

fn issue() {
    let n = env_u64("LICENSE_INVENTORY_BENCH_ISSUE_N", 10_000).min(MAX_ISSUE);
    let runs = env_u64("LICENSE_INVENTORY_BENCH_ISSUE_RUNS", 3) as usize;
    let python = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !python {
        eprintln!("issue: the Python peer is skipped (no python3)");
    }
    println!(
        "issue N licenses in one call, SQLite FULL, each side in its own process, {runs} runs \
         each taking turns (keys/s: median; peak RSS = VmHWM of that process, largest of the \
         runs; 'before' = its peak before the issue began):"
    );
    println!(
        "  {:>9} {:<16} {:>12} {:>14} {:>14} {:>10}",
        "N", "side", "keys/s", "peak RSS MB", "before MB", "vs Python"
    );
    let mut ns = vec![(n / 10).max(1), n];
    ns.dedup();
    for n in ns {
        let mut sides: Vec<(&str, Vec<Issued>)> =
            vec![("library", Vec::new()), ("rusqlite peer", Vec::new())];
        if python {
            sides.push(("Python peer", Vec::new()));
        }
        // The sides take turns, so a burst of load on the shared machine hits all of them.
        for _ in 0..runs {
            for (side, results) in &mut sides {
                let dir = tempfile::tempdir().unwrap();
                let mut command = match *side {
                    "library" | "rusqlite peer" => {
                        let mut c = Command::new(WORKER);
                        c.arg("issue")
                            .arg(if *side == "library" {
                                "sqlite-library"
                            } else {
                                "sqlite-peer"
                            })
                            .arg(dir.path());
                        c
                    }
                    _ => {
                        let mut c = Command::new("python3");
                        c.arg(PYTHON_PEER).arg(dir.path().join("python.db"));
                        c
                    }
                };
                let out = command.arg(n.to_string()).output().unwrap();
                results.push(parse_issued(&out, n));
            }
        }
        // Median keys/s over the runs; the largest peak.
        let summary: Vec<(&str, Issued)> = sides
            .into_iter()
            .map(|(side, mut r)| {
                r.sort_by(|a, b| a.keys_per_s.total_cmp(&b.keys_per_s));
                let hwm = r.iter().map(|i| i.hwm).max().unwrap();
                let hwm_before = r.iter().map(|i| i.hwm_before).max().unwrap();
                let keys_per_s = r[r.len() / 2].keys_per_s;
                (
                    side,
                    Issued {
                        keys_per_s,
                        hwm_before,
                        hwm,
                    },
                )
            })
            .collect();
        let python_rate = summary
            .iter()
            .find(|(s, _)| *s == "Python peer")
            .map(|(_, i)| i.keys_per_s);
        for (side, i) in &summary {
            let ratio = python_rate.map_or("-".to_owned(), |p| format!("{:.2}", i.keys_per_s / p));
            println!(
                "  {n:>9} {side:<16} {:>12.0} {:>14.1} {:>14.1} {ratio:>10}",
                i.keys_per_s,
                i.hwm as f64 / 1024.0,
                i.hwm_before as f64 / 1024.0,
            );
        }
    }
    println!(
        "  (vs Python = keys/s ÷ the Python peer's keys/s at the same N; issue 10's target: ≥ 1 at \
         1,000,000 keys, peak memory independent of N)"
    );
}
