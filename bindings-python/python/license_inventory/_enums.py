"""The enumerations of license-inventory, as :class:`enum.Enum` classes.

Each member's value is the core's snake-case name, and each class is also a ``str`` subclass, so
``Tier.RESELLER == "reseller"`` and the native module accepts either the member or its value.
"""

from __future__ import annotations

import enum

__all__ = [
    "LedgerKind",
    "LicenseStatus",
    "NotificationKind",
    "OrderStatus",
    "Permission",
    "Plan",
    "ProductKind",
    "Synchronous",
    "Tier",
    "ValidityKind",
]


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
    METADATA_EDITED = "metadata_edited"
    CUSTOMER_SET = "customer_set"
    BUNDLE_CREATED = "bundle_created"
    PRODUCT_POLICY_SET = "product_policy_set"
    LICENSES_ISSUED = "licenses_issued"
    LICENSE_REVOKED = "license_revoked"
    LICENSE_DISABLED = "license_disabled"
    LICENSE_ENABLED = "license_enabled"
    LICENSE_ACTIVATED = "license_activated"
    LICENSE_DEACTIVATED = "license_deactivated"
    DEVICE_RESET = "device_reset"
    LICENSE_RESET = "license_reset"
    LICENSE_BORROWED = "license_borrowed"
    BORROW_RETURNED = "borrow_returned"
    CODE_REDEEMED = "code_redeemed"
    LICENSE_USER_ADDED = "license_user_added"
    LICENSE_USER_EDITED = "license_user_edited"
    LICENSE_USER_DELETED = "license_user_deleted"
    LICENSE_USER_PASSWORD_SET = "license_user_password_set"
    LICENSE_ASSIGNED = "license_assigned"
    MANAGER_ADDED = "manager_added"
    MANAGER_REMOVED = "manager_removed"
    ORDER_DELETED = "order_deleted"
    UNITS_RETURNED = "units_returned"


class Synchronous(_StrEnum):
    """SQLite's ``synchronous`` setting (see ``Inventory.open_sqlite``)."""

    FULL = "full"
    """A command that returned survives a power cut (the default)."""
    NORMAL = "normal"
    """Survives a crash of the process; the last commits may be lost on a power cut."""


class LicenseStatus(_StrEnum):
    """The state of a license or activation code."""

    ISSUED = "issued"
    """Issued, never activated (or an activation code not yet redeemed)."""
    ACTIVE = "active"
    """Activated at least once (or redeemed)."""
    DISABLED = "disabled"
    """Disabled by an administrator: cannot be activated, redeemed or borrowed."""


class ValidityKind(_StrEnum):
    """How long a license is valid (the kind of a ``Validity``)."""

    PERPETUAL = "perpetual"
    """Never expires."""
    DAYS_FROM_ACTIVATION = "days_from_activation"
    """Valid for N days from its first activation."""
    DAYS_FROM_ISSUE = "days_from_issue"
    """Valid for N days from its issue."""


class Permission(_StrEnum):
    """What a license manager may do on its order: exactly the nine permissions of the vendor
    platform. A manager with ``MANAGE_MANAGERS`` can grant only the permissions it holds."""

    MANAGE_LICENSE_USERS = "manage_license_users"
    """Add, edit and delete license users, and give them licenses."""
    MANAGE_LICENSE_USER_CREDENTIALS = "manage_license_user_credentials"
    """Change license users' passwords."""
    MANAGE_MANAGERS = "manage_managers"
    """Add license managers to the order (with permissions it holds itself)."""
    RESET_DEVICE = "reset_device"
    """Remove one device from a license."""
    RESET_LICENSE = "reset_license"
    """Remove every device from a license."""
    BORROW_LICENSE = "borrow_license"
    """Borrow and return floating licenses."""
    CREATE_BUNDLE_ORDER = "create_bundle_order"
    """Request a bundle for the order's organization."""
    CREATE_ORDER = "create_order"
    """Request new inventory for the order's organization (enterprise plan only)."""
    ISSUE_LICENSE = "issue_license"
    """Issue new licenses from the order (enterprise plan only)."""

    @property
    def enterprise_only(self) -> bool:
        """True for the permissions only the enterprise plan may grant or use."""
        from license_inventory._native import permission_enterprise_only

        return permission_enterprise_only(self)


class NotificationKind(_StrEnum):
    """What a notification of the outbox is about."""

    REQUEST_CONFIRMATION = "request_confirmation"
    """To the requester: the request was recorded, with its details."""
    REQUEST_RECEIVED = "request_received"
    """To the source organization's admins and the vendor admins: a request awaits approval."""
    REQUEST_APPROVED = "request_approved"
    """To the requester: the request was approved."""
    REQUEST_REJECTED = "request_rejected"
    """To the requester: the request was rejected."""
    MANAGER_INVITATION = "manager_invitation"
    """To a new license manager: an invitation, with the permissions granted."""
