"""``Inventory.close()`` and ``with Inventory.open_sqlite(path) as inv``: after closing, every
call on the inventory, on its keyed copies and on its sessions raises ``InventoryClosed``; the
store is dropped (its files released, its connections closed) once calls already running have
returned. Store-parametrised tests run on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import T0, center_order, make_channel

from license_inventory import (
    BatchCommand,
    Inventory,
    InventoryClosed,
    InventoryError,
    Order,
    Plan,
)


def sidecars(path: Path) -> list[Path]:
    """The database file and SQLite's write-ahead log and shared-memory files beside it."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def test_every_call_after_close_raises_inventory_closed(inv: Inventory) -> None:
    ch = make_channel(inv, Plan.STANDARD)
    order = center_order(ch, ch.cl, 2)
    erin = ch.session(ch.erin)
    keyed_session = erin.with_idempotency_key("after-close")
    keyed_inventory = inv.with_idempotency_key("after-close")
    assert not inv.closed
    inv.close()
    assert inv.closed and keyed_inventory.closed
    calls: list[Callable[[], object]] = [
        lambda: inv.tenants(),
        lambda: inv.tenant(ch.t),
        lambda: inv.tenant("not-an-id"),  # closed first, before the argument is looked at
        lambda: inv.create_user(ch.t, "Late", "late@example.com"),
        lambda: inv.session(ch.t, ch.erin.id),
        lambda: inv.with_idempotency_key("k"),
        lambda: inv.set_time(T0),
        lambda: inv.schema_version(),
        lambda: inv.audit(ch.t),
        lambda: keyed_inventory.activate(ch.t, "7KQ2M-XR4TD-9WZPH-BN3CV-0G6JA", "pc", "PC"),
        lambda: erin.order(order.id),
        lambda: erin.issue(order.id, 1),
        lambda: erin.batch([BatchCommand.issue(order.id, 1)]),
        lambda: erin.with_idempotency_key("k2"),
        lambda: keyed_session.issue(order.id, 1),
    ]
    for call in calls:
        with pytest.raises(InventoryClosed) as e:
            call()
        assert isinstance(e.value, InventoryError)
        assert e.value.code == "CLOSED"
        assert "closed" in str(e.value)
    # What needs no store still answers; closing again is a no-op.
    assert (erin.user, erin.tenant) == (ch.erin.id, ch.t)
    assert repr(inv).endswith(", closed)")
    inv.close()
    keyed_inventory.close()
    assert inv.closed


def test_close_releases_the_sqlite_file(tmp_path: Path) -> None:
    """After close the connections are gone: SQLite removes the write-ahead log and the
    shared-memory file when its last connection to the database closes, and the files can be
    removed. The same path then opens again, with its data."""
    path = tmp_path / "closing.db"
    inv = Inventory.open_sqlite(path)
    ch = make_channel(inv, Plan.STANDARD)
    ch.session(ch.vera).mint(ch.cl.id, 5)
    wal = path.with_name(path.name + "-wal")
    assert wal.exists(), "a write leaves the write-ahead log while a connection is open"
    inv.close()
    assert not wal.exists(), "the last connection closed (SQLite checkpoints and removes its log)"
    again = Inventory.open_sqlite(path)
    assert [t.id for t in again.tenants()] == [ch.t]
    again.session(ch.t, ch.vera.id).mint(ch.cl.id, 1)
    again.close()
    for p in sidecars(path):
        if p.exists():
            os.remove(p)
    assert not any(p.exists() for p in sidecars(path))
    fresh = Inventory.open_sqlite(path)
    assert fresh.tenants() == []
    fresh.close()


def test_with_closes_the_inventory(tmp_path: Path) -> None:
    path = tmp_path / "with.db"
    with Inventory.open_sqlite(path) as inv:
        tenant = inv.create_tenant("Jasperactive", "Jasperactive")
        assert not inv.closed
    assert inv.closed
    with pytest.raises(InventoryClosed):
        inv.tenants()
    assert not path.with_name(path.name + "-wal").exists()
    # An exception inside the block propagates, and the inventory is closed all the same.
    with pytest.raises(ZeroDivisionError):
        with Inventory.open_sqlite(path) as inv2:
            assert [t.id for t in inv2.tenants()] == [tenant.id]
            1 / 0  # noqa: B018
    assert inv2.closed
    for p in sidecars(path):
        if p.exists():
            os.remove(p)
    assert not any(p.exists() for p in sidecars(path))


def test_close_while_other_threads_call(tmp_path: Path) -> None:
    """Closing while other threads are mid-call is safe: each call either completes (whole,
    one transaction) or raises ``InventoryClosed``; none succeeds after ``close`` returned, and
    what was written survives a reopen."""
    path = tmp_path / "threads.db"
    inv = Inventory.open_sqlite(path)
    ch = make_channel(inv, Plan.STANDARD)
    order = center_order(ch, ch.cl, 10_000)
    closed = threading.Event()
    outcomes: list[str] = []
    late: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        erin = ch.session(ch.erin)
        while True:
            was_closed = closed.is_set()
            try:
                erin.issue(order.id, 5)
                ok = True
            except InventoryClosed:
                ok = False
            with lock:
                outcomes.append("ok" if ok else "closed")
                if ok and was_closed:
                    late.append("a call succeeded after close returned")
            if not ok:
                return

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with lock:
            if outcomes.count("ok") >= 8:
                break
        time.sleep(0.001)
    inv.close()
    closed.set()
    for t in threads:
        t.join(timeout=30)
        assert not t.is_alive()
    assert late == []
    assert outcomes.count("closed") == 4
    assert not path.with_name(path.name + "-wal").exists()
    again = Inventory.open_sqlite(path)
    issued = again.session(ch.t, ch.erin.id).order(order.id).order.issued
    assert issued == 5 * outcomes.count("ok")
    assert again.audit(ch.t).is_clean
    again.close()


def test_a_session_keeps_nothing_open(tmp_path: Path) -> None:
    """Sessions and keyed copies share the inventory's store: closing the inventory releases
    it even while they are still referenced."""
    path = tmp_path / "sessions.db"
    inv = Inventory.open_sqlite(path)
    ch = make_channel(inv, Plan.STANDARD)
    vera = ch.session(ch.vera).with_idempotency_key("mint-1")
    minted = vera.mint(ch.cl.id, 3)
    assert isinstance(minted, Order)
    inv.close()
    assert not path.with_name(path.name + "-wal").exists()
    with pytest.raises(InventoryClosed):
        vera.mint(ch.cl.id, 3)
