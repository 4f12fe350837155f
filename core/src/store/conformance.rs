//! The one conformance suite every [`Store`](crate::Store) runs.
//!
//! A store's test file instantiates it with [`conformance_tests!`](crate::conformance_tests):
//!
//! ```ignore
//! license_inventory::conformance_tests!(memory, || (license_inventory::Inventory::in_memory(), ()));
//! ```
//!
//! Each test takes a fresh, empty inventory from the factory (plus a guard kept alive for the
//! test, e.g. a temporary directory). Tests panic on failure: this module is test support.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::*;

/// Makes a fresh inventory and a guard to keep alive while it is used.
pub type Factory<'a> = &'a dyn Fn() -> (Inventory, Box<dyn std::any::Any>);

/// Instantiates every conformance test for one store, as `#[test]` functions in a module.
#[macro_export]
macro_rules! conformance_tests {
    ($name:ident, $factory:expr) => {
        $crate::conformance_tests!($name, $factory, available = true);
    };
    ($name:ident, $factory:expr, available = $available:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn available() -> bool {
                $available
            }

            fn factory() -> ($crate::Inventory, Box<dyn std::any::Any>) {
                let (inv, guard) = ($factory)();
                (inv, Box::new(guard))
            }

            $crate::conformance_tests!(@tests
                seed_walkthrough,
                approve_more_than_available_changes_nothing,
                approve_fewer_than_requested,
                edit_and_cancel_only_while_pending,
                reject_and_statuses,
                other_branch_is_refused,
                tier_and_hierarchy_rules,
                bad_input_is_refused,
                tenants_are_isolated,
                draws_oldest_first_and_depletion,
                list_filters_and_pagination,
                summary_figures,
                detail_of_use_lists_draws,
                ledger_is_chained_and_replays,
                conservation_under_random_operations,
                concurrent_draws_never_oversell,
            );
        }
    };
    (@tests $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                if available() {
                    $crate::store::conformance::$test(&factory);
                }
            }
        )*
    };
}

/// A fixed moment: 2017-10-20 01:45 UTC, the seed's first timestamp.
pub fn seed_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2017-10-20T01:45:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// The channel tree of the seed, plus a second branch to test isolation.
pub struct World {
    pub inv: Inventory,
    pub clock: Arc<ManualClock>,
    pub tenant: Tenant,
    pub ellen: Organization,
    pub mga: Organization,
    pub elerome: Organization,
    pub other: Organization,
    pub vera: Session,
    pub irina: Session,
    pub olga: Session,
    pub erin: Session,
    pub cl: Product,
    pub uac: Product,
}

impl World {
    /// Builds the tree on `inv`: vendor › Ellen Emporium (distributor) › MGA Inc (reseller) ›
    /// Elerome School (center); and vendor › Other Distribution (distributor).
    /// Irina Heer administers Ellen Emporium and MGA Inc; Vera the vendor; Olga the other
    /// distributor; Erin Elerome School.
    pub fn new(inv: Inventory, first_order_number: u64) -> World {
        let clock = Arc::new(ManualClock::default());
        clock.set(Some(seed_time()));
        let inv = inv.with_clock(clock.clone());
        let tenant = inv
            .create_tenant(NewTenant {
                name: "Jasperactive".into(),
                plan: Plan::Standard,
                vendor_name: "Jasperactive".into(),
                first_order_number: Some(first_order_number),
            })
            .unwrap();
        let t = tenant.id;
        let org = |name: &str, tier, parent| {
            inv.create_org(
                t,
                NewOrganization {
                    name: name.into(),
                    tier,
                    parent,
                },
            )
            .unwrap()
        };
        let ellen = org("Ellen Emporium", Tier::Distributor, tenant.vendor);
        let mga = org("MGA Inc", Tier::Reseller, ellen.id);
        let elerome = org("Elerome School", Tier::Center, mga.id);
        let other = org("Other Distribution", Tier::Distributor, tenant.vendor);
        let user = |name: &str, email: &str, orgs: &[OrgId]| {
            let u = inv
                .create_user(
                    t,
                    NewUser {
                        name: name.into(),
                        email: email.into(),
                    },
                )
                .unwrap();
            for o in orgs {
                inv.grant_admin(t, u.id, *o).unwrap();
            }
            inv.session(t, u.id).unwrap()
        };
        let vera = user("Vera Vendor", "vera@jasperactive.example", &[tenant.vendor]);
        let irina = user("Irina Heer", "irina@mga.example", &[ellen.id, mga.id]);
        let olga = user("Olga Other", "olga@other.example", &[other.id]);
        let erin = user("Erin Elerome", "erin@elerome.example", &[elerome.id]);
        let product = |code: &str, name: &str, kind| {
            inv.create_product(
                t,
                NewProduct {
                    code: code.into(),
                    name: name.into(),
                    kind,
                },
            )
            .unwrap()
        };
        let cl = product("CL", "Center License", ProductKind::License);
        let uac = product("UAC", "User Activation Codes", ProductKind::ActivationCode);
        World {
            inv,
            clock,
            tenant,
            ellen,
            mga,
            elerome,
            other,
            vera,
            irina,
            olga,
            erin,
            cl,
            uac,
        }
    }

    /// Gives `org` (a distributor) `qty` units of `product` from the vendor.
    pub fn stock(&self, org: &Organization, product: &Product, qty: u64) -> Order {
        self.vera
            .assign(NewAssignment {
                from: self.tenant.vendor,
                to: org.id,
                product: product.id,
                quantity: qty,
                ..Default::default()
            })
            .unwrap()
    }

    pub fn advance(&self, minutes: i64) {
        let now = self.clock.now();
        self.clock.set(Some(now + TimeDelta::minutes(minutes)));
    }

    pub fn assert_clean(&self) {
        let audit = self.inv.audit(self.tenant.id).unwrap();
        assert!(
            audit.is_clean(),
            "audit found problems: {:#?}",
            audit.problems
        );
    }

    /// Everything observable about the tenant, to prove a refused command changed nothing.
    pub fn snapshot(&self) -> (Vec<LedgerEntry>, Audit, Tenant) {
        let t = self.tenant.id;
        (
            self.inv.ledger(t, 0, MAX_PAGE).unwrap(),
            self.inv.audit(t).unwrap(),
            self.inv.tenant(t).unwrap(),
        )
    }
}

fn request(s: &Session, holder: &Organization, p: &Product, qty: u64, po: &str) -> Order {
    s.request(NewRequest {
        holder: holder.id,
        product: p.id,
        quantity: qty,
        purchase_order: Some(po.into()),
        comments: None,
    })
    .unwrap()
}

// ---- the tests -----------------------------------------------------------------------------

/// Seed `000`: orders 1210–1213 with the statuses and quantities of the walkthrough.
pub fn seed_walkthrough(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1208);
    let s1208 = w.stock(&w.ellen, &w.cl, 10);
    let s1209 = w.stock(&w.ellen, &w.uac, 10);
    assert_eq!((s1208.number.0, s1209.number.0), (1208, 1209));
    let assign = |from: &Organization, to: &Organization, p: &Product, q, po: &str| {
        w.irina
            .assign(NewAssignment {
                from: from.id,
                to: to.id,
                product: p.id,
                quantity: q,
                purchase_order: Some(po.into()),
                comments: None,
            })
            .unwrap()
    };
    let o1210 = assign(&w.ellen, &w.mga, &w.cl, 3, "EE2017-1");
    let o1211 = assign(&w.ellen, &w.mga, &w.uac, 2, "EE2017-5");
    w.advance(7);
    let o1212 = assign(&w.mga, &w.elerome, &w.uac, 1, "");
    w.advance(32);
    let o1213 = request(&w.irina, &w.mga, &w.cl, 2, "20171019");
    let o1213 = w
        .irina
        .edit_request(
            o1213.id,
            RequestEdit {
                quantity: Some(1),
                comments: Some("One more center".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        [
            o1210.number.0,
            o1211.number.0,
            o1212.number.0,
            o1213.number.0
        ],
        [1210, 1211, 1212, 1213]
    );
    let page = w
        .irina
        .list(w.mga.id, &InventoryFilter::default(), None, 50)
        .unwrap();
    let rows: Vec<_> = page
        .items
        .iter()
        .map(|d| {
            (
                d.order.number.0,
                d.product_name.as_str(),
                d.order.purchase_order.clone().unwrap_or_default(),
                d.order.status,
                if d.order.status == OrderStatus::Requested {
                    d.order.requested_quantity
                } else {
                    d.order.approved_quantity
                },
                d.order.available,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                1213,
                "Center License",
                "20171019".into(),
                OrderStatus::Requested,
                1,
                0
            ),
            (
                1211,
                "User Activation Codes",
                "EE2017-5".into(),
                OrderStatus::Active,
                2,
                1
            ),
            (
                1210,
                "Center License",
                "EE2017-1".into(),
                OrderStatus::Active,
                3,
                3
            ),
        ]
    );
    let d1211 = &page.items[1];
    assert_eq!(d1211.holder_name, "MGA Inc");
    assert_eq!(d1211.source_name.as_deref(), Some("Ellen Emporium"));
    assert_eq!(d1211.approved_by_name.as_deref(), Some("Irina Heer"));
    assert_eq!(d1211.requested_by_name, None);
    assert_eq!(
        page.items[0].requested_by_name.as_deref(),
        Some("Irina Heer")
    );
    assert_eq!(
        page.items[0].order.requested_at,
        seed_time() + TimeDelta::minutes(39)
    );
    assert_eq!(page.next, None);

    let summary = w.irina.summary(w.mga.id).unwrap();
    let cl = summary.iter().find(|l| l.product == w.cl.id).unwrap();
    let uac = summary.iter().find(|l| l.product == w.uac.id).unwrap();
    assert_eq!(
        (cl.held, cl.available, cl.pending_requests, cl.pending_units),
        (3, 3, 1, 1)
    );
    assert_eq!((uac.held, uac.available, uac.pending_requests), (2, 1, 0));
    let ellen = w.irina.summary(w.ellen.id).unwrap();
    let ellen_cl = ellen.iter().find(|l| l.product == w.cl.id).unwrap();
    assert_eq!(
        (
            ellen_cl.available,
            ellen_cl.incoming_requests,
            ellen_cl.incoming_units
        ),
        (7, 1, 1)
    );

    let usage = w.irina.detail_of_use(o1211.id).unwrap();
    assert_eq!(usage.order.order.approved_quantity, 2);
    assert_eq!(usage.order.order.available, 1);
    assert_eq!(usage.draws.len(), 1);
    let line = &usage.draws[0];
    assert_eq!(line.order_number.0, 1212);
    assert_eq!(line.quantity, 1);
    assert_eq!(line.requested_by_org, "Elerome School");
    assert_eq!(line.approved_by_org, "MGA Inc");
    assert_eq!(line.approved_by_user.as_deref(), Some("Irina Heer"));
    assert_eq!(line.at, seed_time() + TimeDelta::minutes(7));
    assert_eq!(
        w.irina
            .order_by_number(OrderNumber(1213))
            .unwrap()
            .order
            .requester_comments
            .as_deref(),
        Some("One more center")
    );
    w.assert_clean();
}

/// Approving more than the source holds fails with the available figure; nothing changes.
pub fn approve_more_than_available_changes_nothing(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.cl, 4);
    let req = request(&w.irina, &w.mga, &w.cl, 9, "PO-9");
    let before = w.snapshot();
    let err = w.irina.approve(req.id, None, None).unwrap_err();
    match err {
        Error::InsufficientInventory {
            available,
            requested,
        } => assert_eq!((available, requested), (4, 9)),
        other => panic!("expected InsufficientInventory, got {other:?}"),
    }
    assert_eq!(
        err_code(&w.irina.approve(req.id, Some(5), None)),
        "INSUFFICIENT_INVENTORY"
    );
    assert_eq!(w.snapshot(), before, "a refused approval changed the store");
    assert_eq!(
        w.irina.order(req.id).unwrap().order.status,
        OrderStatus::Requested
    );
    let ok = w
        .irina
        .approve(req.id, Some(4), Some("all we have".into()))
        .unwrap();
    assert_eq!(
        (ok.approved_quantity, ok.available, ok.status),
        (4, 4, OrderStatus::Active)
    );
    w.assert_clean();
}

fn err_code<T: std::fmt::Debug>(r: &Result<T>) -> &'static str {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.code(),
    }
}

/// Partial approval; approving more than requested is invalid input.
pub fn approve_fewer_than_requested(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.uac, 10);
    let req = request(&w.irina, &w.mga, &w.uac, 5, "");
    assert_eq!(
        err_code(&w.irina.approve(req.id, Some(6), None)),
        "INVALID_INPUT"
    );
    assert_eq!(
        err_code(&w.irina.approve(req.id, Some(0), None)),
        "INVALID_INPUT"
    );
    let o = w.irina.approve(req.id, Some(2), None).unwrap();
    assert_eq!(
        (o.requested_quantity, o.approved_quantity, o.available),
        (5, 2, 2)
    );
    let ellen = w.irina.summary(w.ellen.id).unwrap();
    assert_eq!(ellen[0].available, 8);
    w.assert_clean();
}

/// A pending request can be edited and cancelled by its org's admins; an approved one cannot.
pub fn edit_and_cancel_only_while_pending(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.cl, 10);
    w.stock(&w.ellen, &w.uac, 10);
    let req = request(&w.irina, &w.mga, &w.cl, 3, "A");
    let edited = w
        .irina
        .edit_request(
            req.id,
            RequestEdit {
                purchase_order: Some("B".into()),
                product: Some(w.uac.id),
                quantity: Some(4),
                comments: Some("please".into()),
            },
        )
        .unwrap();
    assert_eq!(edited.purchase_order.as_deref(), Some("B"));
    assert_eq!((edited.product, edited.requested_quantity), (w.uac.id, 4));
    let cleared = w
        .irina
        .edit_request(
            req.id,
            RequestEdit {
                purchase_order: Some(String::new()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(cleared.purchase_order, None);
    // The center admin is not an admin of MGA Inc.
    assert_eq!(
        err_code(&w.erin.edit_request(req.id, RequestEdit::default())),
        "PERMISSION_DENIED"
    );
    w.irina.approve(req.id, None, None).unwrap();
    let before = w.snapshot();
    let err = w
        .irina
        .edit_request(
            req.id,
            RequestEdit {
                quantity: Some(1),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidState {
                status: OrderStatus::Active,
                action: Action::EditRequest,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err_code(&w.irina.cancel(req.id)), "INVALID_STATE");
    assert_eq!(w.snapshot(), before);

    let other = request(&w.irina, &w.mga, &w.cl, 1, "C");
    let cancelled = w.irina.cancel(other.id).unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(err_code(&w.irina.cancel(other.id)), "INVALID_STATE");
    assert_eq!(
        err_code(&w.irina.approve(other.id, None, None)),
        "INVALID_STATE"
    );
    w.assert_clean();
}

/// Reject, and which status allows what.
pub fn reject_and_statuses(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let req = request(&w.irina, &w.mga, &w.cl, 2, "");
    // The requester's own org (MGA) is not the source; only Ellen's admins decide. Irina is
    // both here, so use the center to show the refusal.
    let creq = request(&w.erin, &w.elerome, &w.cl, 1, "");
    assert_eq!(
        err_code(&w.erin.approve(creq.id, None, None)),
        "PERMISSION_DENIED"
    );
    assert_eq!(err_code(&w.erin.reject(creq.id, None)), "PERMISSION_DENIED");
    let rejected = w.irina.reject(req.id, Some("no budget".into())).unwrap();
    assert_eq!(rejected.status, OrderStatus::Rejected);
    assert_eq!(rejected.approval_comments.as_deref(), Some("no budget"));
    assert_eq!(err_code(&w.irina.reject(req.id, None)), "INVALID_STATE");
    assert_eq!(
        err_code(&w.irina.approve(req.id, None, None)),
        "INVALID_STATE"
    );
    // A distributor's request to the vendor is approved by minting.
    let dreq = request(&w.irina, &w.ellen, &w.cl, 7, "MINT");
    assert_eq!(
        err_code(&w.irina.approve(dreq.id, None, None)),
        "PERMISSION_DENIED"
    );
    let minted = w.vera.approve(dreq.id, None, None).unwrap();
    assert_eq!(minted.available, 7);
    assert_eq!(w.inv.tenant(w.tenant.id).unwrap().minted, 7);
    // The vendor cannot request; only vendor admins mint.
    let vendor = w.inv.org(w.tenant.id, w.tenant.vendor).unwrap();
    assert_eq!(
        err_code(&w.vera.request(NewRequest {
            holder: vendor.id,
            product: w.cl.id,
            quantity: 1,
            ..Default::default()
        })),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(
        err_code(&w.irina.mint(NewMint {
            product: w.cl.id,
            quantity: 1,
            ..Default::default()
        })),
        "PERMISSION_DENIED"
    );
    let m = w
        .vera
        .mint(NewMint {
            product: w.cl.id,
            quantity: 5,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (m.holder, m.source, m.available),
        (w.tenant.vendor, None, 5)
    );
    w.assert_clean();
}

/// A user of another branch can neither see nor touch this branch.
pub fn other_branch_is_refused(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.cl, 10);
    let req = request(&w.irina, &w.mga, &w.cl, 2, "");
    let before = w.snapshot();
    let denied = |r: Result<Order>| match r {
        Err(Error::PermissionDenied { actor, .. }) => assert_eq!(actor, w.olga.user()),
        other => panic!("expected PermissionDenied, got {other:?}"),
    };
    denied(w.olga.approve(req.id, None, None));
    denied(w.olga.reject(req.id, None));
    denied(w.olga.cancel(req.id));
    denied(w.olga.edit_request(req.id, RequestEdit::default()));
    denied(w.olga.request(NewRequest {
        holder: w.mga.id,
        product: w.cl.id,
        quantity: 1,
        ..Default::default()
    }));
    denied(w.olga.assign(NewAssignment {
        from: w.ellen.id,
        to: w.mga.id,
        product: w.cl.id,
        quantity: 1,
        ..Default::default()
    }));
    assert_eq!(err_code(&w.olga.order(req.id)), "PERMISSION_DENIED");
    assert_eq!(err_code(&w.olga.detail_of_use(req.id)), "PERMISSION_DENIED");
    assert_eq!(
        err_code(&w.olga.list(w.mga.id, &InventoryFilter::default(), None, 10)),
        "PERMISSION_DENIED"
    );
    assert_eq!(err_code(&w.olga.summary(w.ellen.id)), "PERMISSION_DENIED");
    // A child cannot look up the tree, nor act for its parent.
    assert_eq!(err_code(&w.erin.summary(w.mga.id)), "PERMISSION_DENIED");
    assert_eq!(err_code(&w.erin.order(req.id)), "PERMISSION_DENIED");
    assert_eq!(w.snapshot(), before);
    // Ancestors may read; the vendor may do everything.
    assert!(w.vera.order(req.id).is_ok());
    assert!(
        w.irina
            .list(w.elerome.id, &InventoryFilter::default(), None, 10)
            .is_ok()
    );
    assert!(w.vera.approve(req.id, Some(1), None).is_ok());
    w.assert_clean();
}

/// Parents have strictly higher tiers (skipping allowed), one vendor, deactivation.
pub fn tier_and_hierarchy_rules(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let mk = |name: &str, tier, parent| {
        w.inv.create_org(
            t,
            NewOrganization {
                name: name.into(),
                tier,
                parent,
            },
        )
    };
    // Skipping tiers is fine: a center directly under a reseller, a hub under the vendor.
    assert!(mk("Center B", Tier::Center, w.mga.id).is_ok());
    assert!(mk("Hub V", Tier::Hub, w.tenant.vendor).is_ok());
    let before = w.snapshot();
    assert_eq!(
        err_code(&mk("Up", Tier::Distributor, w.mga.id)),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(
        err_code(&mk("Same", Tier::Reseller, w.mga.id)),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(
        err_code(&mk("Vendor 2", Tier::Vendor, w.tenant.vendor)),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(
        err_code(&mk("Nowhere", Tier::Hub, OrgId::new())),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&w.inv.deactivate_org(t, w.tenant.vendor)),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(w.snapshot(), before);
    // Assign only to direct children.
    w.stock(&w.ellen, &w.cl, 5);
    assert_eq!(
        err_code(&w.irina.assign(NewAssignment {
            from: w.ellen.id,
            to: w.elerome.id,
            product: w.cl.id,
            quantity: 1,
            ..Default::default()
        })),
        "HIERARCHY_VIOLATION"
    );
    // A deactivated org keeps its orders but cannot request or receive.
    let deactivated = w.inv.deactivate_org(t, w.mga.id).unwrap();
    assert!(!deactivated.active);
    assert_eq!(
        err_code(&w.irina.assign(NewAssignment {
            from: w.ellen.id,
            to: w.mga.id,
            product: w.cl.id,
            quantity: 1,
            ..Default::default()
        })),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(
        err_code(&w.irina.request(NewRequest {
            holder: w.mga.id,
            product: w.cl.id,
            quantity: 1,
            ..Default::default()
        })),
        "HIERARCHY_VIOLATION"
    );
    assert_eq!(
        err_code(&mk("Under dead", Tier::Center, w.mga.id)),
        "HIERARCHY_VIOLATION"
    );
    w.assert_clean();
}

/// Zero or absurd quantities, empty or oversized text, malformed emails, duplicates, unknown ids.
pub fn bad_input_is_refused(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let before = w.snapshot();
    let req = |q, po: Option<String>| {
        w.irina.request(NewRequest {
            holder: w.mga.id,
            product: w.cl.id,
            quantity: q,
            purchase_order: po,
            comments: None,
        })
    };
    assert_eq!(err_code(&req(0, None)), "INVALID_INPUT");
    assert_eq!(err_code(&req(MAX_QUANTITY + 1, None)), "INVALID_INPUT");
    assert_eq!(
        err_code(&req(1, Some("x".repeat(MAX_PURCHASE_ORDER + 1)))),
        "INVALID_INPUT"
    );
    let bad_user = |name: &str, email: &str| {
        w.inv.create_user(
            t,
            NewUser {
                name: name.into(),
                email: email.into(),
            },
        )
    };
    assert_eq!(err_code(&bad_user("", "a@b.example")), "INVALID_INPUT");
    assert_eq!(err_code(&bad_user("A", "not-an-email")), "INVALID_INPUT");
    assert!(matches!(
        bad_user("Irina Again", "IRINA@mga.example"),
        Err(Error::Conflict { .. })
    ));
    assert_eq!(
        err_code(&w.inv.create_product(
            t,
            NewProduct {
                code: "CL".into(),
                name: "Dup".into(),
                kind: ProductKind::License
            }
        )),
        "CONFLICT"
    );
    assert_eq!(
        err_code(&w.inv.create_product(
            t,
            NewProduct {
                code: "bad code!".into(),
                name: "X".into(),
                kind: ProductKind::License
            }
        )),
        "INVALID_INPUT"
    );
    assert_eq!(
        err_code(&w.irina.approve(OrderId::new(), None, None)),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&w.irina.order_by_number(OrderNumber(999_999))),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&w.irina.request(NewRequest {
            holder: w.mga.id,
            product: ProductId::new(),
            quantity: 1,
            ..Default::default()
        })),
        "NOT_FOUND"
    );
    assert_eq!(err_code(&w.inv.session(t, UserId::new())), "NOT_FOUND");
    assert_eq!(
        err_code(&w.irina.list(w.mga.id, &InventoryFilter::default(), None, 0)),
        "INVALID_INPUT"
    );
    assert_eq!(
        err_code(&w.inv.create_tenant(NewTenant {
            name: " ".into(),
            plan: Plan::Standard,
            vendor_name: "V".into(),
            first_order_number: None
        })),
        "INVALID_INPUT"
    );
    assert_eq!(w.snapshot(), before, "bad input changed the store");
    w.assert_clean();
}

/// Ids of one tenant are unknown in another.
pub fn tenants_are_isolated(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let a = World::new(inv.clone(), 1);
    let b = World::new(inv, 1);
    a.stock(&a.ellen, &a.cl, 3);
    let req = request(&a.irina, &a.mga, &a.cl, 1, "");
    // Same order numbers in both tenants, never crossing.
    b.stock(&b.ellen, &b.cl, 3);
    let breq = request(&b.irina, &b.mga, &b.cl, 1, "");
    assert_eq!(req.number, breq.number);
    assert_eq!(err_code(&b.vera.approve(req.id, None, None)), "NOT_FOUND");
    assert_eq!(err_code(&b.vera.order(req.id)), "NOT_FOUND");
    assert_eq!(
        err_code(&b.vera.list(a.mga.id, &InventoryFilter::default(), None, 10)),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&b.inv.session(b.tenant.id, a.irina.user())),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&b.inv.create_org(
            b.tenant.id,
            NewOrganization {
                name: "Cross".into(),
                tier: Tier::Reseller,
                parent: a.ellen.id
            }
        )),
        "NOT_FOUND"
    );
    let listed: Vec<TenantId> = a.inv.tenants().unwrap().iter().map(|t| t.id).collect();
    assert!(listed.contains(&a.tenant.id) && listed.contains(&b.tenant.id));
    a.assert_clean();
    b.assert_clean();
}

/// Draws take the source's active orders oldest first; a drained order becomes depleted.
pub fn draws_oldest_first_and_depletion(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let first = w.stock(&w.ellen, &w.cl, 2);
    let second = w.stock(&w.ellen, &w.cl, 5);
    let o = w
        .irina
        .assign(NewAssignment {
            from: w.ellen.id,
            to: w.mga.id,
            product: w.cl.id,
            quantity: 4,
            ..Default::default()
        })
        .unwrap();
    let first = w.irina.order(first.id).unwrap().order;
    let second = w.irina.order(second.id).unwrap().order;
    assert_eq!(
        (first.available, first.drawn, first.status),
        (0, 2, OrderStatus::Depleted)
    );
    assert_eq!(
        (second.available, second.drawn, second.status),
        (3, 2, OrderStatus::Active)
    );
    let use_first = w.irina.detail_of_use(first.id).unwrap();
    assert_eq!(use_first.draws.len(), 1);
    assert_eq!(
        (use_first.draws[0].order, use_first.draws[0].quantity),
        (o.id, 2)
    );
    // Drain the rest; the center draws all of MGA's.
    w.irina
        .assign(NewAssignment {
            from: w.mga.id,
            to: w.elerome.id,
            product: w.cl.id,
            quantity: 4,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        w.irina.order(o.id).unwrap().order.status,
        OrderStatus::Depleted
    );
    assert!(matches!(
        w.irina.assign(NewAssignment {
            from: w.mga.id,
            to: w.elerome.id,
            product: w.cl.id,
            quantity: 1,
            ..Default::default()
        }),
        Err(Error::InsufficientInventory {
            available: 0,
            requested: 1
        })
    ));
    w.assert_clean();
}

/// Filters (status, product, number, purchase order, dates) and cursor pagination, newest first.
pub fn list_filters_and_pagination(factory: Factory<'_>) {
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
pub fn summary_figures(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.cl, 20);
    let a = request(&w.irina, &w.mga, &w.cl, 5, "");
    w.irina.approve(a.id, None, None).unwrap();
    request(&w.irina, &w.mga, &w.cl, 2, "");
    request(&w.irina, &w.mga, &w.cl, 3, "");
    request(&w.erin, &w.elerome, &w.cl, 4, "");
    w.irina
        .assign(NewAssignment {
            from: w.mga.id,
            to: w.elerome.id,
            product: w.cl.id,
            quantity: 1,
            ..Default::default()
        })
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
pub fn detail_of_use_lists_draws(factory: Factory<'_>) {
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

/// The ledger is gapless, hash-chained, and replays to every order's quantities.
pub fn ledger_is_chained_and_replays(factory: Factory<'_>) {
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

#[derive(Clone, Debug)]
enum Op {
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
    ]
}

/// Random sequences of requests, edits, approvals, rejections and assignments: conservation and
/// the ledger replay hold after every step, and a refused step changes nothing.
pub fn conservation_under_random_operations(factory: Factory<'_>) {
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
                    s.request(NewRequest {
                        holder: org.id,
                        product: products[product].id,
                        quantity: qty,
                        ..Default::default()
                    })
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
                Op::Assign { pair, qty, product } => {
                    let (from_id, to) = pairs[pair];
                    w.vera
                        .assign(NewAssignment {
                            from: from_id,
                            to: to.id,
                            product: products[product].id,
                            quantity: qty,
                            ..Default::default()
                        })
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

/// Many threads racing to draw from one order draw exactly its units, never more.
pub fn concurrent_draws_never_oversell(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let stock = w.stock(&w.ellen, &w.cl, 100);
    let drawn = AtomicU64::new(0);
    let refused = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for _ in 0..16 {
            scope.spawn(|| {
                for _ in 0..10 {
                    match w.irina.assign(NewAssignment {
                        from: w.ellen.id,
                        to: w.mga.id,
                        product: w.cl.id,
                        quantity: 1,
                        ..Default::default()
                    }) {
                        Ok(o) => {
                            drawn.fetch_add(o.approved_quantity, Ordering::SeqCst);
                        }
                        Err(Error::InsufficientInventory { .. }) => {
                            refused.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => panic!("unexpected error: {e}"),
                    }
                }
            });
        }
    });
    // 160 attempts, 100 units: exactly 100 succeed.
    assert_eq!(drawn.load(Ordering::SeqCst), 100);
    assert_eq!(refused.load(Ordering::SeqCst), 60);
    let stock = w.irina.order(stock.id).unwrap().order;
    assert_eq!(
        (stock.available, stock.drawn, stock.status),
        (0, 100, OrderStatus::Depleted)
    );
    assert_eq!(w.irina.detail_of_use(stock.id).unwrap().draws.len(), 100);
    w.assert_clean();
}
