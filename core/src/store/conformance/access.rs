//! Who may do what: branches, tiers, tenants, plans, permissions, and refused input.

use super::*;

suite!(
    access => __conformance_suite_access:
    other_branch_is_refused,
    tier_and_hierarchy_rules,
    bad_input_is_refused,
    tenants_are_isolated,
    permission_matrix,
    plan_and_escalation_rules,
);

type Guarded<'a> = Box<dyn Fn(&Session) -> Result<()> + 'a>;

/// A user of another branch can neither see nor touch this branch.
fn other_branch_is_refused(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.cl, 10);
    let req = request(&w.irina, &w.mga, &w.cl, 2, "");
    let before = w.snapshot();
    let denied = |r: Result<Order>| match r {
        Err(Error::PermissionDenied { actor, .. }) => assert_eq!(actor, w.olga.user()),
        other => panic!("expected PermissionDenied, got {other:?}"),
    };
    denied(w.olga.approve(req.id, None, None));
    denied(w.olga.reject(req.id, None));
    denied(w.olga.cancel(req.id));
    denied(w.olga.edit_request(req.id, RequestEdit::default()));
    denied(w.olga.request(NewRequest::new(w.mga.id, w.cl.id, 1)));
    denied(w.olga.assign(NewAssignment::new(w.ellen.id, w.mga.id, w.cl.id, 1)));
    assert_eq!(err_code(&w.olga.order(req.id)), "PERMISSION_DENIED");
    assert_eq!(err_code(&w.olga.detail_of_use(req.id)), "PERMISSION_DENIED");
    assert_eq!(
        err_code(&w.olga.list(w.mga.id, &InventoryFilter::default(), None, 10)),
        "PERMISSION_DENIED"
    );
    assert_eq!(err_code(&w.olga.summary(w.ellen.id)), "PERMISSION_DENIED");
    // A child cannot look up the tree, nor act for its parent.
    assert_eq!(err_code(&w.erin.summary(w.mga.id)), "PERMISSION_DENIED");
    assert_eq!(err_code(&w.erin.order(req.id)), "PERMISSION_DENIED");
    assert_eq!(w.snapshot(), before);
    // Ancestors may read; the vendor may do everything.
    assert!(w.vera.order(req.id).is_ok());
    assert!(
        w.irina
            .list(w.elerome.id, &InventoryFilter::default(), None, 10)
            .is_ok()
    );
    assert!(w.vera.approve(req.id, Some(1), None).is_ok());
    w.assert_clean();
}

/// Parents have strictly higher tiers (skipping allowed), one vendor, deactivation.
fn tier_and_hierarchy_rules(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let mk = |name: &str, tier, parent| {
        w.inv.create_org(
            t,
            NewOrganization {
                name: name.into(),
                tier,
                parent,
            },
        )
    };
    // Skipping tiers is fine: a center directly under a reseller, a hub under the vendor.
    assert!(mk("Center B", Tier::Center, w.mga.id).is_ok());
    assert!(mk("Hub V", Tier::Hub, w.tenant.vendor).is_ok());
    let before = w.snapshot();
    assert_eq!(
        err_code(&mk("Up", Tier::Distributor, w.mga.id)),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(
        err_code(&mk("Same", Tier::Reseller, w.mga.id)),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(
        err_code(&mk("Vendor 2", Tier::Vendor, w.tenant.vendor)),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(
        err_code(&mk("Nowhere", Tier::Hub, OrgId::new())),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&w.inv.deactivate_org(t, w.tenant.vendor)),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(w.snapshot(), before);
    // Assign only to direct children.
    w.stock(&w.ellen, &w.cl, 5);
    assert_eq!(
        err_code(&w.irina.assign(NewAssignment::new(w.ellen.id, w.elerome.id, w.cl.id, 1))),
        "HIERARCHY_VIOLATION"
    );
    // A deactivated org keeps its orders but cannot request or receive.
    let deactivated = w.inv.deactivate_org(t, w.mga.id).unwrap();
    assert!(!deactivated.active);
    assert_eq!(
        err_code(&w.irina.assign(NewAssignment::new(w.ellen.id, w.mga.id, w.cl.id, 1))),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(
        err_code(&w.irina.request(NewRequest::new(w.mga.id, w.cl.id, 1))),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(
        err_code(&mk("Under dead", Tier::Center, w.mga.id)),
        "HIERARCHY_VIOLATION"
    );
    w.assert_clean();
}

/// Zero or absurd quantities, empty or oversized text, malformed emails, duplicates, unknown ids.
fn bad_input_is_refused(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let before = w.snapshot();
    let req = |q, po: Option<String>| {
        w.irina.request(NewRequest {
            holder: w.mga.id,
            product: w.cl.id,
            quantity: q,
            purchase_order: po,
            comments: None,
        })
    };
    assert_eq!(err_code(&req(0, None)), "INVALID_INPUT");
    assert_eq!(err_code(&req(MAX_QUANTITY + 1, None)), "INVALID_INPUT");
    assert_eq!(
        err_code(&req(1, Some("x".repeat(MAX_PURCHASE_ORDER + 1)))),
        "INVALID_INPUT"
    );
    let bad_user = |name: &str, email: &str| {
        w.inv.create_user(
            t,
            NewUser {
                name: name.into(),
                email: email.into(),
            },
        )
    };
    assert_eq!(err_code(&bad_user("", "a@b.example")), "INVALID_INPUT");
    assert_eq!(err_code(&bad_user("A", "not-an-email")), "INVALID_INPUT");
    assert!(matches!(
        bad_user("Irina Again", "IRINA@mga.example"),
        Err(Error::Conflict { .. })
    ));
    assert_eq!(
        err_code(&w.inv.create_product(
            t,
            NewProduct {
                code: "CL".into(),
                name: "Dup".into(),
                kind: ProductKind::License
            }
        )),
        "CONFLICT"
    );
    assert_eq!(
        err_code(&w.inv.create_product(
            t,
            NewProduct {
                code: "bad code!".into(),
                name: "X".into(),
                kind: ProductKind::License
            }
        )),
        "INVALID_INPUT"
    );
    assert_eq!(
        err_code(&w.irina.approve(OrderId::new(), None, None)),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&w.irina.order_by_number(OrderNumber(999_999))),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&w.irina.request(NewRequest::new(w.mga.id, ProductId::new(), 1))),
        "NOT_FOUND"
    );
    assert_eq!(err_code(&w.inv.session(t, UserId::new())), "NOT_FOUND");
    assert_eq!(
        err_code(&w.irina.list(w.mga.id, &InventoryFilter::default(), None, 0)),
        "INVALID_INPUT"
    );
    assert_eq!(
        err_code(&w.inv.create_tenant(NewTenant {
            name: " ".into(),
            plan: Plan::Standard,
            vendor_name: "V".into(),
            first_order_number: None
        })),
        "INVALID_INPUT"
    );
    assert_eq!(w.snapshot(), before, "bad input changed the store");
    w.assert_clean();
}

/// Ids of one tenant are unknown in another.
fn tenants_are_isolated(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let a = World::new(inv.clone(), 1);
    let b = World::new(inv, 1);
    a.stock(&a.ellen, &a.cl, 3);
    let req = request(&a.irina, &a.mga, &a.cl, 1, "");
    // Same order numbers in both tenants, never crossing.
    b.stock(&b.ellen, &b.cl, 3);
    let breq = request(&b.irina, &b.mga, &b.cl, 1, "");
    assert_eq!(req.number, breq.number);
    assert_eq!(err_code(&b.vera.approve(req.id, None, None)), "NOT_FOUND");
    assert_eq!(err_code(&b.vera.order(req.id)), "NOT_FOUND");
    assert_eq!(
        err_code(&b.vera.list(a.mga.id, &InventoryFilter::default(), None, 10)),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&b.inv.session(b.tenant.id, a.irina.user())),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&b.inv.create_org(
            b.tenant.id,
            NewOrganization {
                name: "Cross".into(),
                tier: Tier::Reseller,
                parent: a.ellen.id
            }
        )),
        "NOT_FOUND"
    );
    // A write to a tenant that does not exist is refused and writes nothing (on PostgreSQL
    // its group's `BEGIN` finds no tenant row to lock, docs/decisions.md §64).
    let nobody = TenantId::new();
    for _ in 0..2 {
        let refused = a.inv.create_user(
            nobody,
            NewUser {
                name: "Nobody".into(),
                email: "nobody@example.com".into(),
            },
        );
        assert_eq!(err_code(&refused), "NOT_FOUND", "{refused:?}");
    }
    let listed: Vec<TenantId> = a.inv.tenants().unwrap().iter().map(|t| t.id).collect();
    assert!(listed.contains(&a.tenant.id) && listed.contains(&b.tenant.id));
    assert!(!listed.contains(&nobody));
    // Each tenant's ledger holds its own entries, numbered from 1, whatever the other wrote in
    // between (the SQL stores key them by the tenant's range, docs/decisions.md §65); past its
    // last entry, and past any seq a ledger can hold, there is nothing.
    for w in [&a, &b] {
        let entries = w.inv.ledger(w.tenant.id, 0, MAX_PAGE).unwrap();
        let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
        assert!(seqs.len() > 3, "{seqs:?}");
        assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
        assert!(entries.iter().all(|e| e.tenant == w.tenant.id));
        let last = seqs.len() as u64;
        assert_eq!(w.inv.ledger(w.tenant.id, last - 1, 5).unwrap().len(), 1);
        for after in [last, 1 << 40, i64::MAX as u64] {
            assert_eq!(w.inv.ledger(w.tenant.id, after, 5).unwrap(), [], "after {after}");
        }
        let beyond = w.inv.ledger(w.tenant.id, u64::MAX, 5);
        assert_eq!(err_code(&beyond), "INVALID_INPUT", "{beyond:?}");
    }
    assert_eq!(err_code(&a.inv.ledger(nobody, 0, 5)), "NOT_FOUND");
    a.assert_clean();
    b.assert_clean();
}

/// For every permission and every operation it guards: a manager with only that permission
/// succeeds; a manager with every other permission is refused with the typed error, and
/// nothing changes.
fn permission_matrix(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::with_plan(inv, 1, Plan::Enterprise);
    let t = w.tenant.id;
    let floating = Floating {
        max_borrows: 100,
        max_borrow_seconds: 3600,
    };
    w.inv
        .set_product_policy(t, w.cl.id, policy(100, Validity::Perpetual, Some(floating)))
        .unwrap();
    let o = w.center_order(&w.cl, 200);
    let licenses = w.erin.issue(o.id, 50).unwrap();
    let bundle = w
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
    let next = std::cell::Cell::new(0usize);
    let fresh_license = || {
        let i = next.get();
        next.set(i + 1);
        licenses[i].clone()
    };
    let fresh_user = |s: &Session| {
        let i = next.get();
        next.set(i + 1);
        s.add_license_user(
            o.id,
            NewLicenseUser {
                email: format!("lu{i}@elerome.example"),
                ..Default::default()
            },
        )
    };
    let admin_user = || fresh_user(&w.erin).unwrap();
    let target = w.user("Grantee");
    let ops: Vec<(Permission, &str, Guarded<'_>)> = vec![
        (
            Permission::ManageLicenseUsers,
            "add user",
            Box::new(|s| fresh_user(s).map(drop)),
        ),
        (
            Permission::ManageLicenseUsers,
            "edit user",
            Box::new(|s| {
                let u = admin_user();
                s.edit_license_user(u.id, None, Some("Renamed".into()))
                    .map(drop)
            }),
        ),
        (
            Permission::ManageLicenseUsers,
            "delete user",
            Box::new(|s| s.delete_license_user(admin_user().id)),
        ),
        (
            Permission::ManageLicenseUsers,
            "assign license",
            Box::new(|s| {
                s.assign_license(fresh_license().id, Some(admin_user().id))
                    .map(drop)
            }),
        ),
        (
            Permission::ManageLicenseUserCredentials,
            "set password",
            Box::new(|s| s.set_license_user_password(admin_user().id, "correct horse")),
        ),
        (
            Permission::ManageManagers,
            "add manager",
            Box::new(|s| {
                s.add_license_manager(o.id, target.id, &[Permission::ManageManagers])
                    .map(drop)
            }),
        ),
        (
            Permission::ResetDevice,
            "reset device",
            Box::new(|s| {
                let l = fresh_license();
                w.inv.activate(t, l.key.as_str(), "pc", "PC").unwrap();
                s.reset_device(l.id, "pc").map(drop)
            }),
        ),
        (
            Permission::ResetLicense,
            "reset license",
            Box::new(|s| {
                let l = fresh_license();
                w.inv.activate(t, l.key.as_str(), "pc", "PC").unwrap();
                s.reset_license(l.id).map(drop)
            }),
        ),
        (
            Permission::BorrowLicense,
            "borrow",
            Box::new(|s| s.borrow(fresh_license().id, "desk", 60).map(drop)),
        ),
        (
            Permission::BorrowLicense,
            "return borrow",
            Box::new(|s| {
                let l = fresh_license();
                w.erin.borrow(l.id, "desk", 60).unwrap();
                s.return_borrow(l.id, "desk").map(drop)
            }),
        ),
        (
            Permission::CreateBundleOrder,
            "request bundle",
            Box::new(|s| {
                s.request_bundle(w.elerome.id, bundle.id, None, None)
                    .map(drop)
            }),
        ),
        (
            Permission::CreateOrder,
            "request",
            Box::new(|s| {
                s.request(NewRequest::new(w.elerome.id, w.cl.id, 1))
                .map(drop)
            }),
        ),
        (
            Permission::IssueLicense,
            "issue",
            Box::new(|s| s.issue(o.id, 1).map(drop)),
        ),
    ];
    for p in Permission::ALL {
        assert!(
            ops.iter().any(|(q, _, _)| *q == p),
            "{p} guards no tested operation"
        );
    }
    for (p, name, op) in &ops {
        let with = w.user(&format!("With {p} {name}"));
        let without = w.user(&format!("Without {p} {name}"));
        w.erin.add_license_manager(o.id, with.id, &[*p]).unwrap();
        let others: Vec<Permission> = Permission::ALL.into_iter().filter(|q| q != p).collect();
        w.erin
            .add_license_manager(o.id, without.id, &others)
            .unwrap();
        let before = w.snapshot();
        match op(&w.session(&without)) {
            Err(Error::PermissionDenied { actor, reason, .. }) => {
                assert_eq!(actor, without.id);
                assert!(reason.contains(p.as_str()), "{reason}");
            }
            other => panic!("{name} without {p}: expected PermissionDenied, got {other:?}"),
        }
        // Fixtures the op made as the admin are part of the op; compare only when it made
        // none: the refused op itself must not have written.
        let after = w.snapshot();
        if after.0.len() == before.0.len() {
            assert_eq!(after, before, "{name} without {p} changed the store");
        } else {
            let made_by_refused = after.0[before.0.len()..]
                .iter()
                .any(|e| e.actor == Some(without.id));
            assert!(!made_by_refused, "{name} without {p} wrote to the ledger");
        }
        op(&w.session(&with)).unwrap_or_else(|e| panic!("{name} with {p}: {e}"));
        // A user who manages nothing is refused too.
        let nobody = w.user(&format!("Nobody {p} {name}"));
        assert_eq!(err_code(&op(&w.session(&nobody))), "PERMISSION_DENIED");
    }
    w.assert_clean();
}

/// `create_order` and `issue_license` only on the enterprise plan; no manager grants what it
/// does not hold.
fn plan_and_escalation_rules(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let o = w.center_order(&w.cl, 3);
    let m = w.user("Manny Manager");
    for p in [Permission::CreateOrder, Permission::IssueLicense] {
        assert!(matches!(
            w.erin.add_license_manager(o.id, m.id, &[p]),
            Err(Error::PlanRequired { permission, .. }) if permission == p
        ));
    }
    let granted = w
        .erin
        .add_license_manager(
            o.id,
            m.id,
            &[Permission::ManageManagers, Permission::ResetDevice],
        )
        .unwrap();
    assert_eq!(granted.permissions.len(), 2);
    let manny = w.session(&m);
    let other = w.user("Otto Other");
    let before = w.snapshot();
    match manny.add_license_manager(o.id, other.id, &[Permission::ResetLicense]) {
        Err(Error::PermissionDenied {
            action: Action::ManageManagers,
            reason,
            ..
        }) => assert!(reason.contains("reset_license"), "{reason}"),
        r => panic!("escalation allowed: {r:?}"),
    }
    assert_eq!(w.snapshot(), before);
    let given = manny
        .add_license_manager(o.id, other.id, &[Permission::ResetDevice])
        .unwrap();
    assert_eq!(
        given.permissions.into_iter().collect::<Vec<_>>(),
        vec![Permission::ResetDevice]
    );
    // Managers are listed; an empty grant is bad input.
    assert_eq!(w.erin.license_managers(o.id).unwrap().len(), 2);
    assert_eq!(
        err_code(&w.erin.add_license_manager(o.id, m.id, &[])),
        "INVALID_INPUT"
    );
    // A manager sees its order but not the rest of the center's inventory.
    assert!(manny.order(o.id).is_ok());
    assert_eq!(
        err_code(&manny.list(w.elerome.id, &InventoryFilter::default(), None, 10)),
        "PERMISSION_DENIED"
    );
    w.assert_clean();
}
