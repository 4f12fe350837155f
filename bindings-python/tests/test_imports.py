"""Importing existing license keys: from a list, and from an order export's CSV (the round trip
of a vendor moving its keys: export, import into a fresh order, export again)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import Channel, center_order, make_channel

from license_inventory import (
    ORDER_COLUMNS,
    Conflict,
    InvalidInput,
    Inventory,
    LedgerKind,
    MistypedKey,
    Plan,
)


def test_import_keys(ch: Channel) -> None:
    order = center_order(ch, ch.cl, 5)
    erin = ch.session(ch.erin)
    licenses = erin.import_licenses(order.id, ["ACME-2017-0001", " acme-2017-0002 "])
    assert [lic.key for lic in licenses] == ["ACME-2017-0001", "acme-2017-0002"]
    assert all(lic.imported for lic in licenses)
    assert ch.inv.ledger(ch.t, limit=1000)[-1].kind is LedgerKind.LICENSES_IMPORTED
    assert erin.order(order.id).order.available == 3
    assert ch.inv.check_license(ch.t, "ACME-2017-0001").id == licenses[0].id
    with pytest.raises(MistypedKey):
        ch.inv.check_license(ch.t, "ACME-2017-0002")
    with pytest.raises(InvalidInput, match="key 1 of the import"):
        erin.import_licenses(order.id, ["GOOD-0001", "not ok"])
    with pytest.raises(Conflict):
        erin.import_licenses(order.id, ["ACME-2017-0001"])
    with pytest.raises(InvalidInput):
        erin.import_licenses(order.id, "ACME-2017-0003")  # one string, not a list of keys
    assert erin.order(order.id).order.available == 3


def _license_columns(path: Path) -> list[list[str]]:
    start = ORDER_COLUMNS.index("license_key")
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(ORDER_COLUMNS)
    return [row[start:] for row in rows[1:]]


def test_csv_round_trip(inv: Inventory, tmp_path: Path) -> None:
    old = make_channel(inv, Plan.STANDARD)
    source = center_order(old, old.cl, 6)
    old.session(old.erin).issue(source.id, 4)
    exported = tmp_path / "old.csv"
    old.session(old.erin).export_order_csv(source.id, exported)

    new = make_channel(inv, Plan.STANDARD)
    fresh = center_order(new, new.cl, 6)
    imported = new.session(new.erin).import_licenses_csv(fresh.id, exported)
    assert len(imported) == 4
    again = tmp_path / "new.csv"
    new.session(new.erin).export_order_csv(fresh.id, again)
    assert _license_columns(again) == _license_columns(exported)
    with pytest.raises(Conflict):
        old.session(old.erin).import_licenses_csv(source.id, exported)
    bad = tmp_path / "bad.csv"
    bad.write_text("order_number\n1\n")
    with pytest.raises(InvalidInput, match="license_key"):
        new.session(new.erin).import_licenses_csv(fresh.id, bad)
