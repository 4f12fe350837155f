"""The seed walkthrough (``000_*.txt``, orders 1210-1213) on an SQLite file, printed as the
License Inventory screens of the channel admin guide, then the life of order 1210 (seed
``002``: licenses, a customer, a license manager, CSV export, deletion): the Python twin of
``examples/walkthrough.rs``, with the same output.

    python examples/python/walkthrough.py [DB_PATH]
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone

from license_inventory import (
    Customer,
    Inventory,
    LicensePolicy,
    OrderDetails,
    OrderStatus,
    Permission,
    PermissionDenied,
    Plan,
    ProductKind,
    Tier,
    Validity,
)


def at(hhmm: str) -> datetime:
    hour, minute = hhmm.split(":")
    return datetime(2017, 10, 20, int(hour), int(minute), tzinfo=timezone.utc)


def date(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def who(org: str, user: str | None) -> str:
    """Joins a name and an optional person: "Ellen Emporium Irina Heer"."""
    return f"{org} {user}" if user is not None else org


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Prints rows as aligned columns separated by two spaces, with a rule under the header."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row)]

    def line(cells: Sequence[str]) -> None:
        print("  ".join(f"{c:<{w}}" for c, w in zip(cells, widths)).rstrip())

    line(header)
    line(["-" * w for w in widths])
    for row in rows:
        line(row)


INVENTORY_HEADER = [
    "Order Number",
    "Inventory Type",
    "Purchase Order",
    "Order Status",
    "Requested/Approved",
    "Available",
    "Requested By",
    "Date Requested",
    "Approved By",
]


def inventory_row(d: OrderDetails) -> list[str]:
    o = d.order
    quantity = o.requested_quantity if o.status == OrderStatus.REQUESTED else o.approved_quantity
    approved_by = (
        who(d.source_name, d.approved_by_name)
        if d.source_name is not None and o.approved_by is not None
        else ""
    )
    return [
        str(o.number),
        d.product_name,
        o.purchase_order or "",
        o.status.label,
        str(quantity),
        str(o.available),
        who(d.holder_name, d.requested_by_name),
        date(o.requested_at),
        approved_by,
    ]


def main(argv: Sequence[str]) -> int:
    if len(argv) > 1:
        path = argv[1]
    else:
        path = os.path.join(
            tempfile.gettempdir(), f"license-inventory-walkthrough-{os.getpid()}.db"
        )
        if os.path.exists(path):
            os.remove(path)
    inv = Inventory.open_sqlite(path)
    inv.set_time(at("01:30"))

    # The channel: Jasperactive (vendor) › Ellen Emporium › MGA Inc › Elerome School.
    tenant = inv.create_tenant(
        "Jasperactive", "Jasperactive", plan=Plan.STANDARD, first_order_number=1208
    )
    t = tenant.id
    ellen = inv.create_org(t, "Ellen Emporium", Tier.DISTRIBUTOR, tenant.vendor)
    mga = inv.create_org(t, "MGA Inc", Tier.RESELLER, ellen.id)
    elerome = inv.create_org(t, "Elerome School", Tier.CENTER, mga.id)
    vera_user = inv.create_user(t, "Vera Vendor", "vera@jasperactive.example")
    irina_user = inv.create_user(t, "Irina Heer", "irina.heer@mga.example")
    inv.grant_admin(t, vera_user.id, tenant.vendor)
    inv.grant_admin(t, irina_user.id, ellen.id)
    inv.grant_admin(t, irina_user.id, mga.id)
    cl = inv.create_product(t, "CL", "Center License", ProductKind.LICENSE)
    uac = inv.create_product(t, "UAC", "User Activation Codes", ProductKind.ACTIVATION_CODE)
    vera = inv.session(t, vera_user.id)
    irina = inv.session(t, irina_user.id)

    # Ellen Emporium's stock from the vendor (orders 1208, 1209).
    for product in (cl, uac):
        vera.assign(tenant.vendor, ellen.id, product.id, 10, purchase_order="JA-2017-10")
    # 01:45 Ellen Emporium assigns to MGA Inc: 1210 (3 Center Licenses), 1211 (2 codes).
    inv.set_time(at("01:45"))
    irina.assign(ellen.id, mga.id, cl.id, 3, purchase_order="EE2017-1")
    o1211 = irina.assign(ellen.id, mga.id, uac.id, 2, purchase_order="EE2017-5")
    # 01:52 MGA Inc assigns one code to Elerome School: 1212.
    inv.set_time(at("01:52"))
    irina.assign(mga.id, elerome.id, uac.id, 1)
    # 02:24 MGA Inc requests 2 Center Licenses from Ellen Emporium (1213), then edits it to 1.
    inv.set_time(at("02:24"))
    o1213 = irina.request(mga.id, cl.id, 2, purchase_order="20171019")
    inv.set_time(at("02:31"))
    irina.edit_request(o1213.id, quantity=1, comments="One more center license, please.")

    # ---- Step 1: Irina picks her administrator role from the Role menu ------------------
    roles = irina.roles_of(irina_user.id)
    print("Role: " + ", ".join(f"{r.org_name} ({r.tier})" for r in roles))
    print()

    # ---- License Inventory of MGA Inc ------------------------------------------------------
    print(f"License Inventory: {mga.name} ({mga.tier})")
    print()
    summary = irina.summary(mga.id)
    for line in summary:
        # The guide's indicators speak in plurals: "Assigned Center Licenses: 3".
        plural = "" if line.product_name.endswith("s") else "s"
        print(f"Assigned {line.product_name}{plural}: {line.available}")
    print(f"Pending Requests: {sum(line.pending_requests for line in summary)}")
    print()
    page = irina.list(mga.id, limit=50)
    table(INVENTORY_HEADER, [inventory_row(d) for d in page.items])

    # ---- Ellen Emporium's approval queue: the requests submitted to it for approval ---------
    print()
    print(f"Requests Submitted for Approval: {ellen.name} ({ellen.tier})")
    print()
    queue = irina.approval_queue(ellen.id, limit=50)
    table(INVENTORY_HEADER, [inventory_row(d) for d in queue.items])

    # ---- Detail of Inventory Use of 1211 ------------------------------------------------
    usage = irina.detail_of_use(o1211.id)
    o = usage.order.order
    print()
    print("Detail of Inventory Use")
    print()
    print(f"Order Number: {o.number}")
    print(f"Purchase Order: {o.purchase_order or ''}")
    print(f"Inventory Type: {usage.order.product_name}")
    print(f"Assigned Inventory: {o.approved_quantity}")
    print(f"Available Inventory: {o.available}")
    print()
    table(
        [
            "Order Number",
            "Purchase Order",
            "Assigned",
            "Date of Assignment",
            "Requested By",
            "Approved By",
        ],
        [
            [
                str(d.order_number),
                d.purchase_order or "",
                str(d.quantity),
                date(d.at),
                who(d.requested_by_org, d.requested_by_user),
                who(d.approved_by_org, d.approved_by_user),
            ]
            for d in usage.draws
        ],
    )

    # ---- Order Details of 1211 ------------------------------------------------------------
    details = irina.order_by_number(1211)
    o = details.order
    print()
    print("Order Details")
    print()
    fields = [
        ("Order Number", str(o.number)),
        ("Purchase Order", o.purchase_order or ""),
        ("Order Status", o.status.label),
        ("Assigned By", who(details.source_name or "", details.approved_by_name)),
        ("Assigned To", details.holder_name),
        ("Inventory Type", details.product_name),
        ("Quantity", str(o.approved_quantity)),
        ("Requester Comments", o.requester_comments or ""),
        ("Approval Comments", o.approval_comments or ""),
    ]
    for label, value in fields:
        print(f"{label + ':':<20}{value}".rstrip())
    print()

    # ---- The life of order 1210, as in the vendor platform's Order Detail View -----------
    # The vendor's Center License policy: two devices per license, perpetual.
    inv.set_product_policy(
        t, cl.id, LicensePolicy(max_activations=2, validity=Validity.perpetual())
    )
    inv.set_time(at("09:00"))
    o1210 = irina.order_by_number(1210).order
    print()
    print("Order 1210")
    print()
    licenses = irina.issue(o1210.id, 2)
    keys = [lic.key for lic in licenses]
    print(f"Issued {len(keys)} licenses: {', '.join(keys)}")
    irina.set_customer(
        o1210.id,
        Customer(
            "Elerome School",
            email="principal@elerome.example",
            company="Elerome School",
            reference="ES-2017",
        ),
    )
    print("Customer: Elerome School <principal@elerome.example>")
    lena_user = inv.create_user(t, "Lena Manager", "lena@elerome.example")
    granted = irina.add_license_manager(
        o1210.id, lena_user.id, [Permission.MANAGE_LICENSE_USERS, Permission.RESET_DEVICE]
    )
    perms = ", ".join(p.value for p in granted.permissions)
    print(f"License manager: {lena_user.name} ({perms})")
    lena = inv.session(t, lena_user.id)
    student = lena.add_license_user(o1210.id, "student@elerome.example", name="Stu Dent")
    lena.assign_license(licenses[0].id, student.id)
    print(f"License user: {student.email} holds {keys[0]}")
    activated = inv.activate(t, keys[0], "front-desk", "Front desk PC")
    print(
        f"Activated {keys[0]} on front-desk: {len(activated.activations)} of "
        f"{activated.policy.max_activations} devices"
    )
    reset = lena.reset_device(licenses[0].id, "front-desk")
    print(f"Lena Manager reset device front-desk: {len(reset.activations)} devices")
    try:
        lena.issue(o1210.id, 1)
    except PermissionDenied as e:
        print(f"Lena Manager may not issue licenses ({e.code})")
    else:
        print("expected a refusal", file=sys.stderr)
        return 1
    csv_path = os.path.splitext(path)[0] + ".1210.csv"
    rows = irina.export_order_csv(o1210.id, csv_path)
    print(f"Exported order 1210: {rows} license rows to {csv_path}")
    before = irina.order(o1210.id).order
    irina.delete_order(o1210.id)
    stock = irina.order_by_number(1208).order
    unused = before.available
    print(
        f"Deleted order 1210: {unused} unused unit{'' if unused == 1 else 's'} back to 1208 "
        f"({stock.available} available), {before.issued} licenses retired"
    )
    print()
    audit = inv.audit(t)
    print(
        f"Audit: {audit.orders} orders, {audit.ledger_entries} ledger entries, "
        f"minted {audit.minted} - retired {audit.retired} = available {audit.available} "
        f"+ issued {audit.issued}: {'clean' if audit.is_clean else 'PROBLEMS'}"
    )
    print(f"Store: {path}")
    if not audit.is_clean:
        print(f"audit problems: {audit.problems}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
