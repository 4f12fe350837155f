//! The one conversion of the core's [`Error`] into the Python exception hierarchy of
//! `license_inventory._errors` (`InventoryError` and its subclasses).

use license_inventory::{Error, StorageError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::PyEnum;

/// The Python module that defines the exception classes.
const ERRORS: &str = "license_inventory._errors";

/// Converts a core error into the matching `InventoryError` subclass, with the core's `code()`,
/// its message and the variant's fields as attributes. If the exception cannot be built (the
/// Python package is broken), the failure to build it is raised instead.
///
/// A failed batch command ([`Error::InBatch`]) becomes the exception of the command's own error,
/// with the batch's message and its position as `batch_index` (`None` on every other error).
pub(crate) fn to_py(py: Python<'_>, err: Error) -> PyErr {
    let message = err.to_string();
    build(py, err.command_error(), message, err.batch_index()).unwrap_or_else(|failure| failure)
}

fn build(
    py: Python<'_>,
    err: &Error,
    message: String,
    batch_index: Option<usize>,
) -> PyResult<PyErr> {
    let kw = PyDict::new(py);
    kw.set_item("code", err.code())?;
    let class = match err {
        Error::InvalidInput { field, reason, .. } => {
            kw.set_item("field", field)?;
            kw.set_item("reason", reason)?;
            "InvalidInput"
        }
        Error::NotFound { entity, id, .. } => {
            kw.set_item("entity", entity.as_str())?;
            kw.set_item("id", id)?;
            "NotFound"
        }
        Error::PermissionDenied {
            action,
            actor,
            reason,
        } => {
            kw.set_item("action", action.as_str())?;
            kw.set_item("actor", actor.to_string())?;
            kw.set_item("reason", reason)?;
            "PermissionDenied"
        }
        Error::InsufficientInventory {
            available,
            requested,
            ..
        } => {
            kw.set_item("available", available)?;
            kw.set_item("requested", requested)?;
            "InsufficientInventory"
        }
        Error::InvalidState {
            order,
            status,
            action,
            ..
        } => {
            kw.set_item("order_number", order.get())?;
            kw.set_item("status", status.to_py(py)?)?;
            kw.set_item("action", action.as_str())?;
            "InvalidState"
        }
        Error::Hierarchy { reason, .. } => {
            kw.set_item("reason", reason)?;
            "HierarchyViolation"
        }
        Error::Conflict { what, .. } => {
            kw.set_item("what", what)?;
            "Conflict"
        }
        Error::SchemaMismatch {
            found,
            supported,
            hint,
        } => {
            kw.set_item("found", found)?;
            kw.set_item("supported", supported)?;
            kw.set_item("hint", hint)?;
            "SchemaMismatch"
        }
        Error::MistypedKey { key, reason, .. } => {
            kw.set_item("key", key)?;
            kw.set_item("reason", reason)?;
            "MistypedKey"
        }
        Error::ActivationLimit { max, .. } => {
            kw.set_item("max", max)?;
            "ActivationLimit"
        }
        Error::BorrowLimit { reason, .. } => {
            kw.set_item("reason", reason)?;
            "BorrowLimit"
        }
        Error::LicenseUnusable { key, reason, .. } => {
            kw.set_item("key", key)?;
            kw.set_item("reason", reason)?;
            "LicenseUnusable"
        }
        Error::PlanRequired { permission, .. } => {
            kw.set_item("permission", permission.to_py(py)?)?;
            "PlanRequired"
        }
        Error::OrderInUse {
            order, children, ..
        } => {
            kw.set_item("order_number", order.get())?;
            let children: Vec<u64> = children.iter().map(|c| c.get()).collect();
            kw.set_item("children", children)?;
            "OrderInUse"
        }
        Error::Export(source) => {
            kw.set_item("detail", with_causes(source))?;
            "ExportFailed"
        }
        Error::InvariantViolated(reason) => {
            kw.set_item("reason", reason)?;
            "InvariantViolated"
        }
        Error::Storage(source) => {
            let (kind, table) = match source {
                StorageError::Sqlite(_) => ("sqlite", None),
                StorageError::Postgres(_) | StorageError::PostgresDriver(_) => ("postgres", None),
                StorageError::Corrupt { table, .. } => ("corrupt", Some(*table)),
                StorageError::Poisoned => ("poisoned", None),
                StorageError::PoolExhausted { .. } => ("pool_exhausted", None),
                StorageError::RowCount { table, .. } => ("row_count", Some(*table)),
                StorageError::GroupAborted { .. } => ("group_aborted", None),
                _ => ("other", None),
            };
            kw.set_item("kind", kind)?;
            kw.set_item("table", table)?;
            kw.set_item("detail", with_causes(source))?;
            "StorageError"
        }
        // A variant added to the core later still arrives typed by its code, under the base class.
        _ => "InventoryError",
    };
    let exc = py
        .import(ERRORS)?
        .getattr(class)?
        .call((message,), Some(&kw))?;
    // Every refusal names who attempted what (docs/decisions.md §50).
    if let Some(action) = err.action() {
        exc.setattr("action", action.as_str())?;
    }
    if let Some(actor) = err.actor() {
        exc.setattr("actor", actor.to_string())?;
    }
    if let Some(index) = batch_index {
        exc.setattr("batch_index", index)?;
    }
    Ok(PyErr::from_value(exc))
}

/// `error` and each of its sources, joined with `: `: the driver's own words (the core's
/// storage and export errors keep them as their source, not in their own message).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// An `InvalidInput` raised by the binding itself, for a Python value that has no core
/// equivalent (a naive datetime, a negative integer): the same class the core's own
/// `Error::InvalidInput` becomes.
pub(crate) fn invalid(py: Python<'_>, field: &'static str, reason: impl Into<String>) -> PyErr {
    to_py(
        py,
        Error::InvalidInput {
            field,
            reason: reason.into(),
            attempt: None,
        },
    )
}

/// The `InventoryClosed` (code `CLOSED`) raised by every call on a closed inventory or its
/// sessions; if it cannot be built (the Python package is broken), the failure to build it is
/// raised instead.
pub(crate) fn closed(py: Python<'_>) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let exc = py.import(ERRORS)?.getattr("InventoryClosed")?.call1((
            "the inventory is closed (Inventory.close()): nothing was done; open the store again to use it",
        ))?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|failure| failure)
}

/// The `InternalError` (code `INTERNAL_PANIC`) for a panic caught at the boundary; if it cannot
/// be built (the Python package is broken), the failure to build it is raised instead.
pub(crate) fn panic_to_py(py: Python<'_>, payload: &(dyn std::any::Any + Send)) -> PyErr {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    let message = format!(
        "internal error (a bug, please report it): the library panicked: {detail}; nothing was changed"
    );
    let build = || -> PyResult<PyErr> {
        let kw = PyDict::new(py);
        kw.set_item("code", "INTERNAL_PANIC")?;
        kw.set_item("detail", &detail)?;
        let exc = py
            .import(ERRORS)?
            .getattr("InternalError")?
            .call((message.as_str(),), Some(&kw))?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|failure| failure)
}
