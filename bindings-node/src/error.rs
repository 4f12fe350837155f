//! The one conversion from the core [`Error`](li::Error) to a JavaScript `Error`.
//!
//! The JS error keeps the core's message, carries the stable `code` of
//! [`li::Error::code`] (`INSUFFICIENT_INVENTORY`, `PERMISSION_DENIED`, …) and the variant's
//! structured figures as camelCase properties (`err.available`, `err.requested`, `err.action`,
//! …). A source error (SQLite, a corrupt row) becomes `err.cause`, recursively.

use license_inventory as li;
use napi::bindgen_prelude::{JsObjectValue, Object};
use napi::{Env, JsValue};

/// The code of a rejection that is not a core error: a panic caught at the FFI boundary.
pub(crate) const PANIC_CODE: &str = "INTERNAL_PANIC";

/// The code of a call on an inventory (or one of its sessions) after `close()`.
pub(crate) const CLOSED_CODE: &str = "CLOSED";

/// The message of a call after `close()`.
pub(crate) const CLOSED_MESSAGE: &str = "the inventory is closed: close() was called on it, so it and its sessions can no longer be used (open the store again)";

/// Why a task failed.
pub(crate) enum Failure {
    /// The core refused or failed.
    Core(li::Error),
    /// The core panicked (a bug); caught so that no panic crosses the FFI boundary.
    Panic(String),
    /// The inventory was closed before the call.
    Closed,
}

/// Builds the JS `Error` for `failure` (the single conversion point of the binding).
pub(crate) fn to_js_error(env: &Env, failure: &Failure) -> napi::Result<napi::Error> {
    let err = match failure {
        Failure::Core(err) => core_error(env, err)?,
        Failure::Panic(message) => {
            let mut obj = plain_error(env, &format!("internal error (panic): {message}"))?;
            obj.set_named_property("code", PANIC_CODE)?;
            obj
        }
        Failure::Closed => {
            let mut obj = plain_error(env, CLOSED_MESSAGE)?;
            obj.set_named_property("code", CLOSED_CODE)?;
            obj
        }
    };
    Ok(napi::Error::from(err.to_unknown()))
}

/// The JS `Error` a synchronous method throws for a core error (the same conversion as a
/// rejected Promise's).
pub(crate) fn throw_core(env: &Env, err: li::Error) -> napi::Error {
    to_js_error(env, &Failure::Core(err)).unwrap_or_else(|failed| failed)
}

/// The JS `Error` a synchronous method throws after `close()` (code `CLOSED`).
pub(crate) fn closed(env: &Env) -> napi::Error {
    to_js_error(env, &Failure::Closed).unwrap_or_else(|failed| failed)
}

/// A JS `Error` with `message` and no `code` (napi's own `GenericFailure` code is removed).
fn plain_error<'env>(env: &'env Env, message: &str) -> napi::Result<Object<'env>> {
    let mut obj = env.create_error(napi::Error::from_reason(message))?;
    obj.delete_named_property("code")?;
    Ok(obj)
}

/// The JS `Error` of a core error. A failed batch command ([`li::Error::InBatch`]) becomes the
/// command's own error (its code and properties) with the batch's message and `batchIndex`.
fn core_error<'env>(env: &'env Env, outer: &li::Error) -> napi::Result<Object<'env>> {
    use li::Error as E;
    let err = outer.command_error();
    let mut obj = plain_error(env, &outer.to_string())?;
    obj.set_named_property("code", err.code())?;
    if let Some(index) = outer.batch_index() {
        obj.set_named_property("batchIndex", crate::convert::num(index as u64))?;
    }
    // Every refusal names who attempted what (docs/decisions.md §50).
    if let Some(action) = err.action() {
        obj.set_named_property("action", action.as_str())?;
    }
    if let Some(actor) = err.actor() {
        obj.set_named_property("actor", actor.to_string())?;
    }
    match err {
        E::InvalidInput { field, reason, .. } => {
            obj.set_named_property("field", *field)?;
            obj.set_named_property("reason", reason.as_str())?;
        }
        E::NotFound { entity, id, .. } => {
            obj.set_named_property("entity", entity.as_str())?;
            obj.set_named_property("id", id.as_str())?;
        }
        E::PermissionDenied {
            action,
            actor,
            reason,
        } => {
            obj.set_named_property("action", action.as_str())?;
            obj.set_named_property("actor", actor.to_string())?;
            obj.set_named_property("reason", reason.as_str())?;
        }
        E::InsufficientInventory {
            available,
            requested,
            ..
        } => {
            obj.set_named_property("available", crate::convert::num(*available))?;
            obj.set_named_property("requested", crate::convert::num(*requested))?;
        }
        E::InvalidState {
            order,
            status,
            action,
            ..
        } => {
            obj.set_named_property("orderNumber", crate::convert::num(order.get()))?;
            obj.set_named_property("status", status.as_str())?;
            obj.set_named_property("action", action.as_str())?;
        }
        E::Hierarchy { reason, .. } => {
            obj.set_named_property("reason", reason.as_str())?;
        }
        E::Conflict { what, .. } => {
            obj.set_named_property("what", what.as_str())?;
        }
        E::SchemaMismatch {
            found,
            supported,
            hint,
        } => {
            // Schema versions are small integers: exact as JS numbers.
            obj.set_named_property("found", *found as f64)?;
            obj.set_named_property("supported", *supported as f64)?;
            obj.set_named_property("hint", *hint)?;
        }
        E::InvariantViolated(detail) => {
            obj.set_named_property("detail", detail.as_str())?;
        }
        E::MistypedKey { key, reason, .. } | E::LicenseUnusable { key, reason, .. } => {
            obj.set_named_property("key", key.as_str())?;
            obj.set_named_property("reason", reason.as_str())?;
        }
        E::ActivationLimit { max, .. } => {
            obj.set_named_property("max", f64::from(*max))?;
        }
        E::BorrowLimit { reason, .. } => {
            obj.set_named_property("reason", reason.as_str())?;
        }
        E::PlanRequired { permission, .. } => {
            obj.set_named_property("permission", permission.as_str())?;
        }
        E::OrderInUse {
            order, children, ..
        } => {
            obj.set_named_property("orderNumber", crate::convert::num(order.get()))?;
            let children: Vec<f64> = children
                .iter()
                .map(|c| crate::convert::num(c.get()))
                .collect();
            obj.set_named_property("children", children)?;
        }
        // The core's other invariant failures (a bad JSON column, a write in a read
        // transaction) share the code, and so the `detail` the type promises.
        other if other.code() == "INVARIANT_VIOLATED" => {
            obj.set_named_property("detail", other.to_string())?;
        }
        // Storage, export, randomness and hashing failures carry their source as `cause`
        // (below); variants added to the core later still get their message and code.
        _ => {}
    }
    if let Some(source) = std::error::Error::source(err) {
        let cause = source_error(env, source)?;
        obj.set_named_property("cause", cause)?;
    }
    Ok(obj)
}

/// A plain JS `Error` for a source error, with its own source as `cause`.
fn source_error<'env>(
    env: &'env Env,
    err: &(dyn std::error::Error + 'static),
) -> napi::Result<Object<'env>> {
    let mut obj = plain_error(env, &err.to_string())?;
    if let Some(source) = err.source() {
        let cause = source_error(env, source)?;
        obj.set_named_property("cause", cause)?;
    }
    Ok(obj)
}
