//! All-or-nothing batches.

use super::*;

suite!(
    batches => __conformance_suite_batches:
    batches_are_all_or_nothing,
    batches_take_order_license_and_manager_commands,
    batches_take_edits_and_borrows,
    batches_take_every_session_write,
);

/// A request edited and a floating license borrowed and returned, in batches.
fn batches_take_edits_and_borrows(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let floating = Floating {
        max_borrows: 2,
        max_borrow_seconds: 600,
    };
    w.inv
        .set_product_policy(
            w.tenant.id,
            w.cl.id,
            policy(1, Validity::Perpetual, Some(floating)),
        )
        .unwrap();
    let order = w.center_order(&w.cl, 2);
    let l = w.erin.issue(order.id, 1).unwrap().remove(0);
    let done = w
        .erin
        .batch(&[
            BatchCommand::Borrow {
                license: l.id,
                borrower: "pc-1".into(),
                seconds: 60,
            },
            BatchCommand::Borrow {
                license: l.id,
                borrower: "pc-2".into(),
                seconds: 60,
            },
            BatchCommand::ReturnBorrow {
                license: l.id,
                borrower: "pc-1".into(),
            },
        ])
        .unwrap();
    assert!(matches!(&done[1], BatchResult::License(l) if l.borrows.len() == 2));
    assert!(matches!(&done[2], BatchResult::License(l) if l.borrows.len() == 1));
    let err = w
        .erin
        .batch(&[BatchCommand::Borrow {
            license: l.id,
            borrower: "pc-3".into(),
            seconds: 0,
        }])
        .unwrap_err();
    assert_eq!((err.code(), err.batch_index()), ("INVALID_INPUT", Some(0)));

    // License users: give the license, rename, take it back, delete.
    let sam = w
        .erin
        .add_license_user(
            order.id,
            NewLicenseUser {
                email: "sam@elerome.example".into(),
                name: None,
                password: None,
            },
        )
        .unwrap();
    let done = w
        .erin
        .batch(&[
            BatchCommand::AssignLicense {
                license: l.id,
                user: Some(sam.id),
            },
            BatchCommand::EditLicenseUser {
                user: sam.id,
                email: None,
                name: Some("Sam".into()),
            },
            BatchCommand::AssignLicense {
                license: l.id,
                user: None,
            },
            BatchCommand::DeleteLicenseUser { user: sam.id },
        ])
        .unwrap();
    assert!(matches!(&done[0], BatchResult::License(l) if l.license_user == Some(sam.id)));
    assert!(matches!(&done[1], BatchResult::LicenseUser(u) if u.name.as_deref() == Some("Sam")));
    assert_eq!(done[3], BatchResult::Done);
    assert!(w.erin.license_users(order.id).unwrap().is_empty());

    let asked = request(&w.irina, &w.mga, &w.cl, 2, "PO-E");
    let edit = RequestEdit {
        quantity: Some(3),
        ..Default::default()
    };
    match &w
        .irina
        .batch(&[BatchCommand::EditRequest {
            order: asked.id,
            edit,
        }])
        .unwrap()[0]
    {
        BatchResult::Order(o) => assert_eq!(o.requested_quantity, 3),
        other => panic!("{other:?}"),
    }
    w.assert_clean();
}

/// The order, license and manager commands in batches: each as alone, later ones seeing earlier
/// ones, results in order; a refusal anywhere undoes them all and names its command.
fn batches_take_order_license_and_manager_commands(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let order = w.center_order(&w.cl, 6);
    let issued = w.erin.issue(order.id, 2).unwrap();
    let (a, b) = (issued[0].id, issued[1].id);
    let lena = w.user("Lena Manager");
    let done = w
        .erin
        .batch(&[
            BatchCommand::Disable { license: a },
            BatchCommand::Enable { license: a },
            BatchCommand::ResetLicense { license: a },
            BatchCommand::Revoke { license: b },
            BatchCommand::ImportLicenses {
                order: order.id,
                keys: vec!["ACME-0001".into(), "ACME-0002".into()],
            },
            BatchCommand::AddLicenseManager {
                order: order.id,
                user: lena.id,
                permissions: vec![Permission::ResetDevice],
            },
            BatchCommand::SetLicenseManagerPermissions {
                order: order.id,
                user: lena.id,
                permissions: vec![Permission::ResetDevice, Permission::ResetLicense],
            },
            BatchCommand::RemoveLicenseManager {
                order: order.id,
                user: lena.id,
            },
            BatchCommand::ReturnUnits {
                order: order.id,
                quantity: 1,
            },
        ])
        .unwrap();
    assert_eq!(done.len(), 9);
    assert!(matches!(&done[0], BatchResult::License(l) if l.status == LicenseStatus::Disabled));
    assert!(matches!(&done[1], BatchResult::License(l) if l.status == LicenseStatus::Issued));
    assert!(matches!(&done[3], BatchResult::Order(o) if o.issued == 1));
    assert!(matches!(&done[4], BatchResult::Licenses(ls) if ls.len() == 2 && ls[0].imported));
    assert!(matches!(&done[6], BatchResult::Manager(m) if m.permissions.len() == 2));
    assert_eq!(done[7], BatchResult::Done);
    let o = w.erin.order(order.id).unwrap().order;
    assert_eq!((o.approved_quantity, o.issued, o.available), (5, 3, 2));
    assert!(w.erin.license_managers(order.id).unwrap().is_empty());

    // The vendor mints and deletes in one batch.
    let minted = match &w.vera.batch(&[BatchCommand::Mint(NewMint::new(w.uac.id, 4))]).unwrap()[0] {
        BatchResult::Order(o) => o.id,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        w.vera
            .batch(&[BatchCommand::DeleteOrder { order: minted }])
            .unwrap(),
        [BatchResult::Done]
    );

    // A refusal at the end undoes the disable before it, and names itself.
    let before = w.snapshot();
    let err = w
        .erin
        .batch(&[
            BatchCommand::Disable { license: a },
            BatchCommand::ResetDevice {
                license: a,
                fingerprint: "never-seen".into(),
            },
        ])
        .unwrap_err();
    assert_eq!((err.code(), err.batch_index()), ("INVALID_INPUT", Some(1)));
    assert_eq!(w.snapshot(), before);
    w.assert_clean();
}

/// Batches (docs/rules.md §11): many commands in one transaction; a failing command anywhere leaves
/// the store exactly as it was, with that command's own error; later commands see earlier ones.
fn batches_are_all_or_nothing(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.cl, 10);
    let asks: Vec<Order> = (0..5)
        .map(|i| request(&w.irina, &w.mga, &w.cl, 2, &format!("B-{i}")))
        .collect();
    let approve = |o: &Order, quantity: Option<u64>| BatchCommand::Approve {
        order: o.id,
        quantity,
        comments: Some("batch".into()),
    };
    // One too many units in the last approval: nothing at all happens.
    let mut commands: Vec<BatchCommand> = asks[..4].iter().map(|o| approve(o, None)).collect();
    let extra = request(&w.irina, &w.mga, &w.cl, 5, "B-X");
    commands.push(approve(&extra, None));
    let before = w.snapshot();
    match w.irina.batch(&commands) {
        Err(Error::InBatch { index, error }) => match *error {
            Error::InsufficientInventory {
                available,
                requested,
..
} => assert_eq!((index, available, requested), (4, 2, 5)),
            other => panic!("expected the last approval's error, got {other:?}"),
        },
        other => panic!("expected the last approval's error, got {other:?}"),
    }
    assert_eq!(w.snapshot(), before);
    // Bad input and refusals anywhere roll back too, and name their command.
    let bad = [approve(&asks[0], None), approve(&asks[1], Some(0))];
    let err = w.irina.batch(&bad).unwrap_err();
    assert_eq!((err.code(), err.batch_index()), ("INVALID_INPUT", Some(1)));
    assert!(err.to_string().starts_with("command 1 of the batch failed"), "{err}");
    assert!(matches!(err.command_error(), Error::InvalidInput { field: "quantity", .. }), "{err:?}");
    let refused = [approve(&asks[0], None), approve(&asks[1], None)];
    let err = w.olga.batch(&refused).unwrap_err();
    assert_eq!((err.code(), err.batch_index()), ("PERMISSION_DENIED", Some(0)));
    assert_eq!(w.snapshot(), before);
    // The five approvals together.
    let all: Vec<BatchCommand> = asks.iter().map(|o| approve(o, None)).collect();
    let done = w.irina.batch(&all).unwrap();
    assert_eq!(done.len(), 5);
    for (r, ask) in done.iter().zip(&asks) {
        match r {
            BatchResult::Order(o) => {
                assert_eq!(
                    (o.id, o.status, o.available),
                    (ask.id, OrderStatus::Active, 2)
                );
                assert_eq!(o.approval_comments.as_deref(), Some("batch"));
            }
            other => panic!("expected an order, got {other:?}"),
        }
    }
    // Later commands see earlier ones: assign down two levels, issue from the result's order,
    // reject and cancel in the same batch.
    w.stock(&w.ellen, &w.uac, 4);
    let held = w.center_order(&w.uac, 1);
    let chain = [
        BatchCommand::Assign(NewAssignment::new(w.ellen.id, w.mga.id, w.uac.id, 3)),
        BatchCommand::Assign(NewAssignment::new(w.mga.id, w.elerome.id, w.uac.id, 3)),
        BatchCommand::Reject {
            order: extra.id,
            comments: None,
        },
        BatchCommand::Request(NewRequest::new(w.mga.id, w.uac.id, 1)),
    ];
    let done = w.irina.batch(&chain).unwrap();
    assert!(
        matches!(&done[1], BatchResult::Order(o) if o.holder == w.elerome.id && o.available == 3)
    );
    assert!(matches!(&done[2], BatchResult::Order(o) if o.status == OrderStatus::Rejected));
    let BatchResult::Order(asked) = &done[3] else {
        panic!("expected an order");
    };
    let issued = w
        .erin
        .batch(&[
            BatchCommand::Issue {
                order: held.id,
                quantity: 1,
            },
            BatchCommand::Cancel { order: asked.id },
        ])
        .unwrap_err();
    // Erin may issue from her order but not cancel MGA's request: nothing is issued.
    assert_eq!(issued.code(), "PERMISSION_DENIED");
    assert_eq!(w.erin.order(held.id).unwrap().order.issued, 0);
    let keyed = w.erin.with_idempotency_key("batch-issue").unwrap();
    let cmd = [BatchCommand::Issue {
        order: held.id,
        quantity: 1,
    }];
    let first = keyed.batch(&cmd).unwrap();
    assert_eq!(keyed.batch(&cmd).unwrap(), first);
    assert_eq!(w.erin.order(held.id).unwrap().order.issued, 1);
    assert_eq!(err_code(&w.irina.batch(&[])), "INVALID_INPUT");
    // A batch-level refusal names no command.
    assert_eq!(w.irina.batch(&[]).unwrap_err().batch_index(), None);
    let too_many = vec![BatchCommand::Cancel { order: asked.id }; MAX_BATCH + 1];
    assert_eq!(err_code(&w.irina.batch(&too_many)), "INVALID_INPUT");
    w.assert_clean();
}

/// The last six session writes in batches: metadata, customer, issue in bulk, bundle request,
/// and the license-user commands carrying a password (hashed before the transaction, never in
/// the clear; a keyed retry with another password is a conflict).
fn batches_take_every_session_write(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let order = w.center_order(&w.cl, 5);
    let pack = w
        .inv
        .create_bundle(
            t,
            NewBundle {
                name: "Pack".into(),
                lines: vec![BundleLine {
                    product: w.cl.id,
                    quantity: 1,
                }],
            },
        )
        .unwrap();
    let done = w
        .erin
        .batch(&[
            BatchCommand::EditMetadata {
                order: order.id,
                edit: MetadataEdit {
                    reference: Some("REF-7".into()),
                    ..Default::default()
                },
            },
            BatchCommand::SetCustomer {
                order: order.id,
                customer: Some(Customer {
                    name: "Elerome School".into(),
                    ..Default::default()
                }),
            },
            BatchCommand::IssueInBulk {
                order: order.id,
                quantity: 2,
            },
            BatchCommand::RequestBundle {
                holder: w.elerome.id,
                bundle: pack.id,
                purchase_order: Some("PO-B".into()),
                comments: None,
            },
            BatchCommand::AddLicenseUser {
                order: order.id,
                user: NewLicenseUser {
                    email: "stu@elerome.example".into(),
                    name: Some("Stu".into()),
                    password: Some("first password".into()),
                },
            },
        ])
        .unwrap();
    assert!(
        matches!(&done[0], BatchResult::Order(o) if o.metadata.reference.as_deref() == Some("REF-7"))
    );
    assert!(
        matches!(&done[1], BatchResult::Order(o) if o.customer.as_ref().map(|c| c.name.as_str()) == Some("Elerome School"))
    );
    assert!(
        matches!(&done[2], BatchResult::Issued(i) if i.count == 2 && i.order.available == 3)
    );
    let BatchResult::Orders(asked) = &done[3] else {
        panic!("{:?}", done[3])
    };
    assert_eq!(
        (asked.len(), asked[0].purchase_order.as_deref()),
        (1, Some("PO-B"))
    );
    let BatchResult::LicenseUser(stu) = &done[4] else {
        panic!("{:?}", done[4])
    };
    assert!(stu.has_password);
    assert!(
        w.inv
            .verify_license_user_password(t, stu.id, "first password")
            .unwrap()
    );

    // A password change in a batch, keyed: never in the clear, retried with the same password
    // it returns the first result; with another, it is a conflict.
    let change = |password: &str| {
        vec![BatchCommand::SetLicenseUserPassword {
            user: stu.id,
            password: password.into(),
        }]
    };
    assert!(!format!("{:?}", change("second password")).contains("second password"));
    let keyed = w.erin.with_idempotency_key("pw-1").unwrap();
    assert_eq!(
        keyed.batch(&change("second password")).unwrap(),
        vec![BatchResult::Done]
    );
    assert_eq!(
        keyed.batch(&change("second password")).unwrap(),
        vec![BatchResult::Done]
    );
    assert_eq!(err_code(&keyed.batch(&change("third password"))), "CONFLICT");
    assert!(
        w.inv
            .verify_license_user_password(t, stu.id, "second password")
            .unwrap()
    );
    // A password too short is refused before the transaction, naming its command.
    let before = w.snapshot();
    let mut two = change("long enough password");
    two.extend(change("short"));
    let err = w.erin.batch(&two).unwrap_err();
    assert_eq!(
        (err.code(), err.batch_index(), err.action()),
        (
            "INVALID_INPUT",
            Some(1),
            Some(Action::ManageLicenseUserCredentials)
        )
    );
    assert_eq!(w.snapshot(), before);
    w.assert_clean();
}
