"""License inventory through a reseller hierarchy: minted, requested, approved, issued; never lost
or oversold. The Python binding of the Rust library ``license-inventory``.

Start from an :class:`Inventory` (``Inventory.in_memory()``, ``Inventory.open_sqlite(path)`` or
``Inventory.open_postgres(url)``): provision tenants, organizations, users and products on it,
then act as a user through ``inventory.session(tenant_id, user_id)``. Ids are ``str`` (UUIDs),
times are timezone-aware UTC ``datetime`` objects, and every refused action raises a subclass of
:class:`InventoryError`.

>>> from license_inventory import Inventory, Tier, ProductKind
>>> inv = Inventory.in_memory()
>>> t = inv.create_tenant("Jasperactive", "Jasperactive")
>>> vera = inv.create_user(t.id, "Vera Vendor", "vera@example.com")
>>> inv.grant_admin(t.id, vera.id, t.vendor)
>>> cl = inv.create_product(t.id, "CL", "Center License", ProductKind.LICENSE)
>>> inv.session(t.id, vera.id).mint(cl.id, 10).available
10
"""

from license_inventory._enums import (
    LedgerKind,
    OrderStatus,
    Plan,
    ProductKind,
    Synchronous,
    Tier,
)
from license_inventory._errors import (
    Conflict,
    HierarchyViolation,
    InsufficientInventory,
    InvalidInput,
    InvalidState,
    InvariantViolated,
    InventoryError,
    NotFound,
    PermissionDenied,
    SchemaMismatch,
    StorageError,
)
from license_inventory._native import (
    DEFAULT_PAGE,
    GENESIS_HASH,
    MAX_COMMENT,
    MAX_NAME,
    MAX_PAGE,
    MAX_PURCHASE_ORDER,
    MAX_QUANTITY,
    Audit,
    Inventory,
    InventoryUse,
    LedgerEntry,
    Movement,
    Order,
    OrderDetails,
    Organization,
    Page,
    Product,
    Session,
    SummaryLine,
    Tenant,
    UseLine,
    User,
    version,
)

__version__: str = version()

__all__ = [
    "DEFAULT_PAGE",
    "GENESIS_HASH",
    "MAX_COMMENT",
    "MAX_NAME",
    "MAX_PAGE",
    "MAX_PURCHASE_ORDER",
    "MAX_QUANTITY",
    "Audit",
    "Conflict",
    "HierarchyViolation",
    "InsufficientInventory",
    "InvalidInput",
    "InvalidState",
    "InvariantViolated",
    "Inventory",
    "InventoryError",
    "InventoryUse",
    "LedgerEntry",
    "LedgerKind",
    "Movement",
    "NotFound",
    "Order",
    "OrderDetails",
    "OrderStatus",
    "Organization",
    "Page",
    "PermissionDenied",
    "Plan",
    "Product",
    "ProductKind",
    "SchemaMismatch",
    "Session",
    "StorageError",
    "SummaryLine",
    "Synchronous",
    "Tenant",
    "Tier",
    "UseLine",
    "User",
    "__version__",
]
