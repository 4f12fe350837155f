//! Returning units and deleting orders.

use super::*;

suite!(
    returns => __conformance_suite_returns:
    delete_order_rules,
    return_units_newest_draw_first,
);

/// Delete: refused while children hold units (naming them); units go back; issued retired.
fn delete_order_rules(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let stock = w.stock(&w.ellen, &w.cl, 10);
    let mga = w
        .irina
        .assign(NewAssignment::new(w.ellen.id, w.mga.id, w.cl.id, 6))
        .unwrap();
    let center = w
        .irina
        .assign(NewAssignment::new(w.mga.id, w.elerome.id, w.cl.id, 2))
        .unwrap();
    w.irina.issue(mga.id, 1).unwrap();
    let before = w.snapshot();
    match w.irina.delete_order(mga.id) {
        Err(Error::OrderInUse { order, children, .. }) => {
            assert_eq!((order, children), (mga.number, vec![center.number]));
        }
        r => panic!("expected OrderInUse, got {r:?}"),
    }
    assert_eq!(
        err_code(&w.olga.delete_order(center.id)),
        "PERMISSION_DENIED"
    );
    assert_eq!(w.snapshot(), before);
    // Delete the child: its one unconsumed unit goes back to MGA (whose `drawn` falls to 1),
    // its one issued license is retired. Then MGA's order: 4 units back to Ellen, 1 retired.
    let issued = w.erin.issue(center.id, 1).unwrap();
    w.erin.delete_order(center.id).unwrap();
    assert_eq!(err_code(&w.erin.order(center.id)), "NOT_FOUND");
    assert_eq!(
        err_code(&w.erin.license(issued[0].key.as_str())),
        "NOT_FOUND"
    );
    let m = w.irina.order(mga.id).unwrap().order;
    assert_eq!((m.available, m.drawn, m.issued), (4, 1, 1));
    w.irina.delete_order(mga.id).unwrap();
    let s = w.irina.order(stock.id).unwrap().order;
    assert_eq!((s.available, s.drawn), (8, 2));
    let t = w.inv.tenant(w.tenant.id).unwrap();
    assert_eq!((t.minted, t.retired), (10, 2));
    let ledger = w.inv.ledger(w.tenant.id, 0, MAX_PAGE).unwrap();
    let deletions = ledger
        .iter()
        .filter(|e| e.kind == LedgerKind::OrderDeleted)
        .count();
    assert_eq!(deletions, 2);
    w.assert_clean();
}

/// Returned units go back to the source orders they came from, newest draw first.
fn return_units_newest_draw_first(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let older = w.stock(&w.ellen, &w.cl, 3);
    let newer = w.stock(&w.ellen, &w.cl, 3);
    let o = w
        .irina
        .assign(NewAssignment::new(w.ellen.id, w.mga.id, w.cl.id, 5))
        .unwrap();
    // Drew 3 from the older and 2 from the newer; returning 3 gives 2 to the newer first.
    let back = w.irina.return_units(o.id, 3).unwrap();
    assert_eq!((back.approved_quantity, back.available), (2, 2));
    let older = w.irina.order(older.id).unwrap().order;
    let newer = w.irina.order(newer.id).unwrap().order;
    assert_eq!((older.available, newer.available), (1, 3));
    assert!(matches!(
        w.irina.return_units(o.id, 3),
        Err(Error::InsufficientInventory {
            available: 2,
            requested: 3, .. })
    ));
    // Units minted by a vendor-tier approval are retired when returned.
    let stock = w.stock(&w.ellen, &w.uac, 4);
    w.irina.return_units(stock.id, 4).unwrap();
    assert_eq!(w.inv.tenant(w.tenant.id).unwrap().retired, 4);
    w.assert_clean();
}
