//! The concurrent variant of the model test, a bank-style check: many threads run random
//! commands against one tenant of one store at once; then the final state must satisfy the
//! model's conservation and per-order invariants (docs/rules.md §3): every order has
//! approved = drawn + issued + available (a pending, rejected or cancelled order holds
//! nothing; an active one has units available, a depleted one none), minted − retired =
//! Σ available + Σ issued, an order's licenses number its issued units, the audit is clean,
//! and the tenant minted exactly what the successful commands minted (an idempotency key
//! raced by several threads mints once). No command may fail with a storage or internal
//! error.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use license_inventory::{
    BatchCommand, BatchResult, Error, Inventory, InventoryFilter, LicenseId, MAX_PAGE,
    NewAssignment, NewMint, NewOrganization, NewProduct, NewRequest, NewTenant, NewUser, Order,
    OrderId, OrgId, Permission, Plan, ProductId, ProductKind, Session, Tier, UserId,
};

/// A small, seedable generator (xorshift64*): each thread's commands follow from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn qty(&mut self) -> u64 {
        1 + self.next() % 8
    }
}

/// What the threads share: the ids created so far and the units the commands minted.
struct Shared {
    orders: Mutex<Vec<OrderId>>,
    licenses: Mutex<Vec<(LicenseId, String)>>,
    minted: AtomicU64,
    /// Mint keys whose command succeeded (each mints once, however many threads ran it).
    minted_keys: Mutex<BTreeSet<u64>>,
    commands: AtomicU64,
    refusals: AtomicU64,
}

struct World {
    inv: Inventory,
    vendor: OrgId,
    /// (org, its parent): distributor 1, reseller 2, center 3, distributor 4.
    orgs: Vec<(OrgId, OrgId)>,
    sessions: Vec<Session>,
    users: Vec<UserId>,
    products: Vec<ProductId>,
}

fn world(inv: Inventory) -> (World, license_inventory::TenantId) {
    let t = inv
        .create_tenant(NewTenant {
            name: "Concurrent".into(),
            plan: Plan::Enterprise,
            vendor_name: "Vendor".into(),
            first_order_number: None,
        })
        .unwrap();
    let org = |name: &str, tier, parent| {
        inv.create_org(
            t.id,
            NewOrganization {
                name: name.into(),
                tier,
                parent,
            },
        )
        .unwrap()
        .id
    };
    let d1 = org("D1", Tier::Distributor, t.vendor);
    let r2 = org("R2", Tier::Reseller, d1);
    let c3 = org("C3", Tier::Center, r2);
    let d4 = org("D4", Tier::Distributor, t.vendor);
    let mut users = Vec::new();
    let mut sessions = Vec::new();
    for (i, orgs) in [vec![t.vendor], vec![d1, r2], vec![c3], vec![d4], vec![]]
        .iter()
        .enumerate()
    {
        let u = inv
            .create_user(
                t.id,
                NewUser {
                    name: format!("U{i}"),
                    email: format!("u{i}@example.com"),
                },
            )
            .unwrap();
        for o in orgs {
            inv.grant_admin(t.id, u.id, *o).unwrap();
        }
        sessions.push(inv.session(t.id, u.id).unwrap());
        users.push(u.id);
    }
    let products = [
        ("CL", ProductKind::License),
        ("UAC", ProductKind::ActivationCode),
    ]
    .iter()
    .map(|(code, kind)| {
        inv.create_product(
            t.id,
            NewProduct {
                code: (*code).into(),
                name: (*code).into(),
                kind: *kind,
            },
        )
        .unwrap()
        .id
    })
    .collect();
    let w = World {
        inv,
        vendor: t.vendor,
        orgs: vec![(d1, t.vendor), (r2, d1), (c3, r2), (d4, t.vendor)],
        sessions,
        users,
        products,
    };
    (w, t.id)
}

/// A refusal is fine; a storage or internal error never is.
fn refused(e: &Error, what: &str) {
    match e.code() {
        "STORAGE" | "INVARIANT_VIOLATED" | "RANDOMNESS_UNAVAILABLE" | "PASSWORD_HASHING_FAILED" => {
            panic!(
                "{what} failed with {} ({e}): never a valid refusal",
                e.code()
            )
        }
        _ => {}
    }
}

impl World {
    /// Units the order's approval minted: approved at (or assigned from) the vendor.
    fn minted_by(&self, o: &Order) -> u64 {
        if o.source == Some(self.vendor) {
            o.approved_quantity
        } else {
            0
        }
    }

    fn pick_order(&self, s: &Shared, rng: &mut Rng) -> Option<OrderId> {
        let orders = s.orders.lock().unwrap();
        (!orders.is_empty()).then(|| orders[rng.below(orders.len())])
    }

    fn record(&self, s: &Shared, o: &Order) {
        let mut orders = s.orders.lock().unwrap();
        if !orders.contains(&o.id) {
            orders.push(o.id);
        }
    }

    /// One random command by a random user (mostly the vendor admin or an org's admin).
    fn step(&self, s: &Shared, rng: &mut Rng) {
        s.commands.fetch_add(1, Ordering::Relaxed);
        let who = if rng.below(3) == 0 {
            rng.below(self.sessions.len())
        } else {
            rng.below(2)
        };
        let me = &self.sessions[who];
        let product = self.products[rng.below(self.products.len())];
        let (org, parent) = self.orgs[rng.below(self.orgs.len())];
        let result: Result<(), Error> = match rng.below(13) {
            0 => me.mint(NewMint::new(product, rng.qty())).map(|o| {
                s.minted.fetch_add(o.approved_quantity, Ordering::SeqCst);
                self.record(s, &o);
            }),
            1 => {
                // Keyed mints from a small pool: the same key is always the same command, so
                // however many threads race it, it mints once.
                let k = rng.next() % 6;
                let keyed = self.sessions[0]
                    .with_idempotency_key(&format!("mint-{k}"))
                    .unwrap();
                keyed.mint(NewMint::new(self.products[0], k + 1)).map(|o| {
                    if s.minted_keys.lock().unwrap().insert(k) {
                        s.minted.fetch_add(o.approved_quantity, Ordering::SeqCst);
                    }
                    self.record(s, &o);
                })
            }
            2 | 3 => me
                .request(NewRequest::new(org, product, rng.qty()))
                .map(|o| self.record(s, &o)),
            4 | 5 => match self.pick_order(s, rng) {
                Some(id) => {
                    let q = (rng.below(2) == 0).then(|| rng.qty());
                    me.approve(id, q, None).map(|o| {
                        s.minted.fetch_add(self.minted_by(&o), Ordering::SeqCst);
                    })
                }
                None => Ok(()),
            },
            6 => me
                .assign(NewAssignment::new(parent, org, product, rng.qty()))
                .map(|o| {
                    s.minted.fetch_add(self.minted_by(&o), Ordering::SeqCst);
                    self.record(s, &o);
                }),
            7 => match self.pick_order(s, rng) {
                Some(id) => me.issue(id, 1 + rng.next() % 3).map(|ls| {
                    let mut all = s.licenses.lock().unwrap();
                    all.extend(ls.into_iter().map(|l| (l.id, l.key.as_str().to_owned())));
                }),
                None => Ok(()),
            },
            8 => {
                let l = {
                    let all = s.licenses.lock().unwrap();
                    (!all.is_empty()).then(|| all[rng.below(all.len())].clone())
                };
                match l {
                    Some((id, _)) if rng.below(2) == 0 => me.revoke(id).map(drop),
                    Some((_, key)) => {
                        let device = format!("pc-{}", rng.below(3));
                        self.inv
                            .activate(me.tenant(), &key, &device, "PC")
                            .map(drop)
                    }
                    None => Ok(()),
                }
            }
            9 => match self.pick_order(s, rng) {
                Some(id) => me.return_units(id, rng.qty()).map(drop),
                None => Ok(()),
            },
            10 => match self.pick_order(s, rng) {
                Some(id) if rng.below(3) == 0 => me.delete_order(id),
                Some(id) if rng.below(2) == 0 => me.cancel(id).map(drop),
                Some(id) => me.reject(id, None).map(drop),
                None => Ok(()),
            },
            11 => match self.pick_order(s, rng) {
                Some(id) => me
                    .add_license_manager(
                        id,
                        self.users[rng.below(self.users.len())],
                        &[Permission::IssueLicense, Permission::CreateOrder],
                    )
                    .map(drop),
                None => Ok(()),
            },
            _ => {
                // A batch: requests and pushes, approvals and issues of known orders.
                let mut cmds = Vec::new();
                for _ in 0..1 + rng.below(3) {
                    let (org, parent) = self.orgs[rng.below(self.orgs.len())];
                    cmds.push(match (rng.below(4), self.pick_order(s, rng)) {
                        (0, Some(order)) => BatchCommand::Approve {
                            order,
                            quantity: None,
                            comments: None,
                        },
                        (1, Some(order)) => BatchCommand::Issue { order, quantity: 1 },
                        (2, _) => BatchCommand::Assign(NewAssignment::new(
                            parent,
                            org,
                            product,
                            rng.qty(),
                        )),
                        _ => BatchCommand::Request(NewRequest::new(org, product, rng.qty())),
                    });
                }
                me.batch(&cmds).map(|results| {
                    for (c, r) in cmds.iter().zip(results) {
                        match (c, r) {
                            (
                                BatchCommand::Approve { .. } | BatchCommand::Assign(_),
                                BatchResult::Order(o),
                            ) => {
                                s.minted.fetch_add(self.minted_by(&o), Ordering::SeqCst);
                                self.record(s, &o);
                            }
                            (_, BatchResult::Order(o)) => self.record(s, &o),
                            (_, BatchResult::Licenses(ls)) => {
                                let mut all = s.licenses.lock().unwrap();
                                all.extend(
                                    ls.into_iter().map(|l| (l.id, l.key.as_str().to_owned())),
                                );
                            }
                            (c, r) => panic!("this test batches no {c:?}, yet got {r:?}"),
                        }
                    }
                })
            }
        };
        if let Err(e) = result {
            s.refusals.fetch_add(1, Ordering::Relaxed);
            refused(&e, "a concurrent command");
        }
    }
}

/// Runs `threads` × `steps` random commands on one tenant of `inv`, then checks the final state.
pub fn run(store: &str, inv: Inventory, threads: u64, steps: u64, seed: u64) {
    let started = std::time::Instant::now();
    let (w, tenant) = world(inv);
    let shared = Shared {
        orders: Mutex::new(Vec::new()),
        licenses: Mutex::new(Vec::new()),
        minted: AtomicU64::new(0),
        minted_keys: Mutex::new(BTreeSet::new()),
        commands: AtomicU64::new(0),
        refusals: AtomicU64::new(0),
    };
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (w, shared) = (&w, &shared);
            scope.spawn(move || {
                let mut rng = Rng(seed ^ (t + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
                for _ in 0..steps {
                    w.step(shared, &mut rng);
                }
            });
        }
    });

    // The final state, read back and checked (docs/rules.md §3).
    let root = &w.sessions[0];
    let mut all_orgs = vec![w.vendor];
    all_orgs.extend(w.orgs.iter().map(|(o, _)| *o));
    let (mut available, mut issued) = (0u64, 0u64);
    let mut seen: HashMap<OrderId, ()> = HashMap::new();
    for org in all_orgs {
        let page = root
            .list(org, &InventoryFilter::default(), None, MAX_PAGE)
            .unwrap();
        assert!(
            page.next.is_none(),
            "more than {MAX_PAGE} orders: raise the page"
        );
        for d in page.items {
            let o = d.order;
            seen.insert(o.id, ());
            let n = o.number;
            assert_eq!(
                o.approved_quantity,
                o.drawn + o.issued + o.available,
                "order {n}"
            );
            match o.status {
                license_inventory::OrderStatus::Active => assert!(o.available > 0, "order {n}"),
                license_inventory::OrderStatus::Depleted => assert_eq!(o.available, 0, "order {n}"),
                _ => assert_eq!(o.approved_quantity, 0, "order {n} holds nothing"),
            }
            let mut licenses = 0u64;
            let mut after = None;
            loop {
                let page = root.licenses(o.id, after, MAX_PAGE).unwrap();
                licenses += page.len() as u64;
                match page.last() {
                    Some(l) if page.len() == MAX_PAGE => after = Some(l.id),
                    _ => break,
                }
            }
            assert_eq!(licenses, o.issued, "order {n}: one license per issued unit");
            available += o.available;
            issued += o.issued;
        }
    }
    let audit = w.inv.audit(tenant).unwrap();
    assert!(
        audit.is_clean(),
        "audit after the concurrent run: {:#?}",
        audit.problems
    );
    assert_eq!(
        audit.orders,
        seen.len(),
        "every order is held by a listed organization"
    );
    assert_eq!(
        audit.minted - audit.retired,
        available + issued,
        "minted − retired = Σ available + Σ issued"
    );
    assert_eq!(
        audit.minted,
        shared.minted.load(Ordering::SeqCst),
        "the tenant minted exactly what the successful commands minted"
    );
    println!(
        "model (concurrent): {threads} threads on {store}, {} commands ({} refused), {} orders, \
         minted {}, retired {}, {:.1} s (seed {seed})",
        shared.commands.load(Ordering::Relaxed),
        shared.refusals.load(Ordering::Relaxed),
        seen.len(),
        audit.minted,
        audit.retired,
        started.elapsed().as_secs_f64()
    );
}
