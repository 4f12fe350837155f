//! Every refusal names the refused action and its actor (docs/decisions.md §50): one case per
//! error kind a caller can be refused with, through the public API.

use super::*;

suite!(
    refusals => __conformance_suite_refusals:
    every_refusal_names_action_and_actor,
    host_refusals_name_the_action_and_no_user,
    a_batch_refusal_names_its_command_action,
);

/// `err` names `action` by `actor` in its typed fields and at the end of its message (a
/// permission refusal says it at the start: "user … may not …").
fn names(err: &Error, code: &str, action: Action, actor: Option<UserId>) {
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(err.action(), Some(action), "{code}: {err}");
    assert_eq!(err.actor(), actor, "{code}: {err}");
    let text = err.to_string();
    match (err.command_error(), actor) {
        (Error::PermissionDenied { .. }, Some(user)) => assert!(
            text.starts_with(&format!("user {user} may not {action}: ")),
            "{text}"
        ),
        (_, Some(user)) => assert!(
            text.ends_with(&format!("(refused: {action} by user {user})")),
            "{text}"
        ),
        (_, None) => assert!(
            text.ends_with(&format!("(refused: {action} by the host application)")),
            "{text}"
        ),
    }
}

/// One refusal of each kind a session can meet: its code, its action, its user, and nothing
/// written.
fn every_refusal_names_action_and_actor(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let irina = Some(w.irina.user());
    let erin = Some(w.erin.user());
    let floating = Floating {
        max_borrows: 1,
        max_borrow_seconds: 60,
    };
    w.inv
        .set_product_policy(t, w.cl.id, policy(1, Validity::Perpetual, Some(floating)))
        .unwrap();
    let order = w.center_order(&w.cl, 4);
    let ls = w.erin.issue(order.id, 2).unwrap();
    w.erin.borrow(ls[0].id, "ann", 60).unwrap();
    let uac = w.center_order(&w.uac, 1);
    let codes = w.erin.issue(uac.id, 1).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    let mut check = |err: Error, code: &str, action: Action, actor: Option<UserId>| {
        names(&err, code, action, actor);
        kinds.insert(code.to_owned());
    };

    // INVALID_INPUT: checked before the command runs, still named.
    let bad = w
        .irina
        .request(NewRequest::new(w.mga.id, w.cl.id, 0))
        .unwrap_err();
    check(bad, "INVALID_INPUT", Action::Request, irina);
    // NOT_FOUND, on a read.
    let missing = w
        .irina
        .order_by_number(OrderNumber(9_999))
        .unwrap_err();
    check(missing, "NOT_FOUND", Action::View, irina);
    // PERMISSION_DENIED.
    let denied = w
        .erin
        .mint(NewMint::new(w.cl.id, 5))
        .unwrap_err();
    check(denied, "PERMISSION_DENIED", Action::Mint, erin);
    // INSUFFICIENT_INVENTORY: Ellen holds nothing of the activation codes.
    let ask = w
        .irina
        .request(NewRequest::new(w.mga.id, w.uac.id, 5))
        .unwrap();
    let short = w.irina.approve(ask.id, None, None).unwrap_err();
    check(short, "INSUFFICIENT_INVENTORY", Action::Approve, irina);
    // INVALID_STATE: a cancelled request cannot be approved.
    w.irina.cancel(ask.id).unwrap();
    let state = w.irina.approve(ask.id, None, None).unwrap_err();
    check(state, "INVALID_STATE", Action::Approve, irina);
    // HIERARCHY_VIOLATION: the vendor has no parent to request from.
    let vendor = w
        .vera
        .request(NewRequest::new(w.tenant.vendor, w.cl.id, 1))
        .unwrap_err();
    check(
        vendor,
        "HIERARCHY_VIOLATION",
        Action::Request,
        Some(w.vera.user()),
    );
    // CONFLICT: a license user's email twice on one order.
    let lu = NewLicenseUser {
        email: "ann@example.com".into(),
        name: None,
        password: None,
    };
    w.erin.add_license_user(order.id, lu.clone()).unwrap();
    let twice = w.erin.add_license_user(order.id, lu).unwrap_err();
    check(twice, "CONFLICT", Action::ManageLicenseUsers, erin);
    // MISTYPED_KEY, on a read by key.
    let key = ls[1].key.to_string();
    let mut typo: Vec<char> = key.chars().collect();
    typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    check(
        w.erin.license(&typo).unwrap_err(),
        "MISTYPED_KEY",
        Action::View,
        erin,
    );
    // BORROW_LIMIT: one open borrow at most.
    let full = w.erin.borrow(ls[0].id, "bob", 60).unwrap_err();
    check(full, "BORROW_LIMIT", Action::Borrow, erin);
    // LICENSE_UNUSABLE: an activation code cannot be borrowed.
    let code = w.erin.borrow(codes[0].id, "bob", 60).unwrap_err();
    check(code, "LICENSE_UNUSABLE", Action::Borrow, erin);
    // PLAN_REQUIRED: create_order needs the enterprise plan.
    let plan = w
        .erin
        .add_license_manager(order.id, w.irina.user(), &[Permission::CreateOrder])
        .unwrap_err();
    check(plan, "PLAN_REQUIRED", Action::ManageManagers, erin);
    // ORDER_IN_USE: Ellen's stock still feeds MGA's order.
    let stock = w.stock(&w.ellen, &w.uac, 3);
    w.irina
        .assign(NewAssignment::new(w.ellen.id, w.mga.id, w.uac.id, 2))
        .unwrap();
    let before_delete = w.snapshot();
    let in_use = w.irina.delete_order(stock.id).unwrap_err();
    check(in_use, "ORDER_IN_USE", Action::DeleteOrder, irina);
    assert_eq!(w.snapshot(), before_delete, "a refusal writes nothing");
    // ACTIVATION_LIMIT: the host's own call (a device), named with no user.
    w.inv.activate(t, &key, "pc-1", "PC 1").unwrap();
    let limit = w.inv.activate(t, &key, "pc-2", "PC 2").unwrap_err();
    check(limit, "ACTIVATION_LIMIT", Action::Activate, None);

    let expected: std::collections::BTreeSet<String> = [
        "INVALID_INPUT",
        "NOT_FOUND",
        "PERMISSION_DENIED",
        "INSUFFICIENT_INVENTORY",
        "INVALID_STATE",
        "HIERARCHY_VIOLATION",
        "CONFLICT",
        "MISTYPED_KEY",
        "ACTIVATION_LIMIT",
        "BORROW_LIMIT",
        "LICENSE_UNUSABLE",
        "PLAN_REQUIRED",
        "ORDER_IN_USE",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(kinds, expected, "every refusal kind is checked");
    w.assert_clean();
}

/// The host application's own calls (setting the tenant up) name their action and no user.
fn host_refusals_name_the_action_and_no_user(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let before = w.snapshot();
    let dup = w
        .inv
        .create_user(
            t,
            NewUser {
                name: "Irina again".into(),
                email: w.inv.user(t, w.irina.user()).unwrap().email,
            },
        )
        .unwrap_err();
    names(&dup, "CONFLICT", Action::CreateUser, None);
    let tier = w
        .inv
        .create_org(
            t,
            NewOrganization {
                name: "Upside Down".into(),
                tier: Tier::Distributor,
                parent: w.mga.id,
            },
        )
        .unwrap_err();
    names(&tier, "HIERARCHY_VIOLATION", Action::CreateOrg, None);
    let last = w
        .inv
        .revoke_admin(t, w.vera.user(), w.tenant.vendor)
        .unwrap_err();
    assert_eq!(last.action(), Some(Action::RevokeAdmin), "{last}");
    assert_eq!(last.actor(), None, "{last}");
    let nameless = w.inv.rename_product(t, w.cl.id, " ").unwrap_err();
    names(&nameless, "INVALID_INPUT", Action::RenameProduct, None);
    assert_eq!(w.snapshot(), before, "a refusal writes nothing");
}

/// A batch's failing command is named by its own action (not "batch"), with the batch's
/// index; the batch's own check (its size) is named "batch".
fn a_batch_refusal_names_its_command_action(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let irina = Some(w.irina.user());
    let ask = w
        .irina
        .request(NewRequest::new(w.mga.id, w.cl.id, 5))
        .unwrap();
    let err = w
        .irina
        .batch(&[
            BatchCommand::Cancel { order: ask.id },
            BatchCommand::Approve {
                order: ask.id,
                quantity: None,
                comments: None,
            },
        ])
        .unwrap_err();
    assert_eq!(err.batch_index(), Some(1));
    names(err.command_error(), "INVALID_STATE", Action::Approve, irina);
    assert_eq!((err.action(), err.actor()), (Some(Action::Approve), irina));
    assert!(
        err.to_string()
            .ends_with(&format!("(refused: approve by user {})", w.irina.user())),
        "{err}"
    );
    let empty = w.irina.batch(&[]).unwrap_err();
    names(&empty, "INVALID_INPUT", Action::Batch, irina);
}
