//! Panic safety (docs/rules.md): a panic inside a transaction writes nothing and never wedges
//! the store; inputs a store or driver cannot take are refused, typed, before any write.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::*;

suite!(
    panics => __conformance_suite_panics:
    a_panic_inside_a_transaction_writes_nothing_and_the_store_keeps_working,
    numbers_beyond_bigint_are_invalid_input,
    times_past_year_9999_are_refused_before_writing,
);

/// More panics in a row than any pool has connections (8): each one is rolled back, none
/// leaks a connection or poisons the store, and ordinary commands work afterwards.
fn a_panic_inside_a_transaction_writes_nothing_and_the_store_keeps_working(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.cl, 10);
    let before = w.snapshot();
    let t = w.tenant.id;
    for i in 0..12 {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            w.inv.create_org(
                t,
                NewOrganization {
                    name: PANIC_INSIDE_TRANSACTION.into(),
                    tier: Tier::Distributor,
                    parent: w.tenant.vendor,
                },
            )
        }));
        assert!(outcome.is_err(), "panic {i}: the test hook did not panic");
        assert_eq!(w.snapshot(), before, "panic {i}: something was written");
    }
    // Everything works again, reads and writes, on every connection of the pool.
    let org = w
        .inv
        .create_org(
            t,
            NewOrganization {
                name: "After the panics".into(),
                tier: Tier::Distributor,
                parent: w.tenant.vendor,
            },
        )
        .unwrap();
    assert_eq!(w.inv.org(t, org.id).unwrap().name, "After the panics");
    std::thread::scope(|scope| {
        for _ in 0..10 {
            scope.spawn(|| {
                let o = request(&w.irina, &w.mga, &w.cl, 1, "after");
                w.irina.approve(o.id, None, None).unwrap();
            });
        }
    });
    assert_eq!(w.vera.order(w.stock(&w.ellen, &w.cl, 1).id).unwrap().order.available, 1);
    w.assert_clean();
}

/// Numbers above BIGINT never reach a store: `InvalidInput` naming the field.
fn numbers_beyond_bigint_are_invalid_input(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let huge = 1_u64 << 63;
    match w.irina.order_by_number(OrderNumber(huge)) {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "order number"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    match w.inv.ledger(w.tenant.id, huge, 10) {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "after"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    let everything = LedgerFilter::default();
    match w.inv.ledger_matching(w.tenant.id, &everything, huge, 10) {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "after"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    match format!("o{huge}").parse::<Cursor>() {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "cursor"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    // The largest storable numbers are fine (nothing is there).
    assert_eq!(
        err_code(&w.irina.order_by_number(OrderNumber(huge - 1))),
        "NOT_FOUND"
    );
    assert_eq!(w.inv.ledger(w.tenant.id, huge - 1, 10).unwrap(), vec![]);
}

/// A clock near the end of year 9999: an expiry past it is refused (a store could write it,
/// but no read could decode it), and a clock past it writes nothing at all.
fn times_past_year_9999_are_refused_before_writing(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    w.inv
        .set_product_policy(t, w.cl.id, policy(1, Validity::DaysFromIssue(365), None))
        .unwrap();
    let o = w.center_order(&w.cl, 2);
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    w.clock.set(Some(at("9999-06-01T00:00:00Z")));
    let before = w.snapshot();
    match w.erin.issue(o.id, 1) {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "expiry"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    assert_eq!(w.snapshot(), before);
    // A clock past 9999: every write is refused before it starts.
    w.clock
        .set(Some(DateTime::from_timestamp(253_402_300_800 + 86_400, 0).unwrap()));
    match w.erin.issue(o.id, 1) {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "clock"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    assert_eq!(err_code(&w.irina.request(NewRequest::new(w.mga.id, w.cl.id, 1))), "INVALID_INPUT");
    assert_eq!(w.snapshot(), before);
    // Within range, everything reads back.
    w.clock.set(Some(at("9998-01-01T00:00:00Z")));
    let l = w.erin.issue(o.id, 1).unwrap().remove(0);
    assert_eq!(w.erin.license(&l.key.to_string()).unwrap().expires_at, l.expires_at);
    w.assert_clean();
}
