//! Licenses and activation codes: issuing them, what end users do with a key (activate,
//! deactivate, redeem, check), and what admins and managers do to one (reset, disable, borrow,
//! revoke).
//!
//! Rules: docs/rules.md §7.

use chrono::{DateTime, Utc};

use crate::checked::{Checked, negative, plus_days, plus_seconds};
use crate::error::{Action, Error, Result};
use crate::ids::{LicenseId, OrderId, TenantId};
use crate::input::{self, MAX_NAME, signed};
use crate::inventory::rules::*;
use crate::inventory::rules::{get_license, shift};
use crate::inventory::{Inventory, Session};
use crate::keys::{KeyQuery, LicenseKey};
use crate::ledger::LedgerKind;
use crate::license::{Borrow, License, LicenseStatus, Validity};
use crate::order::Order;
use crate::permission::Permission;
use crate::product::ProductKind;
use crate::store::Tx;

/// The most licenses one call may issue.
pub const MAX_ISSUE: u64 = 1_000_000;

/// Licenses made and stored at a time by an issue.
pub const ISSUE_CHUNK: usize = 10_000;

/// What [`Session::issue_in_bulk`] did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Issued {
    /// The order, after the issue.
    pub order: Order,
    /// Licenses issued.
    pub count: u64,
    /// The id of the first license issued (the smallest).
    pub first: LicenseId,
    /// The id of the last (the largest).
    pub last: LicenseId,
}

fn unusable(license: &License, reason: impl Into<String>) -> Error {
    Error::LicenseUnusable {
        attempt: None,
        key: license.key.redacted(),
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

impl Inventory {
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
        self.by_host(Action::Activate, || {
            let key = KeyQuery::parse(key)?;
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
                            attempt: None,
                            max: l.policy.max_activations,
                        });
                    }
                    l.record_activation(fingerprint.clone(), device_name.clone(), now)?;
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
        })
    }

    /// An end user deactivates a license on one of its devices, with the key alone.
    pub fn deactivate(&self, tenant: TenantId, key: &str, fingerprint: &str) -> Result<License> {
        self.by_host(Action::Deactivate, || {
            let key = KeyQuery::parse(key)?;
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
        })
    }

    /// An end user redeems an activation code, once; `redeemed_by` names who (an email or a
    /// device). A second redemption is refused.
    pub fn redeem(&self, tenant: TenantId, code: &str, redeemed_by: &str) -> Result<License> {
        self.by_host(Action::Redeem, || {
            let key = KeyQuery::parse(code)?;
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
                l.record_activation(by.clone(), by.clone(), now)?;
                tx.update_license(&l)?;
                append(
                    tx,
                    tenant,
                    now,
                    draft(None, LedgerKind::CodeRedeemed).license(&l),
                )?;
                Ok(l)
            })
        })
    }

    /// Checks a key as an application would at start-up: the license, if it exists and is
    /// neither disabled nor expired.
    pub fn check_license(&self, tenant: TenantId, key: &str) -> Result<License> {
        self.by_host(Action::View, || {
            let key = KeyQuery::parse(key)?;
            let now = self.now();
            self.read(|tx| {
                get_tenant(tx, tenant)?;
                let l = license_by_key(tx, tenant, &key)?;
                require_usable(&l, now)?;
                Ok(l)
            })
        })
    }
}

fn license_by_key(tx: &mut dyn Tx, tenant: TenantId, key: &KeyQuery) -> Result<License> {
    tx.license_by_key(tenant, &key.key)?
        .ok_or_else(|| key.missing())
}

/// A change of one license that needs nothing but the license (and, for a device reset, the
/// device): the rule it follows and what it does.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LicenseChange<'a> {
    /// [`Session::reset_device`].
    ResetDevice(&'a str),
    /// [`Session::reset_license`].
    ResetLicense,
    /// [`Session::disable`].
    Disable,
    /// [`Session::enable`].
    Enable,
    /// [`Session::borrow`].
    Borrow {
        /// Who borrows.
        borrower: &'a str,
        /// For how long.
        seconds: u32,
    },
    /// [`Session::return_borrow`].
    ReturnBorrow(&'a str),
}

impl LicenseChange<'_> {
    /// The permission a manager needs (`None`: admins of the holder only), the action refusals
    /// name, and the ledger entry's kind.
    fn rule(&self) -> (Option<Permission>, Action, LedgerKind) {
        match self {
            LicenseChange::ResetDevice(_) => (
                Some(Permission::ResetDevice),
                Action::ResetDevice,
                LedgerKind::DeviceReset,
            ),
            LicenseChange::ResetLicense => (
                Some(Permission::ResetLicense),
                Action::ResetLicense,
                LedgerKind::LicenseReset,
            ),
            LicenseChange::Disable => (None, Action::Disable, LedgerKind::LicenseDisabled),
            LicenseChange::Enable => (None, Action::Enable, LedgerKind::LicenseEnabled),
            LicenseChange::Borrow { .. } => (
                Some(Permission::BorrowLicense),
                Action::Borrow,
                LedgerKind::LicenseBorrowed,
            ),
            LicenseChange::ReturnBorrow(_) => (
                Some(Permission::BorrowLicense),
                Action::Borrow,
                LedgerKind::BorrowReturned,
            ),
        }
    }

    /// The input checks made before any transaction.
    pub(crate) fn check(&self) -> Result<()> {
        if let LicenseChange::Borrow { borrower, seconds } = self {
            device_text("borrower", borrower)?;
            if *seconds == 0 {
                return Err(Error::invalid(
                    "seconds",
                    "a borrow lasts at least one second",
                ));
            }
        }
        Ok(())
    }

    /// The arguments that identify the command for an idempotency key (besides the license):
    /// the device for a reset, nothing (`()`) otherwise, as before this type existed.
    fn args(&self) -> &dyn std::fmt::Debug {
        match self {
            LicenseChange::ResetDevice(fingerprint) | LicenseChange::ReturnBorrow(fingerprint) => {
                fingerprint
            }
            _ => &(),
        }
    }

    fn apply(&self, l: &mut License, now: DateTime<Utc>) -> Result<()> {
        match self {
            LicenseChange::ResetDevice(fingerprint) => remove_device(l, fingerprint),
            LicenseChange::ResetLicense => {
                l.activations.clear();
                Ok(())
            }
            LicenseChange::Disable => {
                l.status = LicenseStatus::Disabled;
                Ok(())
            }
            LicenseChange::Enable => {
                l.status = if l.activated_at.is_some() {
                    LicenseStatus::Active
                } else {
                    LicenseStatus::Issued
                };
                Ok(())
            }
            LicenseChange::Borrow { borrower, seconds } => {
                let borrower = device_text("borrower", borrower)?;
                let seconds = *seconds;
                let Some(f) = l.policy.floating else {
                    return Err(unusable(l, "it is not a floating license"));
                };
                require_usable(l, now)?;
                if seconds > f.max_borrow_seconds {
                    return Err(Error::BorrowLimit {
                        attempt: None,
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
                        attempt: None,
                        reason: format!("{} borrows are open, the most allowed", f.max_borrows),
                    });
                }
                l.borrows.push(Borrow {
                    borrower,
                    at: now,
                    until: plus_seconds(now, seconds)?,
                });
                Ok(())
            }
            LicenseChange::ReturnBorrow(borrower) => {
                let before = l.borrows.len();
                l.borrows.retain(|b| b.borrower != *borrower);
                if l.borrows.len() == before {
                    return Err(Error::invalid(
                        "borrower",
                        format!("'{borrower}' has no open borrow of {}", l.key.redacted()),
                    ));
                }
                l.borrows.retain(|b| b.until > now);
                Ok(())
            }
        }
    }
}

/// Where an issue's keys come from.
#[derive(Clone, Copy)]
enum Keys<'a> {
    /// This many fresh random keys.
    Fresh(u64),
    /// These keys, brought from another system.
    Given(&'a [LicenseKey]),
}

/// Refuses keys that repeat within `keys` or that a license of the tenant already has
/// (`Conflict`, naming the key by its first symbols and its position).
fn require_new_keys(tx: &mut dyn Tx, tenant: TenantId, keys: &[LicenseKey]) -> Result<()> {
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        if !seen.insert(key) {
            return Err(Error::Conflict {
                attempt: None,
                what: format!(
                    "license key '{}' twice in this import (again at position {i}): nothing was imported",
                    key.redacted()
                ),
            });
        }
        if tx.license_by_key(tenant, key)?.is_some() {
            return Err(Error::Conflict {
                attempt: None,
                what: format!(
                    "a license with key '{}' (position {i} of the import): nothing was imported",
                    key.redacted()
                ),
            });
        }
    }
    Ok(())
}

fn remove_device(l: &mut License, fingerprint: &str) -> Result<()> {
    let before = l.activations.len();
    l.activations.retain(|a| a.fingerprint != fingerprint);
    if l.activations.len() == before {
        return Err(Error::invalid(
            "fingerprint",
            format!(
                "license {} is not activated on device '{fingerprint}'",
                l.key.redacted()
            ),
        ));
    }
    Ok(())
}

impl Session {
    /// Issues `quantity` licenses (or activation codes, for an activation-code product) from
    /// an order, consuming as many available units, all at once or not at all. Admins of the
    /// holder, or managers with `issue_license`.
    pub fn issue(&self, order: OrderId, quantity: u64) -> Result<Vec<License>> {
        self.by(Action::IssueLicense, || {
            self.inv.command(
                self.tenant,
                "issue",
                &(self.user, order, quantity),
                |tx, now| self.issue_in(tx, now, order, quantity),
            )
        })
    }

    /// [`Session::issue`] without holding the licenses: they are made and stored
    /// [`ISSUE_CHUNK`] at a time, so issuing a million keys takes the memory of one chunk.
    /// Returns the order and the range of the new licenses' ids (ids grow with time, so the
    /// new licenses are those of the order with ids from `first` to `last`): read them with
    /// [`Session::licenses`], or export them.
    pub fn issue_in_bulk(&self, order: OrderId, quantity: u64) -> Result<Issued> {
        self.by(Action::IssueLicense, || {
            self.inv.command(
                self.tenant,
                "issue_in_bulk",
                &(self.user, order, quantity),
                |tx, now| self.issue_in_bulk_in(tx, now, order, quantity),
            )
        })
    }

    pub(crate) fn issue_in_bulk_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        quantity: u64,
    ) -> Result<Issued> {
        let mut range: Option<(LicenseId, LicenseId)> = None;
        let order = self.issue_with(tx, now, order, Keys::Fresh(quantity), &mut |chunk| {
            if let (Some(first), Some(last)) = (chunk.first(), chunk.last()) {
                range = Some((range.map_or(first.id, |(f, _)| f), last.id));
            }
        })?;
        let (first, last) =
            range.ok_or_else(|| Error::InvariantViolated("an issue made no license".into()))?;
        Ok(Issued {
            order,
            count: quantity,
            first,
            last,
        })
    }

    pub(crate) fn issue_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        quantity: u64,
    ) -> Result<Vec<License>> {
        let mut all = Vec::new();
        self.issue_with(tx, now, order, Keys::Fresh(quantity), &mut |chunk| {
            all.extend_from_slice(chunk);
        })?;
        Ok(all)
    }

    /// Adds licenses with the given `keys` (already checked: [`LicenseKey::imported`]) to
    /// `order`, like an issue of as many: see [`Session::import_licenses`].
    pub(crate) fn import_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        keys: &[LicenseKey],
    ) -> Result<Vec<License>> {
        let mut all = Vec::new();
        self.issue_with(tx, now, order, Keys::Given(keys), &mut |chunk| {
            all.extend_from_slice(chunk);
        })?;
        Ok(all)
    }

    /// Issues licenses of `order` with `keys` (fresh, or given), stored and handed to `each`
    /// [`ISSUE_CHUNK`] at a time; returns the order as updated.
    fn issue_with(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        order: OrderId,
        keys: Keys<'_>,
        each: &mut dyn FnMut(&[License]),
    ) -> Result<Order> {
        let (quantity, field) = match keys {
            Keys::Fresh(q) => (q, "quantity"),
            Keys::Given(k) => (u64::try_from(k.len()).unwrap_or(u64::MAX), "license keys"),
        };
        if quantity == 0 || quantity > MAX_ISSUE {
            return Err(Error::invalid(
                field,
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
                attempt: None,
                order: o.number,
                status: o.status,
                action: Action::IssueLicense,
            });
        }
        if let Keys::Given(given) = keys {
            require_new_keys(tx, self.tenant, given)?;
        }
        if o.available < quantity {
            return Err(Error::InsufficientInventory {
                attempt: None,
                available: o.available,
                requested: quantity,
            });
        }
        let product = get_product(tx, self.tenant, o.product)?;
        let expires_at = match product.policy.validity {
            Validity::DaysFromIssue(d) => Some(plus_days(now, d)?),
            _ => None,
        };
        let imported = matches!(keys, Keys::Given(_));
        let make = |key| License {
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
            imported,
        };
        let mut done = 0usize;
        while done < count {
            let n = count.saturating_sub(done).min(ISSUE_CHUNK);
            let keys = match keys {
                Keys::Fresh(_) => LicenseKey::generate(n)?,
                Keys::Given(given) => given
                    .get(done..done.saturating_add(n))
                    .ok_or_else(crate::checked::overflow)?
                    .to_vec(),
            };
            let chunk: Vec<License> = keys.into_iter().map(make).collect();
            tx.insert_licenses(&chunk)?;
            each(&chunk);
            done = done.saturating_add(n);
        }
        o.available = o.available.minus(quantity)?;
        o.issued = o.issued.plus(quantity)?;
        o.settle_status();
        o.updated_at = now;
        o.check_invariants()?;
        tx.update_order(&o)?;
        let q = signed(quantity)?;
        let kind = if imported {
            LedgerKind::LicensesImported
        } else {
            LedgerKind::LicensesIssued
        };
        let mut entry = draft(Some(self.user), kind).order(&o);
        entry.movements.push(shift(&o, q, negative(quantity)?));
        append(tx, self.tenant, now, entry)?;
        Ok(o)
    }

    /// Up to `limit` licenses of an order, by id, after `after` (pass the last id of a page for
    /// the next one).
    pub fn licenses(
        &self,
        order: OrderId,
        after: Option<LicenseId>,
        limit: usize,
    ) -> Result<Vec<License>> {
        self.by(Action::View, || {
            let limit = page_limit(limit)?;
            self.inv.read(|tx| {
                let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
                let o = get_order(tx, self.tenant, order)?;
                actor.require_view_order(tx, &o)?;
                tx.licenses_of_order(self.tenant, o.id, after, limit)
            })
        })
    }

    /// A license by its key, if the actor may see its order.
    pub fn license(&self, key: &str) -> Result<License> {
        self.by(Action::View, || {
            let key = KeyQuery::parse(key)?;
            self.inv.read(|tx| {
                let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
                let l = license_by_key(tx, self.tenant, &key)?;
                let o = get_order(tx, self.tenant, l.order)?;
                actor.require_view_order(tx, &o)?;
                Ok(l)
            })
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
            |tx, now| self.change_license_in(tx, now, license, permission, action, kind, change),
        )
    }

    /// [`Self::change_license`] inside a transaction.
    #[allow(clippy::too_many_arguments)] // the rule of the change, spelled out by each caller
    fn change_license_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        license: LicenseId,
        permission: Option<Permission>,
        action: Action,
        kind: LedgerKind,
        change: &dyn Fn(&mut License, DateTime<Utc>) -> Result<()>,
    ) -> Result<License> {
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
    }

    /// Removes one device from a license. Admins of the holder, or managers with `reset_device`.
    pub fn reset_device(&self, license: LicenseId, fingerprint: &str) -> Result<License> {
        self.by(Action::ResetDevice, || {
            self.simple_change(license, &LicenseChange::ResetDevice(fingerprint))
        })
    }

    /// Removes every device from a license. Admins of the holder, or managers with
    /// `reset_license`.
    pub fn reset_license(&self, license: LicenseId) -> Result<License> {
        self.by(Action::ResetLicense, || {
            self.simple_change(license, &LicenseChange::ResetLicense)
        })
    }

    /// Disables a license: it can no longer be activated, redeemed or borrowed. Admins of the
    /// holder.
    pub fn disable(&self, license: LicenseId) -> Result<License> {
        self.by(Action::Disable, || {
            self.simple_change(license, &LicenseChange::Disable)
        })
    }

    /// Enables a disabled license again. Admins of the holder.
    pub fn enable(&self, license: LicenseId) -> Result<License> {
        self.by(Action::Enable, || {
            self.simple_change(license, &LicenseChange::Enable)
        })
    }

    /// One of the changes of [`LicenseChange`] as its own command.
    fn simple_change(&self, license: LicenseId, change: &LicenseChange<'_>) -> Result<License> {
        let (permission, action, kind) = change.rule();
        change.check()?;
        self.change_license(
            license,
            permission,
            action,
            kind,
            change.args(),
            &|l, now| change.apply(l, now),
        )
    }

    /// One of the changes of [`LicenseChange`] inside a transaction (a batch's command).
    pub(crate) fn simple_change_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        license: LicenseId,
        change: &LicenseChange<'_>,
    ) -> Result<License> {
        change.check()?;
        let (permission, action, kind) = change.rule();
        self.change_license_in(tx, now, license, permission, action, kind, &|l, now| {
            change.apply(l, now)
        })
    }

    /// Borrows a floating license for `borrower` for `seconds` (at most the policy's maximum;
    /// at most the policy's number of open borrows; a borrower's new borrow replaces its old).
    /// Admins of the holder, or managers with `borrow_license`.
    pub fn borrow(&self, license: LicenseId, borrower: &str, seconds: u32) -> Result<License> {
        self.by(Action::Borrow, || {
            let change = LicenseChange::Borrow { borrower, seconds };
            change.check()?;
            let borrower = device_text("borrower", borrower)?;
            let (permission, action, kind) = change.rule();
            self.change_license(
                license,
                permission,
                action,
                kind,
                &(&borrower, seconds),
                &|l, now| change.apply(l, now),
            )
        })
    }

    /// Returns `borrower`'s borrow of a floating license. Admins of the holder, or managers
    /// with `borrow_license`.
    pub fn return_borrow(&self, license: LicenseId, borrower: &str) -> Result<License> {
        self.by(Action::Borrow, || {
            self.simple_change(license, &LicenseChange::ReturnBorrow(borrower))
        })
    }

    /// Revokes an unused license (never activated, redeemed or borrowed): the license is gone
    /// and its unit returns to its order, which becomes active again if it was depleted.
    /// Admins of the holder.
    pub fn revoke(&self, license: LicenseId) -> Result<Order> {
        self.by(Action::Revoke, || {
            self.inv
                .command(self.tenant, "revoke", &(self.user, license), |tx, now| {
                    self.revoke_in(tx, now, license)
                })
        })
    }

    pub(crate) fn revoke_in(
        &self,
        tx: &mut dyn Tx,
        now: DateTime<Utc>,
        license: LicenseId,
    ) -> Result<Order> {
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
        o.issued = o.issued.minus(1)?;
        o.available = o.available.plus(1)?;
        o.settle_status();
        o.updated_at = now;
        o.check_invariants()?;
        tx.update_order(&o)?;
        let mut entry = draft(Some(self.user), LedgerKind::LicenseRevoked).order(&o);
        entry.movements.push(shift(&o, -1, 1));
        append(tx, self.tenant, now, entry)?;
        Ok(o)
    }
}
