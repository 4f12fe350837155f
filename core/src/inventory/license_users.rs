//! License users of an order and their passwords.
//!
//! Rules: docs/rules.md §7.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};

use crate::error::{Action, Error, PasswordHashError, Result};
use crate::ids::{LicenseId, LicenseUserId, OrderId, TenantId};
use crate::input::{self, MAX_NAME, MAX_PAGE};
use crate::inventory::rules::*;
use crate::inventory::rules::{get_license, get_license_user};
use crate::inventory::{Inventory, Session};
use crate::ledger::LedgerKind;
use crate::license::{License, LicenseUser, NewLicenseUser};
use crate::order::Order;
use crate::permission::Permission;
use crate::store::Tx;

/// The shortest password a license user may have, in characters.
pub const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 256;

/// A new license user's email and name, checked.
fn checked_license_user(new: &NewLicenseUser) -> Result<(String, Option<String>)> {
    Ok((
        input::email(&new.email)?,
        input::text("name", new.name.as_deref(), MAX_NAME)?,
    ))
}

/// The Argon2id hash of a password given to a license user (checked for length first).
pub(crate) fn password_hash(password: &str) -> Result<String> {
    let n = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
        return Err(Error::invalid(
            "password",
            format!("must be {MIN_PASSWORD} to {MAX_PASSWORD} characters"),
        ));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(Error::Randomness)?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| Error::PasswordHashing(PasswordHashError(e)))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::PasswordHashing(PasswordHashError(e)))
}

impl Inventory {
    /// True when `password` is the license user's password (checked against its Argon2id hash).
    pub fn verify_license_user_password(
        &self,
        tenant: TenantId,
        user: LicenseUserId,
        password: &str,
    ) -> Result<bool> {
        self.by_host(Action::View, || {
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
        })
    }
}

impl Session {
    /// Adds a license user to an order. Admins of the holder, or managers with
    /// `manage_license_users` (and `manage_license_user_credentials` to set a password).
    pub fn add_license_user(&self, order: OrderId, new: NewLicenseUser) -> Result<LicenseUser> {
        self.by(Action::ManageLicenseUsers, || {
            let (email, name) = checked_license_user(&new)?;
            let hash = new.password.as_deref().map(password_hash).transpose()?;
            self.inv.command_with_secret(
                self.tenant,
                "add_license_user",
                &(self.user, order, &email, &name, hash.is_some()),
                new.password.as_deref(),
                |tx, now| self.add_license_user_in(tx, now, order, &new, hash.as_deref()),
            )
        })
    }

    /// [`Session::add_license_user`] inside a transaction, with the password already hashed
    /// (outside it: Argon2 takes time).
    pub(crate) fn add_license_user_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        new: &NewLicenseUser,
        hash: Option<&str>,
    ) -> Result<LicenseUser> {
        let (email, name) = checked_license_user(new)?;
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
                attempt: None,
                what: format!("a license user with email {email} in order {}", o.number),
            });
        }
        let u = LicenseUser {
            id: LicenseUserId::new(),
            tenant: self.tenant,
            order: o.id,
            email,
            name,
            has_password: hash.is_some(),
        };
        tx.insert_license_user(&u, hash)?;
        append(
            tx,
            self.tenant,
            now,
            draft(Some(self.user), LedgerKind::LicenseUserAdded).order(&o),
        )?;
        Ok(u)
    }

    /// Changes a license user's email and/or name. Admins of the holder, or managers with
    /// `manage_license_users`.
    pub fn edit_license_user(
        &self,
        user: LicenseUserId,
        email: Option<String>,
        name: Option<String>,
    ) -> Result<LicenseUser> {
        self.by(Action::ManageLicenseUsers, || {
            let (email_in, name_in) = (email, name);
            let email = email_in.as_deref().map(input::email).transpose()?;
            let name = name_in
                .as_deref()
                .map(|n| input::text("name", Some(n), MAX_NAME))
                .transpose()?;
            self.inv.command(
                self.tenant,
                "edit_license_user",
                &(self.user, user, &email, &name),
                |tx, now| {
                    self.edit_license_user_in(
                        tx,
                        now,
                        user,
                        email_in.as_deref(),
                        name_in.as_deref(),
                    )
                },
            )
        })
    }

    pub(crate) fn edit_license_user_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        user: LicenseUserId,
        email: Option<&str>,
        name: Option<&str>,
    ) -> Result<LicenseUser> {
        let email = email.map(input::email).transpose()?;
        let name = name
            .map(|n| input::text("name", Some(n), MAX_NAME))
            .transpose()?;
        let (mut u, o) = self.guarded_license_user(
            tx,
            user,
            Permission::ManageLicenseUsers,
            Action::ManageLicenseUsers,
        )?;
        if let Some(e) = &email {
            if *e != u.email && tx.license_user_by_email(self.tenant, o.id, e)?.is_some() {
                return Err(Error::Conflict {
                    attempt: None,
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
        self.by(Action::ManageLicenseUsers, || {
            self.inv.command(
                self.tenant,
                "delete_license_user",
                &(self.user, user),
                |tx, now| self.delete_license_user_in(tx, now, user),
            )
        })
    }

    pub(crate) fn delete_license_user_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        user: LicenseUserId,
    ) -> Result<()> {
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
    }

    /// Gives a license to a license user of the same order, or takes it back with `None`.
    /// Admins of the holder, or managers with `manage_license_users`.
    pub fn assign_license(
        &self,
        license: LicenseId,
        user: Option<LicenseUserId>,
    ) -> Result<License> {
        self.by(Action::ManageLicenseUsers, || {
            self.inv.command(
                self.tenant,
                "assign_license",
                &(self.user, license, user),
                |tx, now| self.assign_license_in(tx, now, license, user),
            )
        })
    }

    pub(crate) fn assign_license_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        license: LicenseId,
        user: Option<LicenseUserId>,
    ) -> Result<License> {
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
    }

    /// Sets a license user's password (kept only as an Argon2id hash). Admins of the holder, or
    /// managers with `manage_license_user_credentials`.
    pub fn set_license_user_password(&self, user: LicenseUserId, password: &str) -> Result<()> {
        self.by(Action::ManageLicenseUserCredentials, || {
            let hash = password_hash(password)?;
            self.inv.command_with_secret(
                self.tenant,
                "set_license_user_password",
                &(self.user, user),
                Some(password),
                |tx, now| self.set_license_user_password_in(tx, now, user, &hash),
            )
        })
    }

    /// [`Session::set_license_user_password`] inside a transaction, with the password already
    /// hashed.
    pub(crate) fn set_license_user_password_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        user: LicenseUserId,
        hash: &str,
    ) -> Result<()> {
        let (u, o) = self.guarded_license_user(
            tx,
            user,
            Permission::ManageLicenseUserCredentials,
            Action::ManageLicenseUserCredentials,
        )?;
        tx.set_license_user_password(self.tenant, u.id, hash)?;
        append(
            tx,
            self.tenant,
            now,
            draft(Some(self.user), LedgerKind::LicenseUserPasswordSet).order(&o),
        )?;
        Ok(())
    }

    /// The license users of an order.
    pub fn license_users(&self, order: OrderId) -> Result<Vec<LicenseUser>> {
        self.by(Action::View, || {
            self.inv.read(|tx| {
                let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
                let o = get_order(tx, self.tenant, order)?;
                actor.require_view_order(tx, &o)?;
                tx.license_users_of_order(self.tenant, o.id)
            })
        })
    }
}
