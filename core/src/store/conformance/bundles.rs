//! Bundle orders.

use super::*;

suite!(
    bundles => __conformance_suite_bundles:
    bundle_orders,
);

/// A bundle order creates one request per line, grouped under one bundle-order id.
fn bundle_orders(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let bundle = w
        .inv
        .create_bundle(
            t,
            NewBundle {
                name: "Classroom pack".into(),
                lines: vec![
                    BundleLine {
                        product: w.cl.id,
                        quantity: 1,
                    },
                    BundleLine {
                        product: w.uac.id,
                        quantity: 30,
                    },
                ],
            },
        )
        .unwrap();
    let bad = NewBundle {
        name: "Twice".into(),
        lines: vec![
            BundleLine {
                product: w.cl.id,
                quantity: 1
            };
            2
        ],
    };
    assert_eq!(err_code(&w.inv.create_bundle(t, bad)), "INVALID_INPUT");
    let orders = w
        .irina
        .request_bundle(w.mga.id, bundle.id, Some("B-1".into()), None)
        .unwrap();
    assert_eq!(orders.len(), 2);
    assert!(orders[0].bundle.is_some() && orders[0].bundle == orders[1].bundle);
    assert_eq!(
        (orders[0].requested_quantity, orders[1].requested_quantity),
        (1, 30)
    );
    assert!(orders.iter().all(|o| o.status == OrderStatus::Requested));
    assert_eq!(
        err_code(&w.olga.request_bundle(w.mga.id, bundle.id, None, None)),
        "PERMISSION_DENIED"
    );
    assert_eq!(w.inv.bundle(t, bundle.id).unwrap().lines.len(), 2);
    w.assert_clean();
}

