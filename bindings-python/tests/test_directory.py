"""The directory: organizations, users, admins, roles, products and bundles, each read scoped
like orders (a user sees their branches; the vendor's admins see all)."""

from __future__ import annotations

import pytest
from conftest import Channel

from license_inventory import (
    BundleLine,
    InvalidInput,
    NotFound,
    OrgPage,
    OrgTreePage,
    PermissionDenied,
    Role,
    Tier,
)


def _names(page: OrgPage) -> list[str]:
    return [o.name for o in page.items]


def test_organizations_by_visibility(ch: Channel) -> None:
    vera, irina, otto, erin = (ch.session(u) for u in (ch.vera, ch.irina, ch.otto, ch.erin))
    assert _names(vera.search_orgs()) == [
        "Elerome School",
        "Ellen Emporium",
        "Jasperactive",
        "MGA Inc",
        "Northwind",
    ]
    assert _names(irina.search_orgs()) == ["Elerome School", "Ellen Emporium", "MGA Inc", "Northwind"]
    assert _names(otto.search_orgs()) == ["Northwind"]
    assert _names(erin.search_orgs()) == ["Elerome School"]
    assert _names(vera.search_orgs("el")) == ["Elerome School", "Ellen Emporium"]
    assert _names(vera.search_orgs("ELL")) == ["Ellen Emporium"]

    first = vera.search_orgs(limit=2)
    assert len(first) == 2 and first.next is not None
    second = vera.search_orgs(cursor=first.next, limit=2)
    assert _names(second) == ["Jasperactive", "MGA Inc"]

    assert _names(irina.child_orgs(ch.ellen.id)) == ["MGA Inc", "Northwind"]
    tree = vera.subtree(ch.vendor, 2)
    assert isinstance(tree, OrgTreePage)
    assert [(e.org.name, e.depth) for e in tree.items] == [
        ("Jasperactive", 0),
        ("Ellen Emporium", 1),
        ("MGA Inc", 2),
        ("Northwind", 2),
    ]
    assert len(vera.subtree(ch.vendor)) == 5
    assert erin.organization(ch.elerome.id) == ch.elerome

    for who, org in ((otto, ch.mga.id), (erin, ch.mga.id), (irina, ch.vendor)):
        with pytest.raises(PermissionDenied):
            who.organization(org)
        with pytest.raises(PermissionDenied):
            who.child_orgs(org)
        with pytest.raises(PermissionDenied):
            who.org_admins(org)
    with pytest.raises(InvalidInput):
        vera.subtree(ch.vendor, 17)
    with pytest.raises(InvalidInput):
        vera.search_orgs(cursor="not a cursor")
    with pytest.raises(InvalidInput):
        vera.search_orgs(limit=0)


def test_users_admins_and_roles(ch: Channel) -> None:
    vera, irina, otto, erin = (ch.session(u) for u in (ch.vera, ch.irina, ch.otto, ch.erin))
    assert [u.name for u in vera.search_users().items] == [
        "Erin Elerome",
        "Irina Heer",
        "Otto North",
        "Vera Vendor",
    ]
    assert [u.name for u in irina.search_users().items] == ["Erin Elerome", "Irina Heer", "Otto North"]
    assert [u.name for u in erin.search_users().items] == ["Erin Elerome"]
    assert [u.name for u in vera.search_users("otto@").items] == ["Otto North"]
    assert irina.find_user(ch.erin.id) == ch.erin
    with pytest.raises(PermissionDenied):
        otto.find_user(ch.irina.id)
    assert [u.name for u in vera.org_admins(ch.mga.id)] == ["Irina Heer"]

    roles = irina.roles_of(ch.irina.id)
    assert all(isinstance(r, Role) for r in roles)
    assert [(r.org_name, r.tier) for r in roles] == [
        ("Ellen Emporium", Tier.DISTRIBUTOR),
        ("MGA Inc", Tier.RESELLER),
    ]
    assert roles[0].org == ch.ellen.id
    assert vera.roles_of(ch.irina.id) == roles
    with pytest.raises(PermissionDenied):
        erin.roles_of(ch.irina.id)


def test_products_and_bundles(ch: Channel) -> None:
    erin = ch.session(ch.erin)
    page = erin.products(limit=1)
    assert [p.name for p in page.items] == ["Center License"]
    rest = erin.products(cursor=page.next)
    assert [p.name for p in rest.items] == ["User Activation Codes"]
    assert rest.next is None
    assert erin.product(ch.uac.id) == ch.uac
    assert len(erin.bundles()) == 0
    bundle = ch.inv.create_bundle(ch.t, "Starter pack", [BundleLine(ch.cl.id, 2)])
    assert erin.bundles().items == [bundle]
    assert erin.bundle(bundle.id) == bundle
    with pytest.raises(NotFound):
        erin.bundle("018f0000-0000-7000-8000-000000000001")
