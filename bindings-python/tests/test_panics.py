"""Panic safety at the boundary: inputs that used to panic in a dependency are refused as
``InvalidInput``; a panic (a bug) would arrive as ``InternalError``, a subclass of
``InventoryError`` (never pyo3's ``PanicException``, a ``BaseException``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from license_inventory import InternalError, InvalidInput, Inventory, InventoryError

from conftest import Channel


def test_internal_error_is_an_inventory_error() -> None:
    assert issubclass(InternalError, InventoryError)
    err = InternalError("internal error", detail="boom")
    assert (err.code, err.detail) == ("INTERNAL_PANIC", "boom")


def test_busy_timeout_beyond_sqlite_limit_is_invalid_input(tmp_path: Path) -> None:
    # 2**31 ms made rusqlite panic (PanicException) before the core checked it.
    for seconds in (2**31 / 1000, 1e12):
        with pytest.raises(InvalidInput) as e:
            Inventory.open_sqlite(tmp_path / "x.db", busy_timeout=seconds)
        assert e.value.field == "busy_timeout"
    # The largest value SQLite takes still opens.
    inv = Inventory.open_sqlite(tmp_path / "y.db", busy_timeout=(2**31 - 1) / 1000)
    assert inv.schema_version() is not None


def test_numbers_beyond_bigint_are_invalid_input(ch: Channel) -> None:
    with pytest.raises(InvalidInput) as e:
        ch.session(ch.irina).order_by_number(2**63)
    assert e.value.field == "order number"
    with pytest.raises(InvalidInput) as e:
        ch.inv.ledger(ch.t, after=2**63)
    assert e.value.field == "after"
