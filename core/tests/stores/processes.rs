//! Several OS processes, each with several threads, racing on one store; and writers killed
//! with SIGKILL mid-flight. The test binary re-runs itself as the worker processes: the
//! `worker_entry` test below (ignored in a normal run) does nothing unless
//! `LICENSE_INVENTORY_TEST_ROLE` is set.

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

/// Not a test: the body of the worker processes the tests spawn (ignored, so a plain run
/// counts it as skipped rather than as a pass).
#[test]
#[ignore = "not a test: the worker processes of the process tests run it"]
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
                            ..
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
/// A failing command (the server went away) ends the worker with the error printed.
fn crash_worker(s: &Session, ids: &Ids) {
    use std::io::Write;
    let out = std::io::stdout();
    loop {
        match s.assign(NewAssignment::new(ids.ellen, ids.mga, ids.product, 1)) {
            Ok(o) => {
                let mut lock = out.lock();
                writeln!(lock, "OK {}", o.id).unwrap();
                lock.flush().unwrap();
            }
            Err(e) => {
                println!("FAILED {e}");
                return;
            }
        }
    }
}

fn spawn(role: &str, target: &str, ids: &str, extra: &[(&str, String)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "processes::worker_entry",
        "--include-ignored",
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

#[cfg(license_inventory_pg)]
#[test]
fn postgres_processes_race_without_oversell() {
    let Some(url) = super::pg_url() else { return };
    let target = format!("postgres:{url}");
    race(open(&target), &target);
}

#[cfg(license_inventory_pg)]
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

/// The seeds of the crash rounds: `LICENSE_INVENTORY_CRASH_SEED=<seed>` replays one round (the
/// seed a failing round printed); otherwise `LICENSE_INVENTORY_CRASH_ROUNDS` (default
/// `default_rounds`) rounds with fresh seeds.
fn crash_seeds(default_rounds: u64) -> Vec<u64> {
    if let Ok(seed) = std::env::var("LICENSE_INVENTORY_CRASH_SEED") {
        let seed = seed
            .trim()
            .parse()
            .expect("LICENSE_INVENTORY_CRASH_SEED must be a number");
        println!("replaying the crash round of seed {seed}");
        return vec![seed];
    }
    let rounds: u64 = std::env::var("LICENSE_INVENTORY_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_rounds);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut rng = Lcg(nanos ^ u64::from(std::process::id()));
    (0..rounds).map(|_| rng.next(u64::MAX)).collect()
}

/// Reads a crash worker's acknowledged orders (`OK <id>` lines) until it has acknowledged
/// `wait_for` of them or its output ends.
fn read_acknowledged(
    stdout: &mut BufReader<std::process::ChildStdout>,
    wait_for: usize,
) -> Vec<OrderId> {
    let mut acks = Vec::new();
    let mut line = String::new();
    while acks.len() < wait_for {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(id) = line.trim_end().strip_prefix("OK ") {
            acks.push(id.parse().unwrap());
        }
    }
    acks
}

/// The rest of a (dead) worker's acknowledged orders.
fn rest_acknowledged(stdout: &mut BufReader<std::process::ChildStdout>) -> Vec<OrderId> {
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    rest.lines()
        .filter_map(|l| l.strip_prefix("OK "))
        .map(|id| id.parse().unwrap())
        .collect()
}

/// Every order acknowledged so far, in all rounds, is there, whole (one unit, active), and the
/// audit is clean.
fn check_acknowledged(inv: &Inventory, ids: &str, acknowledged: &[OrderId], round: &str) {
    let ids = Ids::parse(ids);
    let audit = inv.audit(ids.tenant).unwrap();
    assert!(audit.is_clean(), "{round}: {:?}", audit.problems);
    let s = inv.session(ids.tenant, ids.irina).unwrap();
    for id in acknowledged {
        let o = s
            .order(*id)
            .unwrap_or_else(|e| panic!("{round}: acknowledged order {id} is gone: {e}"))
            .order;
        assert_eq!(
            (o.status, o.available),
            (OrderStatus::Active, 1),
            "{round}: order {id}"
        );
    }
}

/// Rounds of: a writer process assigns units; it is killed with SIGKILL at a random point
/// (after at least one acknowledged command); then every command acknowledged in this and all
/// earlier rounds is checked, with `check` (store-specific) first. Each round prints its seed.
fn sigkill_rounds(target: &str, default_rounds: u64, check: impl Fn(&str)) {
    use std::os::unix::process::ExitStatusExt;
    let (ids, tenant) = {
        let w = World::new(open(target), 1);
        w.stock(&w.ellen, &w.cl, 1_000_000);
        (Ids::of(&w), w.tenant.id)
    };
    let mut acknowledged: Vec<OrderId> = Vec::new();
    for seed in crash_seeds(default_rounds) {
        let round =
            format!("crash round of seed {seed} (replay: LICENSE_INVENTORY_CRASH_SEED={seed})");
        println!("{round}");
        let mut rng = Lcg(seed);
        let mut child = spawn("crash", target, &ids, &[]);
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        // Wait for the first acknowledged command, then let the worker run a random while.
        let first = read_acknowledged(&mut stdout, 1);
        assert_eq!(
            first.len(),
            1,
            "{round}: the worker died before its first command"
        );
        std::thread::sleep(Duration::from_millis(rng.next(40)));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(9),
            "{round}: the worker ended by itself: {status:?}"
        );
        acknowledged.extend(first);
        acknowledged.extend(rest_acknowledged(&mut stdout));
        check(&round);
        check_acknowledged(&open(target), &ids, &acknowledged, &round);
    }
    let audit = open(target).audit(tenant).unwrap();
    assert!(audit.is_clean());
    assert_eq!(audit.minted, 1_000_000);
}

/// Kills a writer with SIGKILL at random points, many rounds: after each, the file passes
/// `integrity_check`, the pragmas are in effect on every connection, the audit is clean, and
/// every command acknowledged in any round is there. (A process crash: what `synchronous`
/// adds against a power cut is not what this shows; `pragmas_take_effect_on_every_pooled_
/// connection` and the check below show the setting is the one configured.)
#[test]
fn sqlite_survives_sigkill_of_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let target = format!("sqlite:{}", path.display());
    sigkill_rounds(&target, 50, |round| {
        let raw = rusqlite::Connection::open(&path).unwrap();
        let check: String = raw
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "{round}");
        let mode: String = raw
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal", "{round}");
        drop(raw);
        let store = SqliteStore::open(&path).unwrap();
        for (i, (sync, mode)) in store.connection_pragmas().unwrap().into_iter().enumerate() {
            assert_eq!(
                (sync, mode.as_str()),
                (Synchronous::Full, "wal"),
                "{round}: connection {i}"
            );
        }
    });
}

/// Client processes killed with SIGKILL mid-transaction on PostgreSQL: the server rolls their
/// open transactions back; every acknowledged command is there and the audit is clean.
#[cfg(license_inventory_pg)]
#[test]
fn postgres_survives_sigkill_of_a_client() {
    let url = super::pg_url().unwrap();
    sigkill_rounds(&format!("postgres:{url}"), 20, |_| {});
}

#[cfg(license_inventory_pg)]
mod server_kill {
    //! The PostgreSQL server itself killed (immediate shutdown: no checkpoint, no clean
    //! disconnect, crash recovery on restart) under load from writer processes.

    use super::*;

    /// A throwaway cluster of this test's own (scripts/pg-cluster.sh), stopped on drop.
    struct Cluster {
        dir: String,
        url: String,
        bin: std::path::PathBuf,
    }

    impl Cluster {
        fn start() -> Cluster {
            let script =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/pg-cluster.sh");
            let out = Command::new("bash")
                .arg(&script)
                .arg("start")
                .stderr(Stdio::inherit())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{} start failed (PostgreSQL is present, LICENSE_INVENTORY_PG_URL is set)",
                script.display()
            );
            let text = String::from_utf8(out.stdout).unwrap();
            let mut lines = text.lines();
            let dir = lines.next().unwrap().to_owned();
            let url = lines.next().unwrap().to_owned();
            let bin = std::fs::read_dir("/usr/lib/postgresql")
                .unwrap()
                .map(|e| e.unwrap().path().join("bin"))
                .filter(|b| b.join("pg_ctl").exists())
                .max_by_key(|b| {
                    b.parent()
                        .and_then(|v| v.file_name())
                        .and_then(|v| v.to_str())
                        .and_then(|v| v.parse::<u32>().ok())
                        .unwrap_or(0)
                })
                .unwrap();
            Cluster { dir, url, bin }
        }

        /// `pg_ctl` as the cluster's owner (`postgres` when running as root).
        fn pg_ctl(&self, args: &[&str]) {
            let pg_ctl = self.bin.join("pg_ctl");
            let is_root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
            let mut cmd = if is_root {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(&pg_ctl);
                c
            } else {
                Command::new(&pg_ctl)
            };
            let data = format!("{}/data", self.dir);
            let status = cmd
                .args(["-D", &data])
                .args(args)
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "pg_ctl {args:?} failed");
        }

        fn kill(&self) {
            self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
        }

        fn restart(&self) {
            let log = format!("{}/server.log", self.dir);
            let opts = format!(
                "-c listen_addresses='' -k {} -p 5432 -c max_connections=200 -c fsync=on",
                self.dir
            );
            self.pg_ctl(&["-l", &log, "-w", "-t", "60", "-o", &opts, "start"]);
        }
    }

    impl Drop for Cluster {
        fn drop(&mut self) {
            let script =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/pg-cluster.sh");
            let _ = Command::new("bash")
                .arg(script)
                .args(["stop", &self.dir])
                .status();
        }
    }

    /// Three writer processes assign units while the server is killed (immediate shutdown)
    /// at a random point; after the restart every acknowledged command is there and the audit
    /// is clean. Several rounds, each printing its seed.
    #[test]
    fn postgres_survives_an_immediate_shutdown_of_the_server() {
        let cluster = Cluster::start();
        let target = format!("postgres:{}", cluster.url);
        let ids = {
            let w = World::new(open(&target), 1);
            w.stock(&w.ellen, &w.cl, 1_000_000);
            Ids::of(&w)
        };
        let mut acknowledged: Vec<OrderId> = Vec::new();
        for seed in crash_seeds(3) {
            let round = format!(
                "server-kill round of seed {seed} (replay: LICENSE_INVENTORY_CRASH_SEED={seed})"
            );
            println!("{round}");
            let mut rng = Lcg(seed);
            let mut workers: Vec<(Child, BufReader<std::process::ChildStdout>)> = (0..3)
                .map(|_| {
                    let mut child = spawn("crash", &target, &ids, &[]);
                    let stdout = BufReader::new(child.stdout.take().unwrap());
                    (child, stdout)
                })
                .collect();
            // Every worker is under way (one acknowledged command each), then a random while.
            for (_, stdout) in &mut workers {
                let first = read_acknowledged(stdout, 1);
                assert_eq!(
                    first.len(),
                    1,
                    "{round}: a worker died before its first command"
                );
                acknowledged.extend(first);
            }
            std::thread::sleep(Duration::from_millis(50 + rng.next(200)));
            cluster.kill();
            // The workers' next command fails (the server is gone) and they end.
            for (mut child, mut stdout) in workers {
                acknowledged.extend(rest_acknowledged(&mut stdout));
                let status = child.wait().unwrap();
                assert!(status.success(), "{round}: a worker failed: {status:?}");
            }
            cluster.restart();
            check_acknowledged(&open(&target), &ids, &acknowledged, &round);
        }
    }
}
