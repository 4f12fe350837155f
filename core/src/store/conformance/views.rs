//! Lists, filters, summaries and the detail of use.

use super::*;

suite!(
    views => __conformance_suite_views:
    list_filters_and_pagination,
    summary_figures,
    detail_of_use_lists_draws,
    non_ascii_text_is_kept_and_searched_alike,
    approval_queue_holds_the_requests_addressed_to_the_org,
    supplied_orders_are_those_drawn_from_the_org,
);

/// Filters (status, product, number, purchase order, dates) and cursor pagination, newest first.
fn list_filters_and_pagination(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 100);
    w.stock(&w.ellen, &w.cl, 1000);
    w.stock(&w.ellen, &w.uac, 1000);
    let mut made = Vec::new();
    for i in 0..25u64 {
        w.advance(60);
        let p = if i % 2 == 0 { &w.cl } else { &w.uac };
        let o = request(&w.irina, &w.mga, p, i + 1, &format!("PO-{i:02}-x"));
        if i % 3 == 0 {
            w.irina.approve(o.id, None, None).unwrap();
        }
        made.push(o);
    }
    let all = InventoryFilter::default();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = w.irina.list(w.mga.id, &all, cursor, 10).unwrap();
        assert!(page.items.len() <= 10);
        seen.extend(page.items.iter().map(|d| d.order.number));
        match page.next {
            Some(c) => {
                // The cursor survives a round trip through its text form.
                cursor = Some(c.to_string().parse().unwrap());
            }
            None => break,
        }
    }
    let mut expected: Vec<_> = made.iter().map(|o| o.number).collect();
    expected.reverse();
    assert_eq!(seen, expected);

    let count = |f: &InventoryFilter| w.irina.list(w.mga.id, f, None, 100).unwrap().items.len();
    let active = InventoryFilter {
        statuses: vec![OrderStatus::Active],
        ..Default::default()
    };
    assert_eq!(count(&active), 9);
    let pending_cl = InventoryFilter {
        statuses: vec![OrderStatus::Requested],
        products: vec![w.cl.id],
        ..Default::default()
    };
    assert_eq!(count(&pending_cl), 8);
    let po = InventoryFilter {
        purchase_order: Some("po-1".into()),
        ..Default::default()
    };
    assert_eq!(count(&po), 10);
    let num = InventoryFilter {
        order_number: Some(made[3].number),
        ..Default::default()
    };
    let one = w.irina.list(w.mga.id, &num, None, 5).unwrap();
    assert_eq!(one.items.len(), 1);
    assert_eq!(one.items[0].order.id, made[3].id);
    let window = InventoryFilter {
        requested_from: Some(made[5].requested_at),
        requested_to: Some(made[10].requested_at),
        ..Default::default()
    };
    assert_eq!(count(&window), 5);
    assert_eq!(
        "garbage"
            .parse::<Cursor>()
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("INVALID_INPUT")
    );
}

/// Summary: held, available, pending outgoing, incoming awaiting approval.
fn summary_figures(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.cl, 20);
    let a = request(&w.irina, &w.mga, &w.cl, 5, "");
    w.irina.approve(a.id, None, None).unwrap();
    request(&w.irina, &w.mga, &w.cl, 2, "");
    request(&w.irina, &w.mga, &w.cl, 3, "");
    request(&w.erin, &w.elerome, &w.cl, 4, "");
    w.irina
        .assign(NewAssignment::new(w.mga.id, w.elerome.id, w.cl.id, 1))
        .unwrap();
    let s = w.irina.summary(w.mga.id).unwrap();
    assert_eq!(s.len(), 1);
    let l = &s[0];
    assert_eq!(l.product_name, "Center License");
    assert_eq!(
        (
            l.held,
            l.available,
            l.pending_requests,
            l.pending_units,
            l.incoming_requests,
            l.incoming_units
        ),
        (5, 4, 2, 5, 1, 4)
    );
    let e = &w.irina.summary(w.ellen.id).unwrap()[0];
    assert_eq!(
        (e.held, e.available, e.incoming_requests, e.incoming_units),
        (20, 15, 2, 5)
    );
    assert!(w.erin.summary(w.elerome.id).unwrap()[0].pending_requests == 1);
}

/// Detail of inventory use lists each outgoing draw with who requested and approved.
fn detail_of_use_lists_draws(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let stock = w.stock(&w.ellen, &w.uac, 10);
    let r = request(&w.irina, &w.mga, &w.uac, 3, "MGA-1");
    w.advance(5);
    w.irina.approve(r.id, None, None).unwrap();
    w.advance(5);
    let pushed = w
        .irina
        .assign(NewAssignment {
            from: w.ellen.id,
            to: w.mga.id,
            product: w.uac.id,
            quantity: 2,
            purchase_order: Some("PUSH".into()),
            comments: None,
        })
        .unwrap();
    let u = w.vera.detail_of_use(stock.id).unwrap();
    assert_eq!(
        (u.order.order.approved_quantity, u.order.order.available),
        (10, 5)
    );
    let lines: Vec<_> = u
        .draws
        .iter()
        .map(|l| {
            (
                l.order,
                l.quantity,
                l.purchase_order.clone(),
                l.requested_by_user.clone(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (r.id, 3, Some("MGA-1".into()), Some("Irina Heer".into())),
            (pushed.id, 2, Some("PUSH".into()), None),
        ]
    );
    assert_eq!(u.draws[0].at, seed_time() + TimeDelta::minutes(5));
    assert_eq!(u.draws[0].approved_by_org, "Ellen Emporium");
}

/// Non-ASCII names, comments and purchase orders round-trip unchanged, and the purchase-order
/// filter folds case the same way on every store (docs/rules.md §6: each character's Unicode
/// lowercase; `ß` is not `ss`; no normalisation).
fn non_ascii_text_is_kept_and_searched_alike(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let school = w
        .inv
        .create_org(
            t,
            NewOrganization {
                name: "Ёлка Schule — Zürich".into(),
                tier: Tier::Reseller,
                parent: w.ellen.id,
            },
        )
        .unwrap();
    let nandu = w
        .inv
        .create_user(
            t,
            NewUser {
                name: "Ñandú Åsa 日本".into(),
                email: "nandu@example.com".into(),
            },
        )
        .unwrap();
    w.inv.grant_admin(t, nandu.id, school.id).unwrap();
    let lizenz = w
        .inv
        .create_product(
            t,
            NewProduct {
                code: "LZ".into(),
                name: "Lizenz für Zentren ✓".into(),
                kind: ProductKind::License,
            },
        )
        .unwrap();
    w.stock(&w.ellen, &lizenz, 100);
    let s = w.inv.session(t, nandu.id).unwrap();
    let pos = [
        "ÉCOLE-Ü-1",
        "straße-7",
        "STRASSE-8",
        "ΣΟΦΊΑ-Σ",
        "İstanbul-9",
        "50%_off",
        "plain-ascii",
    ];
    let mut orders = Vec::new();
    for po in pos {
        let o = s
            .request(NewRequest {
                holder: school.id,
                product: lizenz.id,
                quantity: 1,
                purchase_order: Some(po.into()),
                comments: Some("Prüfung ✓ — 日本語 «ok»".into()),
            })
            .unwrap();
        orders.push(o);
    }
    let approved = w
        .irina
        .approve(orders[0].id, None, Some("Genehmigt für Zürich ✓".into()))
        .unwrap();
    assert_eq!(
        approved.approval_comments.as_deref(),
        Some("Genehmigt für Zürich ✓")
    );
    let d = s.order(orders[0].id).unwrap();
    assert_eq!(d.order.purchase_order.as_deref(), Some("ÉCOLE-Ü-1"));
    assert_eq!(
        d.order.requester_comments.as_deref(),
        Some("Prüfung ✓ — 日本語 «ok»")
    );
    assert_eq!(d.holder_name, "Ёлка Schule — Zürich");
    assert_eq!(d.product_name, "Lizenz für Zentren ✓");
    assert_eq!(d.requested_by_name.as_deref(), Some("Ñandú Åsa 日本"));

    let found = |needle: &str| -> Vec<String> {
        let f = InventoryFilter {
            purchase_order: Some(needle.into()),
            ..Default::default()
        };
        let mut v: Vec<String> = s
            .list(school.id, &f, None, 100)
            .unwrap()
            .items
            .into_iter()
            .map(|d| d.order.purchase_order.unwrap())
            .collect();
        v.sort();
        v
    };
    assert_eq!(found("école"), ["ÉCOLE-Ü-1"]);
    assert_eq!(found("ÉCOLE"), ["ÉCOLE-Ü-1"]);
    assert_eq!(found("-ü-"), ["ÉCOLE-Ü-1"]);
    assert_eq!(found("É"), ["ÉCOLE-Ü-1"]);
    // ß is its own letter: "strasse" finds STRASSE only, "STRAßE" and capital ẞ find straße.
    assert_eq!(found("strasse"), ["STRASSE-8"]);
    assert_eq!(found("STRAßE"), ["straße-7"]);
    assert_eq!(found("STRAẞE"), ["straße-7"]);
    assert_eq!(found("stra"), ["STRASSE-8", "straße-7"]);
    // Σ folds to σ wherever it stands (no final-sigma rule).
    assert_eq!(found("σοφία-σ"), ["ΣΟΦΊΑ-Σ"]);
    assert_eq!(found("Σοφία"), ["ΣΟΦΊΑ-Σ"]);
    // İ lowercases to i + combining dot: found by İ, not by a plain i.
    assert_eq!(found("İSTANBUL"), ["İstanbul-9"]);
    assert!(found("istanbul").is_empty());
    // LIKE wildcards are plain text.
    assert_eq!(found("%_"), ["50%_off"]);
    assert!(found("_").len() == 1 && found("%").len() == 1);
    assert_eq!(found("PLAIN"), ["plain-ascii"]);
    // The filter's reference semantics agree with every store.
    let all = s
        .list(school.id, &InventoryFilter::default(), None, 100)
        .unwrap()
        .items;
    for needle in ["é", "Ü", "SS", "ß", "σ", "Ç", "i", "İ", "日本"] {
        let f = InventoryFilter {
            purchase_order: Some(needle.into()),
            ..Default::default()
        };
        let reference = all.iter().filter(|d| f.matches(&d.order)).count();
        assert_eq!(found(needle).len(), reference, "needle {needle:?}");
    }
    w.assert_clean();
}


/// Every page of `list` of `org` read by `s`, `limit` at a time: the order numbers, in order.
fn all_pages(
    s: &Session,
    list: OrderList,
    org: &Organization,
    filter: &InventoryFilter,
    limit: usize,
) -> Vec<OrderNumber> {
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = match list {
            OrderList::Held => s.list(org.id, filter, cursor, limit),
            OrderList::AwaitingDecision => s.approval_queue(org.id, filter, cursor, limit),
            OrderList::Supplied => s.supplied_orders(org.id, filter, cursor, limit),
        }
        .unwrap();
        assert!(page.items.len() <= limit);
        seen.extend(page.items.iter().map(|d| d.order.number));
        match page.next {
            Some(c) => cursor = Some(c),
            None => return seen,
        }
    }
}

/// Seed 000: Ellen's approval queue holds exactly the requests addressed to Ellen that wait
/// for a decision (not MGA's own queue, not another branch's, not decided ones), newest
/// first, paged and filtered like the inventory list, with as many entries as the summary's
/// incoming requests; its admins and the vendor's read it, a sibling branch's admin and a
/// center below do not.
fn approval_queue_holds_the_requests_addressed_to_the_org(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1210);
    w.stock(&w.ellen, &w.cl, 100);
    w.stock(&w.ellen, &w.uac, 100);
    w.stock(&w.other, &w.cl, 100);
    let mut waiting = Vec::new();
    for i in 0..7u64 {
        w.advance(10);
        let p = if i % 2 == 0 { &w.cl } else { &w.uac };
        let o = request(&w.irina, &w.mga, p, i + 1, &format!("PO-Ellen-{i}"));
        match i {
            1 => drop(w.irina.approve(o.id, None, None).unwrap()),
            3 => drop(w.irina.reject(o.id, None).unwrap()),
            5 => drop(w.irina.cancel(o.id).unwrap()),
            _ => waiting.push(o),
        }
    }
    // Addressed elsewhere: to MGA (by its center), and within the other branch (to the vendor).
    let to_mga = request(&w.erin, &w.elerome, &w.cl, 2, "PO-MGA");
    let olga_own = request(&w.olga, &w.other, &w.uac, 2, "PO-Other");

    let all = InventoryFilter::default();
    let mut expected: Vec<_> = waiting.iter().map(|o| o.number).collect();
    expected.reverse();
    for reader in [&w.irina, &w.vera] {
        for limit in [1, 2, 50] {
            assert_eq!(
                all_pages(reader, OrderList::AwaitingDecision, &w.ellen, &all, limit),
                expected
            );
        }
    }
    let incoming: u64 = w
        .irina
        .summary(w.ellen.id)
        .unwrap()
        .iter()
        .map(|l| l.incoming_requests)
        .sum();
    assert_eq!(incoming, expected.len() as u64);
    let page = w.irina.approval_queue(w.ellen.id, &all, None, 50).unwrap();
    let first = &page.items[0];
    assert_eq!(
        (first.order.id, first.holder_name.as_str(), first.order.source),
        (waiting[3].id, "MGA Inc", Some(w.ellen.id))
    );

    // Filters: product, requester, purchase order, number, time, status.
    let count = |f: InventoryFilter| all_pages(&w.irina, OrderList::AwaitingDecision, &w.ellen, &f, 50).len();
    let cl_only = InventoryFilter {
        products: vec![w.cl.id],
        ..Default::default()
    };
    assert_eq!(count(cl_only), 4);
    let by_mga = InventoryFilter {
        requested_by_org: Some(w.mga.id),
        ..Default::default()
    };
    assert_eq!(count(by_mga), 4);
    let by_elerome = InventoryFilter {
        requested_by_org: Some(w.elerome.id),
        ..Default::default()
    };
    assert_eq!(count(by_elerome), 0);
    let po = InventoryFilter {
        purchase_order: Some("po-ellen-6".into()),
        ..Default::default()
    };
    assert_eq!(count(po), 1);
    let number = InventoryFilter {
        order_number: Some(waiting[1].number),
        ..Default::default()
    };
    assert_eq!(count(number), 1);
    let from_third = InventoryFilter {
        requested_from: Some(waiting[2].requested_at),
        ..Default::default()
    };
    assert_eq!(count(from_third), 2);
    let active = InventoryFilter {
        statuses: vec![OrderStatus::Active],
        ..Default::default()
    };
    assert_eq!(count(active), 0);

    // MGA's queue holds its center's request; the other branch's is the vendor's.
    assert_eq!(
        all_pages(&w.irina, OrderList::AwaitingDecision, &w.mga, &all, 50),
        [to_mga.number]
    );
    let vendor = w.inv.org(w.tenant.id, w.tenant.vendor).unwrap();
    assert_eq!(
        all_pages(&w.vera, OrderList::AwaitingDecision, &vendor, &all, 50),
        [olga_own.number]
    );
    // Nobody sees another branch's queue, nor a queue above them.
    for (who, org) in [(&w.olga, &w.ellen), (&w.erin, &w.ellen), (&w.erin, &w.mga), (&w.irina, &w.other)] {
        assert_eq!(
            err_code(&who.approval_queue(org.id, &all, None, 10)),
            "PERMISSION_DENIED"
        );
    }
    assert_eq!(
        err_code(&w.irina.approval_queue(w.ellen.id, &all, None, 0)),
        "INVALID_INPUT"
    );
    // Deciding takes a request off the queue.
    w.irina.approve(waiting[0].id, None, None).unwrap();
    assert_eq!(
        all_pages(&w.irina, OrderList::AwaitingDecision, &w.ellen, &all, 50).len(),
        expected.len() - 1
    );
    w.assert_clean();
}

/// The orders Ellen supplied: approved requests and assignments drawn from Ellen, newest first,
/// never the pending, rejected or cancelled ones, nor the vendor's assignment to Ellen.
fn supplied_orders_are_those_drawn_from_the_org(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1210);
    w.stock(&w.ellen, &w.cl, 100);
    let approved = request(&w.irina, &w.mga, &w.cl, 5, "PO-A");
    w.irina.approve(approved.id, None, None).unwrap();
    let pending = request(&w.irina, &w.mga, &w.cl, 1, "PO-P");
    let rejected = request(&w.irina, &w.mga, &w.cl, 1, "PO-R");
    w.irina.reject(rejected.id, None).unwrap();
    let assigned = w
        .irina
        .assign(NewAssignment::new(w.ellen.id, w.mga.id, w.cl.id, 95))
        .unwrap();
    assert_eq!(assigned.status, OrderStatus::Active);
    let all = InventoryFilter::default();
    for limit in [1, 50] {
        assert_eq!(
            all_pages(&w.irina, OrderList::Supplied, &w.ellen, &all, limit),
            [assigned.number, approved.number]
        );
    }
    // The vendor supplied Ellen's stock.
    let vendor = w.inv.org(w.tenant.id, w.tenant.vendor).unwrap();
    assert_eq!(
        all_pages(&w.vera, OrderList::Supplied, &vendor, &all, 50).len(),
        1
    );
    let po = InventoryFilter {
        purchase_order: Some("PO-A".into()),
        ..Default::default()
    };
    assert_eq!(
        all_pages(&w.irina, OrderList::Supplied, &w.ellen, &po, 50),
        [approved.number]
    );
    assert!(
        all_pages(&w.irina, OrderList::AwaitingDecision, &w.ellen, &all, 50)
            == [pending.number]
    );
    assert_eq!(
        err_code(&w.olga.supplied_orders(w.ellen.id, &all, None, 10)),
        "PERMISSION_DENIED"
    );
    w.assert_clean();
}
