"""The Python peer of `issue`: what a user might write with the standard library's sqlite3.

    python3 benches/peers/issue.py DB N

Creates DB with the library's `licenses` columns and indexes (the same tables as the raw
rusqlite issue peer, benches/src/peers.rs `issue`), a lot of N units, then issues N licenses
in one `BEGIN IMMEDIATE` transaction on a WAL database with synchronous=FULL: the lot's
counts moved by a conditional UPDATE, N rows inserted by one `executemany` fed by a generator
(keys of 15 bytes from `os.urandom`, UUID texts, the policy JSON), a sha256-chained ledger row.
Prints `issued N NANOS HWM_BEFORE_KB HWM_KB`: the time of the issue alone and this process's
peak resident set (`VmHWM`) before and after it, like `bench-worker issue`.
"""

import hashlib
import os
import sqlite3
import struct
import sys
import time
import uuid

SCHEMA = """
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
"""
POLICY = '{"validity":{"kind":"perpetual"},"max_activations":1,"floating":null,"trial":false}'
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def hwm_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def key(raw):
    bits = int.from_bytes(raw, "big")
    symbols = [ALPHABET[(bits >> (115 - 5 * i)) & 31] for i in range(24)]
    return "-".join("".join(symbols[i : i + 5]) for i in range(0, 24, 5))


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(SCHEMA)
    lot = str(uuid.uuid4())
    conn.execute("INSERT INTO lots VALUES (?, 0, ?)", (lot, n))

    before = hwm_kb()
    start = time.perf_counter_ns()
    at = time.time_ns() // 1000
    issued_at = str(at)
    tenant, product = str(uuid.uuid4()), str(uuid.uuid4())
    conn.execute("BEGIN IMMEDIATE")
    moved = conn.execute(
        "UPDATE lots SET issued = issued + ?2, available = available - ?2 "
        "WHERE id = ?1 AND available >= ?2",
        (lot, n),
    ).rowcount
    assert moved == 1, "the lot ran out"
    rows = (
        (str(uuid.uuid4()), tenant, lot, product, key(os.urandom(15)), POLICY, issued_at)
        for _ in range(n)
    )
    inserted = conn.executemany(
        "INSERT INTO licenses VALUES "
        "(?, ?, ?, ?, ?, 0, 'unused', NULL, '[]', '[]', ?, 0, ?, NULL, NULL)",
        rows,
    ).rowcount
    assert inserted == n, inserted
    seq, prev = conn.execute(
        "SELECT coalesce(max(seq), 0) + 1, coalesce((SELECT hash FROM ledger "
        "ORDER BY seq DESC LIMIT 1), zeroblob(32)) FROM ledger"
    ).fetchone()
    h = hashlib.sha256(prev)
    h.update(struct.pack(">q", seq))
    h.update(b"issue")
    h.update(struct.pack(">qqq", 0, n, at))
    conn.execute(
        "INSERT INTO ledger VALUES (?, ?, 'issue', ?, ?, ?, ?)",
        (seq, at, lot, n, prev, h.digest()),
    )
    conn.execute("COMMIT")
    nanos = time.perf_counter_ns() - start
    print(f"issued {n} {nanos} {before} {hwm_kb()}", flush=True)


if __name__ == "__main__":
    main()
