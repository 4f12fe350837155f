//! The directory cache of the SQL stores: the rows every command reads and almost none writes
//! (organizations, users, admin grants, products), kept per process and tenant, and trusted
//! only at the tenant's directory version (docs/decisions.md §41).
//!
//! Every transaction that writes one of those rows also increments `tenants.directory_version`
//! in the same transaction; a transaction uses the cache only at the version it read with the
//! tenant (under the write lock, or in its read snapshot), so a change made by any process is
//! seen by the next transaction of every other. Values read by a transaction that has itself
//! written the directory are neither taken from nor put in the cache.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::hierarchy::{Organization, User};
use crate::ids::{OrgId, ProductId, TenantId, UserId};
use crate::product::Product;

/// At most this many values per tenant; a full tenant starts afresh.
const MAX_PER_TENANT: usize = 4096;

/// At most this many tenants; a full cache starts afresh.
const MAX_TENANTS: usize = 1024;

/// What is cached: a directory lookup of the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// [`crate::Tx::org`].
    Org(OrgId),
    /// [`crate::Tx::user`].
    User(UserId),
    /// [`crate::Tx::admin_orgs`].
    AdminOrgs(UserId),
    /// [`crate::Tx::org_admins`].
    OrgAdmins(OrgId),
    /// [`crate::Tx::product`].
    Product(ProductId),
}

/// A cached answer (absent rows included: a row added later changes the version).
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Org(Option<Organization>),
    User(Option<User>),
    Orgs(Vec<OrgId>),
    Users(Vec<UserId>),
    Product(Option<Product>),
}

#[derive(Default)]
struct Tenant {
    version: i64,
    values: HashMap<Key, Value>,
}

/// The cache, shared by every connection of one store.
#[derive(Default)]
pub(crate) struct Directory {
    tenants: Mutex<HashMap<TenantId, Tenant>>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory").finish_non_exhaustive()
    }
}

impl Directory {
    fn lock(&self) -> MutexGuard<'_, HashMap<TenantId, Tenant>> {
        // A panic while holding this lock cannot leave a value half-written (each is one
        // insert): the map is still good.
        self.tenants
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cached answer to `key` at `version`, if any.
    pub(crate) fn get(&self, tenant: TenantId, version: i64, key: Key) -> Option<Value> {
        let tenants = self.lock();
        let t = tenants.get(&tenant).filter(|t| t.version == version)?;
        t.values.get(&key).cloned()
    }

    /// Keeps the answer to `key` read at `version`: a newer version drops the older one's
    /// values; an answer read at an older version than the cache holds is not kept.
    pub(crate) fn put(&self, tenant: TenantId, version: i64, key: Key, value: Value) {
        let mut tenants = self.lock();
        if tenants.len() >= MAX_TENANTS && !tenants.contains_key(&tenant) {
            tenants.clear();
        }
        let t = tenants.entry(tenant).or_default();
        if version < t.version {
            return;
        }
        if t.version != version || t.values.len() >= MAX_PER_TENANT {
            t.values.clear();
            t.version = version;
        }
        t.values.insert(key, value);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key(n: u128) -> Key {
        Key::Org(OrgId::from_uuid(uuid::Uuid::from_u128(n)))
    }

    /// A value is served only at the version it was read at; an older reader's value never
    /// replaces a newer version's; a full tenant, or a full cache, starts afresh.
    #[test]
    fn values_are_served_at_their_version_only() {
        let d = Directory::default();
        let t = TenantId::from_uuid(uuid::Uuid::from_u128(1));
        d.put(t, 5, key(1), Value::Org(None));
        assert!(matches!(d.get(t, 5, key(1)), Some(Value::Org(None))));
        assert!(d.get(t, 6, key(1)).is_none(), "another version");
        d.put(t, 6, key(2), Value::Orgs(vec![]));
        assert!(d.get(t, 5, key(1)).is_none(), "version 6 dropped version 5");
        d.put(t, 5, key(3), Value::Orgs(vec![]));
        assert!(d.get(t, 5, key(3)).is_none(), "an older reader is not kept");
        assert!(d.get(t, 6, key(3)).is_none());
        for n in 0..MAX_PER_TENANT as u128 + 1 {
            d.put(t, 6, key(100 + n), Value::Org(None));
        }
        assert!(d.get(t, 6, key(2)).is_none(), "a full tenant starts afresh");
        for n in 0..MAX_TENANTS as u128 {
            d.put(
                TenantId::from_uuid(uuid::Uuid::from_u128(10_000 + n)),
                0,
                key(1),
                Value::Org(None),
            );
        }
        assert!(
            d.get(t, 6, key(100 + MAX_PER_TENANT as u128)).is_none(),
            "a full cache starts afresh"
        );
    }
}
