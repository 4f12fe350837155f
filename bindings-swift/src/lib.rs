//! Swift binding of `license-inventory`, through uniffi proc-macros.
//!
//! Thin by design: [`Inventory`] and [`Session`] are handles over the core's types, the value
//! types of [`types`] (most generated into [`records`] from the bindings' table) are Swift structs and enums converted with `From`, and every core error is
//! converted in one place ([`InventoryError`]'s `From<license_inventory::Error>`) into a Swift
//! `enum InventoryError: Error` with associated values. No domain rule lives here.
//!
//! The Swift package (Package.swift, Sources/, Tests/) sits beside this crate; the Swift sources
//! are generated from this library by `scripts/test-swift.sh` with the crate's own
//! `uniffi-bindgen` binary.

// uniffi's scaffolding (the `extern "C"` functions it generates) is unsafe FFI glue; this crate's
// own code contains no `unsafe`.
#![allow(unsafe_code)]

uniffi::setup_scaffolding!();

mod error;
mod handles;
pub mod records;
pub mod types;

pub use error::{Action, Entity, InventoryError, Result};
pub use handles::{Inventory, Session};

/// The version of this binding (and of the core it was built with).
#[uniffi::export]
pub fn binding_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
