"""Idempotency keys: a command repeated with its key returns its first result and changes
nothing; the key with another command or user is a conflict; a failed command records nothing;
concurrent retries run once. Every test runs on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from conftest import T0, Channel, center_order

from license_inventory import Conflict, InsufficientInventory, InvalidInput, Plan


def state(ch: Channel) -> tuple[int, int, int]:
    audit = ch.inv.audit(ch.t)
    assert audit.is_clean
    return audit.ledger_entries, audit.available, audit.issued


def test_issue_twice_issues_once(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 5)
    keyed = ch.session(ch.erin).with_idempotency_key("issue-1")
    first = keyed.issue(o.id, 3)
    before = state(ch)
    again = keyed.issue(o.id, 3)
    assert [lic.key for lic in again] == [lic.key for lic in first]
    assert state(ch) == before
    assert ch.session(ch.erin).order(o.id).order.issued == 3
    # The same key for another command (or other arguments) is a conflict; nothing changes.
    with pytest.raises(Conflict) as e:
        keyed.issue(o.id, 2)
    assert e.value.code == "CONFLICT" and "issue-1" in str(e.value)
    with pytest.raises(Conflict):
        keyed.revoke(first[0].id)
    assert state(ch) == before


def test_failed_command_records_nothing(ch: Channel) -> None:
    irina = ch.session(ch.irina)
    r = irina.request(ch.mga.id, ch.cl.id, 3)
    keyed = irina.with_idempotency_key("approve-1")
    with pytest.raises(InsufficientInventory):
        keyed.approve(r.id)
    ch.session(ch.vera).assign(ch.vendor, ch.ellen.id, ch.cl.id, 10)
    approved = keyed.approve(r.id)
    assert approved.available == 3
    assert keyed.approve(r.id) == approved
    # Another user with the same key and command: a conflict.
    with pytest.raises(Conflict):
        ch.session(ch.vera).with_idempotency_key("approve-1").approve(r.id)


def test_keys_are_per_tenant_and_checked(ch: Channel) -> None:
    key = "mint-1"
    vera = ch.session(ch.vera).with_idempotency_key(key)
    a = vera.mint(ch.cl.id, 5)
    assert vera.mint(ch.cl.id, 5) == a
    other = ch.inv.create_tenant("Other", "Other", plan=Plan.STANDARD)
    boss = ch.inv.create_user(other.id, "Boss", "boss@other.example")
    ch.inv.grant_admin(other.id, boss.id, other.vendor)
    product = ch.inv.create_product(other.id, "P", "Product", "license")
    theirs = ch.inv.session(other.id, boss.id).with_idempotency_key(key).mint(product.id, 5)
    assert theirs.id != a.id and theirs.tenant == other.id
    for bad in ["", "k" * 201, "bad\nkey"]:
        with pytest.raises(InvalidInput):
            ch.session(ch.vera).with_idempotency_key(bad)


def test_keyed_activation(ch: Channel) -> None:
    o = center_order(ch, ch.cl, 1)
    lic = ch.session(ch.erin).issue(o.id, 1)[0]
    keyed = ch.inv.with_idempotency_key("activate-1")
    first = keyed.activate(ch.t, lic.key, "pc", "PC")
    before = state(ch)
    assert keyed.activate(ch.t, lic.key, "pc", "PC") == first
    assert state(ch) == before
    with pytest.raises(Conflict):
        keyed.deactivate(ch.t, lic.key, "pc")


def test_concurrent_retries_run_once(ch: Channel) -> None:
    keyed = ch.session(ch.irina).with_idempotency_key("race-1")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: keyed.request(ch.mga.id, ch.cl.id, 2), range(8)))
    assert all(r == results[0] for r in results)
    assert len(ch.session(ch.irina).list(ch.mga.id)) == 1


def test_prune_idempotency_keys(ch: Channel) -> None:
    """Keys recorded before the cutoff are forgotten (their retry runs again); later ones keep
    answering with their first result."""
    irina = ch.session(ch.irina)
    old = irina.with_idempotency_key("old").request(ch.mga.id, ch.cl.id, 1)
    ch.inv.set_time(T0 + timedelta(hours=1))
    kept = irina.with_idempotency_key("kept").request(ch.mga.id, ch.cl.id, 1)
    assert ch.inv.prune_idempotency_keys(ch.t, T0 + timedelta(minutes=30)) == 1
    assert ch.inv.prune_idempotency_keys(ch.t, T0 + timedelta(minutes=30)) == 0
    assert irina.with_idempotency_key("kept").request(ch.mga.id, ch.cl.id, 1).id == kept.id
    assert irina.with_idempotency_key("old").request(ch.mga.id, ch.cl.id, 1).id != old.id
    with pytest.raises(InvalidInput):
        ch.inv.prune_idempotency_keys(ch.t, datetime(2017, 1, 1))  # naive: no time zone
