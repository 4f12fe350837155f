//! Approvals per second on the memory and SQLite stores: each iteration requests one unit from
//! a well-stocked parent and approves it (two transactions, one draw, two ledger entries).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use license_inventory::*;

struct Bench {
    requester: Session,
    approver: Session,
    mga: OrgId,
    product: ProductId,
}

fn setup(inv: &Inventory) -> Bench {
    let t = inv
        .create_tenant(NewTenant {
            name: "Bench".into(),
            plan: Plan::Standard,
            vendor_name: "Vendor".into(),
            first_order_number: None,
        })
        .unwrap();
    let ellen = inv
        .create_org(
            t.id,
            NewOrganization {
                name: "Ellen".into(),
                tier: Tier::Distributor,
                parent: t.vendor,
            },
        )
        .unwrap();
    let mga = inv
        .create_org(
            t.id,
            NewOrganization {
                name: "MGA".into(),
                tier: Tier::Reseller,
                parent: ellen.id,
            },
        )
        .unwrap();
    let vendor_admin = inv
        .create_user(
            t.id,
            NewUser {
                name: "V".into(),
                email: "v@x.example".into(),
            },
        )
        .unwrap();
    let admin = inv
        .create_user(
            t.id,
            NewUser {
                name: "I".into(),
                email: "i@x.example".into(),
            },
        )
        .unwrap();
    inv.grant_admin(t.id, vendor_admin.id, t.vendor).unwrap();
    inv.grant_admin(t.id, admin.id, ellen.id).unwrap();
    inv.grant_admin(t.id, admin.id, mga.id).unwrap();
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
    let vendor = inv.session(t.id, vendor_admin.id).unwrap();
    vendor
        .assign(NewAssignment::new(
            t.vendor,
            ellen.id,
            product.id,
            MAX_QUANTITY,
        ))
        .unwrap();
    let s = inv.session(t.id, admin.id).unwrap();
    Bench {
        requester: s.clone(),
        approver: s,
        mga: mga.id,
        product: product.id,
    }
}

fn request_and_approve(b: &Bench) {
    let order = b
        .requester
        .request(NewRequest::new(b.mga, b.product, 1))
        .unwrap();
    b.approver.approve(order.id, None, None).unwrap();
}

fn approvals(c: &mut Criterion) {
    let mut group = c.benchmark_group("request+approve");
    group.throughput(Throughput::Elements(1));

    let memory = Inventory::in_memory();
    let b = setup(&memory);
    group.bench_function("memory", |bench| bench.iter(|| request_and_approve(&b)));

    let dir = tempfile::tempdir().unwrap();
    let sqlite = Inventory::open_sqlite(dir.path().join("bench.db")).unwrap();
    let b = setup(&sqlite);
    group.bench_function("sqlite (synchronous=FULL)", |bench| {
        bench.iter(|| request_and_approve(&b))
    });

    let normal = SqliteStore::open_with(
        dir.path().join("bench-normal.db"),
        SqliteOptions {
            synchronous: Synchronous::Normal,
            ..SqliteOptions::default()
        },
    )
    .unwrap();
    let normal = Inventory::new(normal);
    let b = setup(&normal);
    group.bench_function("sqlite (synchronous=NORMAL)", |bench| {
        bench.iter(|| request_and_approve(&b))
    });
    group.finish();
}

criterion_group!(benches, approvals);
criterion_main!(benches);
