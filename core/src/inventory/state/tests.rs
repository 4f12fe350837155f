//! The hashing helpers compute the same bytes as the plain statement of them (the way they
//! were first written): a faster helper must never change a digest or a ledger hash, or
//! existing stores would no longer audit clean.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Digest32, LastWritten, Row, TableDigests, from_hex, to_hex};
use crate::ids::{OrderId, OrderNumber, OrgId, ProductId, TenantId, UserId};
use crate::ledger::{LedgerEntry, LedgerKind, Movement};
use crate::order::{Draw, Order};

/// `Row::hash` as first written: the key through `Display`, the JSON in a buffer.
fn plain_row_hash(row: Row, content: &impl Serialize) -> Digest32 {
    let key = match row {
        Row::Org(id) => id.to_string(),
        Row::User(id) => id.to_string(),
        Row::Admin(user, org) => format!("{user}/{org}"),
        Row::Product(id) => id.to_string(),
        Row::Bundle(id) => id.to_string(),
        Row::Order(id) => id.to_string(),
        Row::Draw(order, source) => format!("{order}/{source}"),
        Row::License(id) => id.to_string(),
        Row::LicenseUser(id) => id.to_string(),
        Row::Manager(order, user) => format!("{order}/{user}"),
    };
    let json = serde_json::to_vec(content).unwrap();
    let mut h = Sha256::new();
    h.update(row.table().as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    h.update([0]);
    h.update(&json);
    h.finalize().into()
}

/// `to_hex` as first written.
fn plain_to_hex(digests: &TableDigests) -> BTreeMap<String, String> {
    digests
        .iter()
        .filter(|(_, d)| **d != [0; 32])
        .map(|(t, d)| {
            let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
            ((*t).to_owned(), hex)
        })
        .collect()
}

/// `from_hex` as first written.
fn plain_from_hex(state: &BTreeMap<String, String>) -> Option<TableDigests> {
    let mut out = TableDigests::new();
    for (table, hex) in state {
        let table = super::TABLES.iter().find(|t| **t == table.as_str())?;
        let mut d = [0u8; 32];
        if hex.len() != 64 {
            return None;
        }
        for (i, byte) in d.iter_mut().enumerate() {
            let pair = hex.get(i * 2..i * 2 + 2)?;
            *byte = u8::from_str_radix(pair, 16).ok()?;
        }
        out.insert(table, d);
    }
    Some(out)
}

/// `LedgerEntry::compute_hash` as first written.
fn plain_entry_hash(e: &LedgerEntry) -> String {
    #[derive(Serialize)]
    struct Content<'a> {
        tenant: &'a TenantId,
        seq: u64,
        at: String,
        actor: &'a Option<UserId>,
        kind: LedgerKind,
        order: &'a Option<OrderId>,
        org: &'a Option<OrgId>,
        minted: u64,
        retired: u64,
        movements: &'a [Movement],
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        state: &'a BTreeMap<String, String>,
        prev_hash: &'a str,
    }
    let bytes = serde_json::to_vec(&Content {
        tenant: &e.tenant,
        seq: e.seq,
        at: crate::time::format(e.at),
        actor: &e.actor,
        kind: e.kind,
        order: &e.order,
        org: &e.org,
        minted: e.minted,
        retired: e.retired,
        movements: &e.movements,
        state: &e.state,
        prev_hash: &e.prev_hash,
    })
    .unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn at(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap()
}

/// An order whose text needs escaping in JSON (quotes, backslashes, control characters,
/// non-ASCII), long enough to span several SHA-256 blocks.
fn order() -> Order {
    let mut o = Order::new_request(
        TenantId::new(),
        OrderNumber(1210),
        ProductId::new(),
        OrgId::new(),
        Some(OrgId::new()),
        Some(UserId::new()),
        3,
        at(1_764_633_600_123_456),
    );
    o.purchase_order = Some("EE\"2017\"-1 \\ tab\there\u{1} é 日本".into());
    o.requester_comments = Some("x".repeat(300));
    o
}

#[test]
fn row_hashes_are_the_plain_ones() {
    let o = order();
    let (t, u, org) = (o.tenant, UserId::new(), OrgId::new());
    let draw = Draw {
        tenant: t,
        order: o.id,
        source_order: OrderId::new(),
        quantity: 2,
        at: at(0),
    };
    let cases: Vec<(Row, Digest32)> = vec![
        (Row::Order(o.id), Row::Order(o.id).hash(&o).unwrap()),
        (
            Row::Draw(draw.order, draw.source_order),
            Row::Draw(draw.order, draw.source_order)
                .hash(&draw)
                .unwrap(),
        ),
        (Row::Admin(u, org), Row::Admin(u, org).hash(&()).unwrap()),
        (
            Row::Manager(o.id, u),
            Row::Manager(o.id, u).hash(&(1, "two")).unwrap(),
        ),
        (Row::Org(org), Row::Org(org).hash(&"org").unwrap()),
    ];
    for (row, fast) in cases {
        let content_hash = match row {
            Row::Order(_) => plain_row_hash(row, &o),
            Row::Draw(..) => plain_row_hash(row, &draw),
            Row::Admin(..) => plain_row_hash(row, &()),
            Row::Manager(..) => plain_row_hash(row, &(1, "two")),
            _ => plain_row_hash(row, &"org"),
        };
        assert_eq!(fast, content_hash, "{row:?}");
    }
    assert_eq!(
        Row::Draw(draw.order, draw.source_order).key().to_string(),
        format!("{}/{}", draw.order, draw.source_order)
    );
    assert_eq!(Row::Order(o.id).key().to_string(), o.id.to_string());
}

#[test]
fn hex_is_the_plain_hex() {
    let mut digests = TableDigests::new();
    for (i, t) in super::TABLES.iter().enumerate() {
        let mut d = [0u8; 32];
        for (j, b) in d.iter_mut().enumerate() {
            *b = u8::try_from((i * 37 + j * 11) % 256).unwrap();
        }
        digests.insert(t, d);
    }
    digests.insert("orders", [0; 32]);
    digests.insert("draws", [0xff; 32]);
    let hex = to_hex(&digests);
    assert_eq!(hex, plain_to_hex(&digests));
    assert_eq!(from_hex(&hex), plain_from_hex(&hex));
    let all = (0..=255u8).collect::<Vec<_>>();
    assert_eq!(
        crate::ledger::hex(&all),
        all.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
}

#[test]
fn odd_recorded_hex_reads_as_it_always_did() {
    let good = "0123456789abcdefABCDEF".repeat(3);
    let good = good.get(..64).unwrap();
    let with = |at: usize, s: &str| {
        let mut h = good.to_owned();
        h.replace_range(at..at + s.len(), s);
        h
    };
    let cases = [
        good.to_owned(),
        with(0, "+f"),
        with(10, "+0"),
        with(3, "+"),
        with(4, "-1"),
        with(6, " 1"),
        with(8, "g0"),
        with(2, "é"),
        with(3, "é"),
        with(62, "é"),
        good.get(..62).unwrap().to_owned(),
        format!("{good}00"),
        String::new(),
    ];
    for hex in cases {
        for table in ["orders", "nope"] {
            let state = BTreeMap::from([(table.to_owned(), hex.clone())]);
            assert_eq!(from_hex(&state), plain_from_hex(&state), "{table}: {hex:?}");
        }
    }
}

#[test]
fn entry_hashes_are_the_plain_ones() {
    let o = order();
    let mut e = LedgerEntry {
        tenant: o.tenant,
        seq: 7,
        at: at(1_764_633_600_000_001),
        actor: o.requested_by,
        kind: LedgerKind::Approved,
        order: Some(o.id),
        org: Some(o.holder),
        minted: 0,
        retired: 0,
        movements: vec![Movement {
            order: o.id,
            org: o.holder,
            product: o.product,
            approved: 3,
            drawn: 0,
            issued: 0,
            available: 3,
        }],
        state: BTreeMap::new(),
        prev_hash: crate::ledger::GENESIS_HASH.to_owned(),
        hash: String::new(),
    };
    assert_eq!(e.compute_hash(), plain_entry_hash(&e));
    e.state = BTreeMap::from([
        ("orders".to_owned(), "ab".repeat(32)),
        ("draws".to_owned(), "0f".repeat(32)),
    ]);
    e.prev_hash = e.compute_hash();
    assert_eq!(e.compute_hash(), plain_entry_hash(&e));
}

#[test]
fn rows_hashed_again_keep_their_plain_hash() {
    let mut o = order();
    let row = Row::Order(o.id);
    let first = row.hash(&o).unwrap();
    assert_eq!(row.hash(&o).unwrap(), first);
    o.available = 1;
    assert_eq!(row.hash(&o).unwrap(), plain_row_hash(row, &o));
    assert_ne!(row.hash(&o).unwrap(), first);
    // The same bytes under another row are another hash; more rows than are kept.
    let others: Vec<Row> = (0..20).map(|_| Row::Order(OrderId::new())).collect();
    for r in &others {
        assert_eq!(r.hash(&o).unwrap(), plain_row_hash(*r, &o));
    }
    for r in others.iter().rev() {
        assert_eq!(r.hash(&o).unwrap(), plain_row_hash(*r, &o));
    }
    assert_eq!(row.hash(&o).unwrap(), plain_row_hash(row, &o));
}

#[test]
fn orders_hashed_by_value_keep_their_plain_hash() {
    let mut o = order();
    let first = Row::order_hash(&o).unwrap();
    assert_eq!(first, plain_row_hash(Row::Order(o.id), &o));
    // Found again by value.
    assert_eq!(Row::order_hash(&o.clone()).unwrap(), first);
    // Any change of content is another hash, the plain one: a field, a timestamp's last
    // microsecond, a map entry.
    o.available = 1;
    let changed = Row::order_hash(&o).unwrap();
    assert_ne!(changed, first);
    assert_eq!(changed, plain_row_hash(Row::Order(o.id), &o));
    o.updated_at = at(1_764_633_600_123_457);
    assert_eq!(
        Row::order_hash(&o).unwrap(),
        plain_row_hash(Row::Order(o.id), &o)
    );
    o.metadata.campaign.insert("utm".into(), "x".into());
    assert_eq!(
        Row::order_hash(&o).unwrap(),
        plain_row_hash(Row::Order(o.id), &o)
    );
    // The same content under another id is another row, and more orders than are kept.
    let others: Vec<Order> = (0..20)
        .map(|_| Order {
            id: OrderId::new(),
            ..o.clone()
        })
        .collect();
    for _ in 0..2 {
        for other in &others {
            assert_eq!(
                Row::order_hash(other).unwrap(),
                plain_row_hash(Row::Order(other.id), other)
            );
        }
    }
    // The row cache and the order cache agree.
    assert_eq!(
        Row::Order(o.id).hash(&o).unwrap(),
        Row::order_hash(&o).unwrap()
    );
}

#[test]
fn the_last_written_digests_are_found_only_by_their_successor() {
    let (tenant, other) = (TenantId::new(), TenantId::new());
    let mut digests = TableDigests::new();
    digests.insert("orders", [7; 32]);
    LastWritten::keep(tenant, 41, "aa", &digests);
    assert_eq!(LastWritten::find(tenant, 42, "aa"), Some(digests.clone()));
    // Another hash (an entry 41 written differently), tenant or seq: not these digests.
    assert_eq!(LastWritten::find(tenant, 42, "ab"), None);
    assert_eq!(LastWritten::find(other, 42, "aa"), None);
    assert_eq!(LastWritten::find(tenant, 41, "aa"), None);
    assert_eq!(LastWritten::find(tenant, 43, "aa"), None);
    // A newer entry replaces it; empty digests are never given (such an entry is read).
    LastWritten::keep(other, 9, "bb", &TableDigests::new());
    assert_eq!(LastWritten::find(tenant, 42, "aa"), None);
    assert_eq!(LastWritten::find(other, 10, "bb"), None);
    // At seq u64::MAX there is no successor to find it.
    LastWritten::keep(tenant, u64::MAX, "cc", &digests);
    assert_eq!(LastWritten::find(tenant, 0, "cc"), None);
}
