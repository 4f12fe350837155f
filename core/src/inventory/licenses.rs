//! The order-detail half of the product: metadata and customer, licenses and activation codes,
//! license users, license managers, bundles, returns and deletion.

use std::collections::BTreeSet;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{Action, Entity, Error, Result};
use crate::hierarchy::Tier;
use crate::ids::{BundleId, LicenseId, LicenseUserId, OrderId, OrgId, ProductId, TenantId, UserId};
use crate::input::{self, MAX_COMMENT, MAX_NAME, MAX_PAGE, MAX_PURCHASE_ORDER, signed};
use crate::inventory::outbox;
use crate::inventory::rules::*;
use crate::inventory::{Inventory, Session};
use crate::keys::LicenseKey;
use crate::ledger::{LedgerKind, Movement};
use crate::license::{
    Borrow, License, LicensePolicy, LicenseStatus, LicenseUser, NewLicenseUser, Validity,
};
use crate::notification::NotificationKind;
use crate::order::{Customer, MetadataEdit, Order};
use crate::permission::{LicenseManager, Permission};
use crate::product::{Bundle, NewBundle, Product, ProductKind};
use crate::store::Tx;

/// The most licenses one call may issue.
pub const MAX_ISSUE: u64 = 1_000_000;
/// The shortest password a license user may have, in characters.
pub const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 256;

fn get_license(tx: &mut dyn Tx, tenant: TenantId, id: LicenseId) -> Result<License> {
    tx.license(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::License, id))
}

fn get_order(tx: &mut dyn Tx, tenant: TenantId, id: OrderId) -> Result<Order> {
    tx.order(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::Order, id))
}

fn get_license_user(tx: &mut dyn Tx, tenant: TenantId, id: LicenseUserId) -> Result<LicenseUser> {
    tx.license_user(tenant, id)?
        .ok_or_else(|| Error::not_found(Entity::LicenseUser, id))
}

fn unusable(license: &License, reason: impl Into<String>) -> Error {
    Error::LicenseUnusable {
        key: license.key.to_string(),
        reason: reason.into(),
    }
}

/// Refuses a disabled or expired license.
fn require_usable(license: &License, now: DateTime<Utc>) -> Result<()> {
    if license.status == LicenseStatus::Disabled {
        return Err(unusable(license, "it is disabled"));
    }
    if let Some(at) = license.expires_at.filter(|at| *at <= now) {
        return Err(unusable(license, format!("it expired at {at}")));
    }
    Ok(())
}

fn device_text(field: &'static str, s: &str) -> Result<String> {
    input::text(field, Some(s), MAX_NAME)?.ok_or_else(|| Error::invalid(field, "must not be empty"))
}

fn password_hash(password: &str) -> Result<String> {
    let n = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
        return Err(Error::invalid(
            "password",
            format!("must be {MIN_PASSWORD} to {MAX_PASSWORD} characters"),
        ));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| {
        Error::InvariantViolated(format!("the operating system's random source failed: {e}"))
    })?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| Error::InvariantViolated(format!("password salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::InvariantViolated(format!("password hashing failed: {e}")))
}

fn customer(c: Customer) -> Result<Customer> {
    Ok(Customer {
        name: input::name("customer name", &c.name)?,
        email: c.email.as_deref().map(input::email).transpose()?,
        company: input::text("customer company", c.company.as_deref(), MAX_NAME)?,
        phone: input::text("customer phone", c.phone.as_deref(), 50)?,
        reference: input::text(
            "customer reference",
            c.reference.as_deref(),
            MAX_PURCHASE_ORDER,
        )?,
    })
}

/// The movement of `order` changing by `issued` and `available` units.
fn shift(order: &Order, issued: i64, available: i64) -> Movement {
    Movement {
        order: order.id,
        org: order.holder,
        product: order.product,
        approved: 0,
        drawn: 0,
        issued,
        available,
    }
}

impl Inventory {
    /// Defines a bundle: a named set of (product, quantity) lines. Provisioning, like products.
    pub fn create_bundle(&self, tenant: TenantId, new: NewBundle) -> Result<Bundle> {
        let name = input::name("bundle name", &new.name)?;
        if new.lines.is_empty() {
            return Err(Error::invalid(
                "bundle lines",
                "a bundle needs at least one line",
            ));
        }
        let mut seen = BTreeSet::new();
        for line in &new.lines {
            input::quantity(line.quantity)?;
            if !seen.insert(line.product) {
                return Err(Error::invalid(
                    "bundle lines",
                    format!("product {} appears twice", line.product),
                ));
            }
        }
        self.command(tenant, "create_bundle", &new, |tx, now| {
            lock_tenant(tx, tenant)?;
            for line in &new.lines {
                get_product(tx, tenant, line.product)?;
            }
            let bundle = Bundle {
                id: BundleId::new(),
                tenant,
                name: name.clone(),
                lines: new.lines.clone(),
            };
            tx.insert_bundle(&bundle)?;
            append(tx, tenant, now, draft(None, LedgerKind::BundleCreated))?;
            Ok(bundle)
        })
    }

    /// Reads a bundle.
    pub fn bundle(&self, tenant: TenantId, id: BundleId) -> Result<Bundle> {
        self.read(|tx| {
            tx.bundle(tenant, id)?
                .ok_or_else(|| Error::not_found(Entity::Bundle, id))
        })
    }

    /// Sets the policy of the licenses issued for a product from now on (issued licenses keep
    /// theirs). Provisioning, like products.
    pub fn set_product_policy(
        &self,
        tenant: TenantId,
        product: ProductId,
        policy: LicensePolicy,
    ) -> Result<Product> {
        policy.validate()?;
        self.command(
            tenant,
            "set_product_policy",
            &(product, policy),
            |tx, now| {
                lock_tenant(tx, tenant)?;
                let mut p = get_product(tx, tenant, product)?;
                p.policy = policy;
                tx.update_product(&p)?;
                append(tx, tenant, now, draft(None, LedgerKind::ProductPolicySet))?;
                Ok(p)
            },
        )
    }

    /// An end user activates a license on a device, with the key alone (no session). A
    /// mistyped key is refused before any lookup; activating an already activated device
    /// changes nothing.
    pub fn activate(
        &self,
        tenant: TenantId,
        key: &str,
        fingerprint: &str,
        device_name: &str,
    ) -> Result<License> {
        let key = LicenseKey::parse(key)?;
        let fingerprint = device_text("fingerprint", fingerprint)?;
        let device_name = device_text("device name", device_name)?;
        self.command(
            tenant,
            "activate",
            &(&key, &fingerprint, &device_name),
            |tx, now| {
                lock_tenant(tx, tenant)?;
                let mut l = license_by_key(tx, tenant, &key)?;
                if l.is_code {
                    return Err(unusable(
                        &l,
                        "an activation code is redeemed, not activated",
                    ));
                }
                require_usable(&l, now)?;
                if l.activations.iter().any(|a| a.fingerprint == fingerprint) {
                    return Ok(l);
                }
                if l.activations.len() >= l.policy.max_activations as usize {
                    return Err(Error::ActivationLimit {
                        max: l.policy.max_activations,
                    });
                }
                l.record_activation(fingerprint.clone(), device_name.clone(), now);
                tx.update_license(&l)?;
                append(
                    tx,
                    tenant,
                    now,
                    draft(None, LedgerKind::LicenseActivated).license(&l),
                )?;
                Ok(l)
            },
        )
    }

    /// An end user deactivates a license on one of its devices, with the key alone.
    pub fn deactivate(&self, tenant: TenantId, key: &str, fingerprint: &str) -> Result<License> {
        let key = LicenseKey::parse(key)?;
        self.command(tenant, "deactivate", &(&key, fingerprint), |tx, now| {
            lock_tenant(tx, tenant)?;
            let mut l = license_by_key(tx, tenant, &key)?;
            remove_device(&mut l, fingerprint)?;
            tx.update_license(&l)?;
            append(
                tx,
                tenant,
                now,
                draft(None, LedgerKind::LicenseDeactivated).license(&l),
            )?;
            Ok(l)
        })
    }

    /// An end user redeems an activation code, once; `redeemed_by` names who (an email or a
    /// device). A second redemption is refused.
    pub fn redeem(&self, tenant: TenantId, code: &str, redeemed_by: &str) -> Result<License> {
        let key = LicenseKey::parse(code)?;
        let by = device_text("redeemed by", redeemed_by)?;
        self.command(tenant, "redeem", &(&key, &by), |tx, now| {
            lock_tenant(tx, tenant)?;
            let mut l = license_by_key(tx, tenant, &key)?;
            if !l.is_code {
                return Err(unusable(&l, "a license is activated, not redeemed"));
            }
            require_usable(&l, now)?;
            if l.activated_at.is_some() {
                return Err(unusable(&l, "the code was already redeemed"));
            }
            l.record_activation(by.clone(), by.clone(), now);
            tx.update_license(&l)?;
            append(
                tx,
                tenant,
                now,
                draft(None, LedgerKind::CodeRedeemed).license(&l),
            )?;
            Ok(l)
        })
    }

    /// Checks a key as an application would at start-up: the license, if it exists and is
    /// neither disabled nor expired.
    pub fn check_license(&self, tenant: TenantId, key: &str) -> Result<License> {
        let key = LicenseKey::parse(key)?;
        let now = self.now();
        self.read(|tx| {
            get_tenant(tx, tenant)?;
            let l = license_by_key(tx, tenant, &key)?;
            require_usable(&l, now)?;
            Ok(l)
        })
    }

    /// True when `password` is the license user's password (checked against its Argon2id hash).
    pub fn verify_license_user_password(
        &self,
        tenant: TenantId,
        user: LicenseUserId,
        password: &str,
    ) -> Result<bool> {
        let hash = self.read(|tx| {
            get_tenant(tx, tenant)?;
            get_license_user(tx, tenant, user)?;
            tx.license_user_password(tenant, user)
        })?;
        let Some(hash) = hash else { return Ok(false) };
        let parsed = PasswordHash::new(&hash).map_err(|e| {
            Error::Storage(crate::StorageError::Corrupt {
                table: "license_users",
                reason: format!("bad password hash: {e}"),
            })
        })?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    }
}

fn license_by_key(tx: &mut dyn Tx, tenant: TenantId, key: &LicenseKey) -> Result<License> {
    tx.license_by_key(tenant, key)?
        .ok_or_else(|| Error::not_found(Entity::License, key))
}

fn remove_device(l: &mut License, fingerprint: &str) -> Result<()> {
    let before = l.activations.len();
    l.activations.retain(|a| a.fingerprint != fingerprint);
    if l.activations.len() == before {
        return Err(Error::invalid(
            "fingerprint",
            format!(
                "license {} is not activated on device '{fingerprint}'",
                l.key
            ),
        ));
    }
    Ok(())
}

impl Session {
    /// Edits an order's metadata (reference, campaign, download id, test and trial flags), also
    /// after approval. Admins of the holder.
    pub fn edit_metadata(&self, order: OrderId, edit: MetadataEdit) -> Result<Order> {
        let reference = edit
            .reference
            .as_deref()
            .map(|s| input::text("order reference", Some(s), MAX_PURCHASE_ORDER))
            .transpose()?;
        let download_id = edit
            .download_id
            .as_deref()
            .map(|s| input::text("download id", Some(s), MAX_PURCHASE_ORDER))
            .transpose()?;
        if let Some(c) = &edit.campaign {
            if c.len() > 50 {
                return Err(Error::invalid("campaign", "at most 50 parameters"));
            }
            for (k, v) in c {
                input::name("campaign key", k)?;
                input::text("campaign value", Some(v), MAX_COMMENT)?;
            }
        }
        self.inv.command(
            self.tenant,
            "edit_metadata",
            &(self.user, order, &edit),
            |tx, now| {
                let actor = Actor::load(tx, self.tenant, self.user)?;
                let mut o = get_order(tx, self.tenant, order)?;
                let holder = get_org(tx, self.tenant, o.holder)?;
                actor.require_admin(&holder, Action::EditMetadata)?;
                let m = &mut o.metadata;
                if let Some(r) = &reference {
                    m.reference.clone_from(r);
                }
                if let Some(d) = &download_id {
                    m.download_id.clone_from(d);
                }
                if let Some(c) = &edit.campaign {
                    m.campaign.clone_from(c);
                }
                if let Some(t) = edit.is_test {
                    m.is_test = t;
                }
                if let Some(t) = edit.is_trial {
                    m.is_trial = t;
                }
                o.updated_at = now;
                tx.update_order(&o)?;
                append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), LedgerKind::MetadataEdited).order(&o),
                )?;
                Ok(o)
            },
        )
    }

    /// Adds, replaces (`Some`) or removes (`None`) an order's customer. Admins of the holder.
    pub fn set_customer(&self, order: OrderId, new: Option<Customer>) -> Result<Order> {
        let new = new.map(customer).transpose()?;
        self.inv.command(
            self.tenant,
            "set_customer",
            &(self.user, order, &new),
            |tx, now| {
                let actor = Actor::load(tx, self.tenant, self.user)?;
                let mut o = get_order(tx, self.tenant, order)?;
                let holder = get_org(tx, self.tenant, o.holder)?;
                actor.require_admin(&holder, Action::EditCustomer)?;
                o.customer.clone_from(&new);
                o.updated_at = now;
                tx.update_order(&o)?;
                append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), LedgerKind::CustomerSet).order(&o),
                )?;
                Ok(o)
            },
        )
    }

    /// Issues `quantity` licenses (or activation codes, for an activation-code product) from
    /// an order, consuming as many available units, all at once or not at all. Admins of the
    /// holder, or managers with `issue_license`.
    pub fn issue(&self, order: OrderId, quantity: u64) -> Result<Vec<License>> {
        self.inv.command(
            self.tenant,
            "issue",
            &(self.user, order, quantity),
            |tx, now| self.issue_in(tx, now, order, quantity),
        )
    }

    pub(crate) fn issue_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        quantity: u64,
    ) -> Result<Vec<License>> {
        if quantity == 0 || quantity > MAX_ISSUE {
            return Err(Error::invalid(
                "quantity",
                format!("must be between 1 and {MAX_ISSUE} licenses per call"),
            ));
        }
        let count = usize::try_from(quantity)
            .map_err(|_| Error::invalid("quantity", "too large for this platform"))?;
        let actor = Actor::load(tx, self.tenant, self.user)?;
        let mut o = get_order(tx, self.tenant, order)?;
        actor.require_permission(tx, &o, Permission::IssueLicense, Action::IssueLicense)?;
        if !o.status.holds_units() {
            return Err(Error::InvalidState {
                order: o.number,
                status: o.status,
                action: Action::IssueLicense,
            });
        }
        if o.available < quantity {
            return Err(Error::InsufficientInventory {
                available: o.available,
                requested: quantity,
            });
        }
        let product = get_product(tx, self.tenant, o.product)?;
        let expires_at = match product.policy.validity {
            Validity::DaysFromIssue(d) => Some(now + TimeDelta::days(i64::from(d))),
            _ => None,
        };
        let licenses = LicenseKey::generate(count)?
            .into_iter()
            .map(|key| License {
                id: LicenseId::new(),
                tenant: self.tenant,
                order: o.id,
                product: o.product,
                key,
                is_code: product.kind == ProductKind::ActivationCode,
                status: LicenseStatus::Issued,
                license_user: None,
                activations: Vec::new(),
                borrows: Vec::new(),
                policy: product.policy,
                trial: product.policy.trial || o.metadata.is_trial,
                issued_at: now,
                activated_at: None,
                expires_at,
            })
            .collect::<Vec<_>>();
        tx.insert_licenses(&licenses)?;
        o.available -= quantity;
        o.issued += quantity;
        o.settle_status();
        o.updated_at = now;
        o.check_invariants()?;
        tx.update_order(&o)?;
        let q = signed(quantity)?;
        let mut entry = draft(Some(self.user), LedgerKind::LicensesIssued).order(&o);
        entry.movements.push(shift(&o, q, -q));
        append(tx, self.tenant, now, entry)?;
        Ok(licenses)
    }

    /// Up to `limit` licenses of an order, by id, after `after` (pass the last id of a page for
    /// the next one).
    pub fn licenses(
        &self,
        order: OrderId,
        after: Option<LicenseId>,
        limit: usize,
    ) -> Result<Vec<License>> {
        let limit = page_limit(limit)?;
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let o = get_order(tx, self.tenant, order)?;
            actor.require_view_order(tx, &o)?;
            tx.licenses_of_order(self.tenant, o.id, after, limit)
        })
    }

    /// A license by its key, if the actor may see its order.
    pub fn license(&self, key: &str) -> Result<License> {
        let key = LicenseKey::parse(key)?;
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let l = license_by_key(tx, self.tenant, &key)?;
            let o = get_order(tx, self.tenant, l.order)?;
            actor.require_view_order(tx, &o)?;
            Ok(l)
        })
    }

    /// Runs `change` on a license after checking `permission` on its order, then records it.
    fn change_license(
        &self,
        license: LicenseId,
        permission: Option<Permission>,
        action: Action,
        kind: LedgerKind,
        args: &dyn std::fmt::Debug,
        change: &dyn Fn(&mut License, DateTime<Utc>) -> Result<()>,
    ) -> Result<License> {
        self.inv.command(
            self.tenant,
            kind.as_str(),
            &(self.user, license, args),
            |tx, now| {
                let actor = Actor::load(tx, self.tenant, self.user)?;
                let mut l = get_license(tx, self.tenant, license)?;
                let o = get_order(tx, self.tenant, l.order)?;
                match permission {
                    Some(p) => actor.require_permission(tx, &o, p, action)?,
                    None => actor.require_admin(&get_org(tx, self.tenant, o.holder)?, action)?,
                }
                change(&mut l, now)?;
                tx.update_license(&l)?;
                append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), kind).license(&l),
                )?;
                Ok(l)
            },
        )
    }

    /// Removes one device from a license. Admins of the holder, or managers with `reset_device`.
    pub fn reset_device(&self, license: LicenseId, fingerprint: &str) -> Result<License> {
        self.change_license(
            license,
            Some(Permission::ResetDevice),
            Action::ResetDevice,
            LedgerKind::DeviceReset,
            &fingerprint,
            &|l, _| remove_device(l, fingerprint),
        )
    }

    /// Removes every device from a license. Admins of the holder, or managers with
    /// `reset_license`.
    pub fn reset_license(&self, license: LicenseId) -> Result<License> {
        self.change_license(
            license,
            Some(Permission::ResetLicense),
            Action::ResetLicense,
            LedgerKind::LicenseReset,
            &(),
            &|l, _| {
                l.activations.clear();
                Ok(())
            },
        )
    }

    /// Disables a license: it can no longer be activated, redeemed or borrowed. Admins of the
    /// holder.
    pub fn disable(&self, license: LicenseId) -> Result<License> {
        self.change_license(
            license,
            None,
            Action::Disable,
            LedgerKind::LicenseDisabled,
            &(),
            &|l, _| {
                l.status = LicenseStatus::Disabled;
                Ok(())
            },
        )
    }

    /// Enables a disabled license again. Admins of the holder.
    pub fn enable(&self, license: LicenseId) -> Result<License> {
        self.change_license(
            license,
            None,
            Action::Disable,
            LedgerKind::LicenseEnabled,
            &(),
            &|l, _| {
                l.status = if l.activated_at.is_some() {
                    LicenseStatus::Active
                } else {
                    LicenseStatus::Issued
                };
                Ok(())
            },
        )
    }

    /// Borrows a floating license for `borrower` for `seconds` (at most the policy's maximum;
    /// at most the policy's number of open borrows; a borrower's new borrow replaces its old).
    /// Admins of the holder, or managers with `borrow_license`.
    pub fn borrow(&self, license: LicenseId, borrower: &str, seconds: u32) -> Result<License> {
        let borrower = device_text("borrower", borrower)?;
        if seconds == 0 {
            return Err(Error::invalid(
                "seconds",
                "a borrow lasts at least one second",
            ));
        }
        self.change_license(
            license,
            Some(Permission::BorrowLicense),
            Action::Borrow,
            LedgerKind::LicenseBorrowed,
            &(&borrower, seconds),
            &|l, now| {
                let Some(f) = l.policy.floating else {
                    return Err(unusable(l, "it is not a floating license"));
                };
                require_usable(l, now)?;
                if seconds > f.max_borrow_seconds {
                    return Err(Error::BorrowLimit {
                        reason: format!(
                            "{seconds} s asked, at most {} s allowed",
                            f.max_borrow_seconds
                        ),
                    });
                }
                l.borrows
                    .retain(|b| b.until > now && b.borrower != borrower);
                if l.borrows.len() >= f.max_borrows as usize {
                    return Err(Error::BorrowLimit {
                        reason: format!("{} borrows are open, the most allowed", f.max_borrows),
                    });
                }
                l.borrows.push(Borrow {
                    borrower: borrower.clone(),
                    at: now,
                    until: now + TimeDelta::seconds(i64::from(seconds)),
                });
                Ok(())
            },
        )
    }

    /// Returns `borrower`'s borrow of a floating license. Admins of the holder, or managers
    /// with `borrow_license`.
    pub fn return_borrow(&self, license: LicenseId, borrower: &str) -> Result<License> {
        self.change_license(
            license,
            Some(Permission::BorrowLicense),
            Action::Borrow,
            LedgerKind::BorrowReturned,
            &borrower,
            &|l, now| {
                let before = l.borrows.len();
                l.borrows.retain(|b| b.borrower != borrower);
                if l.borrows.len() == before {
                    return Err(Error::invalid(
                        "borrower",
                        format!("'{borrower}' has no open borrow of {}", l.key),
                    ));
                }
                l.borrows.retain(|b| b.until > now);
                Ok(())
            },
        )
    }

    /// Revokes an unused license (never activated, redeemed or borrowed): the license is gone
    /// and its unit returns to its order, which becomes active again if it was depleted.
    /// Admins of the holder.
    pub fn revoke(&self, license: LicenseId) -> Result<Order> {
        self.inv
            .command(self.tenant, "revoke", &(self.user, license), |tx, now| {
                let actor = Actor::load(tx, self.tenant, self.user)?;
                let l = get_license(tx, self.tenant, license)?;
                let mut o = get_order(tx, self.tenant, l.order)?;
                actor.require_admin(&get_org(tx, self.tenant, o.holder)?, Action::Revoke)?;
                if !l.is_unused() {
                    return Err(unusable(
                        &l,
                        "only an unused license can be revoked; reset or disable it instead",
                    ));
                }
                tx.delete_license(self.tenant, l.id)?;
                o.issued -= 1;
                o.available += 1;
                o.settle_status();
                o.updated_at = now;
                o.check_invariants()?;
                tx.update_order(&o)?;
                let mut entry = draft(Some(self.user), LedgerKind::LicenseRevoked).order(&o);
                entry.movements.push(shift(&o, -1, 1));
                append(tx, self.tenant, now, entry)?;
                Ok(o)
            })
    }

    /// Adds a license user to an order. Admins of the holder, or managers with
    /// `manage_license_users` (and `manage_license_user_credentials` to set a password).
    pub fn add_license_user(&self, order: OrderId, new: NewLicenseUser) -> Result<LicenseUser> {
        let email = input::email(&new.email)?;
        let name = input::text("name", new.name.as_deref(), MAX_NAME)?;
        let hash = new.password.as_deref().map(password_hash).transpose()?;
        self.inv.command(
            self.tenant,
            "add_license_user",
            &(self.user, order, &email, &name, hash.is_some()),
            |tx, now| {
                let actor = Actor::load(tx, self.tenant, self.user)?;
                let o = get_order(tx, self.tenant, order)?;
                actor.require_permission(
                    tx,
                    &o,
                    Permission::ManageLicenseUsers,
                    Action::ManageLicenseUsers,
                )?;
                if hash.is_some() {
                    actor.require_permission(
                        tx,
                        &o,
                        Permission::ManageLicenseUserCredentials,
                        Action::ManageLicenseUserCredentials,
                    )?;
                }
                if tx
                    .license_user_by_email(self.tenant, o.id, &email)?
                    .is_some()
                {
                    return Err(Error::Conflict {
                        what: format!("a license user with email {email} in order {}", o.number),
                    });
                }
                let u = LicenseUser {
                    id: LicenseUserId::new(),
                    tenant: self.tenant,
                    order: o.id,
                    email: email.clone(),
                    name: name.clone(),
                    has_password: hash.is_some(),
                };
                tx.insert_license_user(&u, hash.as_deref())?;
                append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), LedgerKind::LicenseUserAdded).order(&o),
                )?;
                Ok(u)
            },
        )
    }

    /// Changes a license user's email and/or name. Admins of the holder, or managers with
    /// `manage_license_users`.
    pub fn edit_license_user(
        &self,
        user: LicenseUserId,
        email: Option<String>,
        name: Option<String>,
    ) -> Result<LicenseUser> {
        let email = email.as_deref().map(input::email).transpose()?;
        let name = name
            .as_deref()
            .map(|n| input::text("name", Some(n), MAX_NAME))
            .transpose()?;
        self.inv.command(
            self.tenant,
            "edit_license_user",
            &(self.user, user, &email, &name),
            |tx, now| {
                let (mut u, o) = self.guarded_license_user(
                    tx,
                    user,
                    Permission::ManageLicenseUsers,
                    Action::ManageLicenseUsers,
                )?;
                if let Some(e) = &email {
                    if *e != u.email && tx.license_user_by_email(self.tenant, o.id, e)?.is_some() {
                        return Err(Error::Conflict {
                            what: format!("a license user with email {e} in order {}", o.number),
                        });
                    }
                    u.email.clone_from(e);
                }
                if let Some(n) = &name {
                    u.name.clone_from(n);
                }
                tx.update_license_user(&u)?;
                append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), LedgerKind::LicenseUserEdited).order(&o),
                )?;
                Ok(u)
            },
        )
    }

    /// A license user and its order, once the actor is allowed `permission` on that order
    /// (admins of the holder, or managers holding it).
    fn guarded_license_user(
        &self,
        tx: &mut dyn Tx,
        user: LicenseUserId,
        permission: Permission,
        action: Action,
    ) -> Result<(LicenseUser, Order)> {
        let actor = Actor::load(tx, self.tenant, self.user)?;
        let u = get_license_user(tx, self.tenant, user)?;
        let o = get_order(tx, self.tenant, u.order)?;
        actor.require_permission(tx, &o, permission, action)?;
        Ok((u, o))
    }

    /// Deletes a license user; their licenses stay, without a user. Admins of the holder, or
    /// managers with `manage_license_users`.
    pub fn delete_license_user(&self, user: LicenseUserId) -> Result<()> {
        self.inv.command(
            self.tenant,
            "delete_license_user",
            &(self.user, user),
            |tx, now| {
                let (u, o) = self.guarded_license_user(
                    tx,
                    user,
                    Permission::ManageLicenseUsers,
                    Action::ManageLicenseUsers,
                )?;
                let mut after = None;
                loop {
                    let page = tx.licenses_of_order(self.tenant, o.id, after, MAX_PAGE)?;
                    let Some(last) = page.last() else { break };
                    after = Some(last.id);
                    for mut l in page.into_iter().filter(|l| l.license_user == Some(u.id)) {
                        l.license_user = None;
                        tx.update_license(&l)?;
                    }
                }
                tx.delete_license_user(self.tenant, u.id)?;
                append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), LedgerKind::LicenseUserDeleted).order(&o),
                )?;
                Ok(())
            },
        )
    }

    /// Gives a license to a license user of the same order, or takes it back with `None`.
    /// Admins of the holder, or managers with `manage_license_users`.
    pub fn assign_license(
        &self,
        license: LicenseId,
        user: Option<LicenseUserId>,
    ) -> Result<License> {
        self.inv.command(
            self.tenant,
            "assign_license",
            &(self.user, license, user),
            |tx, now| {
                let actor = Actor::load(tx, self.tenant, self.user)?;
                let mut l = get_license(tx, self.tenant, license)?;
                let o = get_order(tx, self.tenant, l.order)?;
                actor.require_permission(
                    tx,
                    &o,
                    Permission::ManageLicenseUsers,
                    Action::ManageLicenseUsers,
                )?;
                if let Some(u) = user {
                    let u = get_license_user(tx, self.tenant, u)?;
                    if u.order != o.id {
                        return Err(Error::invalid(
                            "license user",
                            format!("{} is a license user of another order", u.email),
                        ));
                    }
                }
                l.license_user = user;
                tx.update_license(&l)?;
                append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), LedgerKind::LicenseAssigned).license(&l),
                )?;
                Ok(l)
            },
        )
    }

    /// Sets a license user's password (kept only as an Argon2id hash). Admins of the holder, or
    /// managers with `manage_license_user_credentials`.
    pub fn set_license_user_password(&self, user: LicenseUserId, password: &str) -> Result<()> {
        let hash = password_hash(password)?;
        self.inv.command(
            self.tenant,
            "set_license_user_password",
            &(self.user, user),
            |tx, now| {
                let (u, o) = self.guarded_license_user(
                    tx,
                    user,
                    Permission::ManageLicenseUserCredentials,
                    Action::ManageLicenseUserCredentials,
                )?;
                tx.set_license_user_password(self.tenant, u.id, &hash)?;
                append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), LedgerKind::LicenseUserPasswordSet).order(&o),
                )?;
                Ok(())
            },
        )
    }

    /// The license users of an order.
    pub fn license_users(&self, order: OrderId) -> Result<Vec<LicenseUser>> {
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let o = get_order(tx, self.tenant, order)?;
            actor.require_view_order(tx, &o)?;
            tx.license_users_of_order(self.tenant, o.id)
        })
    }

    /// Makes `user` a license manager of an order with `permissions` (added to any they hold).
    /// Admins of the holder may grant any permission; a manager with `manage_managers` only
    /// those it holds itself. `create_order` and `issue_license` need the enterprise plan.
    pub fn add_license_manager(
        &self,
        order: OrderId,
        user: UserId,
        permissions: &[Permission],
    ) -> Result<LicenseManager> {
        if permissions.is_empty() {
            return Err(Error::invalid(
                "permissions",
                "grant at least one permission",
            ));
        }
        let wanted: BTreeSet<Permission> = permissions.iter().copied().collect();
        self.inv.command(
            self.tenant,
            "add_license_manager",
            &(self.user, order, user, &wanted),
            |tx, now| {
                let actor = Actor::load(tx, self.tenant, self.user)?;
                let o = get_order(tx, self.tenant, order)?;
                get_user(tx, self.tenant, user)?;
                for p in &wanted {
                    actor.require_plan(*p)?;
                }
                if !actor.is_admin(o.holder) {
                    actor.require_permission(
                        tx,
                        &o,
                        Permission::ManageManagers,
                        Action::ManageManagers,
                    )?;
                    let own = tx
                        .manager(self.tenant, o.id, self.user)?
                        .map(|m| m.permissions)
                        .unwrap_or_default();
                    if let Some(p) = wanted.iter().find(|p| !own.contains(p)) {
                        return Err(actor.denied(
                            Action::ManageManagers,
                            format!(
                                "cannot grant the {p} permission, which the manager does not hold"
                            ),
                        ));
                    }
                }
                let existing = tx.manager(self.tenant, o.id, user)?;
                let is_new = existing.is_none();
                let mut m = existing.unwrap_or(LicenseManager {
                    tenant: self.tenant,
                    order: o.id,
                    user,
                    permissions: BTreeSet::new(),
                });
                m.permissions.extend(wanted.iter().copied());
                tx.put_manager(&m)?;
                let entry = append(
                    tx,
                    self.tenant,
                    now,
                    draft(Some(self.user), LedgerKind::ManagerAdded).order(&o),
                )?;
                if is_new {
                    let granted: Vec<Permission> = m.permissions.iter().copied().collect();
                    outbox::notify(
                        tx,
                        now,
                        entry.seq,
                        NotificationKind::ManagerInvitation,
                        [user],
                        &o,
                        &granted,
                    )?;
                }
                Ok(m)
            },
        )
    }

    /// The license managers of an order.
    pub fn license_managers(&self, order: OrderId) -> Result<Vec<LicenseManager>> {
        self.inv.read(|tx| {
            let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
            let o = get_order(tx, self.tenant, order)?;
            actor.require_view_order(tx, &o)?;
            tx.managers_of_order(self.tenant, o.id)
        })
    }

    /// Requests a bundle for `holder` from its parent: one request per line, grouped under one
    /// new bundle-order id. Admins of the holder, or managers with `create_bundle_order` on one
    /// of its orders.
    pub fn request_bundle(
        &self,
        holder: OrgId,
        bundle: BundleId,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> Result<Vec<Order>> {
        let po = input::text(
            "purchase order",
            purchase_order.as_deref(),
            MAX_PURCHASE_ORDER,
        )?;
        let comments = input::text("requester comments", comments.as_deref(), MAX_COMMENT)?;
        self.inv.command(
            self.tenant,
            "request_bundle",
            &(self.user, holder, bundle, &po, &comments),
            |tx, now| {
                let mut actor = Actor::load(tx, self.tenant, self.user)?;
                let holder = get_org(tx, self.tenant, holder)?;
                actor.require_org_permission(
                    tx,
                    &holder,
                    Permission::CreateBundleOrder,
                    Action::RequestBundle,
                )?;
                let b = tx
                    .bundle(self.tenant, bundle)?
                    .ok_or_else(|| Error::not_found(Entity::Bundle, bundle))?;
                let Some(source) = holder.parent else {
                    return Err(Error::hierarchy("the vendor has no parent to request from"));
                };
                let source = get_org(tx, self.tenant, source)?;
                require_active(&holder)?;
                require_active(&source)?;
                let group = BundleId::new();
                let mut orders = Vec::new();
                for line in &b.lines {
                    get_product(tx, self.tenant, line.product)?;
                    let mut o = Order::new_request(
                        self.tenant,
                        actor.take_number()?,
                        line.product,
                        holder.id,
                        Some(source.id),
                        Some(self.user),
                        line.quantity,
                        now,
                    );
                    o.purchase_order.clone_from(&po);
                    o.requester_comments.clone_from(&comments);
                    o.bundle = Some(group);
                    o.check_invariants()?;
                    tx.insert_order(&o)?;
                    let entry = append(
                        tx,
                        self.tenant,
                        now,
                        draft(Some(self.user), LedgerKind::Requested).order(&o),
                    )?;
                    outbox::on_request(tx, now, entry.seq, &o)?;
                    orders.push(o);
                }
                tx.update_tenant(&actor.tenant)?;
                Ok(orders)
            },
        )
    }

    /// Returns `quantity` unused units of an order to its source: they go back to the source
    /// orders they were drawn from, newest draw first (units minted by a vendor-tier approval
    /// are retired). Admins of the holder.
    pub fn return_units(&self, order: OrderId, quantity: u64) -> Result<Order> {
        let quantity = input::quantity(quantity)?;
        self.inv.command(
            self.tenant,
            "return_units",
            &(self.user, order, quantity),
            |tx, now| {
                let mut actor = Actor::load(tx, self.tenant, self.user)?;
                let mut o = get_order(tx, self.tenant, order)?;
                actor.require_admin(&get_org(tx, self.tenant, o.holder)?, Action::ReturnUnits)?;
                if !o.status.holds_units() || o.source.is_none() {
                    return Err(Error::InvalidState {
                        order: o.number,
                        status: o.status,
                        action: Action::ReturnUnits,
                    });
                }
                if o.available < quantity {
                    return Err(Error::InsufficientInventory {
                        available: o.available,
                        requested: quantity,
                    });
                }
                let mut entry = draft(Some(self.user), LedgerKind::UnitsReturned).order(&o);
                let unreturned = give_back(tx, &o, quantity, true, now, &mut entry)?;
                entry.retired = unreturned;
                actor.tenant.retired = actor
                    .tenant
                    .retired
                    .checked_add(unreturned)
                    .ok_or_else(overflow)?;
                tx.update_tenant(&actor.tenant)?;
                o.approved_quantity -= quantity;
                o.available -= quantity;
                o.settle_status();
                o.updated_at = now;
                o.check_invariants()?;
                tx.update_order(&o)?;
                let q = signed(quantity)?;
                entry.movements.push(Movement {
                    order: o.id,
                    org: o.holder,
                    product: o.product,
                    approved: -q,
                    drawn: 0,
                    issued: 0,
                    available: -q,
                });
                append(tx, self.tenant, now, entry)?;
                Ok(o)
            },
        )
    }

    /// Deletes an order and every license in it, irreversibly. Refused while child orders hold
    /// units drawn from it (the error names them). Its unconsumed units return to its sources;
    /// its issued units are retired; the ledger records the deletion. Admins of the holder.
    pub fn delete_order(&self, order: OrderId) -> Result<()> {
        self.inv.command(
            self.tenant,
            "delete_order",
            &(self.user, order),
            |tx, now| {
                let mut actor = Actor::load(tx, self.tenant, self.user)?;
                let o = get_order(tx, self.tenant, order)?;
                actor.require_admin(&get_org(tx, self.tenant, o.holder)?, Action::DeleteOrder)?;
                let mut children = Vec::new();
                for d in tx.draws_from(self.tenant, o.id)? {
                    if let Some(child) = tx.order(self.tenant, d.order)? {
                        children.push(child.number);
                    }
                }
                if !children.is_empty() {
                    children.sort();
                    children.dedup();
                    return Err(Error::OrderInUse {
                        order: o.number,
                        children,
                    });
                }
                let mut entry = draft(Some(self.user), LedgerKind::OrderDeleted).order(&o);
                let unreturned = if o.status.holds_units() {
                    give_back(tx, &o, o.available, false, now, &mut entry)?
                } else {
                    0
                };
                let retired = unreturned.checked_add(o.issued).ok_or_else(overflow)?;
                entry.retired = retired;
                actor.tenant.retired = actor
                    .tenant
                    .retired
                    .checked_add(retired)
                    .ok_or_else(overflow)?;
                tx.update_tenant(&actor.tenant)?;
                entry.movements.push(Movement {
                    order: o.id,
                    org: o.holder,
                    product: o.product,
                    approved: -signed(o.approved_quantity)?,
                    drawn: -signed(o.drawn)?,
                    issued: -signed(o.issued)?,
                    available: -signed(o.available)?,
                });
                tx.delete_order(self.tenant, o.id)?;
                append(tx, self.tenant, now, entry)?;
                Ok(())
            },
        )
    }
}

/// Gives `quantity` units of `order` back to the source orders it drew from, newest draw first;
/// returns how many could not go back (none drawn: minted at the vendor). With `keep_draws`
/// the draw records shrink accordingly (a return); otherwise they are left for the deletion.
fn give_back(
    tx: &mut dyn Tx,
    order: &Order,
    quantity: u64,
    keep_draws: bool,
    now: DateTime<Utc>,
    entry: &mut Draft,
) -> Result<u64> {
    let mut remaining = quantity;
    let mut draws = tx.draws_into(order.tenant, order.id)?;
    draws.reverse();
    for mut d in draws {
        if remaining == 0 {
            break;
        }
        let give = d.quantity.min(remaining);
        let mut src = get_order(tx, order.tenant, d.source_order)?;
        src.drawn = src.drawn.checked_sub(give).ok_or_else(|| {
            Error::InvariantViolated(format!("order {} drew less than it returns", src.number))
        })?;
        src.available = src.available.checked_add(give).ok_or_else(overflow)?;
        src.settle_status();
        src.updated_at = now;
        src.check_invariants()?;
        tx.update_order(&src)?;
        if keep_draws {
            d.quantity -= give;
            tx.update_draw(&d)?;
        }
        let g = signed(give)?;
        entry.movements.push(Movement {
            order: src.id,
            org: src.holder,
            product: src.product,
            approved: 0,
            drawn: -g,
            issued: 0,
            available: g,
        });
        remaining -= give;
    }
    // What no draw accounts for was minted by a vendor-tier approval: it leaves the tenant.
    if remaining > 0 {
        let holder_source = order
            .source
            .map(|s| get_org(tx, order.tenant, s))
            .transpose()?;
        if holder_source.is_none_or(|s| s.tier != Tier::Vendor) {
            return Err(Error::InvariantViolated(format!(
                "order {} has {remaining} units no draw accounts for",
                order.number
            )));
        }
    }
    Ok(remaining)
}
