//! Summary of a small org vs a big one (a plain `main`, no criterion): p50 and p99 of single
//! `Session::summary` calls and the ratio big ÷ small (issue 10's target: p99 within 2×).
//!
//! One tenant: vendor → Ellen (distributor, a lot of `MAX_QUANTITY`) → two resellers, "Small"
//! holding 10 orders and "Big" holding `LICENSE_INVENTORY_BENCH_SUMMARY_N` (default 100,000);
//! 1% of each org's orders are pending requests to Ellen, the rest active assignments from
//! Ellen of one unit each (built with `Session::batch`, 1,000 commands a transaction). Ellen's
//! admin asks for the summaries, alternating small and big so both see the same load,
//! `LICENSE_INVENTORY_BENCH_SUMMARY_SAMPLES` calls each (default 300) after 20 warm-up calls.
//!
//! Memory store and SQLite (FULL, the default; built at NORMAL). The SQLite file is kept in
//! `target/release/bench-cache/` between runs (set `LICENSE_INVENTORY_BENCH_REBUILD=1` to build
//! it again; an older schema is migrated when it is opened, as any store is).
//!
//! `cargo bench -p license-inventory-benches --bench summary`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use license_inventory::*;
use license_inventory_benches::{cache_dir, env_u64, library};

const SMALL: u64 = 10;

/// The ids the measurement needs.
struct Orgs {
    tenant: TenantId,
    admin: UserId,
    small: OrgId,
    big: OrgId,
}

impl Orgs {
    fn to_lines(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}\n",
            self.tenant, self.admin, self.small, self.big
        )
    }

    fn from_lines(s: &str) -> Option<Self> {
        let mut l = s.lines();
        Some(Orgs {
            tenant: l.next()?.parse().ok()?,
            admin: l.next()?.parse().ok()?,
            small: l.next()?.parse().ok()?,
            big: l.next()?.parse().ok()?,
        })
    }
}

/// Gives `org` `orders` orders: 1% (at least one) pending requests, the rest assignments.
fn fill(s: &Session, ellen: OrgId, org: OrgId, product: ProductId, orders: u64) {
    let pending = (orders / 100).max(1);
    let commands = (0..orders).map(|i| {
        if i < pending {
            BatchCommand::Request(NewRequest::new(org, product, 1))
        } else {
            BatchCommand::Assign(NewAssignment::new(ellen, org, product, 1))
        }
    });
    let commands: Vec<BatchCommand> = commands.collect();
    let started = Instant::now();
    for (i, chunk) in commands.chunks(MAX_BATCH).enumerate() {
        s.batch(chunk).unwrap();
        if i % 10 == 9 {
            eprintln!(
                "  built {} of {orders} orders ({:.0?})",
                (i + 1) * MAX_BATCH,
                started.elapsed()
            );
        }
    }
}

fn build(inv: &Inventory, big: u64) -> Orgs {
    let t = inv
        .create_tenant(NewTenant {
            name: "Bench".into(),
            plan: Plan::Standard,
            vendor_name: "Vendor".into(),
            first_order_number: None,
        })
        .unwrap();
    let org = |name: &str, tier, parent| {
        inv.create_org(
            t.id,
            NewOrganization {
                name: name.into(),
                tier,
                parent,
            },
        )
        .unwrap()
        .id
    };
    let ellen = org("Ellen", Tier::Distributor, t.vendor);
    let small = org("Small", Tier::Reseller, ellen);
    let big_org = org("Big", Tier::Reseller, ellen);
    let user = |name: &str, email: &str| {
        inv.create_user(
            t.id,
            NewUser {
                name: name.into(),
                email: email.into(),
            },
        )
        .unwrap()
        .id
    };
    let vendor_admin = user("V", "v@x.example");
    let admin = user("I", "i@x.example");
    inv.grant_admin(t.id, vendor_admin, t.vendor).unwrap();
    for o in [ellen, small, big_org] {
        inv.grant_admin(t.id, admin, o).unwrap();
    }
    let product = inv
        .create_product(
            t.id,
            NewProduct {
                code: "CL".into(),
                name: "Center License".into(),
                kind: ProductKind::License,
            },
        )
        .unwrap()
        .id;
    inv.session(t.id, vendor_admin)
        .unwrap()
        .assign(NewAssignment::new(t.vendor, ellen, product, MAX_QUANTITY))
        .unwrap();
    let s = inv.session(t.id, admin).unwrap();
    fill(&s, ellen, small, product, SMALL);
    fill(&s, ellen, big_org, product, big);
    Orgs {
        tenant: t.id,
        admin,
        small,
        big: big_org,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let last = sorted.len() - 1;
    sorted[((last as f64) * p / 100.0).round() as usize]
}

fn measure(store: &str, inv: &Inventory, orgs: &Orgs, big: u64) {
    let samples = env_u64("LICENSE_INVENTORY_BENCH_SUMMARY_SAMPLES", 300) as usize;
    let s = inv.session(orgs.tenant, orgs.admin).unwrap();
    let held = |org| {
        let lines = s.summary(org).unwrap();
        lines
            .iter()
            .map(|l| l.held + l.pending_requests)
            .sum::<u64>()
    };
    // The orgs are what they should be: every active order holds one unit.
    assert_eq!(held(orgs.small), SMALL);
    assert_eq!(held(orgs.big), big);
    let (mut small, mut large) = (Vec::new(), Vec::new());
    for i in 0..samples + 20 {
        for (org, out) in [(orgs.small, &mut small), (orgs.big, &mut large)] {
            let t = Instant::now();
            std::hint::black_box(s.summary(org).unwrap());
            if i >= 20 {
                out.push(t.elapsed());
            }
        }
    }
    small.sort_unstable();
    large.sort_unstable();
    let (s50, s99) = (percentile(&small, 50.0), percentile(&small, 99.0));
    let (b50, b99) = (percentile(&large, 50.0), percentile(&large, 99.0));
    println!(
        "  {store:<8} {SMALL:>7} orders: p50 {s50:>10.2?} p99 {s99:>10.2?} | {big} orders: \
         p50 {b50:>10.2?} p99 {b99:>10.2?} | ratio p50 {:.1} p99 {:.1}",
        b50.as_secs_f64() / s50.as_secs_f64(),
        b99.as_secs_f64() / s99.as_secs_f64()
    );
}

fn sqlite_store(big: u64) -> (Inventory, Orgs) {
    let dir = cache_dir();
    let (path, ids) = (
        dir.join(format!("summary-{big}.db")),
        dir.join(format!("summary-{big}.ids")),
    );
    let rebuild = std::env::var_os("LICENSE_INVENTORY_BENCH_REBUILD").is_some();
    if !rebuild {
        if let Some(orgs) = std::fs::read_to_string(&ids)
            .ok()
            .and_then(|s| Orgs::from_lines(&s))
        {
            if path.exists() {
                eprintln!("summary: using the store kept in {}", path.display());
                return (Inventory::open_sqlite(&path).unwrap(), orgs);
            }
        }
    }
    for p in [&ids, &path] {
        let _ = std::fs::remove_file(p);
    }
    for suffix in ["-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    eprintln!("summary: building {} (kept for later runs)", path.display());
    let orgs = build(&library::sqlite(&path, Synchronous::Normal), big);
    std::fs::write(&ids, orgs.to_lines()).unwrap();
    (Inventory::open_sqlite(&path).unwrap(), orgs)
}

fn main() {
    let big = env_u64("LICENSE_INVENTORY_BENCH_SUMMARY_N", 100_000);
    println!(
        "summary of an org with {SMALL} orders vs one with {big} (single calls; ratio = big ÷ \
         small; issue 10's target: p99 within 2×):"
    );
    let memory = Inventory::in_memory();
    eprintln!("summary: building the memory store");
    let orgs = build(&memory, big);
    measure("memory", &memory, &orgs, big);
    drop(memory);
    let (sqlite, orgs) = sqlite_store(big);
    measure("sqlite", &sqlite, &orgs, big);
}
