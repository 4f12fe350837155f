//! Past moments rebuilt from the ledger.

use super::*;

suite!(
    history => __conformance_suite_history:
    history_rebuilds_every_past_moment,
);

/// The figures of every order `orgs` hold now, and their holdings per product, as the live
/// store reports them (what history must rebuild later).
type Moment = (
    DateTime<Utc>,
    BTreeMap<OrderId, OrderFigures>,
    BTreeMap<OrgId, Vec<Holding>>,
);

fn moment(w: &World, orgs: &[&Organization]) -> Moment {
    let at = w.clock.now();
    let mut orders = BTreeMap::new();
    let mut holdings = BTreeMap::new();
    for org in orgs {
        let page = w
            .vera
            .list(org.id, &InventoryFilter::default(), None, MAX_PAGE)
            .unwrap();
        let mut by_product: BTreeMap<ProductId, Holding> = BTreeMap::new();
        for d in page.items {
            let o = d.order;
            let f = OrderFigures {
                order: o.id,
                org: o.holder,
                product: o.product,
                approved: o.approved_quantity,
                drawn: o.drawn,
                issued: o.issued,
                available: o.available,
            };
            if o.approved_quantity > 0 || o.status == OrderStatus::Requested {
                let h = by_product.entry(o.product).or_insert(Holding {
                    product: o.product,
                    orders: 0,
                    approved: 0,
                    drawn: 0,
                    issued: 0,
                    available: 0,
                });
                h.orders += u64::from(o.approved_quantity > 0);
                h.approved += f.approved;
                h.drawn += f.drawn;
                h.issued += f.issued;
                h.available += f.available;
            }
            orders.insert(o.id, f);
        }
        // A product whose only order is a pending request was never held.
        by_product.retain(|_, h| h.orders > 0);
        holdings.insert(org.id, by_product.into_values().collect());
    }
    (at, orders, holdings)
}

/// History (docs/rules.md §9): after a run of requests, approvals, assignments, issues, returns and
/// a deletion, one minute apart, every order's quantities and every organization's holdings at each
/// past minute are rebuilt from the ledger exactly as the store reported them then.
fn history_rebuilds_every_past_moment(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let orgs = [&w.ellen, &w.mga, &w.elerome];
    let tick = || w.clock.set(Some(w.clock.now() + TimeDelta::minutes(1)));
    let start = w.clock.now();
    let mut moments = vec![moment(&w, &orgs)];
    let mut step = |f: &mut dyn FnMut()| {
        tick();
        f();
        moments.push(moment(&w, &orgs));
    };
    let mut stock = None;
    step(&mut || stock = Some(w.stock(&w.ellen, &w.cl, 10)));
    let mut req = None;
    step(&mut || req = Some(request(&w.irina, &w.mga, &w.cl, 4, "R-1")));
    let req = req.unwrap();
    step(&mut || {
        w.irina.approve(req.id, None, None).unwrap();
    });
    let mut center = None;
    step(&mut || {
        center = Some(
            w.irina
                .assign(NewAssignment::new(w.mga.id, w.elerome.id, w.cl.id, 2))
                .unwrap(),
        )
    });
    let center = center.unwrap();
    step(&mut || {
        w.erin.issue(center.id, 1).unwrap();
    });
    step(&mut || {
        w.irina.return_units(req.id, 1).unwrap();
    });
    step(&mut || w.erin.delete_order(center.id).unwrap());
    step(&mut || {
        w.stock(&w.ellen, &w.uac, 3);
    });
    assert!(stock.is_some());
    for (at, orders, holdings) in &moments {
        for (id, expected) in orders {
            assert_eq!(
                &w.inv.order_at(t, *id, *at).unwrap(),
                expected,
                "order at {at}"
            );
        }
        for (org, expected) in holdings {
            assert_eq!(
                &w.inv.holdings_at(t, *org, *at).unwrap(),
                expected,
                "holdings at {at}"
            );
        }
    }
    // The deleted order is still readable in the past (it held 2, 1 issued, before deletion).
    let before_delete = moments[6].0;
    let past = w.inv.order_at(t, center.id, before_delete).unwrap();
    assert_eq!((past.approved, past.issued, past.available), (2, 1, 1));
    // Before anything happened: nothing held, the request not yet approved.
    assert!(w.inv.holdings_at(t, w.ellen.id, start).unwrap().is_empty());
    let pending = w.inv.order_at(t, req.id, moments[2].0).unwrap();
    assert_eq!(
        (pending.approved, pending.available, pending.org),
        (0, 0, w.mga.id)
    );
    assert_eq!(
        err_code(&w.inv.order_at(t, OrderId::new(), w.clock.now())),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&w.inv.holdings_at(t, OrgId::new(), w.clock.now())),
        "NOT_FOUND"
    );
    w.assert_clean();
}
