//! Hand-written peers: what a user might write instead of the library, doing the same
//! bookkeeping per request+approve pair with the same guarantees.
//!
//! A request writes the order row (pending) and a ledger row chained by sha256 to the one
//! before it; an approval draws the unit from the source lot with a conditional update
//! (`available = available - n WHERE available >= n`), activates the order, writes a draw
//! row and a chained ledger row. The "full" peers also take the order number from a counter
//! row and write the notification rows the library writes: three on a request (the
//! requester, the vendor admin, the source's admin), one on an approval (the requester).
//! Every command on SQLite or PostgreSQL is one transaction (`BEGIN IMMEDIATE` on SQLite).

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::now_micros;

/// The notification body the full peers write: a small digest of the order.
fn body(number: i64, quantity: i64) -> String {
    format!(
        r#"{{"number":{number},"product":"Center License","quantity":{quantity},"holder":"MGA","source":"Ellen"}}"#
    )
}

/// The chained hash of a ledger row.
fn chain(prev: &[u8], seq: i64, kind: &str, order: i64, quantity: i64, at: i64) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(kind.as_bytes());
    h.update(order.to_be_bytes());
    h.update(quantity.to_be_bytes());
    h.update(at.to_be_bytes());
    h.finalize().into()
}

/// The memory peer: a `HashMap` of orders, vectors of draws, ledger rows and notifications.
pub mod memory {
    use super::*;

    struct Order {
        number: i64,
        source: i64,
        requested: i64,
        approved: i64,
        active: bool,
        available: i64,
        updated_at: i64,
    }

    struct Ledger {
        seq: i64,
        kind: &'static str,
        order: i64,
        quantity: i64,
        at: i64,
        prev: [u8; 32],
        hash: [u8; 32],
    }

    /// One tenant's books in memory.
    pub struct Peer {
        full: bool,
        orders: HashMap<i64, Order>,
        next_id: i64,
        next_number: i64,
        draws: Vec<(i64, i64, i64, i64)>,
        ledger: Vec<Ledger>,
        notifications: Vec<(i64, &'static str, i64, i64, String)>,
        lot: i64,
    }

    impl Peer {
        /// A lot of `i64::MAX / 2` units to draw from; `full` adds the counter and the
        /// notification rows.
        pub fn new(full: bool) -> Self {
            let mut p = Peer {
                full,
                orders: HashMap::new(),
                next_id: 1,
                next_number: 1,
                draws: Vec::new(),
                ledger: Vec::new(),
                notifications: Vec::new(),
                lot: 0,
            };
            p.lot = p.insert(0, i64::MAX / 2, true);
            p
        }

        fn insert(&mut self, source: i64, quantity: i64, active: bool) -> i64 {
            let id = self.next_id;
            self.next_id += 1;
            let number = if self.full {
                self.next_number += 1;
                self.next_number - 1
            } else {
                id
            };
            self.orders.insert(
                id,
                Order {
                    number,
                    source,
                    requested: quantity,
                    approved: if active { quantity } else { 0 },
                    active,
                    available: if active { quantity } else { 0 },
                    updated_at: now_micros(),
                },
            );
            id
        }

        fn append(&mut self, kind: &'static str, order: i64, quantity: i64, at: i64) -> i64 {
            let (seq, prev) = self
                .ledger
                .last()
                .map_or((1, [0; 32]), |l| (l.seq + 1, l.hash));
            let hash = chain(&prev, seq, kind, order, quantity, at);
            self.ledger.push(Ledger {
                seq,
                kind,
                order,
                quantity,
                at,
                prev,
                hash,
            });
            seq
        }

        fn notify(&mut self, seq: i64, kind: &'static str, recipients: &[i64], order: i64) {
            if self.full {
                let o = &self.orders[&order];
                let b = body(o.number, o.requested);
                for &r in recipients {
                    self.notifications.push((seq, kind, r, order, b.clone()));
                }
            }
        }

        /// Requests `quantity` from the lot; returns the order id.
        pub fn request(&mut self, quantity: i64) -> i64 {
            let at = now_micros();
            let id = self.insert(self.lot, quantity, false);
            let seq = self.append("request", id, quantity, at);
            self.notify(seq, "request_confirmation", &[2], id);
            self.notify(seq, "request_received", &[1, 2], id);
            id
        }

        /// Approves order `id` in full, drawing from its source lot.
        pub fn approve(&mut self, id: i64) {
            let at = now_micros();
            let (source, n) = {
                let o = self.orders.get(&id).unwrap();
                assert!(!o.active, "order {id} is not pending");
                (o.source, o.requested)
            };
            let lot = self.orders.get_mut(&source).unwrap();
            lot.available = lot.available.checked_sub(n).filter(|a| *a >= 0).unwrap();
            lot.updated_at = at;
            let o = self.orders.get_mut(&id).unwrap();
            o.active = true;
            o.approved = n;
            o.available = n;
            o.updated_at = at;
            self.draws.push((id, source, n, at));
            let seq = self.append("approve", id, n, at);
            self.notify(seq, "request_approved", &[2], id);
        }

        /// One request of one unit and its approval.
        pub fn pair(&mut self) {
            let id = self.request(1);
            self.approve(id);
        }

        /// Rows kept (keeps the optimiser from dropping any of them).
        pub fn rows(&self) -> usize {
            let l = self.ledger.last().map_or(0, |l| {
                (l.seq + l.order + l.quantity + l.at) as usize
                    + usize::from(l.prev[0])
                    + l.kind.len()
            });
            let o = self.orders.get(&self.lot).map_or(0, |o| {
                (o.number + o.approved + o.available + o.updated_at) as usize
            });
            self.orders.len() + self.draws.len() + self.notifications.len() + l + o
        }
    }
}

/// The raw rusqlite peer.
pub mod sqlite {
    use super::*;
    use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

    const SCHEMA: &str = "
        CREATE TABLE IF NOT EXISTS orders (
            id INTEGER PRIMARY KEY, number INTEGER NOT NULL, holder INTEGER NOT NULL,
            source INTEGER, product INTEGER NOT NULL, requested INTEGER NOT NULL,
            approved INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL,
            available INTEGER NOT NULL CHECK (available >= 0),
            requested_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS orders_by_holder ON orders (holder, product, status);
        CREATE TABLE IF NOT EXISTS draws (
            order_id INTEGER NOT NULL, source_order INTEGER NOT NULL,
            quantity INTEGER NOT NULL, drawn_at INTEGER NOT NULL,
            PRIMARY KEY (order_id, source_order));
        CREATE TABLE IF NOT EXISTS ledger (
            seq INTEGER PRIMARY KEY, recorded_at INTEGER NOT NULL, kind TEXT NOT NULL,
            order_id INTEGER NOT NULL, quantity INTEGER NOT NULL,
            prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, next INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS notifications (
            id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, kind TEXT NOT NULL,
            recipient INTEGER NOT NULL, order_id INTEGER NOT NULL, body TEXT NOT NULL,
            sent_at INTEGER);
        CREATE INDEX IF NOT EXISTS notifications_pending ON notifications (seq)
            WHERE sent_at IS NULL;
        INSERT OR IGNORE INTO counters VALUES ('order_number', 1);
        INSERT OR IGNORE INTO orders VALUES
            (1, 0, 1, NULL, 1, 4611686018427387903, 4611686018427387903, 'active',
             4611686018427387903, 0, 0);
    ";

    /// The lot every request draws from.
    const LOT: i64 = 1;

    /// Waits for another writer's lock for as long as it takes, 1 ms at a time: SQLite's
    /// busy handler is not fair, and with 16 or 64 writers on a loaded machine one of them
    /// can wait past any timeout; a hand-written program would retry.
    fn wait_for_the_lock(_attempts: i32) -> bool {
        std::thread::sleep(std::time::Duration::from_millis(1));
        true
    }

    /// Opens `path` as the library does: WAL, `synchronous`, foreign keys on; waits for the
    /// write lock without a timeout.
    pub fn open(path: &std::path::Path, synchronous: &str) -> Connection {
        let mut conn = Connection::open(path).unwrap();
        conn.busy_handler(Some(wait_for_the_lock)).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn.execute_batch(&format!(
            "PRAGMA synchronous={synchronous}; PRAGMA foreign_keys=ON;"
        ))
        .unwrap();
        conn
    }

    /// One writer's connection to the peer's database.
    pub struct Peer {
        conn: Connection,
        full: bool,
    }

    impl Peer {
        /// Opens (creating the tables if needed) the peer database at `path`.
        pub fn open(path: &std::path::Path, synchronous: &str, full: bool) -> Self {
            let conn = open(path, synchronous);
            conn.execute_batch(&format!("BEGIN IMMEDIATE; {SCHEMA} COMMIT;"))
                .unwrap();
            Peer { conn, full }
        }

        /// Appends a chained ledger row; returns its seq.
        fn append(
            tx: &rusqlite::Transaction<'_>,
            kind: &str,
            order: i64,
            quantity: i64,
            at: i64,
        ) -> i64 {
            let (seq, prev): (i64, Vec<u8>) = tx
                .prepare_cached("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")
                .unwrap()
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .unwrap()
                .map_or((1, vec![0; 32]), |(s, h): (i64, Vec<u8>)| (s + 1, h));
            let hash = chain(&prev, seq, kind, order, quantity, at);
            tx.prepare_cached("INSERT INTO ledger VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                .unwrap()
                .execute(params![seq, at, kind, order, quantity, prev, &hash[..]])
                .unwrap();
            seq
        }

        fn notify(
            tx: &rusqlite::Transaction<'_>,
            seq: i64,
            kind: &str,
            recipients: &[i64],
            order: i64,
            body: &str,
        ) {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO notifications (seq, kind, recipient, order_id, body) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .unwrap();
            for r in recipients {
                insert.execute(params![seq, kind, r, order, body]).unwrap();
            }
        }

        /// Requests `quantity` from the lot in one `BEGIN IMMEDIATE` transaction.
        pub fn request(&mut self, quantity: i64) -> i64 {
            let at = now_micros();
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .unwrap();
            let number: Option<i64> = if self.full {
                Some(
                    tx.prepare_cached(
                        "UPDATE counters SET next = next + 1 WHERE name = 'order_number' \
                         RETURNING next - 1",
                    )
                    .unwrap()
                    .query_row([], |r| r.get(0))
                    .unwrap(),
                )
            } else {
                None
            };
            let id: i64 = tx
                .prepare_cached(
                    "INSERT INTO orders (number, holder, source, product, requested, status, \
                     available, requested_at, updated_at) \
                     VALUES (coalesce(?1, 0), 3, ?2, 1, ?3, 'pending', 0, ?4, ?4) RETURNING id",
                )
                .unwrap()
                .query_row(params![number, LOT, quantity, at], |r| r.get(0))
                .unwrap();
            let seq = Self::append(&tx, "request", id, quantity, at);
            if let Some(number) = number {
                let b = body(number, quantity);
                Self::notify(&tx, seq, "request_confirmation", &[2], id, &b);
                Self::notify(&tx, seq, "request_received", &[1, 2], id, &b);
            }
            tx.commit().unwrap();
            id
        }

        /// Approves order `id` in full in one `BEGIN IMMEDIATE` transaction.
        pub fn approve(&mut self, id: i64) {
            let at = now_micros();
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .unwrap();
            let (number, source, n): (i64, i64, i64) = tx
                .prepare_cached(
                    "UPDATE orders SET status = 'active', approved = requested, \
                     available = requested, updated_at = ?2 \
                     WHERE id = ?1 AND status = 'pending' RETURNING number, source, requested",
                )
                .unwrap()
                .query_row(params![id, at], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap();
            let drawn = tx
                .prepare_cached(
                    "UPDATE orders SET available = available - ?2, updated_at = ?3 \
                     WHERE id = ?1 AND available >= ?2",
                )
                .unwrap()
                .execute(params![source, n, at])
                .unwrap();
            assert_eq!(drawn, 1, "the lot ran out");
            tx.prepare_cached("INSERT INTO draws VALUES (?1, ?2, ?3, ?4)")
                .unwrap()
                .execute(params![id, source, n, at])
                .unwrap();
            let seq = Self::append(&tx, "approve", id, n, at);
            if self.full {
                Self::notify(&tx, seq, "request_approved", &[2], id, &body(number, n));
            }
            tx.commit().unwrap();
        }

        /// One request of one unit and its approval.
        pub fn pair(&mut self) {
            let id = self.request(1);
            self.approve(id);
        }
    }
}

/// The PostgreSQL peer: a conditional UPDATE on the lot and a ledger row chained in SQL
/// (`sha256(prev || payload)` on a one-row head, which serialises writers as the library's
/// tenant lock does), one transaction per command.
pub mod postgres {
    use super::*;
    use ::postgres::{Client, NoTls};

    const SCHEMA: &str = "
        DROP TABLE IF EXISTS peer_orders, peer_draws, peer_ledger, peer_head;
        CREATE TABLE peer_orders (
            id BIGSERIAL PRIMARY KEY, holder BIGINT NOT NULL, source BIGINT,
            product BIGINT NOT NULL, requested BIGINT NOT NULL,
            approved BIGINT NOT NULL DEFAULT 0, status TEXT NOT NULL,
            available BIGINT NOT NULL CHECK (available >= 0),
            requested_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
        CREATE INDEX peer_orders_by_holder ON peer_orders (holder, product, status);
        CREATE TABLE peer_draws (
            order_id BIGINT NOT NULL, source_order BIGINT NOT NULL,
            quantity BIGINT NOT NULL, drawn_at BIGINT NOT NULL,
            PRIMARY KEY (order_id, source_order));
        CREATE TABLE peer_head (id INT PRIMARY KEY, seq BIGINT NOT NULL, hash BYTEA NOT NULL);
        CREATE TABLE peer_ledger (
            seq BIGINT PRIMARY KEY, kind TEXT NOT NULL, order_id BIGINT NOT NULL,
            quantity BIGINT NOT NULL, recorded_at BIGINT NOT NULL, hash BYTEA NOT NULL);
        INSERT INTO peer_head VALUES (1, 0, '\\x0000000000000000000000000000000000000000000000000000000000000000');
        INSERT INTO peer_orders (holder, product, requested, approved, status, available,
            requested_at, updated_at)
            VALUES (1, 1, 4611686018427387903, 4611686018427387903, 'active',
                    4611686018427387903, 0, 0);
    ";

    /// Appends the ledger row: the head moves and the row is written in one statement.
    const APPEND: &str = "
        WITH h AS (
            UPDATE peer_head SET seq = seq + 1,
                hash = sha256(hash || convert_to(
                    $1::text || ':' || $2::bigint || ':' || $3::bigint || ':' || $4::bigint, 'UTF8'))
            WHERE id = 1 RETURNING seq, hash)
        INSERT INTO peer_ledger (seq, kind, order_id, quantity, recorded_at, hash)
        SELECT seq, $1::text, $2::bigint, $3::bigint, $4::bigint, hash FROM h";

    /// (Re)creates the peer's tables.
    pub fn reset(url: &str) {
        Client::connect(url, NoTls)
            .unwrap()
            .batch_execute(SCHEMA)
            .unwrap();
    }

    /// One writer's connection.
    pub struct Peer {
        client: Client,
    }

    impl Peer {
        /// Connects to the database of `url` (call [`reset`] once first).
        pub fn connect(url: &str) -> Self {
            Peer {
                client: Client::connect(url, NoTls).unwrap(),
            }
        }

        /// Requests `quantity` from the lot in one transaction.
        pub fn request(&mut self, quantity: i64) -> i64 {
            let at = now_micros();
            let mut tx = self.client.transaction().unwrap();
            let id: i64 = tx
                .query_one(
                    "INSERT INTO peer_orders (holder, source, product, requested, status, \
                     available, requested_at, updated_at) \
                     VALUES (3, 1, 1, $1, 'pending', 0, $2, $2) RETURNING id",
                    &[&quantity, &at],
                )
                .unwrap()
                .get(0);
            tx.execute(APPEND, &[&"request", &id, &quantity, &at])
                .unwrap();
            tx.commit().unwrap();
            id
        }

        /// Approves order `id` in full: the conditional UPDATE on its lot.
        pub fn approve(&mut self, id: i64) {
            let at = now_micros();
            let mut tx = self.client.transaction().unwrap();
            let row = tx
                .query_one(
                    "UPDATE peer_orders SET status = 'active', approved = requested, \
                     available = requested, updated_at = $2 \
                     WHERE id = $1 AND status = 'pending' RETURNING source, requested",
                    &[&id, &at],
                )
                .unwrap();
            let (source, n): (i64, i64) = (row.get(0), row.get(1));
            let drawn = tx
                .execute(
                    "UPDATE peer_orders SET available = available - $2, updated_at = $3 \
                     WHERE id = $1 AND available >= $2",
                    &[&source, &n, &at],
                )
                .unwrap();
            assert_eq!(drawn, 1, "the lot ran out");
            tx.execute(
                "INSERT INTO peer_draws VALUES ($1, $2, $3, $4)",
                &[&id, &source, &n, &at],
            )
            .unwrap();
            tx.execute(APPEND, &[&"approve", &id, &n, &at]).unwrap();
            tx.commit().unwrap();
        }

        /// One request of one unit and its approval.
        pub fn pair(&mut self) {
            let id = self.request(1);
            self.approve(id);
        }
    }
}

/// The issue peer: the library's `licenses` columns, one prepared INSERT per row in one
/// `BEGIN IMMEDIATE` transaction, keys from the OS CSPRNG, the order's counts moved and a
/// chained ledger row.
pub mod issue {
    use super::*;
    use rusqlite::{Connection, TransactionBehavior, params};

    /// The library's licenses table and its indexes (core/migrations/0002_licenses.sql).
    const SCHEMA: &str = "
        CREATE TABLE lots (id TEXT PRIMARY KEY, issued INTEGER NOT NULL,
            available INTEGER NOT NULL CHECK (available >= 0));
        CREATE TABLE ledger (
            seq INTEGER PRIMARY KEY, recorded_at INTEGER NOT NULL, kind TEXT NOT NULL,
            order_id TEXT NOT NULL, quantity INTEGER NOT NULL,
            prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
        CREATE TABLE licenses (
            id           TEXT PRIMARY KEY,
            tenant       TEXT NOT NULL,
            order_id     TEXT NOT NULL REFERENCES lots (id),
            product      TEXT NOT NULL,
            license_key  TEXT NOT NULL,
            is_code      BIGINT NOT NULL,
            status       TEXT NOT NULL,
            license_user TEXT,
            activations  TEXT NOT NULL,
            borrows      TEXT NOT NULL,
            policy       TEXT NOT NULL,
            trial        BIGINT NOT NULL,
            issued_at    TEXT NOT NULL,
            activated_at TEXT,
            expires_at   TEXT,
            UNIQUE (tenant, license_key));
        CREATE INDEX licenses_by_order ON licenses (tenant, order_id, id);
    ";
    const POLICY: &str =
        r#"{"validity":{"kind":"perpetual"},"max_activations":1,"floating":null,"trial":false}"#;
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// A store holding one lot of `quantity` units.
    pub fn stocked(path: &std::path::Path, quantity: i64) -> (Connection, String) {
        let conn = super::sqlite::open(path, "FULL");
        conn.execute_batch(SCHEMA).unwrap();
        let lot = uuid::Uuid::now_v7().to_string();
        conn.execute(
            "INSERT INTO lots VALUES (?1, 0, ?2)",
            params![lot, quantity],
        )
        .unwrap();
        (conn, lot)
    }

    /// A 24-symbol key of 15 random bytes, in groups of five.
    fn key(bytes: &[u8]) -> String {
        let mut bits: u128 = 0;
        for b in bytes {
            bits = (bits << 8) | u128::from(*b);
        }
        let mut s = String::with_capacity(29);
        for i in 0..24 {
            if i > 0 && i % 5 == 0 {
                s.push('-');
            }
            let d = ((bits >> (115 - 5 * i)) & 31) as usize;
            s.push(char::from(ALPHABET[d]));
        }
        s
    }

    /// Issues `n` licenses of `lot`; returns the rows inserted.
    pub fn issue(conn: &mut Connection, lot: &str, n: i64) -> usize {
        let at = now_micros();
        let issued_at = format!("{at}");
        let (tenant, product) = (
            uuid::Uuid::now_v7().to_string(),
            uuid::Uuid::now_v7().to_string(),
        );
        let mut random = vec![0u8; 15 * n as usize];
        getrandom::fill(&mut random).unwrap();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        let moved = tx
            .execute(
                "UPDATE lots SET issued = issued + ?2, available = available - ?2 \
                 WHERE id = ?1 AND available >= ?2",
                params![lot, n],
            )
            .unwrap();
        assert_eq!(moved, 1, "the lot ran out");
        let mut rows = 0;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO licenses VALUES \
                     (?1, ?2, ?3, ?4, ?5, 0, 'unused', NULL, '[]', '[]', ?6, 0, ?7, NULL, NULL)",
                )
                .unwrap();
            for bytes in random.chunks_exact(15) {
                rows += insert
                    .execute(params![
                        uuid::Uuid::now_v7().to_string(),
                        tenant,
                        lot,
                        product,
                        key(bytes),
                        POLICY,
                        issued_at
                    ])
                    .unwrap();
            }
        }
        let (seq, prev): (i64, Vec<u8>) = tx
            .query_row(
                "SELECT coalesce(max(seq), 0) + 1, coalesce((SELECT hash FROM ledger \
                 ORDER BY seq DESC LIMIT 1), zeroblob(32)) FROM ledger",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let hash = chain(&prev, seq, "issue", 0, n, at);
        tx.execute(
            "INSERT INTO ledger VALUES (?1, ?2, 'issue', ?3, ?4, ?5, ?6)",
            params![seq, at, lot, n, prev, &hash[..]],
        )
        .unwrap();
        tx.commit().unwrap();
        rows
    }
}
