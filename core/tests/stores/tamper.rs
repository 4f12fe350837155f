//! Tampering with a store behind the library's back, on SQLite and PostgreSQL: each test edits
//! the database with plain SQL and expects `audit` (or `audit_against` with a checkpoint) to
//! fail, naming the first bad ledger entry or the table and row (docs/decisions.md §38).

use license_inventory::store::conformance::World;
use license_inventory::*;

/// Plain SQL on the store's database, in the common subset of SQLite and PostgreSQL.
pub trait Raw {
    /// Runs statements.
    fn exec(&mut self, sql: &str);
    /// An id as the store keeps it, as an SQL literal: 16 bytes on SQLite (migration 0014),
    /// hyphenated text on PostgreSQL.
    fn id(&self, id: &dyn std::fmt::Display) -> String;
    /// The statement that turns this connection's foreign-key checks off, as anyone with
    /// access to the database can.
    fn foreign_keys_off(&self) -> &'static str;
}

/// A tenant with a ledger that moves units, issues and activates licenses, adds a license
/// user and a manager; returns the world, a license and the license user's id.
pub(crate) fn world(inv: Inventory) -> (World, License, LicenseUserId) {
    let w = World::new(inv, 1);
    let order = w.center_order(&w.cl, 5);
    let licenses = w.erin.issue(order.id, 2).unwrap();
    let license = licenses.first().unwrap().clone();
    w.inv
        .activate(w.tenant.id, license.key.as_str(), "pc-1", "Front desk")
        .unwrap();
    let user = w
        .erin
        .add_license_user(
            order.id,
            NewLicenseUser {
                email: "lu@example.com".into(),
                name: Some("Lu".into()),
                password: None,
            },
        )
        .unwrap();
    w.assert_clean();
    (w, license, user.id)
}

fn newest(w: &World) -> u64 {
    w.inv
        .ledger(w.tenant.id, 0, MAX_PAGE)
        .unwrap()
        .last()
        .unwrap()
        .seq
}

fn problems(w: &World) -> Vec<String> {
    let audit = w.inv.audit(w.tenant.id).unwrap();
    assert!(!audit.is_clean(), "the audit missed the tampering");
    audit.problems
}

#[track_caller]
fn expect(problems: &[String], needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "no problem says {needle:?}: {problems:#?}"
    );
}

/// The seq of the first entry that moves units (the vendor's assignment to Ellen).
fn first_movement(w: &World) -> LedgerEntry {
    w.inv
        .ledger(w.tenant.id, 0, MAX_PAGE)
        .unwrap()
        .into_iter()
        .find(|e| !e.movements.is_empty())
        .unwrap()
}

pub fn delete_newest(inv: Inventory, raw: &mut dyn Raw) {
    let (w, _, _) = world(inv);
    let last = newest(&w);
    raw.exec(&format!(
        "DELETE FROM ledger WHERE tenant = {} AND seq = {last}",
        raw.id(&w.tenant.id)
    ));
    expect(
        &problems(&w),
        &format!("ledger truncated: the tenant's head is entry {last}"),
    );
    expect(&problems(&w), &format!("entry {last} is the first missing"));
}

/// Deleting the newest entry and moving the tenant's head back with it still shows: the rows
/// no longer match the digest of the (new) newest entry.
pub fn delete_newest_and_move_the_head(inv: Inventory, raw: &mut dyn Raw) {
    let (w, _, _) = world(inv);
    let last = newest(&w);
    let t = raw.id(&w.tenant.id);
    raw.exec(&format!(
        "DELETE FROM ledger WHERE tenant = {t} AND seq = {last}"
    ));
    raw.exec(&format!(
        "UPDATE tenants SET ledger_seq = {prev}, ledger_hash = \
         (SELECT hash FROM ledger WHERE tenant = {t} AND seq = {prev}) WHERE id = {t}",
        prev = last - 1
    ));
    // The deleted entry added the license user.
    expect(
        &problems(&w),
        &format!(
            "table license_users: the rows differ from the digest recorded by ledger entry {}",
            last - 1
        ),
    );
}

pub fn delete_a_middle_entry(inv: Inventory, raw: &mut dyn Raw) {
    let (w, _, _) = world(inv);
    raw.exec(&format!(
        "DELETE FROM ledger WHERE tenant = {} AND seq = 5",
        raw.id(&w.tenant.id)
    ));
    let p = problems(&w);
    expect(&p, "ledger sequence gap before entry 6: entry 5 is missing");
    expect(&p, "ledger entry 6 fails its hash chain");
}

pub fn edit_a_payload(inv: Inventory, raw: &mut dyn Raw) {
    let (w, _, _) = world(inv);
    let e = first_movement(&w);
    let m = e.movements.first().unwrap();
    // Move one unit less into the order, and one more out of the source: still balanced.
    raw.exec(&format!(
        "UPDATE ledger SET movements = replace(movements, '\"available\":{}', '\"available\":{}') \
         WHERE tenant = {} AND seq = {}",
        m.available,
        m.available + 1,
        raw.id(&w.tenant.id),
        e.seq
    ));
    let edited = w.inv.ledger(w.tenant.id, e.seq - 1, 1).unwrap();
    assert_ne!(
        edited.first().unwrap().movements,
        e.movements,
        "the edit took"
    );
    expect(
        &problems(&w),
        &format!("ledger entry {} fails its hash chain", e.seq),
    );
}

pub fn edit_an_actor(inv: Inventory, raw: &mut dyn Raw) {
    let (w, _, _) = world(inv);
    let e = first_movement(&w);
    raw.exec(&format!(
        "UPDATE ledger SET actor = {} WHERE tenant = {} AND seq = {}",
        raw.id(&w.irina.user()),
        raw.id(&w.tenant.id),
        e.seq
    ));
    expect(
        &problems(&w),
        &format!("ledger entry {} fails its hash chain", e.seq),
    );
}

pub fn edit_an_orders_quantities(inv: Inventory, raw: &mut dyn Raw) {
    let (w, _, _) = world(inv);
    let order = w.center_order(&w.uac, 3);
    raw.exec(&format!(
        "UPDATE orders SET approved_quantity = approved_quantity + 10, available = available + 10 \
         WHERE id = {}",
        raw.id(&order.id)
    ));
    let p = problems(&w);
    expect(&p, &format!("order {}: ledger replays to", order.number));
    expect(&p, "table orders: the rows differ");
}

pub fn edit_a_license_status(inv: Inventory, raw: &mut dyn Raw) {
    let (w, license, _) = world(inv);
    raw.exec(&format!(
        "UPDATE licenses SET status = 'disabled' WHERE id = {}",
        raw.id(&license.id)
    ));
    assert_eq!(
        w.erin.license(license.key.as_str()).unwrap().status,
        LicenseStatus::Disabled,
        "the edit took"
    );
    expect(
        &problems(&w),
        &format!(
            "table licenses: the rows differ from the digest recorded by ledger entry {}",
            newest(&w)
        ),
    );
    // It stays visible after the library writes again.
    w.advance(1);
    w.stock(&w.ellen, &w.uac, 1);
    expect(&problems(&w), "table licenses: the rows differ");
}

pub fn edit_a_license_user(inv: Inventory, raw: &mut dyn Raw) {
    let (w, _, user) = world(inv);
    raw.exec(&format!(
        "UPDATE license_users SET name = 'Mallory' WHERE id = {}",
        raw.id(&user)
    ));
    expect(&problems(&w), "table license_users: the rows differ");
}

pub fn insert_a_forged_entry(inv: Inventory, raw: &mut dyn Raw) {
    let (w, _, _) = world(inv);
    let t = w.tenant.id;
    let tenant = raw.id(&t);
    let last = newest(&w);
    // A well-formed, correctly chained entry: only the head shows it is not the library's.
    let mut forged = w.inv.ledger(t, last - 1, 1).unwrap().pop().unwrap();
    forged.prev_hash = forged.hash.clone();
    forged.seq = last + 1;
    forged.hash = forged.compute_hash();
    raw.exec(&format!(
        "INSERT INTO ledger (key, tenant, seq, recorded_at, actor, kind, order_id, org, minted, \
         movements, prev_hash, hash, retired, state) \
         SELECT key + 1, tenant, {seq}, recorded_at, actor, kind, order_id, org, minted, movements, \
         '{prev}', '{hash}', retired, state FROM ledger WHERE tenant = {tenant} AND seq = {last}",
        seq = forged.seq,
        prev = forged.prev_hash,
        hash = forged.hash,
    ));
    assert_eq!(newest(&w), last + 1, "the forged entry is in");
    expect(
        &problems(&w),
        &format!(
            "ledger entry {} is past the tenant's head (entry {last})",
            last + 1
        ),
    );
}

/// An edit with the whole chain recomputed after it (and the head moved to match) passes the
/// plain audit: SHA-256 is public. A checkpoint signed before the edit catches it.
pub fn recompute_the_chain_after_an_edit(inv: Inventory, raw: &mut dyn Raw) {
    let (w, _, _) = world(inv);
    let t = w.tenant.id;
    let key = generate_signing_key().unwrap();
    let checkpoint = w.inv.checkpoint(t, &key).unwrap();
    assert!(
        w.inv
            .audit_against(t, std::slice::from_ref(&checkpoint), &key.verifying_key())
            .unwrap()
            .is_clean()
    );
    // Some more work after the checkpoint.
    w.advance(1);
    w.stock(&w.ellen, &w.uac, 1);
    let tenant = raw.id(&t);
    // Rewrite entry 3's actor and recompute every hash from there.
    let mut entries = w.inv.ledger(t, 0, MAX_PAGE).unwrap();
    let mut prev = GENESIS_HASH.to_owned();
    for e in &mut entries {
        if e.seq == 3 {
            e.actor = Some(w.irina.user());
        }
        e.prev_hash = prev.clone();
        e.hash = e.compute_hash();
        prev = e.hash.clone();
        raw.exec(&format!(
            "UPDATE ledger SET actor = {actor}, prev_hash = '{}', hash = '{}' \
             WHERE tenant = {tenant} AND seq = {}",
            e.prev_hash,
            e.hash,
            e.seq,
            actor = e.actor.map_or("NULL".to_owned(), |a| raw.id(&a)),
        ));
    }
    let last = entries.last().unwrap();
    raw.exec(&format!(
        "UPDATE tenants SET ledger_seq = {}, ledger_hash = '{}' WHERE id = {tenant}",
        last.seq, last.hash
    ));
    // The plain audit cannot tell.
    let plain = w.inv.audit(t).unwrap();
    assert!(plain.is_clean(), "{:?}", plain.problems);
    // The checkpoint can.
    let anchored = w
        .inv
        .audit_against(t, std::slice::from_ref(&checkpoint), &key.verifying_key())
        .unwrap();
    assert!(!anchored.is_clean());
    expect(
        &anchored.problems,
        &format!(
            "ledger entry {} no longer has the hash a checkpoint signed",
            checkpoint.seq
        ),
    );
    // A checkpoint under another key proves nothing, and says so.
    let other = generate_signing_key().unwrap().verifying_key();
    let wrong = w.inv.audit_against(t, &[checkpoint], &other).unwrap();
    expect(&wrong.problems, "signature does not verify");
}

/// The summary counters are not digested rows but figures the audit recomputes from the
/// orders (docs/decisions.md §41): a counter edited behind the library's back is named by its
/// organization and product.
pub fn edit_a_summary_counter(inv: Inventory, raw: &mut dyn Raw) {
    let (w, _, _) = world(inv);
    raw.exec(&format!(
        "UPDATE org_counts SET available = available + 7 WHERE tenant = {} AND org = {}",
        raw.id(&w.tenant.id),
        raw.id(&w.mga.id)
    ));
    expect(
        &problems(&w),
        &format!("summary counters of organization {}", w.mga.id),
    );
}

/// PostgreSQL has no foreign key from the counters to organizations (docs/decisions.md §59):
/// a counter line of an organization that does not exist, written behind the library's back
/// (here with foreign-key checks off, so that SQLite's key does not stop it either), is named
/// by the audit like any other line its orders do not add up to.
pub fn insert_a_counter_of_a_missing_organization(inv: Inventory, raw: &mut dyn Raw) {
    let (w, _, _) = world(inv);
    let ghost = OrgId::new();
    raw.exec(&format!(
        "{} INSERT INTO org_counts (tenant, org, product, orders, held, available, \
         pending_requests, pending_units, incoming_requests, incoming_units) \
         VALUES ({}, {}, {}, 1, 5, 5, 0, 0, 0, 0)",
        raw.foreign_keys_off(),
        raw.id(&w.tenant.id),
        raw.id(&ghost),
        raw.id(&w.cl.id)
    ));
    expect(
        &problems(&w),
        &format!("summary counters of organization {ghost}"),
    );
}

/// One test per scenario for a store given by `$setup` (an `Option<(Inventory, Box<dyn Raw>)>`;
/// `None` when the store is unavailable, which the setup reports as skipped).
macro_rules! tamper_tests {
    ($setup:expr) => {
        tamper_tests!(@each $setup;
            delete_newest, delete_newest_and_move_the_head, delete_a_middle_entry,
            edit_a_payload, edit_an_actor, edit_an_orders_quantities, edit_a_license_status,
            edit_a_license_user, insert_a_forged_entry, recompute_the_chain_after_an_edit,
            edit_a_summary_counter, insert_a_counter_of_a_missing_organization);
    };
    (@each $setup:expr; $($name:ident),*) => {$(
        #[test]
        fn $name() {
            let Some((inv, mut raw)) = $setup else { return };
            super::$name(inv, &mut *raw);
        }
    )*};
}

/// A connection of its own to the store's file (and the directory that holds it).
struct Sqlite {
    conn: rusqlite::Connection,
    _dir: tempfile::TempDir,
}

impl Raw for Sqlite {
    fn exec(&mut self, sql: &str) {
        self.conn.execute_batch(sql).unwrap();
    }
    fn id(&self, id: &dyn std::fmt::Display) -> String {
        format!("X'{}'", id.to_string().replace('-', ""))
    }
    fn foreign_keys_off(&self) -> &'static str {
        "PRAGMA foreign_keys = OFF;"
    }
}

fn sqlite() -> Option<(Inventory, Box<dyn Raw>)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.db");
    let inv = Inventory::open_sqlite(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    Some((inv, Box::new(Sqlite { conn, _dir: dir })))
}

#[cfg(license_inventory_pg)]
struct Postgres(postgres::Client);

#[cfg(license_inventory_pg)]
impl Raw for Postgres {
    fn exec(&mut self, sql: &str) {
        self.0.batch_execute(sql).unwrap();
    }
    fn id(&self, id: &dyn std::fmt::Display) -> String {
        format!("'{id}'")
    }
    fn foreign_keys_off(&self) -> &'static str {
        // Foreign keys are triggers, which a replica's session does not fire.
        "SET session_replication_role = replica;"
    }
}

#[cfg(license_inventory_pg)]
fn postgres() -> Option<(Inventory, Box<dyn Raw>)> {
    let url = super::pg_url()?;
    let inv = Inventory::new(PostgresStore::connect(&url).unwrap());
    let client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    Some((inv, Box::new(Postgres(client))))
}

mod sqlite {
    tamper_tests!(super::sqlite());
}

#[cfg(license_inventory_pg)]
mod postgres_tamper {
    tamper_tests!(super::postgres());
}
