//! PostgreSQL-specific behaviour: schema versions, and many connections racing on one order.

use std::sync::atomic::{AtomicU64, Ordering};

use license_inventory::store::conformance::World;
use license_inventory::*;

fn connect() -> Option<Inventory> {
    let url = super::pg_url()?;
    Some(Inventory::new(PostgresStore::connect(&url).unwrap()))
}

#[test]
fn schema_is_current_and_a_bad_url_is_invalid_input() {
    let Some(url) = super::pg_url() else { return };
    let store = PostgresStore::connect(&url).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        license_inventory::store::SCHEMA_VERSION
    );
    let err = PostgresStore::connect("host=/nonexistent port=notaport").unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT", "{err}");
}

/// 16 threads, each with its own store (its own connections), race to draw 100 units.
#[test]
fn sixteen_stores_on_one_database_draw_exactly_the_stock() {
    let Some(inv) = connect() else { return };
    let w = World::new(inv, 1);
    let stock = w.stock(&w.ellen, &w.cl, 100);
    let (tenant, irina, ellen, mga, cl) =
        (w.tenant.id, w.irina.user(), w.ellen.id, w.mga.id, w.cl.id);
    let drawn = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for _ in 0..16 {
            scope.spawn(|| {
                let session = connect().unwrap().session(tenant, irina).unwrap();
                for _ in 0..8 {
                    match session.assign(NewAssignment::new(ellen, mga, cl, 1)) {
                        Ok(o) => {
                            drawn.fetch_add(o.approved_quantity, Ordering::SeqCst);
                        }
                        Err(Error::InsufficientInventory { .. }) => {}
                        Err(e) => panic!("unexpected: {e}"),
                    }
                }
            });
        }
    });
    assert_eq!(drawn.load(Ordering::SeqCst), 100);
    let stock = w.vera.order(stock.id).unwrap().order;
    assert_eq!((stock.available, stock.drawn), (0, 100));
    w.assert_clean();
}

/// A backend terminated (`pg_terminate_backend`) in the middle of a transaction that has
/// already moved units leaves no partial movement behind.
#[test]
fn a_terminated_backend_leaves_no_partial_movement() {
    use std::sync::Arc;
    use std::sync::mpsc;

    let Some(url) = super::pg_url() else { return };
    let app = format!("li_terminate_{}", std::process::id());
    let store = Arc::new(PostgresStore::connect(&format!("{url} application_name={app}")).unwrap());
    let inv = Inventory::from_store(store.clone());
    let w = World::new(inv, 1);
    let stock = w.stock(&w.ellen, &w.cl, 10);
    let tenant = w.tenant.id;

    let (ready, wait) = mpsc::channel();
    let writer = std::thread::spawn(move || {
        store.write(&mut |tx| {
            // Half a draw: units leave the source, nothing arrives anywhere.
            let mut o = tx.order(tenant, stock.id)?.unwrap();
            o.available -= 5;
            o.drawn += 5;
            tx.update_order(&o)?;
            let _ = ready.send(());
            std::thread::sleep(std::time::Duration::from_secs(5));
            tx.order(tenant, stock.id).map(|_| ())
        })
    });
    wait.recv().unwrap();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let killed = admin
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = $1 AND state = 'idle in transaction'",
            &[&app],
        )
        .unwrap();
    assert_eq!(
        killed.len(),
        1,
        "exactly the writer's backend is terminated"
    );
    let result = writer.join().unwrap();
    let err = result.unwrap_err();
    assert_eq!(err.code(), "STORAGE", "{err}");
    let o = w.vera.order(stock.id).unwrap().order;
    assert_eq!(
        (o.available, o.drawn),
        (10, 0),
        "no partial movement survives"
    );
    w.assert_clean();
    // The store recovers: the next command gets a fresh connection.
    assert!(
        w.irina
            .assign(NewAssignment::new(w.ellen.id, w.mga.id, w.cl.id, 2))
            .is_ok()
    );
    w.assert_clean();
}

/// Passwords are stored only as Argon2id hashes, on PostgreSQL too.
#[test]
fn passwords_never_reach_postgres_in_plain_text() {
    let Some(url) = super::pg_url() else { return };
    let w = World::new(connect().unwrap(), 1);
    let o = w.center_order(&w.cl, 1);
    let secret = format!("Plain-Secret-{}", std::process::id());
    let u = w
        .erin
        .add_license_user(
            o.id,
            NewLicenseUser {
                email: "pg@elerome.example".into(),
                name: None,
                password: Some(secret.clone()),
            },
        )
        .unwrap();
    assert!(
        w.inv
            .verify_license_user_password(w.tenant.id, u.id, &secret)
            .unwrap()
    );
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let tables: Vec<String> = raw
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for table in tables {
        // Every row as text: the secret must appear nowhere.
        let hits: i64 = raw
            .query_one(
                &format!("SELECT COUNT(*) FROM {table} t WHERE strpos(t::text, $1) > 0"),
                &[&secret],
            )
            .unwrap()
            .get(0);
        assert_eq!(hits, 0, "{table} holds the plain password");
    }
    let hash: String = raw
        .query_one(
            "SELECT password_hash FROM license_users WHERE id = $1",
            &[&u.id.to_string()],
        )
        .unwrap()
        .get(0);
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}

/// A database of its own on the test cluster, dropped when the test is done: for the upgrade
/// tests, which take a whole database back to an older schema.
struct OwnDatabase {
    admin: postgres::Client,
    name: String,
    url: String,
}

impl OwnDatabase {
    fn new(url: &str, tag: &str) -> Self {
        let name = format!("li_{tag}_{}", std::process::id());
        let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
        // One statement per call: DROP and CREATE DATABASE refuse to run in a transaction block.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let url = url
            .split_whitespace()
            .map(|kv| {
                if kv.starts_with("dbname=") {
                    format!("dbname={name}")
                } else {
                    kv.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        OwnDatabase { admin, name, url }
    }

    fn raw(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }
}

impl Drop for OwnDatabase {
    fn drop(&mut self) {
        // A failed test's database is dropped too; a failure to drop it must not hide that.
        let _ = self.admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

/// Migration 0005 on PostgreSQL: in a database of its own, orders written at version 4 (no
/// folded column) are found by a non-ASCII search after the upgrade's backfill.
#[test]
fn upgrade_to_5_folds_existing_purchase_orders() {
    let Some(url) = super::pg_url() else { return };
    let db = OwnDatabase::new(&url, "upgrade");
    let w = World::new(Inventory::new(PostgresStore::connect(&db.url).unwrap()), 1);
    w.stock(&w.ellen, &w.cl, 10);
    for po in ["ÉCOLE-Ü-1", "straße-2"] {
        w.irina
            .request(NewRequest::new(w.mga.id, w.cl.id, 1).purchase_order(po))
            .unwrap();
    }
    let (tenant, mga, irina) = (w.tenant.id, w.mga.id, w.irina.user());
    drop(w);
    db.raw()
        .batch_execute(&super::downgrade_to(4, false))
        .unwrap();
    let inv = Inventory::new(PostgresStore::connect(&db.url).unwrap());
    let s = inv.session(tenant, irina).unwrap();
    let found = |needle: &str| {
        let f = InventoryFilter {
            purchase_order: Some(needle.into()),
            ..Default::default()
        };
        s.list(mga, &f, None, 10).unwrap().items.len()
    };
    assert_eq!(
        (found("école-ü"), found("STRAßE"), found("strasse")),
        (1, 1, 0)
    );
}

/// The foreign keys of a database, as `table: definition`.
fn foreign_keys(raw: &mut postgres::Client) -> std::collections::BTreeSet<String> {
    raw.query(
        "SELECT conrelid::regclass::text || ': ' || pg_get_constraintdef(oid) \
         FROM pg_constraint WHERE contype = 'f'",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// Migration 0015 (docs/decisions.md §59): a database at version 14 upgrades to a schema
/// without the eight foreign keys of the hot tables, and with every other foreign key it had
/// (the inventory's references among them); its audit is clean and a new pair chains on.
#[test]
fn upgrade_to_15_drops_only_the_hot_tables_foreign_keys() {
    let Some(url) = super::pg_url() else { return };
    let db = OwnDatabase::new(&url, "hot_keys");
    let w = World::new(Inventory::new(PostgresStore::connect(&db.url).unwrap()), 1);
    w.stock(&w.ellen, &w.cl, 10);
    let (tenant, irina, mga, cl) = (w.tenant.id, w.irina.user(), w.mga.id, w.cl.id);
    drop(w);
    let mut raw = db.raw();
    let current = foreign_keys(&mut raw);
    raw.batch_execute(&super::downgrade_to(14, false)).unwrap();
    let at_14 = foreign_keys(&mut raw);
    drop(raw);
    let inv = Inventory::new(PostgresStore::connect(&db.url).unwrap());
    let upgraded = foreign_keys(&mut db.raw());
    assert_eq!(
        upgraded, current,
        "the upgrade gives the schema of a new database"
    );
    let dropped: Vec<&String> = at_14.difference(&upgraded).collect();
    assert_eq!(
        dropped,
        [
            "draws: FOREIGN KEY (tenant) REFERENCES tenants(id)",
            "ledger: FOREIGN KEY (tenant) REFERENCES tenants(id)",
            "notifications: FOREIGN KEY (recipient) REFERENCES users(id)",
            "notifications: FOREIGN KEY (tenant) REFERENCES tenants(id)",
            "orders: FOREIGN KEY (tenant) REFERENCES tenants(id)",
            "org_counts: FOREIGN KEY (org) REFERENCES organizations(id)",
            "org_counts: FOREIGN KEY (product) REFERENCES products(id)",
            "org_counts: FOREIGN KEY (tenant) REFERENCES tenants(id)",
        ]
    );
    assert!(
        upgraded.contains("orders: FOREIGN KEY (product) REFERENCES products(id)")
            && upgraded.contains("draws: FOREIGN KEY (source_order) REFERENCES orders(id)"),
        "the inventory's references keep their foreign keys: {upgraded:?}"
    );
    let s = inv.session(tenant, irina).unwrap();
    let req = s.request(NewRequest::new(mga, cl, 1)).unwrap();
    s.approve(req.id, None, None).unwrap();
    let audit = inv.audit(tenant).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
}

/// The ledger's primary key, as PostgreSQL prints it.
fn ledger_pkey(raw: &mut postgres::Client) -> String {
    raw.query_one(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conrelid = 'ledger'::regclass AND contype = 'p'",
        &[],
    )
    .unwrap()
    .get(0)
}

/// The ledger's primary key, and how many of its rows hold the key `ledger_base × 2^40 + seq`
/// of their tenant, against how many rows there are.
fn ledger_keys(raw: &mut postgres::Client) -> (String, i64, i64) {
    let pkey = ledger_pkey(raw);
    let keyed: i64 = raw
        .query_one(
            "SELECT COUNT(*) FROM ledger AS l JOIN tenants AS t ON t.id = l.tenant \
             WHERE l.key = t.ledger_base * 1099511627776 + l.seq",
            &[],
        )
        .unwrap()
        .get(0);
    let rows: i64 = raw
        .query_one("SELECT COUNT(*) FROM ledger", &[])
        .unwrap()
        .get(0);
    (pkey, keyed, rows)
}

/// Migration 0017 keys PostgreSQL's ledger by one integer, as 0016 does SQLite's
/// (docs/decisions.md §65): a version-16 database with two tenants comes out with every entry
/// keyed by its tenant's number and seq; each ledger reads as before, audits clean and takes
/// the next write, and a tenant created after the upgrade takes the next number.
#[test]
fn upgrade_to_17_keys_the_ledger_by_one_integer() {
    let Some(url) = super::pg_url() else { return };
    let db = OwnDatabase::new(&url, "ledger_keys");
    let a = World::new(Inventory::new(PostgresStore::connect(&db.url).unwrap()), 1);
    let b = World::new(a.inv.clone(), 1);
    for w in [&a, &b, &a] {
        w.stock(&w.ellen, &w.cl, 4);
    }
    let ledgers =
        |inv: &Inventory| [a.tenant.id, b.tenant.id].map(|t| inv.ledger(t, 0, MAX_PAGE).unwrap());
    let before = ledgers(&a.inv);
    let mut raw = db.raw();
    let fresh = ledger_keys(&mut raw);
    assert_eq!(fresh.0, "PRIMARY KEY (key)");
    assert_eq!(fresh.1, fresh.2);
    raw.batch_execute(&super::downgrade_to(16, false)).unwrap();
    assert_eq!(ledger_pkey(&mut raw), "PRIMARY KEY (tenant, seq)");
    drop(raw);

    let inv = Inventory::new(PostgresStore::connect(&db.url).unwrap());
    assert_eq!(ledgers(&inv), before);
    let mut raw = db.raw();
    assert_eq!(ledger_keys(&mut raw), fresh, "after the upgrade");
    let s = inv.session(a.tenant.id, a.irina.user()).unwrap();
    let req = s.request(NewRequest::new(a.mga.id, a.cl.id, 1)).unwrap();
    s.approve(req.id, None, None).unwrap();
    let c = World::new(inv.clone(), 1);
    c.stock(&c.ellen, &c.cl, 2);
    let bases: Vec<i64> = raw
        .query("SELECT ledger_base FROM tenants ORDER BY ledger_base", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(bases, [1, 2, 3]);
    let (_, keyed, rows) = ledger_keys(&mut raw);
    assert_eq!(keyed, rows);
    for t in [a.tenant.id, b.tenant.id, c.tenant.id] {
        let audit = inv.audit(t).unwrap();
        assert!(audit.is_clean(), "{:?}", audit.problems);
    }
    assert_eq!(ledgers(&inv)[1], before[1], "b's ledger did not move");
}

/// A request and an approval each cost a handful of round trips to the server (issue 10: at
/// most 6; docs/decisions.md §41, §64, §69): counted by the store itself, after two pairs have
/// prepared the statements on the connection. The group's `BEGIN` carries the tenant's lock; a
/// command's writes go out without waiting, and their answer comes with the `COMMIT`'s.
#[test]
fn a_request_takes_two_round_trips_and_an_approval_three() {
    use std::sync::Arc;
    let Some(url) = super::pg_url() else { return };
    let store = Arc::new(
        PostgresStore::connect_with(
            &url,
            PostgresOptions {
                max_connections: 1,
                ..PostgresOptions::default()
            },
        )
        .unwrap(),
    );
    let w = World::new(Inventory::from_store(store.clone()), 1);
    w.stock(&w.ellen, &w.cl, 100);
    let pair = || {
        let before = store.round_trips();
        let req = w
            .irina
            .request(NewRequest::new(w.mga.id, w.cl.id, 1))
            .unwrap();
        let request = store.round_trips() - before;
        let before = store.round_trips();
        w.irina.approve(req.id, None, None).unwrap();
        (request, store.round_trips() - before)
    };
    pair();
    pair();
    let (request, approve) = pair();
    println!("round trips: request {request}, approve {approve}");
    assert!(request <= 2, "a request took {request} round trips");
    assert!(approve <= 3, "an approval took {approve} round trips");
    w.assert_clean();
}

/// The directory cache of one store never hides a change made through another store on the
/// same database (another application server): see `directory_changes_are_seen`.
#[test]
fn a_directory_change_by_another_store_is_seen_at_once() {
    let Some(a) = connect() else { return };
    let Some(b) = connect() else { return };
    let w = World::new(a, 1);
    super::directory_changes_are_seen(&w, &b);
}

/// A store with a connection for each of 16 writers, and a world on it whose lot holds 1,000
/// units: for the group-commit tests.
fn grouped_world() -> Option<(std::sync::Arc<PostgresStore>, World)> {
    let url = super::pg_url()?;
    let options = PostgresOptions {
        max_connections: 16,
        ..PostgresOptions::default()
    };
    let store = std::sync::Arc::new(PostgresStore::connect_with(&url, options).unwrap());
    let w = World::new(Inventory::from_store(store.clone()), 1);
    w.stock(&w.ellen, &w.cl, 1_000);
    Some((store, w))
}

/// Group commit on PostgreSQL (docs/decisions.md §42): see `writers_share_commits`; the audit
/// is clean after.
#[test]
fn concurrent_writers_of_a_tenant_share_commits() {
    let Some((store, w)) = grouped_world() else {
        return;
    };
    super::writers_share_commits(&w, || store.commit_counts());
    w.assert_clean();
}

/// A command that fails after moving the locked tenant leaves nothing to the rest of its
/// group (docs/decisions.md §58): see `failed_commands_do_not_leak_into_their_group`.
#[test]
fn a_failed_command_leaves_its_group_the_tenant_as_it_was() {
    let Some((store, w)) = grouped_world() else {
        return;
    };
    super::failed_commands_do_not_leak_into_their_group(&w, || store.commit_counts());
    w.assert_clean();
}

/// A group size of 0, or above `MAX_GROUP`, is refused, typed, before connecting.
#[test]
fn a_group_size_out_of_range_is_invalid_input() {
    let Some(url) = super::pg_url() else { return };
    for group_commit in [0, license_inventory::store::MAX_GROUP + 1] {
        let options = PostgresOptions {
            group_commit,
            ..PostgresOptions::default()
        };
        match PostgresStore::connect_with(&url, options) {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "group_commit"),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }
}
