"""History: any order's quantities and any organization's holdings as they were at a past moment,
and ledger reads per order, per organization and by time range. Every test runs on memory,
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from conftest import T0, Channel

from license_inventory import Holding, InvalidInput, LedgerEntry, NotFound


def live(ch: Channel, orgs: list[str]) -> tuple[dict[str, tuple[int, int, int, int]], dict[str, list[tuple[str, int, int]]]]:
    """Every order the orgs hold now, as (approved, drawn, issued, available), and per org the
    (product, approved, available) of its holdings, as the live store reports them."""
    vera = ch.session(ch.vera)
    orders: dict[str, tuple[int, int, int, int]] = {}
    holdings: dict[str, list[tuple[str, int, int]]] = {}
    for org in orgs:
        per_product: dict[str, tuple[int, int]] = {}
        for d in vera.list(org, limit=1000).items:
            o = d.order
            orders[o.id] = (o.approved_quantity, o.drawn, o.issued, o.available)
            if o.approved_quantity > 0:
                a, v = per_product.get(o.product, (0, 0))
                per_product[o.product] = (a + o.approved_quantity, v + o.available)
        holdings[org] = sorted((p, a, v) for p, (a, v) in per_product.items())
    return orders, holdings


def test_past_moments_are_rebuilt(ch: Channel) -> None:
    inv, t = ch.inv, ch.t
    vera, irina, erin = ch.session(ch.vera), ch.session(ch.irina), ch.session(ch.erin)
    orgs = [ch.ellen.id, ch.mga.id, ch.elerome.id]
    now = T0
    moments = [(now, *live(ch, orgs))]
    ids: dict[str, str] = {}

    steps: list[Callable[[], object]] = [
        lambda: vera.assign(ch.vendor, ch.ellen.id, ch.cl.id, 10),
        lambda: ids.setdefault("req", irina.request(ch.mga.id, ch.cl.id, 4).id),
        lambda: irina.approve(ids["req"]),
        lambda: ids.setdefault("center", irina.assign(ch.mga.id, ch.elerome.id, ch.cl.id, 2).id),
        lambda: erin.issue(ids["center"], 1),
        lambda: irina.return_units(ids["req"], 1),
        lambda: erin.delete_order(ids["center"]),
        lambda: vera.assign(ch.vendor, ch.ellen.id, ch.uac.id, 3),
    ]
    for step in steps:
        now += timedelta(minutes=1)
        inv.set_time(now)
        step()
        moments.append((now, *live(ch, orgs)))

    for at, orders, holdings in moments:
        for order, (approved, drawn, issued, available) in orders.items():
            f = inv.order_at(t, order, at)
            assert (f.approved, f.drawn, f.issued, f.available) == (approved, drawn, issued, available), at
        for org, expected in holdings.items():
            got = inv.holdings_at(t, org, at)
            assert all(isinstance(h, Holding) and h.orders > 0 for h in got)
            assert sorted((h.product, h.approved, h.available) for h in got) == expected, at

    # The deleted order is still readable in the past: 2 approved, 1 issued, 1 available.
    past = inv.order_at(t, ids["center"], moments[6][0])
    assert (past.approved, past.issued, past.available, past.org) == (2, 1, 1, ch.elerome.id)
    # The request before its approval: nothing yet.
    pending = inv.order_at(t, ids["req"], moments[2][0])
    assert (pending.approved, pending.available, pending.product) == (0, 0, ch.cl.id)
    assert inv.holdings_at(t, ch.ellen.id, T0) == []
    with pytest.raises(NotFound):
        inv.order_at(t, "00000000-0000-7000-8000-000000000000", now)
    with pytest.raises(InvalidInput):
        inv.order_at(t, ids["req"], datetime(2017, 10, 20, 1, 30))  # naive: ambiguous


def test_ledger_by_order_org_and_time(stocked: Channel) -> None:
    ch = stocked
    inv, t = ch.inv, ch.t
    irina = ch.session(ch.irina)
    inv.set_time(T0 + timedelta(minutes=1))
    r = irina.request(ch.mga.id, ch.cl.id, 3)
    irina.approve(r.id)
    inv.set_time(T0 + timedelta(minutes=2))
    o = irina.assign(ch.mga.id, ch.elerome.id, ch.cl.id, 2)
    everything = inv.ledger(t, limit=1000)

    def by_hand(keep: Callable[[LedgerEntry], bool]) -> list[int]:
        return [e.seq for e in everything if keep(e)]

    def touches_order(e: LedgerEntry, order: str) -> bool:
        return e.order == order or any(m.order == order for m in e.movements)

    def touches_org(e: LedgerEntry, org: str) -> bool:
        return e.org == org or any(m.org == org for m in e.movements)

    of_r = [e.seq for e in inv.ledger_matching(t, order=r.id)]
    assert of_r == by_hand(lambda e: touches_order(e, r.id))
    assert len(of_r) == 3  # requested, approved, drawn from by the assignment
    of_mga = [e.seq for e in inv.ledger_matching(t, org=ch.mga.id)]
    assert of_mga == by_hand(lambda e: touches_org(e, ch.mga.id))
    minute = [e.seq for e in inv.ledger_matching(t, from_=T0 + timedelta(minutes=1), to=T0 + timedelta(minutes=2))]
    assert minute == by_hand(lambda e: T0 + timedelta(minutes=1) <= e.at < T0 + timedelta(minutes=2))
    assert len(minute) == 2
    both = [e.seq for e in inv.ledger_matching(t, org=ch.elerome.id, from_=T0 + timedelta(minutes=2))]
    assert both == by_hand(lambda e: touches_org(e, ch.elerome.id) and e.at >= T0 + timedelta(minutes=2))
    assert [e.seq for e in inv.ledger_matching(t, order=o.id)] == both
    # Page by page, one at a time, gives the same.
    paged: list[int] = []
    after = 0
    while page := inv.ledger_matching(t, org=ch.mga.id, after=after, limit=1):
        after = page[0].seq
        paged.append(after)
    assert paged == of_mga
    with pytest.raises(InvalidInput):
        inv.ledger_matching(t, org=ch.mga.id, limit=0)
