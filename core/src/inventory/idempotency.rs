//! Idempotent commands (docs/rules.md §11): a write made through a handle carrying an idempotency
//! key ([`Inventory::with_idempotency_key`], [`Session::with_idempotency_key`]) records its key,
//! the command's fingerprint and its result in the command's own transaction. Repeating the command
//! with the same key returns the recorded result and changes nothing; the same key with a different
//! command is a [`Error::Conflict`]. A command that fails records nothing, so it can be retried
//! with its key.
//!
//! Secrets stay out of the records (docs/decisions.md §34): a command's password is part of its
//! fingerprint only as an HMAC-SHA256 keyed with the tenant's own random secret, so the same
//! key with another password is a [`Error::Conflict`] while the record cannot be used to guess
//! the password; license keys are left out of recorded results and read back from the
//! licenses when a command is repeated.

use std::fmt::Debug;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Action, Error, Result};
use crate::idempotency::IdempotencyRecord;
use crate::ids::{LicenseId, TenantId};
use crate::inventory::rules::{get_license, lock_tenant};
use crate::inventory::{Inventory, Session};
use crate::store::Tx;

/// The longest idempotency key accepted, in characters.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;

fn check_key(key: &str) -> Result<Arc<str>> {
    let n = key.chars().count();
    if n == 0 || n > MAX_IDEMPOTENCY_KEY {
        return Err(Error::invalid(
            "idempotency key",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY} characters, got {n}"),
        ));
    }
    if key.chars().any(char::is_control) {
        return Err(Error::invalid(
            "idempotency key",
            "must not contain control characters",
        ));
    }
    Ok(Arc::from(key))
}

impl Inventory {
    /// The same inventory, whose next write command is idempotent under `key` (1 to
    /// [`MAX_IDEMPOTENCY_KEY`] characters, unique per tenant, chosen by the caller: a UUID,
    /// or a request id). Running a command through it twice returns the first result and
    /// changes nothing the second time; using the key for a different command is a
    /// [`Error::Conflict`]. Covers the tenant-scoped writes (provisioning within a tenant,
    /// policies, bundles, activation, redemption, notifications); `create_tenant` is not keyed.
    pub fn with_idempotency_key(&self, key: &str) -> Result<Inventory> {
        let mut inv = self.clone();
        inv.idempotency_key = Some(check_key(key)?);
        Ok(inv)
    }

    /// Forgets the idempotency keys of `tenant` recorded before `before` and returns how many
    /// (docs/rules.md §11). A key is kept until pruned; once it is, a retry with it runs the
    /// command again, so prune only keys older than any retry a client may still make (a day,
    /// say, for clients that retry for minutes). Nothing else changes and nothing is recorded
    /// in the ledger (idempotency records are bookkeeping, not inventory).
    ///
    /// ```
    /// use license_inventory::*;
    /// # fn main() -> Result<()> {
    /// let inv = Inventory::in_memory();
    /// let t = inv.create_tenant(NewTenant { name: "T".into(), plan: Plan::Standard, vendor_name: "V".into(), first_order_number: None })?;
    /// inv.with_idempotency_key("user-1")?.create_user(t.id, NewUser { name: "Vera".into(), email: "vera@example.com".into() })?;
    /// let tomorrow = chrono::Utc::now() + chrono::TimeDelta::days(1);
    /// assert_eq!(inv.prune_idempotency_keys(t.id, tomorrow)?, 1);
    /// # Ok(()) }
    /// ```
    pub fn prune_idempotency_keys(&self, tenant: TenantId, before: DateTime<Utc>) -> Result<u64> {
        self.by_host(Action::PruneIdempotencyKeys, || {
            let before = crate::time::storable("before", before)?;
            self.write(Some(tenant), |tx, _| {
                crate::inventory::rules::lock_tenant(tx, tenant)?;
                tx.prune_idempotency(tenant, before)
            })
        })
    }

    /// Runs a write command: plainly, or, when this handle carries an idempotency key, at most
    /// once per key (see the module's documentation). `args` identify the command's input
    /// (their `Debug` form is hashed; never pass a password: use [`Self::command_with_secret`]).
    pub(crate) fn command<T: Serialize + DeserializeOwned>(
        &self,
        tenant: TenantId,
        name: &'static str,
        args: &dyn Debug,
        work: impl FnMut(&mut dyn Tx, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        self.command_with_secret(tenant, name, args, None, work)
    }

    /// [`Self::command`] for a command that takes a password (`secret`): under an idempotency
    /// key the password is fingerprinted with HMAC-SHA256 keyed by the tenant's secret, so a
    /// retry with another password is a [`Error::Conflict`].
    pub(crate) fn command_with_secret<T: Serialize + DeserializeOwned>(
        &self,
        tenant: TenantId,
        name: &'static str,
        args: &dyn Debug,
        secret: Option<&str>,
        mut work: impl FnMut(&mut dyn Tx, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let Some(key) = self.idempotency_key.clone() else {
            return self.write(Some(tenant), work);
        };
        let plain = format!("{name}\n{args:?}");
        self.write(Some(tenant), |tx, now| {
            // Serialise with every writer of the tenant before looking the key up, so two
            // concurrent retries cannot both run.
            lock_tenant(tx, tenant)?;
            let fingerprint = match secret {
                None => hex(&Sha256::digest(plain.as_bytes())),
                Some(secret) => {
                    let mac = keyed_hash(&tenant_secret(tx, tenant)?, secret)?;
                    hex(&Sha256::digest(format!("{plain}\n{mac}").as_bytes()))
                }
            };
            if let Some(done) = tx.idempotency(tenant, &key)? {
                if done.fingerprint != fingerprint {
                    let used = if done.command == name {
                        format!("{name} with other arguments or by another user")
                    } else {
                        format!("{}, not {name}", done.command)
                    };
                    return Err(Error::Conflict {
                        attempt: None,
                        what: format!(
                            "idempotency key '{key}' (used for {used}; choose a new key for a \
                             new command)"
                        ),
                    });
                }
                let what = || format!("the recorded result of idempotency key '{key}'");
                let mut recorded: Value =
                    serde_json::from_str(&done.result).map_err(|source| Error::Json {
                        what: what(),
                        source,
                    })?;
                restore_license_keys(tx, tenant, &key, &mut recorded)?;
                return serde_json::from_value(recorded).map_err(|source| Error::Json {
                    what: what(),
                    source,
                });
            }
            let out = work(tx, now)?;
            let json = |source| Error::Json {
                what: format!("the result of command {name}"),
                source,
            };
            let mut recorded = serde_json::to_value(&out).map_err(json)?;
            strip_license_keys(&mut recorded);
            let result = serde_json::to_string(&recorded).map_err(json)?;
            tx.insert_idempotency(&IdempotencyRecord {
                tenant,
                key: key.to_string(),
                command: name.to_owned(),
                fingerprint: fingerprint.clone(),
                result,
                at: now,
            })?;
            Ok(out)
        })
    }
}

/// The tenant's secret for [`keyed_hash`]: 32 bytes from the operating system's CSPRNG, made
/// the first time a keyed command of the tenant carries a password (in that command's
/// transaction, after the tenant's lock, so two commands cannot both make one).
fn tenant_secret(tx: &mut dyn Tx, tenant: TenantId) -> Result<String> {
    if let Some(secret) = tx.idempotency_secret(tenant)? {
        return Ok(secret);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(Error::Randomness)?;
    let secret = hex(&bytes);
    tx.insert_idempotency_secret(tenant, &secret)?;
    Ok(secret)
}

/// HMAC-SHA256 of `secret` keyed by the tenant's secret (hex), as hex.
fn keyed_hash(tenant_secret: &str, secret: &str) -> Result<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(tenant_secret.as_bytes())
        .map_err(|e| Error::InvariantViolated(format!("HMAC key refused: {e}")))?;
    mac.update(secret.as_bytes());
    Ok(hex(&mac.finalize().into_bytes()))
}

/// True for the JSON of a [`License`](crate::License): the only record with both `key` and
/// `is_code`.
fn is_license(object: &serde_json::Map<String, Value>) -> bool {
    object.contains_key("key") && object.get("is_code").is_some_and(Value::is_boolean)
}

/// Blanks (`null`) the key of every license in a result about to be recorded.
fn strip_license_keys(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(strip_license_keys),
        Value::Object(object) => {
            if is_license(object) {
                object.insert("key".to_owned(), Value::Null);
            }
            object.values_mut().for_each(strip_license_keys);
        }
        _ => {}
    }
}

/// Puts back the key of every license of a recorded result, read from the license itself.
/// A license deleted since is a [`Error::Conflict`]: the result cannot be given again whole.
fn restore_license_keys(
    tx: &mut dyn Tx,
    tenant: TenantId,
    idempotency_key: &str,
    value: &mut Value,
) -> Result<()> {
    match value {
        Value::Array(items) => {
            for item in items {
                restore_license_keys(tx, tenant, idempotency_key, item)?;
            }
        }
        Value::Object(object) => {
            if is_license(object) && object.get("key").is_some_and(Value::is_null) {
                let id: LicenseId = object
                    .get("id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        Error::InvariantViolated(format!(
                            "the recorded result of idempotency key '{idempotency_key}' holds \
                             a license without an id"
                        ))
                    })?
                    .parse()?;
                let license = get_license(tx, tenant, id).map_err(|e| match e {
                    Error::NotFound { .. } => Error::Conflict {
                        attempt: None,
                        what: format!(
                            "idempotency key '{idempotency_key}' (its command's license {id} \
                             was deleted since, so its result cannot be repeated; choose a new \
                             key)"
                        ),
                    },
                    other => other,
                })?;
                object.insert("key".to_owned(), Value::String(license.key.to_string()));
            }
            for v in object.values_mut() {
                restore_license_keys(tx, tenant, idempotency_key, v)?;
            }
        }
        _ => {}
    }
    Ok(())
}

impl Session {
    /// The same session, whose write commands are idempotent under `key`: see
    /// [`Inventory::with_idempotency_key`]. Use one key per command.
    ///
    /// ```
    /// # use license_inventory::*;
    /// # fn main() -> Result<()> {
    /// # let inv = Inventory::in_memory();
    /// # let t = inv.create_tenant(NewTenant { name: "T".into(), plan: Plan::Standard, vendor_name: "V".into(), first_order_number: None })?;
    /// # let vera = inv.create_user(t.id, NewUser { name: "Vera".into(), email: "vera@example.com".into() })?;
    /// # inv.grant_admin(t.id, vera.id, t.vendor)?;
    /// # let cl = inv.create_product(t.id, NewProduct { code: "CL".into(), name: "Center License".into(), kind: ProductKind::License })?;
    /// let s = inv.session(t.id, vera.id)?;
    /// let order = s.mint(NewMint::new(cl.id, 10))?;
    /// let once = s.with_idempotency_key("issue-7f3a")?;
    /// let first = once.issue(order.id, 3)?;
    /// let again = once.issue(order.id, 3)?;          // a retry: the same keys, nothing issued
    /// assert_eq!(first, again);
    /// assert_eq!(s.order(order.id)?.order.issued, 3);
    /// assert_eq!(once.issue(order.id, 4).unwrap_err().code(), "CONFLICT");
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_idempotency_key(&self, key: &str) -> Result<Session> {
        Ok(Session {
            inv: self.inv.with_idempotency_key(key)?,
            tenant: self.tenant,
            user: self.user,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
