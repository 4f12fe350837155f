//! The records and enums of the table (`license-inventory-bindings-schema`), expanded by
//! `build.rs` into uniffi Records (Swift structs) and Enums (Swift enums) with their `From`
//! conversions, and the core's limits as exported functions (`maxQuantity()`, …).
//!
//! Nothing here is written by hand: a field is added to a core record and to the table, and it
//! appears in Swift. A core field missing from the table fails to compile (the conversions
//! destructure the core struct without `..`).

include!(concat!(env!("OUT_DIR"), "/records.rs"));
