//! The directory a user reads: organizations (one, children, a subtree, a name search), users
//! (one, a search), an organization's admins, a user's roles, products and bundles; every read
//! scoped like orders: a user sees the branches they administer, the vendor's admins see all.
//!
//! Rules: docs/rules.md §6.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::error::{Action, Entity, Error, Result};
use crate::hierarchy::{Organization, User};
use crate::ids::{BundleId, OrgId, ProductId, UserId};
use crate::input::MAX_NAME;
use crate::inventory::Session;
use crate::inventory::rules::*;
use crate::product::{Bundle, Product};
use crate::store::Tx;
use crate::views::{NameCursor, OrgInTree, Page, Role, fold_case};

/// Deepest subtree a caller may ask for (the channel tree has at most five tiers).
pub const MAX_SUBTREE_DEPTH: u32 = 16;

/// A tenant's organizations, indexed for walking down the tree.
struct Tree {
    orgs: HashMap<OrgId, Organization>,
    children: HashMap<OrgId, Vec<OrgId>>,
}

impl Tree {
    fn load(tx: &mut dyn Tx, actor: &Actor) -> Result<Tree> {
        let all = tx.all_orgs(actor.tenant.id)?;
        let mut children: HashMap<OrgId, Vec<OrgId>> = HashMap::new();
        for o in &all {
            if let Some(p) = o.parent {
                children.entry(p).or_default().push(o.id);
            }
        }
        Ok(Tree {
            orgs: all.into_iter().map(|o| (o.id, o)).collect(),
            children,
        })
    }

    /// `root` and the organizations below it down to `max_depth` levels, with their depth.
    fn below(&self, root: OrgId, max_depth: u32) -> Vec<(OrgId, u32)> {
        let mut out = vec![(root, 0)];
        let mut i = 0usize;
        while let Some(&(id, depth)) = out.get(i) {
            i = i.saturating_add(1);
            if depth >= max_depth {
                continue;
            }
            for child in self.children.get(&id).into_iter().flatten() {
                // A cycle cannot be written (parents exist before children); never loop on one.
                if out.len() <= self.orgs.len() {
                    out.push((*child, depth.saturating_add(1)));
                }
            }
        }
        out
    }

    /// Every organization `actor` may see: the vendor's admins all, others the subtrees of
    /// the organizations they administer.
    fn visible(&self, actor: &Actor) -> HashSet<OrgId> {
        if actor.is_vendor_admin() {
            return self.orgs.keys().copied().collect();
        }
        actor
            .admin_of
            .iter()
            .filter(|o| self.orgs.contains_key(o))
            .flat_map(|o| self.below(*o, MAX_SUBTREE_DEPTH))
            .map(|(o, _)| o)
            .collect()
    }

    fn get(&self, id: OrgId) -> Result<&Organization> {
        self.orgs
            .get(&id)
            .ok_or_else(|| Error::not_found(Entity::Organization, id))
    }
}

/// The page of `entries` (each with its sort key) after `cursor`, in key order.
fn page<T>(
    mut entries: Vec<(NameCursor, T)>,
    cursor: Option<&NameCursor>,
    limit: usize,
) -> Page<T, NameCursor> {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut rest: Vec<(NameCursor, T)> = entries
        .into_iter()
        .filter(|(key, _)| cursor.is_none_or(|c| key > c))
        .take(limit.saturating_add(1))
        .collect();
    let next = if rest.len() > limit {
        rest.truncate(limit);
        rest.last().map(|(key, _)| key.clone())
    } else {
        None
    };
    Page {
        items: rest.into_iter().map(|(_, item)| item).collect(),
        next,
    }
}

/// A search prefix: at most a name's length, no control characters; empty matches all.
fn prefix(text: &str) -> Result<String> {
    let t = text.trim();
    if t.chars().count() > MAX_NAME {
        return Err(Error::invalid(
            "prefix",
            format!("longer than {MAX_NAME} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(Error::invalid("prefix", "contains control characters"));
    }
    Ok(fold_case(t))
}

impl Session {
    /// The directory read of `work`, with the actor and the tenant's tree.
    fn in_directory<T>(
        &self,
        work: impl Fn(&mut dyn Tx, &Actor, &Tree, &HashSet<OrgId>) -> Result<T>,
    ) -> Result<T> {
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let tree = Tree::load(tx, &actor)?;
            let visible = tree.visible(&actor);
            work(tx, &actor, &tree, &visible)
        })
    }

    /// A read of what every user of the tenant sees (products, bundles): the actor only, no
    /// tree.
    fn in_tenant<T>(&self, work: impl Fn(&mut dyn Tx, &Actor) -> Result<T>) -> Result<T> {
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            work(tx, &actor)
        })
    }

    /// An organization, if the actor may see it.
    pub fn organization(&self, id: OrgId) -> Result<Organization> {
        self.by(Action::View, || {
            self.in_directory(|_, actor, tree, visible| {
                let org = tree.get(id)?;
                require_visible(actor, org, visible)?;
                Ok(org.clone())
            })
        })
    }

    /// The organizations directly below `org`, in name order (case-insensitive), `limit` (1 to
    /// 1000) per page.
    pub fn child_orgs(
        &self,
        org: OrgId,
        cursor: Option<NameCursor>,
        limit: usize,
    ) -> Result<Page<Organization, NameCursor>> {
        self.by(Action::View, || {
            self.subtree_page(org, 1, cursor, limit, |e| e.depth == 1)
                .map(|p| Page {
                    items: p.items.into_iter().map(|e| e.org).collect(),
                    next: p.next,
                })
        })
    }

    /// `org` and the organizations below it, down to `max_depth` levels (0: `org` alone; at most
    /// 16), each with its depth: level by level, each level in name order, `limit` (1 to 1000)
    /// per page.
    ///
    /// ```
    /// use license_inventory::*;
    /// # fn main() -> Result<()> {
    /// let inv = Inventory::in_memory();
    /// let t = inv.create_tenant(NewTenant { name: "Jasperactive".into(), plan: Plan::Standard, vendor_name: "Jasperactive".into(), first_order_number: None })?;
    /// let org = |name: &str, tier, parent| inv.create_org(t.id, NewOrganization { name: name.into(), tier, parent });
    /// let ellen = org("Ellen Emporium", Tier::Distributor, t.vendor)?;
    /// org("MGA Inc", Tier::Reseller, ellen.id)?;
    /// let vera = inv.create_user(t.id, NewUser { name: "Vera Vendor".into(), email: "vera@example.com".into() })?;
    /// inv.grant_admin(t.id, vera.id, t.vendor)?;
    /// let tree = inv.session(t.id, vera.id)?.subtree(t.vendor, 2, None, 50)?;
    /// let names: Vec<_> = tree.items.iter().map(|e| (e.org.name.as_str(), e.depth)).collect();
    /// assert_eq!(names, [("Jasperactive", 0), ("Ellen Emporium", 1), ("MGA Inc", 2)]);
    /// # Ok(()) }
    /// ```
    pub fn subtree(
        &self,
        org: OrgId,
        max_depth: u32,
        cursor: Option<NameCursor>,
        limit: usize,
    ) -> Result<Page<OrgInTree, NameCursor>> {
        self.by(Action::View, || {
            self.subtree_page(org, max_depth, cursor, limit, |_| true)
        })
    }

    fn subtree_page(
        &self,
        org: OrgId,
        max_depth: u32,
        cursor: Option<NameCursor>,
        limit: usize,
        keep: impl Fn(&OrgInTree) -> bool,
    ) -> Result<Page<OrgInTree, NameCursor>> {
        let limit = page_limit(limit)?;
        if max_depth > MAX_SUBTREE_DEPTH {
            return Err(Error::invalid(
                "max depth",
                format!("at most {MAX_SUBTREE_DEPTH} levels"),
            ));
        }
        self.in_directory(|_, actor, tree, visible| {
            let root = tree.get(org)?;
            require_visible(actor, root, visible)?;
            let mut entries = Vec::new();
            for (id, depth) in tree.below(org, max_depth) {
                let o = tree.get(id)?;
                let entry = OrgInTree {
                    org: o.clone(),
                    depth,
                };
                if keep(&entry) {
                    entries.push((NameCursor::after(depth, &o.name, id.as_uuid()), entry));
                }
            }
            Ok(page(entries, cursor.as_ref(), limit))
        })
    }

    /// The organizations the actor may see whose name starts with `prefix` (case-insensitive,
    /// folded like every text search, docs/rules.md §6; empty: all of them), in name order.
    pub fn search_orgs(
        &self,
        prefix_text: &str,
        cursor: Option<NameCursor>,
        limit: usize,
    ) -> Result<Page<Organization, NameCursor>> {
        self.by(Action::View, || {
            let limit = page_limit(limit)?;
            let needle = prefix(prefix_text)?;
            self.in_directory(|_, _, tree, visible| {
                let entries = visible
                    .iter()
                    .filter_map(|id| tree.orgs.get(id))
                    .filter(|o| fold_case(&o.name).starts_with(&needle))
                    .map(|o| (NameCursor::after(0, &o.name, o.id.as_uuid()), o.clone()))
                    .collect();
                Ok(page(entries, cursor.as_ref(), limit))
            })
        })
    }

    /// A user, if the actor may see them: themselves, the admins of the organizations the
    /// actor sees (the vendor's admins see every user).
    pub fn find_user(&self, id: UserId) -> Result<User> {
        self.by(Action::View, || {
            self.in_directory(|tx, actor, _, visible| {
                let user = get_user(tx, actor.tenant.id, id)?;
                require_visible_user(tx, actor, visible, &user)?;
                Ok(user)
            })
        })
    }

    /// The users the actor may see whose name or email starts with `prefix`
    /// (case-insensitive; empty: all of them), in name order.
    pub fn search_users(
        &self,
        prefix_text: &str,
        cursor: Option<NameCursor>,
        limit: usize,
    ) -> Result<Page<User, NameCursor>> {
        self.by(Action::View, || {
            let limit = page_limit(limit)?;
            let needle = prefix(prefix_text)?;
            self.in_directory(|tx, actor, _, visible| {
                let users = visible_users(tx, actor, visible)?;
                let entries = tx
                    .all_users(actor.tenant.id)?
                    .into_iter()
                    .filter(|u| users.contains(&u.id))
                    .filter(|u| {
                        fold_case(&u.name).starts_with(&needle) || u.email.starts_with(&needle)
                    })
                    .map(|u| (NameCursor::after(0, &u.name, u.id.as_uuid()), u))
                    .collect();
                Ok(page(entries, cursor.as_ref(), limit))
            })
        })
    }

    /// The admins of `org`, in name order.
    pub fn org_admins(&self, org: OrgId) -> Result<Vec<User>> {
        self.by(Action::View, || {
            self.in_directory(|tx, actor, tree, visible| {
                let o = tree.get(org)?;
                require_visible(actor, o, visible)?;
                let mut admins = Vec::new();
                for id in tx.org_admins(actor.tenant.id, org)? {
                    admins.push(get_user(tx, actor.tenant.id, id)?);
                }
                admins.sort_by_cached_key(|u| (fold_case(&u.name), u.id));
                Ok(admins)
            })
        })
    }

    /// The admin roles of `user` the actor may see (an organization and its tier each), in
    /// organization-name order: what a host offers in its Role menu. A user always sees all of
    /// their own roles.
    pub fn roles_of(&self, user: UserId) -> Result<Vec<Role>> {
        self.by(Action::View, || {
            self.in_directory(|tx, actor, tree, visible| {
                let own = user == actor.user;
                let u = get_user(tx, actor.tenant.id, user)?;
                if !own {
                    require_visible_user(tx, actor, visible, &u)?;
                }
                let mut roles = Vec::new();
                for org in tx.admin_orgs(actor.tenant.id, user)? {
                    if own || visible.contains(&org) {
                        let o = tree.get(org)?;
                        roles.push(Role {
                            org,
                            org_name: o.name.clone(),
                            tier: o.tier,
                        });
                    }
                }
                roles.sort_by_cached_key(|r| (fold_case(&r.org_name), r.org));
                Ok(roles)
            })
        })
    }

    /// The tenant's products, in name order (every user of the tenant reads them).
    pub fn products(
        &self,
        cursor: Option<NameCursor>,
        limit: usize,
    ) -> Result<Page<Product, NameCursor>> {
        self.by(Action::View, || {
            let limit = page_limit(limit)?;
            self.in_tenant(|tx, actor| {
                let entries = tx
                    .all_products(actor.tenant.id)?
                    .into_iter()
                    .map(|p| (NameCursor::after(0, &p.name, p.id.as_uuid()), p))
                    .collect();
                Ok(page(entries, cursor.as_ref(), limit))
            })
        })
    }

    /// A product of the tenant.
    pub fn product(&self, id: ProductId) -> Result<Product> {
        self.by(Action::View, || {
            self.in_tenant(|tx, actor| get_product(tx, actor.tenant.id, id))
        })
    }

    /// The tenant's bundles, in name order.
    pub fn bundles(
        &self,
        cursor: Option<NameCursor>,
        limit: usize,
    ) -> Result<Page<Bundle, NameCursor>> {
        self.by(Action::View, || {
            let limit = page_limit(limit)?;
            self.in_tenant(|tx, actor| {
                let entries = tx
                    .all_bundles(actor.tenant.id)?
                    .into_iter()
                    .map(|b| (NameCursor::after(0, &b.name, b.id.as_uuid()), b))
                    .collect();
                Ok(page(entries, cursor.as_ref(), limit))
            })
        })
    }

    /// A bundle of the tenant.
    pub fn bundle(&self, id: BundleId) -> Result<Bundle> {
        self.by(Action::View, || {
            self.in_tenant(|tx, actor| {
                tx.bundle(actor.tenant.id, id)?
                    .ok_or_else(|| Error::not_found(Entity::Bundle, id))
            })
        })
    }
}

/// Refuses an organization outside the actor's branches.
fn require_visible(actor: &Actor, org: &Organization, visible: &HashSet<OrgId>) -> Result<()> {
    if visible.contains(&org.id) {
        Ok(())
    } else {
        Err(actor.denied(
            Action::View,
            format!("'{}' is not in a branch the user administers", org.name),
        ))
    }
}

/// Refuses a user `actor` may not see.
fn require_visible_user(
    tx: &mut dyn Tx,
    actor: &Actor,
    visible: &HashSet<OrgId>,
    user: &User,
) -> Result<()> {
    if visible_users(tx, actor, visible)?.contains(&user.id) {
        Ok(())
    } else {
        Err(actor.denied(
            Action::View,
            format!(
                "'{}' administers no organization in a branch the user administers",
                user.name
            ),
        ))
    }
}

/// The users `actor` may see: themselves and the admins of the organizations they see.
fn visible_users(
    tx: &mut dyn Tx,
    actor: &Actor,
    visible: &HashSet<OrgId>,
) -> Result<HashSet<UserId>> {
    let mut users: HashSet<UserId> = HashSet::from([actor.user]);
    if actor.is_vendor_admin() {
        users.extend(tx.all_users(actor.tenant.id)?.into_iter().map(|u| u.id));
        return Ok(users);
    }
    let mut by_user: BTreeMap<UserId, bool> = BTreeMap::new();
    for (user, org) in tx.all_admins(actor.tenant.id)? {
        let seen = by_user.entry(user).or_default();
        *seen = *seen || visible.contains(&org);
    }
    users.extend(by_user.into_iter().filter(|(_, v)| *v).map(|(u, _)| u));
    Ok(users)
}
