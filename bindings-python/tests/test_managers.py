"""License managers and their nine permissions: the permission matrix (with each permission a
manager succeeds, without it the manager is refused with nothing changed), the enterprise-plan
rule and the no-escalation rule. Every test runs on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from conftest import Channel, center_order

from license_inventory import (
    BundleLine,
    Floating,
    InvalidInput,
    License,
    LicensePolicy,
    Order,
    Permission,
    PermissionDenied,
    Plan,
    PlanRequired,
    Session,
)


@dataclass
class Matrix:
    """An enterprise channel with an order of Elerome School, 40 licenses issued from it, and a
    bundle: what the guarded operations act on."""

    ch: Channel
    order: Order
    licenses: list[License]
    bundle: str
    counter: itertools.count[int]

    def fresh_license(self) -> License:
        return self.licenses[next(self.counter)]

    def fresh_user(self, s: Session) -> str:
        return s.add_license_user(self.order.id, f"lu{next(self.counter)}@elerome.example").id

    def admin_user(self) -> str:
        return self.fresh_user(self.ch.session(self.ch.erin))


@pytest.fixture
def matrix(enterprise: Channel) -> Matrix:
    ch = enterprise
    ch.inv.set_product_policy(ch.t, ch.cl.id, LicensePolicy(max_activations=100, floating=Floating(100, 3600)))
    order = center_order(ch, ch.cl, 200)
    licenses = ch.session(ch.erin).issue(order.id, 40)
    bundle = ch.inv.create_bundle(ch.t, "Pack", [BundleLine(ch.cl.id, 1)])
    return Matrix(ch, order, licenses, bundle.id, itertools.count())


Op = Callable[[Matrix, Session], object]

# Each operation prepares what it acts on as an admin (Erin), then acts as the session `s`.


def add_user(m: Matrix, s: Session) -> object:
    return s.add_license_user(m.order.id, f"x{next(m.counter)}@elerome.example")


def edit_user(m: Matrix, s: Session) -> object:
    return s.edit_license_user(m.admin_user(), name="Renamed")


def delete_user(m: Matrix, s: Session) -> object:
    s.delete_license_user(m.admin_user())
    return None


def assign_license(m: Matrix, s: Session) -> object:
    return s.assign_license(m.fresh_license().id, m.admin_user())


def set_password(m: Matrix, s: Session) -> object:
    s.set_license_user_password(m.admin_user(), "correct horse")
    return None


def add_manager(m: Matrix, s: Session) -> object:
    grantee = m.ch.inv.create_user(m.ch.t, "Grantee", f"g{next(m.counter)}@example.com")
    return s.add_license_manager(m.order.id, grantee.id, [Permission.MANAGE_MANAGERS])


def reset_device(m: Matrix, s: Session) -> object:
    lic = m.fresh_license()
    m.ch.inv.activate(m.ch.t, lic.key, "pc", "PC")
    return s.reset_device(lic.id, "pc")


def reset_license(m: Matrix, s: Session) -> object:
    lic = m.fresh_license()
    m.ch.inv.activate(m.ch.t, lic.key, "pc", "PC")
    return s.reset_license(lic.id)


def borrow(m: Matrix, s: Session) -> object:
    return s.borrow(m.fresh_license().id, "desk", 60)


def return_borrow(m: Matrix, s: Session) -> object:
    lic = m.fresh_license()
    m.ch.session(m.ch.erin).borrow(lic.id, "desk", 60)
    return s.return_borrow(lic.id, "desk")


def request_bundle(m: Matrix, s: Session) -> object:
    return s.request_bundle(m.ch.elerome.id, m.bundle)


def request(m: Matrix, s: Session) -> object:
    return s.request(m.ch.elerome.id, m.ch.cl.id, 1)


def issue(m: Matrix, s: Session) -> object:
    return s.issue(m.order.id, 1)


OPERATIONS: list[tuple[Permission, Op]] = [
    (Permission.MANAGE_LICENSE_USERS, add_user),
    (Permission.MANAGE_LICENSE_USERS, edit_user),
    (Permission.MANAGE_LICENSE_USERS, delete_user),
    (Permission.MANAGE_LICENSE_USERS, assign_license),
    (Permission.MANAGE_LICENSE_USER_CREDENTIALS, set_password),
    (Permission.MANAGE_MANAGERS, add_manager),
    (Permission.RESET_DEVICE, reset_device),
    (Permission.RESET_LICENSE, reset_license),
    (Permission.BORROW_LICENSE, borrow),
    (Permission.BORROW_LICENSE, return_borrow),
    (Permission.CREATE_BUNDLE_ORDER, request_bundle),
    (Permission.CREATE_ORDER, request),
    (Permission.ISSUE_LICENSE, issue),
]


def test_every_permission_guards_an_operation() -> None:
    assert {p for p, _ in OPERATIONS} == set(Permission)
    assert len(Permission) == 9


@pytest.mark.parametrize(("permission", "op"), OPERATIONS, ids=[op.__name__ for _, op in OPERATIONS])
def test_permission_matrix(matrix: Matrix, permission: Permission, op: Op) -> None:
    m, ch = matrix, matrix.ch
    name = op.__name__
    erin = ch.session(ch.erin)
    n = next(m.counter)
    with_it = ch.inv.create_user(ch.t, f"With {name}", f"with{n}@example.com")
    without = ch.inv.create_user(ch.t, f"Without {name}", f"without{n}@example.com")
    nobody = ch.inv.create_user(ch.t, f"Nobody {name}", f"nobody{n}@example.com")
    granted = erin.add_license_manager(m.order.id, with_it.id, [permission])
    assert granted.permissions == [permission]
    others = [p for p in Permission if p is not permission]
    assert set(erin.add_license_manager(m.order.id, without.id, others).permissions) == set(others)

    # Without it: the typed error, naming the permission, and the refused call wrote nothing.
    # (The fixture an admin prepares for the operation is made before the refusal.)
    for user in (without, nobody):
        s = ch.inv.session(ch.t, user.id)
        with pytest.raises(PermissionDenied) as e:
            ledger_before = ch.inv.audit(ch.t).ledger_entries
            op(m, s)
        assert e.value.code == "PERMISSION_DENIED"
        assert e.value.actor == user.id
        if user is without:
            assert permission.value in e.value.reason
        written = ch.inv.ledger(ch.t, after=ledger_before, limit=1000)
        assert all(entry.actor != user.id for entry in written)

    # With it: the operation succeeds, as that manager.
    before = ch.inv.audit(ch.t).ledger_entries
    op(m, ch.inv.session(ch.t, with_it.id))
    after = ch.inv.ledger(ch.t, after=before, limit=1000)
    assert any(entry.actor == with_it.id for entry in after)
    assert ch.inv.audit(ch.t).is_clean


def test_plan_rule(ch: Channel) -> None:
    assert ch.tenant.plan is Plan.STANDARD
    o = center_order(ch, ch.cl, 3)
    erin = ch.session(ch.erin)
    manny = ch.inv.create_user(ch.t, "Manny Manager", "manny@example.com")
    for p in (Permission.CREATE_ORDER, Permission.ISSUE_LICENSE):
        assert p.enterprise_only
        with pytest.raises(PlanRequired) as e:
            erin.add_license_manager(o.id, manny.id, [p])
        assert e.value.permission is p
        assert e.value.code == "PLAN_REQUIRED"
    assert not Permission.RESET_DEVICE.enterprise_only
    assert erin.license_managers(o.id) == []


def test_no_escalation(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 3)
    erin = ch.session(ch.erin)
    m = ch.inv.create_user(ch.t, "Manny Manager", "manny@example.com")
    other = ch.inv.create_user(ch.t, "Otto Other", "otto.other@example.com")
    granted = erin.add_license_manager(o.id, m.id, [Permission.MANAGE_MANAGERS, Permission.RESET_DEVICE])
    assert set(granted.permissions) == {Permission.MANAGE_MANAGERS, Permission.RESET_DEVICE}
    manny = ch.inv.session(ch.t, m.id)
    ledger = ch.inv.audit(ch.t).ledger_entries
    with pytest.raises(PermissionDenied) as e:
        manny.add_license_manager(o.id, other.id, [Permission.RESET_LICENSE])
    assert e.value.action == "manage_managers"
    assert "reset_license" in e.value.reason
    assert ch.inv.audit(ch.t).ledger_entries == ledger
    given = manny.add_license_manager(o.id, other.id, ["reset_device"])
    assert given.permissions == [Permission.RESET_DEVICE]
    assert given.user == other.id and given.order == o.id
    assert {x.user for x in erin.license_managers(o.id)} == {m.id, other.id}
    with pytest.raises(InvalidInput):
        erin.add_license_manager(o.id, m.id, [])
    with pytest.raises(InvalidInput):
        erin.add_license_manager(o.id, m.id, ["launch_rockets"])
    # A manager sees its order, not the rest of the center's inventory.
    assert manny.order(o.id).order.id == o.id
    with pytest.raises(PermissionDenied):
        manny.list(ch.elerome.id)
