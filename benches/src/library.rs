//! The library side of each comparison: a tenant whose distributor holds a lot of
//! `MAX_QUANTITY` units, and a reseller admin who requests one unit from it and approves it.

use license_inventory::*;

/// What a request+approve pair needs, with the ids another process needs to open the same
/// session on the same store ([`Pairs::open`], [`Pairs::args`]).
pub struct Pairs {
    pub session: Session,
    pub tenant: TenantId,
    pub user: UserId,
    pub mga: OrgId,
    pub product: ProductId,
}

/// A fresh tenant in `inv`: vendor → Ellen (distributor, one lot of `MAX_QUANTITY`) → MGA.
/// A request from MGA notifies its requester, the vendor admin and Ellen's admin (3 rows);
/// its approval notifies the requester (1 row).
pub fn setup(inv: &Inventory) -> Pairs {
    let t = inv
        .create_tenant(NewTenant {
            name: "Bench".into(),
            plan: Plan::Standard,
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
    };
    let ellen = org("Ellen", Tier::Distributor, t.vendor);
    let mga = org("MGA", Tier::Reseller, ellen.id);
    let user = |name: &str, email: &str| {
        inv.create_user(
            t.id,
            NewUser {
                name: name.into(),
                email: email.into(),
            },
        )
        .unwrap()
    };
    let vendor_admin = user("V", "v@x.example");
    let admin = user("I", "i@x.example");
    inv.grant_admin(t.id, vendor_admin.id, t.vendor).unwrap();
    inv.grant_admin(t.id, admin.id, ellen.id).unwrap();
    inv.grant_admin(t.id, admin.id, mga.id).unwrap();
    let product = inv
        .create_product(
            t.id,
            NewProduct {
                code: "CL".into(),
                name: "Center License".into(),
                kind: ProductKind::License,
            },
        )
        .unwrap();
    let vendor = inv.session(t.id, vendor_admin.id).unwrap();
    vendor
        .assign(NewAssignment::new(
            t.vendor,
            ellen.id,
            product.id,
            MAX_QUANTITY,
        ))
        .unwrap();
    Pairs {
        session: inv.session(t.id, admin.id).unwrap(),
        tenant: t.id,
        user: admin.id,
        mga: mga.id,
        product: product.id,
    }
}

impl Pairs {
    /// The ids of [`setup`] as four arguments: tenant, user, MGA, product.
    pub fn args(&self) -> Vec<String> {
        vec![
            self.tenant.to_string(),
            self.user.to_string(),
            self.mga.to_string(),
            self.product.to_string(),
        ]
    }

    /// The pairs of a tenant [`setup`] made (in this or another process), from the four
    /// arguments of [`Pairs::args`].
    pub fn open(inv: &Inventory, args: &[String]) -> Self {
        let [tenant, user, mga, product] = args else {
            panic!("expected tenant, user, MGA and product ids, got {args:?}");
        };
        let (tenant, user) = (tenant.parse().unwrap(), user.parse().unwrap());
        Pairs {
            session: inv.session(tenant, user).unwrap(),
            tenant,
            user,
            mga: mga.parse().unwrap(),
            product: product.parse().unwrap(),
        }
    }

    /// One request of one unit and its approval: two transactions.
    pub fn pair(&self) {
        let order = self
            .session
            .request(NewRequest::new(self.mga, self.product, 1))
            .unwrap();
        self.session.approve(order.id, None, None).unwrap();
    }
}

/// A SQLite store at `path` with `synchronous`.
pub fn sqlite(path: &std::path::Path, synchronous: Synchronous) -> Inventory {
    Inventory::new(
        SqliteStore::open_with(
            path,
            SqliteOptions {
                synchronous,
                ..SqliteOptions::default()
            },
        )
        .unwrap(),
    )
}

/// A PostgreSQL store with room for `connections` concurrent writers.
pub fn postgres(url: &str, connections: usize) -> Inventory {
    Inventory::new(
        PostgresStore::connect_with(
            url,
            PostgresOptions {
                max_connections: connections,
                ..PostgresOptions::default()
            },
        )
        .unwrap(),
    )
}

/// A tenant whose vendor admin holds an order of `quantity` Center Licenses.
pub fn stocked(inv: &Inventory, quantity: u64) -> (Session, OrderId) {
    let t = inv
        .create_tenant(NewTenant {
            name: "Bench".into(),
            plan: Plan::Standard,
            vendor_name: "Vendor".into(),
            first_order_number: None,
        })
        .unwrap();
    let admin = inv
        .create_user(
            t.id,
            NewUser {
                name: "V".into(),
                email: "v@x.example".into(),
            },
        )
        .unwrap();
    inv.grant_admin(t.id, admin.id, t.vendor).unwrap();
    let product = inv
        .create_product(
            t.id,
            NewProduct {
                code: "CL".into(),
                name: "Center License".into(),
                kind: ProductKind::License,
            },
        )
        .unwrap();
    let s = inv.session(t.id, admin.id).unwrap();
    let order = s.mint(NewMint::new(product.id, quantity)).unwrap();
    (s, order.id)
}
