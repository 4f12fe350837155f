"""The enumerations of license-inventory, as :class:`enum.Enum` classes.

Each member's value is the core's snake-case name, and each class is also a ``str`` subclass, so
``Tier.RESELLER == "reseller"`` and the native module accepts either the member or its value.
"""

from __future__ import annotations

import enum

__all__ = ["LedgerKind", "OrderStatus", "Plan", "ProductKind", "Synchronous", "Tier"]


class _StrEnum(str, enum.Enum):
    """A ``str``-valued enum whose ``str()`` is its value (like 3.11's ``enum.StrEnum``)."""

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


class Tier(_StrEnum):
    """The tiers of the channel tree, top to bottom."""

    VENDOR = "vendor"
    DISTRIBUTOR = "distributor"
    RESELLER = "reseller"
    HUB = "hub"
    CENTER = "center"


class Plan(_StrEnum):
    """A tenant's pricing plan; some license-manager permissions need ``ENTERPRISE``."""

    STANDARD = "standard"
    ENTERPRISE = "enterprise"


class ProductKind(_StrEnum):
    """How a unit of a product is delivered."""

    ACTIVATION_CODE = "activation_code"
    """Each unit is a one-time code an end user redeems ("User Activation Codes")."""
    LICENSE = "license"
    """Each unit is a license ("Center License")."""


class OrderStatus(_StrEnum):
    """The life of an order."""

    REQUESTED = "requested"
    """Pending: asked for, not yet approved."""
    ACTIVE = "active"
    """Approved (or assigned, or minted) with units available."""
    DEPLETED = "depleted"
    """Approved, with no unit available."""
    REJECTED = "rejected"
    """Refused by the source organization."""
    CANCELLED = "cancelled"
    """Withdrawn by the requester."""

    @property
    def label(self) -> str:
        """The status as the seed's tables print it ("Active", "Requested", ...)."""
        from license_inventory._native import order_status_label

        return order_status_label(self)


class LedgerKind(_StrEnum):
    """What kind of change a ledger entry records."""

    TENANT_CREATED = "tenant_created"
    ORG_CREATED = "org_created"
    ORG_DEACTIVATED = "org_deactivated"
    USER_CREATED = "user_created"
    ADMIN_GRANTED = "admin_granted"
    PRODUCT_CREATED = "product_created"
    MINTED = "minted"
    REQUESTED = "requested"
    REQUEST_EDITED = "request_edited"
    CANCELLED = "cancelled"
    APPROVED = "approved"
    REJECTED = "rejected"
    ASSIGNED = "assigned"


class Synchronous(_StrEnum):
    """SQLite's ``synchronous`` setting (see ``Inventory.open_sqlite``)."""

    FULL = "full"
    """A command that returned survives a power cut (the default)."""
    NORMAL = "normal"
    """Survives a crash of the process; the last commits may be lost on a power cut."""
