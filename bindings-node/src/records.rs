//! The records and string unions of the bindings table (`bindings-schema`), expanded by
//! `build.rs`: one `#[napi(object)]` struct per core record, with `From` the core's (and
//! `into_core` for the records taken back), one string union per core enum with the core's
//! `as_str` names, and the core's input limits as exported constants. See `build.rs` for
//! the mapping of each kind of field.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use license_inventory as li;
use napi_derive::napi;

use crate::convert::{self as cv, Validity};

include!(concat!(env!("OUT_DIR"), "/records.rs"));

/// The records, enums and limits as `index.d.ts` should declare them (JSON), for
/// `__test__/dts.test.mjs`; not part of the typed API.
#[napi(js_name = "__bindingTable", skip_typescript)]
#[cfg_attr(test, allow(dead_code))]
pub fn binding_table() -> String {
    TABLE_JSON.to_owned()
}
