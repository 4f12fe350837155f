"""Inventory.ledger and Inventory.audit."""

from __future__ import annotations

import pytest
from conftest import T0, Channel

import license_inventory as li
from license_inventory import InvalidInput, LedgerKind


def test_ledger_entries(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    req = irina.request(ch.mga.id, ch.cl.id, 2)
    irina.approve(req.id)
    entries = ch.inv.ledger(ch.t, limit=1000)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    kinds = [e.kind for e in entries]
    assert kinds[0] is LedgerKind.TENANT_CREATED
    assert kinds[-3:] == [LedgerKind.ASSIGNED, LedgerKind.REQUESTED, LedgerKind.APPROVED]
    assert entries[0].prev_hash == li.GENESIS_HASH
    for prev, entry in zip(entries, entries[1:]):
        assert entry.prev_hash == prev.hash
        assert entry.tenant == ch.t
        assert len(entry.hash) == 64
    assign = entries[-4]
    assert assign.kind is LedgerKind.ASSIGNED
    assert assign.actor == ch.vera.id
    assert assign.minted == 10
    assert assign.at == T0
    approve = entries[-1]
    assert approve.order == req.id
    assert approve.minted == 0
    moves = {m.order: m for m in approve.movements}
    assert moves[req.id].approved == 2 and moves[req.id].available == 2
    source = irina.order_by_number(1208).order
    src = moves[source.id]
    assert (src.approved, src.drawn, src.available, src.issued) == (0, 2, -2, 0)
    assert src.org == ch.ellen.id and src.product == ch.cl.id
    assert "Movement(order=" in repr(src)
    assert repr(approve).startswith(f"LedgerEntry(seq={approve.seq}, kind=LedgerKind.APPROVED")
    # Provisioning has no actor.
    assert entries[0].actor is None
    # Paging by sequence number.
    page = ch.inv.ledger(ch.t, after=2, limit=3)
    assert [e.seq for e in page] == [3, 4, 5]
    assert ch.inv.ledger(ch.t, after=len(entries)) == []
    with pytest.raises(InvalidInput):
        ch.inv.ledger(ch.t, limit=0)
    with pytest.raises(InvalidInput):
        ch.inv.ledger(ch.t, after=-1)


def test_audit(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    irina.assign(ch.ellen.id, ch.mga.id, ch.uac.id, 4)
    audit = ch.inv.audit(ch.t)
    assert audit.is_clean
    assert audit.problems == []
    assert audit.orders == 3
    assert audit.minted == 20
    assert audit.available + audit.issued == audit.minted
    assert audit.ledger_entries == len(ch.inv.ledger(ch.t, limit=1000))
    assert repr(audit) == (
        f"Audit(orders=3, ledger_entries={audit.ledger_entries}, minted=20, retired=0, available=20, issued=0, problems=0)"
    )


def test_checkpoint_and_audit_against(stocked: Channel) -> None:
    ch = stocked
    secret = li.generate_signing_key()
    public = li.verifying_key(secret)
    assert len(secret) == 64 and len(public) == 64 and secret != public
    cp = ch.inv.checkpoint(ch.t, secret)
    assert isinstance(cp, li.Checkpoint)
    head = ch.inv.ledger(ch.t, limit=1000)[-1]
    assert (cp.tenant, cp.seq, cp.hash) == (ch.t, head.seq, head.hash)
    assert len(cp.signature) == 128
    assert head.state, "every entry records the digest of the rows after it"
    # More work after the checkpoint: the ledger still extends it.
    ch.session(ch.irina).request(ch.mga.id, ch.cl.id, 1)
    assert ch.inv.audit_against(ch.t, [cp], public).is_clean
    # A checkpoint passed back through the constructor verifies too; an altered one does not.
    again = li.Checkpoint(cp.tenant, cp.seq, cp.hash, cp.at, cp.signature)
    assert ch.inv.audit_against(ch.t, [again], public).is_clean
    forged = li.Checkpoint(cp.tenant, cp.seq, "0" * 64, cp.at, cp.signature)
    audit = ch.inv.audit_against(ch.t, [forged], public)
    assert not audit.is_clean
    assert any("signature does not verify" in p for p in audit.problems)
    other = li.verifying_key(li.generate_signing_key())
    assert not ch.inv.audit_against(ch.t, [cp], other).is_clean
    with pytest.raises(InvalidInput):
        ch.inv.checkpoint(ch.t, "not hex")
    with pytest.raises(InvalidInput):
        ch.inv.audit_against(ch.t, [cp], "zz")
