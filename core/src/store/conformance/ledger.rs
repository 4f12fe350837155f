//! The ledger: chained, replayable, conserved under random operations, read by order, org and time.

use super::*;

suite!(
    ledger => __conformance_suite_ledger:
    ledger_is_chained_and_replays,
    conservation_under_random_operations,
    ledger_reads_by_order_org_and_time,
);

#[derive(Clone, Debug)]
enum Op {
    Issue {
        pick: usize,
        qty: u64,
    },
    Return {
        pick: usize,
        qty: u64,
    },
    Delete {
        pick: usize,
    },
    Request {
        who: usize,
        qty: u64,
        product: usize,
    },
    Edit {
        pick: usize,
        qty: u64,
        product: usize,
    },
    Cancel {
        pick: usize,
    },
    Approve {
        pick: usize,
        qty: Option<u64>,
    },
    Reject {
        pick: usize,
    },
    Assign {
        pair: usize,
        qty: u64,
        product: usize,
    },
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize, 1..40u64, 0..2usize).prop_map(|(who, qty, product)| Op::Request {
            who,
            qty,
            product
        }),
        (0..64usize, 1..40u64, 0..2usize).prop_map(|(pick, qty, product)| Op::Edit {
            pick,
            qty,
            product
        }),
        (0..64usize).prop_map(|pick| Op::Cancel { pick }),
        (0..64usize, proptest::option::of(1..40u64))
            .prop_map(|(pick, qty)| Op::Approve { pick, qty }),
        (0..64usize).prop_map(|pick| Op::Reject { pick }),
        (0..4usize, 1..40u64, 0..2usize).prop_map(|(pair, qty, product)| Op::Assign {
            pair,
            qty,
            product
        }),
        (0..64usize, 1..10u64).prop_map(|(pick, qty)| Op::Issue { pick, qty }),
        (0..64usize, 1..10u64).prop_map(|(pick, qty)| Op::Return { pick, qty }),
        (0..64usize).prop_map(|pick| Op::Delete { pick }),
    ]
}

/// The ledger is gapless, hash-chained, and replays to every order's quantities.
fn ledger_is_chained_and_replays(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.cl, 10);
    let r = request(&w.irina, &w.mga, &w.cl, 4, "");
    w.irina.approve(r.id, Some(3), None).unwrap();
    let entries = w.inv.ledger(w.tenant.id, 0, MAX_PAGE).unwrap();
    assert!(entries.len() >= 10);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1);
        assert_eq!(e.hash, e.compute_hash());
        if i > 0 {
            assert_eq!(e.prev_hash, entries[i - 1].hash);
        }
    }
    let approved = entries.last().unwrap();
    assert_eq!(approved.kind, LedgerKind::Approved);
    assert_eq!(approved.actor, Some(w.irina.user()));
    assert_eq!(approved.movements.len(), 2);
    let tail = w
        .inv
        .ledger(w.tenant.id, entries.len() as u64 - 2, 10)
        .unwrap();
    assert_eq!(tail.len(), 2);
    let audit = w.inv.audit(w.tenant.id).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.problems);
    assert_eq!(
        (audit.minted, audit.available, audit.ledger_entries),
        (10, 10, entries.len() as u64)
    );
}

/// Random sequences of requests, edits, approvals, rejections and assignments: conservation and
/// the ledger replay hold after every step, and a refused step changes nothing.
fn conservation_under_random_operations(factory: Factory<'_>) {
    let cases = std::env::var("LICENSE_INVENTORY_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&proptest::collection::vec(op_strategy(), 1..40), |ops| {
        let (inv, _guard) = factory();
        let w = World::new(inv, 1);
        w.stock(&w.ellen, &w.cl, 50);
        w.stock(&w.ellen, &w.uac, 30);
        let products = [&w.cl, &w.uac];
        let holders = [
            (&w.irina, &w.mga),
            (&w.erin, &w.elerome),
            (&w.olga, &w.other),
        ];
        let pairs = [
            (w.ellen.id, &w.mga),
            (w.mga.id, &w.elerome),
            (w.tenant.vendor, &w.ellen),
            (w.ellen.id, &w.elerome),
        ];
        let mut orders: Vec<OrderId> = Vec::new();
        for op in ops {
            let pick = |i: usize| orders.get(i % orders.len().max(1)).copied();
            let before = w.snapshot();
            let result: Result<Option<Order>> = match op.clone() {
                Op::Request { who, qty, product } => {
                    let (s, org) = holders[who];
                    s.request(NewRequest::new(org.id, products[product].id, qty))
                    .map(Some)
                }
                Op::Edit {
                    pick: i,
                    qty,
                    product,
                } => match pick(i) {
                    Some(id) => w
                        .irina
                        .edit_request(
                            id,
                            RequestEdit {
                                quantity: Some(qty),
                                product: Some(products[product].id),
                                ..Default::default()
                            },
                        )
                        .map(Some),
                    None => Ok(None),
                },
                Op::Cancel { pick: i } => pick(i).map(|id| w.irina.cancel(id)).transpose(),
                Op::Approve { pick: i, qty } => {
                    pick(i).map(|id| w.vera.approve(id, qty, None)).transpose()
                }
                Op::Reject { pick: i } => pick(i).map(|id| w.irina.reject(id, None)).transpose(),
                Op::Issue { pick: i, qty } => pick(i)
                    .map(|id| {
                        w.vera
                            .issue(id, qty)
                            .and_then(|_| w.vera.order(id).map(|d| d.order))
                    })
                    .transpose(),
                Op::Return { pick: i, qty } => {
                    pick(i).map(|id| w.vera.return_units(id, qty)).transpose()
                }
                Op::Delete { pick: i } => match pick(i) {
                    Some(id) => w.vera.delete_order(id).map(|()| None),
                    None => Ok(None),
                },
                Op::Assign { pair, qty, product } => {
                    let (from_id, to) = pairs[pair];
                    w.vera
                        .assign(NewAssignment::new(from_id, to.id, products[product].id, qty))
                        .map(Some)
                }
            };
            match result {
                Ok(Some(o)) => {
                    if !orders.contains(&o.id) {
                        orders.push(o.id);
                    }
                }
                Ok(None) => {}
                Err(Error::InvariantViolated(m))
                | Err(Error::Storage(crate::StorageError::Corrupt { reason: m, .. })) => {
                    return Err(TestCaseError::fail(format!("{op:?}: {m}")));
                }
                Err(_) => {
                    if w.snapshot() != before {
                        return Err(TestCaseError::fail(format!(
                            "refused {op:?} changed the store"
                        )));
                    }
                }
            }
            let audit = w.inv.audit(w.tenant.id).unwrap();
            if !audit.is_clean() {
                return Err(TestCaseError::fail(format!(
                    "after {op:?}: {:?}",
                    audit.problems
                )));
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Ledger reads per order, per organization and by time range (docs/rules.md §9) return exactly the
/// entries a full read filtered by hand gives, in order and page by page.
fn ledger_reads_by_order_org_and_time(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let t0 = w.clock.now();
    w.stock(&w.ellen, &w.cl, 10);
    w.clock.set(Some(t0 + TimeDelta::minutes(1)));
    let r = request(&w.irina, &w.mga, &w.cl, 3, "R-1");
    w.irina.approve(r.id, None, None).unwrap();
    w.clock.set(Some(t0 + TimeDelta::minutes(2)));
    let o = w.center_order(&w.uac, 2);
    w.erin.issue(o.id, 1).unwrap();
    let all = w.inv.ledger(t, 0, MAX_PAGE).unwrap();
    let by_hand = |keep: &dyn Fn(&LedgerEntry) -> bool| -> Vec<u64> {
        all.iter().filter(|e| keep(e)).map(|e| e.seq).collect()
    };
    let read = |f: LedgerFilter| -> Vec<u64> {
        let got: Vec<u64> = w
            .inv
            .ledger_matching(t, &f, 0, MAX_PAGE)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        // Page by page, one entry at a time, gives the same.
        let mut paged = Vec::new();
        let mut after = 0;
        while let Some(e) = w.inv.ledger_matching(t, &f, after, 1).unwrap().pop() {
            after = e.seq;
            paged.push(e.seq);
        }
        assert_eq!(paged, got);
        got
    };
    let of_r = read(LedgerFilter {
        order: Some(r.id),
        ..Default::default()
    });
    assert_eq!(
        of_r,
        by_hand(&|e| e.order == Some(r.id) || e.movements.iter().any(|m| m.order == r.id))
    );
    assert_eq!(of_r.len(), 2, "requested and approved");
    let of_mga = read(LedgerFilter {
        org: Some(w.mga.id),
        ..Default::default()
    });
    assert_eq!(
        of_mga,
        by_hand(&|e| e.org == Some(w.mga.id) || e.movements.iter().any(|m| m.org == w.mga.id))
    );
    assert!(of_mga.len() >= 3);
    let minute = read(LedgerFilter {
        from: Some(t0 + TimeDelta::minutes(1)),
        to: Some(t0 + TimeDelta::minutes(2)),
        ..Default::default()
    });
    assert_eq!(
        minute,
        by_hand(&|e| e.at >= t0 + TimeDelta::minutes(1) && e.at < t0 + TimeDelta::minutes(2))
    );
    assert_eq!(minute, of_r);
    let both = read(LedgerFilter {
        org: Some(w.elerome.id),
        from: Some(t0 + TimeDelta::minutes(2)),
        ..Default::default()
    });
    assert_eq!(
        both,
        by_hand(&|e| (e.org == Some(w.elerome.id)
            || e.movements.iter().any(|m| m.org == w.elerome.id))
            && e.at >= t0 + TimeDelta::minutes(2))
    );
    assert!(!both.is_empty());
    assert_eq!(read(LedgerFilter::default()), by_hand(&|_| true));
    assert_eq!(
        err_code(&w.inv.ledger_matching(t, &LedgerFilter::default(), 0, 0)),
        "INVALID_INPUT"
    );
}
