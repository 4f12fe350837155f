//! Several OS processes, each with several threads, racing on one store; and writers killed
//! with SIGKILL mid-flight. The test binary re-runs itself as the worker processes: the
//! `worker_entry` test below does nothing unless `LICENSE_INVENTORY_TEST_ROLE` is set.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use license_inventory::store::conformance::World;
use license_inventory::*;

const ROLE: &str = "LICENSE_INVENTORY_TEST_ROLE";

/// Where a worker finds the store: `sqlite:<path>` or `postgres:<url>`.
fn open(target: &str) -> Inventory {
    if let Some(path) = target.strip_prefix("sqlite:") {
        Inventory::open_sqlite(path).unwrap()
    } else if let Some(url) = target.strip_prefix("postgres:") {
        Inventory::new(PostgresStore::connect(url).unwrap())
    } else {
        panic!("bad target {target}")
    }
}

/// The ids a worker needs, passed in one environment variable.
struct Ids {
    tenant: TenantId,
    irina: UserId,
    ellen: OrgId,
    mga: OrgId,
    product: ProductId,
}

impl Ids {
    fn of(w: &World) -> String {
        format!(
            "{} {} {} {} {}",
            w.tenant.id,
            w.irina.user(),
            w.ellen.id,
            w.mga.id,
            w.cl.id
        )
    }
    fn parse(s: &str) -> Ids {
        let v: Vec<&str> = s.split(' ').collect();
        Ids {
            tenant: v[0].parse().unwrap(),
            irina: v[1].parse().unwrap(),
            ellen: v[2].parse().unwrap(),
            mga: v[3].parse().unwrap(),
            product: v[4].parse().unwrap(),
        }
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap()
}

#[test]
fn worker_entry() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let inv = open(&env("LI_TARGET"));
    let ids = Ids::parse(&env("LI_IDS"));
    let s = inv.session(ids.tenant, ids.irina).unwrap();
    match role.as_str() {
        "race" => race_worker(&s, &ids),
        "approve" => approve_worker(&s),
        "crash" => crash_worker(&s, &ids),
        other => panic!("unknown role {other}"),
    }
}

/// Four threads, each alternating assignments and request+approve of one unit.
fn race_worker(s: &Session, ids: &Ids) {
    let rounds: usize = env("LI_ROUNDS").parse().unwrap();
    std::thread::scope(|scope| {
        for t in 0..4 {
            scope.spawn(move || {
                for i in 0..rounds {
                    let result = if (t + i) % 2 == 0 {
                        s.assign(NewAssignment::new(ids.ellen, ids.mga, ids.product, 1))
                    } else {
                        let r = s.request(NewRequest::new(ids.mga, ids.product, 1)).unwrap();
                        s.approve(r.id, None, None)
                    };
                    match result {
                        Ok(o) => println!("DRAWN {}", o.approved_quantity),
                        Err(Error::InsufficientInventory { .. }) => println!("REFUSED"),
                        Err(e) => println!("ERROR {e}"),
                    }
                }
            });
        }
    });
}

/// Approves the pending requests named in LI_ORDERS, on four threads.
fn approve_worker(s: &Session) {
    let orders: Vec<OrderId> = env("LI_ORDERS")
        .split(',')
        .map(|o| o.parse().unwrap())
        .collect();
    std::thread::scope(|scope| {
        for chunk in orders.chunks(orders.len().div_ceil(4)) {
            scope.spawn(move || {
                for id in chunk {
                    match s.approve(*id, None, None) {
                        Ok(o) => println!("DRAWN {}", o.approved_quantity),
                        Err(Error::InsufficientInventory {
                            available,
                            requested,
                        }) => {
                            println!("REFUSED {available} {requested}")
                        }
                        Err(e) => println!("ERROR {e}"),
                    }
                }
            });
        }
    });
}

/// Assigns one unit at a time until killed; prints each order id once its command returned.
fn crash_worker(s: &Session, ids: &Ids) {
    use std::io::Write;
    let out = std::io::stdout();
    loop {
        let o = s
            .assign(NewAssignment::new(ids.ellen, ids.mga, ids.product, 1))
            .unwrap();
        let mut lock = out.lock();
        writeln!(lock, "OK {}", o.id).unwrap();
        lock.flush().unwrap();
    }
}

fn spawn(role: &str, target: &str, ids: &str, extra: &[(&str, String)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "processes::worker_entry",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env(ROLE, role)
    .env("LI_TARGET", target)
    .env("LI_IDS", ids)
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// Waits for every worker; returns (units drawn, refusals); fails on any other error.
fn collect(children: Vec<Child>) -> (u64, u64) {
    let (mut drawn, mut refused) = (0, 0);
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a worker failed: {:?}", out.status);
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some(n) = line.strip_prefix("DRAWN ") {
                drawn += n.parse::<u64>().unwrap();
            } else if line.starts_with("REFUSED") {
                refused += 1;
            } else if line.starts_with("ERROR") {
                panic!("worker error: {line}");
            }
        }
    }
    (drawn, refused)
}

/// 4 processes × 4 threads race requests, approvals and assignments on one hot order.
fn race(inv: Inventory, target: &str) {
    let w = World::new(inv, 1);
    let stock = 150;
    let hot = w.stock(&w.ellen, &w.cl, stock);
    let ids = Ids::of(&w);
    // 4 processes × 4 threads × 12 rounds = 192 one-unit attempts for 150 units.
    let children: Vec<Child> = (0..4)
        .map(|_| spawn("race", target, &ids, &[("LI_ROUNDS", "12".into())]))
        .collect();
    let (drawn, refused) = collect(children);
    assert_eq!(drawn, stock, "units drawn must equal the stock exactly");
    assert_eq!(refused, 192 - stock);
    let hot = w.vera.order(hot.id).unwrap().order;
    assert_eq!(
        (hot.available, hot.drawn, hot.status),
        (0, stock, OrderStatus::Depleted)
    );
    w.assert_clean();
}

/// With a stock of 1, exactly one of 16 concurrent approvals wins.
fn last_unit(inv: Inventory, target: &str) {
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.cl, 1);
    let requests: Vec<String> = (0..16)
        .map(|_| {
            w.irina
                .request(NewRequest::new(w.mga.id, w.cl.id, 1))
                .unwrap()
                .id
                .to_string()
        })
        .collect();
    let ids = Ids::of(&w);
    let children: Vec<Child> = requests
        .chunks(4)
        .map(|chunk| spawn("approve", target, &ids, &[("LI_ORDERS", chunk.join(","))]))
        .collect();
    let (drawn, refused) = collect(children);
    assert_eq!((drawn, refused), (1, 15));
    let active = InventoryFilter {
        statuses: vec![OrderStatus::Active],
        ..Default::default()
    };
    assert_eq!(
        w.irina
            .list(w.mga.id, &active, None, 100)
            .unwrap()
            .items
            .len(),
        1
    );
    w.assert_clean();
}

#[test]
fn sqlite_processes_race_without_oversell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.db");
    race(
        open(&format!("sqlite:{}", path.display())),
        &format!("sqlite:{}", path.display()),
    );
}

#[test]
fn sqlite_last_unit_goes_to_exactly_one_process() {
    let dir = tempfile::tempdir().unwrap();
    let target = format!("sqlite:{}", dir.path().join("one.db").display());
    last_unit(open(&target), &target);
}

#[test]
fn postgres_processes_race_without_oversell() {
    let Some(url) = super::pg_url() else { return };
    let target = format!("postgres:{url}");
    race(open(&target), &target);
}

#[test]
fn postgres_last_unit_goes_to_exactly_one_process() {
    let Some(url) = super::pg_url() else { return };
    let target = format!("postgres:{url}");
    last_unit(open(&target), &target);
}

/// A tiny deterministic generator for kill delays (no dependency needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// Kills a writer with SIGKILL at random points, many rounds: after each, the file passes
/// `integrity_check`, conservation holds, and every acknowledged command is there.
#[test]
fn sqlite_survives_sigkill_of_a_writer() {
    let rounds: u64 = std::env::var("LICENSE_INVENTORY_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let target = format!("sqlite:{}", path.display());
    let (ids, tenant) = {
        let w = World::new(open(&target), 1);
        w.stock(&w.ellen, &w.cl, 1_000_000);
        (Ids::of(&w), w.tenant.id)
    };
    let mut rng = Lcg(0x5eed ^ u64::from(std::process::id()));
    let mut acknowledged: Vec<OrderId> = Vec::new();
    let mut killed_mid_stream = 0;
    for round in 0..rounds {
        let mut child = spawn("crash", &target, &ids, &[]);
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        // Wait for the first acknowledged command (past the test harness's own lines), then
        // let the worker run a random while.
        let mut first = String::new();
        while !first.starts_with("OK ") {
            first.clear();
            assert!(
                stdout.read_line(&mut first).unwrap() > 0,
                "round {round}: the worker died"
            );
        }
        std::thread::sleep(Duration::from_millis(rng.next(40)));
        child.kill().unwrap();
        child.wait().unwrap();
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        let before = acknowledged.len();
        for line in first.lines().chain(rest.lines()) {
            if let Some(id) = line.strip_prefix("OK ") {
                acknowledged.push(id.parse().unwrap());
            }
        }
        assert!(
            acknowledged.len() > before,
            "round {round}: the worker acknowledged nothing"
        );
        killed_mid_stream += 1;

        let raw = rusqlite::Connection::open(&path).unwrap();
        let check: String = raw
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
        drop(raw);
        let inv = open(&target);
        let audit = inv.audit(tenant).unwrap();
        assert!(audit.is_clean(), "round {round}: {:?}", audit.problems);
        let vera = Ids::parse(&ids);
        let s = inv.session(tenant, vera.irina).unwrap();
        for id in &acknowledged[before..] {
            let o = s.order(*id).unwrap().order;
            assert_eq!(
                (o.status, o.available),
                (OrderStatus::Active, 1),
                "round {round}"
            );
        }
    }
    assert_eq!(killed_mid_stream, rounds);
    // Units drawn by the acknowledged orders (and maybe one more per round, committed just
    // before the kill but not yet printed) are all accounted for.
    let inv = open(&target);
    let audit = inv.audit(tenant).unwrap();
    assert!(audit.is_clean());
    assert_eq!(audit.minted, 1_000_000);
}
