"""Inventory: stores, clock, tenants, organizations, users, products, admin roles."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import T0, Channel, postgres_url

import license_inventory as li
from license_inventory import (
    Conflict,
    HierarchyViolation,
    InvalidInput,
    Inventory,
    NotFound,
    Plan,
    ProductKind,
    Tier,
)


def test_version_and_constants() -> None:
    assert li.__version__ == "0.1.0"
    assert li.MAX_QUANTITY == 1_000_000_000
    assert li.MAX_PAGE == 1000
    assert li.GENESIS_HASH == "0" * 64
    assert {li.MAX_NAME, li.MAX_PURCHASE_ORDER, li.MAX_COMMENT} >= {200, 100, 2000}


def test_tenant(inv: Inventory) -> None:
    t = inv.create_tenant("Jasperactive", "Jasperactive Vendor", plan=Plan.ENTERPRISE, first_order_number=1210)
    assert t.name == "Jasperactive"
    assert t.plan is Plan.ENTERPRISE
    assert t.minted == 0
    assert t.next_order_number == 1210
    assert t.created_at == T0
    assert t.created_at.tzinfo is not None and t.created_at.utcoffset() == timedelta(0)
    assert inv.tenant(t.id) == t
    vendor = inv.org(t.id, t.vendor)
    assert vendor.name == "Jasperactive Vendor"
    assert vendor.tier is Tier.VENDOR
    assert vendor.parent is None
    assert vendor.active
    assert repr(t).startswith("Tenant(id='") and "plan=Plan.ENTERPRISE" in repr(t)
    # Plan by its value, and the default plan.
    assert inv.create_tenant("B", "B", plan="enterprise").plan is Plan.ENTERPRISE
    assert inv.create_tenant("C", "C").plan is Plan.STANDARD
    assert inv.create_tenant("D", "D").next_order_number == 1


def test_tenant_bad_input(inv: Inventory) -> None:
    with pytest.raises(InvalidInput) as e:
        inv.create_tenant("  ", "Vendor")
    assert e.value.code == "INVALID_INPUT"
    assert isinstance(e.value, ValueError)
    with pytest.raises(InvalidInput) as e:
        inv.create_tenant("A", "A", plan="gold")
    assert e.value.field == "plan"
    with pytest.raises(InvalidInput) as e:
        inv.create_tenant("A", "A", first_order_number=-1)
    assert e.value.field == "first_order_number"
    assert "negative" in e.value.reason
    with pytest.raises(NotFound) as nf:
        inv.tenant("01890000-0000-7000-8000-000000000000")
    assert nf.value.entity == "tenant"
    assert nf.value.id == "01890000-0000-7000-8000-000000000000"
    assert isinstance(nf.value, LookupError)
    with pytest.raises(InvalidInput) as e:
        inv.tenant("not-a-uuid")
    assert e.value.field == "tenant id"


def test_orgs_users_products(ch: Channel) -> None:
    inv, t = ch.inv, ch.t
    assert ch.mga.tier is Tier.RESELLER
    assert ch.mga.parent == ch.ellen.id
    assert ch.mga.tenant == t
    assert inv.org(t, ch.mga.id) == ch.mga
    assert repr(ch.mga) == (
        f"Organization(id='{ch.mga.id}', name='MGA Inc', tier=Tier.RESELLER, "
        f"parent='{ch.ellen.id}', active=True)"
    )
    assert ch.irina.email == "irina.heer@mga.example"
    assert inv.user(t, ch.irina.id) == ch.irina
    assert "Irina Heer" in repr(ch.irina)
    assert ch.uac.kind is ProductKind.ACTIVATION_CODE
    assert inv.product(t, ch.cl.id) == ch.cl
    assert inv.product_by_code(t, "UAC") == ch.uac
    assert repr(ch.cl) == f"Product(id='{ch.cl.id}', code='CL', name='Center License', kind=ProductKind.LICENSE)"
    with pytest.raises(NotFound) as e:
        inv.product_by_code(t, "NOPE")
    assert e.value.entity == "product"
    # Emails are stored lower-case and unique within the tenant.
    assert inv.create_user(t, "Mixed", "Mixed.Case@Example.com").email == "mixed.case@example.com"
    with pytest.raises(Conflict) as c:
        inv.create_user(t, "Irina Again", "IRINA.HEER@mga.example")
    assert c.value.code == "CONFLICT"
    assert c.value.what
    with pytest.raises(Conflict):
        inv.create_product(t, "CL", "Another", ProductKind.LICENSE)
    with pytest.raises(InvalidInput) as bad:
        inv.create_user(t, "Bad", "not-an-email")
    assert bad.value.field == "email"
    with pytest.raises(InvalidInput) as bad:
        inv.create_org(t, "X", "galaxy", ch.vendor)
    assert bad.value.field == "tier"


def test_hierarchy_rules(ch: Channel) -> None:
    inv, t = ch.inv, ch.t
    # A parent's tier must be strictly higher.
    with pytest.raises(HierarchyViolation) as e:
        inv.create_org(t, "Upside Down", Tier.DISTRIBUTOR, ch.mga.id)
    assert e.value.code == "HIERARCHY_VIOLATION"
    assert e.value.reason
    with pytest.raises(HierarchyViolation):
        inv.create_org(t, "Second Vendor", Tier.VENDOR, ch.vendor)
    # Tiers may be skipped.
    center = inv.create_org(t, "Direct Center", Tier.CENTER, ch.ellen.id)
    assert center.parent == ch.ellen.id
    with pytest.raises(NotFound) as nf:
        inv.create_org(t, "Orphan", Tier.CENTER, "01890000-0000-7000-8000-000000000000")
    assert nf.value.entity == "organization"


def test_deactivate_org(stocked: Channel) -> None:
    ch = stocked
    irina = ch.session(ch.irina)
    irina.assign(ch.ellen.id, ch.mga.id, ch.cl.id, 3)
    mga = ch.inv.deactivate_org(ch.t, ch.mga.id)
    assert not mga.active
    assert not ch.inv.org(ch.t, ch.mga.id).active
    # It keeps its inventory but can no longer request or be assigned.
    assert irina.summary(ch.mga.id)[0].available == 3
    with pytest.raises(HierarchyViolation):
        irina.request(ch.mga.id, ch.cl.id, 1)
    with pytest.raises(HierarchyViolation):
        irina.assign(ch.ellen.id, ch.mga.id, ch.cl.id, 1)


def test_wrong_tenant_is_not_found(ch: Channel) -> None:
    inv = ch.inv
    other = inv.create_tenant("Other", "Other")
    with pytest.raises(NotFound):
        inv.org(other.id, ch.mga.id)
    with pytest.raises(NotFound):
        inv.user(other.id, ch.irina.id)
    with pytest.raises(NotFound):
        inv.product(other.id, ch.cl.id)
    with pytest.raises(NotFound):
        inv.session(other.id, ch.irina.id)
    with pytest.raises(NotFound):
        inv.grant_admin(other.id, ch.irina.id, ch.mga.id)


def test_session_handle(ch: Channel) -> None:
    s = ch.session(ch.irina)
    assert s.user == ch.irina.id
    assert s.tenant == ch.t
    assert repr(s) == f"Session(tenant='{ch.t}', user='{ch.irina.id}')"


def test_clock(inv: Inventory) -> None:
    t = inv.create_tenant("A", "A")
    assert t.created_at == T0
    # Any aware datetime is taken as the instant it names.
    inv.set_time(datetime(2020, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))))
    assert inv.create_tenant("B", "B").created_at == datetime(2020, 1, 1, 10, 0, tzinfo=timezone.utc)
    # Naive datetimes are ambiguous.
    with pytest.raises(InvalidInput) as e:
        inv.set_time(datetime(2020, 1, 1))
    assert e.value.field == "at"
    with pytest.raises(TypeError):
        inv.set_time("2020-01-01")  # type: ignore[arg-type]
    # Unpinned, the clock follows the system clock.
    inv.set_time(None)
    before = datetime.now(timezone.utc)
    created = inv.create_tenant("C", "C").created_at
    assert before - timedelta(seconds=1) <= created <= datetime.now(timezone.utc) + timedelta(seconds=1)


def test_stores(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    inv = Inventory.open_sqlite(path, synchronous=li.Synchronous.NORMAL, busy_timeout=5.0, migrate=True)
    assert repr(inv) == "Inventory(sqlite)"
    version = inv.schema_version()
    assert isinstance(version, int) and version >= 1
    t = inv.create_tenant("Persisted", "Persisted")
    del inv
    # Reopened (path as str): the tenant is still there.
    again = Inventory.open_sqlite(str(path))
    assert again.tenant(t.id).name == "Persisted"
    assert Inventory.in_memory().schema_version() is None
    assert repr(Inventory.in_memory()) == "Inventory(memory)"
    mem = Inventory.sqlite_in_memory()
    assert mem.schema_version() == version
    assert mem.create_tenant("M", "M").name == "M"
    with pytest.raises(InvalidInput) as e:
        Inventory.open_sqlite(path, synchronous="sometimes")
    assert e.value.field == "synchronous"
    with pytest.raises(InvalidInput) as e:
        Inventory.open_sqlite(path, busy_timeout=-1.0)
    assert e.value.field == "busy_timeout"
    # Group commit: 1 turns it off; 0 (or more than MAX_GROUP) is refused, typed.
    alone = Inventory.open_sqlite(tmp_path / "alone.db", group_commit=1)
    assert alone.create_tenant("A", "A").name == "A"
    for bad in (0, 1025):
        with pytest.raises(InvalidInput) as e:
            Inventory.open_sqlite(tmp_path / "bad.db", group_commit=bad)
        assert e.value.field == "group_commit"


def header_page_size(path: Path) -> int:
    """The page size an SQLite file records in its header (bytes 16-17, big-endian; 1 = 65536)."""
    with open(path, "rb") as f:
        header = f.read(100)
    assert header.startswith(b"SQLite format 3\x00"), header[:16]
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


def test_sqlite_page_size(tmp_path: Path) -> None:
    # A new file gets the core's default, 2 KiB pages.
    default = tmp_path / "default.db"
    with Inventory.open_sqlite(default) as inv:
        inv.create_tenant("D", "D")
    assert header_page_size(default) == 2048
    # page_size sets the page size of a file the call creates.
    big = tmp_path / "big.db"
    with Inventory.open_sqlite(big, page_size=4096) as inv:
        t = inv.create_tenant("B", "B")
    assert header_page_size(big) == 4096
    # An existing file keeps the size it was created with, whatever is asked or defaulted.
    for again in (8192, 512, None):
        with Inventory.open_sqlite(big, page_size=again) as inv:
            assert inv.tenant(t.id).name == "B"
            inv.create_tenant("B2", "B2")
        assert header_page_size(big) == 4096
    # Not a power of two from 512 to 65536: refused, typed, before any file is created.
    for bad in (3000, 256, 0, 131072, -1, 2**40):
        path = tmp_path / f"bad-{bad}.db"
        with pytest.raises(InvalidInput) as e:
            Inventory.open_sqlite(path, page_size=bad)
        assert e.value.field == "page_size"
        assert e.value.code == "INVALID_INPUT"
        assert not path.exists()


def test_sqlite_storage_error(tmp_path: Path) -> None:
    # A directory is not a database file.
    with pytest.raises(li.StorageError) as e:
        Inventory.open_sqlite(tmp_path)
    assert e.value.code == "STORAGE"
    assert e.value.kind == "sqlite"
    # The message is the library's; `detail` adds the driver's own words (the cause chain).
    assert e.value.detail.startswith(str(e.value))
    assert "unable to open database file" in e.value.detail


def test_tenants_lists_every_tenant_oldest_first(inv: Inventory) -> None:
    # The store may hold other tests' tenants (PostgreSQL is shared): look for our own.
    later = inv.create_tenant("Created first, dated later", "V")
    inv.set_time(T0 - timedelta(days=1))
    earlier = inv.create_tenant("Created second, dated earlier", "V")
    everyone = inv.tenants()
    assert all(isinstance(x, li.Tenant) for x in everyone)
    assert [x.id for x in everyone if x.id in {later.id, earlier.id}] == [earlier.id, later.id]
    assert [x for x in everyone if x.id == later.id] == [later]
    assert [x.created_at for x in everyone] == sorted(x.created_at for x in everyone)


def test_default_page_is_the_cores() -> None:
    assert li.DEFAULT_PAGE == 100
    assert 1 <= li.DEFAULT_PAGE <= li.MAX_PAGE


def test_postgres_bad_url_is_invalid_input() -> None:
    # Refused while parsing the URL: no server is needed.
    for url in ("host=/tmp port=not-a-port", "postgres://user@host:99999999/db", "no equals sign"):
        with pytest.raises(InvalidInput) as e:
            Inventory.open_postgres(url)
        assert e.value.code == "INVALID_INPUT"
        assert e.value.field == "postgres url"
        assert e.value.reason
    with pytest.raises(InvalidInput) as e:
        Inventory.open_postgres("host=/nowhere", max_connections=-1)
    assert e.value.field == "max_connections"
    with pytest.raises(InvalidInput) as e:
        Inventory.open_postgres("host=/nowhere", max_retries=2**40)
    assert e.value.field == "max_retries"


def test_postgres_unreachable_is_storage_error(tmp_path: Path) -> None:
    # A well-formed URL naming a socket nobody listens on: no server is needed either.
    with pytest.raises(li.StorageError) as e:
        Inventory.open_postgres(f"host={tmp_path} port=5432 user=nobody dbname=nothing")
    assert e.value.code == "STORAGE"
    assert e.value.kind == "postgres"
    assert e.value.detail


def test_postgres_store() -> None:
    url = postgres_url()
    inv = Inventory.open_postgres(url, max_connections=2, max_retries=3, migrate=True)
    assert repr(inv) == "Inventory(postgres)"
    version = inv.schema_version()
    assert version == Inventory.sqlite_in_memory().schema_version()
    t = inv.create_tenant("Shared", "Shared")
    # Another handle (as another process would) sees it; an up-to-date schema needs no migration.
    other = Inventory.open_postgres(url, migrate=False)
    assert other.tenant(t.id) == t
    assert t.id in [x.id for x in other.tenants()]
    assert other.schema_version() == version
