"""Batches: many commands in one transaction, all or nothing. Every test runs on memory, SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from conftest import Channel, center_order

from license_inventory import (
    MAX_BATCH,
    BatchCommand,
    BundleLine,
    Conflict,
    Customer,
    Floating,
    InsufficientInventory,
    InvalidInput,
    InventoryError,
    Issued,
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
    assert isinstance(imported, list) and [isinstance(lic, License) and lic.imported for lic in imported] == [True, True]
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


def test_every_session_write_batches(stocked: Channel) -> None:
    """The six commands batches gained return what their session methods return: an order (the
    metadata, the customer), an ``Issued`` (issue in bulk), the bundle's requests, the new
    license user, and ``None`` for a password change; later commands see earlier ones."""
    ch = stocked
    order = center_order(ch, ch.cl, 6)
    erin = ch.session(ch.erin)
    bundle = ch.inv.create_bundle(ch.t, "Starter pack", [BundleLine(ch.cl.id, 2), BundleLine(ch.uac.id, 1)])
    stu = erin.add_license_user(order.id, "stu@elerome.example")
    customer = Customer("Elerome School", email="principal@elerome.example", reference="ES-2017")
    meta, with_customer, issued, asked, sam, changed = erin.batch(
        [
            BatchCommand.edit_metadata(order.id, reference="REF-1", campaign={"utm_source": "fall"}, is_test=True),
            BatchCommand.set_customer(order.id, customer),
            BatchCommand.issue_in_bulk(order.id, 3),
            BatchCommand.request_bundle(ch.elerome.id, bundle.id, purchase_order="PB-1", comments="for the lab"),
            BatchCommand.add_license_user(order.id, "sam@elerome.example", name="Sam", password="correct horse battery"),
            BatchCommand.set_license_user_password(stu.id, "a new long passphrase"),
        ]
    )
    assert isinstance(meta, Order)
    assert (meta.metadata.reference, meta.metadata.campaign, meta.metadata.is_test) == (
        "REF-1",
        {"utm_source": "fall"},
        True,
    )
    assert isinstance(with_customer, Order) and with_customer.customer == customer
    assert with_customer.metadata.reference == "REF-1"
    assert isinstance(issued, Issued)
    assert (issued.count, issued.order.id, issued.order.issued, issued.order.available) == (3, order.id, 3, 3)
    assert isinstance(asked, list)
    requests = [o for o in asked if isinstance(o, Order)]
    assert len(requests) == len(asked)
    assert [(o.holder, o.product, o.requested_quantity, o.status, o.purchase_order) for o in requests] == [
        (ch.elerome.id, ch.cl.id, 2, OrderStatus.REQUESTED, "PB-1"),
        (ch.elerome.id, ch.uac.id, 1, OrderStatus.REQUESTED, "PB-1"),
    ]
    assert requests[0].bundle is not None and requests[0].bundle == requests[1].bundle
    assert isinstance(sam, LicenseUser)
    assert (sam.order, sam.email, sam.name, sam.has_password) == (order.id, "sam@elerome.example", "Sam", True)
    assert changed is None
    assert ch.inv.verify_license_user_password(ch.t, sam.id, "correct horse battery")
    assert ch.inv.verify_license_user_password(ch.t, stu.id, "a new long passphrase")
    assert [lic.id for lic in erin.licenses(order.id)][0] == issued.first
    (removed,) = erin.batch([BatchCommand.set_customer(order.id, None)])
    assert isinstance(removed, Order) and removed.customer is None
    assert snapshot(ch)[2] == 3
    # Passwords never reach the ledger.
    for entry in ch.inv.ledger(ch.t):
        assert "horse" not in repr(entry) and "passphrase" not in repr(entry)


def test_a_refused_new_command_names_its_index_and_action(stocked: Channel) -> None:
    """Each new kind refused inside a batch: the command's own error class, its position, and
    its own action (not ``batch``), by the session's user; nothing of the batch is written."""
    ch = stocked
    order = center_order(ch, ch.cl, 4)
    erin = ch.session(ch.erin)
    otto = ch.session(ch.otto)
    stu = erin.add_license_user(order.id, "stu@elerome.example")
    bundle = ch.inv.create_bundle(ch.t, "Pack", [BundleLine(ch.cl.id, 1)])
    fine = BatchCommand.edit_metadata(order.id, reference="never")
    cases: list[tuple[str, list[BatchCommand], type[InventoryError], str]] = [
        (erin.user, [fine, BatchCommand.set_license_user_password(stu.id, "short")], InvalidInput, "manage_license_user_credentials"),
        (erin.user, [fine, BatchCommand.issue_in_bulk(order.id, 5)], InsufficientInventory, "issue_license"),
        (erin.user, [fine, BatchCommand.add_license_user(order.id, "stu@elerome.example")], Conflict, "manage_license_users"),
        (erin.user, [fine, BatchCommand.add_license_user(order.id, "x@elerome.example", password="short")], InvalidInput, "manage_license_users"),
        (otto.user, [BatchCommand.edit_metadata(order.id, reference="X")], PermissionDenied, "edit_metadata"),
        (otto.user, [BatchCommand.set_customer(order.id, Customer("Northwind"))], PermissionDenied, "edit_customer"),
        (otto.user, [BatchCommand.request_bundle(ch.elerome.id, bundle.id)], PermissionDenied, "request_bundle"),
    ]
    before = snapshot(ch)
    for user, commands, cls, action in cases:
        session = erin if user == erin.user else otto
        with pytest.raises(cls) as e:
            session.batch(commands)
        index = len(commands) - 1
        assert type(e.value) is cls, (action, e.value)
        assert (e.value.batch_index, e.value.action, e.value.actor) == (index, action, user), str(e.value)
        assert str(e.value).startswith(f"command {index} of the batch failed"), str(e.value)
        if cls is not PermissionDenied:
            assert str(e.value).endswith(f"(refused: {action} by user {user})"), str(e.value)
    assert snapshot(ch) == before
    assert erin.order(order.id).order.metadata.reference is None
    assert not ch.inv.verify_license_user_password(ch.t, stu.id, "short")


def test_a_keyed_batch_fingerprints_its_passwords(ch: Channel) -> None:
    """A keyed batch retried with the same passwords returns its first result; with another
    password it is a ``Conflict`` and changes nothing (the passwords are part of the command)."""
    order = center_order(ch, ch.cl, 2)
    erin = ch.session(ch.erin)
    stu = erin.add_license_user(order.id, "stu@elerome.example")
    keyed = erin.with_idempotency_key("passwords-1")
    first = keyed.batch([BatchCommand.set_license_user_password(stu.id, "first long passphrase")])
    assert first == [None]
    assert keyed.batch([BatchCommand.set_license_user_password(stu.id, "first long passphrase")]) == first
    with pytest.raises(Conflict) as e:
        keyed.batch([BatchCommand.set_license_user_password(stu.id, "another long passphrase")])
    assert e.value.code == "CONFLICT" and "passwords-1" in str(e.value)
    assert "passphrase" not in str(e.value)
    assert ch.inv.verify_license_user_password(ch.t, stu.id, "first long passphrase")
    assert not ch.inv.verify_license_user_password(ch.t, stu.id, "another long passphrase")
    adding = erin.with_idempotency_key("add-user-1")
    (sam,) = adding.batch([BatchCommand.add_license_user(order.id, "sam@elerome.example", password="sam's passphrase")])
    assert isinstance(sam, LicenseUser)
    assert adding.batch([BatchCommand.add_license_user(order.id, "sam@elerome.example", password="sam's passphrase")]) == [sam]
    with pytest.raises(Conflict):
        adding.batch([BatchCommand.add_license_user(order.id, "sam@elerome.example", password="other passphrase")])
    assert sorted(u.email for u in erin.license_users(order.id)) == ["sam@elerome.example", "stu@elerome.example"]


def test_new_commands_repr_without_secrets(ch: Channel) -> None:
    """Each new constructor takes its session method's arguments; a repr never shows a
    password."""
    o, u, b = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", ch.cl.id
    secret = "hunter2 is my password"
    added = BatchCommand.add_license_user(o, "sam@elerome.example", name="Sam", password=secret)
    changed = BatchCommand.set_license_user_password(u, secret)
    for command in (added, changed):
        assert secret not in repr(command) and "hunter2" not in repr(command), repr(command)
    assert repr(changed) == f"BatchCommand.set_license_user_password('{u}', <redacted>)"
    assert repr(added).startswith(f"BatchCommand.add_license_user('{o}', 'sam@elerome.example'")
    assert repr(BatchCommand.issue_in_bulk(o, 7)) == f"BatchCommand.issue_in_bulk('{o}', 7)"
    assert repr(BatchCommand.set_customer(o, None)) == f"BatchCommand.set_customer('{o}', None)"
    assert repr(BatchCommand.edit_metadata(o, is_trial=True)).startswith(f"BatchCommand.edit_metadata('{o}'")
    assert repr(BatchCommand.request_bundle(o, b)).startswith(f"BatchCommand.request_bundle('{o}', '{b}'")
    assert added == BatchCommand.add_license_user(o, "sam@elerome.example", name="Sam", password=secret)
    assert added != BatchCommand.add_license_user(o, "sam@elerome.example", name="Sam", password="another")
    # The same conversions as the session methods: a bad campaign, a negative quantity, a
    # malformed id are refused at construction.
    with pytest.raises(InvalidInput):
        BatchCommand.edit_metadata(o, campaign="utm_source=fall")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        BatchCommand.issue_in_bulk(o, -1)
    with pytest.raises(InvalidInput):
        BatchCommand.set_license_user_password("not-an-id", secret)
    with pytest.raises(TypeError):
        BatchCommand.set_customer(o, "Elerome School")  # type: ignore[arg-type]
