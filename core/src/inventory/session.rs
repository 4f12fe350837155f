//! The session: a user acting in one tenant. Its commands and reads live in the files of their
//! concepts (orders, licenses, views…).
//!
//! Rules: docs/rules.md §5.

use crate::error::{Action, Result};
use crate::ids::{TenantId, UserId};
use crate::inventory::Inventory;

/// A user acting on the inventory. Every call checks the user's roles (docs/rules.md §5).
#[derive(Clone, Debug)]
pub struct Session {
    pub(crate) inv: Inventory,
    pub(crate) tenant: TenantId,
    pub(crate) user: UserId,
}

impl Session {
    pub(crate) fn new(inv: Inventory, tenant: TenantId, user: UserId) -> Self {
        Session { inv, tenant, user }
    }

    /// The acting user.
    pub fn user(&self) -> UserId {
        self.user
    }

    /// The tenant.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// Runs `body` as this user's `action`: a refusal it returns names both (docs/rules.md §5).
    pub(crate) fn by<T>(&self, action: Action, body: impl FnOnce() -> Result<T>) -> Result<T> {
        body().map_err(|e| e.attempted(action, Some(self.user)))
    }
}
