//! Metadata, customers and CSV exports.

use super::*;

suite!(
    export => __conformance_suite_export:
    issue_many_and_export_them,
    metadata_customer_and_csv,
    export_to_path_is_atomic,
    issue_in_bulk_returns_the_range,
);

/// An issue in bulk (three chunks) returns the order and the range of its licenses' ids, which
/// pages of the order's licenses read back exactly; licenses issued after it sort after it.
fn issue_in_bulk_returns_the_range(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let n = (2 * ISSUE_CHUNK + 7) as u64;
    let o = w.center_order(&w.cl, n + 3);
    let before = w.erin.issue(o.id, 1).unwrap();
    let issued = w.erin.issue_in_bulk(o.id, n).unwrap();
    assert_eq!(issued.count, n);
    assert_eq!((issued.order.issued, issued.order.available), (n + 1, 2));
    assert!(before[0].id < issued.first && issued.first < issued.last);
    let after = w.erin.issue(o.id, 2).unwrap();
    assert!(after.iter().all(|l| l.id > issued.last));
    let mut seen = 0u64;
    let mut keys = std::collections::HashSet::new();
    let mut cursor = None;
    loop {
        let page = w.erin.licenses(o.id, cursor, MAX_PAGE).unwrap();
        let Some(last) = page.last() else { break };
        cursor = Some(last.id);
        for l in page.iter().filter(|l| issued.first <= l.id && l.id <= issued.last) {
            assert_eq!(l.status, LicenseStatus::Issued);
            assert!(keys.insert(l.key.clone()), "duplicate key");
            seen += 1;
        }
    }
    assert_eq!(seen, n);
    let err = w.erin.issue_in_bulk(o.id, 0).unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT", "{err}");
    let err = w.erin.issue_in_bulk(o.id, 3).unwrap_err();
    assert_eq!(err.code(), "INSUFFICIENT_INVENTORY", "{err}");
    w.assert_clean();
}

/// Issues many licenses in one call (100,000 by default) and exports them: every row, every
/// key unique and well-formed, conservation intact.
fn issue_many_and_export_them(factory: Factory<'_>) {
    let n: u64 = std::env::var("LICENSE_INVENTORY_BULK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let o = w.center_order(&w.cl, n);
    let issued = w.erin.issue(o.id, n).unwrap();
    assert_eq!(issued.len() as u64, n);
    let after = w.erin.order(o.id).unwrap().order;
    assert_eq!(
        (after.issued, after.available, after.status),
        (n, 0, OrderStatus::Depleted)
    );
    let mut out = Vec::new();
    let rows = w.erin.export_order_csv(o.id, &mut out).unwrap();
    assert_eq!(rows, n);
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), ORDER_COLUMNS.to_vec());
    let key_col = ORDER_COLUMNS
        .iter()
        .position(|c| *c == "license_key")
        .unwrap();
    let mut keys = std::collections::HashSet::new();
    let mut count = 0u64;
    for record in reader.records() {
        let record = record.unwrap();
        let key = LicenseKey::parse(&record[key_col]).unwrap();
        assert!(keys.insert(key), "duplicate key");
        count += 1;
    }
    assert_eq!(count, n);
    let expected: std::collections::HashSet<_> = issued.into_iter().map(|l| l.key).collect();
    assert_eq!(keys, expected);
    w.assert_clean();
}

/// Metadata and customer are editable after approval by the holder's admins; the CSV carries
/// them, with formula-like cells neutralised.
fn metadata_customer_and_csv(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let o = w.center_order(&w.cl, 2);
    let edited = w
        .erin
        .edit_metadata(
            o.id,
            MetadataEdit {
                reference: Some("REF-1".into()),
                campaign: Some([("utm_source".to_owned(), "newsletter".to_owned())].into()),
                download_id: Some("DL-9".into()),
                is_test: Some(true),
                is_trial: Some(true),
            },
        )
        .unwrap();
    assert_eq!(edited.metadata.reference.as_deref(), Some("REF-1"));
    assert!(edited.metadata.is_trial && edited.metadata.is_test);
    assert_eq!(
        err_code(&w.olga.edit_metadata(o.id, MetadataEdit::default())),
        "PERMISSION_DENIED"
    );
    let bad = Customer {
        name: "X".into(),
        email: Some("not-an-email".into()),
        ..Default::default()
    };
    assert_eq!(
        err_code(&w.erin.set_customer(o.id, Some(bad))),
        "INVALID_INPUT"
    );
    let with = w
        .erin
        .set_customer(
            o.id,
            Some(Customer {
                name: "=HYPERLINK(\"http://x\")".into(),
                email: Some("Principal@Elerome.example".into()),
                company: Some("Elerome School".into()),
                phone: Some("+1 555 0100".into()),
                reference: Some("C-7".into()),
            }),
        )
        .unwrap();
    assert_eq!(
        with.customer.as_ref().and_then(|c| c.email.as_deref()),
        Some("principal@elerome.example")
    );
    // Trial orders issue trial licenses.
    let l = w.erin.issue(o.id, 1).unwrap().remove(0);
    assert!(l.trial);
    let mut out = Vec::new();
    assert_eq!(w.erin.export_order_csv(o.id, &mut out).unwrap(), 1);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(text.contains("'+1 555 0100"), "{text}");
    assert!(
        text.contains("utm_source=newsletter") && text.contains(l.key.as_str()),
        "{text}"
    );
    assert!(text.ends_with("\r\n"));
    // The inventory list exports too, newest first.
    let mut inv_csv = Vec::new();
    let rows = w
        .erin
        .export_inventory_csv(w.elerome.id, &InventoryFilter::default(), &mut inv_csv)
        .unwrap();
    assert_eq!(rows, 1);
    let mut r = csv::Reader::from_reader(inv_csv.as_slice());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        INVENTORY_COLUMNS.to_vec()
    );
    let row = r.records().next().unwrap().unwrap();
    assert_eq!(&row[0], o.number.to_string().as_str());
    assert_eq!(&row[11], "REF-1");
    // Removing the customer.
    assert_eq!(w.erin.set_customer(o.id, None).unwrap().customer, None);
    w.assert_clean();
}

/// Exports to a path replace the file whole or not at all: a refused export (another branch's
/// admin, an unknown order) leaves the previous file byte for byte, and leaves no temporary
/// file behind; a folder that does not exist is `EXPORT_FAILED`.
fn export_to_path_is_atomic(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let o = w.center_order(&w.cl, 5);
    w.erin.issue(o.id, 4).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("order.csv");
    std::fs::write(&path, "previous export\n").unwrap();
    assert_eq!(
        err_code(&w.olga.export_order_csv_to_path(o.id, &path)),
        "PERMISSION_DENIED"
    );
    assert_eq!(
        err_code(&w.erin.export_order_csv_to_path(OrderId::new(), &path)),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&w.olga.export_inventory_csv_to_path(
            w.elerome.id,
            &InventoryFilter::default(),
            &path
        )),
        "PERMISSION_DENIED"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous export\n");
    assert_eq!(w.erin.export_order_csv_to_path(o.id, &path).unwrap(), 4);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.starts_with("order_number,order_id,"));
    let rows = w
        .erin
        .export_inventory_csv_to_path(w.elerome.id, &InventoryFilter::default(), &path)
        .unwrap();
    assert_eq!(rows, 1);
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("order.csv")]);
    assert_eq!(
        err_code(
            &w.erin
                .export_order_csv_to_path(o.id, dir.path().join("no/such/dir.csv"))
        ),
        "EXPORT_FAILED"
    );
    w.assert_clean();
}
