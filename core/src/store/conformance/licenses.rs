//! Licenses and activation codes: lifecycle, redemption, floating borrows.

use super::*;

suite!(
    licenses => __conformance_suite_licenses:
    license_lifecycle,
    activation_codes_redeem_once,
    floating_borrows_are_bounded,
);

/// Issue, activate up to the limit, deactivate, reset, disable/enable, revoke, expiry.
fn license_lifecycle(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    w.inv
        .set_product_policy(
            t,
            w.cl.id,
            policy(2, Validity::DaysFromActivation(30), None),
        )
        .unwrap();
    let o = w.center_order(&w.cl, 5);
    // Only what the order holds can be issued; a pending request cannot issue.
    assert!(matches!(
        w.erin.issue(o.id, 6),
        Err(Error::InsufficientInventory {
            available: 5,
            requested: 6, .. })
    ));
    let pending = request(&w.erin, &w.elerome, &w.cl, 1, "");
    assert_eq!(err_code(&w.erin.issue(pending.id, 1)), "INVALID_STATE");
    let ls = w.erin.issue(o.id, 3).unwrap();
    assert_eq!(ls.len(), 3);
    assert!(
        ls.iter()
            .all(|l| l.status == LicenseStatus::Issued && !l.is_code)
    );
    let order = w.erin.order(o.id).unwrap().order;
    assert_eq!((order.issued, order.available), (3, 2));
    let key = ls[0].key.to_string();
    // A mistyped key is refused before any lookup.
    let mut typo: Vec<char> = key.chars().collect();
    typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    assert_eq!(
        err_code(&w.inv.activate(t, &typo, "pc-1", "PC 1")),
        "MISTYPED_KEY"
    );
    // Activate on two devices; the third is refused; repeating a device changes nothing.
    let a = w.inv.activate(t, &key, "pc-1", "Front desk").unwrap();
    assert_eq!((a.status, a.activations.len()), (LicenseStatus::Active, 1));
    assert_eq!(a.expires_at, Some(seed_time() + TimeDelta::days(30)));
    w.inv
        .activate(t, &key.to_lowercase(), "pc-2", "Lab")
        .unwrap();
    assert_eq!(
        w.inv
            .activate(t, &key, "pc-1", "Front desk")
            .unwrap()
            .activations
            .len(),
        2
    );
    assert!(matches!(
        w.inv.activate(t, &key, "pc-3", "Spare"),
        Err(Error::ActivationLimit { max: 2, .. })
    ));
    // Deactivate (end user), reset device and reset license (admin).
    assert_eq!(
        w.inv.deactivate(t, &key, "pc-2").unwrap().activations.len(),
        1
    );
    assert_eq!(
        err_code(&w.inv.deactivate(t, &key, "pc-2")),
        "INVALID_INPUT"
    );
    w.inv.activate(t, &key, "pc-3", "Spare").unwrap();
    assert_eq!(
        w.erin
            .reset_device(ls[0].id, "pc-1")
            .unwrap()
            .activations
            .len(),
        1
    );
    assert!(
        w.erin
            .reset_license(ls[0].id)
            .unwrap()
            .activations
            .is_empty()
    );
    // Disable and enable.
    w.erin.disable(ls[0].id).unwrap();
    assert_eq!(
        err_code(&w.inv.activate(t, &key, "pc-1", "PC")),
        "LICENSE_UNUSABLE"
    );
    assert_eq!(err_code(&w.inv.check_license(t, &key)), "LICENSE_UNUSABLE");
    // A refused enable names its own action (it once said "disable").
    match w.olga.enable(ls[0].id) {
        Err(Error::PermissionDenied { action, .. }) => assert_eq!(action, Action::Enable),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        w.erin.enable(ls[0].id).unwrap().status,
        LicenseStatus::Active
    );
    // Revoke: a used license cannot be; an unused one returns its unit.
    assert_eq!(err_code(&w.erin.revoke(ls[0].id)), "LICENSE_UNUSABLE");
    w.erin.issue(o.id, 2).unwrap();
    assert_eq!(
        w.erin.order(o.id).unwrap().order.status,
        OrderStatus::Depleted
    );
    let back = w.erin.revoke(ls[1].id).unwrap();
    assert_eq!(
        (back.status, back.available, back.issued),
        (OrderStatus::Active, 1, 4)
    );
    assert_eq!(err_code(&w.erin.revoke(ls[1].id)), "NOT_FOUND");
    // Expiry: 30 days after the first activation.
    assert!(w.inv.check_license(t, &key).is_ok());
    w.advance(31 * 24 * 60);
    assert_eq!(err_code(&w.inv.check_license(t, &key)), "LICENSE_UNUSABLE");
    // Another branch cannot touch the licenses.
    assert_eq!(
        err_code(&w.olga.reset_license(ls[0].id)),
        "PERMISSION_DENIED"
    );
    assert_eq!(err_code(&w.olga.license(&key)), "PERMISSION_DENIED");
    assert_eq!(w.erin.license(&key).unwrap().id, ls[0].id);
    w.assert_clean();
}

/// An activation code is redeemed once.
fn activation_codes_redeem_once(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let o = w.center_order(&w.uac, 2);
    let codes = w.erin.issue(o.id, 2).unwrap();
    assert!(codes.iter().all(|c| c.is_code));
    let code = codes[0].key.to_string();
    assert_eq!(
        err_code(&w.inv.activate(t, &code, "pc", "PC")),
        "LICENSE_UNUSABLE"
    );
    let r = w.inv.redeem(t, &code, "student@elerome.example").unwrap();
    assert_eq!(
        (r.status, r.activated_at),
        (LicenseStatus::Active, Some(seed_time()))
    );
    assert_eq!(
        err_code(&w.inv.redeem(t, &code, "someone@else.example")),
        "LICENSE_UNUSABLE"
    );
    assert_eq!(err_code(&w.erin.revoke(codes[0].id)), "LICENSE_UNUSABLE");
    w.assert_clean();
}

/// Floating licenses: bounded concurrent borrows of bounded duration.
fn floating_borrows_are_bounded(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let bad = LicensePolicy {
        max_activations: 0,
        ..LicensePolicy::default()
    };
    let new = |code: &str| NewProduct {
        code: code.into(),
        name: "Floating Seat".into(),
        kind: ProductKind::License,
    };
    assert_eq!(
        err_code(&w.inv.create_product_with_policy(t, new("FS"), bad)),
        "INVALID_INPUT"
    );
    let floating = Floating {
        max_borrows: 2,
        max_borrow_seconds: 3600,
    };
    let seat = w
        .inv
        .create_product_with_policy(t, new("FS"), policy(1, Validity::Perpetual, Some(floating)))
        .unwrap();
    assert_eq!(
        w.inv.product(t, seat.id).unwrap().policy.floating,
        Some(floating)
    );
    w.inv
        .set_product_policy(t, w.cl.id, policy(1, Validity::Perpetual, Some(floating)))
        .unwrap();
    let o = w.center_order(&w.cl, 1);
    let l = w.erin.issue(o.id, 1).unwrap().remove(0);
    assert_eq!(w.erin.borrow(l.id, "desk-1", 600).unwrap().borrows.len(), 1);
    assert_eq!(
        w.erin.borrow(l.id, "desk-2", 3600).unwrap().borrows.len(),
        2
    );
    assert_eq!(err_code(&w.erin.borrow(l.id, "desk-3", 60)), "BORROW_LIMIT");
    assert_eq!(
        err_code(&w.erin.borrow(l.id, "desk-1", 3601)),
        "BORROW_LIMIT"
    );
    assert_eq!(
        w.erin.return_borrow(l.id, "desk-1").unwrap().borrows.len(),
        1
    );
    assert_eq!(
        err_code(&w.erin.return_borrow(l.id, "desk-1")),
        "INVALID_INPUT"
    );
    // Borrows end by themselves.
    w.advance(61);
    assert_eq!(w.erin.borrow(l.id, "desk-3", 60).unwrap().borrows.len(), 1);
    // A license that is not floating cannot be borrowed.
    let plain = w.center_order(&w.uac, 1);
    let code = w.erin.issue(plain.id, 1).unwrap().remove(0);
    assert_eq!(
        err_code(&w.erin.borrow(code.id, "x", 10)),
        "LICENSE_UNUSABLE"
    );
    w.assert_clean();
}
