"""Shared fixtures: every test that takes ``inv`` runs on the memory store and on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from license_inventory import (
    Inventory,
    Organization,
    Plan,
    Product,
    ProductKind,
    Session,
    Tenant,
    Tier,
    User,
)

T0 = datetime(2017, 10, 20, 1, 30, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "sqlite"])
def inv(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Inventory]:
    if request.param == "memory":
        inventory = Inventory.in_memory()
    else:
        inventory = Inventory.open_sqlite(tmp_path / "inventory.db")
    inventory.set_time(T0)
    yield inventory


@dataclass(frozen=True)
class Channel:
    """Jasperactive (vendor) › Ellen Emporium › {MGA Inc › Elerome School, Northwind}."""

    inv: Inventory
    tenant: Tenant
    ellen: Organization
    mga: Organization
    elerome: Organization
    northwind: Organization
    vera: User
    irina: User
    otto: User
    cl: Product
    uac: Product

    @property
    def t(self) -> str:
        return self.tenant.id

    @property
    def vendor(self) -> str:
        return self.tenant.vendor

    def session(self, user: User) -> Session:
        return self.inv.session(self.t, user.id)


@pytest.fixture
def ch(inv: Inventory) -> Channel:
    tenant = inv.create_tenant("Jasperactive", "Jasperactive", plan=Plan.STANDARD, first_order_number=1208)
    t = tenant.id
    ellen = inv.create_org(t, "Ellen Emporium", Tier.DISTRIBUTOR, tenant.vendor)
    mga = inv.create_org(t, "MGA Inc", Tier.RESELLER, ellen.id)
    elerome = inv.create_org(t, "Elerome School", Tier.CENTER, mga.id)
    northwind = inv.create_org(t, "Northwind", Tier.RESELLER, ellen.id)
    vera = inv.create_user(t, "Vera Vendor", "vera@jasperactive.example")
    irina = inv.create_user(t, "Irina Heer", "irina.heer@mga.example")
    otto = inv.create_user(t, "Otto North", "otto@northwind.example")
    inv.grant_admin(t, vera.id, tenant.vendor)
    inv.grant_admin(t, irina.id, ellen.id)
    inv.grant_admin(t, irina.id, mga.id)
    inv.grant_admin(t, otto.id, northwind.id)
    cl = inv.create_product(t, "CL", "Center License", ProductKind.LICENSE)
    uac = inv.create_product(t, "UAC", "User Activation Codes", ProductKind.ACTIVATION_CODE)
    return Channel(inv, tenant, ellen, mga, elerome, northwind, vera, irina, otto, cl, uac)


@pytest.fixture
def stocked(ch: Channel) -> Channel:
    """The channel with 10 CL and 10 UAC assigned by the vendor to Ellen Emporium (1208, 1209)."""
    vera = ch.session(ch.vera)
    for product in (ch.cl, ch.uac):
        vera.assign(ch.vendor, ch.ellen.id, product.id, 10, purchase_order="JA-2017-10")
    return ch
