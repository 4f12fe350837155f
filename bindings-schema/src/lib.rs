//! The one table of what the bindings export: every record and fieldless enum of the core that
//! crosses the FFI, with its doc and its fields, each field of a small [`Kind`].
//!
//! Each binding's `build.rs` reads [`RECORDS`] and [`ENUMS`] and writes, into `OUT_DIR`, the
//! types in its own idiom (Python classes, Node objects and string unions, Swift records and
//! enums) and their conversions; the crate `include!`s the result. Conversions destructure the
//! core value without `..`, so a core field missing from this table fails to compile in every
//! binding, and a field added here appears in all three with no other edit.
//!
//! Docs are written once, for every language: `{none}` becomes `None`, `null` or `nil`;
//! `{fn:Session.set_customer}` and `{field:prev_hash}` name a method or field in the
//! language's case (`Session.set_customer` in Python, `Session.setCustomer` in Node and Swift).
//!
//! Hand-written per binding, on purpose: input types that validate (`NewRequest`, filters,
//! options), `Validity` (a sum type each language spells its own way; records of the table may
//! name it, see [`HAND_WRITTEN`]), pages, `BatchCommand` and `BatchResult`, and the error types.

mod table;

pub use table::{ENUMS, LIMITS, RECORDS};

/// The types each binding writes by hand (not in [`RECORDS`]) that a [`Kind::Record`] of the
/// table may name: `Validity`, a sum type each language spells its own way.
pub const HAND_WRITTEN: &[&str] = &["Validity"];

/// The languages of the bindings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// pyo3: `snake_case` members, `None`.
    Python,
    /// napi-rs: `camelCase` members, `null`.
    Node,
    /// uniffi: `camelCase` members, `nil`.
    Swift,
}

/// What a field holds, as the FFI sees it. Each binding maps a kind to its own type and
/// conversion (an id is a `str` in Python, a `string` in Node, a typed `…Id` in Swift).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A core id newtype (`OrderId`, …), named.
    Id(&'static str),
    /// Text.
    Text,
    /// A license key (`LicenseKey`): text at the FFI.
    Key,
    /// A count or quantity (`u64`).
    Count,
    /// A small figure (`u32`: a policy limit, seconds).
    Small,
    /// A signed change of a quantity (`i64`).
    Delta,
    /// A count held as `usize` by the core.
    Size,
    /// An order number (`OrderNumber`): a `u64` at the FFI.
    Number,
    /// A boolean.
    Flag,
    /// A UTC time (`DateTime<Utc>`).
    Time,
    /// One of [`ENUMS`], named.
    Enum(&'static str),
    /// One of [`RECORDS`] (or one of [`HAND_WRITTEN`], like `Validity`), named.
    Record(&'static str),
    /// An optional value.
    Opt(&'static Kind),
    /// A list (`Vec`).
    List(&'static Kind),
    /// A set (`BTreeSet`), a list in the bindings, in the set's order.
    Set(&'static Kind),
    /// Text to text (`BTreeMap<String, String>`).
    TextMap,
}

/// Where a field's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The core struct's field of the same name.
    Field,
    /// A method of the core value, taking `&self` (e.g. `Notification::subject`): output only.
    Method(&'static str),
}

/// One field of a record.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The core's name (`snake_case`); bindings adapt the case only.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Where it comes from.
    pub source: Source,
    /// Its doc (see the crate doc for the placeholders).
    pub doc: &'static str,
}

/// Which way a type crosses the FFI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Returned by the library only.
    Out,
    /// Returned, and also taken back as an argument (`Customer`, `LicensePolicy`, …).
    Both,
}

/// A record: a core struct mirrored field for field.
#[derive(Clone, Copy, Debug)]
pub struct Record {
    /// Its name, the core's (a binding may rename it, e.g. Swift's `ProductBundle`).
    pub name: &'static str,
    /// Its path in the core crate, relative to the crate root (`Order`, `Page<OrderDetails>`).
    pub core: &'static str,
    /// Its doc.
    pub doc: &'static str,
    /// Which way it crosses.
    pub direction: Direction,
    /// Its fields, in the order the bindings show them.
    pub fields: &'static [Field],
}

/// One variant of a fieldless enum.
#[derive(Clone, Copy, Debug)]
pub struct Variant {
    /// The core's variant name (`CamelCase`).
    pub name: &'static str,
    /// The core's `as_str` name where it is not the `snake_case` of [`Variant::name`]
    /// (`Action::Borrow` is `borrow_license`, `Entity::LicenseUser` is `license user`).
    pub wire: Option<&'static str>,
    /// Its doc.
    pub doc: &'static str,
}

/// A fieldless core enum.
#[derive(Clone, Copy, Debug)]
pub struct Enum {
    /// Its name, the core's.
    pub name: &'static str,
    /// Its doc.
    pub doc: &'static str,
    /// Which way it crosses.
    pub direction: Direction,
    /// The core enum is `#[non_exhaustive]` (`Action`, `Entity`): a newer core may add a
    /// variant, so a binding converts it from the core only, with a fallback (`Other`) case,
    /// and never back (a `match` on it from outside the core needs a wildcard arm). Python does
    /// not export open enums at all (its errors carry them as `str`).
    pub open: bool,
    /// Its variants, in the core's order.
    pub variants: &'static [Variant],
}

impl Variant {
    /// The serialised name (what the core's `as_str` returns): `activation_code`.
    pub fn snake(&self) -> String {
        self.wire
            .map_or_else(|| camel_to_snake(self.name), str::to_owned)
    }

    /// The `SCREAMING_SNAKE_CASE` name of the variant (Python enum members): `ACTIVATION_CODE`.
    pub fn screaming(&self) -> String {
        camel_to_snake(self.name).to_uppercase()
    }
}

impl Record {
    /// The record's fields read from the core struct itself (not from a method).
    pub fn stored_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.source == Source::Field)
    }
}

/// One of the core's input limits: a constant of the core crate root of the same name, a
/// whole number (`u64` or `usize`); bindings export it as a whole number.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// The core's constant name (`MAX_QUANTITY`).
    pub name: &'static str,
    /// Its doc.
    pub doc: &'static str,
}

/// A record of [`RECORDS`] by name.
pub fn record(name: &str) -> Option<&'static Record> {
    RECORDS.iter().find(|r| r.name == name)
}

/// An enum of [`ENUMS`] by name.
pub fn enumeration(name: &str) -> Option<&'static Enum> {
    ENUMS.iter().find(|e| e.name == name)
}

/// `ActivationCode` → `activation_code`.
pub fn camel_to_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `prev_hash` → `prevHash`.
pub fn snake_to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A member name (`Session.set_customer`, `prev_hash`) in `lang`'s case.
pub fn member(name: &str, lang: Lang) -> String {
    match lang {
        Lang::Python => name.to_owned(),
        Lang::Node | Lang::Swift => snake_to_camel(name),
    }
}

/// A doc of the table for `lang`: placeholders replaced (see the crate doc).
pub fn doc(text: &str, lang: Lang) -> String {
    let none = match lang {
        Lang::Python => "None",
        Lang::Node => "null",
        Lang::Swift => "nil",
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let (before, tail) = rest.split_at(start);
        out.push_str(before);
        let Some(end) = tail.find('}') else {
            out.push_str(tail);
            return out;
        };
        let inner = tail.get(1..end).unwrap_or_default();
        match inner.split_once(':') {
            None if inner == "none" => out.push_str(none),
            Some(("fn" | "field", name)) => out.push_str(&member(name, lang)),
            _ => out.push_str(tail.get(..=end).unwrap_or_default()),
        }
        rest = tail.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// A doc as Rust `#[doc = "…"]` attributes (one per line), indented by `indent`.
pub fn doc_attrs(text: &str, lang: Lang, indent: &str) -> String {
    doc(text, lang)
        .lines()
        .map(|line| format!("{indent}#[doc = {:?}]\n", format!(" {line}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(camel_to_snake("ActivationCode"), "activation_code");
        assert_eq!(snake_to_camel("prev_hash"), "prevHash");
        assert_eq!(
            member("Session.set_customer", Lang::Node),
            "Session.setCustomer"
        );
        assert_eq!(
            member("Session.set_customer", Lang::Python),
            "Session.set_customer"
        );
    }

    #[test]
    fn docs_render_per_language() {
        let text =
            "Its source; {none} for minted stock (`{fn:Session.set_customer}`, {field:prev_hash}).";
        assert_eq!(
            doc(text, Lang::Swift),
            "Its source; nil for minted stock (`Session.setCustomer`, prevHash)."
        );
        assert_eq!(
            doc(text, Lang::Python),
            "Its source; None for minted stock (`Session.set_customer`, prev_hash)."
        );
        assert_eq!(doc("a {b} c", Lang::Node), "a {b} c");
    }

    #[test]
    fn names_are_unique_and_references_resolve() {
        let mut names: Vec<&str> = RECORDS.iter().map(|r| r.name).collect();
        names.extend(ENUMS.iter().map(|e| e.name));
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a name is listed twice");
        fn check(kind: &Kind, record: &str) {
            match kind {
                Kind::Enum(name) => {
                    assert!(enumeration(name).is_some(), "{record}: unknown enum {name}")
                }
                Kind::Record(name) => assert!(
                    record_or_hand_written(name),
                    "{record}: unknown record {name}"
                ),
                Kind::Opt(inner) | Kind::List(inner) | Kind::Set(inner) => check(inner, record),
                _ => {}
            }
        }
        for r in RECORDS {
            for f in r.fields {
                check(&f.kind, r.name);
            }
        }
    }

    fn record_or_hand_written(name: &str) -> bool {
        record(name).is_some() || HAND_WRITTEN.contains(&name)
    }

    #[test]
    fn hand_written_types_are_not_in_the_table() {
        for name in HAND_WRITTEN {
            assert!(record(name).is_none(), "{name} is in RECORDS too");
            assert!(enumeration(name).is_none(), "{name} is in ENUMS too");
        }
    }

    #[test]
    fn open_enums_are_output_only() {
        for e in ENUMS.iter().filter(|e| e.open) {
            assert_eq!(
                e.direction,
                Direction::Out,
                "{}: open enums are never taken back",
                e.name
            );
        }
    }
}
