//! The model-based test (docs/decisions.md §33): a proptest state machine drives random commands
//! of every kind through a store and through the reference model of `domain.rs`; after each
//! step the store's answer (the result, or the error's code and figures) and its views (every
//! organization's summary and orders, the audit, conservation, the ledger's length) must equal
//! the model's. A storage or invariant error is never a valid answer.
//!
//! One store per run, one fresh tenant per case. `LICENSE_INVENTORY_MODEL_CASES` sets the
//! number of cases (1,000 by default), `LICENSE_INVENTORY_MODEL_SEED` replays a run (each run
//! prints its seed).

mod concurrent;
mod domain;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use license_inventory::{
    BatchCommand, BatchResult, Error, Inventory, InventoryFilter, License, LicenseId,
    LicenseManager, MAX_PAGE, NewAssignment, NewMint, NewOrganization, NewProduct, NewRequest,
    NewTenant, NewUser, Order, OrderId, OrgId, Organization, Permission, Plan, Product, ProductId,
    ProductKind, RequestEdit, Session, TenantId, Tier, User, UserId,
};
use proptest::prelude::*;
use proptest::sample::subsequence;
use proptest::strategy::Union;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

use domain::{Cmd, Ix, Line, Model, OrderFig, Outcome, Refusal, Value};

/// Commands per case: short sequences, many cases (each case starts from the init world).
const STEPS: std::ops::Range<usize> = 4..14;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace([',', '_'], "").parse().ok())
}

/// The number of cases per store: `LICENSE_INVENTORY_MODEL_CASES`, or 1,000.
pub fn cases() -> u32 {
    env_u64("LICENSE_INVENTORY_MODEL_CASES")
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
        .unwrap_or(1000)
}

/// The run's seed: `LICENSE_INVENTORY_MODEL_SEED`, or a fresh one (printed, to replay a run).
pub fn seed() -> u64 {
    env_u64("LICENSE_INVENTORY_MODEL_SEED").unwrap_or_else(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        h.finish()
    })
}

pub fn rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&seed.to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

thread_local! {
    /// The store of the running test (the state machine's `init_test` takes no argument).
    static STORE: RefCell<Option<Inventory>> = const { RefCell::new(None) };
    /// Cases and commands run on it.
    static COUNTS: RefCell<(u64, u64)> = const { RefCell::new((0, 0)) };
    /// Set while the runner tries cases: their panics are reported once, by the runner.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Silences the panics of this thread's model cases (the runner reports the smallest failing
/// case itself); other threads' panics print as usual.
fn quiet_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs the concurrent variant on `inv`: 8 threads of `LICENSE_INVENTORY_MODEL_CONCURRENT_STEPS`
/// (default 100) commands each.
pub fn run_concurrent(store: &str, inv: Inventory) {
    let steps = env_u64("LICENSE_INVENTORY_MODEL_CONCURRENT_STEPS").unwrap_or(100);
    let seed = seed();
    concurrent::run(store, inv, 8, steps, seed);
}

/// Runs the model test on `inv` (named `store` in the report).
pub fn run(store: &str, inv: Inventory) {
    let cases = cases();
    let seed = seed();
    STORE.with(|s| *s.borrow_mut() = Some(inv));
    COUNTS.with(|c| *c.borrow_mut() = (0, 0));
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config.clone(), rng(seed));
    let started = std::time::Instant::now();
    quiet_panics();
    QUIET.with(|q| q.set(true));
    let result = runner.run(
        &ModelMachine::sequential_strategy(STEPS),
        |(state, transitions, seen)| {
            ModelTest::test_sequential(config.clone(), state, transitions, seen);
            Ok(())
        },
    );
    QUIET.with(|q| q.set(false));
    let (ran, commands) = COUNTS.with(|c| *c.borrow());
    println!(
        "model: {} cases on {store}, {} commands, {:.1} s (seed {seed}; replay with \
         LICENSE_INVENTORY_MODEL_SEED={seed})",
        thousands(ran),
        thousands(commands),
        started.elapsed().as_secs_f64()
    );
    STORE.with(|s| *s.borrow_mut() = None);
    if let Err(e) = result {
        panic!("model test failed on {store} (seed {seed}): {e}");
    }
    assert!(ran >= u64::from(cases), "{ran} cases ran, {cases} asked");
}

/// The world every case starts from, built with ordinary commands (so the model builds it
/// too): vendor › distributor 1 › reseller 2 › center 3, and vendor › distributor 4; user 0
/// administers the vendor, user 1 orgs 1 and 2, user 2 org 3, user 3 org 4, user 4 nothing;
/// product 0 is a license, product 1 activation codes; distributor 1 holds 20 and 10 of them.
fn init_cmds() -> Vec<Cmd> {
    let mut v = vec![
        Cmd::CreateOrg {
            name: 0,
            tier: Tier::Distributor,
            parent: 0,
        },
        Cmd::CreateOrg {
            name: 1,
            tier: Tier::Reseller,
            parent: 1,
        },
        Cmd::CreateOrg {
            name: 2,
            tier: Tier::Center,
            parent: 2,
        },
        Cmd::CreateOrg {
            name: 3,
            tier: Tier::Distributor,
            parent: 0,
        },
    ];
    v.extend((0..5).map(|email| Cmd::CreateUser { email }));
    for (user, org) in [(0, 0), (1, 1), (1, 2), (2, 3), (3, 4)] {
        v.push(Cmd::GrantAdmin { user, org });
    }
    v.push(Cmd::CreateProduct {
        code: 0,
        kind: ProductKind::License,
    });
    v.push(Cmd::CreateProduct {
        code: 1,
        kind: ProductKind::ActivationCode,
    });
    v.push(Cmd::Assign {
        actor: 0,
        from: 0,
        to: 1,
        product: 0,
        qty: 20,
    });
    v.push(Cmd::Assign {
        actor: 0,
        from: 0,
        to: 1,
        product: 1,
        qty: 10,
    });
    v
}

/// The reference state machine: the model, and what each command generated from it.
pub struct ModelMachine;

/// A user likely to be allowed to act on `org`: its first admin, else the vendor admin.
fn admin_of(m: &Model, org: Ix) -> Ix {
    (0..m.users.len())
        .find(|&u| m.users[u].admin_of.contains(&org))
        .unwrap_or(0)
}

impl ReferenceStateMachine for ModelMachine {
    type State = Model;
    type Transition = Cmd;

    fn init_state() -> BoxedStrategy<Model> {
        (
            prop_oneof![Just(Plan::Standard), Just(Plan::Enterprise)],
            1..1000u64,
        )
            .prop_map(|(plan, first)| {
                let mut m = Model::new(plan, first);
                for c in init_cmds() {
                    m.step(&c).expect("the init world builds");
                }
                // The starting world's answers are compared as it is built; its views with
                // everything else's at the end of the case.
                m.touched = Some(BTreeSet::new());
                m
            })
            .boxed()
    }

    fn transitions(m: &Model) -> BoxedStrategy<Cmd> {
        let users = m.users.len();
        let orgs = m.orgs.len();
        let products = m.products.len();
        let orders = m.orders.len();
        let licenses = m.licenses.len();
        let qty = || prop_oneof![30 => 1..=12u64, 1 => Just(0u64)];
        let actor = move |good: Ix| prop_oneof![3 => Just(good), 1 => 0..users];
        let holder_admin: Vec<Ix> = m.orders.iter().map(|o| admin_of(m, o.holder)).collect();
        let source_admin: Vec<Ix> = m
            .orders
            .iter()
            .map(|o| admin_of(m, o.source.unwrap_or(0)))
            .collect();
        let org_admin: Vec<Ix> = (0..orgs).map(|o| admin_of(m, o)).collect();
        let parents: Vec<Ix> = m.orgs.iter().map(|o| o.parent.unwrap_or(0)).collect();
        let tiers = prop_oneof![
            Just(Tier::Distributor),
            Just(Tier::Reseller),
            Just(Tier::Hub),
            Just(Tier::Center)
        ];
        let perms = subsequence(
            vec![
                Permission::ManageManagers,
                Permission::ResetDevice,
                Permission::CreateOrder,
                Permission::IssueLicense,
            ],
            0..=4,
        )
        .prop_map(|v| v.into_iter().collect::<BTreeSet<_>>());

        let oa = org_admin.clone();
        let request = (0..orgs, 0..products, qty())
            .prop_flat_map(move |(holder, product, qty)| {
                (actor(oa[holder]), Just(holder), Just(product), Just(qty))
            })
            .prop_map(|(actor, holder, product, qty)| Cmd::Request {
                actor,
                holder,
                product,
                qty,
            });
        let (oa, pa) = (org_admin.clone(), parents.clone());
        let assign = (1..orgs, 0..products, qty(), any::<bool>())
            .prop_flat_map(move |(to, product, qty, direct)| {
                // Mostly from the parent (the legal push), sometimes from anywhere.
                let from = if direct {
                    Just(pa[to]).boxed()
                } else {
                    (0..orgs).boxed()
                };
                (from, Just(to), Just(product), Just(qty))
            })
            .prop_flat_map(move |(from, to, product, qty)| {
                (
                    actor(oa[from]),
                    Just(from),
                    Just(to),
                    Just(product),
                    Just(qty),
                )
            })
            .prop_map(|(actor, from, to, product, qty)| Cmd::Assign {
                actor,
                from,
                to,
                product,
                qty,
            });
        let mint = (actor(0), 0..products, qty()).prop_map(|(actor, product, qty)| Cmd::Mint {
            actor,
            product,
            qty,
        });

        let mut options: Vec<(u32, BoxedStrategy<Cmd>)> = vec![
            (
                1,
                (0..8u8, tiers, 0..orgs)
                    .prop_map(|(name, tier, parent)| Cmd::CreateOrg { name, tier, parent })
                    .boxed(),
            ),
            (
                1,
                (1..orgs).prop_map(|org| Cmd::DeactivateOrg { org }).boxed(),
            ),
            (
                1,
                (0..8u8).prop_map(|email| Cmd::CreateUser { email }).boxed(),
            ),
            (
                1,
                (0..users, 0..orgs)
                    .prop_map(|(user, org)| Cmd::GrantAdmin { user, org })
                    .boxed(),
            ),
            (
                1,
                (
                    0..4u8,
                    prop_oneof![
                        Just(ProductKind::License),
                        Just(ProductKind::ActivationCode)
                    ],
                )
                    .prop_map(|(code, kind)| Cmd::CreateProduct { code, kind })
                    .boxed(),
            ),
            (2, mint.clone().boxed()),
            (6, request.clone().boxed()),
            (4, assign.clone().boxed()),
        ];
        if orders > 0 {
            // (actor, order): the order's holder's (or source's) admin, sometimes anyone.
            let ha = holder_admin.clone();
            let by_holder = move || {
                let ha = ha.clone();
                (0..orders).prop_flat_map(move |o| (actor(ha[o]), Just(o)))
            };
            let sa = source_admin.clone();
            let by_source = move || {
                let sa = sa.clone();
                (0..orders).prop_flat_map(move |o| (actor(sa[o]), Just(o)))
            };
            let approve = (by_source(), proptest::option::of(0..=12u64))
                .prop_map(|((actor, order), qty)| Cmd::Approve { actor, order, qty });
            let reject = by_source().prop_map(|(actor, order)| Cmd::Reject { actor, order });
            let cancel = by_holder().prop_map(|(actor, order)| Cmd::Cancel { actor, order });
            let issue = (by_holder(), qty()).prop_map(|((actor, order), q)| Cmd::Issue {
                actor,
                order,
                qty: q.min(4),
            });
            let ret = (by_holder(), qty()).prop_map(|((actor, order), qty)| Cmd::Return {
                actor,
                order,
                qty,
            });
            let edit = (
                by_holder(),
                proptest::option::of(0..products),
                proptest::option::of(qty()),
            )
                .prop_map(|((actor, order), product, qty)| Cmd::Edit {
                    actor,
                    order,
                    product,
                    qty,
                });
            let delete = by_holder().prop_map(|(actor, order)| Cmd::Delete { actor, order });
            let manager =
                (by_holder(), 0..users, perms).prop_map(|((actor, order), user, perms)| {
                    Cmd::AddManager {
                        actor,
                        order,
                        user,
                        perms,
                    }
                });
            // A batch of a vendor admin (mostly) or anyone: requests, decisions, pushes, issues.
            let inner = prop_oneof![
                request.clone(),
                approve.clone(),
                reject.clone(),
                cancel.clone(),
                assign.clone(),
                issue.clone(),
            ];
            let batch = (
                prop_oneof![3 => Just(0), 1 => 0..users],
                proptest::collection::vec(inner, 1..4),
            )
                .prop_map(|(actor, cmds)| Cmd::Batch {
                    actor,
                    cmds: cmds.into_iter().map(|c| with_actor(c, actor)).collect(),
                });
            // Keyed commands: mostly fresh keys, sometimes reused for another command.
            let keyed = (
                0..6u8,
                prop_oneof![
                    request.clone().boxed(),
                    approve.clone().boxed(),
                    issue.clone().boxed(),
                    ret.clone().boxed(),
                    mint.clone().boxed(),
                    assign.clone().boxed(),
                    (0..8u8).prop_map(|email| Cmd::CreateUser { email }).boxed(),
                ],
            )
                .prop_map(|(key, cmd)| Cmd::Keyed {
                    key,
                    cmd: Box::new(cmd),
                });
            options.extend([
                (5, approve.boxed()),
                (2, reject.boxed()),
                (2, cancel.boxed()),
                (2, edit.boxed()),
                (4, issue.boxed()),
                (3, ret.boxed()),
                (2, delete.boxed()),
                (3, manager.boxed()),
                (2, batch.boxed()),
                (3, keyed.boxed()),
            ]);
        }
        if licenses > 0 {
            let la: Vec<Ix> = m
                .licenses
                .iter()
                .map(|l| admin_of(m, m.orders[l.order].holder))
                .collect();
            options.push((
                3,
                (0..licenses, 0..3u8)
                    .prop_map(|(license, device)| Cmd::Activate { license, device })
                    .boxed(),
            ));
            options.push((
                2,
                (0..licenses)
                    .prop_flat_map(move |l| (actor(la[l]), Just(l)))
                    .prop_map(|(actor, license)| Cmd::Revoke { actor, license })
                    .boxed(),
            ));
        }
        // Retries: the last keyed command again (a replay, or a second try after a refusal),
        // and any command already recorded under its key.
        if let Some((c @ Cmd::Keyed { .. }, _)) = &m.last {
            options.push((6, Just(c.clone()).boxed()));
        }
        if !m.keys.is_empty() {
            let done: Vec<Cmd> = m
                .keys
                .iter()
                .map(|(k, (c, _))| Cmd::Keyed {
                    key: *k,
                    cmd: Box::new(c.clone()),
                })
                .collect();
            options.push((2, proptest::sample::select(done).boxed()));
        }
        Union::new_weighted(options).boxed()
    }

    fn apply(mut m: Model, c: &Cmd) -> Model {
        let before = m.clone();
        let outcome = m.step(c);
        m.check();
        // The views to compare after this step: the organizations the command names, and
        // every one whose summary or orders the model says changed. (All of them are compared
        // at the end of each case, so a change the model does not
        // expect, anywhere, is still found.)
        let mut touched = BTreeSet::new();
        m.named_orgs(c, &mut touched);
        before.named_orgs(c, &mut touched);
        touched.extend((0..m.orgs.len()).filter(|&o| {
            o >= before.orgs.len()
                || m.summary(o) != before.summary(o)
                || m.orders_of(o) != before.orders_of(o)
        }));
        m.touched = Some(touched);
        m.last = Some((c.clone(), outcome));
        m
    }

    /// After shrinking removes earlier commands, a later one may name something that no
    /// longer exists: such a sequence is skipped.
    fn preconditions(m: &Model, c: &Cmd) -> bool {
        valid(m, c)
    }
}

fn with_actor(c: Cmd, a: Ix) -> Cmd {
    match c {
        Cmd::Request {
            holder,
            product,
            qty,
            ..
        } => Cmd::Request {
            actor: a,
            holder,
            product,
            qty,
        },
        Cmd::Approve { order, qty, .. } => Cmd::Approve {
            actor: a,
            order,
            qty,
        },
        Cmd::Reject { order, .. } => Cmd::Reject { actor: a, order },
        Cmd::Cancel { order, .. } => Cmd::Cancel { actor: a, order },
        Cmd::Assign {
            from,
            to,
            product,
            qty,
            ..
        } => Cmd::Assign {
            actor: a,
            from,
            to,
            product,
            qty,
        },
        Cmd::Issue { order, qty, .. } => Cmd::Issue {
            actor: a,
            order,
            qty,
        },
        c => c,
    }
}

/// Every index of `c` names something the model has.
fn valid(m: &Model, c: &Cmd) -> bool {
    let (u, o, p, r, l) = (
        m.users.len(),
        m.orgs.len(),
        m.products.len(),
        m.orders.len(),
        m.licenses.len(),
    );
    match c {
        Cmd::CreateOrg { parent, .. } => *parent < o,
        Cmd::DeactivateOrg { org } => *org < o,
        Cmd::CreateUser { .. } | Cmd::CreateProduct { .. } => true,
        Cmd::GrantAdmin { user, org } => *user < u && *org < o,
        Cmd::Mint { actor, product, .. } => *actor < u && *product < p,
        Cmd::Request {
            actor,
            holder,
            product,
            ..
        } => *actor < u && *holder < o && *product < p,
        Cmd::Edit {
            actor,
            order,
            product,
            ..
        } => *actor < u && *order < r && product.is_none_or(|x| x < p),
        Cmd::Cancel { actor, order }
        | Cmd::Approve { actor, order, .. }
        | Cmd::Reject { actor, order }
        | Cmd::Issue { actor, order, .. }
        | Cmd::Return { actor, order, .. }
        | Cmd::Delete { actor, order } => *actor < u && *order < r,
        Cmd::Assign {
            actor,
            from,
            to,
            product,
            ..
        } => *actor < u && *from < o && *to < o && *product < p,
        Cmd::Activate { license, .. } => *license < l,
        Cmd::Revoke { actor, license } => *actor < u && *license < l,
        Cmd::AddManager {
            actor, order, user, ..
        } => *actor < u && *order < r && *user < u,
        Cmd::Batch { actor, cmds } => *actor < u && cmds.iter().all(|c| valid(m, c)),
        Cmd::Keyed { cmd, .. } => valid(m, cmd),
    }
}

/// The store under test, and the ids behind the model's indexes.
pub struct Sut {
    inv: Inventory,
    tenant: TenantId,
    orgs: Vec<OrgId>,
    users: Vec<UserId>,
    sessions: Vec<Session>,
    products: Vec<ProductId>,
    orders: Vec<OrderId>,
    licenses: Vec<(LicenseId, String)>,
    org_ix: HashMap<OrgId, Ix>,
    user_ix: HashMap<UserId, Ix>,
    product_ix: HashMap<ProductId, Ix>,
    order_ix: HashMap<OrderId, Ix>,
    license_ix: HashMap<LicenseId, Ix>,
    /// The first result recorded under each idempotency key (its `Debug` form).
    recorded: BTreeMap<u8, String>,
}

/// What the store returned.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // test-only, one per command
enum Actual {
    Org(Organization),
    User(User),
    Product(Product),
    Unit,
    Order(Order),
    Licenses(Vec<License>),
    License(License),
    Manager(LicenseManager),
    Batch(Vec<BatchResult>),
}

/// The code and figures of a store's error; a storage or invariant error fails the test.
fn refusal(e: &Error, cmd: &Cmd) -> Refusal {
    match e {
        Error::InvalidInput { field, .. } => Refusal::InvalidInput(field),
        Error::NotFound { entity, .. } => Refusal::NotFound(*entity),
        Error::PermissionDenied { action, .. } => Refusal::PermissionDenied(*action),
        Error::InsufficientInventory {
            available,
            requested,
            ..
        } => Refusal::Insufficient {
            available: *available,
            requested: *requested,
        },
        Error::InvalidState {
            order,
            status,
            action,
            ..
        } => Refusal::InvalidState {
            number: order.0,
            status: *status,
            action: *action,
        },
        Error::Hierarchy { .. } => Refusal::Hierarchy,
        Error::Conflict { .. } => Refusal::Conflict,
        Error::OrderInUse {
            order, children, ..
        } => Refusal::OrderInUse {
            number: order.0,
            children: children.iter().map(|n| n.0).collect(),
        },
        Error::ActivationLimit { max, .. } => Refusal::ActivationLimit { max: *max },
        Error::LicenseUnusable { .. } => Refusal::LicenseUnusable,
        Error::PlanRequired { permission, .. } => Refusal::PlanRequired(*permission),
        Error::InBatch { index, error } => Refusal::InBatch(*index, Box::new(refusal(error, cmd))),
        other => panic!(
            "{cmd:?} failed with {} ({other}): a storage or internal error is never a valid \
             refusal",
            other.code()
        ),
    }
}

impl Sut {
    fn new(inv: Inventory, model: &Model) -> Sut {
        let t = inv
            .create_tenant(NewTenant {
                name: "Model".into(),
                plan: model.plan,
                vendor_name: "Vendor".into(),
                first_order_number: Some(model.first_number),
            })
            .unwrap();
        let mut sut = Sut {
            inv,
            tenant: t.id,
            orgs: vec![t.vendor],
            users: Vec::new(),
            sessions: Vec::new(),
            products: Vec::new(),
            orders: Vec::new(),
            licenses: Vec::new(),
            org_ix: HashMap::from([(t.vendor, 0)]),
            user_ix: HashMap::new(),
            product_ix: HashMap::new(),
            order_ix: HashMap::new(),
            license_ix: HashMap::new(),
            recorded: BTreeMap::new(),
        };
        let mut m = Model::new(model.plan, model.first_number);
        for c in init_cmds() {
            let expected = m.step(&c);
            sut.apply(&c, &expected);
        }
        sut
    }

    fn session(&self, user: Ix, key: Option<u8>) -> Session {
        let s = &self.sessions[user];
        match key {
            Some(k) => s.with_idempotency_key(&format!("key-{k}")).unwrap(),
            None => s.clone(),
        }
    }

    fn batch_command(&self, c: &Cmd) -> BatchCommand {
        match c {
            Cmd::Request {
                holder,
                product,
                qty,
                ..
            } => BatchCommand::Request(NewRequest::new(
                self.orgs[*holder],
                self.products[*product],
                *qty,
            )),
            Cmd::Approve { order, qty, .. } => BatchCommand::Approve {
                order: self.orders[*order],
                quantity: *qty,
                comments: None,
            },
            Cmd::Reject { order, .. } => BatchCommand::Reject {
                order: self.orders[*order],
                comments: None,
            },
            Cmd::Cancel { order, .. } => BatchCommand::Cancel {
                order: self.orders[*order],
            },
            Cmd::Assign {
                from,
                to,
                product,
                qty,
                ..
            } => BatchCommand::Assign(NewAssignment::new(
                self.orgs[*from],
                self.orgs[*to],
                self.products[*product],
                *qty,
            )),
            Cmd::Issue { order, qty, .. } => BatchCommand::Issue {
                order: self.orders[*order],
                quantity: *qty,
            },
            c => unreachable!("not a batch command: {c:?}"),
        }
    }

    /// Runs `c` on the store.
    fn call(&self, c: &Cmd, key: Option<u8>) -> Result<Actual, Error> {
        let inv = match key {
            Some(k) => self.inv.with_idempotency_key(&format!("key-{k}")).unwrap(),
            None => self.inv.clone(),
        };
        let t = self.tenant;
        let s = |a: &Ix| self.session(*a, key);
        Ok(match c {
            Cmd::CreateOrg { name, tier, parent } => Actual::Org(inv.create_org(
                t,
                NewOrganization {
                    name: format!("Org {name}"),
                    tier: *tier,
                    parent: self.orgs[*parent],
                },
            )?),
            Cmd::DeactivateOrg { org } => Actual::Org(inv.deactivate_org(t, self.orgs[*org])?),
            Cmd::CreateUser { email } => Actual::User(inv.create_user(
                t,
                NewUser {
                    name: format!("User {email}"),
                    email: format!("user{email}@example.com"),
                },
            )?),
            Cmd::GrantAdmin { user, org } => {
                inv.grant_admin(t, self.users[*user], self.orgs[*org])?;
                Actual::Unit
            }
            Cmd::CreateProduct { code, kind } => Actual::Product(inv.create_product(
                t,
                NewProduct {
                    code: format!("P{code}"),
                    name: format!("Product {code}"),
                    kind: *kind,
                },
            )?),
            Cmd::Mint {
                actor,
                product,
                qty,
            } => Actual::Order(s(actor).mint(NewMint::new(self.products[*product], *qty))?),
            Cmd::Request {
                actor,
                holder,
                product,
                qty,
            } => Actual::Order(s(actor).request(NewRequest::new(
                self.orgs[*holder],
                self.products[*product],
                *qty,
            ))?),
            Cmd::Edit {
                actor,
                order,
                product,
                qty,
            } => Actual::Order(s(actor).edit_request(
                self.orders[*order],
                RequestEdit {
                    product: product.map(|p| self.products[p]),
                    quantity: *qty,
                    ..RequestEdit::default()
                },
            )?),
            Cmd::Cancel { actor, order } => Actual::Order(s(actor).cancel(self.orders[*order])?),
            Cmd::Approve { actor, order, qty } => {
                Actual::Order(s(actor).approve(self.orders[*order], *qty, None)?)
            }
            Cmd::Reject { actor, order } => {
                Actual::Order(s(actor).reject(self.orders[*order], None)?)
            }
            Cmd::Assign {
                actor,
                from,
                to,
                product,
                qty,
            } => Actual::Order(s(actor).assign(NewAssignment::new(
                self.orgs[*from],
                self.orgs[*to],
                self.products[*product],
                *qty,
            ))?),
            Cmd::Issue { actor, order, qty } => {
                Actual::Licenses(s(actor).issue(self.orders[*order], *qty)?)
            }
            Cmd::Activate { license, device } => Actual::License(inv.activate(
                t,
                &self.licenses[*license].1,
                &format!("device-{device}"),
                "Device",
            )?),
            Cmd::Revoke { actor, license } => {
                Actual::Order(s(actor).revoke(self.licenses[*license].0)?)
            }
            Cmd::Return { actor, order, qty } => {
                Actual::Order(s(actor).return_units(self.orders[*order], *qty)?)
            }
            Cmd::Delete { actor, order } => {
                s(actor).delete_order(self.orders[*order])?;
                Actual::Unit
            }
            Cmd::AddManager {
                actor,
                order,
                user,
                perms,
            } => {
                let perms: Vec<Permission> = perms.iter().copied().collect();
                Actual::Manager(s(actor).add_license_manager(
                    self.orders[*order],
                    self.users[*user],
                    &perms,
                )?)
            }
            Cmd::Batch { actor, cmds } => {
                let cmds: Vec<BatchCommand> = cmds.iter().map(|c| self.batch_command(c)).collect();
                Actual::Batch(s(actor).batch(&cmds)?)
            }
            Cmd::Keyed { .. } => unreachable!("keyed commands are not nested"),
        })
    }

    fn fig(&mut self, o: &Order) -> OrderFig {
        let ix = match self.order_ix.get(&o.id) {
            Some(ix) => *ix,
            None => {
                self.orders.push(o.id);
                self.order_ix.insert(o.id, self.orders.len() - 1);
                self.orders.len() - 1
            }
        };
        OrderFig {
            ix,
            number: o.number.0,
            product: self.product_ix[&o.product],
            holder: self.org_ix[&o.holder],
            source: o.source.map(|s| self.org_ix[&s]),
            status: o.status,
            requested: o.requested_quantity,
            approved: o.approved_quantity,
            drawn: o.drawn,
            issued: o.issued,
            available: o.available,
        }
    }

    fn licenses_value(&mut self, ls: &[License]) -> Value {
        let first = self.licenses.len();
        for l in ls {
            self.license_ix.insert(l.id, self.licenses.len());
            self.licenses.push((l.id, l.key.as_str().to_owned()));
        }
        Value::Licenses {
            order: self.order_ix[&ls[0].order],
            first,
            count: ls.len() as u64,
        }
    }

    /// The model's view of what the store returned; records the ids of what it created.
    fn value(&mut self, a: &Actual) -> Value {
        match a {
            Actual::Org(o) => {
                let ix = *self.org_ix.entry(o.id).or_insert(self.orgs.len());
                if ix == self.orgs.len() {
                    self.orgs.push(o.id);
                }
                Value::Org {
                    ix,
                    active: o.active,
                }
            }
            Actual::User(u) => {
                let ix = *self.user_ix.entry(u.id).or_insert(self.users.len());
                if ix == self.users.len() {
                    self.users.push(u.id);
                    self.sessions
                        .push(self.inv.session(self.tenant, u.id).unwrap());
                }
                Value::User(ix)
            }
            Actual::Product(p) => {
                let ix = *self.product_ix.entry(p.id).or_insert(self.products.len());
                if ix == self.products.len() {
                    self.products.push(p.id);
                }
                Value::Product(ix)
            }
            Actual::Unit => Value::Unit,
            Actual::Order(o) => Value::Order(self.fig(o)),
            Actual::Licenses(ls) => self.licenses_value(ls),
            Actual::License(l) => Value::License {
                ix: self.license_ix[&l.id],
                devices: l.activations.len(),
            },
            Actual::Manager(m) => Value::Manager {
                order: self.order_ix[&m.order],
                user: self.user_ix[&m.user],
                perms: m.permissions.clone(),
            },
            Actual::Batch(rs) => Value::Batch(
                rs.iter()
                    .map(|r| match r {
                        BatchResult::Order(o) => Value::Order(self.fig(o)),
                        BatchResult::Licenses(ls) => self.licenses_value(ls),
                        BatchResult::License(l) => Value::License {
                            ix: self.license_ix[&l.id],
                            devices: l.activations.len(),
                        },
                        BatchResult::Manager(m) => Value::Manager {
                            order: self.order_ix[&m.order],
                            user: self.user_ix[&m.user],
                            perms: m.permissions.clone(),
                        },
                        other => panic!("the model batches no command that returns {other:?}"),
                    })
                    .collect(),
            ),
        }
    }

    /// Runs `c` and checks the store's answer against the model's `expected`.
    fn apply(&mut self, c: &Cmd, expected: &Outcome) {
        COUNTS.with(|n| n.borrow_mut().1 += 1);
        let (key, inner) = match c {
            Cmd::Keyed { key, cmd } => (Some(*key), &**cmd),
            c => (None, c),
        };
        let got = self.call(inner, key);
        match (got, expected) {
            (Ok(actual), Ok(Value::Replay(k))) => {
                assert_eq!(
                    Some(&format!("{actual:?}")),
                    self.recorded.get(k),
                    "{c:?}: a retry with key {k} returns the recorded result"
                );
            }
            (Ok(actual), Ok(value)) => {
                let got = self.value(&actual);
                assert_eq!(
                    &got, value,
                    "{c:?}: the store's result differs from the model's"
                );
                if let Some(k) = key {
                    self.recorded.insert(k, format!("{actual:?}"));
                }
            }
            (Err(e), Err(refused)) => {
                let got = refusal(&e, c);
                assert_eq!(&got, refused, "{c:?}: the store refused otherwise ({e})");
                if let (Error::PermissionDenied { actor, .. }, Some(a)) =
                    (e.command_error(), c.actor())
                {
                    assert_eq!(*actor, self.users[a], "{c:?}: the error names the actor");
                }
            }
            (Ok(actual), Err(refused)) => {
                panic!("{c:?}: the store accepted ({actual:?}), the model refuses: {refused:?}")
            }
            (Err(e), Ok(value)) => {
                let _ = refusal(&e, c);
                panic!(
                    "{c:?}: the store refused ({} {e}), the model accepts: {value:?}",
                    e.code()
                )
            }
        }
    }

    /// The store's views equal the model's: every organization's summary and orders, the
    /// audit (clean, with the model's totals) and the ledger's length.
    fn check_views(&self, m: &Model, all: bool) {
        let root = &self.sessions[0];
        let orgs: Vec<Ix> = match (&m.touched, all) {
            (Some(t), false) => t.iter().copied().collect(),
            _ => (0..m.orgs.len()).collect(),
        };
        for org in orgs {
            let lines: BTreeMap<Ix, Line> = root
                .summary(self.orgs[org])
                .unwrap()
                .into_iter()
                .map(|l| {
                    (
                        self.product_ix[&l.product],
                        Line {
                            held: l.held,
                            available: l.available,
                            pending_requests: l.pending_requests,
                            pending_units: l.pending_units,
                            incoming_requests: l.incoming_requests,
                            incoming_units: l.incoming_units,
                        },
                    )
                })
                .collect();
            assert_eq!(lines, m.summary(org), "summary of org {org}");
            let page = root
                .list(self.orgs[org], &InventoryFilter::default(), None, MAX_PAGE)
                .unwrap();
            let orders: Vec<OrderFig> = page
                .items
                .iter()
                .map(|d| {
                    let o = &d.order;
                    OrderFig {
                        ix: self.order_ix[&o.id],
                        number: o.number.0,
                        product: self.product_ix[&o.product],
                        holder: self.org_ix[&o.holder],
                        source: o.source.map(|s| self.org_ix[&s]),
                        status: o.status,
                        requested: o.requested_quantity,
                        approved: o.approved_quantity,
                        drawn: o.drawn,
                        issued: o.issued,
                        available: o.available,
                    }
                })
                .collect();
            assert_eq!(orders, m.orders_of(org), "orders of org {org}");
        }
        let audit = self.inv.audit(self.tenant).unwrap();
        assert!(audit.is_clean(), "audit: {:#?}", audit.problems);
        let (available, issued) = m.totals();
        let live = m.orders.iter().filter(|o| !o.deleted).count();
        assert_eq!(
            (
                audit.minted,
                audit.retired,
                audit.available,
                audit.issued,
                audit.orders
            ),
            (m.minted, m.retired, available, issued, live),
            "audit totals (minted, retired, available, issued, orders)"
        );
        assert_eq!(
            audit.ledger_entries, m.ledger,
            "ledger entries (one per change)"
        );
    }
}

/// The store side of the state machine.
pub struct ModelTest;

impl StateMachineTest for ModelTest {
    type SystemUnderTest = Sut;
    type Reference = ModelMachine;

    fn init_test(m: &Model) -> Sut {
        COUNTS.with(|n| n.borrow_mut().0 += 1);
        let inv = STORE.with(|s| s.borrow().clone()).expect("a store is set");
        Sut::new(inv, m)
    }

    fn apply(mut sut: Sut, m: &Model, c: Cmd) -> Sut {
        let (cmd, expected) = m.last.as_ref().expect("the model ran the command");
        assert_eq!(cmd, &c);
        sut.apply(&c, expected);
        sut
    }

    fn check_invariants(sut: &Sut, m: &Model) {
        sut.check_views(m, false);
    }

    fn teardown(sut: Sut, m: Model) {
        sut.check_views(&m, true);
    }
}
