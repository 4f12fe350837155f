"""Licenses and activation codes: policies, issue, keys, activation, reset, disable, revoke,
borrow, redeem; license users and their passwords; order metadata and customer; bundles;
returning units and deleting orders. Every test runs on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import T0, Channel, center_order

from license_inventory import (
    MAX_ISSUE,
    ActivationLimit,
    BorrowLimit,
    BundleLine,
    Customer,
    Floating,
    InsufficientInventory,
    InvalidInput,
    InventoryError,
    LedgerKind,
    LicensePolicy,
    LicenseStatus,
    LicenseUnusable,
    MistypedKey,
    NotFound,
    OrderInUse,
    OrderStatus,
    PermissionDenied,
    Validity,
    ValidityKind,
)

KEY = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$")
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def test_policy_values() -> None:
    p = LicensePolicy(
        max_activations=3,
        validity=Validity.days_from_activation(30),
        floating=Floating(2, 3600),
        trial=True,
    )
    assert p.max_activations == 3
    assert p.validity.kind is ValidityKind.DAYS_FROM_ACTIVATION
    assert p.validity.days == 30
    assert p.floating == Floating(2, 3600)
    assert p.floating is not None and p.floating.max_borrow_seconds == 3600
    assert p.trial is True
    assert Validity.perpetual().days is None
    assert Validity.perpetual().kind is ValidityKind.PERPETUAL
    assert Validity.days_from_issue(7) != Validity.days_from_activation(7)
    assert hash(p) == hash(LicensePolicy(
        max_activations=3, validity=Validity.days_from_activation(30), floating=Floating(2, 3600), trial=True
    ))
    with pytest.raises(InvalidInput):
        Validity.days_from_issue(-1)
    with pytest.raises(InvalidInput):
        Floating(1, 2**40)


def test_product_policy(ch: Channel) -> None:
    policy = LicensePolicy(max_activations=2, validity=Validity.days_from_issue(365))
    p = ch.inv.create_product(ch.t, "SITE", "Site License", "license", policy=policy)
    assert p.policy == policy
    assert ch.inv.product(ch.t, p.id).policy == policy
    # Bad policy: nothing is created.
    with pytest.raises(InvalidInput):
        ch.inv.create_product(ch.t, "BAD", "Bad", "license", policy=LicensePolicy(max_activations=0))
    with pytest.raises(NotFound):
        ch.inv.product_by_code(ch.t, "BAD")
    changed = ch.inv.set_product_policy(ch.t, p.id, LicensePolicy(max_activations=5))
    assert changed.policy.max_activations == 5
    assert changed.policy.validity.kind is ValidityKind.PERPETUAL
    assert [e.kind for e in ch.inv.ledger(ch.t)][-1] is LedgerKind.PRODUCT_POLICY_SET


def test_issue_in_bulk_returns_the_range_and_pages_read_it(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 2_503)
    erin = ch.session(ch.erin)
    issued = erin.issue_in_bulk(o.id, 2_500)
    assert (issued.count, issued.order.issued, issued.order.available) == (2_500, 2_500, 3)
    assert issued.first < issued.last
    seen: list[str] = []
    after = None
    while page := erin.licenses(o.id, after=after, limit=1000):
        seen.extend(lic.key for lic in page)
        after = page[-1].id
    assert len(seen) == len(set(seen)) == 2_500
    assert erin.licenses(o.id, limit=1)[0].id == issued.first
    assert repr(issued).startswith("Issued(count=2500")
    with pytest.raises(InsufficientInventory):
        erin.issue_in_bulk(o.id, 4)
    with pytest.raises(InvalidInput):
        erin.issue_in_bulk(o.id, 0)
    assert ch.inv.audit(ch.t).is_clean


def test_issue_consumes_units_and_keys_are_well_formed(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 5)
    erin = ch.session(ch.erin)
    licenses = erin.issue(o.id, 3)
    assert len(licenses) == 3
    assert len({lic.key for lic in licenses}) == 3
    for lic in licenses:
        assert KEY.match(lic.key), lic.key
        assert lic.status is LicenseStatus.ISSUED
        assert lic.order == o.id and lic.product == ch.cl.id and lic.tenant == ch.t
        assert lic.is_code is False and lic.is_unused
        assert lic.issued_at == T0
        assert lic.activations == [] and lic.borrows == []
    after = erin.order(o.id).order
    assert (after.issued, after.available, after.status) == (3, 2, OrderStatus.ACTIVE)
    # All or nothing: 3 more than the 2 left.
    with pytest.raises(InsufficientInventory) as e:
        erin.issue(o.id, 3)
    assert (e.value.requested, e.value.available) == (3, 2)
    assert erin.order(o.id).order.issued == 3
    with pytest.raises(InvalidInput):
        erin.issue(o.id, 0)
    with pytest.raises(InvalidInput):
        erin.issue(o.id, MAX_ISSUE + 1)
    # The last two deplete it.
    erin.issue(o.id, 2)
    assert erin.order(o.id).order.status is OrderStatus.DEPLETED
    # Listing, by pages.
    first = erin.licenses(o.id, limit=3)
    rest = erin.licenses(o.id, after=first[-1].id)
    assert len(first) == 3 and len(rest) == 2
    assert {lic.id for lic in first + rest} == {lic.id for lic in erin.licenses(o.id)}
    assert erin.license(licenses[0].key) == licenses[0]
    # Someone else's order is not theirs to issue from.
    with pytest.raises(PermissionDenied):
        ch.session(ch.otto).issue(o.id, 1)
    assert ch.inv.audit(ch.t).is_clean


def test_every_single_character_typo_is_rejected(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 1)
    key = ch.session(ch.erin).issue(o.id, 1)[0].key
    positions = [i for i, c in enumerate(key) if c != "-"]
    assert len(positions) == 25
    for i in positions:
        for c in ALPHABET:
            if c == key[i]:
                continue
            typo = key[:i] + c + key[i + 1 :]
            with pytest.raises(MistypedKey) as e:
                ch.inv.check_license(ch.t, typo)
            assert e.value.code == "MISTYPED_KEY"
            assert isinstance(e.value, ValueError)
    # Forgiving reading: lower case, no dashes, O for 0 all find the same license.
    relaxed = key.lower().replace("-", "")
    assert ch.inv.check_license(ch.t, relaxed).key == key
    with pytest.raises(MistypedKey):
        ch.inv.activate(ch.t, "not a key", "pc", "PC")


def test_activate_limit_deactivate_and_reset(ch: Channel) -> None:
    ch.inv.set_product_policy(ch.t, ch.cl.id, LicensePolicy(max_activations=2))
    o = center_order(ch, ch.cl, 1)
    erin = ch.session(ch.erin)
    lic = erin.issue(o.id, 1)[0]
    a = ch.inv.activate(ch.t, lic.key, "pc-1", "Front desk")
    assert a.status is LicenseStatus.ACTIVE
    assert [(x.fingerprint, x.name) for x in a.activations] == [("pc-1", "Front desk")]
    assert a.activated_at == T0
    # Again on the same device: nothing changes.
    assert len(ch.inv.activate(ch.t, lic.key, "pc-1", "Front desk").activations) == 1
    ch.inv.activate(ch.t, lic.key, "pc-2", "Lab")
    with pytest.raises(ActivationLimit) as e:
        ch.inv.activate(ch.t, lic.key, "pc-3", "Library")
    assert e.value.max == 2
    assert len(ch.inv.check_license(ch.t, lic.key).activations) == 2
    d = ch.inv.deactivate(ch.t, lic.key, "pc-2")
    assert [x.fingerprint for x in d.activations] == ["pc-1"]
    ch.inv.activate(ch.t, lic.key, "pc-3", "Library")
    r = erin.reset_device(lic.id, "pc-1")
    assert [x.fingerprint for x in r.activations] == ["pc-3"]
    r = erin.reset_license(lic.id)
    assert r.activations == []
    # A used license cannot be revoked.
    with pytest.raises(LicenseUnusable):
        erin.revoke(lic.id)


def test_disable_enable(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 1)
    erin = ch.session(ch.erin)
    lic = erin.issue(o.id, 1)[0]
    assert erin.disable(lic.id).status is LicenseStatus.DISABLED
    with pytest.raises(LicenseUnusable) as e:
        ch.inv.activate(ch.t, lic.key, "pc", "PC")
    # Errors show a prefix of a key, never the whole key.
    assert e.value.key == lic.key[:5] + "-…" and "disabled" in e.value.reason
    assert lic.key not in str(e.value) and lic.key[6:] not in repr(e.value)
    with pytest.raises(LicenseUnusable):
        ch.inv.check_license(ch.t, lic.key)
    assert erin.enable(lic.id).status is LicenseStatus.ISSUED
    assert ch.inv.activate(ch.t, lic.key, "pc", "PC").status is LicenseStatus.ACTIVE


def test_validity_days_from_issue_expires(ch: Channel) -> None:
    ch.inv.set_product_policy(ch.t, ch.cl.id, LicensePolicy(validity=Validity.days_from_issue(10)))
    o = center_order(ch, ch.cl, 1)
    lic = ch.session(ch.erin).issue(o.id, 1)[0]
    assert lic.expires_at == T0 + timedelta(days=10)
    ch.inv.set_time(T0 + timedelta(days=11))
    with pytest.raises(LicenseUnusable) as e:
        ch.inv.check_license(ch.t, lic.key)
    assert "expired" in e.value.reason


def test_revoke_returns_the_unit_and_reactivates_a_depleted_order(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 2)
    erin = ch.session(ch.erin)
    a, _ = erin.issue(o.id, 2)
    assert erin.order(o.id).order.status is OrderStatus.DEPLETED
    back = erin.revoke(a.id)
    assert (back.issued, back.available, back.status) == (1, 1, OrderStatus.ACTIVE)
    with pytest.raises(NotFound):
        erin.license(a.key)
    assert ch.inv.audit(ch.t).is_clean


def test_floating_borrow_and_return(ch: Channel) -> None:
    ch.inv.set_product_policy(ch.t, ch.cl.id, LicensePolicy(floating=Floating(1, 3600)))
    o = center_order(ch, ch.cl, 1)
    erin = ch.session(ch.erin)
    lic = erin.issue(o.id, 1)[0]
    b = erin.borrow(lic.id, "laptop-7", 600)
    assert [(x.borrower, x.at, x.until) for x in b.borrows] == [("laptop-7", T0, T0 + timedelta(seconds=600))]
    with pytest.raises(BorrowLimit):
        erin.borrow(lic.id, "laptop-8", 60)
    with pytest.raises(BorrowLimit):
        erin.borrow(lic.id, "laptop-7", 3601)
    assert erin.return_borrow(lic.id, "laptop-7").borrows == []
    assert len(erin.borrow(lic.id, "laptop-8", 60).borrows) == 1
    # A license without a floating policy cannot be borrowed.
    ch.inv.set_product_policy(ch.t, ch.uac.id, LicensePolicy())
    other = erin.issue(center_order(ch, ch.uac, 1).id, 1)[0]
    with pytest.raises(LicenseUnusable):
        erin.borrow(other.id, "laptop-9", 60)


def test_activation_code_redeemed_once(ch: Channel) -> None:
    o = center_order(ch, ch.uac, 1)
    code = ch.session(ch.erin).issue(o.id, 1)[0]
    assert code.is_code
    r = ch.inv.redeem(ch.t, code.key, "student@elerome.example")
    assert r.status is LicenseStatus.ACTIVE
    with pytest.raises(LicenseUnusable) as e:
        ch.inv.redeem(ch.t, code.key, "someone@else.example")
    assert e.value.code == "LICENSE_UNUSABLE"


def test_license_users_and_passwords(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 2)
    erin = ch.session(ch.erin)
    lic = erin.issue(o.id, 1)[0]
    u = erin.add_license_user(o.id, "stu@elerome.example", name="Stu Dent", password="correct horse battery")
    assert (u.email, u.name, u.has_password, u.order) == ("stu@elerome.example", "Stu Dent", True, o.id)
    assert ch.inv.verify_license_user_password(ch.t, u.id, "correct horse battery") is True
    assert ch.inv.verify_license_user_password(ch.t, u.id, "wrong horse battery") is False
    with pytest.raises(InvalidInput):
        erin.set_license_user_password(u.id, "short")
    erin.set_license_user_password(u.id, "a new long passphrase")
    assert ch.inv.verify_license_user_password(ch.t, u.id, "a new long passphrase") is True
    assert ch.inv.verify_license_user_password(ch.t, u.id, "correct horse battery") is False
    edited = erin.edit_license_user(u.id, name="Stu D.")
    assert (edited.email, edited.name) == ("stu@elerome.example", "Stu D.")
    assert erin.assign_license(lic.id, u.id).license_user == u.id
    assert erin.assign_license(lic.id, None).license_user is None
    assert [x.id for x in erin.license_users(o.id)] == [u.id]
    erin.delete_license_user(u.id)
    assert erin.license_users(o.id) == []
    # The password is never in the ledger.
    for entry in ch.inv.ledger(ch.t):
        assert "horse" not in repr(entry)


def test_metadata_and_customer(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 1)
    erin = ch.session(ch.erin)
    assert o.metadata.reference is None and o.metadata.campaign == {} and o.customer is None
    m = erin.edit_metadata(o.id, reference="REF-1", campaign={"utm_source": "fall"}, is_test=True)
    assert (m.metadata.reference, m.metadata.campaign, m.metadata.is_test, m.metadata.is_trial) == (
        "REF-1",
        {"utm_source": "fall"},
        True,
        False,
    )
    # None leaves a field, "" clears a text field.
    m = erin.edit_metadata(o.id, download_id="DL-9", reference="")
    assert (m.metadata.reference, m.metadata.download_id, m.metadata.is_test) == (None, "DL-9", True)
    with pytest.raises(InvalidInput):
        erin.edit_metadata(o.id, campaign="utm_source=fall")  # type: ignore[arg-type]
    c = Customer("Elerome School", email="principal@elerome.example", reference="ES-2017")
    with_customer = erin.set_customer(o.id, c)
    assert with_customer.customer == c
    assert erin.order(o.id).order.customer == c
    assert erin.set_customer(o.id, None).customer is None
    # Not theirs: refused, nothing changed.
    with pytest.raises(PermissionDenied):
        ch.session(ch.otto).edit_metadata(o.id, reference="X")
    assert erin.order(o.id).order.metadata.download_id == "DL-9"
    kinds = {e.kind for e in ch.inv.ledger(ch.t)}
    assert {LedgerKind.METADATA_EDITED, LedgerKind.CUSTOMER_SET} <= kinds


def test_bundles(stocked: Channel) -> None:
    ch = stocked
    bundle = ch.inv.create_bundle(ch.t, "Starter pack", [BundleLine(ch.cl.id, 2), BundleLine(ch.uac.id, 1)])
    assert bundle.name == "Starter pack"
    assert [(x.product, x.quantity) for x in bundle.lines] == [(ch.cl.id, 2), (ch.uac.id, 1)]
    assert ch.inv.bundle(ch.t, bundle.id) == bundle
    with pytest.raises(InvalidInput):
        ch.inv.create_bundle(ch.t, "Empty", [])
    orders = ch.session(ch.irina).request_bundle(ch.mga.id, bundle.id, purchase_order="PB-1")
    assert [(o.product, o.requested_quantity, o.status) for o in orders] == [
        (ch.cl.id, 2, OrderStatus.REQUESTED),
        (ch.uac.id, 1, OrderStatus.REQUESTED),
    ]
    assert orders[0].bundle is not None and orders[0].bundle == orders[1].bundle
    assert {o.purchase_order for o in orders} == {"PB-1"}


def test_return_units(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    o = irina.assign(ch.ellen.id, ch.mga.id, ch.cl.id, 4)
    back = irina.return_units(o.id, 3)
    # The order now holds one unit; the three are back in Ellen Emporium's 1208.
    assert (back.approved_quantity, back.available) == (1, 1)
    assert irina.order_by_number(1208).order.available == 9
    with pytest.raises(InsufficientInventory):
        irina.return_units(o.id, 2)
    assert ch.inv.audit(ch.t).is_clean


def test_delete_order(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 3)
    erin, irina = ch.session(ch.erin), ch.session(ch.irina)
    mga_order = irina.order_by_number(o.number - 1).order
    # MGA's order has a child (Elerome's) holding units drawn from it.
    with pytest.raises(OrderInUse) as e:
        irina.delete_order(mga_order.id)
    assert e.value.order_number == mga_order.number
    assert e.value.children == [o.number]
    assert str(e.value).startswith(f"order {mga_order.number} is still in use by child orders {o.number}: ")
    lic = erin.issue(o.id, 2)[0]
    erin.delete_order(o.id)
    with pytest.raises(NotFound):
        erin.order(o.id)
    with pytest.raises(NotFound):
        ch.inv.check_license(ch.t, lic.key)
    # The unused unit went back to MGA's order; the issued two are retired.
    assert irina.order(mga_order.id).order.available == 1
    audit = ch.inv.audit(ch.t)
    assert (audit.minted, audit.retired, audit.is_clean) == (3, 2, True)
    assert ch.inv.tenant(ch.t).retired == 2
    last = ch.inv.ledger(ch.t)[-1]
    assert (last.kind, last.retired) == (LedgerKind.ORDER_DELETED, 2)


def test_errors_are_inventory_errors(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 1)
    with pytest.raises(InventoryError) as e:
        ch.session(ch.erin).issue(o.id, 2)
    assert e.value.code == "INSUFFICIENT_INVENTORY"
