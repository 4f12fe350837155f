//! Python binding of `license-inventory`: the extension module `license_inventory._native`.
//!
//! Thin by design (STYLE.md, convention 3): newtype handles over the core's [`Inventory`] and
//! [`Session`] and frozen value classes over its records, which only convert and delegate. The
//! enums (`Tier`, `OrderStatus`, …) and the exception hierarchy (`InventoryError` …) are plain
//! Python, in `python/license_inventory/`; [`errors::to_py`] is the one conversion of the
//! core's `Error` into them. Every call into the store releases the GIL ([`convert::run`]);
//! `Inventory.close()` releases the store through the gate its handles share (`gate.rs`).
//!
//! [`Inventory`]: license_inventory::Inventory
//! [`Session`]: license_inventory::Session

use license_inventory as core;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

mod convert;
mod errors;
mod gate;
mod inventory;
mod records;
mod values;

/// The version of the native module (the crate version).
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The status as the seed's tables print it ("Active", "Requested", …).
#[pyfunction]
fn order_status_label(py: Python<'_>, status: &str) -> PyResult<&'static str> {
    convert::parse::<core::OrderStatus>(py, status).map(core::OrderStatus::label)
}

/// True for the permissions only the enterprise plan may grant or use.
#[pyfunction]
fn permission_enterprise_only(py: Python<'_>, permission: &str) -> PyResult<bool> {
    convert::parse::<core::Permission>(py, permission).map(core::Permission::enterprise_only)
}

/// A new random Ed25519 signing key for checkpoints: 64 hex digits (its 32 secret bytes). Keep
/// it outside the database.
#[pyfunction]
fn generate_signing_key(py: Python<'_>) -> PyResult<String> {
    convert::run(py, || {
        core::generate_signing_key().map(|k| core::to_hex(&k.to_bytes()))
    })
}

/// The verifying (public) key of a signing key, both 64 hex digits.
#[pyfunction]
fn verifying_key(py: Python<'_>, signing_key: &str) -> PyResult<String> {
    convert::run(py, || {
        core::signing_key_from_hex(signing_key).map(|k| core::to_hex(&k.verifying_key().to_bytes()))
    })
}

/// The extension module `license_inventory._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(order_status_label, m)?)?;
    m.add_function(wrap_pyfunction!(permission_enterprise_only, m)?)?;
    m.add_function(wrap_pyfunction!(generate_signing_key, m)?)?;
    m.add_function(wrap_pyfunction!(verifying_key, m)?)?;
    m.add_class::<inventory::Inventory>()?;
    m.add_class::<inventory::Session>()?;
    m.add_class::<values::Page>()?;
    m.add_class::<values::OrgPage>()?;
    m.add_class::<values::OrgTreePage>()?;
    m.add_class::<values::UserPage>()?;
    m.add_class::<values::ProductPage>()?;
    m.add_class::<values::BundlePage>()?;
    m.add_class::<values::Validity>()?;
    records::add_records(m)?;
    m.add_class::<values::BatchCommand>()?;
    records::add_limits(m)?;
    m.add("GENESIS_HASH", core::GENESIS_HASH)?;
    m.add("ORDER_COLUMNS", PyTuple::new(m.py(), core::ORDER_COLUMNS)?)?;
    m.add(
        "INVENTORY_COLUMNS",
        PyTuple::new(m.py(), core::INVENTORY_COLUMNS)?,
    )?;
    Ok(())
}
