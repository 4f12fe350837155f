//! Request+approve pairs on the memory store, for counting instructions rather than timing
//! them (the shared machine's wall time is too noisy to compare small changes):
//!
//! ```sh
//! CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
//!   cargo build --release -p license-inventory-benches --example memory_pairs
//! for n in 0 1000; do
//!   valgrind --tool=callgrind --callgrind-out-file=cg.$n \
//!     target/release/examples/memory_pairs library $n
//! done
//! ```
//!
//! The cost of a pair is (instructions at N = 1000 − at N = 0) / 1000; `callgrind_annotate
//! cg.1000` says where it goes. `peer` runs the full `HashMap` peer of the `approvals` bench
//! (benches/src/peers.rs) instead, for the same subtraction. `sqlite-library` and
//! `sqlite-peer` do the same on a new SQLite file (`synchronous=NORMAL`, or the third argument,
//! `full`; in a temporary folder) against the full rusqlite peer.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use license_inventory::{Inventory, Synchronous};
use license_inventory_benches::{library, peers};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (side, n, sync) = match args.as_slice() {
        [_, side, n] => (side.as_str(), n.parse::<u64>().unwrap(), "normal"),
        [_, side, n, sync] => (side.as_str(), n.parse::<u64>().unwrap(), sync.as_str()),
        _ => panic!("usage: memory_pairs library|peer|sqlite-library|sqlite-peer N [normal|full]"),
    };
    let synchronous: Synchronous = sync.parse().unwrap();
    // Setup and 20 warm-up pairs, then N pairs.
    match side {
        "library" => {
            let b = library::setup(&Inventory::in_memory());
            for _ in 0..20 + n {
                b.pair();
            }
        }
        "sqlite-library" => {
            let dir = tempfile::tempdir().unwrap();
            let inv = library::sqlite(&dir.path().join("pairs.db"), synchronous);
            let b = library::setup(&inv);
            for _ in 0..20 + n {
                b.pair();
            }
        }
        "sqlite-peer" => {
            let dir = tempfile::tempdir().unwrap();
            let mut p =
                peers::sqlite::Peer::open(&dir.path().join("pairs.db"), synchronous.as_str(), true);
            for _ in 0..20 + n {
                p.pair();
            }
        }
        "peer" => {
            let mut p = peers::memory::Peer::new(true);
            for _ in 0..20 + n {
                p.pair();
            }
            std::hint::black_box(p.rows());
        }
        _ => panic!("usage: memory_pairs library|peer|sqlite-library|sqlite-peer N [normal|full]"),
    }
}
