"""Shared fixtures: every test that takes ``inv`` runs on the memory store, on SQLite and on
PostgreSQL.

PostgreSQL runs when ``LICENSE_INVENTORY_PG_URL`` names a database (a libpq URL or key/value
string, e.g. the second line of ``scripts/pg-cluster.sh start``). Without it those tests are
skipped, except under ``CI=true``, where they fail: CI must not pass without PostgreSQL. The
database is shared and never emptied, so every test works in fresh tenants of its own and never
assumes an empty store.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from license_inventory import (
    Inventory,
    Order,
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

PG_URL_VAR = "LICENSE_INVENTORY_PG_URL"


def postgres_url() -> str:
    """The PostgreSQL database of the tests; skips the test when there is none, or fails it
    under ``CI=true``."""
    url = os.environ.get(PG_URL_VAR, "").strip()
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"{PG_URL_VAR} is not set but CI=true: the PostgreSQL tests must run in CI "
            "(start a server with scripts/pg-cluster.sh start and export its URL)",
            pytrace=False,
        )
    pytest.skip(f"PostgreSQL not configured: set {PG_URL_VAR} (see scripts/pg-cluster.sh) to run on it")


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def inv(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Inventory]:
    if request.param == "memory":
        inventory = Inventory.in_memory()
    elif request.param == "sqlite":
        inventory = Inventory.open_sqlite(tmp_path / "inventory.db")
    else:
        inventory = Inventory.open_postgres(postgres_url())
    inventory.set_time(T0)
    yield inventory


@dataclass(frozen=True)
class Channel:
    """Jasperactive (vendor) › Ellen Emporium › {MGA Inc › Elerome School, Northwind}.

    Vera administers the vendor, Irina Ellen Emporium and MGA Inc, Otto Northwind, Erin Elerome
    School."""

    inv: Inventory
    tenant: Tenant
    ellen: Organization
    mga: Organization
    elerome: Organization
    northwind: Organization
    vera: User
    irina: User
    otto: User
    erin: User
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


def make_channel(inv: Inventory, plan: Plan) -> Channel:
    """The channel of :class:`Channel` in a new tenant on ``plan`` (first order number 1208)."""
    tenant = inv.create_tenant("Jasperactive", "Jasperactive", plan=plan, first_order_number=1208)
    t = tenant.id
    ellen = inv.create_org(t, "Ellen Emporium", Tier.DISTRIBUTOR, tenant.vendor)
    mga = inv.create_org(t, "MGA Inc", Tier.RESELLER, ellen.id)
    elerome = inv.create_org(t, "Elerome School", Tier.CENTER, mga.id)
    northwind = inv.create_org(t, "Northwind", Tier.RESELLER, ellen.id)
    vera = inv.create_user(t, "Vera Vendor", "vera@jasperactive.example")
    irina = inv.create_user(t, "Irina Heer", "irina.heer@mga.example")
    otto = inv.create_user(t, "Otto North", "otto@northwind.example")
    erin = inv.create_user(t, "Erin Elerome", "erin@elerome.example")
    inv.grant_admin(t, vera.id, tenant.vendor)
    inv.grant_admin(t, irina.id, ellen.id)
    inv.grant_admin(t, irina.id, mga.id)
    inv.grant_admin(t, otto.id, northwind.id)
    inv.grant_admin(t, erin.id, elerome.id)
    cl = inv.create_product(t, "CL", "Center License", ProductKind.LICENSE)
    uac = inv.create_product(t, "UAC", "User Activation Codes", ProductKind.ACTIVATION_CODE)
    return Channel(inv, tenant, ellen, mga, elerome, northwind, vera, irina, otto, erin, cl, uac)


@pytest.fixture
def ch(inv: Inventory) -> Channel:
    return make_channel(inv, Plan.STANDARD)


@pytest.fixture
def enterprise(inv: Inventory) -> Channel:
    """The channel on the enterprise plan (where managers may create orders and issue)."""
    return make_channel(inv, Plan.ENTERPRISE)


def center_order(ch: Channel, product: Product, quantity: int) -> Order:
    """An active order of ``quantity`` units of ``product`` held by Elerome School, assigned
    down vendor › Ellen Emporium › MGA Inc › Elerome School."""
    vera, irina = ch.session(ch.vera), ch.session(ch.irina)
    vera.assign(ch.vendor, ch.ellen.id, product.id, quantity)
    irina.assign(ch.ellen.id, ch.mga.id, product.id, quantity)
    return irina.assign(ch.mga.id, ch.elerome.id, product.id, quantity)


@pytest.fixture
def stocked(ch: Channel) -> Channel:
    """The channel with 10 CL and 10 UAC assigned by the vendor to Ellen Emporium (1208, 1209)."""
    vera = ch.session(ch.vera)
    for product in (ch.cl, ch.uac):
        vera.assign(ch.vendor, ch.ellen.id, product.id, 10, purchase_order="JA-2017-10")
    return ch
