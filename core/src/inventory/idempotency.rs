//! Idempotent commands (docs/rules.md §11): a write made through a handle carrying an idempotency
//! key ([`Inventory::with_idempotency_key`], [`Session::with_idempotency_key`]) records its key,
//! the command's fingerprint and its result in the command's own transaction. Repeating the command
//! with the same key returns the recorded result and changes nothing; the same key with a different
//! command is a [`Error::Conflict`]. A command that fails records nothing, so it can be retried
//! with its key.

use std::fmt::Debug;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::idempotency::IdempotencyRecord;
use crate::ids::TenantId;
use crate::inventory::rules::lock_tenant;
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

    /// Runs a write command: plainly, or, when this handle carries an idempotency key, at most
    /// once per key (see the module's documentation). `args` identify the command's input
    /// (their `Debug` form is hashed; never pass a password).
    pub(crate) fn command<T: Serialize + DeserializeOwned>(
        &self,
        tenant: TenantId,
        name: &'static str,
        args: &dyn Debug,
        mut work: impl FnMut(&mut dyn Tx, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let Some(key) = self.idempotency_key.clone() else {
            return self.write(work);
        };
        let fingerprint = hex(&Sha256::digest(format!("{name}\n{args:?}").as_bytes()));
        self.write(|tx, now| {
            // Serialise with every writer of the tenant before looking the key up, so two
            // concurrent retries cannot both run.
            lock_tenant(tx, tenant)?;
            if let Some(done) = tx.idempotency(tenant, &key)? {
                if done.fingerprint != fingerprint {
                    let used = if done.command == name {
                        format!("{name} with other arguments or by another user")
                    } else {
                        format!("{}, not {name}", done.command)
                    };
                    return Err(Error::Conflict {
                        what: format!(
                            "idempotency key '{key}' (used for {used}; choose a new key for a \
                             new command)"
                        ),
                    });
                }
                return serde_json::from_str(&done.result).map_err(|source| Error::Json {
                    what: format!("the recorded result of idempotency key '{key}'"),
                    source,
                });
            }
            let out = work(tx, now)?;
            let result = serde_json::to_string(&out).map_err(|source| Error::Json {
                what: format!("the result of command {name}"),
                source,
            })?;
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
