"""The notification outbox: requests, decisions and new license managers write notifications in
their own transaction; the host reads the pending ones and marks them sent, all or none. Every
test runs on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from conftest import T0, Channel, center_order

from license_inventory import (
    InsufficientInventory,
    InvalidInput,
    Notification,
    NotificationKind,
    NotFound,
    Permission,
    Plan,
)


def kinds(pending: list[Notification]) -> list[tuple[NotificationKind, str, int]]:
    return [(n.kind, n.recipient, n.digest.number) for n in pending]


def mark_all(ch: Channel) -> None:
    ch.inv.mark_notifications_sent(ch.t, [n.id for n in ch.inv.pending_notifications(ch.t)])


def test_request_notifies_requester_source_admins_and_vendor_admins(ch: Channel) -> None:
    assert ch.inv.pending_notifications(ch.t) == []
    o = ch.session(ch.irina).request(ch.mga.id, ch.cl.id, 2, purchase_order="20171019", comments="soon")
    pending = ch.inv.pending_notifications(ch.t)
    # Irina asked (confirmation); Ellen Emporium's admin (Irina) and the vendor admin (Vera)
    # are told, each person once, in id order.
    received = sorted([ch.irina.id, ch.vera.id])
    assert kinds(pending) == [(NotificationKind.REQUEST_CONFIRMATION, ch.irina.id, o.number)] + [
        (NotificationKind.REQUEST_RECEIVED, u, o.number) for u in received
    ]
    last_seq = ch.inv.ledger(ch.t)[-1].seq
    for n in pending:
        assert n.seq == last_seq
        assert n.order == o.id and n.tenant == ch.t
        assert n.created_at == T0 and n.sent_at is None
        assert n.permissions == []
    c = pending[0]
    assert (c.email, c.name) == ("irina.heer@mga.example", "Irina Heer")
    d = c.digest
    assert (d.product_name, d.requested_quantity, d.approved_quantity) == ("Center License", 2, 0)
    assert (d.purchase_order, d.holder_name, d.source_name, d.requester_comments) == (
        "20171019",
        "MGA Inc",
        "Ellen Emporium",
        "soon",
    )
    assert c.subject == f"Order {o.number}: your request for 2 Center License was received"
    assert pending[1].subject == f"Order {o.number}: request for 2 Center License from MGA Inc"
    assert ch.inv.notification(ch.t, c.id) == c


def test_refused_change_writes_no_notification(ch: Channel) -> None:
    o = ch.session(ch.irina).request(ch.mga.id, ch.cl.id, 2)
    before = ch.inv.pending_notifications(ch.t)
    with pytest.raises(InsufficientInventory):
        ch.session(ch.irina).approve(o.id)
    assert ch.inv.pending_notifications(ch.t) == before


def test_decisions_notify_the_requester(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    a = irina.request(ch.mga.id, ch.cl.id, 3)
    b = irina.request(ch.mga.id, ch.uac.id, 1)
    mark_all(ch)
    irina.approve(a.id, quantity=2, comments="two for now")
    irina.reject(b.id, comments="not this month")
    pending = ch.inv.pending_notifications(ch.t)
    assert kinds(pending) == [
        (NotificationKind.REQUEST_APPROVED, ch.irina.id, a.number),
        (NotificationKind.REQUEST_REJECTED, ch.irina.id, b.number),
    ]
    assert (pending[0].digest.approved_quantity, pending[0].digest.approval_comments) == (2, "two for now")
    assert pending[0].subject == f"Order {a.number}: your request was approved (2 of 3 Center License)"
    assert pending[1].digest.approval_comments == "not this month"
    # Assignments (a parent pushing units) notify nobody.
    mark_all(ch)
    irina.assign(ch.ellen.id, ch.mga.id, ch.cl.id, 1)
    assert ch.inv.pending_notifications(ch.t) == []


def test_new_manager_is_invited_once(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 2)
    mark_all(ch)
    lena = ch.inv.create_user(ch.t, "Lena Manager", "lena@elerome.example")
    erin = ch.session(ch.erin)
    erin.add_license_manager(o.id, lena.id, [Permission.RESET_DEVICE, Permission.MANAGE_LICENSE_USERS])
    pending = ch.inv.pending_notifications(ch.t)
    assert kinds(pending) == [(NotificationKind.MANAGER_INVITATION, lena.id, o.number)]
    assert pending[0].permissions == [Permission.MANAGE_LICENSE_USERS, Permission.RESET_DEVICE]
    assert pending[0].email == "lena@elerome.example"
    mark_all(ch)
    erin.add_license_manager(o.id, lena.id, [Permission.RESET_LICENSE])
    assert ch.inv.pending_notifications(ch.t) == []


def test_mark_sent_is_all_or_none(ch: Channel) -> None:
    ch.session(ch.irina).request(ch.mga.id, ch.cl.id, 1)
    pending = ch.inv.pending_notifications(ch.t)
    ids = [n.id for n in pending]
    unknown = "00000000-0000-7000-8000-000000000000"
    with pytest.raises(NotFound) as e:
        ch.inv.mark_notifications_sent(ch.t, [*ids, unknown])
    assert (e.value.entity, e.value.id) == ("notification", unknown)
    assert ch.inv.pending_notifications(ch.t) == pending
    with pytest.raises(InvalidInput):
        ch.inv.mark_notifications_sent(ch.t, ["not an id"])
    assert ch.inv.mark_notifications_sent(ch.t, ids[:1]) == 1
    assert ch.inv.pending_notifications(ch.t, limit=10) == pending[1:]
    assert ch.inv.pending_notifications(ch.t, limit=1) == pending[1:2]
    assert ch.inv.mark_notifications_sent(ch.t, ids) == len(ids) - 1
    assert ch.inv.mark_notifications_sent(ch.t, ids) == 0
    assert ch.inv.pending_notifications(ch.t) == []
    assert ch.inv.notification(ch.t, ids[0]).sent_at == T0
    with pytest.raises(InvalidInput):
        ch.inv.pending_notifications(ch.t, limit=0)
    # Another tenant sees none of them.
    other = ch.inv.create_tenant("Other", "Other", plan=Plan.STANDARD)
    assert ch.inv.pending_notifications(other.id) == []
    with pytest.raises(NotFound):
        ch.inv.notification(other.id, ids[0])
