"""The exception hierarchy: classes, builtin bases, codes, fields, pickling."""

from __future__ import annotations

import pickle

import pytest

import license_inventory as li
from license_inventory import (
    Conflict,
    HierarchyViolation,
    InsufficientInventory,
    InvalidInput,
    InvalidState,
    InvariantViolated,
    InventoryClosed,
    InventoryError,
    NotFound,
    OrderStatus,
    PermissionDenied,
    SchemaMismatch,
    StorageError,
)


def test_hierarchy() -> None:
    for cls in (
        Conflict,
        HierarchyViolation,
        InsufficientInventory,
        InvalidInput,
        InvalidState,
        InvariantViolated,
        InventoryClosed,
        NotFound,
        PermissionDenied,
        SchemaMismatch,
        StorageError,
    ):
        assert issubclass(cls, InventoryError)
    assert issubclass(InvalidInput, ValueError)
    assert issubclass(NotFound, LookupError)
    assert issubclass(PermissionDenied, PermissionError)
    assert issubclass(InventoryError, Exception)


@pytest.mark.parametrize(
    "err",
    [
        InvalidInput("invalid quantity: must be at least 1", field="quantity", reason="must be at least 1"),
        NotFound("order 7 not found", entity="order", id="7"),
        PermissionDenied("user u may not view: no", action="view", actor="u", reason="no"),
        InsufficientInventory("insufficient", available=1, requested=3),
        InvalidState("order 1210 is active", order_number=1210, status=OrderStatus.ACTIVE, action="approve"),
        HierarchyViolation("hierarchy rule broken: x", reason="x"),
        Conflict("conflict: email", what="email"),
        SchemaMismatch("schema 9", found=9, supported=1, hint="upgrade"),
        InvariantViolated("invariant", reason="r"),
        StorageError("storage failure: disk", kind="sqlite", detail="disk"),
        InventoryClosed("the inventory is closed"),
    ],
)
def test_pickle_round_trip(err: InventoryError) -> None:
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert str(back) == str(err)
    assert back.__dict__ == err.__dict__


def test_codes_and_messages() -> None:
    e = InsufficientInventory("insufficient inventory: 3 units asked, only 1 available", available=1, requested=3)
    assert e.code == "INSUFFICIENT_INVENTORY"
    assert str(e) == e.message == "insufficient inventory: 3 units asked, only 1 available"
    assert repr(e) == "InsufficientInventory('insufficient inventory: 3 units asked, only 1 available')"
    assert InventoryError("x").code == "INVENTORY_ERROR"


def test_raised_from_the_core_keeps_the_core_message() -> None:
    inv = li.Inventory.in_memory()
    with pytest.raises(InvalidInput) as e:
        inv.create_tenant("", "V")
    assert str(e.value) == (
        f"invalid {e.value.field}: {e.value.reason} (refused: create_tenant by the host application)"
    )
    assert (e.value.action, e.value.actor) == ("create_tenant", None)
    assert e.value.args == (str(e.value),)
