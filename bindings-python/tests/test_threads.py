"""Calls release the GIL, and concurrent writers from many threads never oversell."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import Channel

from license_inventory import InsufficientInventory, Inventory, Order, StorageError


def test_concurrent_approvals_never_oversell(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    requests = [irina.request(ch.mga.id, ch.cl.id, 3) for _ in range(8)]

    def approve(order_id: str) -> Order | InsufficientInventory:
        try:
            return ch.session(ch.irina).approve(order_id)
        except InsufficientInventory as e:
            return e

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(approve, [r.id for r in requests]))
    approved = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, InsufficientInventory)]
    # 10 units at the source, 3 per request: exactly three approvals fit.
    assert len(approved) == 3
    assert len(refused) == 5
    assert all(e.available == 1 and e.requested == 3 for e in refused)
    assert irina.order_by_number(1208).order.available == 1
    assert ch.inv.audit(ch.t).is_clean


HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""


def test_gil_is_released_during_store_calls(tmp_path: Path) -> None:
    """A write that waits for SQLite's write lock must not hold the GIL: this thread has to run
    to tell the process holding the lock to let go. With the GIL held, the write would stall
    until its busy timeout and fail. (The lock is held by another process: POSIX locks do not
    separate two copies of SQLite inside one process.)"""
    path = tmp_path / "gil.db"
    inv = Inventory.open_sqlite(path, busy_timeout=10.0)
    t = inv.create_tenant("A", "A")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        outcome: list[object] = []

        def write() -> None:
            try:
                outcome.append(inv.create_user(t.id, "Late", "late@example.com"))
            except Exception as e:  # reported by the asserts below
                outcome.append(e)

        writer = threading.Thread(target=write)
        t0 = time.monotonic()
        writer.start()
        time.sleep(0.3)
        assert outcome == [], "the write went through while another process held the lock"
        holder.stdin.write("go\n")
        holder.stdin.flush()
        writer.join(timeout=10)
        assert not writer.is_alive()
        assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
        assert time.monotonic() - t0 < 5
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert inv.audit(t.id).is_clean


SILENT_SERVER = """
import socket, sys, time
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
print(server.getsockname()[1], flush=True)
conn, _ = server.accept()
time.sleep(float(sys.argv[1]))
conn.close()
"""


def test_gil_is_released_while_connecting_to_postgres() -> None:
    """`open_postgres` waits for the server without holding the GIL. The "server" (another
    process, needing no PostgreSQL) accepts the connection, says nothing for a while and hangs
    up: meanwhile a thread of this process must keep running."""
    hold = 0.8
    server = subprocess.Popen(
        [sys.executable, "-c", SILENT_SERVER, str(hold)], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    try:
        port = int(server.stdout.readline())
        ticks = 0
        done = threading.Event()

        def tick() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                time.sleep(0.01)

        ticker = threading.Thread(target=tick)
        ticker.start()
        t0 = time.monotonic()
        try:
            with pytest.raises(StorageError) as e:
                Inventory.open_postgres(f"host=127.0.0.1 port={port} user=nobody dbname=nothing")
        finally:
            done.set()
            ticker.join()
        elapsed = time.monotonic() - t0
        assert e.value.kind == "postgres"
        assert elapsed >= hold / 2, f"the connection was refused too early ({elapsed:.2f} s)"
        assert ticks >= elapsed / 0.01 * 0.3, f"{ticks} ticks in {elapsed:.2f} s: the GIL was held"
    finally:
        server.wait(timeout=10)
