"""The exception hierarchy of license-inventory.

Every error of the core library arrives as a subclass of :class:`InventoryError`, carrying the
core's stable ``code`` (``"INSUFFICIENT_INVENTORY"``, ``"PERMISSION_DENIED"``, ...) and the
structured fields of the core's error variant as attributes. Where a builtin exception fits, the
class also derives from it (``InvalidInput`` is a ``ValueError``, ``NotFound`` a ``LookupError``,
``PermissionDenied`` a ``PermissionError``, ``MistypedKey`` a ``ValueError``, ``ExportFailed`` an
``OSError``), so generic ``except`` clauses keep working.

When an operation raises, nothing was changed: every operation is one atomic transaction.

``InventoryClosed`` is the binding's own: every call on an ``Inventory`` after its ``close()``
(or on one of its sessions) raises it.
"""

from __future__ import annotations

from typing import Any

from license_inventory._enums import OrderStatus, Permission

__all__ = [
    "ActivationLimit",
    "BorrowLimit",
    "Conflict",
    "ExportFailed",
    "HierarchyViolation",
    "InsufficientInventory",
    "InternalError",
    "InvalidInput",
    "InvalidState",
    "InvariantViolated",
    "InventoryClosed",
    "InventoryError",
    "LicenseUnusable",
    "MistypedKey",
    "NotFound",
    "OrderInUse",
    "PermissionDenied",
    "PlanRequired",
    "SchemaMismatch",
    "StorageError",
]


def _restore(cls: type[InventoryError], state: dict[str, Any]) -> InventoryError:
    """Rebuilds a pickled error without calling ``__init__`` (whose fields are keyword-only)."""
    err = cls.__new__(cls, state.get("message", ""))
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


class InventoryError(Exception):
    """Base class of every error raised by license-inventory."""

    code: str
    """The core's stable, language-neutral code (``Error::code()``)."""
    message: str
    """The core's message: what happened and what to do about it."""
    batch_index: int | None = None
    """For an error of ``Session.batch``: the position (from 0) of the command that failed, whose
    own error this is (the message says so too); ``None`` otherwise."""
    action: str | None = None
    """The refused action (``"approve"``, ``"create_org"``, ``"view"``, ...): every refusal names
    it, and its message ends with it; ``None`` for a failure that is no refusal (storage, a bug)."""
    actor: str | None = None
    """The id of the user whose action was refused; ``None`` for the host application's own
    calls on ``Inventory`` (creating the tenant's organizations and users, activating a device)
    and for failures that are no refusal."""

    def __init__(self, message: str, *, code: str = "INVENTORY_ERROR") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), dict(self.__dict__)))


class InvalidInput(InventoryError, ValueError):
    """A field of the input is malformed, empty, too long or out of range."""

    field: str
    """The offending field, e.g. ``"quantity"`` or ``"email"``."""
    reason: str
    """Why it was refused."""

    def __init__(self, message: str, *, field: str, reason: str, code: str = "INVALID_INPUT") -> None:
        super().__init__(message, code=code)
        self.field = field
        self.reason = reason


class NotFound(InventoryError, LookupError):
    """No such thing exists in this tenant (ids of another tenant are never visible)."""

    entity: str
    """What was looked up: ``"tenant"``, ``"organization"``, ``"user"``, ``"product"``, ``"order"``,
    ``"license"``, ``"license user"``, ``"license manager"``, ``"bundle"``."""
    id: str
    """The id or number that was looked up."""

    def __init__(self, message: str, *, entity: str, id: str, code: str = "NOT_FOUND") -> None:
        super().__init__(message, code=code)
        self.entity = entity
        self.id = id


class PermissionDenied(InventoryError, PermissionError):
    """The acting user may not perform the action; ask an admin of the right organization."""

    action: str
    """The refused action (``"approve"``, ``"request"``, ``"view"``, ``"reset_device"``,
    ``"manage_managers"``, ``"delete_order"``, ...)."""
    actor: str
    """The id of the user who attempted it."""
    reason: str
    """Why it was refused."""

    def __init__(
        self, message: str, *, action: str, actor: str, reason: str, code: str = "PERMISSION_DENIED"
    ) -> None:
        super().__init__(message, code=code)
        self.action = action
        self.actor = actor
        self.reason = reason


class InsufficientInventory(InventoryError):
    """The source organization holds fewer available units than asked for; nothing was drawn."""

    available: int
    """Units available at the source (summed over its active orders of the product)."""
    requested: int
    """Units that were asked for."""

    def __init__(
        self, message: str, *, available: int, requested: int, code: str = "INSUFFICIENT_INVENTORY"
    ) -> None:
        super().__init__(message, code=code)
        self.available = available
        self.requested = requested


class InvalidState(InventoryError):
    """The order's status forbids the action (e.g. editing an approved order)."""

    order_number: int
    """The number of the order concerned."""
    status: OrderStatus
    """Its current status."""
    action: str
    """The refused action."""

    def __init__(
        self, message: str, *, order_number: int, status: OrderStatus, action: str, code: str = "INVALID_STATE"
    ) -> None:
        super().__init__(message, code=code)
        self.order_number = order_number
        self.status = status
        self.action = action


class HierarchyViolation(InventoryError):
    """A rule of the channel tree was broken (tier order, cycle, not a child, deactivated org)."""

    reason: str
    """Which rule, and for which organizations."""

    def __init__(self, message: str, *, reason: str, code: str = "HIERARCHY_VIOLATION") -> None:
        super().__init__(message, code=code)
        self.reason = reason


class Conflict(InventoryError):
    """Something unique already exists (a user's email, a product code)."""

    what: str
    """What collided."""

    def __init__(self, message: str, *, what: str, code: str = "CONFLICT") -> None:
        super().__init__(message, code=code)
        self.what = what


class SchemaMismatch(InventoryError):
    """The stored schema version is not the one this build knows."""

    found: int
    """The version found in the database."""
    supported: int
    """The version this build writes."""
    hint: str
    """What to do."""

    def __init__(
        self, message: str, *, found: int, supported: int, hint: str, code: str = "SCHEMA_MISMATCH"
    ) -> None:
        super().__init__(message, code=code)
        self.found = found
        self.supported = supported
        self.hint = hint


class MistypedKey(InventoryError, ValueError):
    """A license key or activation code is malformed or mistyped (its check symbol does not
    match). Nothing was looked up; ask the person to check the key."""

    key: str
    """The key as given (at most 64 characters of it)."""
    reason: str
    """What is wrong with it."""

    def __init__(self, message: str, *, key: str, reason: str, code: str = "MISTYPED_KEY") -> None:
        super().__init__(message, code=code)
        self.key = key
        self.reason = reason


class ActivationLimit(InventoryError):
    """The license is activated on as many devices as its policy allows; reset a device first."""

    max: int
    """The policy's maximum number of devices."""

    def __init__(self, message: str, *, max: int, code: str = "ACTIVATION_LIMIT") -> None:
        super().__init__(message, code=code)
        self.max = max


class BorrowLimit(InventoryError):
    """The floating license has as many open borrows as its policy allows, or the borrow asked
    for is longer than allowed."""

    reason: str
    """Which limit."""

    def __init__(self, message: str, *, reason: str, code: str = "BORROW_LIMIT") -> None:
        super().__init__(message, code=code)
        self.reason = reason


class LicenseUnusable(InventoryError):
    """The license cannot be used for this now: disabled, expired, not floating, already
    redeemed, or already used (and so not revocable)."""

    key: str
    """The license's key."""
    reason: str
    """Why."""

    def __init__(self, message: str, *, key: str, reason: str, code: str = "LICENSE_UNUSABLE") -> None:
        super().__init__(message, code=code)
        self.key = key
        self.reason = reason


class PlanRequired(InventoryError):
    """The permission can be granted or used only on the enterprise plan."""

    permission: Permission
    """The permission asked for."""

    def __init__(self, message: str, *, permission: Permission, code: str = "PLAN_REQUIRED") -> None:
        super().__init__(message, code=code)
        self.permission = permission


class OrderInUse(InventoryError):
    """The order cannot be deleted while child orders hold units drawn from it; delete or return
    those first."""

    order_number: int
    """The number of the order."""
    children: list[int]
    """The numbers of the child orders holding units drawn from it, ascending."""

    def __init__(self, message: str, *, order_number: int, children: list[int], code: str = "ORDER_IN_USE") -> None:
        super().__init__(message, code=code)
        self.order_number = order_number
        self.children = children


class ExportFailed(InventoryError, OSError):
    """Writing an export failed (the destination refused the bytes). Nothing in the store
    changed; the file may be left partial. Retry with a writable destination."""

    detail: str
    """The writer's own message (the cause)."""

    def __init__(self, message: str, *, detail: str, code: str = "EXPORT_FAILED") -> None:
        super().__init__(message, code=code)
        self.detail = detail


class InvariantViolated(InventoryError):
    """A conservation or consistency invariant would break (a bug or a tampered store)."""

    reason: str
    """The invariant and the figures that broke it."""

    def __init__(self, message: str, *, reason: str, code: str = "INVARIANT_VIOLATED") -> None:
        super().__init__(message, code=code)
        self.reason = reason


class StorageError(InventoryError):
    """The storage backend failed (I/O, locking, corrupt row); the transaction was rolled back."""

    kind: str
    """``"sqlite"``, ``"postgres"``, ``"corrupt"``, ``"poisoned"``, ``"pool_exhausted"``, ``"row_count"``, ``"group_aborted"`` (or ``"other"``)."""
    table: str | None
    """The table concerned, when the backend names one."""
    detail: str
    """The backend's own message (the cause)."""

    def __init__(
        self, message: str, *, kind: str, detail: str, table: str | None = None, code: str = "STORAGE"
    ) -> None:
        super().__init__(message, code=code)
        self.kind = kind
        self.detail = detail
        self.table = table


class InventoryClosed(InventoryError):
    """The inventory was closed (``Inventory.close()``, or the end of its ``with`` block): every
    call on it, on its keyed copies and on its sessions raises this, and did nothing. Open the
    store again (``Inventory.open_sqlite(path)`` ...) to go on.

    Not a refusal of the core: ``action`` and ``actor`` are ``None``."""

    def __init__(self, message: str, *, code: str = "CLOSED") -> None:
        super().__init__(message, code=code)


class InternalError(InventoryError):
    """The library panicked (a bug): caught at the boundary, never a ``PanicException``.

    Nothing was changed (the transaction was rolled back); the store keeps working. Please
    report it with ``detail``.
    """

    detail: str
    """The panic's message."""

    def __init__(self, message: str, *, detail: str, code: str = "INTERNAL_PANIC") -> None:
        super().__init__(message, code=code)
        self.detail = detail
