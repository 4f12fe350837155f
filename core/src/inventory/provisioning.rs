//! Provisioning, the host application's job (no acting user): tenants, organizations, users,
//! admin grants and products.
//!
//! Rules: docs/rules.md §1, §2.

use crate::error::{Action, Entity, Error, Result};
use crate::hierarchy::{NewOrganization, NewTenant, NewUser, Organization, Tenant, Tier, User};
use crate::ids::{OrgId, ProductId, TenantId, UserId};
use crate::input::{self};
use crate::ledger::LedgerKind;
use crate::product::{NewProduct, Product};

use crate::inventory::Inventory;
use crate::inventory::rules::{
    ancestors, append, draft, get_org, get_product, get_user, lock_tenant,
};

impl Inventory {
    /// Creates a tenant and its vendor (root) organization.
    pub fn create_tenant(&self, new: NewTenant) -> Result<Tenant> {
        self.by_host(Action::CreateTenant, || {
            let name = input::name("tenant name", &new.name)?;
            let vendor_name = input::name("vendor name", &new.vendor_name)?;
            let first = new.first_order_number.unwrap_or(1);
            if first == 0 || first > 1_000_000_000_000 {
                return Err(Error::invalid(
                    "first order number",
                    "must be between 1 and 10^12",
                ));
            }
            self.write(None, |tx, now| {
                let tenant = Tenant {
                    id: TenantId::new(),
                    name: name.clone(),
                    plan: new.plan,
                    vendor: OrgId::new(),
                    minted: 0,
                    retired: 0,
                    next_order_number: first,
                    created_at: now,
                };
                let vendor = Organization {
                    id: tenant.vendor,
                    tenant: tenant.id,
                    name: vendor_name.clone(),
                    tier: Tier::Vendor,
                    parent: None,
                    active: true,
                    created_at: now,
                };
                tx.insert_tenant(&tenant)?;
                tx.insert_org(&vendor)?;
                let entry = draft(None, LedgerKind::TenantCreated).org(vendor.id);
                append(tx, tenant.id, now, entry)?;
                Ok(tenant)
            })
        })
    }

    /// Reads a tenant.
    pub fn tenant(&self, id: TenantId) -> Result<Tenant> {
        self.by_host(Action::View, || {
            self.read(|tx| {
                tx.tenant(id)?
                    .ok_or_else(|| Error::not_found(Entity::Tenant, id))
            })
        })
    }

    /// Every tenant in the store, oldest first (to find one again in a reopened store).
    pub fn tenants(&self) -> Result<Vec<Tenant>> {
        self.by_host(Action::View, || self.read(|tx| tx.tenants()))
    }

    /// Creates an organization under `new.parent`, whose tier must be strictly higher.
    pub fn create_org(&self, tenant: TenantId, new: NewOrganization) -> Result<Organization> {
        self.by_host(Action::CreateOrg, || {
        let name = input::name("organization name", &new.name)?;
        if new.tier == Tier::Vendor {
            return Err(Error::hierarchy(
                "a tenant has exactly one vendor, created with the tenant",
            ));
        }
        self.command(tenant, "create_org", &(&name, new.tier, new.parent), |tx, now| {
            lock_tenant(tx, tenant)?;
            let parent = get_org(tx, tenant, new.parent)?;
            if parent.tier.rank() >= new.tier.rank() {
                return Err(Error::hierarchy(format!(
                    "a {} cannot be placed under the {} '{}': a parent's tier must be strictly higher",
                    new.tier, parent.tier, parent.name
                )));
            }
            if !parent.active {
                return Err(Error::hierarchy(format!(
                    "the parent '{}' is deactivated",
                    parent.name
                )));
            }
            // The new org has no children, so it cannot close a cycle; still make sure the
            // parent's own chain reaches the root.
            ancestors(tx, tenant, &parent)?;
            let org = Organization {
                id: OrgId::new(),
                tenant,
                name: name.clone(),
                tier: new.tier,
                parent: Some(parent.id),
                active: true,
                created_at: now,
            };
            tx.insert_org(&org)?;
            append(tx, tenant, now, draft(None, LedgerKind::OrgCreated).org(org.id))?;
            #[cfg(feature = "test-util")]
            crate::store::conformance::panic_hook(&org.name);
            Ok(org)
        })
        })
    }

    /// Reads an organization.
    pub fn org(&self, tenant: TenantId, id: OrgId) -> Result<Organization> {
        self.by_host(Action::View, || self.read(|tx| get_org(tx, tenant, id)))
    }

    /// Deactivates an organization: it keeps its orders, but cannot request, approve, assign or
    /// receive inventory any more. The vendor cannot be deactivated.
    pub fn deactivate_org(&self, tenant: TenantId, id: OrgId) -> Result<Organization> {
        self.by_host(Action::DeactivateOrg, || {
            self.command(tenant, "deactivate_org", &id, |tx, now| {
                lock_tenant(tx, tenant)?;
                let mut org = get_org(tx, tenant, id)?;
                if org.tier == Tier::Vendor {
                    return Err(Error::hierarchy("the vendor cannot be deactivated"));
                }
                if org.active {
                    org.active = false;
                    tx.update_org(&org)?;
                    append(
                        tx,
                        tenant,
                        now,
                        draft(None, LedgerKind::OrgDeactivated).org(org.id),
                    )?;
                }
                Ok(org)
            })
        })
    }

    /// Creates a user; the email must be unique within the tenant.
    pub fn create_user(&self, tenant: TenantId, new: NewUser) -> Result<User> {
        self.by_host(Action::CreateUser, || {
            let name = input::name("user name", &new.name)?;
            let email = input::email(&new.email)?;
            self.command(tenant, "create_user", &(&name, &email), |tx, now| {
                lock_tenant(tx, tenant)?;
                if tx.user_by_email(tenant, &email)?.is_some() {
                    return Err(Error::Conflict {
                        attempt: None,
                        what: format!("a user with email {email}"),
                    });
                }
                let user = User {
                    id: UserId::new(),
                    tenant,
                    name: name.clone(),
                    email: email.clone(),
                    created_at: now,
                    active: true,
                };
                tx.insert_user(&user)?;
                append(tx, tenant, now, draft(None, LedgerKind::UserCreated))?;
                Ok(user)
            })
        })
    }

    /// Reads a user.
    pub fn user(&self, tenant: TenantId, id: UserId) -> Result<User> {
        self.by_host(Action::View, || self.read(|tx| get_user(tx, tenant, id)))
    }

    /// Makes `user` an admin of `org` (idempotent). Admins of the vendor are system administrators.
    pub fn grant_admin(&self, tenant: TenantId, user: UserId, org: OrgId) -> Result<()> {
        self.by_host(Action::GrantAdmin, || {
            self.command(tenant, "grant_admin", &(user, org), |tx, now| {
                lock_tenant(tx, tenant)?;
                get_user(tx, tenant, user)?;
                get_org(tx, tenant, org)?;
                if !tx.admin_orgs(tenant, user)?.contains(&org) {
                    tx.insert_admin(tenant, user, org)?;
                    append(
                        tx,
                        tenant,
                        now,
                        draft(None, LedgerKind::AdminGranted).org(org),
                    )?;
                }
                Ok(())
            })
        })
    }

    /// Defines a product, with the default license policy (perpetual, one device); its code
    /// must be unique within the tenant.
    pub fn create_product(&self, tenant: TenantId, new: NewProduct) -> Result<Product> {
        self.by_host(Action::CreateProduct, || {
            self.create_product_with_policy(tenant, new, crate::license::LicensePolicy::default())
        })
    }

    /// Defines a product with the policy of the licenses issued for it, in one transaction.
    pub fn create_product_with_policy(
        &self,
        tenant: TenantId,
        new: NewProduct,
        policy: crate::license::LicensePolicy,
    ) -> Result<Product> {
        self.by_host(Action::CreateProduct, || {
            policy.validate()?;
            let code = input::code(&new.code)?;
            let name = input::name("product name", &new.name)?;
            self.command(
                tenant,
                "create_product",
                &(&code, &name, new.kind, policy),
                |tx, now| {
                    lock_tenant(tx, tenant)?;
                    if tx.product_by_code(tenant, &code)?.is_some() {
                        return Err(Error::Conflict {
                            attempt: None,
                            what: format!("a product with code {code}"),
                        });
                    }
                    let product = Product {
                        id: ProductId::new(),
                        tenant,
                        code: code.clone(),
                        name: name.clone(),
                        kind: new.kind,
                        policy,
                        created_at: now,
                        retired: false,
                    };
                    tx.insert_product(&product)?;
                    append(tx, tenant, now, draft(None, LedgerKind::ProductCreated))?;
                    Ok(product)
                },
            )
        })
    }

    /// Reads a product.
    pub fn product(&self, tenant: TenantId, id: ProductId) -> Result<Product> {
        self.by_host(Action::View, || self.read(|tx| get_product(tx, tenant, id)))
    }

    /// Reads a product by its code.
    pub fn product_by_code(&self, tenant: TenantId, code: &str) -> Result<Product> {
        self.by_host(Action::View, || {
            self.read(|tx| {
                tx.product_by_code(tenant, code)?
                    .ok_or_else(|| Error::not_found(Entity::Product, code))
            })
        })
    }
}
