"""Every refusal names the refused action and its actor (docs/decisions.md §50): one case per
error class a caller meets, raised through the public API, on memory, SQLite and PostgreSQL.

``e.action`` is the action (``"approve"``, ``"create_org"``, ...), ``e.actor`` the acting
user's id, or ``None`` for the host application's own calls on ``Inventory`` (setting the
tenant up, a device activating); the message ends with ``(refused: <action> by user <id>)`` or
``(refused: <action> by the host application)``. Mirrors the core's conformance suite
``refusals`` (core/src/store/conformance/refusals.rs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from conftest import Channel, center_order

from license_inventory import (
    ActivationLimit,
    BatchCommand,
    BorrowLimit,
    Conflict,
    Floating,
    HierarchyViolation,
    InsufficientInventory,
    InvalidInput,
    InvalidState,
    InventoryError,
    License,
    LicensePolicy,
    LicenseUnusable,
    MistypedKey,
    NotFound,
    Order,
    OrderInUse,
    Permission,
    PermissionDenied,
    PlanRequired,
    Tier,
)


def assert_names(err: InventoryError, action: str, actor: str | None) -> None:
    """``err`` names ``action`` by ``actor`` in its attributes and in its message (a permission
    refusal says it at the start: "user … may not …")."""
    assert (err.action, err.actor) == (action, actor), str(err)
    text = str(err)
    if isinstance(err, PermissionDenied):
        assert actor is not None
        assert text.startswith(f"user {actor} may not {action}: "), text
    elif actor is None:
        assert text.endswith(f"(refused: {action} by the host application)"), text
    else:
        assert text.endswith(f"(refused: {action} by user {actor})"), text


@dataclass(frozen=True)
class World:
    """The channel of ``conftest.Channel`` with CL floating (one device, one borrow of at most
    60 s), an Elerome order of 4 CL with two licenses (the first borrowed by "ann"), and one
    activation code."""

    ch: Channel
    order: Order
    licenses: list[License]
    codes: list[License]


def world(ch: Channel) -> World:
    ch.inv.set_product_policy(ch.t, ch.cl.id, LicensePolicy(max_activations=1, floating=Floating(1, 60)))
    order = center_order(ch, ch.cl, 4)
    erin = ch.session(ch.erin)
    licenses = erin.issue(order.id, 2)
    erin.borrow(licenses[0].id, "ann", 60)
    uac = center_order(ch, ch.uac, 1)
    codes = erin.issue(uac.id, 1)
    return World(ch, order, licenses, codes)


#: A refusal: the call that is refused, and the action and actor it must name.
Refusal = tuple[Callable[[], object], str, str | None]


def invalid_input(w: World) -> Refusal:
    # Checked before the command runs, still named.
    ch = w.ch
    return lambda: ch.session(ch.irina).request(ch.mga.id, ch.cl.id, 0), "request", ch.irina.id


def not_found(w: World) -> Refusal:
    ch = w.ch
    return lambda: ch.session(ch.irina).order_by_number(9_999), "view", ch.irina.id


def permission_denied(w: World) -> Refusal:
    ch = w.ch
    return lambda: ch.session(ch.erin).mint(ch.cl.id, 5), "mint", ch.erin.id


def insufficient_inventory(w: World) -> Refusal:
    # Ellen Emporium holds none of the activation codes (all went down to Elerome).
    ch = w.ch
    irina = ch.session(ch.irina)
    ask = irina.request(ch.mga.id, ch.uac.id, 5)
    return lambda: irina.approve(ask.id), "approve", ch.irina.id


def invalid_state(w: World) -> Refusal:
    # A cancelled request cannot be approved.
    ch = w.ch
    irina = ch.session(ch.irina)
    ask = irina.request(ch.mga.id, ch.cl.id, 1)
    irina.cancel(ask.id)
    return lambda: irina.approve(ask.id), "approve", ch.irina.id


def hierarchy_violation(w: World) -> Refusal:
    # The vendor has no parent to request from.
    ch = w.ch
    return lambda: ch.session(ch.vera).request(ch.vendor, ch.cl.id, 1), "request", ch.vera.id


def conflict(w: World) -> Refusal:
    # A license user's email twice on one order.
    ch = w.ch
    erin = ch.session(ch.erin)
    erin.add_license_user(w.order.id, "ann@example.com")
    return lambda: erin.add_license_user(w.order.id, "ann@example.com"), "manage_license_users", ch.erin.id


def mistyped_key(w: World) -> Refusal:
    # A read by a key with one symbol mistyped.
    ch = w.ch
    key = list(w.licenses[1].key)
    key[3] = "B" if key[3] == "A" else "A"
    typo = "".join(key)
    return lambda: ch.session(ch.erin).license(typo), "view", ch.erin.id


def activation_limit(w: World) -> Refusal:
    # The host's own call (a device activating): named with no user.
    ch = w.ch
    key = w.licenses[1].key
    ch.inv.activate(ch.t, key, "pc-1", "PC 1")
    return lambda: ch.inv.activate(ch.t, key, "pc-2", "PC 2"), "activate", None


def borrow_limit(w: World) -> Refusal:
    # One open borrow at most.
    ch = w.ch
    return lambda: ch.session(ch.erin).borrow(w.licenses[0].id, "bob", 60), "borrow_license", ch.erin.id


def license_unusable(w: World) -> Refusal:
    # An activation code cannot be borrowed.
    ch = w.ch
    return lambda: ch.session(ch.erin).borrow(w.codes[0].id, "bob", 60), "borrow_license", ch.erin.id


def plan_required(w: World) -> Refusal:
    # create_order needs the enterprise plan.
    ch = w.ch
    erin = ch.session(ch.erin)
    return (
        lambda: erin.add_license_manager(w.order.id, ch.irina.id, [Permission.CREATE_ORDER]),
        "manage_managers",
        ch.erin.id,
    )


def order_in_use(w: World) -> Refusal:
    # Ellen Emporium's stock still feeds MGA Inc's order.
    ch = w.ch
    irina = ch.session(ch.irina)
    stock = ch.session(ch.vera).assign(ch.vendor, ch.ellen.id, ch.uac.id, 3)
    irina.assign(ch.ellen.id, ch.mga.id, ch.uac.id, 2)
    return lambda: irina.delete_order(stock.id), "delete_order", ch.irina.id


CASES: list[tuple[type[InventoryError], Callable[[World], Refusal]]] = [
    (InvalidInput, invalid_input),
    (NotFound, not_found),
    (PermissionDenied, permission_denied),
    (InsufficientInventory, insufficient_inventory),
    (InvalidState, invalid_state),
    (HierarchyViolation, hierarchy_violation),
    (Conflict, conflict),
    (MistypedKey, mistyped_key),
    (ActivationLimit, activation_limit),
    (BorrowLimit, borrow_limit),
    (LicenseUnusable, license_unusable),
    (PlanRequired, plan_required),
    (OrderInUse, order_in_use),
]


def test_every_refusal_class_has_a_case() -> None:
    """The cases cover every error class a caller can be refused with (the others, storage,
    invariant, export and internal failures, are no refusal and name nobody)."""
    assert {cls.__name__ for cls, _ in CASES} == {
        "InvalidInput",
        "NotFound",
        "PermissionDenied",
        "InsufficientInventory",
        "InvalidState",
        "HierarchyViolation",
        "Conflict",
        "MistypedKey",
        "ActivationLimit",
        "BorrowLimit",
        "LicenseUnusable",
        "PlanRequired",
        "OrderInUse",
    }


@pytest.mark.parametrize(("cls", "case"), CASES, ids=[cls.__name__ for cls, _ in CASES])
def test_every_refusal_names_its_action_and_actor(
    ch: Channel, cls: type[InventoryError], case: Callable[[World], Refusal]
) -> None:
    w = world(ch)
    call, action, actor = case(w)
    before = ch.inv.audit(ch.t)
    with pytest.raises(cls) as e:
        call()
    assert type(e.value) is cls
    assert e.value.batch_index is None
    assert_names(e.value, action, actor)
    after = ch.inv.audit(ch.t)
    assert after.is_clean
    assert (after.ledger_entries, after.available, after.issued) == (
        before.ledger_entries,
        before.available,
        before.issued,
    ), "a refusal writes nothing"


def test_host_refusals_name_the_action_and_no_user(ch: Channel) -> None:
    """The host application's own calls on ``Inventory`` (setting the tenant up) name their
    action and no user."""
    inv, t = ch.inv, ch.t
    with pytest.raises(Conflict) as dup:
        inv.create_user(t, "Irina again", ch.irina.email)
    assert_names(dup.value, "create_user", None)
    with pytest.raises(HierarchyViolation) as tier:
        inv.create_org(t, "Upside Down", Tier.DISTRIBUTOR, ch.mga.id)
    assert_names(tier.value, "create_org", None)
    with pytest.raises(InventoryError) as last:
        inv.revoke_admin(t, ch.vera.id, ch.vendor)
    assert (last.value.action, last.value.actor) == ("revoke_admin", None)
    with pytest.raises(InvalidInput) as nameless:
        inv.rename_product(t, ch.cl.id, " ")
    assert_names(nameless.value, "rename_product", None)
    with pytest.raises(InvalidInput) as tenant:
        inv.create_tenant("", "Vendor")
    assert_names(tenant.value, "create_tenant", None)


def test_a_batch_refusal_names_its_command_action(ch: Channel) -> None:
    """A batch's failing command is named by its own action (not "batch"), with its index; the
    batch's own check (its size) is named "batch"."""
    irina = ch.session(ch.irina)
    ask = irina.request(ch.mga.id, ch.cl.id, 5)
    with pytest.raises(InvalidState) as e:
        irina.batch([BatchCommand.cancel(ask.id), BatchCommand.approve(ask.id)])
    assert e.value.batch_index == 1
    assert_names(e.value, "approve", ch.irina.id)
    with pytest.raises(InvalidInput) as empty:
        irina.batch([])
    assert empty.value.batch_index is None
    assert_names(empty.value, "batch", ch.irina.id)


def test_an_error_built_by_hand_names_nobody() -> None:
    """The base class's defaults: no action, no actor, no batch index."""
    e = InventoryError("x")
    assert (e.action, e.actor, e.batch_index) == (None, None, None)
