"""CSV export to a file path: an order (one row per license, with the order's and customer's
columns) and an organization's inventory list. RFC 4180, formula-like cells neutralised. Every
test runs on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import Channel, center_order

from license_inventory import (
    INVENTORY_COLUMNS,
    ORDER_COLUMNS,
    Customer,
    ExportFailed,
    NotFound,
    OrderStatus,
    PermissionDenied,
)


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def test_export_order(ch: Channel, tmp_path: Path) -> None:
    o = center_order(ch, ch.cl, 250)
    erin = ch.session(ch.erin)
    erin.edit_metadata(o.id, reference="REF, \"quoted\"\nline two", campaign={"utm_source": "fall"})
    erin.set_customer(o.id, Customer("=HYPERLINK(\"http://evil\")", email="a@b.example", phone="+1 555"))
    licenses = erin.issue(o.id, 200)
    ch.inv.activate(ch.t, licenses[0].key, "pc-1", "PC")
    path = tmp_path / "order.csv"
    assert erin.export_order_csv(o.id, path) == 200
    header, rows = read(path)
    assert header == list(ORDER_COLUMNS)
    assert len(ORDER_COLUMNS) == 32
    assert len(rows) == 200
    assert {r["license_key"] for r in rows} == {lic.key for lic in licenses}
    first = next(r for r in rows if r["license_key"] == licenses[0].key)
    assert first["activations"] == "1"
    assert first["order_number"] == str(o.number)
    assert first["product_code"] == "CL"
    assert first["available"] == "50" and first["issued"] == "200"
    # RFC 4180: commas, quotes and newlines survive the round trip.
    assert first["order_reference"] == "REF, \"quoted\"\nline two"
    # Formula-like cells are neutralised with a leading quote.
    assert first["customer_name"] == "'=HYPERLINK(\"http://evil\")"
    assert first["customer_phone"] == "'+1 555"
    assert first["customer_email"] == "a@b.example"
    # A path given as str works too; an existing file is truncated.
    assert erin.export_order_csv(o.id, str(path)) == 200
    assert len(read(path)[1]) == 200


def test_export_order_refusals_leave_the_file(ch: Channel, tmp_path: Path) -> None:
    o = center_order(ch, ch.cl, 1)
    out = tmp_path / "out"
    out.mkdir()
    path = out / "order.csv"
    path.write_text("previous export\n")
    with pytest.raises(PermissionDenied):
        ch.session(ch.otto).export_order_csv(o.id, path)
    with pytest.raises(NotFound):
        ch.session(ch.erin).export_order_csv("00000000-0000-7000-8000-000000000000", path)
    assert path.read_text() == "previous export\n"
    with pytest.raises(ExportFailed) as e:
        ch.session(ch.erin).export_order_csv(o.id, out / "no" / "such" / "dir.csv")
    assert e.value.code == "EXPORT_FAILED"
    assert isinstance(e.value, OSError)
    # No temporary file is left behind.
    assert [p.name for p in out.iterdir()] == ["order.csv"]


def test_export_many_licenses(ch: Channel, tmp_path: Path) -> None:
    n = 20_000
    o = center_order(ch, ch.uac, n)
    erin = ch.session(ch.erin)
    issued = erin.issue(o.id, n)
    assert len(issued) == n
    after = erin.order(o.id).order
    assert (after.issued, after.available, after.status) == (n, 0, OrderStatus.DEPLETED)
    path = tmp_path / "many.csv"
    assert erin.export_order_csv(o.id, path) == n
    _, rows = read(path)
    keys = {r["license_key"] for r in rows}
    assert len(rows) == n and len(keys) == n
    assert keys == {lic.key for lic in issued}
    audit = ch.inv.audit(ch.t)
    assert audit.is_clean
    assert audit.minted - audit.retired == audit.available + audit.issued


def test_export_inventory(stocked: Channel, tmp_path: Path) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    a = irina.assign(ch.ellen.id, ch.mga.id, ch.cl.id, 3, purchase_order="EE2017-1")
    irina.request(ch.mga.id, ch.uac.id, 2, purchase_order="=1+1")
    path = tmp_path / "inventory.csv"
    assert irina.export_inventory_csv(ch.mga.id, path) == 2
    header, rows = read(path)
    assert header == list(INVENTORY_COLUMNS)
    # Newest first.
    assert [r["order_number"] for r in rows] == [str(a.number + 1), str(a.number)]
    assert rows[0]["purchase_order"] == "'=1+1"
    assert rows[0]["order_status"] == "Requested"
    assert rows[1]["inventory_type"] == "Center License"
    assert rows[1]["requested_approved"] == "3"
    # Filtered like `list`.
    assert irina.export_inventory_csv(ch.mga.id, path, statuses=[OrderStatus.ACTIVE]) == 1
    assert [r["order_number"] for r in read(path)[1]] == [str(a.number)]
    with pytest.raises(PermissionDenied):
        ch.session(ch.otto).export_inventory_csv(ch.mga.id, path)
