"""The seed walkthrough (orders 1210-1213): the example script's output, and the same numbers
read through the API."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from conftest import Channel

from license_inventory import OrderStatus

WALKTHROUGH = Path(__file__).resolve().parents[2] / "examples" / "python" / "walkthrough.py"

EXPECTED = """\
Role: Ellen Emporium (distributor), MGA Inc (reseller)

License Inventory: MGA Inc (reseller)

Assigned Center Licenses: 3
Assigned User Activation Codes: 1
Pending Requests: 1

Order Number  Inventory Type         Purchase Order  Order Status  Requested/Approved  Available  Requested By        Date Requested    Approved By
------------  ---------------------  --------------  ------------  ------------------  ---------  ------------------  ----------------  -------------------------
1213          Center License         20171019        Requested     1                   0          MGA Inc Irina Heer  2017-10-20 02:24
1211          User Activation Codes  EE2017-5        Active        2                   1          MGA Inc             2017-10-20 01:45  Ellen Emporium Irina Heer
1210          Center License         EE2017-1        Active        3                   3          MGA Inc             2017-10-20 01:45  Ellen Emporium Irina Heer

Requests Submitted for Approval: Ellen Emporium (distributor)

Order Number  Inventory Type  Purchase Order  Order Status  Requested/Approved  Available  Requested By        Date Requested    Approved By
------------  --------------  --------------  ------------  ------------------  ---------  ------------------  ----------------  -----------
1213          Center License  20171019        Requested     1                   0          MGA Inc Irina Heer  2017-10-20 02:24

Detail of Inventory Use

Order Number: 1211
Purchase Order: EE2017-5
Inventory Type: User Activation Codes
Assigned Inventory: 2
Available Inventory: 1

Order Number  Purchase Order  Assigned  Date of Assignment  Requested By    Approved By
------------  --------------  --------  ------------------  --------------  ------------------
1212                          1         2017-10-20 01:52    Elerome School  MGA Inc Irina Heer

Order Details

Order Number:       1211
Purchase Order:     EE2017-5
Order Status:       Active
Assigned By:        Ellen Emporium Irina Heer
Assigned To:        MGA Inc
Inventory Type:     User Activation Codes
Quantity:           2
Requester Comments:
Approval Comments:


Order 1210

Issued 2 licenses: KEY1, KEY2
Customer: Elerome School <principal@elerome.example>
License manager: Lena Manager (manage_license_users, reset_device)
License user: student@elerome.example holds KEY1
Activated KEY1 on front-desk: 1 of 2 devices
Lena Manager reset device front-desk: 0 devices
Lena Manager may not issue licenses (PERMISSION_DENIED)
Exported order 1210: 2 license rows to CSV
Deleted order 1210: 1 unused unit back to 1208 (8 available), 2 licenses retired

Audit: 5 orders, 28 ledger entries, minted 20 - retired 2 = available 18 + issued 0: clean
"""

KEY = re.compile(r"[0-9A-HJKMNP-TV-Z]{5}(?:-[0-9A-HJKMNP-TV-Z]{5}){4}")


def test_walkthrough_output(tmp_path: Path) -> None:
    db = tmp_path / "walkthrough.db"
    run = subprocess.run(
        [sys.executable, str(WALKTHROUGH), str(db)], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    # The keys are random: each distinct key becomes KEY1, KEY2, ... in order of appearance.
    keys = list(dict.fromkeys(KEY.findall(out)))
    assert len(keys) == 2, out
    for i, key in enumerate(keys, start=1):
        out = out.replace(key, f"KEY{i}")
    csv_path = tmp_path / "walkthrough.1210.csv"
    out = out.replace(f"to {csv_path}\n", "to CSV\n")
    assert out == EXPECTED + f"Store: {db}\n"
    # The exported file is there: a header and one row per license, with the keys.
    with csv_path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["license_key"] for r in rows) == sorted(keys)
    assert {r["customer_name"] for r in rows} == {"Elerome School"}



def test_walkthrough_numbers(ch: Channel) -> None:
    """The walkthrough's steps through the API, checked figure by figure against the seed."""
    inv, t = ch.inv, ch.t
    vera, irina = ch.session(ch.vera), ch.session(ch.irina)
    for product in (ch.cl, ch.uac):
        vera.assign(ch.vendor, ch.ellen.id, product.id, 10, purchase_order="JA-2017-10")
    inv.set_time(at("01:45"))
    o1210 = irina.assign(ch.ellen.id, ch.mga.id, ch.cl.id, 3, purchase_order="EE2017-1")
    o1211 = irina.assign(ch.ellen.id, ch.mga.id, ch.uac.id, 2, purchase_order="EE2017-5")
    inv.set_time(at("01:52"))
    o1212 = irina.assign(ch.mga.id, ch.elerome.id, ch.uac.id, 1)
    inv.set_time(at("02:24"))
    o1213 = irina.request(ch.mga.id, ch.cl.id, 2, purchase_order="20171019")
    inv.set_time(at("02:31"))
    irina.edit_request(o1213.id, quantity=1)
    assert [o.number for o in (o1210, o1211, o1212, o1213)] == [1210, 1211, 1212, 1213]

    # The indicators: "Assigned Center Licenses: 3", "Assigned User Activation Codes: 1".
    summary = {line.product_name: line for line in irina.summary(ch.mga.id)}
    assert summary["Center License"].available == 3
    assert summary["User Activation Codes"].available == 1
    assert sum(line.pending_requests for line in summary.values()) == 1

    # The License Inventory table.
    rows = [
        (d.order.number, d.product_name, d.order.purchase_order, d.order.status, d.order.available)
        for d in irina.list(ch.mga.id).items
    ]
    assert rows == [
        (1213, "Center License", "20171019", OrderStatus.REQUESTED, 0),
        (1211, "User Activation Codes", "EE2017-5", OrderStatus.ACTIVE, 1),
        (1210, "Center License", "EE2017-1", OrderStatus.ACTIVE, 3),
    ]
    assert irina.order(o1213.id).order.requested_quantity == 1

    # Detail of Inventory Use of 1211.
    use = irina.detail_of_use(o1211.id)
    assert (use.order.order.approved_quantity, use.order.order.available) == (2, 1)
    assert [(d.order_number, d.purchase_order, d.quantity, d.at) for d in use.draws] == [
        (1212, None, 1, at("01:52"))
    ]
    assert (use.draws[0].requested_by_org, use.draws[0].approved_by_org, use.draws[0].approved_by_user) == (
        "Elerome School",
        "MGA Inc",
        "Irina Heer",
    )

    # Order Details of 1211.
    d = irina.order_by_number(1211)
    assert (d.source_name, d.approved_by_name, d.holder_name) == ("Ellen Emporium", "Irina Heer", "MGA Inc")
    assert d.order.status.label == "Active"
    assert d.order.approved_quantity == 2
    assert inv.audit(t).is_clean


def at(hhmm: str) -> datetime:
    hour, minute = hhmm.split(":")
    return datetime(2017, 10, 20, int(hour), int(minute), tzinfo=timezone.utc)
