//! The reference model: the rules of docs/rules.md written again, independently of the core, in
//! plain collections and for clarity, not speed. Everything is addressed by index (the n-th
//! organization, user, product, order or license created in the tenant); the test maps the
//! indexes to the store's ids.
//!
//! Where docs/rules.md leaves a choice open (which check comes first when several fail, in what
//! order the draws of one approval are given back), the model follows the core in the simplest
//! form and says so in a comment.

use std::collections::{BTreeMap, BTreeSet};

use license_inventory::{
    Action, Entity, MAX_QUANTITY, OrderStatus, Permission, Plan, ProductKind, Tier,
};

/// Index of an organization (0 is the vendor), a user, a product, an order or a license.
pub type Ix = usize;

/// The most devices a license of the model's products may be activated on (the default
/// policy, docs/rules.md §7).
pub const MAX_ACTIVATIONS: u32 = 1;

/// One command, with every id resolved to a model index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cmd {
    CreateOrg {
        name: u8,
        tier: Tier,
        parent: Ix,
    },
    DeactivateOrg {
        org: Ix,
    },
    CreateUser {
        email: u8,
    },
    GrantAdmin {
        user: Ix,
        org: Ix,
    },
    CreateProduct {
        code: u8,
        kind: ProductKind,
    },
    Mint {
        actor: Ix,
        product: Ix,
        qty: u64,
    },
    Request {
        actor: Ix,
        holder: Ix,
        product: Ix,
        qty: u64,
    },
    Edit {
        actor: Ix,
        order: Ix,
        product: Option<Ix>,
        qty: Option<u64>,
    },
    Cancel {
        actor: Ix,
        order: Ix,
    },
    Approve {
        actor: Ix,
        order: Ix,
        qty: Option<u64>,
    },
    Reject {
        actor: Ix,
        order: Ix,
    },
    Assign {
        actor: Ix,
        from: Ix,
        to: Ix,
        product: Ix,
        qty: u64,
    },
    Issue {
        actor: Ix,
        order: Ix,
        qty: u64,
    },
    Activate {
        license: Ix,
        device: u8,
    },
    Revoke {
        actor: Ix,
        license: Ix,
    },
    Return {
        actor: Ix,
        order: Ix,
        qty: u64,
    },
    Delete {
        actor: Ix,
        order: Ix,
    },
    AddManager {
        actor: Ix,
        order: Ix,
        user: Ix,
        perms: BTreeSet<Permission>,
    },
    /// Request, Approve, Reject, Cancel, Assign and Issue commands of `actor`, in one
    /// transaction (docs/rules.md §11).
    Batch {
        actor: Ix,
        cmds: Vec<Cmd>,
    },
    /// `cmd` through a handle carrying idempotency key `key` (docs/rules.md §11).
    Keyed {
        key: u8,
        cmd: Box<Cmd>,
    },
}

impl Cmd {
    /// The acting user of a session command (none for provisioning and end-user commands).
    pub fn actor(&self) -> Option<Ix> {
        match self {
            Cmd::Mint { actor, .. }
            | Cmd::Request { actor, .. }
            | Cmd::Edit { actor, .. }
            | Cmd::Cancel { actor, .. }
            | Cmd::Approve { actor, .. }
            | Cmd::Reject { actor, .. }
            | Cmd::Assign { actor, .. }
            | Cmd::Issue { actor, .. }
            | Cmd::Revoke { actor, .. }
            | Cmd::Return { actor, .. }
            | Cmd::Delete { actor, .. }
            | Cmd::AddManager { actor, .. }
            | Cmd::Batch { actor, .. } => Some(*actor),
            Cmd::Keyed { cmd, .. } => cmd.actor(),
            _ => None,
        }
    }
}

/// A refusal: the error's code and the figures a caller relies on (never its message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    InvalidInput(&'static str),
    NotFound(Entity),
    PermissionDenied(Action),
    Insufficient {
        available: u64,
        requested: u64,
    },
    InvalidState {
        number: u64,
        status: OrderStatus,
        action: Action,
    },
    Hierarchy,
    Conflict,
    OrderInUse {
        number: u64,
        children: Vec<u64>,
    },
    ActivationLimit {
        max: u32,
    },
    LicenseUnusable,
    PlanRequired(Permission),
    /// A batch's command at this position refused.
    InBatch(usize, Box<Refusal>),
}

/// The figures of an order as a command returns it or a view shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderFig {
    pub ix: Ix,
    pub number: u64,
    pub product: Ix,
    pub holder: Ix,
    pub source: Option<Ix>,
    pub status: OrderStatus,
    pub requested: u64,
    pub approved: u64,
    pub drawn: u64,
    pub issued: u64,
    pub available: u64,
}

/// What a command returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Org {
        ix: Ix,
        active: bool,
    },
    User(Ix),
    Product(Ix),
    Unit,
    Order(OrderFig),
    /// `count` new licenses of `order`, the first being license `first`.
    Licenses {
        order: Ix,
        first: Ix,
        count: u64,
    },
    License {
        ix: Ix,
        devices: usize,
    },
    Manager {
        order: Ix,
        user: Ix,
        perms: BTreeSet<Permission>,
    },
    Batch(Vec<Value>),
    /// The result recorded under this key the first time.
    Replay(u8),
}

/// The outcome of one command.
pub type Outcome = Result<Value, Refusal>;

/// The licenses a command's result holds (an issue's, or those of a batch's issues).
fn licenses_made(value: &Value) -> Vec<Ix> {
    match value {
        Value::Licenses { first, count, .. } => (*first..)
            .take(usize::try_from(*count).unwrap_or(usize::MAX))
            .collect(),
        Value::Batch(values) => values.iter().flat_map(licenses_made).collect(),
        _ => Vec::new(),
    }
}

#[derive(Clone, Debug)]
pub struct Org {
    pub tier: Tier,
    pub parent: Option<Ix>,
    pub active: bool,
}

#[derive(Clone, Debug)]
pub struct User {
    pub email: u8,
    pub admin_of: BTreeSet<Ix>,
}

#[derive(Clone, Debug)]
pub struct Product {
    pub code: u8,
    pub kind: ProductKind,
}

/// A draw into an order: `qty` units still accounted to `source` (docs/rules.md §4, §8).
#[derive(Clone, Debug)]
pub struct Draw {
    pub source: Ix,
    pub qty: u64,
}

#[derive(Clone, Debug)]
pub struct Order {
    pub number: u64,
    pub product: Ix,
    pub holder: Ix,
    pub source: Option<Ix>,
    pub status: OrderStatus,
    pub requested: u64,
    pub approved: u64,
    pub drawn: u64,
    pub issued: u64,
    pub available: u64,
    /// The draws that supplied this order, in the order they were taken.
    pub draws: Vec<Draw>,
    pub managers: BTreeMap<Ix, BTreeSet<Permission>>,
    pub deleted: bool,
}

#[derive(Clone, Debug)]
pub struct License {
    pub order: Ix,
    pub is_code: bool,
    pub devices: BTreeSet<u8>,
    pub ever_used: bool,
    pub deleted: bool,
}

/// The whole tenant.
#[derive(Clone, Debug)]
pub struct Model {
    pub plan: Plan,
    pub first_number: u64,
    pub next_number: u64,
    pub minted: u64,
    pub retired: u64,
    /// Ledger entries written so far (docs/rules.md §9: one per change).
    pub ledger: u64,
    pub orgs: Vec<Org>,
    pub users: Vec<User>,
    pub products: Vec<Product>,
    pub orders: Vec<Order>,
    pub licenses: Vec<License>,
    /// Idempotency keys used by a successful command, with that command and the licenses it
    /// made (a replay reads them back, so it is refused once one is gone: docs/decisions.md §34).
    pub keys: BTreeMap<u8, (Cmd, Vec<Ix>)>,
    /// The last command and its outcome, for the test to compare with the store's.
    pub last: Option<(Cmd, Outcome)>,
    /// The organizations whose views the last command changed or named (`None`: all).
    pub touched: Option<BTreeSet<Ix>>,
}

/// One line of an organization's summary (docs/rules.md §6).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub held: u64,
    pub available: u64,
    pub pending_requests: u64,
    pub pending_units: u64,
    pub incoming_requests: u64,
    pub incoming_units: u64,
}

fn holds_units(s: OrderStatus) -> bool {
    // docs/rules.md §4: active and depleted orders hold units.
    matches!(s, OrderStatus::Active | OrderStatus::Depleted)
}

fn quantity(q: u64) -> Result<u64, Refusal> {
    if q == 0 || q > MAX_QUANTITY {
        Err(Refusal::InvalidInput("quantity"))
    } else {
        Ok(q)
    }
}

fn enterprise_only(p: Permission) -> bool {
    // docs/rules.md §5: create_order and issue_license need the enterprise plan.
    matches!(p, Permission::CreateOrder | Permission::IssueLicense)
}

impl Model {
    /// A new tenant: only the vendor, one ledger entry.
    pub fn new(plan: Plan, first_number: u64) -> Model {
        Model {
            plan,
            first_number,
            next_number: first_number,
            minted: 0,
            retired: 0,
            ledger: 1,
            orgs: vec![Org {
                tier: Tier::Vendor,
                parent: None,
                active: true,
            }],
            users: Vec::new(),
            products: Vec::new(),
            orders: Vec::new(),
            licenses: Vec::new(),
            keys: BTreeMap::new(),
            last: None,
            touched: None,
        }
    }

    /// Runs one command: all of it, or nothing and a refusal.
    pub fn step(&mut self, cmd: &Cmd) -> Outcome {
        let (key, inner) = match cmd {
            Cmd::Keyed { key, cmd } => (Some(*key), &**cmd),
            c => (None, c),
        };
        // Input checked before the command's transaction comes first, even before the key.
        Self::prevalidate(inner)?;
        if let Some(k) = key {
            if let Some((done, made)) = self.keys.get(&k) {
                let all_there = made
                    .iter()
                    .all(|&l| self.licenses.get(l).is_some_and(|l| !l.deleted));
                return if done == inner && all_there {
                    Ok(Value::Replay(k))
                } else {
                    Err(Refusal::Conflict)
                };
            }
        }
        let mut next = self.clone();
        let value = next.exec(inner)?;
        if let Some(k) = key {
            next.keys.insert(k, (inner.clone(), licenses_made(&value)));
        }
        *self = next;
        Ok(value)
    }

    /// The checks the core makes before it opens the transaction (docs/rules.md §13). The other
    /// input checks happen inside, after an idempotency key is looked up.
    fn prevalidate(cmd: &Cmd) -> Result<(), Refusal> {
        match cmd {
            Cmd::Mint { qty, .. } | Cmd::Return { qty, .. } => quantity(*qty).map(drop),
            Cmd::Edit { qty: Some(q), .. } => quantity(*q).map(drop),
            Cmd::AddManager { perms, .. } if perms.is_empty() => {
                Err(Refusal::InvalidInput("permissions"))
            }
            Cmd::Batch { cmds, .. } if cmds.is_empty() => Err(Refusal::InvalidInput("batch")),
            _ => Ok(()),
        }
    }

    fn is_vendor_admin(&self, user: Ix) -> bool {
        self.users[user].admin_of.contains(&0)
    }

    /// docs/rules.md §5: admins of an organization act on it; vendor admins on everything.
    fn is_admin(&self, user: Ix, org: Ix) -> bool {
        self.is_vendor_admin(user) || self.users[user].admin_of.contains(&org)
    }

    fn require_admin(&self, user: Ix, org: Ix, action: Action) -> Result<(), Refusal> {
        if self.is_admin(user, org) {
            Ok(())
        } else {
            Err(Refusal::PermissionDenied(action))
        }
    }

    fn require_plan(&self, p: Permission) -> Result<(), Refusal> {
        if enterprise_only(p) && self.plan != Plan::Enterprise {
            Err(Refusal::PlanRequired(p))
        } else {
            Ok(())
        }
    }

    /// An order's admins, or a license manager of it holding `p` (and the plan for it).
    fn require_permission(
        &self,
        user: Ix,
        order: Ix,
        p: Permission,
        action: Action,
    ) -> Result<(), Refusal> {
        let o = &self.orders[order];
        if self.is_admin(user, o.holder) {
            return Ok(());
        }
        if o.managers.get(&user).is_some_and(|ps| ps.contains(&p)) {
            return self.require_plan(p);
        }
        Err(Refusal::PermissionDenied(action))
    }

    /// For an organization: its admins, or a manager of one of its orders holding `p`.
    fn require_org_permission(
        &self,
        user: Ix,
        org: Ix,
        p: Permission,
        action: Action,
    ) -> Result<(), Refusal> {
        if self.is_admin(user, org) {
            return Ok(());
        }
        let manages = self.orders.iter().any(|o| {
            !o.deleted && o.holder == org && o.managers.get(&user).is_some_and(|ps| ps.contains(&p))
        });
        if manages {
            return self.require_plan(p);
        }
        Err(Refusal::PermissionDenied(action))
    }

    fn require_active(&self, org: Ix) -> Result<(), Refusal> {
        if self.orgs[org].active {
            Ok(())
        } else {
            Err(Refusal::Hierarchy)
        }
    }

    fn order(&self, ix: Ix) -> Result<&Order, Refusal> {
        match self.orders.get(ix) {
            Some(o) if !o.deleted => Ok(o),
            _ => Err(Refusal::NotFound(Entity::Order)),
        }
    }

    fn license(&self, ix: Ix) -> Result<&License, Refusal> {
        match self.licenses.get(ix) {
            Some(l) if !l.deleted => Ok(l),
            _ => Err(Refusal::NotFound(Entity::License)),
        }
    }

    fn require_status(&self, ix: Ix, status: OrderStatus, action: Action) -> Result<(), Refusal> {
        let o = &self.orders[ix];
        if o.status == status {
            Ok(())
        } else {
            Err(Refusal::InvalidState {
                number: o.number,
                status: o.status,
                action,
            })
        }
    }

    pub fn fig(&self, ix: Ix) -> OrderFig {
        let o = &self.orders[ix];
        OrderFig {
            ix,
            number: o.number,
            product: o.product,
            holder: o.holder,
            source: o.source,
            status: o.status,
            requested: o.requested,
            approved: o.approved,
            drawn: o.drawn,
            issued: o.issued,
            available: o.available,
        }
    }

    /// docs/rules.md §3: active with units available, depleted without.
    fn settle(o: &mut Order) {
        if holds_units(o.status) {
            o.status = if o.available == 0 {
                OrderStatus::Depleted
            } else {
                OrderStatus::Active
            };
        }
    }

    fn new_order(&mut self, product: Ix, holder: Ix, source: Option<Ix>, requested: u64) -> Ix {
        let number = self.next_number;
        self.next_number += 1;
        self.orders.push(Order {
            number,
            product,
            holder,
            source,
            status: OrderStatus::Requested,
            requested,
            approved: 0,
            drawn: 0,
            issued: 0,
            available: 0,
            draws: Vec::new(),
            managers: BTreeMap::new(),
            deleted: false,
        });
        self.orders.len() - 1
    }

    fn approve_into(&mut self, ix: Ix, qty: u64) {
        let o = &mut self.orders[ix];
        o.approved = qty;
        o.available = qty;
        o.status = OrderStatus::Active;
    }

    /// docs/rules.md §4: from the vendor the units are minted; otherwise they are drawn from
    /// the source's active orders of the product, lowest order number first, all or nothing.
    fn supply(&mut self, ix: Ix, source: Ix) -> Result<(), Refusal> {
        let (product, qty) = (self.orders[ix].product, self.orders[ix].approved);
        if self.orgs[source].tier == Tier::Vendor {
            self.minted += qty;
            return Ok(());
        }
        let mut drawable: Vec<Ix> = (0..self.orders.len())
            .filter(|&i| {
                let o = &self.orders[i];
                !o.deleted
                    && o.holder == source
                    && o.product == product
                    && o.status == OrderStatus::Active
                    && o.available > 0
            })
            .collect();
        drawable.sort_by_key(|&i| self.orders[i].number);
        let available: u64 = drawable.iter().map(|&i| self.orders[i].available).sum();
        if available < qty {
            return Err(Refusal::Insufficient {
                available,
                requested: qty,
            });
        }
        let mut remaining = qty;
        for i in drawable {
            if remaining == 0 {
                break;
            }
            let src = &mut self.orders[i];
            let take = src.available.min(remaining);
            src.available -= take;
            src.drawn += take;
            Self::settle(src);
            self.orders[ix].draws.push(Draw {
                source: i,
                qty: take,
            });
            remaining -= take;
        }
        Ok(())
    }

    /// docs/rules.md §8: gives `qty` units of `ix` back to the orders it drew from, newest draw
    /// first, and returns what no draw accounts for (to be retired). All draws of one order are
    /// taken at the same moment, so "newest first" is decided by the source orders: the core
    /// orders a draw's ties by source order id, which is time-ordered (UUID v7), that is by
    /// creation, that is by order number; the model uses the number, highest first.
    fn give_back(&mut self, ix: Ix, qty: u64, keep_draws: bool) -> u64 {
        let mut draws: Vec<usize> = (0..self.orders[ix].draws.len()).collect();
        draws.sort_by_key(|&d| {
            std::cmp::Reverse(self.orders[self.orders[ix].draws[d].source].number)
        });
        let mut remaining = qty;
        for d in draws {
            if remaining == 0 {
                break;
            }
            let Draw { source, qty: drawn } = self.orders[ix].draws[d].clone();
            let give = drawn.min(remaining);
            let src = &mut self.orders[source];
            src.drawn -= give;
            src.available += give;
            Self::settle(src);
            if keep_draws {
                self.orders[ix].draws[d].qty -= give;
            }
            remaining -= give;
        }
        remaining
    }

    /// The command inside its transaction (after the prevalidation and the key lookup).
    fn exec(&mut self, cmd: &Cmd) -> Outcome {
        match cmd {
            Cmd::CreateOrg { tier, parent, .. } => {
                // docs/rules.md §1: a parent of a strictly higher tier, active.
                let p = &self.orgs[*parent];
                if p.tier >= *tier || !p.active {
                    return Err(Refusal::Hierarchy);
                }
                self.orgs.push(Org {
                    tier: *tier,
                    parent: Some(*parent),
                    active: true,
                });
                self.ledger += 1;
                Ok(Value::Org {
                    ix: self.orgs.len() - 1,
                    active: true,
                })
            }
            Cmd::DeactivateOrg { org } => {
                if self.orgs[*org].tier == Tier::Vendor {
                    return Err(Refusal::Hierarchy);
                }
                if self.orgs[*org].active {
                    self.orgs[*org].active = false;
                    self.ledger += 1;
                }
                Ok(Value::Org {
                    ix: *org,
                    active: false,
                })
            }
            Cmd::CreateUser { email } => {
                // docs/rules.md §1: emails are unique within the tenant.
                if self.users.iter().any(|u| u.email == *email) {
                    return Err(Refusal::Conflict);
                }
                self.users.push(User {
                    email: *email,
                    admin_of: BTreeSet::new(),
                });
                self.ledger += 1;
                Ok(Value::User(self.users.len() - 1))
            }
            Cmd::GrantAdmin { user, org } => {
                if self.users[*user].admin_of.insert(*org) {
                    self.ledger += 1;
                }
                Ok(Value::Unit)
            }
            Cmd::CreateProduct { code, kind } => {
                // docs/rules.md §2: codes are unique within the tenant.
                if self.products.iter().any(|p| p.code == *code) {
                    return Err(Refusal::Conflict);
                }
                self.products.push(Product {
                    code: *code,
                    kind: *kind,
                });
                self.ledger += 1;
                Ok(Value::Product(self.products.len() - 1))
            }
            Cmd::Mint {
                actor,
                product,
                qty,
            } => {
                // docs/rules.md §4: a vendor admin creates units in an order of the vendor.
                if !self.is_vendor_admin(*actor) {
                    return Err(Refusal::PermissionDenied(Action::Mint));
                }
                let ix = self.new_order(*product, 0, None, *qty);
                self.approve_into(ix, *qty);
                self.minted += qty;
                self.ledger += 1;
                Ok(Value::Order(self.fig(ix)))
            }
            Cmd::Request {
                actor,
                holder,
                product,
                qty,
            } => {
                let qty = quantity(*qty)?;
                // docs/rules.md §4, §5: an admin of the holder (or a manager with create_order
                // over one of its orders) asks the holder's parent.
                self.require_org_permission(
                    *actor,
                    *holder,
                    Permission::CreateOrder,
                    Action::Request,
                )?;
                let Some(source) = self.orgs[*holder].parent else {
                    return Err(Refusal::Hierarchy);
                };
                self.require_active(*holder)?;
                self.require_active(source)?;
                let ix = self.new_order(*product, *holder, Some(source), qty);
                self.ledger += 1;
                Ok(Value::Order(self.fig(ix)))
            }
            Cmd::Edit {
                actor,
                order,
                product,
                qty,
            } => {
                let holder = self.order(*order)?.holder;
                self.require_admin(*actor, holder, Action::EditRequest)?;
                self.require_status(*order, OrderStatus::Requested, Action::EditRequest)?;
                let o = &mut self.orders[*order];
                if let Some(p) = product {
                    o.product = *p;
                }
                if let Some(q) = qty {
                    o.requested = *q;
                }
                self.ledger += 1;
                Ok(Value::Order(self.fig(*order)))
            }
            Cmd::Cancel { actor, order } => {
                let holder = self.order(*order)?.holder;
                self.require_admin(*actor, holder, Action::Cancel)?;
                self.require_status(*order, OrderStatus::Requested, Action::Cancel)?;
                self.orders[*order].status = OrderStatus::Cancelled;
                self.ledger += 1;
                Ok(Value::Order(self.fig(*order)))
            }
            Cmd::Approve { actor, order, qty } => {
                let qty = qty.map(quantity).transpose()?;
                let o = self.order(*order)?;
                // docs/rules.md §4: only a pending request is decided; an order without a
                // source (minted) never was one.
                let Some(source) = o.source else {
                    self.require_status(*order, OrderStatus::Requested, Action::Approve)?;
                    unreachable!("an order without a source is never requested");
                };
                let (holder, requested) = (o.holder, o.requested);
                self.require_admin(*actor, source, Action::Approve)?;
                self.require_status(*order, OrderStatus::Requested, Action::Approve)?;
                self.require_active(source)?;
                self.require_active(holder)?;
                // docs/rules.md §4: at least 1, at most the quantity asked.
                let qty = qty.unwrap_or(requested);
                if qty > requested {
                    return Err(Refusal::InvalidInput("quantity"));
                }
                self.approve_into(*order, qty);
                self.supply(*order, source)?;
                self.ledger += 1;
                Ok(Value::Order(self.fig(*order)))
            }
            Cmd::Reject { actor, order } => {
                let o = self.order(*order)?;
                let Some(source) = o.source else {
                    self.require_status(*order, OrderStatus::Requested, Action::Reject)?;
                    unreachable!("an order without a source is never requested");
                };
                self.require_admin(*actor, source, Action::Reject)?;
                self.require_status(*order, OrderStatus::Requested, Action::Reject)?;
                self.orders[*order].status = OrderStatus::Rejected;
                self.ledger += 1;
                Ok(Value::Order(self.fig(*order)))
            }
            Cmd::Assign {
                actor,
                from,
                to,
                product,
                qty,
            } => {
                let qty = quantity(*qty)?;
                // docs/rules.md §4: an admin of a parent pushes to a direct child.
                self.require_admin(*actor, *from, Action::Assign)?;
                if self.orgs[*to].parent != Some(*from) {
                    return Err(Refusal::Hierarchy);
                }
                self.require_active(*from)?;
                self.require_active(*to)?;
                let ix = self.new_order(*product, *to, Some(*from), qty);
                self.approve_into(ix, qty);
                self.supply(ix, *from)?;
                self.ledger += 1;
                Ok(Value::Order(self.fig(ix)))
            }
            Cmd::Issue { actor, order, qty } => {
                // docs/rules.md §7: 1 to 1,000,000 per call (the model never asks for more).
                if *qty == 0 {
                    return Err(Refusal::InvalidInput("quantity"));
                }
                self.order(*order)?;
                self.require_permission(
                    *actor,
                    *order,
                    Permission::IssueLicense,
                    Action::IssueLicense,
                )?;
                let o = &self.orders[*order];
                if !holds_units(o.status) {
                    return Err(Refusal::InvalidState {
                        number: o.number,
                        status: o.status,
                        action: Action::IssueLicense,
                    });
                }
                if o.available < *qty {
                    return Err(Refusal::Insufficient {
                        available: o.available,
                        requested: *qty,
                    });
                }
                let is_code = self.products[o.product].kind == ProductKind::ActivationCode;
                let first = self.licenses.len();
                for _ in 0..*qty {
                    self.licenses.push(License {
                        order: *order,
                        is_code,
                        devices: BTreeSet::new(),
                        ever_used: false,
                        deleted: false,
                    });
                }
                let o = &mut self.orders[*order];
                o.available -= qty;
                o.issued += qty;
                Self::settle(o);
                self.ledger += 1;
                Ok(Value::Licenses {
                    order: *order,
                    first,
                    count: *qty,
                })
            }
            Cmd::Activate { license, device } => {
                // docs/rules.md §7: an end user with the key; codes are redeemed instead; at
                // most the policy's devices; the same device again changes nothing.
                let l = self.license(*license)?;
                if l.is_code {
                    return Err(Refusal::LicenseUnusable);
                }
                if l.devices.contains(device) {
                    return Ok(Value::License {
                        ix: *license,
                        devices: l.devices.len(),
                    });
                }
                if l.devices.len() >= MAX_ACTIVATIONS as usize {
                    return Err(Refusal::ActivationLimit {
                        max: MAX_ACTIVATIONS,
                    });
                }
                let l = &mut self.licenses[*license];
                l.devices.insert(*device);
                l.ever_used = true;
                self.ledger += 1;
                Ok(Value::License {
                    ix: *license,
                    devices: l.devices.len(),
                })
            }
            Cmd::Revoke { actor, license } => {
                // docs/rules.md §7: holder admins revoke an unused license; its unit returns.
                let order = self.license(*license)?.order;
                self.require_admin(*actor, self.orders[order].holder, Action::Revoke)?;
                if self.licenses[*license].ever_used {
                    return Err(Refusal::LicenseUnusable);
                }
                self.licenses[*license].deleted = true;
                let o = &mut self.orders[order];
                o.issued -= 1;
                o.available += 1;
                Self::settle(o);
                self.ledger += 1;
                Ok(Value::Order(self.fig(order)))
            }
            Cmd::Return { actor, order, qty } => {
                let o = self.order(*order)?;
                self.require_admin(*actor, o.holder, Action::ReturnUnits)?;
                if !holds_units(o.status) || o.source.is_none() {
                    return Err(Refusal::InvalidState {
                        number: o.number,
                        status: o.status,
                        action: Action::ReturnUnits,
                    });
                }
                if o.available < *qty {
                    return Err(Refusal::Insufficient {
                        available: o.available,
                        requested: *qty,
                    });
                }
                let unreturned = self.give_back(*order, *qty, true);
                self.retired += unreturned;
                let o = &mut self.orders[*order];
                o.approved -= qty;
                o.available -= qty;
                Self::settle(o);
                self.ledger += 1;
                Ok(Value::Order(self.fig(*order)))
            }
            Cmd::Delete { actor, order } => {
                let o = self.order(*order)?;
                self.require_admin(*actor, o.holder, Action::DeleteOrder)?;
                // docs/rules.md §8: refused while a child order that drew from it exists. A
                // draw whose units all came back is gone (the core deletes a draw that a
                // return brings to zero), so only children still owing units count.
                let mut children: Vec<u64> = self
                    .orders
                    .iter()
                    .filter(|c| {
                        !c.deleted && c.draws.iter().any(|d| d.source == *order && d.qty > 0)
                    })
                    .map(|c| c.number)
                    .collect();
                if !children.is_empty() {
                    children.sort();
                    return Err(Refusal::OrderInUse {
                        number: o.number,
                        children,
                    });
                }
                let (holds, available, issued) = (holds_units(o.status), o.available, o.issued);
                let unreturned = if holds {
                    self.give_back(*order, available, false)
                } else {
                    0
                };
                self.retired += unreturned + issued;
                self.orders[*order].deleted = true;
                for l in &mut self.licenses {
                    if l.order == *order {
                        l.deleted = true;
                    }
                }
                self.ledger += 1;
                Ok(Value::Unit)
            }
            Cmd::AddManager {
                actor,
                order,
                user,
                perms,
            } => {
                let holder = self.order(*order)?.holder;
                // docs/rules.md §5: enterprise-only permissions need the plan when granted; a
                // manager (not an admin) needs manage_managers and grants only what it holds.
                for p in perms {
                    self.require_plan(*p)?;
                }
                if !self.is_admin(*actor, holder) {
                    self.require_permission(
                        *actor,
                        *order,
                        Permission::ManageManagers,
                        Action::ManageManagers,
                    )?;
                    let own = self.orders[*order]
                        .managers
                        .get(actor)
                        .cloned()
                        .unwrap_or_default();
                    if !perms.is_subset(&own) {
                        return Err(Refusal::PermissionDenied(Action::ManageManagers));
                    }
                }
                let m = self.orders[*order].managers.entry(*user).or_default();
                m.extend(perms.iter().copied());
                let perms = m.clone();
                self.ledger += 1;
                Ok(Value::Manager {
                    order: *order,
                    user: *user,
                    perms,
                })
            }
            Cmd::Batch { cmds, .. } => {
                // docs/rules.md §11: each command as alone, in order; the first refusal undoes
                // all (the caller drops this clone).
                let mut out = Vec::new();
                for (i, c) in cmds.iter().enumerate() {
                    out.push(self.exec(c).map_err(|r| Refusal::InBatch(i, Box::new(r)))?);
                }
                Ok(Value::Batch(out))
            }
            Cmd::Keyed { .. } => unreachable!("keyed commands are not nested"),
        }
    }

    /// The summary of `org` by product (docs/rules.md §6): a line for every product of an order
    /// it holds (any status) or of a request addressed to it.
    pub fn summary(&self, org: Ix) -> BTreeMap<Ix, Line> {
        let mut lines: BTreeMap<Ix, Line> = BTreeMap::new();
        for o in self.orders.iter().filter(|o| !o.deleted) {
            if o.holder == org {
                let line = lines.entry(o.product).or_default();
                if holds_units(o.status) {
                    line.held += o.approved;
                    line.available += o.available;
                } else if o.status == OrderStatus::Requested {
                    line.pending_requests += 1;
                    line.pending_units += o.requested;
                }
            }
            if o.source == Some(org) && o.status == OrderStatus::Requested {
                let line = lines.entry(o.product).or_default();
                line.incoming_requests += 1;
                line.incoming_units += o.requested;
            }
        }
        lines
    }

    /// The live orders held by `org`, highest number first (docs/rules.md §6).
    pub fn orders_of(&self, org: Ix) -> Vec<OrderFig> {
        let mut v: Vec<OrderFig> = (0..self.orders.len())
            .filter(|&i| !self.orders[i].deleted && self.orders[i].holder == org)
            .map(|i| self.fig(i))
            .collect();
        v.sort_by_key(|f| std::cmp::Reverse(f.number));
        v
    }

    /// The organizations a command names, directly or through its orders and licenses.
    pub fn named_orgs(&self, c: &Cmd, out: &mut BTreeSet<Ix>) {
        let order = |o: Ix, out: &mut BTreeSet<Ix>| {
            if let Some(o) = self.orders.get(o) {
                out.insert(o.holder);
                out.extend(o.source);
            }
        };
        match c {
            Cmd::CreateOrg { parent, .. } => {
                out.insert(*parent);
            }
            Cmd::DeactivateOrg { org } | Cmd::GrantAdmin { org, .. } => {
                out.insert(*org);
            }
            Cmd::Request { holder, .. } => {
                out.insert(*holder);
                out.extend(self.orgs.get(*holder).and_then(|o| o.parent));
            }
            Cmd::Assign { from, to, .. } => {
                out.extend([*from, *to]);
            }
            Cmd::Mint { .. } => {
                out.insert(0);
            }
            Cmd::Edit { order: o, .. }
            | Cmd::Cancel { order: o, .. }
            | Cmd::Approve { order: o, .. }
            | Cmd::Reject { order: o, .. }
            | Cmd::Issue { order: o, .. }
            | Cmd::Return { order: o, .. }
            | Cmd::Delete { order: o, .. }
            | Cmd::AddManager { order: o, .. } => order(*o, out),
            Cmd::Activate { license, .. } | Cmd::Revoke { license, .. } => {
                if let Some(l) = self.licenses.get(*license) {
                    order(l.order, out);
                }
            }
            Cmd::Batch { cmds, .. } => cmds.iter().for_each(|c| self.named_orgs(c, out)),
            Cmd::Keyed { cmd, .. } => self.named_orgs(cmd, out),
            Cmd::CreateUser { .. } | Cmd::CreateProduct { .. } => {}
        }
    }

    /// Σ available and Σ issued over the live orders (docs/rules.md §3).
    pub fn totals(&self) -> (u64, u64) {
        self.orders
            .iter()
            .filter(|o| !o.deleted)
            .fold((0, 0), |(a, i), o| (a + o.available, i + o.issued))
    }

    /// The model's own conservation (docs/rules.md §3), checked after every step.
    pub fn check(&self) {
        let (available, issued) = self.totals();
        assert_eq!(
            self.minted - self.retired,
            available + issued,
            "model conservation"
        );
        for o in self.orders.iter().filter(|o| !o.deleted) {
            assert_eq!(
                o.approved,
                o.drawn + o.issued + o.available,
                "model order {}",
                o.number
            );
        }
    }
}
