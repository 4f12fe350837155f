"""Taking things back: admin roles, deactivations, the plan, products and license managers.
Each succeeds with its ledger entry, is refused (changing nothing) where it breaks a rule, and
records nothing when already done."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from conftest import Channel, center_order, make_channel

from license_inventory import (
    HierarchyViolation,
    InvalidInput,
    Inventory,
    LedgerKind,
    NotFound,
    Permission,
    PermissionDenied,
    Plan,
    PlanRequired,
)


def _newest_kind(ch: Channel) -> LedgerKind:
    return ch.inv.ledger(ch.t, limit=1000)[-1].kind


def _unchanged(ch: Channel, call: Callable[[], Any], error: type[Exception] | None = None) -> None:
    before = (ch.inv.ledger(ch.t, limit=1000), ch.inv.tenant(ch.t))
    if error is None:
        call()
    else:
        with pytest.raises(error):
            call()
    assert (ch.inv.ledger(ch.t, limit=1000), ch.inv.tenant(ch.t)) == before


def test_revoke_admin(ch: Channel) -> None:
    erin = ch.session(ch.erin)
    ch.inv.revoke_admin(ch.t, ch.erin.id, ch.elerome.id)
    assert _newest_kind(ch) is LedgerKind.ADMIN_REVOKED
    with pytest.raises(PermissionDenied):
        erin.summary(ch.elerome.id)
    _unchanged(ch, lambda: ch.inv.revoke_admin(ch.t, ch.erin.id, ch.elerome.id))
    _unchanged(ch, lambda: ch.inv.revoke_admin(ch.t, ch.vera.id, ch.vendor), HierarchyViolation)


def test_reactivate_org_and_users(ch: Channel) -> None:
    ch.inv.deactivate_org(ch.t, ch.mga.id)
    ch.inv.deactivate_org(ch.t, ch.elerome.id)
    _unchanged(ch, lambda: ch.inv.reactivate_org(ch.t, ch.elerome.id), HierarchyViolation)
    assert ch.inv.reactivate_org(ch.t, ch.mga.id).active
    assert _newest_kind(ch) is LedgerKind.ORG_REACTIVATED

    erin = ch.session(ch.erin)
    user = ch.inv.deactivate_user(ch.t, ch.erin.id)
    assert user.active is False
    assert _newest_kind(ch) is LedgerKind.USER_DEACTIVATED
    with pytest.raises(PermissionDenied, match="deactivated"):
        erin.summary(ch.elerome.id)
    assert ch.inv.reactivate_user(ch.t, ch.erin.id).active
    assert _newest_kind(ch) is LedgerKind.USER_REACTIVATED
    erin.summary(ch.elerome.id)
    _unchanged(ch, lambda: ch.inv.deactivate_user(ch.t, ch.vera.id), HierarchyViolation)


def test_change_plan_keeps_enterprise_grants_inert(inv: Inventory) -> None:
    ch = make_channel(inv, Plan.ENTERPRISE)
    order = center_order(ch, ch.cl, 5)
    erin = ch.session(ch.erin)
    lena = ch.inv.create_user(ch.t, "Lena Manager", "lena@elerome.example")
    erin.add_license_manager(order.id, lena.id, [Permission.ISSUE_LICENSE])
    ch.session(lena).issue(order.id, 1)
    tenant = ch.inv.change_plan(ch.t, Plan.STANDARD)
    assert tenant.plan is Plan.STANDARD
    assert _newest_kind(ch) is LedgerKind.PLAN_CHANGED
    with pytest.raises(PlanRequired):
        ch.session(lena).issue(order.id, 1)
    ch.inv.change_plan(ch.t, "enterprise")
    ch.session(lena).issue(order.id, 1)
    _unchanged(ch, lambda: ch.inv.change_plan(ch.t, "gold"), InvalidInput)


def test_rename_and_retire_a_product(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    pending = irina.request(ch.mga.id, ch.uac.id, 2)
    assert ch.inv.rename_product(ch.t, ch.cl.id, "Classroom License").name == "Classroom License"
    assert _newest_kind(ch) is LedgerKind.PRODUCT_RENAMED
    _unchanged(ch, lambda: ch.inv.rename_product(ch.t, ch.cl.id, ""), InvalidInput)
    assert ch.inv.retire_product(ch.t, ch.uac.id).retired is True
    assert _newest_kind(ch) is LedgerKind.PRODUCT_RETIRED
    _unchanged(ch, lambda: irina.request(ch.mga.id, ch.uac.id, 1), InvalidInput)
    irina.approve(pending.id)  # existing orders are untouched


def test_change_and_remove_a_license_manager(ch: Channel) -> None:
    order = center_order(ch, ch.cl, 5)
    erin = ch.session(ch.erin)
    lena = ch.inv.create_user(ch.t, "Lena Manager", "lena@elerome.example")
    erin.add_license_manager(order.id, lena.id, [Permission.RESET_DEVICE])
    m = erin.set_license_manager_permissions(order.id, lena.id, ["reset_device", "reset_license"])
    assert set(m.permissions) == {Permission.RESET_DEVICE, Permission.RESET_LICENSE}
    assert _newest_kind(ch) is LedgerKind.MANAGER_CHANGED
    _unchanged(ch, lambda: ch.session(lena).remove_license_manager(order.id, lena.id), PermissionDenied)
    _unchanged(ch, lambda: erin.set_license_manager_permissions(order.id, lena.id, []), InvalidInput)
    erin.remove_license_manager(order.id, lena.id)
    assert _newest_kind(ch) is LedgerKind.MANAGER_REMOVED
    assert erin.license_managers(order.id) == []
    _unchanged(ch, lambda: erin.remove_license_manager(order.id, lena.id), NotFound)
