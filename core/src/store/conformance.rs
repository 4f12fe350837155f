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

use std::collections::BTreeMap;
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
                license_lifecycle,
                activation_codes_redeem_once,
                floating_borrows_are_bounded,
                permission_matrix,
                plan_and_escalation_rules,
                issue_many_and_export_them,
                delete_order_rules,
                return_units_newest_draw_first,
                metadata_customer_and_csv,
                export_to_path_is_atomic,
                bundle_orders,
                notifications_outbox,
                history_rebuilds_every_past_moment,
                ledger_reads_by_order_org_and_time,
                idempotent_commands,
                idempotent_retries_race,
                batches_are_all_or_nothing,
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
        Self::with_plan(inv, first_order_number, Plan::Standard)
    }

    /// Like [`World::new`], on the given plan.
    pub fn with_plan(inv: Inventory, first_order_number: u64, plan: Plan) -> World {
        let clock = Arc::new(ManualClock::default());
        clock.set(Some(seed_time()));
        let inv = inv.with_clock(clock.clone());
        let tenant = inv
            .create_tenant(NewTenant {
                name: "Jasperactive".into(),
                plan,
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

    /// Stocks Elerome School (a center) with `qty` units of `product` down the whole tree
    /// and returns the center's order.
    pub fn center_order(&self, product: &Product, qty: u64) -> Order {
        self.stock(&self.ellen, product, qty);
        let push = |from: &Organization, to: &Organization| {
            self.irina
                .assign(NewAssignment {
                    from: from.id,
                    to: to.id,
                    product: product.id,
                    quantity: qty,
                    ..Default::default()
                })
                .unwrap()
        };
        push(&self.ellen, &self.mga);
        push(&self.mga, &self.elerome)
    }

    /// A new user with no role.
    pub fn user(&self, name: &str) -> User {
        self.inv
            .create_user(
                self.tenant.id,
                NewUser {
                    name: name.into(),
                    email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
                },
            )
            .unwrap()
    }

    pub fn session(&self, user: &User) -> Session {
        self.inv.session(self.tenant.id, user.id).unwrap()
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

fn policy(max_activations: u32, validity: Validity, floating: Option<Floating>) -> LicensePolicy {
    LicensePolicy {
        validity,
        max_activations,
        floating,
        trial: false,
    }
}

/// Issue, activate up to the limit, deactivate, reset, disable/enable, revoke, expiry.
pub fn license_lifecycle(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    w.inv
        .set_product_policy(
            t,
            w.cl.id,
            policy(2, Validity::DaysFromActivation(30), None),
        )
        .unwrap();
    let o = w.center_order(&w.cl, 5);
    // Only what the order holds can be issued; a pending request cannot issue.
    assert!(matches!(
        w.erin.issue(o.id, 6),
        Err(Error::InsufficientInventory {
            available: 5,
            requested: 6
        })
    ));
    let pending = request(&w.erin, &w.elerome, &w.cl, 1, "");
    assert_eq!(err_code(&w.erin.issue(pending.id, 1)), "INVALID_STATE");
    let ls = w.erin.issue(o.id, 3).unwrap();
    assert_eq!(ls.len(), 3);
    assert!(
        ls.iter()
            .all(|l| l.status == LicenseStatus::Issued && !l.is_code)
    );
    let order = w.erin.order(o.id).unwrap().order;
    assert_eq!((order.issued, order.available), (3, 2));
    let key = ls[0].key.to_string();
    // A mistyped key is refused before any lookup.
    let mut typo: Vec<char> = key.chars().collect();
    typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    assert_eq!(
        err_code(&w.inv.activate(t, &typo, "pc-1", "PC 1")),
        "MISTYPED_KEY"
    );
    // Activate on two devices; the third is refused; repeating a device changes nothing.
    let a = w.inv.activate(t, &key, "pc-1", "Front desk").unwrap();
    assert_eq!((a.status, a.activations.len()), (LicenseStatus::Active, 1));
    assert_eq!(a.expires_at, Some(seed_time() + TimeDelta::days(30)));
    w.inv
        .activate(t, &key.to_lowercase(), "pc-2", "Lab")
        .unwrap();
    assert_eq!(
        w.inv
            .activate(t, &key, "pc-1", "Front desk")
            .unwrap()
            .activations
            .len(),
        2
    );
    assert!(matches!(
        w.inv.activate(t, &key, "pc-3", "Spare"),
        Err(Error::ActivationLimit { max: 2 })
    ));
    // Deactivate (end user), reset device and reset license (admin).
    assert_eq!(
        w.inv.deactivate(t, &key, "pc-2").unwrap().activations.len(),
        1
    );
    assert_eq!(
        err_code(&w.inv.deactivate(t, &key, "pc-2")),
        "INVALID_INPUT"
    );
    w.inv.activate(t, &key, "pc-3", "Spare").unwrap();
    assert_eq!(
        w.erin
            .reset_device(ls[0].id, "pc-1")
            .unwrap()
            .activations
            .len(),
        1
    );
    assert!(
        w.erin
            .reset_license(ls[0].id)
            .unwrap()
            .activations
            .is_empty()
    );
    // Disable and enable.
    w.erin.disable(ls[0].id).unwrap();
    assert_eq!(
        err_code(&w.inv.activate(t, &key, "pc-1", "PC")),
        "LICENSE_UNUSABLE"
    );
    assert_eq!(err_code(&w.inv.check_license(t, &key)), "LICENSE_UNUSABLE");
    assert_eq!(
        w.erin.enable(ls[0].id).unwrap().status,
        LicenseStatus::Active
    );
    // Revoke: a used license cannot be; an unused one returns its unit.
    assert_eq!(err_code(&w.erin.revoke(ls[0].id)), "LICENSE_UNUSABLE");
    w.erin.issue(o.id, 2).unwrap();
    assert_eq!(
        w.erin.order(o.id).unwrap().order.status,
        OrderStatus::Depleted
    );
    let back = w.erin.revoke(ls[1].id).unwrap();
    assert_eq!(
        (back.status, back.available, back.issued),
        (OrderStatus::Active, 1, 4)
    );
    assert_eq!(err_code(&w.erin.revoke(ls[1].id)), "NOT_FOUND");
    // Expiry: 30 days after the first activation.
    assert!(w.inv.check_license(t, &key).is_ok());
    w.advance(31 * 24 * 60);
    assert_eq!(err_code(&w.inv.check_license(t, &key)), "LICENSE_UNUSABLE");
    // Another branch cannot touch the licenses.
    assert_eq!(
        err_code(&w.olga.reset_license(ls[0].id)),
        "PERMISSION_DENIED"
    );
    assert_eq!(err_code(&w.olga.license(&key)), "PERMISSION_DENIED");
    assert_eq!(w.erin.license(&key).unwrap().id, ls[0].id);
    w.assert_clean();
}

/// An activation code is redeemed once.
pub fn activation_codes_redeem_once(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let o = w.center_order(&w.uac, 2);
    let codes = w.erin.issue(o.id, 2).unwrap();
    assert!(codes.iter().all(|c| c.is_code));
    let code = codes[0].key.to_string();
    assert_eq!(
        err_code(&w.inv.activate(t, &code, "pc", "PC")),
        "LICENSE_UNUSABLE"
    );
    let r = w.inv.redeem(t, &code, "student@elerome.example").unwrap();
    assert_eq!(
        (r.status, r.activated_at),
        (LicenseStatus::Active, Some(seed_time()))
    );
    assert_eq!(
        err_code(&w.inv.redeem(t, &code, "someone@else.example")),
        "LICENSE_UNUSABLE"
    );
    assert_eq!(err_code(&w.erin.revoke(codes[0].id)), "LICENSE_UNUSABLE");
    w.assert_clean();
}

/// Floating licenses: bounded concurrent borrows of bounded duration.
pub fn floating_borrows_are_bounded(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let bad = LicensePolicy {
        max_activations: 0,
        ..LicensePolicy::default()
    };
    let new = |code: &str| NewProduct {
        code: code.into(),
        name: "Floating Seat".into(),
        kind: ProductKind::License,
    };
    assert_eq!(
        err_code(&w.inv.create_product_with_policy(t, new("FS"), bad)),
        "INVALID_INPUT"
    );
    let floating = Floating {
        max_borrows: 2,
        max_borrow_seconds: 3600,
    };
    let seat = w
        .inv
        .create_product_with_policy(t, new("FS"), policy(1, Validity::Perpetual, Some(floating)))
        .unwrap();
    assert_eq!(
        w.inv.product(t, seat.id).unwrap().policy.floating,
        Some(floating)
    );
    w.inv
        .set_product_policy(t, w.cl.id, policy(1, Validity::Perpetual, Some(floating)))
        .unwrap();
    let o = w.center_order(&w.cl, 1);
    let l = w.erin.issue(o.id, 1).unwrap().remove(0);
    assert_eq!(w.erin.borrow(l.id, "desk-1", 600).unwrap().borrows.len(), 1);
    assert_eq!(
        w.erin.borrow(l.id, "desk-2", 3600).unwrap().borrows.len(),
        2
    );
    assert_eq!(err_code(&w.erin.borrow(l.id, "desk-3", 60)), "BORROW_LIMIT");
    assert_eq!(
        err_code(&w.erin.borrow(l.id, "desk-1", 3601)),
        "BORROW_LIMIT"
    );
    assert_eq!(
        w.erin.return_borrow(l.id, "desk-1").unwrap().borrows.len(),
        1
    );
    assert_eq!(
        err_code(&w.erin.return_borrow(l.id, "desk-1")),
        "INVALID_INPUT"
    );
    // Borrows end by themselves.
    w.advance(61);
    assert_eq!(w.erin.borrow(l.id, "desk-3", 60).unwrap().borrows.len(), 1);
    // A license that is not floating cannot be borrowed.
    let plain = w.center_order(&w.uac, 1);
    let code = w.erin.issue(plain.id, 1).unwrap().remove(0);
    assert_eq!(
        err_code(&w.erin.borrow(code.id, "x", 10)),
        "LICENSE_UNUSABLE"
    );
    w.assert_clean();
}

type Guarded<'a> = Box<dyn Fn(&Session) -> Result<()> + 'a>;

/// For every permission and every operation it guards: a manager with only that permission
/// succeeds; a manager with every other permission is refused with the typed error, and
/// nothing changes.
pub fn permission_matrix(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::with_plan(inv, 1, Plan::Enterprise);
    let t = w.tenant.id;
    let floating = Floating {
        max_borrows: 100,
        max_borrow_seconds: 3600,
    };
    w.inv
        .set_product_policy(t, w.cl.id, policy(100, Validity::Perpetual, Some(floating)))
        .unwrap();
    let o = w.center_order(&w.cl, 200);
    let licenses = w.erin.issue(o.id, 50).unwrap();
    let bundle = w
        .inv
        .create_bundle(
            t,
            NewBundle {
                name: "Pack".into(),
                lines: vec![BundleLine {
                    product: w.cl.id,
                    quantity: 1,
                }],
            },
        )
        .unwrap();
    let next = std::cell::Cell::new(0usize);
    let fresh_license = || {
        let i = next.get();
        next.set(i + 1);
        licenses[i].clone()
    };
    let fresh_user = |s: &Session| {
        let i = next.get();
        next.set(i + 1);
        s.add_license_user(
            o.id,
            NewLicenseUser {
                email: format!("lu{i}@elerome.example"),
                ..Default::default()
            },
        )
    };
    let admin_user = || fresh_user(&w.erin).unwrap();
    let target = w.user("Grantee");
    let ops: Vec<(Permission, &str, Guarded<'_>)> = vec![
        (
            Permission::ManageLicenseUsers,
            "add user",
            Box::new(|s| fresh_user(s).map(drop)),
        ),
        (
            Permission::ManageLicenseUsers,
            "edit user",
            Box::new(|s| {
                let u = admin_user();
                s.edit_license_user(u.id, None, Some("Renamed".into()))
                    .map(drop)
            }),
        ),
        (
            Permission::ManageLicenseUsers,
            "delete user",
            Box::new(|s| s.delete_license_user(admin_user().id)),
        ),
        (
            Permission::ManageLicenseUsers,
            "assign license",
            Box::new(|s| {
                s.assign_license(fresh_license().id, Some(admin_user().id))
                    .map(drop)
            }),
        ),
        (
            Permission::ManageLicenseUserCredentials,
            "set password",
            Box::new(|s| s.set_license_user_password(admin_user().id, "correct horse")),
        ),
        (
            Permission::ManageManagers,
            "add manager",
            Box::new(|s| {
                s.add_license_manager(o.id, target.id, &[Permission::ManageManagers])
                    .map(drop)
            }),
        ),
        (
            Permission::ResetDevice,
            "reset device",
            Box::new(|s| {
                let l = fresh_license();
                w.inv.activate(t, l.key.as_str(), "pc", "PC").unwrap();
                s.reset_device(l.id, "pc").map(drop)
            }),
        ),
        (
            Permission::ResetLicense,
            "reset license",
            Box::new(|s| {
                let l = fresh_license();
                w.inv.activate(t, l.key.as_str(), "pc", "PC").unwrap();
                s.reset_license(l.id).map(drop)
            }),
        ),
        (
            Permission::BorrowLicense,
            "borrow",
            Box::new(|s| s.borrow(fresh_license().id, "desk", 60).map(drop)),
        ),
        (
            Permission::BorrowLicense,
            "return borrow",
            Box::new(|s| {
                let l = fresh_license();
                w.erin.borrow(l.id, "desk", 60).unwrap();
                s.return_borrow(l.id, "desk").map(drop)
            }),
        ),
        (
            Permission::CreateBundleOrder,
            "request bundle",
            Box::new(|s| {
                s.request_bundle(w.elerome.id, bundle.id, None, None)
                    .map(drop)
            }),
        ),
        (
            Permission::CreateOrder,
            "request",
            Box::new(|s| {
                s.request(NewRequest {
                    holder: w.elerome.id,
                    product: w.cl.id,
                    quantity: 1,
                    ..Default::default()
                })
                .map(drop)
            }),
        ),
        (
            Permission::IssueLicense,
            "issue",
            Box::new(|s| s.issue(o.id, 1).map(drop)),
        ),
    ];
    for p in Permission::ALL {
        assert!(
            ops.iter().any(|(q, _, _)| *q == p),
            "{p} guards no tested operation"
        );
    }
    for (p, name, op) in &ops {
        let with = w.user(&format!("With {p} {name}"));
        let without = w.user(&format!("Without {p} {name}"));
        w.erin.add_license_manager(o.id, with.id, &[*p]).unwrap();
        let others: Vec<Permission> = Permission::ALL.into_iter().filter(|q| q != p).collect();
        w.erin
            .add_license_manager(o.id, without.id, &others)
            .unwrap();
        let before = w.snapshot();
        match op(&w.session(&without)) {
            Err(Error::PermissionDenied { actor, reason, .. }) => {
                assert_eq!(actor, without.id);
                assert!(reason.contains(p.as_str()), "{reason}");
            }
            other => panic!("{name} without {p}: expected PermissionDenied, got {other:?}"),
        }
        // Fixtures the op made as the admin are part of the op; compare only when it made
        // none: the refused op itself must not have written.
        let after = w.snapshot();
        if after.0.len() == before.0.len() {
            assert_eq!(after, before, "{name} without {p} changed the store");
        } else {
            let made_by_refused = after.0[before.0.len()..]
                .iter()
                .any(|e| e.actor == Some(without.id));
            assert!(!made_by_refused, "{name} without {p} wrote to the ledger");
        }
        op(&w.session(&with)).unwrap_or_else(|e| panic!("{name} with {p}: {e}"));
        // A user who manages nothing is refused too.
        let nobody = w.user(&format!("Nobody {p} {name}"));
        assert_eq!(err_code(&op(&w.session(&nobody))), "PERMISSION_DENIED");
    }
    w.assert_clean();
}

/// `create_order` and `issue_license` only on the enterprise plan; no manager grants what it
/// does not hold.
pub fn plan_and_escalation_rules(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let o = w.center_order(&w.cl, 3);
    let m = w.user("Manny Manager");
    for p in [Permission::CreateOrder, Permission::IssueLicense] {
        assert!(matches!(
            w.erin.add_license_manager(o.id, m.id, &[p]),
            Err(Error::PlanRequired { permission }) if permission == p
        ));
    }
    let granted = w
        .erin
        .add_license_manager(
            o.id,
            m.id,
            &[Permission::ManageManagers, Permission::ResetDevice],
        )
        .unwrap();
    assert_eq!(granted.permissions.len(), 2);
    let manny = w.session(&m);
    let other = w.user("Otto Other");
    let before = w.snapshot();
    match manny.add_license_manager(o.id, other.id, &[Permission::ResetLicense]) {
        Err(Error::PermissionDenied {
            action: Action::ManageManagers,
            reason,
            ..
        }) => assert!(reason.contains("reset_license"), "{reason}"),
        r => panic!("escalation allowed: {r:?}"),
    }
    assert_eq!(w.snapshot(), before);
    let given = manny
        .add_license_manager(o.id, other.id, &[Permission::ResetDevice])
        .unwrap();
    assert_eq!(
        given.permissions.into_iter().collect::<Vec<_>>(),
        vec![Permission::ResetDevice]
    );
    // Managers are listed; an empty grant is bad input.
    assert_eq!(w.erin.license_managers(o.id).unwrap().len(), 2);
    assert_eq!(
        err_code(&w.erin.add_license_manager(o.id, m.id, &[])),
        "INVALID_INPUT"
    );
    // A manager sees its order but not the rest of the center's inventory.
    assert!(manny.order(o.id).is_ok());
    assert_eq!(
        err_code(&manny.list(w.elerome.id, &InventoryFilter::default(), None, 10)),
        "PERMISSION_DENIED"
    );
    w.assert_clean();
}

/// Issues many licenses in one call (100,000 by default) and exports them: every row, every
/// key unique and well-formed, conservation intact.
pub fn issue_many_and_export_them(factory: Factory<'_>) {
    let n: u64 = std::env::var("LICENSE_INVENTORY_BULK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let o = w.center_order(&w.cl, n);
    let issued = w.erin.issue(o.id, n).unwrap();
    assert_eq!(issued.len() as u64, n);
    let after = w.erin.order(o.id).unwrap().order;
    assert_eq!(
        (after.issued, after.available, after.status),
        (n, 0, OrderStatus::Depleted)
    );
    let mut out = Vec::new();
    let rows = w.erin.export_order_csv(o.id, &mut out).unwrap();
    assert_eq!(rows, n);
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), ORDER_COLUMNS.to_vec());
    let key_col = ORDER_COLUMNS
        .iter()
        .position(|c| *c == "license_key")
        .unwrap();
    let mut keys = std::collections::HashSet::new();
    let mut count = 0u64;
    for record in reader.records() {
        let record = record.unwrap();
        let key = LicenseKey::parse(&record[key_col]).unwrap();
        assert!(keys.insert(key), "duplicate key");
        count += 1;
    }
    assert_eq!(count, n);
    let expected: std::collections::HashSet<_> = issued.into_iter().map(|l| l.key).collect();
    assert_eq!(keys, expected);
    w.assert_clean();
}

/// Delete: refused while children hold units (naming them); units go back; issued retired.
pub fn delete_order_rules(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let stock = w.stock(&w.ellen, &w.cl, 10);
    let mga = w
        .irina
        .assign(NewAssignment {
            from: w.ellen.id,
            to: w.mga.id,
            product: w.cl.id,
            quantity: 6,
            ..Default::default()
        })
        .unwrap();
    let center = w
        .irina
        .assign(NewAssignment {
            from: w.mga.id,
            to: w.elerome.id,
            product: w.cl.id,
            quantity: 2,
            ..Default::default()
        })
        .unwrap();
    w.irina.issue(mga.id, 1).unwrap();
    let before = w.snapshot();
    match w.irina.delete_order(mga.id) {
        Err(Error::OrderInUse { order, children }) => {
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
pub fn return_units_newest_draw_first(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let older = w.stock(&w.ellen, &w.cl, 3);
    let newer = w.stock(&w.ellen, &w.cl, 3);
    let o = w
        .irina
        .assign(NewAssignment {
            from: w.ellen.id,
            to: w.mga.id,
            product: w.cl.id,
            quantity: 5,
            ..Default::default()
        })
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
            requested: 3
        })
    ));
    // Units minted by a vendor-tier approval are retired when returned.
    let stock = w.stock(&w.ellen, &w.uac, 4);
    w.irina.return_units(stock.id, 4).unwrap();
    assert_eq!(w.inv.tenant(w.tenant.id).unwrap().retired, 4);
    w.assert_clean();
}

/// Metadata and customer are editable after approval by the holder's admins; the CSV carries
/// them, with formula-like cells neutralised.
pub fn metadata_customer_and_csv(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let o = w.center_order(&w.cl, 2);
    let edited = w
        .erin
        .edit_metadata(
            o.id,
            MetadataEdit {
                reference: Some("REF-1".into()),
                campaign: Some([("utm_source".to_owned(), "newsletter".to_owned())].into()),
                download_id: Some("DL-9".into()),
                is_test: Some(true),
                is_trial: Some(true),
            },
        )
        .unwrap();
    assert_eq!(edited.metadata.reference.as_deref(), Some("REF-1"));
    assert!(edited.metadata.is_trial && edited.metadata.is_test);
    assert_eq!(
        err_code(&w.olga.edit_metadata(o.id, MetadataEdit::default())),
        "PERMISSION_DENIED"
    );
    let bad = Customer {
        name: "X".into(),
        email: Some("not-an-email".into()),
        ..Default::default()
    };
    assert_eq!(
        err_code(&w.erin.set_customer(o.id, Some(bad))),
        "INVALID_INPUT"
    );
    let with = w
        .erin
        .set_customer(
            o.id,
            Some(Customer {
                name: "=HYPERLINK(\"http://x\")".into(),
                email: Some("Principal@Elerome.example".into()),
                company: Some("Elerome School".into()),
                phone: Some("+1 555 0100".into()),
                reference: Some("C-7".into()),
            }),
        )
        .unwrap();
    assert_eq!(
        with.customer.as_ref().and_then(|c| c.email.as_deref()),
        Some("principal@elerome.example")
    );
    // Trial orders issue trial licenses.
    let l = w.erin.issue(o.id, 1).unwrap().remove(0);
    assert!(l.trial);
    let mut out = Vec::new();
    assert_eq!(w.erin.export_order_csv(o.id, &mut out).unwrap(), 1);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(text.contains("'+1 555 0100"), "{text}");
    assert!(
        text.contains("utm_source=newsletter") && text.contains(l.key.as_str()),
        "{text}"
    );
    assert!(text.ends_with("\r\n"));
    // The inventory list exports too, newest first.
    let mut inv_csv = Vec::new();
    let rows = w
        .erin
        .export_inventory_csv(w.elerome.id, &InventoryFilter::default(), &mut inv_csv)
        .unwrap();
    assert_eq!(rows, 1);
    let mut r = csv::Reader::from_reader(inv_csv.as_slice());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        INVENTORY_COLUMNS.to_vec()
    );
    let row = r.records().next().unwrap().unwrap();
    assert_eq!(&row[0], o.number.to_string().as_str());
    assert_eq!(&row[11], "REF-1");
    // Removing the customer.
    assert_eq!(w.erin.set_customer(o.id, None).unwrap().customer, None);
    w.assert_clean();
}

/// A bundle order creates one request per line, grouped under one bundle-order id.
pub fn bundle_orders(factory: Factory<'_>) {
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

/// Exports to a path replace the file whole or not at all: a refused export (another branch's
/// admin, an unknown order) leaves the previous file byte for byte, and leaves no temporary
/// file behind; a folder that does not exist is `EXPORT_FAILED`.
pub fn export_to_path_is_atomic(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let o = w.center_order(&w.cl, 5);
    w.erin.issue(o.id, 4).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("order.csv");
    std::fs::write(&path, "previous export\n").unwrap();
    assert_eq!(
        err_code(&w.olga.export_order_csv_to_path(o.id, &path)),
        "PERMISSION_DENIED"
    );
    assert_eq!(
        err_code(&w.erin.export_order_csv_to_path(OrderId::new(), &path)),
        "NOT_FOUND"
    );
    assert_eq!(
        err_code(&w.olga.export_inventory_csv_to_path(
            w.elerome.id,
            &InventoryFilter::default(),
            &path
        )),
        "PERMISSION_DENIED"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous export\n");
    assert_eq!(w.erin.export_order_csv_to_path(o.id, &path).unwrap(), 4);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.starts_with("order_number,order_id,"));
    let rows = w
        .erin
        .export_inventory_csv_to_path(w.elerome.id, &InventoryFilter::default(), &path)
        .unwrap();
    assert_eq!(rows, 1);
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("order.csv")]);
    assert_eq!(
        err_code(
            &w.erin
                .export_order_csv_to_path(o.id, dir.path().join("no/such/dir.csv"))
        ),
        "EXPORT_FAILED"
    );
    w.assert_clean();
}

/// The outbox: a request notifies its requester, its source's admins and the vendor admins; a
/// decision notifies the requester; a new manager is invited (once). Notifications are written
/// with their change or not at all, come back until marked sent, and marking is all or none.
pub fn notifications_outbox(factory: Factory<'_>) {
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

/// History (DOMAIN §7): after a run of requests, approvals, assignments, issues, returns and a
/// deletion, one minute apart, every order's quantities and every organization's holdings at
/// each past minute are rebuilt from the ledger exactly as the store reported them then.
pub fn history_rebuilds_every_past_moment(factory: Factory<'_>) {
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
                .assign(NewAssignment {
                    from: w.mga.id,
                    to: w.elerome.id,
                    product: w.cl.id,
                    quantity: 2,
                    ..Default::default()
                })
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

/// Ledger reads per order, per organization and by time range (DOMAIN §6) return exactly the
/// entries a full read filtered by hand gives, in order and page by page.
pub fn ledger_reads_by_order_org_and_time(factory: Factory<'_>) {
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

/// Runs `cmd` twice through a session keyed with `key`: the second run returns the first
/// result and changes nothing.
fn twice<T: PartialEq + std::fmt::Debug>(
    w: &World,
    s: &Session,
    key: &str,
    cmd: impl Fn(&Session) -> Result<T>,
) -> T {
    let keyed = s.with_idempotency_key(key).unwrap();
    let first = cmd(&keyed).unwrap_or_else(|e| panic!("{key}: {e}"));
    let before = w.snapshot();
    let again = cmd(&keyed).unwrap_or_else(|e| panic!("{key} again: {e}"));
    assert_eq!(again, first, "{key}: a retry returns the first result");
    assert_eq!(w.snapshot(), before, "{key}: a retry changes nothing");
    first
}

/// Idempotency keys (DOMAIN §7): every kind of write command, repeated with its key, returns
/// its first result and changes nothing; the key with another command (or another user) is a
/// conflict; a failed command records nothing; keys are per tenant.
pub fn idempotent_commands(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::with_plan(inv, 1, Plan::Enterprise);
    let t = w.tenant.id;
    w.inv
        .set_product_policy(
            t,
            w.cl.id,
            policy(
                5,
                Validity::Perpetual,
                Some(Floating {
                    max_borrows: 5,
                    max_borrow_seconds: 600,
                }),
            ),
        )
        .unwrap();
    // A failed command records nothing: the same key works once the cause is gone.
    let req = request(&w.irina, &w.mga, &w.cl, 3, "R-1");
    let keyed = w.irina.with_idempotency_key("approve-1").unwrap();
    assert_eq!(
        err_code(&keyed.approve(req.id, None, None)),
        "INSUFFICIENT_INVENTORY"
    );
    w.stock(&w.ellen, &w.cl, 20);
    let approved = twice(&w, &w.irina, "approve-1", |s| s.approve(req.id, None, None));
    assert_eq!(approved.available, 3);
    // The same key for another command, or by another user, is a conflict; nothing changes.
    let before = w.snapshot();
    assert_eq!(
        keyed.reject(req.id, None).unwrap_err().to_string(),
        "conflict: idempotency key 'approve-1' (used for approve, not reject; choose a new key \
         for a new command) already exists in this tenant"
    );
    assert_eq!(err_code(&keyed.approve(req.id, Some(1), None)), "CONFLICT");
    let vera_keyed = w.vera.with_idempotency_key("approve-1").unwrap();
    assert_eq!(
        err_code(&vera_keyed.approve(req.id, None, None)),
        "CONFLICT"
    );
    assert_eq!(w.snapshot(), before);
    // Every kind of command.
    let r2 = twice(&w, &w.irina, "request-2", |s| {
        s.request(NewRequest {
            holder: w.mga.id,
            product: w.cl.id,
            quantity: 2,
            ..Default::default()
        })
    });
    twice(&w, &w.irina, "edit-2", |s| {
        s.edit_request(
            r2.id,
            RequestEdit {
                quantity: Some(1),
                ..Default::default()
            },
        )
    });
    twice(&w, &w.irina, "cancel-2", |s| s.cancel(r2.id));
    let r3 = request(&w.irina, &w.mga, &w.cl, 1, "R-3");
    twice(&w, &w.irina, "reject-3", |s| s.reject(r3.id, None));
    let o = twice(&w, &w.irina, "assign-1", |s| {
        s.assign(NewAssignment {
            from: w.mga.id,
            to: w.elerome.id,
            product: w.cl.id,
            quantity: 3,
            ..Default::default()
        })
    });
    twice(&w, &w.vera, "mint-1", |s| {
        s.mint(NewMint {
            product: w.uac.id,
            quantity: 4,
            ..Default::default()
        })
    });
    let issued = twice(&w, &w.erin, "issue-1", |s| s.issue(o.id, 2));
    assert_eq!(issued.len(), 2);
    assert_eq!(w.erin.order(o.id).unwrap().order.issued, 2);
    let l = &issued[0];
    twice(&w, &w.erin, "meta-1", |s| {
        s.edit_metadata(
            o.id,
            MetadataEdit {
                reference: Some("REF".into()),
                ..Default::default()
            },
        )
    });
    twice(&w, &w.erin, "customer-1", |s| {
        s.set_customer(
            o.id,
            Some(Customer {
                name: "Elerome School".into(),
                ..Default::default()
            }),
        )
    });
    let lu = twice(&w, &w.erin, "lu-1", |s| {
        s.add_license_user(
            o.id,
            NewLicenseUser {
                email: "stu@elerome.example".into(),
                name: None,
                password: Some("correct horse".into()),
            },
        )
    });
    twice(&w, &w.erin, "lu-edit-1", |s| {
        s.edit_license_user(lu.id, None, Some("Stu".into()))
    });
    twice(&w, &w.erin, "lu-pw-1", |s| {
        s.set_license_user_password(lu.id, "battery staple")
    });
    twice(&w, &w.erin, "assign-lic-1", |s| {
        s.assign_license(l.id, Some(lu.id))
    });
    let lena = w.user("Lena Manager");
    twice(&w, &w.erin, "manager-1", |s| {
        s.add_license_manager(o.id, lena.id, &[Permission::ResetDevice])
    });
    let activated = twice(&w, &w.erin, "activate-1", |s| {
        w.inv
            .with_idempotency_key("activate-1")?
            .activate(s.tenant(), l.key.as_str(), "pc", "PC")
    });
    assert_eq!(activated.activations.len(), 1);
    twice(&w, &w.erin, "reset-device-1", |s| {
        s.reset_device(l.id, "pc")
    });
    twice(&w, &w.erin, "reset-license-1", |s| s.reset_license(l.id));
    twice(&w, &w.erin, "borrow-1", |s| s.borrow(l.id, "desk", 60));
    twice(&w, &w.erin, "return-1", |s| s.return_borrow(l.id, "desk"));
    twice(&w, &w.erin, "disable-1", |s| s.disable(l.id));
    twice(&w, &w.erin, "enable-1", |s| s.enable(l.id));
    let unused = &issued[1];
    let back = twice(&w, &w.erin, "revoke-1", |s| s.revoke(unused.id));
    assert_eq!((back.issued, back.available), (1, 2));
    twice(&w, &w.erin, "lu-delete-1", |s| s.delete_license_user(lu.id));
    twice(&w, &w.erin, "return-units-1", |s| s.return_units(o.id, 1));
    let bundle = w
        .inv
        .create_bundle(
            t,
            NewBundle {
                name: "Pack".into(),
                lines: vec![BundleLine {
                    product: w.cl.id,
                    quantity: 1,
                }],
            },
        )
        .unwrap();
    twice(&w, &w.erin, "bundle-1", |s| {
        s.request_bundle(w.elerome.id, bundle.id, None, None)
    });
    let gone = w.center_order(&w.uac, 1);
    twice(&w, &w.erin, "delete-1", |s| s.delete_order(gone.id));
    // Keys are per tenant, and checked.
    let other = World::new(w.inv.clone(), 1);
    let theirs = other.irina.with_idempotency_key("approve-1").unwrap();
    let r = request(&other.irina, &other.mga, &other.cl, 1, "X");
    other.stock(&other.ellen, &other.cl, 1);
    assert_eq!(theirs.approve(r.id, None, None).unwrap().available, 1);
    assert_eq!(err_code(&w.irina.with_idempotency_key("")), "INVALID_INPUT");
    assert_eq!(
        err_code(
            &w.irina
                .with_idempotency_key(&"k".repeat(MAX_IDEMPOTENCY_KEY + 1))
        ),
        "INVALID_INPUT"
    );
    assert_eq!(
        err_code(&w.irina.with_idempotency_key("bad\nkey")),
        "INVALID_INPUT"
    );
    w.assert_clean();
    other.assert_clean();
}

/// Sixteen concurrent retries of one keyed request create exactly one order, and all of them
/// return it.
pub fn idempotent_retries_race(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let keyed = w.irina.with_idempotency_key("race-1").unwrap();
    let results: Vec<Order> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let s = keyed.clone();
                let (holder, product) = (w.mga.id, w.cl.id);
                scope.spawn(move || {
                    s.request(NewRequest {
                        holder,
                        product,
                        quantity: 2,
                        ..Default::default()
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    assert!(results.iter().all(|o| *o == results[0]));
    let orders = w
        .irina
        .list(w.mga.id, &InventoryFilter::default(), None, MAX_PAGE)
        .unwrap();
    assert_eq!(orders.items.len(), 1);
    w.assert_clean();
}

/// Batches (DOMAIN §7): many commands in one transaction; a failing command anywhere leaves the
/// store exactly as it was, with that command's own error; later commands see earlier ones.
pub fn batches_are_all_or_nothing(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    w.stock(&w.ellen, &w.cl, 10);
    let asks: Vec<Order> = (0..5)
        .map(|i| request(&w.irina, &w.mga, &w.cl, 2, &format!("B-{i}")))
        .collect();
    let approve = |o: &Order, quantity: Option<u64>| BatchCommand::Approve {
        order: o.id,
        quantity,
        comments: Some("batch".into()),
    };
    // One too many units in the last approval: nothing at all happens.
    let mut commands: Vec<BatchCommand> = asks[..4].iter().map(|o| approve(o, None)).collect();
    let extra = request(&w.irina, &w.mga, &w.cl, 5, "B-X");
    commands.push(approve(&extra, None));
    let before = w.snapshot();
    match w.irina.batch(&commands) {
        Err(Error::InsufficientInventory {
            available,
            requested,
        }) => assert_eq!((available, requested), (2, 5)),
        other => panic!("expected the last approval's error, got {other:?}"),
    }
    assert_eq!(w.snapshot(), before);
    // Bad input and refusals anywhere roll back too.
    let bad = [approve(&asks[0], None), approve(&asks[1], Some(0))];
    assert_eq!(err_code(&w.irina.batch(&bad)), "INVALID_INPUT");
    let refused = [approve(&asks[0], None), approve(&asks[1], None)];
    assert_eq!(err_code(&w.olga.batch(&refused)), "PERMISSION_DENIED");
    assert_eq!(w.snapshot(), before);
    // The five approvals together.
    let all: Vec<BatchCommand> = asks.iter().map(|o| approve(o, None)).collect();
    let done = w.irina.batch(&all).unwrap();
    assert_eq!(done.len(), 5);
    for (r, ask) in done.iter().zip(&asks) {
        match r {
            BatchResult::Order(o) => {
                assert_eq!(
                    (o.id, o.status, o.available),
                    (ask.id, OrderStatus::Active, 2)
                );
                assert_eq!(o.approval_comments.as_deref(), Some("batch"));
            }
            other => panic!("expected an order, got {other:?}"),
        }
    }
    // Later commands see earlier ones: assign down two levels, issue from the result's order,
    // reject and cancel in the same batch.
    w.stock(&w.ellen, &w.uac, 4);
    let held = w.center_order(&w.uac, 1);
    let chain = [
        BatchCommand::Assign(NewAssignment {
            from: w.ellen.id,
            to: w.mga.id,
            product: w.uac.id,
            quantity: 3,
            ..Default::default()
        }),
        BatchCommand::Assign(NewAssignment {
            from: w.mga.id,
            to: w.elerome.id,
            product: w.uac.id,
            quantity: 3,
            ..Default::default()
        }),
        BatchCommand::Reject {
            order: extra.id,
            comments: None,
        },
        BatchCommand::Request(NewRequest {
            holder: w.mga.id,
            product: w.uac.id,
            quantity: 1,
            ..Default::default()
        }),
    ];
    let done = w.irina.batch(&chain).unwrap();
    assert!(
        matches!(&done[1], BatchResult::Order(o) if o.holder == w.elerome.id && o.available == 3)
    );
    assert!(matches!(&done[2], BatchResult::Order(o) if o.status == OrderStatus::Rejected));
    let BatchResult::Order(asked) = &done[3] else {
        panic!("expected an order");
    };
    let issued = w
        .erin
        .batch(&[
            BatchCommand::Issue {
                order: held.id,
                quantity: 1,
            },
            BatchCommand::Cancel { order: asked.id },
        ])
        .unwrap_err();
    // Erin may issue from her order but not cancel MGA's request: nothing is issued.
    assert_eq!(issued.code(), "PERMISSION_DENIED");
    assert_eq!(w.erin.order(held.id).unwrap().order.issued, 0);
    let keyed = w.erin.with_idempotency_key("batch-issue").unwrap();
    let cmd = [BatchCommand::Issue {
        order: held.id,
        quantity: 1,
    }];
    let first = keyed.batch(&cmd).unwrap();
    assert_eq!(keyed.batch(&cmd).unwrap(), first);
    assert_eq!(w.erin.order(held.id).unwrap().order.issued, 1);
    assert_eq!(err_code(&w.irina.batch(&[])), "INVALID_INPUT");
    let too_many = vec![BatchCommand::Cancel { order: asked.id }; MAX_BATCH + 1];
    assert_eq!(err_code(&w.irina.batch(&too_many)), "INVALID_INPUT");
    w.assert_clean();
}
