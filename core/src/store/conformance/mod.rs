//! The one conformance suite every [`Store`](crate::Store) runs.
//!
//! A folder of suites, one file per concept; each registers its own tests with `suite!` (an
//! unlisted test is a compile error, see there). A store's test file instantiates them all
//! with `conformance_tests!`:
//!
//! ```ignore
//! license_inventory::conformance_tests!(memory, || (license_inventory::Inventory::in_memory(), ()));
//! ```
//!
//! Each test takes a fresh, empty inventory from the factory (plus a guard kept alive for the
//! test, e.g. a temporary directory). Tests panic on failure: this module is test support.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    missing_docs
)]
#![deny(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::*;

/// Makes a fresh inventory and a guard to keep alive while it is used.
pub type Factory<'a> = &'a dyn Fn() -> (Inventory, Box<dyn std::any::Any>);

/// A conformance test: it takes the store's factory and panics on failure.
pub type Test = fn(Factory<'_>);

/// Registers a suite's tests. Written once at the top of each suite file:
///
/// ```ignore
/// suite!(orders => __conformance_suite_orders: seed_walkthrough, approve_fewer_than_requested);
/// ```
///
/// The test functions themselves are private `fn`s of the suite, so the list is the only thing
/// that uses them: a test that is written but not listed is dead code, which
/// `#![deny(dead_code)]` on this module turns into a compile error; a listed name that is not a
/// function does not compile either. The macro expands to
/// - `TESTS`, the suite's `(name, test)` list (collected into `SUITES`);
/// - `run::<name>`, a public entry point per test for the stores' test binaries;
/// - a hidden exported macro (the name after `=>`) that expands to one `#[test]` per listed
///   test, in a module named after the suite; `conformance_tests!` calls it.
macro_rules! suite {
    ($suite:ident => $export:ident: $($test:ident),+ $(,)?) => {
        /// This suite's tests, by name, in the order they are listed.
        pub const TESTS: &[(&str, Test)] = &[$((stringify!($test), $test)),+];

        /// One public entry point per test, called by the `#[test]` functions that
        /// `conformance_tests!` generates in a store's test binary.
        pub mod run {
            $(
                #[doc = concat!("Runs `", stringify!($test), "`.")]
                pub fn $test(factory: super::Factory<'_>) {
                    super::$test(factory)
                }
            )+
        }

        #[doc(hidden)]
        #[macro_export]
        macro_rules! $export {
            () => {
                mod $suite {
                    #[allow(unused_imports)]
                    use super::*;
                    $(
                        #[test]
                        fn $test() {
                            if available() {
                                $crate::store::conformance::$suite::run::$test(&factory);
                            }
                        }
                    )+
                }
            };
        }
    };
}

/// Declares the suites (one line each: module and its exported macro), collects their tests
/// into `SUITES` and defines `conformance_tests!`, which instantiates every suite. A suite
/// file that is not declared here is not compiled at all; a declared one is always run.
/// (`$d` is a `$` passed in, so the generated macro can have metavariables of its own.)
macro_rules! suites {
    ($d:tt $($suite:ident => $export:ident),+ $(,)?) => {
        $(pub mod $suite;)+

        /// Every conformance test, by suite: `(suite, [(test, function)])`.
        pub const SUITES: &[(&str, &[(&str, Test)])] = &[$((stringify!($suite), $suite::TESTS)),+];

        /// Instantiates every conformance test for one store, as `#[test]` functions in a module
        /// named `$name`, one submodule per suite (`memory::orders::seed_walkthrough`).
        /// `available = false` turns each test into a no-op, which a runner reports as
        /// passed: for a store whose server is absent, compile the tests out instead and add
        /// ignored stand-ins that say SKIPPED (as `core/tests/stores/main.rs` does).
        #[macro_export]
        macro_rules! conformance_tests {
            ($d name:ident, $d factory:expr) => {
                $d crate::conformance_tests!($d name, $d factory, available = true);
            };
            ($d name:ident, $d factory:expr, available = $d available:expr) => {
                mod $d name {
                    #[allow(unused_imports)]
                    use super::*;

                    fn available() -> bool {
                        $d available
                    }

                    fn factory() -> ($d crate::Inventory, Box<dyn std::any::Any>) {
                        let (inv, guard) = ($d factory)();
                        (inv, Box::new(guard))
                    }

                    $($d crate::$export!();)+
                }
            };
        }
    };
}

suites!($
    orders => __conformance_suite_orders,
    access => __conformance_suite_access,
    views => __conformance_suite_views,
    directory => __conformance_suite_directory,
    take_backs => __conformance_suite_take_backs,
    imports => __conformance_suite_imports,
    ledger => __conformance_suite_ledger,
    history => __conformance_suite_history,
    licenses => __conformance_suite_licenses,
    returns => __conformance_suite_returns,
    export => __conformance_suite_export,
    bundles => __conformance_suite_bundles,
    notifications => __conformance_suite_notifications,
    idempotency => __conformance_suite_idempotency,
    batches => __conformance_suite_batches,
    refusals => __conformance_suite_refusals,
    panics => __conformance_suite_panics,
);

/// The organization name that makes `create_org` panic inside its transaction, after its
/// writes (the org row and its ledger entry): the test hook of the panic-safety tests. It
/// exists only with the `test-util` feature.
pub const PANIC_INSIDE_TRANSACTION: &str = "test hook: panic inside the transaction";

/// Panics if `name` is [`PANIC_INSIDE_TRANSACTION`]; called by `create_org` inside its
/// transaction (feature `test-util` only).
pub(crate) fn panic_hook(name: &str) {
    if name == PANIC_INSIDE_TRANSACTION {
        panic!("{PANIC_INSIDE_TRANSACTION}");
    }
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
            .assign(NewAssignment::new(
                self.tenant.vendor,
                org.id,
                product.id,
                qty,
            ))
            .unwrap()
    }

    /// Stocks Elerome School (a center) with `qty` units of `product` down the whole tree
    /// and returns the center's order.
    pub fn center_order(&self, product: &Product, qty: u64) -> Order {
        self.stock(&self.ellen, product, qty);
        let push = |from: &Organization, to: &Organization| {
            self.irina
                .assign(NewAssignment::new(from.id, to.id, product.id, qty))
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

pub fn err_code<T: std::fmt::Debug>(r: &Result<T>) -> &'static str {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.code(),
    }
}

pub fn policy(
    max_activations: u32,
    validity: Validity,
    floating: Option<Floating>,
) -> LicensePolicy {
    LicensePolicy {
        validity,
        max_activations,
        floating,
        trial: false,
    }
}

/// Runs `cmd` twice through a session keyed with `key`: the second run returns the first
/// result and changes nothing.
pub fn twice<T: PartialEq + std::fmt::Debug>(
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
