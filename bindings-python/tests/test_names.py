"""The names the three bindings share (the core's words, in Python's case): limits, ledger reads,
error fields. The generated parts (records, enums, limits) are checked against the table by
``cargo test -p license-inventory-python --lib``."""

from __future__ import annotations

import pytest

import license_inventory
from license_inventory import Customer, Floating, LicensePolicy, Validity

from conftest import Channel

LIMITS = [
    "MAX_QUANTITY",
    "MAX_ISSUE",
    "MAX_NAME",
    "MAX_PURCHASE_ORDER",
    "MAX_COMMENT",
    "DEFAULT_PAGE",
    "MAX_PAGE",
    "MAX_BATCH",
    "MIN_PASSWORD",
    "MAX_IDEMPOTENCY_KEY",
]


def test_every_limit_is_exported() -> None:
    for name in LIMITS:
        value = getattr(license_inventory, name)
        assert isinstance(value, int) and value > 0, name
        assert name in license_inventory.__all__


def test_ledger_and_ledger_matching(ch: Channel) -> None:
    everything = ch.inv.ledger(ch.t)
    assert everything == ch.inv.ledger_matching(ch.t)
    with pytest.raises(TypeError):
        ch.inv.ledger(ch.t, org=ch.mga.id)  # type: ignore[call-arg]


def test_constructors_and_reprs() -> None:
    policy = LicensePolicy(max_activations=2, floating=Floating(3, 60))
    assert policy.validity == Validity.perpetual() and not policy.trial
    assert repr(policy) == (
        "LicensePolicy(max_activations=2, validity=Validity.perpetual(), "
        "floating=Floating(max_borrows=3, max_borrow_seconds=60), trial=False)"
    )
    assert hash(policy) == hash(LicensePolicy(max_activations=2, floating=Floating(3, 60)))
    c = Customer("Elerome School", email="principal@elerome.example")
    assert repr(c) == (
        "Customer(name='Elerome School', email='principal@elerome.example', company=None, "
        "phone=None, reference=None)"
    )
