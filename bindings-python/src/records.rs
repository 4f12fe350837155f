//! The records and enums of the table (`license-inventory-bindings-schema`), expanded by
//! `build.rs`: a frozen newtype class per core record (`Order(core::Order)`) whose getters
//! convert each field (ids to `str`, times to aware UTC `datetime`, enums to the members of
//! `license_inventory._enums`, records to their class, lists to `list`, text maps to `dict`),
//! with `__repr__`, `__eq__` and, for the records Python passes back, a constructor; the enums'
//! conversions ([`PyEnum`](crate::convert::PyEnum)); the limits as module constants.
//!
//! `_enums.py` and the generated blocks of `_native.pyi` come from the same table; the tests
//! below fail when the committed files differ (`LICENSE_INVENTORY_BLESS=1` rewrites them).

#![allow(
    // Generated getters clone every field the same way, `Copy` records included.
    clippy::clone_on_copy
)]

use license_inventory as core;
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

use crate::convert::{self as cv, PyEnum};
use crate::values::Validity;

include!(concat!(env!("OUT_DIR"), "/records.rs"));

#[cfg(test)]
#[allow(clippy::panic)] // a failed check is a test failure
mod tests {
    use std::path::Path;

    const BEGIN: &str = "# BEGIN GENERATED";
    const END: &str = "# END GENERATED";

    /// Compares a committed file with what the table makes of it; rewrites it under
    /// `LICENSE_INVENTORY_BLESS=1`.
    fn check(path: &str, expected: &str) {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let actual = std::fs::read_to_string(&file).unwrap_or_default();
        if actual == expected {
            return;
        }
        if std::env::var_os("LICENSE_INVENTORY_BLESS").is_some() {
            if let Err(e) = std::fs::write(&file, expected) {
                panic!("cannot write {}: {e}", file.display());
            }
            return;
        }
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
        panic!(
            "{path} differs from what the table of bindings-schema generates (first at line {}).\n\
             It is generated: do not edit it by hand. Rewrite it with\n    \
             LICENSE_INVENTORY_BLESS=1 cargo test -p license-inventory-python --lib\n\
             expected: {:?}\n\
             found:    {:?}",
            line + 1,
            expected.lines().nth(line).unwrap_or("<end of file>"),
            actual.lines().nth(line).unwrap_or("<end of file>"),
        );
    }

    /// `text` with the body of its block `# BEGIN GENERATED <name>` replaced by `body`.
    fn with_block(text: &str, name: &str, body: &str) -> String {
        let begin = format!("{BEGIN} {name}");
        let Some(start) = text.find(&begin) else {
            panic!("_native.pyi has no line `{begin}`");
        };
        let after = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        let Some(end) = text[after..].find(END) else {
            panic!("_native.pyi: `{begin}` has no `{END}`");
        };
        format!("{}{body}{}", &text[..after], &text[after + end..])
    }

    #[test]
    fn enums_py_is_generated_from_the_table() {
        check(
            "python/license_inventory/_enums.py",
            include_str!(concat!(env!("OUT_DIR"), "/_enums.py")),
        );
    }

    #[test]
    fn native_pyi_blocks_are_generated_from_the_table() {
        let path = "python/license_inventory/_native.pyi";
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let text = with_block(
            &text,
            "limits",
            include_str!(concat!(env!("OUT_DIR"), "/limits.pyi")),
        );
        let text = with_block(
            &text,
            "records",
            include_str!(concat!(env!("OUT_DIR"), "/records.pyi")),
        );
        check(path, &text);
    }

    /// The table's wire names are the core's `as_str` names (what `_enums.py` values are).
    #[test]
    fn wire_names_are_the_cores() {
        for (table, core) in super::wire_names() {
            assert_eq!(table, core);
        }
    }
}
