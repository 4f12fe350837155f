"""Batches: many commands in one transaction, all or nothing. Every test runs on memory, SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from conftest import Channel, center_order

from license_inventory import (
    MAX_BATCH,
    BatchCommand,
    Floating,
    InsufficientInventory,
    InvalidInput,
    License,
    LicenseManager,
    LicensePolicy,
    LicenseStatus,
    LicenseUser,
    Order,
    OrderStatus,
    PermissionDenied,
)


def snapshot(ch: Channel) -> tuple[int, int, int]:
    audit = ch.inv.audit(ch.t)
    assert audit.is_clean
    return audit.ledger_entries, audit.available, audit.issued


def test_approvals_all_or_nothing(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    asks = [irina.request(ch.mga.id, ch.cl.id, 2) for _ in range(5)]
    # Ellen Emporium holds 10: four approvals fit, a fifth request of 5 does not.
    extra = irina.request(ch.mga.id, ch.cl.id, 5)
    before = snapshot(ch)
    with pytest.raises(InsufficientInventory) as e:
        irina.batch([*(BatchCommand.approve(o.id) for o in asks[:4]), BatchCommand.approve(extra.id)])
    assert (e.value.available, e.value.requested) == (2, 5)
    assert e.value.batch_index == 4
    assert str(e.value).startswith("command 4 of the batch failed")
    assert e.value.code == "INSUFFICIENT_INVENTORY"
    assert snapshot(ch) == before
    assert all(irina.order(o.id).order.status is OrderStatus.REQUESTED for o in asks)
    with pytest.raises(PermissionDenied):
        ch.session(ch.otto).batch([BatchCommand.approve(asks[0].id)])
    with pytest.raises(InvalidInput) as bad:
        irina.batch([BatchCommand.approve(asks[0].id), BatchCommand.approve(asks[1].id, quantity=0)])
    assert (bad.value.batch_index, bad.value.field) == (1, "quantity")
    assert snapshot(ch) == before

    done = irina.batch(BatchCommand.approve(o.id, comments="batch") for o in asks)
    assert len(done) == 5
    for result, ask in zip(done, asks):
        assert isinstance(result, Order)
        assert (result.id, result.status, result.available, result.approval_comments) == (
            ask.id,
            OrderStatus.ACTIVE,
            2,
            "batch",
        )
    assert irina.order_by_number(1208).order.available == 0


def test_later_commands_see_earlier_ones(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    held = center_order(ch, ch.uac, 1)
    pending = irina.request(ch.mga.id, ch.uac.id, 1)
    done = irina.batch(
        [
            BatchCommand.assign(ch.ellen.id, ch.mga.id, ch.cl.id, 3),
            BatchCommand.assign(ch.mga.id, ch.elerome.id, ch.cl.id, 3, purchase_order="PO-B"),
            BatchCommand.cancel(pending.id),
            BatchCommand.request(ch.mga.id, ch.cl.id, 1),
        ]
    )
    assert isinstance(done[1], Order) and (done[1].holder, done[1].available, done[1].purchase_order) == (
        ch.elerome.id,
        3,
        "PO-B",
    )
    assert isinstance(done[2], Order) and done[2].status is OrderStatus.CANCELLED
    assert isinstance(done[3], Order) and done[3].status is OrderStatus.REQUESTED
    # An issue returns its licenses; a refusal later in the batch undoes it.
    erin = ch.session(ch.erin)
    with pytest.raises(PermissionDenied):
        erin.batch([BatchCommand.issue(held.id, 1), BatchCommand.reject(done[3].id)])
    assert erin.order(held.id).order.issued == 0
    keyed = erin.with_idempotency_key("batch-1")
    first = keyed.batch([BatchCommand.issue(held.id, 1)])
    assert isinstance(first[0], list) and all(isinstance(x, License) for x in first[0])
    again = keyed.batch([BatchCommand.issue(held.id, 1)])
    assert again == first
    assert erin.order(held.id).order.issued == 1


def test_batch_size_is_checked(ch: Channel) -> None:
    vera = ch.session(ch.vera)
    with pytest.raises(InvalidInput) as empty:
        vera.batch([])
    assert empty.value.batch_index is None
    o = vera.request(ch.ellen.id, ch.cl.id, 1)
    with pytest.raises(InvalidInput):
        vera.batch([BatchCommand.cancel(o.id)] * (MAX_BATCH + 1))
    with pytest.raises(TypeError):
        vera.batch(["approve"])  # type: ignore[list-item]
    assert repr(BatchCommand.issue(o.id, 3)) == f"BatchCommand.issue('{o.id}', 3)"
    assert BatchCommand.cancel(o.id) == BatchCommand.cancel(o.id)


def test_license_order_and_manager_commands_in_a_batch(ch: Channel) -> None:
    """The order, license and manager commands batch like the others: results in order, and a
    refusal anywhere undoes all of them, naming its command."""
    order = center_order(ch, ch.cl, 6)
    erin = ch.session(ch.erin)
    a, b = erin.issue(order.id, 2)
    lena = ch.inv.create_user(ch.t, "Lena Manager", "lena@elerome.example")
    done = erin.batch(
        [
            BatchCommand.disable(a.id),
            BatchCommand.enable(a.id),
            BatchCommand.reset_license(a.id),
            BatchCommand.revoke(b.id),
            BatchCommand.import_licenses(order.id, ["ACME-0001", "ACME-0002"]),
            BatchCommand.add_license_manager(order.id, lena.id, ["reset_device"]),
            BatchCommand.set_license_manager_permissions(order.id, lena.id, ["reset_device", "reset_license"]),
            BatchCommand.remove_license_manager(order.id, lena.id),
            BatchCommand.return_units(order.id, 1),
        ]
    )
    assert isinstance(done[0], License) and done[0].status is LicenseStatus.DISABLED
    assert isinstance(done[3], Order) and done[3].issued == 1
    imported = done[4]
    assert isinstance(imported, list) and [lic.imported for lic in imported] == [True, True]
    assert isinstance(done[6], LicenseManager) and len(done[6].permissions) == 2
    assert done[7] is None
    assert "<2 keys>" in repr(BatchCommand.import_licenses(order.id, ["ACME-0003", "ACME-0004"]))
    minted = ch.session(ch.vera).batch([BatchCommand.mint(ch.uac.id, 4)])[0]
    assert isinstance(minted, Order)
    assert ch.session(ch.vera).batch([BatchCommand.delete_order(minted.id)]) == [None]
    before = snapshot(ch)
    with pytest.raises(InvalidInput) as e:
        erin.batch([BatchCommand.disable(a.id), BatchCommand.reset_device(a.id, "never-seen")])
    assert e.value.batch_index == 1
    assert snapshot(ch) == before


def test_edits_and_borrows_in_a_batch(stocked: Channel) -> None:
    ch = stocked
    ch.inv.set_product_policy(ch.t, ch.cl.id, LicensePolicy(max_activations=1, floating=Floating(2, 600)))
    order = center_order(ch, ch.cl, 2)
    erin = ch.session(ch.erin)
    (lic,) = erin.issue(order.id, 1)
    done = erin.batch(
        [
            BatchCommand.borrow(lic.id, "pc-1", 60),
            BatchCommand.borrow(lic.id, "pc-2", 60),
            BatchCommand.return_borrow(lic.id, "pc-1"),
        ]
    )
    assert [len(r.borrows) for r in done if isinstance(r, License)] == [1, 2, 1]
    irina = ch.session(ch.irina)
    asked = irina.request(ch.mga.id, ch.cl.id, 2)
    (edited,) = irina.batch([BatchCommand.edit_request(asked.id, quantity=3)])
    assert isinstance(edited, Order) and edited.requested_quantity == 3
    with pytest.raises(InvalidInput) as e:
        erin.batch([BatchCommand.borrow(lic.id, "pc-3", 0)])
    assert e.value.batch_index == 0
    sam = erin.add_license_user(order.id, "sam@elerome.example")
    given, renamed, back, gone = erin.batch(
        [
            BatchCommand.assign_license(lic.id, sam.id),
            BatchCommand.edit_license_user(sam.id, name="Sam"),
            BatchCommand.assign_license(lic.id),
            BatchCommand.delete_license_user(sam.id),
        ]
    )
    assert isinstance(given, License) and given.license_user == sam.id
    assert isinstance(renamed, LicenseUser) and renamed.name == "Sam"
    assert isinstance(back, License) and back.license_user is None
    assert gone is None and erin.license_users(order.id) == []
