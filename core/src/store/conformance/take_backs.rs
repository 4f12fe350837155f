//! Taking things back: admin roles, deactivations, the plan, products and license managers.
//! Each operation succeeds with one ledger entry, is refused (changing nothing) where it would
//! break a rule, and changes nothing when already done (docs/rules.md §1, §2, §5).

use super::*;

suite!(
    take_backs => __conformance_suite_take_backs:
    revoke_an_admin_role,
    reactivate_an_organization,
    deactivate_and_reactivate_a_user,
    change_the_plan,
    rename_and_retire_a_product,
    change_and_remove_a_license_manager,
);

/// The newest ledger entry.
fn newest(w: &World) -> LedgerEntry {
    w.snapshot().0.pop().unwrap()
}

/// Runs `refused`, which must fail with `code`, and checks it changed nothing.
fn refused<T: std::fmt::Debug>(w: &World, code: &str, refused: impl FnOnce() -> Result<T>) -> Error {
    let before = w.snapshot();
    let err = refused().unwrap_err();
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(w.snapshot(), before, "a refused take-back changed something");
    err
}

/// Runs `again` (the take-back already done) and checks it recorded nothing.
fn no_op<T: std::fmt::Debug>(w: &World, again: impl FnOnce() -> Result<T>) {
    let before = w.snapshot();
    again().unwrap();
    assert_eq!(w.snapshot(), before, "doing it again changed something");
}

fn revoke_an_admin_role(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let erin = w.erin.user();
    assert!(w.erin.summary(w.elerome.id).is_ok());
    w.inv.revoke_admin(t, erin, w.elerome.id).unwrap();
    let entry = newest(&w);
    assert_eq!((entry.kind, entry.org), (LedgerKind::AdminRevoked, Some(w.elerome.id)));
    assert_eq!(err_code(&w.erin.summary(w.elerome.id)), "PERMISSION_DENIED");
    assert!(w.vera.org_admins(w.elerome.id).unwrap().is_empty());
    no_op(&w, || w.inv.revoke_admin(t, erin, w.elerome.id));

    // The vendor keeps an admin.
    let vera = w.vera.user();
    let err = refused(&w, "HIERARCHY_VIOLATION", || {
        w.inv.revoke_admin(t, vera, w.tenant.vendor)
    });
    assert!(err.to_string().contains("last admin"), "{err}");
    let second = w.user("Second Vendor");
    w.inv.grant_admin(t, second.id, w.tenant.vendor).unwrap();
    w.inv.revoke_admin(t, vera, w.tenant.vendor).unwrap();
    assert_eq!(err_code(&w.vera.summary(w.ellen.id)), "PERMISSION_DENIED");
    let missing = UserId::from_uuid(uuid::Uuid::nil());
    refused(&w, "NOT_FOUND", || w.inv.revoke_admin(t, missing, w.ellen.id));
    w.assert_clean();
}

fn reactivate_an_organization(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    w.stock(&w.ellen, &w.cl, 10);
    w.inv.deactivate_org(t, w.mga.id).unwrap();
    w.inv.deactivate_org(t, w.elerome.id).unwrap();
    assert_eq!(
        err_code(&w.irina.request(NewRequest::new(w.mga.id, w.cl.id, 1))),
        "HIERARCHY_VIOLATION"
    );
    // A center under a deactivated reseller waits for its parent.
    refused(&w, "HIERARCHY_VIOLATION", || w.inv.reactivate_org(t, w.elerome.id));
    let mga = w.inv.reactivate_org(t, w.mga.id).unwrap();
    assert!(mga.active);
    let entry = newest(&w);
    assert_eq!((entry.kind, entry.org), (LedgerKind::OrgReactivated, Some(w.mga.id)));
    w.irina
        .request(NewRequest::new(w.mga.id, w.cl.id, 1))
        .unwrap();
    assert!(w.inv.reactivate_org(t, w.elerome.id).unwrap().active);
    no_op(&w, || w.inv.reactivate_org(t, w.elerome.id));
    w.assert_clean();
}

fn deactivate_and_reactivate_a_user(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let order = w.center_order(&w.cl, 5);
    let erin = w.erin.user();
    // Olga manages Elerome's order too: a deactivated user keeps neither role nor permission.
    w.erin
        .add_license_manager(order.id, w.olga.user(), &[Permission::ResetDevice])
        .unwrap();
    let user = w.inv.deactivate_user(t, erin).unwrap();
    assert!(!user.active);
    assert_eq!(newest(&w).kind, LedgerKind::UserDeactivated);
    let err = w.erin.summary(w.elerome.id).unwrap_err();
    assert_eq!(err.code(), "PERMISSION_DENIED");
    assert!(err.to_string().contains("deactivated"), "{err}");
    assert_eq!(err_code(&w.erin.issue(order.id, 1)), "PERMISSION_DENIED");
    // Roles stay on record.
    assert_eq!(w.vera.roles_of(erin).unwrap().len(), 1);
    assert!(!w.vera.find_user(erin).unwrap().active);
    let olga = w.olga.user();
    w.inv.deactivate_user(t, olga).unwrap();
    assert_eq!(err_code(&w.olga.order(order.id)), "PERMISSION_DENIED");
    no_op(&w, || w.inv.deactivate_user(t, erin));

    assert!(w.inv.reactivate_user(t, erin).unwrap().active);
    assert_eq!(newest(&w).kind, LedgerKind::UserReactivated);
    w.erin.issue(order.id, 1).unwrap();
    w.inv.reactivate_user(t, olga).unwrap();
    assert!(w.olga.order(order.id).is_ok());

    // The vendor keeps an active admin.
    let vera = w.vera.user();
    refused(&w, "HIERARCHY_VIOLATION", || w.inv.deactivate_user(t, vera));
    w.assert_clean();
}

fn change_the_plan(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::with_plan(inv, 1, Plan::Enterprise);
    let t = w.tenant.id;
    let order = w.center_order(&w.cl, 5);
    let lena = w.user("Lena Manager");
    w.erin
        .add_license_manager(order.id, lena.id, &[Permission::IssueLicense])
        .unwrap();
    let lena = w.session(&lena);
    lena.issue(order.id, 1).unwrap();

    let tenant = w.inv.change_plan(t, Plan::Standard).unwrap();
    assert_eq!(tenant.plan, Plan::Standard);
    assert_eq!(w.inv.tenant(t).unwrap(), tenant);
    assert_eq!(newest(&w).kind, LedgerKind::PlanChanged);
    // Granted enterprise-only permissions stay on record and are not honoured.
    assert_eq!(err_code(&lena.issue(order.id, 1)), "PLAN_REQUIRED");
    let managers = w.erin.license_managers(order.id).unwrap();
    assert!(managers[0].permissions.contains(&Permission::IssueLicense));
    let other = w.user("Otto Other");
    refused(&w, "PLAN_REQUIRED", || {
        w.erin
            .add_license_manager(order.id, other.id, &[Permission::CreateOrder])
    });
    no_op(&w, || w.inv.change_plan(t, Plan::Standard));
    let missing = TenantId::from_uuid(uuid::Uuid::nil());
    assert_eq!(err_code(&w.inv.change_plan(missing, Plan::Enterprise)), "NOT_FOUND");

    w.inv.change_plan(t, Plan::Enterprise).unwrap();
    lena.issue(order.id, 1).unwrap();
    w.assert_clean();
}

fn rename_and_retire_a_product(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    w.stock(&w.ellen, &w.uac, 10);
    let pending = w
        .irina
        .request(NewRequest::new(w.mga.id, w.uac.id, 2))
        .unwrap();

    let renamed = w.inv.rename_product(t, w.cl.id, "  Classroom License ").unwrap();
    assert_eq!(renamed.name, "Classroom License");
    assert_eq!(newest(&w).kind, LedgerKind::ProductRenamed);
    assert_eq!(w.erin.product(w.cl.id).unwrap().name, "Classroom License");
    refused(&w, "INVALID_INPUT", || w.inv.rename_product(t, w.cl.id, " "));
    no_op(&w, || w.inv.rename_product(t, w.cl.id, "Classroom License"));

    let retired = w.inv.retire_product(t, w.uac.id).unwrap();
    assert!(retired.retired);
    assert_eq!(newest(&w).kind, LedgerKind::ProductRetired);
    let err = refused(&w, "INVALID_INPUT", || {
        w.irina.request(NewRequest::new(w.mga.id, w.uac.id, 1))
    });
    assert!(err.to_string().contains("User Activation Codes"), "{err}");
    refused(&w, "INVALID_INPUT", || {
        w.irina
            .assign(NewAssignment::new(w.ellen.id, w.mga.id, w.uac.id, 1))
    });
    refused(&w, "INVALID_INPUT", || w.vera.mint(NewMint::new(w.uac.id, 1)));
    // Existing orders are untouched: the pending request can still be approved.
    let approved = w.irina.approve(pending.id, None, None).unwrap();
    assert_eq!(approved.status, OrderStatus::Active);
    no_op(&w, || w.inv.retire_product(t, w.uac.id));
    let missing = ProductId::from_uuid(uuid::Uuid::nil());
    refused(&w, "NOT_FOUND", || w.inv.retire_product(t, missing));
    refused(&w, "NOT_FOUND", || w.inv.rename_product(t, missing, "Gone"));
    w.assert_clean();
}

fn change_and_remove_a_license_manager(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let order = w.center_order(&w.cl, 5);
    let (mona, lena) = (w.user("Mona Manager"), w.user("Lena Manager"));
    w.erin
        .add_license_manager(
            order.id,
            mona.id,
            &[Permission::ManageManagers, Permission::ResetDevice],
        )
        .unwrap();
    let mona_s = w.session(&mona);
    mona_s
        .add_license_manager(order.id, lena.id, &[Permission::ResetDevice])
        .unwrap();

    // An admin of the holder changes any permission.
    let m = w
        .erin
        .set_license_manager_permissions(
            order.id,
            lena.id,
            &[Permission::ResetDevice, Permission::ResetLicense],
        )
        .unwrap();
    assert_eq!(m.permissions.len(), 2);
    let entry = newest(&w);
    assert_eq!((entry.kind, entry.order), (LedgerKind::ManagerChanged, Some(order.id)));
    // A manager may neither grant nor take away what it does not hold.
    let err = refused(&w, "PERMISSION_DENIED", || {
        mona_s.set_license_manager_permissions(order.id, lena.id, &[Permission::ResetDevice])
    });
    assert!(err.to_string().contains("take away the reset_license"), "{err}");
    refused(&w, "PERMISSION_DENIED", || {
        mona_s.set_license_manager_permissions(
            order.id,
            mona.id,
            &[Permission::ManageManagers, Permission::BorrowLicense],
        )
    });
    refused(&w, "PERMISSION_DENIED", || mona_s.remove_license_manager(order.id, lena.id));
    refused(&w, "INVALID_INPUT", || {
        w.erin.set_license_manager_permissions(order.id, lena.id, &[])
    });
    no_op(&w, || {
        w.erin.set_license_manager_permissions(
            order.id,
            lena.id,
            &[Permission::ResetLicense, Permission::ResetDevice],
        )
    });
    // Within its own permissions it may.
    w.erin
        .set_license_manager_permissions(order.id, lena.id, &[Permission::ResetDevice])
        .unwrap();
    mona_s.remove_license_manager(order.id, lena.id).unwrap();
    let entry = newest(&w);
    assert_eq!((entry.kind, entry.order), (LedgerKind::ManagerRemoved, Some(order.id)));
    let left: Vec<UserId> = w
        .erin
        .license_managers(order.id)
        .unwrap()
        .iter()
        .map(|m| m.user)
        .collect();
    assert_eq!(left, [mona.id]);
    refused(&w, "NOT_FOUND", || w.erin.remove_license_manager(order.id, lena.id));
    assert_eq!(err_code(&w.olga.remove_license_manager(order.id, mona.id)), "PERMISSION_DENIED");
    w.assert_clean();
}
