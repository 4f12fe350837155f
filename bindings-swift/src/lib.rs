//! Swift binding of `license-inventory`, through uniffi proc-macros.
//!
//! Thin by design: [`Inventory`] and [`Session`] are handles over the core's types, the value
//! types of [`types`] (most generated into [`records`] from the bindings' table) are Swift structs and enums converted with `From`, and every core error is
//! converted in one place ([`InventoryError`]'s `From<license_inventory::Error>`) into a Swift
//! `enum InventoryError: Error` with associated values. No domain rule lives here. Store calls
//! are `async` in Swift and run on this crate's own threads (module `background`).
//!
//! The Swift package (Package.swift, Sources/, Tests/) sits beside this crate; the Swift sources
//! are generated from this library by `scripts/test-swift.sh` with the crate's own
//! `uniffi-bindgen` binary.

// uniffi's scaffolding (the `extern "C"` functions it generates) is unsafe FFI glue; this crate's
// own code contains no `unsafe`.
#![allow(unsafe_code)]

uniffi::setup_scaffolding!();

pub(crate) mod background;
mod error;
mod handles;
pub mod records;
pub mod types;

pub use error::{Action, Entity, InventoryError, Result};
pub use handles::{Inventory, Session};

/// A new random Ed25519 signing key for checkpoints: 64 hex digits (its 32 secret bytes). Keep
/// it outside the database.
#[uniffi::export]
pub fn generate_signing_key() -> Result<String> {
    error::guard(|| {
        Ok(license_inventory::to_hex(
            &license_inventory::generate_signing_key()?.to_bytes(),
        ))
    })
}

/// The verifying (public) key of a signing key, both 64 hex digits.
#[uniffi::export]
pub fn verifying_key(signing_key: String) -> Result<String> {
    error::guard(|| {
        let key = license_inventory::signing_key_from_hex(&signing_key)?;
        Ok(license_inventory::to_hex(&key.verifying_key().to_bytes()))
    })
}

/// The version of this binding (and of the core it was built with).
#[uniffi::export]
pub fn binding_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
