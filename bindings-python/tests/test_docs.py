"""The package docstring's example runs, and the public API is complete and documented."""

from __future__ import annotations

import doctest

import license_inventory
from license_inventory import _native


def test_package_doctest() -> None:
    result = doctest.testmod(license_inventory, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_public_names_are_documented() -> None:
    for name in license_inventory.__all__:
        obj = getattr(license_inventory, name)
        if isinstance(obj, (int, str)):
            continue
        assert obj.__doc__, f"{name} has no docstring"
    for cls in (_native.Inventory, _native.Session, _native.Order):
        for attr in dir(cls):
            if not attr.startswith("_"):
                assert getattr(cls, attr).__doc__, f"{cls.__name__}.{attr} has no docstring"
