//! Importing existing license keys, from a list or from an order export's CSV
//! (docs/rules.md §7).

use super::*;

suite!(
    imports => __conformance_suite_imports:
    imported_keys_are_issued_like_new_ones,
    a_bad_import_changes_nothing,
    csv_export_imports_into_a_fresh_order_and_exports_the_same,
);

fn imported_keys_are_issued_like_new_ones(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let order = w.center_order(&w.cl, 5);
    let native = LicenseKey::generate(1).unwrap().remove(0);
    let sloppy = native.as_str().to_lowercase().replace('-', "");
    let keys = ["ACME-2017-0001", " acme-2017-0002 ", sloppy.as_str()];
    let licenses = w.erin.import_licenses(order.id, &keys).unwrap();
    assert_eq!(
        licenses.iter().map(|l| l.key.as_str()).collect::<Vec<_>>(),
        ["ACME-2017-0001", "acme-2017-0002", native.as_str()]
    );
    assert!(licenses.iter().all(|l| l.imported && l.status == LicenseStatus::Issued));
    let o = w.erin.order(order.id).unwrap().order;
    assert_eq!((o.available, o.issued), (2, 3));
    let entry = w.snapshot().0.pop().unwrap();
    assert_eq!(
        (entry.kind, entry.order),
        (LedgerKind::LicensesImported, Some(order.id))
    );
    // An imported key is used by its exact text; a native one as people type it.
    let used = w.inv.activate(t, "ACME-2017-0001", "pc-1", "Front desk").unwrap();
    assert_eq!(used.activations.len(), 1);
    assert_eq!(w.inv.check_license(t, &sloppy).unwrap().key, native);
    assert_eq!(w.erin.license("acme-2017-0002").unwrap().id, licenses[1].id);
    // Not quite an imported key, and not a native one either: still a mistyped key.
    assert_eq!(err_code(&w.inv.check_license(t, "ACME-2017-0002")), "MISTYPED_KEY");
    // Issued keys and imported keys live side by side.
    assert!(!w.erin.issue(order.id, 1).unwrap()[0].imported);
    w.assert_clean();
}

fn a_bad_import_changes_nothing(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let order = w.center_order(&w.cl, 3);
    w.erin.import_licenses(order.id, &["KEEP-0001"]).unwrap();
    let before = w.snapshot();
    let refused = |keys: &[&str], code: &str| {
        let err = w.erin.import_licenses(order.id, keys).unwrap_err();
        assert_eq!(err.code(), code, "{keys:?}: {err}");
        assert_eq!(w.snapshot(), before, "{keys:?} changed something");
        err.to_string()
    };
    let msg = refused(&["GOOD-0001", "a b c d"], "INVALID_INPUT");
    assert!(msg.contains("key 1 of the import"), "{msg}");
    refused(&["abc"], "INVALID_INPUT");
    refused(&[&"x".repeat(65)], "INVALID_INPUT");
    refused(&["KEY-é-0001"], "INVALID_INPUT");
    let msg = refused(&["DUP-0001", "DUP-0001"], "CONFLICT");
    assert!(msg.contains("position 1"), "{msg}");
    let msg = refused(&["NEW-0001", "KEEP-0001"], "CONFLICT");
    assert!(
        msg.contains("'KEEP0-…'") && !msg.contains("KEEP-0001"),
        "the key is shown by its first symbols only: {msg}"
    );
    refused(&["A-0001", "A-0002", "A-0003"], "INSUFFICIENT_INVENTORY");
    refused(&[], "INVALID_INPUT");
    assert_eq!(
        err_code(&w.olga.import_licenses(order.id, &["OLGA-0001"])),
        "PERMISSION_DENIED"
    );
    assert_eq!(w.snapshot(), before);
    for bad in [
        "order_number,license_status\n1,issued\n",
        "license_key\n\n",
        "license_key,x\n\"unclosed,1\n",
    ] {
        assert_eq!(
            err_code(&w.erin.import_licenses_csv(order.id, bad.as_bytes())),
            "INVALID_INPUT",
            "{bad:?}"
        );
    }
    assert_eq!(w.snapshot(), before);
}

/// An order's export, imported into a fresh order of another tenant (a vendor moving its keys),
/// exports again with the same keys and license fields; into the tenant that has them, it is a
/// conflict.
fn csv_export_imports_into_a_fresh_order_and_exports_the_same(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let old = World::new(inv.clone(), 1);
    let new = World::new(inv, 500);
    let source = old.center_order(&old.cl, 6);
    old.erin.issue(source.id, 4).unwrap();
    let mut exported = Vec::new();
    old.erin.export_order_csv(source.id, &mut exported).unwrap();

    let fresh = new.center_order(&new.cl, 6);
    let imported = new
        .erin
        .import_licenses_csv(fresh.id, exported.as_slice())
        .unwrap();
    assert_eq!(imported.len(), 4);
    let mut again = Vec::new();
    new.erin.export_order_csv(fresh.id, &mut again).unwrap();

    let key_col = ORDER_COLUMNS.iter().position(|c| *c == "license_key").unwrap();
    let license_part = |csv: &[u8]| -> Vec<Vec<String>> {
        let mut r = csv::Reader::from_reader(csv);
        r.records()
            .map(|rec| {
                rec.unwrap()
                    .iter()
                    .skip(key_col)
                    .map(str::to_owned)
                    .collect()
            })
            .collect()
    };
    let (before, after) = (license_part(&exported), license_part(&again));
    assert_eq!(before.len(), 4);
    assert_eq!(after, before, "the same keys and license fields");

    assert_eq!(
        err_code(&old.erin.import_licenses_csv(source.id, exported.as_slice())),
        "CONFLICT"
    );
    old.assert_clean();
    new.assert_clean();
}
