"""Fuzzing across the FFI with Hypothesis: every public method of :class:`Inventory` and
:class:`Session` (the static constructors included) is called with generated arguments — valid
ids of a real channel tree, wrong types, extremes, unicode (lone surrogates included), huge
strings, NaN/Infinity, naive and extreme datetimes, negative and huge integers, ``None``, lists
and dicts — and every outcome must be one of:

- success;
- an :class:`InventoryError` subclass other than :class:`InvariantViolated` (the library's own
  "this is a bug" error) and other than an internal panic;
- the standard exception pyo3 raises *before* the call for an argument it cannot convert:
  ``TypeError`` (wrong type), ``OverflowError`` (an integer outside the Rust parameter's range)
  or ``UnicodeEncodeError`` (a ``str`` holding a lone surrogate, which is not UTF-8).

Never ``PanicException`` (a ``BaseException``), never another exception, never a crash of the
interpreter, never a hang (each call runs in a worker thread and must return within
``CALL_TIMEOUT``).

CI runs a fixed seed (``derandomize``) and ``LICENSE_INVENTORY_FUZZ_EXAMPLES`` examples per
method (default 20). A long run, with a random seed (Hypothesis prints how to reproduce a
failure)::

    LICENSE_INVENTORY_FUZZ_EXAMPLES=2000 LICENSE_INVENTORY_FUZZ_RANDOM=1 \
        .venv/bin/python -m pytest bindings-python/tests/test_fuzz.py

A panic (``InternalError``, or pyo3's ``PanicException``) or ``InvariantViolated`` fails the test for
every input: the busy timeout that used to panic inside rusqlite and integers beyond BIGINT are
``InvalidInput`` now (``known_exclusion`` stays empty).
"""

from __future__ import annotations

import concurrent.futures
import inspect
import math
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from license_inventory import (
    BatchCommand,
    BundleLine,
    Customer,
    InternalError,
    Inventory,
    InvariantViolated,
    InventoryError,
    LicensePolicy,
    Plan,
    Session,
    Validity,
)

from conftest import center_order, make_channel

EXAMPLES = int(os.environ.get("LICENSE_INVENTORY_FUZZ_EXAMPLES", "20"))
#: Set for a random seed (the default, CI's, is derandomized: the same examples every run).
RANDOM = bool(os.environ.get("LICENSE_INVENTORY_FUZZ_RANDOM"))
CALL_TIMEOUT = 10.0

#: What pyo3 raises before the call when it cannot convert an argument.
CONVERSION_ERRORS = (TypeError, OverflowError, UnicodeEncodeError)

HUGE = "x" * (1 << 20)
SPECIAL: list[Any] = [
    None, True, False, 0, -1, 1, 2**31, 2**32, 2**53, 2**63 - 1, 2**63, 2**64, -(2**63), -(2**64),
    10**30, math.nan, math.inf, -math.inf, -0.0, 0.5, 1e308,
    "", " ", "\x00", "\ud800", "🦀" * 300, HUGE, "DROP TABLE orders; --", "=cmd|' /C calc'!A0",
    "7KQ2M-XR4TD-9WZPH-BN3CV-0G6JA", "00000000-0000-0000-0000-000000000000",
    b"bytes", [], {}, object(),
    datetime(1, 1, 1, tzinfo=timezone.utc), datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
    datetime(2017, 10, 20, 1, 45), datetime(1970, 1, 1, tzinfo=timezone(timedelta(hours=-23))),
]


def methods(cls: type) -> list[str]:
    return sorted(n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n)))


def params(fn: Callable[..., Any]) -> list[inspect.Parameter]:
    try:
        return [p for p in inspect.signature(fn).parameters.values() if p.name not in ("self", "cls")]
    except (TypeError, ValueError):
        return []


def garbage(pool: list[Any]) -> st.SearchStrategy[Any]:
    """Anything at all: the world's ids, the special values, text, numbers, datetimes, nested."""
    scalar = st.one_of(
        st.sampled_from(pool),
        st.sampled_from(SPECIAL),
        st.text(max_size=40),
        st.integers(),
        st.floats(),
        st.datetimes(timezones=st.sampled_from([None, timezone.utc, timezone(timedelta(hours=14))])),
    )
    return st.recursive(
        scalar,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=8,
    )


def likely(name: str, w: dict[str, Any]) -> st.SearchStrategy[Any]:
    """What a parameter named ``name`` most likely wants: the world's ids of that kind, or
    plausible values (small counts, enum names, datetimes, the binding's value classes)."""
    ids: dict[str, list[Any]] = w["ids"]
    small = st.integers(min_value=0, max_value=12)
    text = st.sampled_from(["Elerome", "stu@elerome.example", "CL", "correct horse battery", "pc"]) | st.text(max_size=20)
    moments = st.sampled_from(SPECIAL[-4:]) | st.datetimes(timezones=st.just(timezone.utc))
    rules: list[tuple[str, st.SearchStrategy[Any]]] = [
        ("tenant", st.sampled_from(ids["tenant"])),
        ("license_user|^user$", st.sampled_from(ids["lu"] + ids["user"])),
        ("org|holder|parent|^from_$|^to$|source", st.sampled_from(ids["org"])),
        ("user|actor", st.sampled_from(ids["user"])),
        ("product", st.sampled_from(ids["product"])),
        ("^order$", st.sampled_from(ids["order"])),
        ("^after$", small | st.sampled_from(ids["license"])),
        ("license", st.sampled_from(ids["license"])),
        ("key|code", st.sampled_from(ids["key"]) | text),
        ("^ids$|products", st.lists(st.sampled_from(ids["order"] + ids["product"]), max_size=3)),
        ("quantity|number|limit|seconds|after|days|max_|busy", small),
        ("^at$|from$|_to$", moments),
        ("tier", st.sampled_from(["center", "reseller", "distributor", "hub", "vendor", "nope"])),
        ("kind", st.sampled_from(["license", "activation_code", "nope"])),
        ("plan", st.sampled_from(["standard", "enterprise", "nope"])),
        ("synchronous", st.sampled_from(["full", "normal", "off", "nope"])),
        ("statuses", st.lists(st.sampled_from(["requested", "active", "depleted", "nope"]), max_size=3)),
        ("permissions", st.lists(st.sampled_from(["issue_license", "reset_device", "nope"]), max_size=3)),
        ("policy", st.builds(LicensePolicy, validity=st.just(Validity.perpetual()), max_activations=small, trial=st.booleans())),
        ("lines", st.lists(st.builds(BundleLine, st.sampled_from(ids["product"]), small), max_size=3)),
        ("customer", st.none() | st.builds(Customer, text)),
        ("commands", st.lists(st.sampled_from(ids["order"]).flatmap(lambda o: st.sampled_from([
            BatchCommand.cancel(o), BatchCommand.issue(o, 1), BatchCommand.approve(o)])), max_size=3)),
        ("is_|migrate", st.booleans()),
        ("campaign", st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3)),
    ]
    for pattern, strategy in rules:
        if re.search(pattern, name):
            return strategy
    return text


def argument(name: str, w: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Most of the time a likely value (so calls reach the core's rules), else anything."""
    return st.integers(0, 9).flatmap(lambda i: likely(name, w) if i < 7 else garbage(w["pool"]))


def known_exclusion(name: str, args: list[Any], kwargs: dict[str, Any], exc: BaseException) -> bool:
    """Outcomes tolerated for particular inputs: none any more (the busy timeout that made
    rusqlite panic and the numbers beyond BIGINT are InvalidInput now). Kept as the one place
    to document an exclusion, should one ever be needed."""
    return False


#: The worker threads of the calls (a hung call keeps its thread; the test fails).
WORKERS = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="fuzz")

#: Outcomes per method, printed at the end when ``LICENSE_INVENTORY_FUZZ_STATS`` is set.
STATS: dict[str, dict[str, int]] = {}


def call(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> BaseException | None:
    """Runs ``fn`` in a worker thread with a deadline; returns what it raised, if anything."""
    future = WORKERS.submit(fn, *args, **kwargs)
    try:
        future.result(timeout=CALL_TIMEOUT)
    except concurrent.futures.TimeoutError:
        pytest.fail(f"did not return within {CALL_TIMEOUT} s", pytrace=False)
    except BaseException as exc:  # noqa: BLE001 - every outcome is judged below
        return exc
    return None


def show(v: Any) -> str:
    if isinstance(v, str) and len(v) > 60:
        return f"{v[:20]!r}… ({len(v)} chars)"
    return repr(v)


def judge(where: str, name: str, args: list[Any], kwargs: dict[str, Any], exc: BaseException | None) -> None:
    if exc is None or known_exclusion(name, args, kwargs, exc):
        return
    shown = f"{where}({', '.join(map(show, args))}, {', '.join(f'{k}={show(v)}' for k, v in kwargs.items())})"
    assert not isinstance(exc, InternalError), f"{shown} panicked: {exc}"
    assert not isinstance(exc, InvariantViolated), f"{shown}: InvariantViolated: {exc}"
    assert isinstance(exc, (InventoryError, *CONVERSION_ERRORS)), f"{shown} raised {type(exc).__mro__}: {exc}"


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    inv = Inventory.in_memory()
    ch = make_channel(inv, Plan.ENTERPRISE)
    order = center_order(ch, ch.cl, 5)
    erin = ch.session(ch.erin)
    lic = erin.issue(order.id, 2)[0]
    lu = erin.add_license_user(order.id, "stu@elerome.example")
    directory = tmp_path_factory.mktemp("fuzz")
    ids: dict[str, list[Any]] = {
        "tenant": [ch.t],
        "org": [ch.vendor, ch.ellen.id, ch.mga.id, ch.elerome.id, ch.northwind.id],
        "user": [ch.vera.id, ch.irina.id, ch.otto.id, ch.erin.id],
        "lu": [lu.id],
        "product": [ch.cl.id, ch.uac.id],
        "order": [order.id],
        "license": [lic.id],
        "key": [lic.key],
    }
    pool: list[Any] = [
        ch.t, ch.vendor, ch.ellen.id, ch.mga.id, ch.elerome.id, ch.vera.id, ch.erin.id, ch.cl.id,
        ch.uac.id, order.id, order.number, lic.id, lic.key, lu.id, 1, 3, "distributor", "license",
        "issue_license", "requested", "full", "correct horse battery", "key-1",
    ]
    return {"inv": inv, "session": erin, "pool": pool, "ids": ids, "dir": directory}


def keep_inside(name: str, kwargs: dict[str, Any], directory: Path) -> None:
    """Paths stay inside the test's directory; open_postgres gets no host (no network)."""
    for key in ("path",):
        if isinstance(kwargs.get(key), str):
            safe = kwargs[key].replace("/", "_").replace("\\", "_").replace("\x00", "_").replace("..", "_")
            kwargs[key] = str(directory / (safe[:100] or "x"))
    if name == "open_postgres":
        kwargs["url"] = "host=/nonexistent dbname=license_inventory_fuzz"


def cases(cls: type) -> list[str]:
    return methods(cls)


@pytest.mark.parametrize("cls,name", [(Inventory, n) for n in cases(Inventory)] + [(Session, n) for n in cases(Session)])
@settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_fuzz(fuzz_world: dict[str, Any], cls: type, name: str, data: st.DataObject) -> None:
    receiver = fuzz_world["inv"] if cls is Inventory else fuzz_world["session"]
    if name == "close":
        # Closing the shared world would leave the later methods nothing to reach.
        receiver = Inventory.in_memory()
    fn = getattr(receiver, name)
    ps = params(getattr(cls, name))
    kwargs: dict[str, Any] = {}
    for p in ps:
        # Optional parameters are sometimes left out.
        if p.default is not inspect.Parameter.empty and data.draw(st.booleans()):
            continue
        kwargs[p.name] = data.draw(argument(p.name, fuzz_world), label=p.name)
    keep_inside(name, kwargs, fuzz_world["dir"])
    args: list[Any] = []
    if data.draw(st.booleans(), label="positional"):
        # The same values, positionally where allowed (and sometimes one too many).
        while kwargs and next(iter(kwargs)) in [p.name for p in ps if p.kind is p.POSITIONAL_OR_KEYWORD]:
            args.append(kwargs.pop(next(iter(kwargs))))
        if data.draw(st.integers(0, 9), label="extra") == 0:
            args.append(data.draw(garbage(fuzz_world["pool"]), label="extra"))
    exc = call(fn, args, kwargs)
    if name == "set_time":
        fuzz_world["inv"].set_time(None)
    outcome = "ok" if exc is None else type(exc).__name__
    if os.environ.get("LICENSE_INVENTORY_FUZZ_STATS") and isinstance(exc, TypeError):
        outcome = f"TypeError: {str(exc)[:60]}"
    seen = STATS.setdefault(f"{cls.__name__}.{name}", {})
    seen[outcome] = seen.get(outcome, 0) + 1
    judge(f"{cls.__name__}.{name}", name, args, kwargs, exc)


@pytest.fixture(scope="module", autouse=True)
def report_stats() -> Iterator[None]:
    yield
    if os.environ.get("LICENSE_INVENTORY_FUZZ_STATS"):
        for method, seen in sorted(STATS.items()):
            print(f"{method}: {seen}")


def test_every_public_method_is_fuzzed() -> None:
    """The parametrisation covers every public method, and the fuzzer knows each one's
    parameters (pyo3's text signatures)."""
    for cls in (Inventory, Session):
        names = cases(cls)
        assert len(names) > 20, names
        for n in names:
            inspect.signature(getattr(cls, n))
