//! Conversions between Python values and the core's types, and [`run`], the one way a call
//! reaches the store (with the GIL released).

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use license_inventory as core;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDateTime, PyInt, PyString, PyType, PyTzInfo, PyTzInfoAccess};

use crate::errors;

/// Runs `call` (one call into the store) with the GIL released, converting its error. A panic
/// in the core (a bug) is caught here and raised as `InternalError` (code `INTERNAL_PANIC`), a
/// subclass of `InventoryError`, never as pyo3's `PanicException` (a `BaseException` that
/// `except Exception` misses). Every method that reaches the core goes through here.
pub(crate) fn run<T: Send>(
    py: Python<'_>,
    call: impl FnOnce() -> core::Result<T> + Send,
) -> PyResult<T> {
    run_mapped(py, call, |e| errors::to_py(py, e))
}

/// [`run`], converting the core's error with `convert` (the handles' [`Gate::run`] raises a
/// call that closing cut short as `InventoryClosed`).
///
/// [`Gate::run`]: crate::gate::Gate::run
pub(crate) fn run_mapped<T: Send>(
    py: Python<'_>,
    call: impl FnOnce() -> core::Result<T> + Send,
    convert: impl FnOnce(core::Error) -> PyErr,
) -> PyResult<T> {
    match py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(call))) {
        Ok(result) => result.map_err(convert),
        Err(payload) => Err(errors::panic_to_py(py, payload.as_ref())),
    }
}

/// Parses an id (or any value the core parses from text); a malformed one is the core's
/// `InvalidInput`.
pub(crate) fn parse<T: FromStr<Err = core::Error>>(py: Python<'_>, text: &str) -> PyResult<T> {
    text.parse().map_err(|e| errors::to_py(py, e))
}

/// Parses every item of an optional iterable of strings (ids, enum members).
pub(crate) fn parse_all<T: FromStr<Err = core::Error>>(
    py: Python<'_>,
    field: &'static str,
    items: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<T>> {
    let Some(items) = items else {
        return Ok(Vec::new());
    };
    if items.is_instance_of::<PyString>() {
        return Err(invalid_type(
            py,
            field,
            "an iterable of strings, not one string",
        ));
    }
    items
        .try_iter()?
        .map(|item| parse(py, item?.extract::<&str>()?))
        .collect()
}

/// Every item of an iterable of strings, as given (a lone string, or an item that is not a
/// string, is an `InvalidInput` naming the field).
pub(crate) fn strings(
    py: Python<'_>,
    field: &'static str,
    items: &Bound<'_, PyAny>,
) -> PyResult<Vec<String>> {
    if items.is_instance_of::<PyString>() {
        return Err(invalid_type(
            py,
            field,
            "an iterable of strings, not one string",
        ));
    }
    items
        .try_iter()
        .map_err(|_| invalid_type(py, field, "an iterable of strings"))?
        .map(|item| {
            item?
                .extract::<String>()
                .map_err(|_| invalid_type(py, field, "an iterable of strings"))
        })
        .collect()
}

fn invalid_type(py: Python<'_>, field: &'static str, expected: &str) -> PyErr {
    errors::invalid(py, field, format!("expected {expected}"))
}

/// A non-negative whole number (a quantity, an order number, a page size). A negative or
/// too-large Python `int` is an `InvalidInput` naming the field (the core then checks the range).
pub(crate) fn whole(
    py: Python<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> PyResult<u64> {
    match value.extract::<u64>() {
        Ok(n) => Ok(n),
        Err(cause) if value.is_instance_of::<PyInt>() => {
            let reason = if value.lt(0)? {
                format!("{value} is negative")
            } else {
                format!("{value} is too large")
            };
            let err = errors::invalid(py, field, reason);
            err.set_cause(py, Some(cause));
            Err(err)
        }
        Err(e) => Err(e),
    }
}

/// [`whole`] for an optional argument.
pub(crate) fn whole_opt(
    py: Python<'_>,
    field: &'static str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<u64>> {
    value.map(|v| whole(py, field, v)).transpose()
}

/// [`whole`] for a page size or count.
pub(crate) fn size(
    py: Python<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> PyResult<usize> {
    let n = whole(py, field, value)?;
    usize::try_from(n).map_err(|_| errors::invalid(py, field, format!("{n} is too large")))
}

/// [`whole`] for a figure the core keeps as `u32` (days, seconds, devices, borrows).
pub(crate) fn whole_u32(
    py: Python<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> PyResult<u32> {
    let n = whole(py, field, value)?;
    u32::try_from(n).map_err(|_| errors::invalid(py, field, format!("{n} is too large")))
}

/// A mapping of strings to strings (any `collections.abc.Mapping`, e.g. a `dict`).
pub(crate) fn string_map(
    py: Python<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> PyResult<BTreeMap<String, String>> {
    if value.is_instance_of::<PyString>() {
        return Err(invalid_type(py, field, "a mapping of strings to strings"));
    }
    value
        .call_method0("items")?
        .try_iter()?
        .map(|item| item?.extract::<(String, String)>())
        .collect()
}

/// A timezone-aware `datetime` (any offset) as UTC. A naive one is refused: it is ambiguous.
pub(crate) fn utc(
    py: Python<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> PyResult<DateTime<Utc>> {
    let dt = value.cast::<PyDateTime>()?;
    if dt.get_tzinfo().is_none() {
        return Err(errors::invalid(
            py,
            field,
            "a naive datetime is ambiguous: give it a tzinfo (e.g. datetime.timezone.utc)",
        ));
    }
    dt.call_method1("astimezone", (PyTzInfo::utc(py)?,))?
        .extract::<DateTime<Utc>>()
}

/// [`utc`] for an optional argument.
pub(crate) fn utc_opt(
    py: Python<'_>,
    field: &'static str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<DateTime<Utc>>> {
    value.map(|v| utc(py, field, v)).transpose()
}

// --- enums: the Python classes live in license_inventory._enums --------------------------------

const ENUMS: &str = "license_inventory._enums";

/// A fieldless core enum whose Python class lives in `license_inventory._enums`; implemented
/// by `build.rs` from the table (an exhaustive match onto the member names).
pub(crate) trait PyEnum {
    /// The Python class's name (`Tier`).
    const CLASS: &'static str;
    /// The cached Python class.
    fn class() -> &'static PyOnceLock<Py<PyType>>;
    /// The member's name (`RESELLER`).
    fn member_name(&self) -> &'static str;
    /// The Python member (`Tier.RESELLER`).
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Self::class()
            .import(py, ENUMS, Self::CLASS)?
            .getattr(self.member_name())
    }
    /// How a `__repr__` names the member: `Tier.RESELLER`.
    fn py_repr(&self) -> String {
        format!("{}.{}", Self::CLASS, self.member_name())
    }
}

static VALIDITY_KIND: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `ValidityKind` member, by its value.
pub(crate) fn validity_kind<'py>(py: Python<'py>, value: &str) -> PyResult<Bound<'py, PyAny>> {
    VALIDITY_KIND
        .import(py, ENUMS, "ValidityKind")?
        .call1((value,))
}

/// Python's `repr` of a string, for `__repr__`s that read like Python.
pub(crate) fn repr(py: Python<'_>, text: &str) -> String {
    PyString::new(py, text)
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| format!("{text:?}"))
}

/// Python's `repr` of an optional string.
pub(crate) fn repr_opt(py: Python<'_>, text: Option<&str>) -> String {
    text.map_or_else(|| "None".to_owned(), |t| repr(py, t))
}

/// Python's `repr` of a text map: `{'k': 'v'}`.
pub(crate) fn repr_map(py: Python<'_>, map: &BTreeMap<String, String>) -> String {
    let items: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{}: {}", repr(py, k), repr(py, v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// Python's `repr` of a list of enum members: `[Permission.RESET_DEVICE, …]`.
pub(crate) fn repr_members<'a, T: PyEnum + 'a>(items: impl IntoIterator<Item = &'a T>) -> String {
    let items: Vec<String> = items.into_iter().map(PyEnum::py_repr).collect();
    format!("[{}]", items.join(", "))
}

/// Python's `True` / `False`.
pub(crate) fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}
