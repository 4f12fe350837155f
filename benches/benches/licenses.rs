//! Licenses: issuing 10,000 keys from one order in one call (one transaction: 10,000 keys from
//! the OS CSPRNG, 10,000 rows, one ledger entry), and exporting an order of 10,000 licenses as
//! CSV (streamed a page at a time from one read snapshot), on the memory and SQLite stores.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use license_inventory::*;

const N: u64 = 10_000;

/// A tenant whose vendor admin holds an order of `quantity` Center Licenses.
fn stocked(inv: &Inventory, quantity: u64) -> (Session, OrderId) {
    let t = inv
        .create_tenant(NewTenant {
            name: "Bench".into(),
            plan: Plan::Standard,
            vendor_name: "Vendor".into(),
            first_order_number: None,
        })
        .unwrap();
    let admin = inv
        .create_user(
            t.id,
            NewUser {
                name: "V".into(),
                email: "v@x.example".into(),
            },
        )
        .unwrap();
    inv.grant_admin(t.id, admin.id, t.vendor).unwrap();
    let product = inv
        .create_product(
            t.id,
            NewProduct {
                code: "CL".into(),
                name: "Center License".into(),
                kind: ProductKind::License,
            },
        )
        .unwrap();
    let s = inv.session(t.id, admin.id).unwrap();
    let order = s.mint(NewMint::new(product.id, quantity)).unwrap();
    (s, order.id)
}

/// A fresh store (and the folder that holds it, for SQLite) per iteration, so the stores do
/// not grow across iterations; only the `issue` call is timed.
fn issue(c: &mut Criterion) {
    let mut group = c.benchmark_group("issue 10,000 licenses");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N));
    group.bench_function("memory", |b| {
        b.iter_batched(
            || stocked(&Inventory::in_memory(), N),
            |(s, order)| s.issue(order, N).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("sqlite", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let inv = Inventory::open_sqlite(dir.path().join("bench.db")).unwrap();
                (dir, stocked(&inv, N))
            },
            |(_dir, (s, order))| s.issue(order, N).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn export(c: &mut Criterion) {
    let mut group = c.benchmark_group("export an order of 10,000 licenses");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N));
    let memory = Inventory::in_memory();
    let (s, order) = stocked(&memory, N);
    s.issue(order, N).unwrap();
    group.bench_function("memory", |b| {
        b.iter(|| assert_eq!(s.export_order_csv(order, std::io::sink()).unwrap(), N))
    });
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Inventory::open_sqlite(dir.path().join("bench.db")).unwrap();
    let (s, order) = stocked(&sqlite, N);
    s.issue(order, N).unwrap();
    group.bench_function("sqlite", |b| {
        b.iter(|| assert_eq!(s.export_order_csv(order, std::io::sink()).unwrap(), N))
    });
    group.finish();
}

criterion_group!(benches, issue, export);
criterion_main!(benches);
