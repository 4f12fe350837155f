//! Expands the one table of exported records and enums (`license-inventory-bindings-schema`)
//! into the Python binding's idiom. Writes into `OUT_DIR`:
//!
//! - `records.rs`: one frozen `#[pyclass]` newtype per record (`pub struct Order(pub
//!   core::Order)`) with a `#[getter]` per field, `__repr__`, `__eq__`, a constructor for the
//!   records Python passes back (`Customer(...)`, …), `repr_of` (which destructures the core
//!   struct without `..`: a core field missing from the table fails to compile), the enums'
//!   conversions into the `license_inventory._enums` members (exhaustive matches), the module
//!   constants of the limits, and `add_records` / `add_limits` for the module init;
//! - `_enums.py`, and the generated blocks of `_native.pyi` (`records.pyi`, `limits.pyi`): the
//!   committed files must equal them (`src/records.rs` tests it; `LICENSE_INVENTORY_BLESS=1`
//!   rewrites them).
//!
//! Python's own choices live here, next to the expander: which fields a `__repr__` shows
//! (`PY_RECORDS`), which records hash and take keyword-only defaults, and the hand-written
//! Python of `_enums.py` (`ValidityKind`, properties).

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

use license_inventory_bindings_schema::{
    Direction, ENUMS, Field, Kind, LIMITS, Lang, RECORDS, Record, Source, doc, doc_attrs,
};

type Res<T> = Result<T, Box<dyn Error>>;

/// Python's choices for one record.
struct PyRecord {
    name: &'static str,
    /// What `__repr__` shows, in order (`label=path` where the label differs); `None`: every
    /// field. A list of enums shows its members, another list its length.
    repr: Option<&'static [&'static str]>,
    /// `__hash__` too (immutable values used as keys: policies).
    hash: bool,
    /// The constructor takes every field as an optional keyword; left out, the core's
    /// `Default` (`LicensePolicy()`).
    defaulted: bool,
}

const fn py(name: &'static str, repr: Option<&'static [&'static str]>) -> PyRecord {
    PyRecord {
        name,
        repr,
        hash: false,
        defaulted: false,
    }
}

/// The `__repr__` of each record as it was written by hand before the table (tests read them).
#[rustfmt::skip]
const PY_RECORDS: &[PyRecord] = &[
    py("Tenant", Some(&["id", "name", "plan", "minted", "retired", "next_order_number"])),
    py("Organization", Some(&["id", "name", "tier", "parent", "active"])),
    py("User", Some(&["id", "name", "email"])),
    py("Product", Some(&["id", "code", "name", "kind"])),
    py("Order", Some(&["number", "status", "purchase_order", "requested_quantity", "approved_quantity", "drawn", "issued", "available", "id"])),
    py("OrderDetails", Some(&["number=order.number", "product_name", "status=order.status", "holder_name", "source_name", "requested_by_name", "approved_by_name", "available=order.available"])),
    py("SummaryLine", Some(&["product_name", "held", "available", "pending_requests", "pending_units", "incoming_requests", "incoming_units"])),
    py("UseLine", Some(&["order_number", "purchase_order", "quantity", "at", "requested_by_org", "approved_by_org", "approved_by_user"])),
    py("InventoryUse", Some(&["order_number=order.order.number", "draws"])),
    py("Movement", Some(&["order", "approved", "drawn", "issued", "available"])),
    py("LedgerEntry", Some(&["seq", "kind", "at", "actor", "minted", "movements"])),
    py("Audit", Some(&["orders", "ledger_entries", "minted", "retired", "available", "issued", "problems"])),
    PyRecord { hash: true, ..py("Floating", None) },
    PyRecord { hash: true, defaulted: true, ..py("LicensePolicy", Some(&["max_activations", "validity", "floating", "trial"])) },
    py("Bundle", Some(&["id", "name", "lines"])),
    py("License", Some(&["key", "status", "is_code", "activations", "borrows", "id"])),
    py("Issued", Some(&["count", "first", "last"])),
    py("LicenseUser", Some(&["email", "name", "has_password", "id"])),
    py("LicenseManager", Some(&["user", "order", "permissions"])),
    py("OrderDigest", Some(&["number", "product_name", "requested_quantity", "approved_quantity"])),
    py("Notification", Some(&["kind", "email", "subject", "id"])),
    py("OrderFigures", Some(&["order", "approved", "drawn", "issued", "available"])),
];

/// The enums Python exports: not the table's `open` ones (`#[non_exhaustive]` in the core, so
/// no exhaustive match from here), which the errors carry as `str` (`PermissionDenied.action`,
/// `NotFound.entity`).
fn enums() -> impl Iterator<Item = &'static license_inventory_bindings_schema::Enum> {
    ENUMS.iter().filter(|e| !e.open)
}

fn py_record(name: &str) -> Option<&'static PyRecord> {
    PY_RECORDS.iter().find(|p| p.name == name)
}

fn main() -> Res<()> {
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("records.rs"), rust()?)?;
    std::fs::write(out.join("_enums.py"), enums_py())?;
    std::fs::write(out.join("records.pyi"), records_pyi()?)?;
    std::fs::write(out.join("limits.pyi"), limits_pyi())?;
    Ok(())
}

fn record(name: &str) -> Res<&'static Record> {
    RECORDS
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| format!("no record {name} in the table").into())
}

// --- Rust ------------------------------------------------------------------------------------

fn rust() -> Res<String> {
    let mut s = String::new();
    s.push_str("// Generated by bindings-python/build.rs from the table of bindings-schema. Do not edit.\n\n");
    for r in RECORDS {
        record_rs(&mut s, r)?;
    }
    for e in enums() {
        writeln!(s, "impl PyEnum for core::{} {{", e.name)?;
        writeln!(s, "    const CLASS: &'static str = {:?};", e.name)?;
        s.push_str("    fn class() -> &'static PyOnceLock<Py<PyType>> {\n        static TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();\n        &TYPE\n    }\n");
        s.push_str("    fn member_name(&self) -> &'static str {\n        match self {\n");
        for v in e.variants {
            writeln!(
                s,
                "            core::{}::{} => {:?},",
                e.name,
                v.name,
                v.screaming()
            )?;
        }
        s.push_str("        }\n    }\n}\n\n");
    }
    // The add functions and the wire-name test.
    s.push_str("/// Adds every record class of the table to the module.\npub(crate) fn add_records(m: &Bound<'_, PyModule>) -> PyResult<()> {\n");
    for r in RECORDS {
        writeln!(s, "    m.add_class::<{}>()?;", r.name)?;
    }
    s.push_str("    Ok(())\n}\n\n");
    s.push_str("/// Adds every limit of the table as a module constant.\npub(crate) fn add_limits(m: &Bound<'_, PyModule>) -> PyResult<()> {\n");
    for l in LIMITS {
        writeln!(s, "    m.add({:?}, core::{})?;", l.name, l.name)?;
    }
    s.push_str("    Ok(())\n}\n\n");
    s.push_str("/// Every variant of every enum, with the table's wire name (`as_str`).\n#[cfg(test)]\npub(crate) fn wire_names() -> Vec<(&'static str, String)> {\n    vec![\n");
    for e in enums() {
        for v in e.variants {
            writeln!(
                s,
                "        ({:?}, core::{}::{}.as_str().to_owned()),",
                v.snake(),
                e.name,
                v.name
            )?;
        }
    }
    s.push_str("    ]\n}\n");
    Ok(s)
}

fn record_rs(s: &mut String, r: &Record) -> Res<()> {
    let p = py_record(r.name);
    let hash = p.is_some_and(|p| p.hash);
    let both = r.direction == Direction::Both;
    s.push_str(&doc_attrs(r.doc, Lang::Python, ""));
    let mut attrs = String::from("frozen, eq");
    if hash {
        attrs.push_str(", hash");
    }
    if both {
        attrs.push_str(", from_py_object");
    }
    writeln!(
        s,
        "#[pyclass({attrs}, module = \"license_inventory._native\")]"
    )?;
    writeln!(
        s,
        "#[derive(Clone, PartialEq{})]",
        if hash { ", Eq, Hash" } else { "" }
    )?;
    writeln!(s, "pub struct {}(pub core::{});\n", r.name, r.core)?;
    writeln!(s, "#[pymethods]\nimpl {} {{", r.name)?;
    if both {
        constructor(s, r, p.is_some_and(|p| p.defaulted))?;
    }
    for &Field {
        name,
        kind,
        source,
        doc: fdoc,
    } in r.fields
    {
        s.push_str(&doc_attrs(fdoc, Lang::Python, "    "));
        writeln!(
            s,
            "    #[getter]\n    fn {name}<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {{"
        )?;
        match source {
            Source::Field => writeln!(s, "        let v = &self.0.{name};")?,
            Source::Method(m) => writeln!(s, "        let v = &self.0.{m}();")?,
        }
        let (code, fallible) = to_py(&kind, "v");
        let q = if fallible { "?" } else { "" };
        writeln!(s, "        {code}{q}.into_bound_py_any(py)\n    }}")?;
    }
    writeln!(
        s,
        "    fn __repr__(&self, py: Python<'_>) -> String {{\n        Self::repr_of(py, &self.0)\n    }}\n}}\n"
    )?;
    repr_of(s, r, p)?;
    Ok(())
}

/// `Customer(name, *, email=None, …)`: required fields positional, optional ones keyword-only;
/// a `defaulted` record takes every field as an optional keyword.
fn constructor(s: &mut String, r: &Record, defaulted: bool) -> Res<()> {
    let fields: Vec<&Field> = r.stored_fields().collect();
    let mut sig = Vec::new();
    let mut params = Vec::new();
    let mut body = String::new();
    let mut uses_py = false;
    if defaulted {
        sig.push("*".to_owned());
        let names: Vec<String> = fields.iter().map(|f| f.name.to_owned()).collect();
        writeln!(
            body,
            "        let core::{} {{ {} }} = core::{}::default();",
            r.core,
            names
                .iter()
                .map(|n| format!("{n}: default_{n}"))
                .collect::<Vec<_>>()
                .join(", "),
            r.core
        )?;
    }
    let mut keyword = false;
    for f in &fields {
        let optional = defaulted || matches!(f.kind, Kind::Opt(_));
        if optional && !keyword && !defaulted {
            sig.push("*".to_owned());
            keyword = true;
        }
        let (ty, conv, py_needed) = from_py(&f.kind, f.name)?;
        uses_py |= py_needed;
        if defaulted {
            // Option<T> over the field's type (an Opt field keeps its single Option).
            let (inner_ty, inner_conv) = match f.kind {
                Kind::Opt(inner) => {
                    let (t, c, _) = from_py(inner, f.name)?;
                    (t, format!("Some({c})"))
                }
                _ => (ty.clone(), conv.clone()),
            };
            sig.push(format!("{}=None", f.name));
            params.push(format!("{}: Option<{inner_ty}>", f.name));
            writeln!(
                body,
                "        let {n} = match {n} {{\n            Some(x) => {c},\n            None => default_{n},\n        }};",
                n = f.name,
                c = inner_conv
            )?;
        } else {
            sig.push(if optional {
                format!("{}=None", f.name)
            } else {
                f.name.to_owned()
            });
            params.push(format!("{}: {ty}", f.name));
            if conv != "x" {
                writeln!(
                    body,
                    "        let {n} = {{\n            let x = {n};\n            {conv}\n        }};",
                    n = f.name
                )?;
            }
        }
    }
    let py_param = if uses_py { "py: Python<'_>, " } else { "" };
    writeln!(
        s,
        "    #[new]\n    #[pyo3(signature = ({}))]\n    fn new({py_param}{}) -> PyResult<Self> {{",
        sig.join(", "),
        params.join(", ")
    )?;
    s.push_str(&body);
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    writeln!(
        s,
        "        Ok(Self(core::{} {{ {} }}))\n    }}",
        r.core,
        names.join(", ")
    )?;
    Ok(())
}

/// The Python type of an argument and the expression (over `x`) that makes the core value;
/// and whether it needs `py`.
fn from_py(kind: &Kind, field: &str) -> Res<(String, String, bool)> {
    let label = field.replace('_', " ");
    Ok(match kind {
        Kind::Id(_) => ("&str".into(), "cv::parse(py, x)?".into(), true),
        Kind::Text => ("String".into(), "x".into(), false),
        Kind::Flag => ("bool".into(), "x".into(), false),
        Kind::Count | Kind::Number => (
            "&Bound<'_, PyAny>".into(),
            format!("cv::whole(py, {label:?}, x)?"),
            true,
        ),
        Kind::Small => (
            "&Bound<'_, PyAny>".into(),
            format!("cv::whole_u32(py, {label:?}, x)?"),
            true,
        ),
        Kind::Size => (
            "&Bound<'_, PyAny>".into(),
            format!("cv::size(py, {label:?}, x)?"),
            true,
        ),
        Kind::Time => (
            "&Bound<'_, PyAny>".into(),
            format!("cv::utc(py, {label:?}, x)?"),
            true,
        ),
        Kind::TextMap => (
            "&Bound<'_, PyAny>".into(),
            format!("cv::string_map(py, {label:?}, x)?"),
            true,
        ),
        Kind::Enum(_) => ("&str".into(), "cv::parse(py, x)?".into(), true),
        Kind::Record(name) => ((*name).to_owned(), "x.0".into(), false),
        Kind::Opt(inner) => {
            let (t, c, p) = from_py(inner, field)?;
            let conv = if c == "x" {
                "x".to_owned()
            } else if c.ends_with('?') {
                format!(
                    "x.map(|x| PyResult::Ok({})).transpose()?",
                    c.trim_end_matches('?')
                )
            } else {
                format!("x.map(|x| {c})")
            };
            (format!("Option<{t}>"), conv, p)
        }
        Kind::Key | Kind::Delta | Kind::List(_) | Kind::Set(_) => {
            return Err(format!(
                "{field}: a {kind:?} argument is not supported by the Python expander"
            )
            .into());
        }
    })
}

/// The expression (over `v`, a reference to the core value) of a getter's Python value; true
/// when it is a `PyResult` (the getter adds `?`).
fn to_py(kind: &Kind, v: &str) -> (String, bool) {
    if let Some(copy) = plain(kind) {
        return (
            if copy {
                format!("(*{v})")
            } else {
                format!("{v}.clone()")
            },
            false,
        );
    }
    match kind {
        Kind::Id(_) => (format!("{v}.to_string()"), false),
        Kind::Key => (format!("{v}.as_str().to_owned()"), false),
        Kind::Number => (format!("{v}.get()"), false),
        Kind::Enum(_) => (format!("{v}.to_py(py)"), true),
        Kind::Record(name) => (format!("{}({v}.clone())", name), false),
        Kind::Opt(inner) => match to_py(inner, "x") {
            (c, true) => (format!("{v}.as_ref().map(|x| {c}).transpose()"), true),
            (c, false) => (format!("{v}.as_ref().map(|x| {c})"), false),
        },
        Kind::List(inner) | Kind::Set(inner) => match to_py(inner, "x") {
            (c, true) => (
                format!("{v}.iter().map(|x| {c}).collect::<PyResult<Vec<_>>>()"),
                true,
            ),
            (c, false) => (
                format!("{v}.iter().map(|x| {c}).collect::<Vec<_>>()"),
                false,
            ),
        },
        _ => (format!("{v}.clone()"), false),
    }
}

/// Some(copy) when the core value is already what Python gets (`true`: a `Copy` type).
fn plain(kind: &Kind) -> Option<bool> {
    match kind {
        Kind::Count | Kind::Small | Kind::Delta | Kind::Size | Kind::Flag | Kind::Time => {
            Some(true)
        }
        Kind::Text | Kind::TextMap => Some(false),
        Kind::Opt(inner) => plain(inner),
        Kind::List(inner) => plain(inner).map(|_| false),
        _ => None,
    }
}

/// `repr_of(py, &core::X) -> String`: destructures the core value without `..`.
fn repr_of(s: &mut String, r: &Record, p: Option<&PyRecord>) -> Res<()> {
    let items: Vec<(String, String)> = match p.and_then(|p| p.repr) {
        Some(items) => items
            .iter()
            .map(|i| match i.split_once('=') {
                Some((label, path)) => (label.to_owned(), path.to_owned()),
                None => ((*i).to_owned(), (*i).to_owned()),
            })
            .collect(),
        None => r
            .fields
            .iter()
            .map(|f| (f.name.to_owned(), f.name.to_owned()))
            .collect(),
    };
    let mut used = Vec::new();
    let mut lets = String::new();
    let mut parts = Vec::new();
    let mut args = Vec::new();
    for (i, (label, path)) in items.iter().enumerate() {
        let mut segments = path.split('.');
        let root = segments.next().unwrap_or_default();
        let field = r
            .fields
            .iter()
            .find(|f| f.name == root)
            .ok_or_else(|| format!("{}: no field {root} for __repr__", r.name))?;
        let rest: Vec<&str> = segments.collect();
        let mut kind = field.kind;
        for seg in &rest {
            let Kind::Record(name) = kind else {
                return Err(format!("{}: {path} does not name a field", r.name).into());
            };
            kind = record(name)?
                .fields
                .iter()
                .find(|f| f.name == *seg)
                .ok_or_else(|| format!("{}: {path} does not name a field", r.name))?
                .kind;
        }
        let var = match field.source {
            Source::Method(m) => {
                let var = format!("r{i}");
                writeln!(lets, "        let {var} = &value.{m}();")?;
                var
            }
            Source::Field if rest.is_empty() => {
                used.push(root.to_owned());
                root.to_owned()
            }
            Source::Field => {
                used.push(root.to_owned());
                let var = format!("r{i}");
                writeln!(lets, "        let {var} = &{path};")?;
                var
            }
        };
        parts.push(format!("{label}={{}}"));
        args.push(repr_expr(&kind, &var));
    }
    let uses_py = args.iter().any(|a| a.contains("(py,"));
    let pattern: Vec<String> = r
        .stored_fields()
        .map(|f| {
            if used.iter().any(|u| u == f.name) {
                f.name.to_owned()
            } else {
                format!("{}: _", f.name)
            }
        })
        .collect();
    writeln!(
        s,
        "impl {name} {{\n    /// The `__repr__` of a core value (also used by the records that hold one).\n    pub(crate) fn repr_of({py}: Python<'_>, value: &core::{core}) -> String {{\n        let core::{core} {{ {pat} }} = value;",
        name = r.name,
        py = if uses_py { "py" } else { "_py" },
        core = r.core,
        pat = pattern.join(", ")
    )?;
    s.push_str(&lets);
    writeln!(
        s,
        "        format!(\n            \"{}({})\",\n            {}\n        )\n    }}\n}}\n",
        r.name,
        parts.join(", "),
        args.join(",\n            ")
    )?;
    Ok(())
}

/// A `Display` expression for a value's part of a `__repr__` (`v` is a reference).
fn repr_expr(kind: &Kind, v: &str) -> String {
    match kind {
        Kind::Id(_) => format!("cv::repr(py, &{v}.to_string())"),
        Kind::Text => format!("cv::repr(py, {v})"),
        Kind::Key => format!("cv::repr(py, {v}.as_str())"),
        Kind::Count | Kind::Small | Kind::Delta | Kind::Size | Kind::Number => v.to_owned(),
        Kind::Flag => format!("cv::py_bool(*{v})"),
        Kind::Time => format!("cv::repr(py, &{v}.to_rfc3339())"),
        Kind::Enum(_) => format!("{v}.py_repr()"),
        Kind::Record(name) => format!("{name}::repr_of(py, {v})"),
        Kind::TextMap => format!("cv::repr_map(py, {v})"),
        Kind::Opt(inner) => format!(
            "{v}.as_ref().map_or_else(|| \"None\".to_owned(), |x| {}.to_string())",
            repr_expr(inner, "x")
        ),
        Kind::List(inner) | Kind::Set(inner) => match inner {
            Kind::Enum(_) => format!("cv::repr_members({v})"),
            _ => format!("{v}.len()"),
        },
    }
}

// --- Python ----------------------------------------------------------------------------------

/// Python's own members of the generated enum classes.
const ENUM_EXTRAS: &[(&str, &str)] = &[
    (
        "OrderStatus",
        r#"
    @property
    def label(self) -> str:
        """The status as the seed's tables print it ("Active", "Requested", ...)."""
        from license_inventory._native import order_status_label

        return order_status_label(self)
"#,
    ),
    (
        "Permission",
        r#"
    @property
    def enterprise_only(self) -> bool:
        """True for the permissions only the enterprise plan may grant or use."""
        from license_inventory._native import permission_enterprise_only

        return permission_enterprise_only(self)
"#,
    ),
];

/// `ValidityKind`: the kind of the hand-written `Validity` (a sum type, not in the table).
const VALIDITY_KIND: &str = r#"

class ValidityKind(_StrEnum):
    """How long a license is valid (the kind of a ``Validity``)."""

    PERPETUAL = "perpetual"
    """Never expires."""
    DAYS_FROM_ACTIVATION = "days_from_activation"
    """Valid for N days from its first activation."""
    DAYS_FROM_ISSUE = "days_from_issue"
    """Valid for N days from its issue."""
"#;

/// A docstring: `"""text"""`, continuation lines indented.
fn docstring(text: &str, indent: &str) -> String {
    let text = doc(text, Lang::Python);
    let body = text
        .lines()
        .collect::<Vec<_>>()
        .join(&format!("\n{indent}"));
    let tail = if body.ends_with('"') { " " } else { "" };
    format!("{indent}\"\"\"{body}{tail}\"\"\"\n")
}

fn enums_py() -> String {
    let mut s = String::from(
        "# Generated by bindings-python/build.rs from the table of bindings-schema; do not edit.\n# `LICENSE_INVENTORY_BLESS=1 cargo test -p license-inventory-python --lib` rewrites it.\n\"\"\"The enumerations of license-inventory, as :class:`enum.Enum` classes.\n\nEach member's value is the core's snake-case name, and each class is also a ``str`` subclass, so\n``Tier.RESELLER == \"reseller\"`` and the native module accepts either the member or its value.\n\"\"\"\n\nfrom __future__ import annotations\n\nimport enum\n\n__all__ = [\n",
    );
    let mut names: Vec<&str> = enums().map(|e| e.name).collect();
    names.push("ValidityKind");
    names.sort_unstable();
    for n in names {
        s.push_str(&format!("    \"{n}\",\n"));
    }
    s.push_str("]\n\n\nclass _StrEnum(str, enum.Enum):\n    \"\"\"A ``str``-valued enum whose ``str()`` is its value (like 3.11's ``enum.StrEnum``).\"\"\"\n\n    def __str__(self) -> str:\n        return str(self.value)\n\n    def __repr__(self) -> str:\n        return f\"{type(self).__name__}.{self.name}\"\n");
    for e in enums() {
        s.push_str(&format!("\n\nclass {}(_StrEnum):\n", e.name));
        s.push_str(&docstring(e.doc, "    "));
        s.push('\n');
        for v in e.variants {
            s.push_str(&format!("    {} = {:?}\n", v.screaming(), v.snake()));
            s.push_str(&docstring(v.doc, "    "));
        }
        if let Some((_, extra)) = ENUM_EXTRAS.iter().find(|(n, _)| *n == e.name) {
            s.push_str(extra);
        }
    }
    s.push_str(VALIDITY_KIND);
    s
}

/// The Python type of a value of `kind`, as a getter returns it.
fn py_type(kind: &Kind) -> String {
    match kind {
        Kind::Id(_) | Kind::Text | Kind::Key => "str".into(),
        Kind::Count | Kind::Small | Kind::Delta | Kind::Size | Kind::Number => "int".into(),
        Kind::Flag => "bool".into(),
        Kind::Time => "datetime".into(),
        Kind::Enum(name) | Kind::Record(name) => (*name).to_owned(),
        Kind::Opt(inner) => format!("{} | None", py_type(inner)),
        Kind::List(inner) | Kind::Set(inner) => format!("list[{}]", py_type(inner)),
        Kind::TextMap => "dict[str, str]".into(),
    }
}

/// The Python type an argument of `kind` accepts.
fn py_arg_type(kind: &Kind) -> String {
    match kind {
        Kind::Enum(name) => format!("{name} | str"),
        Kind::TextMap => "Mapping[str, str]".into(),
        Kind::Opt(inner) => format!("{} | None", py_arg_type(inner)),
        _ => py_type(kind),
    }
}

fn records_pyi() -> Res<String> {
    let mut s = String::new();
    for r in RECORDS {
        let p = py_record(r.name);
        writeln!(s, "@final\nclass {}:", r.name)?;
        if r.direction == Direction::Both {
            let defaulted = p.is_some_and(|p| p.defaulted);
            s.push_str("    def __new__(\n        cls,\n");
            let mut keyword = false;
            for f in r.stored_fields() {
                let optional = defaulted || matches!(f.kind, Kind::Opt(_));
                if optional && !keyword {
                    s.push_str("        *,\n");
                    keyword = true;
                }
                if defaulted && !matches!(f.kind, Kind::Opt(_)) {
                    writeln!(
                        s,
                        "        {}: {} | None = None,",
                        f.name,
                        py_arg_type(&f.kind)
                    )?;
                } else if optional {
                    writeln!(s, "        {}: {} = None,", f.name, py_arg_type(&f.kind))?;
                } else {
                    writeln!(s, "        {}: {},", f.name, py_arg_type(&f.kind))?;
                }
            }
            writeln!(s, "    ) -> {}: ...", r.name)?;
        }
        for f in r.fields {
            writeln!(
                s,
                "    @property\n    def {}(self) -> {}: ...",
                f.name,
                py_type(&f.kind)
            )?;
        }
        s.push_str("    def __eq__(self, value: object, /) -> bool: ...\n");
        if p.is_some_and(|p| p.hash) {
            s.push_str("    def __hash__(self) -> int: ...\n");
        }
        s.push('\n');
    }
    Ok(s)
}

fn limits_pyi() -> String {
    LIMITS
        .iter()
        .map(|l| format!("{}: Final[int]\n", l.name))
        .collect()
}
