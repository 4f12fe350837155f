"""Session writes: mint, request, edit_request, cancel, approve, reject, assign; and the errors
they raise, with their fields."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from conftest import T0, Channel

from license_inventory import (
    HierarchyViolation,
    InsufficientInventory,
    InvalidInput,
    InvalidState,
    InventoryError,
    NotFound,
    OrderStatus,
    PermissionDenied,
)


def test_mint(ch: Channel) -> None:
    vera = ch.session(ch.vera)
    o = vera.mint(ch.cl.id, 10, purchase_order="JA-1", comments="first batch")
    assert o.number == 1208
    assert o.status is OrderStatus.ACTIVE
    assert (o.requested_quantity, o.approved_quantity, o.available, o.drawn, o.issued) == (10, 10, 10, 0, 0)
    assert o.holder == ch.vendor
    assert o.source is None
    assert o.product == ch.cl.id
    assert o.tenant == ch.t
    assert o.purchase_order == "JA-1"
    assert o.requester_comments == "first batch"
    assert o.requested_by == ch.vera.id
    assert o.approved_by == ch.vera.id
    assert o.requested_at == o.approved_at == o.updated_at == T0
    assert ch.inv.tenant(ch.t).minted == 10
    # Only vendor admins mint.
    with pytest.raises(PermissionDenied) as e:
        ch.session(ch.irina).mint(ch.cl.id, 1)
    assert e.value.action == "mint"
    assert e.value.actor == ch.irina.id
    assert e.value.code == "PERMISSION_DENIED"
    assert isinstance(e.value, PermissionError)
    assert ch.inv.tenant(ch.t).minted == 10


def test_request_approve_draws_oldest_first(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    req = irina.request(ch.mga.id, ch.cl.id, 4, purchase_order="PO-7", comments="for spring")
    assert req.status is OrderStatus.REQUESTED
    assert req.number == 1210
    assert req.holder == ch.mga.id
    assert req.source == ch.ellen.id
    assert req.requested_by == ch.irina.id
    assert req.approved_by is None and req.approved_at is None
    assert (req.requested_quantity, req.approved_quantity, req.available) == (4, 0, 0)
    # Irina administers Ellen Emporium too, so she may approve (fewer units than asked).
    ch.inv.set_time(datetime(2017, 10, 20, 3, 0, tzinfo=timezone.utc))
    ok = irina.approve(req.id, quantity=3, comments="3 for now")
    assert ok.status is OrderStatus.ACTIVE
    assert (ok.requested_quantity, ok.approved_quantity, ok.available) == (4, 3, 3)
    assert ok.approved_by == ch.irina.id
    assert ok.approval_comments == "3 for now"
    assert ok.approved_at == datetime(2017, 10, 20, 3, 0, tzinfo=timezone.utc)
    source = irina.order_by_number(1208).order
    assert (source.drawn, source.available) == (3, 7)
    # Approving again is an invalid state, naming the order, its status and the action.
    with pytest.raises(InvalidState) as e:
        irina.approve(req.id)
    assert e.value.order_number == 1210
    assert e.value.status is OrderStatus.ACTIVE
    assert e.value.action == "approve"
    assert e.value.code == "INVALID_STATE"
    # More than requested is bad input.
    again = irina.request(ch.mga.id, ch.cl.id, 2)
    with pytest.raises(InvalidInput) as bad:
        irina.approve(again.id, quantity=3)
    assert bad.value.field == "quantity"


def test_approve_insufficient_inventory_changes_nothing(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    req = irina.request(ch.mga.id, ch.cl.id, 11)
    before = ch.inv.ledger(ch.t, limit=1000)
    with pytest.raises(InsufficientInventory) as e:
        irina.approve(req.id)
    assert e.value.available == 10
    assert e.value.requested == 11
    assert e.value.code == "INSUFFICIENT_INVENTORY"
    assert isinstance(e.value, InventoryError)
    assert "10" in str(e.value) and "11" in str(e.value)
    assert ch.inv.ledger(ch.t, limit=1000) == before
    assert irina.order(req.id).order.status is OrderStatus.REQUESTED
    assert irina.order_by_number(1208).order.available == 10
    # The same figure from an assignment.
    with pytest.raises(InsufficientInventory) as e2:
        irina.assign(ch.ellen.id, ch.mga.id, ch.cl.id, 12)
    assert (e2.value.available, e2.value.requested) == (10, 12)


def test_vendor_approval_mints(ch: Channel) -> None:
    irina, vera = ch.session(ch.irina), ch.session(ch.vera)
    req = irina.request(ch.ellen.id, ch.cl.id, 5)
    # Irina is not an admin of the vendor.
    with pytest.raises(PermissionDenied) as e:
        irina.approve(req.id)
    assert e.value.action == "approve"
    ok = vera.approve(req.id)
    assert ok.available == 5
    assert ch.inv.tenant(ch.t).minted == 5


def test_edit_request(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    req = irina.request(ch.mga.id, ch.cl.id, 2, purchase_order="20171019", comments="hello")
    ch.inv.set_time(datetime(2017, 10, 20, 2, 31, tzinfo=timezone.utc))
    edited = irina.edit_request(req.id, quantity=1, product=ch.uac.id, comments="One more, please.")
    assert edited.id == req.id and edited.number == req.number
    assert edited.requested_quantity == 1
    assert edited.product == ch.uac.id
    assert edited.requester_comments == "One more, please."
    assert edited.purchase_order == "20171019"  # None leaves a field as it is
    assert edited.updated_at == datetime(2017, 10, 20, 2, 31, tzinfo=timezone.utc)
    cleared = irina.edit_request(req.id, purchase_order="")  # "" clears it
    assert cleared.purchase_order is None
    assert cleared.requester_comments == "One more, please."
    with pytest.raises(InvalidInput) as e:
        irina.edit_request(req.id, quantity=0)
    assert e.value.field == "quantity"
    # Otto (Northwind) may not edit MGA's request.
    with pytest.raises(PermissionDenied) as pd:
        ch.session(ch.otto).edit_request(req.id, quantity=5)
    assert pd.value.action == "edit_request"
    irina.approve(req.id)
    with pytest.raises(InvalidState) as st:
        irina.edit_request(req.id, quantity=1)
    assert st.value.action == "edit_request"
    assert st.value.status is OrderStatus.ACTIVE


def test_cancel_and_reject(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    otto = ch.session(ch.otto)
    a = otto.request(ch.northwind.id, ch.cl.id, 2)
    # Irina is the source's admin, not the requester's: she may not cancel; Otto may not approve.
    with pytest.raises(PermissionDenied) as e:
        irina.cancel(a.id)
    assert e.value.action == "cancel"
    with pytest.raises(PermissionDenied) as e:
        otto.approve(a.id)
    assert e.value.action == "approve"
    cancelled = otto.cancel(a.id)
    assert cancelled.status is OrderStatus.CANCELLED
    with pytest.raises(InvalidState) as st:
        otto.cancel(a.id)
    assert st.value.status is OrderStatus.CANCELLED
    b = otto.request(ch.northwind.id, ch.cl.id, 2)
    with pytest.raises(PermissionDenied) as e:
        otto.reject(b.id)
    assert e.value.action == "reject"
    rejected = irina.reject(b.id, comments="not this quarter")
    assert rejected.status is OrderStatus.REJECTED
    assert rejected.approval_comments == "not this quarter"
    assert rejected.approved_by == ch.irina.id
    with pytest.raises(InvalidState) as st:
        irina.approve(b.id)
    assert st.value.status is OrderStatus.REJECTED
    assert st.value.order_number == b.number


def test_assign(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    ch.inv.set_time(datetime(2017, 10, 20, 1, 45, tzinfo=timezone.utc))
    o = irina.assign(ch.ellen.id, ch.mga.id, ch.uac.id, 2, purchase_order="EE2017-5", comments="go")
    assert o.status is OrderStatus.ACTIVE
    assert (o.requested_quantity, o.approved_quantity, o.available) == (2, 2, 2)
    assert o.holder == ch.mga.id and o.source == ch.ellen.id
    assert o.requested_by is None
    assert o.approved_by == ch.irina.id
    # Only to a child: Elerome is MGA's child, not Ellen's.
    with pytest.raises(HierarchyViolation):
        irina.assign(ch.ellen.id, ch.elerome.id, ch.uac.id, 1)
    # Otto administers Northwind, not Ellen Emporium.
    with pytest.raises(PermissionDenied) as e:
        ch.session(ch.otto).assign(ch.ellen.id, ch.northwind.id, ch.uac.id, 1)
    assert e.value.action == "assign"
    assert e.value.reason
    # Draining an order makes it depleted.
    irina.assign(ch.mga.id, ch.elerome.id, ch.uac.id, 2)
    assert irina.order(o.id).order.status is OrderStatus.DEPLETED
    assert irina.order(o.id).order.drawn == 2


@pytest.mark.parametrize("quantity", [0, -1, 2**64, 1_000_000_001])
def test_bad_quantities(stocked: Channel, quantity: int) -> None:
    irina = stocked.session(stocked.irina)
    with pytest.raises(InvalidInput) as e:
        irina.request(stocked.mga.id, stocked.cl.id, quantity)
    assert e.value.field == "quantity"
    with pytest.raises(TypeError):
        irina.request(stocked.mga.id, stocked.cl.id, 1.5)  # type: ignore[arg-type]


def test_bad_text_and_ids(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    with pytest.raises(InvalidInput) as e:
        irina.request(ch.mga.id, ch.cl.id, 1, purchase_order="x" * 101)
    assert e.value.field == "purchase order"
    with pytest.raises(InvalidInput) as e:
        irina.request("nope", ch.cl.id, 1)
    assert e.value.field == "organization id"
    with pytest.raises(NotFound) as nf:
        irina.request(ch.mga.id, "01890000-0000-7000-8000-000000000000", 1)
    assert nf.value.entity == "product"
    with pytest.raises(NotFound) as nf:
        irina.cancel("01890000-0000-7000-8000-000000000000")
    assert nf.value.entity == "order"
    with pytest.raises(HierarchyViolation):
        ch.session(ch.vera).request(ch.vendor, ch.cl.id, 1)
