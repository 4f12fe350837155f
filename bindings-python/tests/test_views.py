"""Session reads: order, order_by_number, list (filters, pagination), summary, detail_of_use;
and who may read what."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import T0, Channel

from license_inventory import (
    InvalidInput,
    NotFound,
    OrderDetails,
    OrderStatus,
    Page,
    PermissionDenied,
    ProductKind,
)


def _numbers(page: Page) -> list[int]:
    return [d.order.number for d in page.items]


@pytest.fixture
def busy(stocked: Channel) -> Channel:
    """MGA Inc holds 1210..1214 (one every hour), 1215 requested; Northwind holds 1216."""
    ch = stocked
    irina = ch.session(ch.irina)
    for i in range(5):
        ch.inv.set_time(T0 + timedelta(hours=i + 1))
        product = ch.cl if i % 2 == 0 else ch.uac
        irina.assign(ch.ellen.id, ch.mga.id, product.id, 1, purchase_order=f"PO-{i}-{'ab' if i < 3 else 'CD'}")
    ch.inv.set_time(T0 + timedelta(hours=6))
    irina.request(ch.mga.id, ch.cl.id, 4, purchase_order="ASK-AB")
    irina.assign(ch.ellen.id, ch.northwind.id, ch.cl.id, 1)
    return ch


def test_order_details(busy: Channel) -> None:
    ch = busy
    irina = ch.session(ch.irina)
    d = irina.order_by_number(1211)
    assert isinstance(d, OrderDetails)
    assert d.order.number == 1211
    assert d.product_name == "User Activation Codes"
    assert d.product_kind is ProductKind.ACTIVATION_CODE
    assert d.holder_name == "MGA Inc"
    assert d.source_name == "Ellen Emporium"
    assert d.requested_by_name is None
    assert d.approved_by_name == "Irina Heer"
    assert irina.order(d.order.id) == d
    assert "number=1211" in repr(d) and "holder_name='MGA Inc'" in repr(d)
    req = irina.order_by_number(1215)
    assert req.requested_by_name == "Irina Heer"
    assert req.approved_by_name is None
    with pytest.raises(NotFound) as e:
        irina.order_by_number(99999)
    assert e.value.entity == "order"
    assert e.value.id == "99999"
    with pytest.raises(InvalidInput):
        irina.order_by_number(-5)


def test_list_filters(busy: Channel) -> None:
    ch = busy
    irina = ch.session(ch.irina)
    assert _numbers(irina.list(ch.mga.id)) == [1215, 1214, 1213, 1212, 1211, 1210]
    assert _numbers(irina.list(ch.mga.id, statuses=[OrderStatus.REQUESTED])) == [1215]
    assert _numbers(irina.list(ch.mga.id, statuses={OrderStatus.ACTIVE, "requested"})) == [
        1215, 1214, 1213, 1212, 1211, 1210,
    ]
    assert _numbers(irina.list(ch.mga.id, statuses=[OrderStatus.DEPLETED])) == []
    assert _numbers(irina.list(ch.mga.id, products=[ch.uac.id])) == [1213, 1211]
    assert _numbers(irina.list(ch.mga.id, products=(ch.uac.id, ch.cl.id))) == [1215, 1214, 1213, 1212, 1211, 1210]
    assert _numbers(irina.list(ch.mga.id, order_number=1212)) == [1212]
    # Purchase order: substring, case-insensitive.
    assert _numbers(irina.list(ch.mga.id, purchase_order="AB")) == [1215, 1212, 1211, 1210]
    assert _numbers(irina.list(ch.mga.id, purchase_order="cd")) == [1214, 1213]
    # Date range: from inclusive, to exclusive.
    assert _numbers(
        irina.list(ch.mga.id, requested_from=T0 + timedelta(hours=2), requested_to=T0 + timedelta(hours=4))
    ) == [1212, 1211]
    # An aware datetime in another zone names the same instant.
    cet = timezone(timedelta(hours=1))
    assert _numbers(irina.list(ch.mga.id, requested_from=datetime(2017, 10, 20, 8, 30, tzinfo=cet))) == [1215]
    # Combined.
    assert _numbers(
        irina.list(ch.mga.id, statuses=[OrderStatus.ACTIVE], products=[ch.cl.id], purchase_order="ab")
    ) == [1212, 1210]
    with pytest.raises(InvalidInput) as e:
        irina.list(ch.mga.id, statuses=["lost"])
    assert e.value.field == "order status"
    with pytest.raises(InvalidInput) as e:
        irina.list(ch.mga.id, statuses="active")
    assert e.value.field == "statuses"
    with pytest.raises(InvalidInput) as e:
        irina.list(ch.mga.id, requested_from=datetime(2017, 1, 1))
    assert e.value.field == "requested_from"


def test_list_pagination(busy: Channel) -> None:
    ch = busy
    irina = ch.session(ch.irina)
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = irina.list(ch.mga.id, cursor=cursor, limit=4)
        assert len(page) == len(page.items) <= 4
        seen += _numbers(page)
        pages += 1
        cursor = page.next
        if cursor is None:
            break
    assert pages == 2
    assert seen == [1215, 1214, 1213, 1212, 1211, 1210]
    first = irina.list(ch.mga.id, limit=2)
    assert first.next is not None
    assert "next=" in repr(first) and "1215, 1214" in repr(first)
    second = irina.list(ch.mga.id, limit=2, cursor=first.next)
    assert _numbers(second) == [1213, 1212]
    # Pagination keeps the filter.
    only_cl = irina.list(ch.mga.id, products=[ch.cl.id], limit=1)
    assert _numbers(only_cl) == [1215]
    assert only_cl.next is not None
    assert _numbers(irina.list(ch.mga.id, products=[ch.cl.id], limit=5, cursor=only_cl.next)) == [1214, 1212, 1210]
    for bad in (0, 1001):
        with pytest.raises(InvalidInput) as e:
            irina.list(ch.mga.id, limit=bad)
        assert e.value.field == "limit"
    with pytest.raises(InvalidInput) as e:
        irina.list(ch.mga.id, cursor="garbage")
    assert e.value.field == "cursor"


def test_summary(busy: Channel) -> None:
    ch = busy
    irina = ch.session(ch.irina)
    lines = irina.summary(ch.mga.id)
    assert [line.product_name for line in lines] == ["Center License", "User Activation Codes"]
    cl, uac = lines
    assert cl.product == ch.cl.id
    assert cl.product_kind is ProductKind.LICENSE
    assert (cl.held, cl.available, cl.pending_requests, cl.pending_units) == (3, 3, 1, 4)
    assert (uac.held, uac.available, uac.pending_requests) == (2, 2, 0)
    assert (cl.incoming_requests, cl.incoming_units) == (0, 0)
    ellen = {line.product_name: line for line in irina.summary(ch.ellen.id)}
    assert (ellen["Center License"].incoming_requests, ellen["Center License"].incoming_units) == (1, 4)
    assert ellen["Center License"].available == 10 - 3 - 1
    assert "held=3" in repr(cl)


def test_detail_of_use(busy: Channel) -> None:
    ch = busy
    irina = ch.session(ch.irina)
    ch.inv.set_time(T0 + timedelta(hours=8))
    child = irina.assign(ch.mga.id, ch.elerome.id, ch.uac.id, 1, purchase_order="EL-1")
    use = irina.detail_of_use(irina.order_by_number(1211).order.id)
    assert use.order.order.number == 1211
    assert use.order.order.available == 0
    assert len(use.draws) == 1
    line = use.draws[0]
    assert line.order == child.id
    assert line.order_number == child.number
    assert line.purchase_order == "EL-1"
    assert line.quantity == 1
    assert line.at == T0 + timedelta(hours=8)
    assert line.requested_by_org == "Elerome School"
    assert line.requested_by_user is None
    assert line.approved_by_org == "MGA Inc"
    assert line.approved_by_user == "Irina Heer"
    assert "order_number=" in repr(line) and "InventoryUse(order_number=1211, draws=1)" == repr(use)
    # Ellen's first CL order fed MGA's three and Northwind's one.
    source = irina.detail_of_use(irina.order_by_number(1208).order.id)
    assert sorted(d.requested_by_org for d in source.draws) == ["MGA Inc", "MGA Inc", "MGA Inc", "Northwind"]


def test_no_one_sees_another_branch(busy: Channel) -> None:
    ch = busy
    otto = ch.session(ch.otto)
    mga_order = ch.session(ch.irina).order_by_number(1210).order
    for call in (
        lambda: otto.list(ch.mga.id),
        lambda: otto.summary(ch.mga.id),
        lambda: otto.order(mga_order.id),
        lambda: otto.order_by_number(1210),
        lambda: otto.detail_of_use(mga_order.id),
        lambda: otto.list(ch.ellen.id),
    ):
        with pytest.raises(PermissionDenied) as e:
            call()
        assert e.value.action == "view"
        assert e.value.actor == ch.otto.id
    with pytest.raises(PermissionDenied) as e:
        otto.request(ch.mga.id, ch.cl.id, 1)
    assert e.value.action == "request"
    # Otto sees his own branch; the vendor admin sees everything.
    assert _numbers(otto.list(ch.northwind.id)) == [1216]
    vera = ch.session(ch.vera)
    assert _numbers(vera.list(ch.mga.id, limit=2)) == [1215, 1214]
    # An admin of an ancestor reads down the tree.
    assert ch.session(ch.irina).list(ch.elerome.id).items == []


def test_approval_queue_and_supplied_orders(stocked: Channel) -> None:
    """Ellen's queue holds the requests addressed to Ellen, newest first, paged and filtered,
    as many as the summary's incoming requests; Otto (a sibling reseller) may not read it;
    the orders Ellen supplied are the ones drawn from her."""
    ch = stocked
    irina, otto, vera = ch.session(ch.irina), ch.session(ch.otto), ch.session(ch.vera)
    first = irina.request(ch.mga.id, ch.cl.id, 2, purchase_order="PO-Q1")
    second = irina.request(ch.mga.id, ch.uac.id, 3, purchase_order="PO-Q2")
    north = otto.request(ch.northwind.id, ch.cl.id, 1)
    decided = irina.request(ch.mga.id, ch.cl.id, 1)
    irina.approve(decided.id)
    ch.session(ch.erin).request(ch.elerome.id, ch.cl.id, 1)  # addressed to MGA, not Ellen

    queue = irina.approval_queue(ch.ellen.id)
    assert _numbers(queue) == [north.number, second.number, first.number]
    assert queue.next is None
    incoming = sum(line.incoming_requests for line in irina.summary(ch.ellen.id))
    assert incoming == 3
    assert _numbers(vera.approval_queue(ch.ellen.id)) == _numbers(queue)
    page = irina.approval_queue(ch.ellen.id, limit=2)
    assert _numbers(page) == [north.number, second.number]
    rest = irina.approval_queue(ch.ellen.id, cursor=page.next, limit=2)
    assert _numbers(rest) == [first.number]
    assert _numbers(irina.approval_queue(ch.ellen.id, requested_by_org=ch.mga.id)) == [
        second.number,
        first.number,
    ]
    assert _numbers(irina.approval_queue(ch.ellen.id, products=[ch.uac.id])) == [second.number]
    assert _numbers(irina.approval_queue(ch.ellen.id, purchase_order="po-q1")) == [first.number]
    with pytest.raises(PermissionDenied):
        otto.approval_queue(ch.ellen.id)
    with pytest.raises(InvalidInput):
        irina.approval_queue(ch.ellen.id, requested_by_org="not an id")

    supplied = irina.supplied_orders(ch.ellen.id)
    assert _numbers(supplied) == [decided.number]
    assert supplied.items[0].source_name == "Ellen Emporium"
    assert _numbers(irina.list(ch.mga.id, requested_by_org=ch.northwind.id)) == []
    with pytest.raises(PermissionDenied):
        otto.supplied_orders(ch.ellen.id)
