//! The notification outbox.

use super::*;

suite!(
    notifications => __conformance_suite_notifications:
    notifications_outbox,
);

/// The outbox: a request notifies its requester, its source's admins and the vendor admins; a
/// decision notifies the requester; a new manager is invited (once). Notifications are written
/// with their change or not at all, come back until marked sent, and marking is all or none.
fn notifications_outbox(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1213);
    let t = w.tenant.id;
    let (vera, irina, erin) = (w.vera.user(), w.irina.user(), w.erin.user());
    let pending = |w: &World| w.inv.pending_notifications(t, MAX_PAGE).unwrap();
    let summary = |list: &[Notification]| -> Vec<(NotificationKind, UserId, u64)> {
        list.iter()
            .map(|n| (n.kind, n.recipient, n.digest.number.get()))
            .collect()
    };
    assert!(pending(&w).is_empty());

    // 1213: MGA Inc (Irina) requests 2 Center Licenses from Ellen Emporium (Irina too).
    let o1213 = request(&w.irina, &w.mga, &w.cl, 2, "20171019");
    let n = pending(&w);
    let mut received = [vera, irina];
    received.sort();
    let mut expected = vec![(NotificationKind::RequestConfirmation, irina, 1213)];
    expected.extend(
        received
            .iter()
            .map(|u| (NotificationKind::RequestReceived, *u, 1213)),
    );
    assert_eq!(summary(&n), expected);
    let seq = w.inv.ledger(t, 0, MAX_PAGE).unwrap().last().unwrap().seq;
    assert!(
        n.iter()
            .all(|x| x.seq == seq && x.order == o1213.id && x.sent_at.is_none())
    );
    let confirmation = &n[0];
    assert_eq!(confirmation.email, "irina@mga.example");
    assert_eq!(confirmation.name, "Irina Heer");
    assert_eq!(confirmation.digest.product_name, "Center License");
    assert_eq!(confirmation.digest.holder_name, "MGA Inc");
    assert_eq!(
        confirmation.digest.source_name.as_deref(),
        Some("Ellen Emporium")
    );
    assert_eq!(
        confirmation.digest.purchase_order.as_deref(),
        Some("20171019")
    );
    assert_eq!(
        confirmation.subject(),
        "Order 1213: your request for 2 Center License was received"
    );
    assert_eq!(
        n[1].subject(),
        "Order 1213: request for 2 Center License from MGA Inc"
    );

    // A refused approval (Ellen Emporium holds nothing) writes no notification.
    let before = pending(&w);
    assert_eq!(
        err_code(&w.irina.approve(o1213.id, None, None)),
        "INSUFFICIENT_INVENTORY"
    );
    assert_eq!(pending(&w), before);

    // Marking sent: all or none, unknown ids refused, repeats are no-ops.
    let ids: Vec<NotificationId> = before.iter().map(|n| n.id).collect();
    let mut with_unknown = ids.clone();
    with_unknown.push(NotificationId::new());
    assert_eq!(
        err_code(&w.inv.mark_notifications_sent(t, &with_unknown)),
        "NOT_FOUND"
    );
    // An id one bit away from a real one is not it (on SQLite it names the same row's key,
    // docs/decisions.md §72), nor is a real id of another tenant.
    let mut near = ids[0].as_uuid().into_bytes();
    near[15] ^= 1;
    let near = NotificationId::from_uuid(uuid::Uuid::from_bytes(near));
    assert_eq!(err_code(&w.inv.notification(t, near)), "NOT_FOUND");
    assert_eq!(
        err_code(&w.inv.mark_notifications_sent(t, &[near])),
        "NOT_FOUND"
    );
    let other = World::new(w.inv.clone(), 1);
    assert_eq!(
        err_code(&w.inv.notification(other.tenant.id, ids[0])),
        "NOT_FOUND"
    );
    assert_eq!(pending(&w), before);
    assert_eq!(w.inv.mark_notifications_sent(t, &ids[..1]).unwrap(), 1);
    assert_eq!(pending(&w), before[1..].to_vec());
    let sent_at = w.inv.notification(t, ids[0]).unwrap().sent_at;
    assert_eq!(sent_at, Some(seed_time()));
    assert_eq!(w.inv.mark_notifications_sent(t, &ids).unwrap(), 2);
    assert_eq!(w.inv.mark_notifications_sent(t, &ids).unwrap(), 0);
    assert!(pending(&w).is_empty());
    assert_eq!(w.inv.notification(t, ids[0]).unwrap().sent_at, sent_at);

    // Approval and rejection notify the requester.
    w.stock(&w.ellen, &w.cl, 5);
    let marked = |w: &World| {
        let ids: Vec<NotificationId> = pending(w).iter().map(|n| n.id).collect();
        w.inv.mark_notifications_sent(t, &ids).unwrap();
    };
    marked(&w);
    w.irina
        .approve(o1213.id, Some(1), Some("one for now".into()))
        .unwrap();
    let n = pending(&w);
    assert_eq!(
        summary(&n),
        vec![(NotificationKind::RequestApproved, irina, 1213)]
    );
    assert_eq!(n[0].digest.approved_quantity, 1);
    assert_eq!(
        n[0].digest.approval_comments.as_deref(),
        Some("one for now")
    );
    assert_eq!(
        n[0].subject(),
        "Order 1213: your request was approved (1 of 2 Center License)"
    );
    marked(&w);
    let o = request(&w.erin, &w.elerome, &w.cl, 1, "E-1");
    let n = pending(&w);
    assert_eq!(n[0].kind, NotificationKind::RequestConfirmation);
    assert_eq!(n[0].recipient, erin);
    // Elerome's source is MGA Inc (Irina), plus the vendor admin.
    assert_eq!(
        n[1..]
            .iter()
            .map(|x| x.recipient)
            .collect::<std::collections::BTreeSet<_>>(),
        [vera, irina].into_iter().collect()
    );
    marked(&w);
    w.irina.reject(o.id, None).unwrap();
    assert_eq!(
        summary(&pending(&w)),
        vec![(NotificationKind::RequestRejected, erin, o.number.get())]
    );
    marked(&w);

    // A new license manager is invited, with the permissions granted; more permissions later
    // are not a new invitation.
    let held = w.center_order(&w.cl, 2);
    marked(&w);
    let lena = w.user("Lena Manager");
    w.erin
        .add_license_manager(held.id, lena.id, &[Permission::ResetDevice])
        .unwrap();
    let n = pending(&w);
    assert_eq!(
        summary(&n),
        vec![(
            NotificationKind::ManagerInvitation,
            lena.id,
            held.number.get()
        )]
    );
    assert_eq!(n[0].permissions, vec![Permission::ResetDevice]);
    assert_eq!(n[0].email, lena.email);
    marked(&w);
    w.erin
        .add_license_manager(held.id, lena.id, &[Permission::ResetLicense])
        .unwrap();
    assert!(pending(&w).is_empty());

    // Another tenant sees none of them.
    let other = w
        .inv
        .create_tenant(NewTenant {
            name: "Other".into(),
            plan: Plan::Standard,
            vendor_name: "Other".into(),
            first_order_number: None,
        })
        .unwrap();
    assert_eq!(err_code(&w.inv.notification(other.id, ids[0])), "NOT_FOUND");
    assert_eq!(
        err_code(&w.inv.mark_notifications_sent(other.id, &ids)),
        "NOT_FOUND"
    );
    assert!(
        w.inv
            .pending_notifications(other.id, 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        err_code(&w.inv.pending_notifications(t, 0)),
        "INVALID_INPUT"
    );
    w.assert_clean();
}
