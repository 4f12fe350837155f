//! The one conversion from the core's `Error` into the error Swift sees: `InventoryError`, an
//! `enum … : Error` whose cases carry the core's structured fields as associated values.

use license_inventory as core;

use crate::types::{OrderStatus, UserId};

/// What kind of thing was looked up (in [`InventoryError::NotFound`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Entity {
    /// A tenant.
    Tenant,
    /// An organization of the channel tree.
    Organization,
    /// A user.
    User,
    /// A product (inventory type).
    Product,
    /// An order (inventory lot).
    Order,
    /// A kind of thing this binding does not know yet (a newer core); `name` is its core name.
    Other {
        /// The core's name for it.
        name: String,
    },
}

impl From<core::Entity> for Entity {
    fn from(e: core::Entity) -> Self {
        match e {
            core::Entity::Tenant => Entity::Tenant,
            core::Entity::Organization => Entity::Organization,
            core::Entity::User => Entity::User,
            core::Entity::Product => Entity::Product,
            core::Entity::Order => Entity::Order,
            other => Entity::Other {
                name: other.as_str().to_owned(),
            },
        }
    }
}

/// An action a user attempts; named in permission and state errors.
#[derive(Clone, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Action {
    /// Mint new stock at the vendor.
    Mint,
    /// Request inventory from the parent organization.
    Request,
    /// Edit a pending request.
    EditRequest,
    /// Cancel (withdraw) a pending request.
    Cancel,
    /// Approve a request addressed to one's organization.
    Approve,
    /// Reject a request addressed to one's organization.
    Reject,
    /// Assign (push) inventory to a child organization.
    Assign,
    /// Read an organization's inventory or an order.
    View,
    /// An action this binding does not know yet (a newer core); `name` is its core name.
    Other {
        /// The core's name for it (snake case).
        name: String,
    },
}

impl From<core::Action> for Action {
    fn from(a: core::Action) -> Self {
        match a {
            core::Action::Mint => Action::Mint,
            core::Action::Request => Action::Request,
            core::Action::EditRequest => Action::EditRequest,
            core::Action::Cancel => Action::Cancel,
            core::Action::Approve => Action::Approve,
            core::Action::Reject => Action::Reject,
            core::Action::Assign => Action::Assign,
            core::Action::View => Action::View,
            other => Action::Other {
                name: other.as_str().to_owned(),
            },
        }
    }
}

/// Everything that can go wrong, as Swift sees it: `InventoryError`, thrown by every call.
///
/// One case per variant of the core's error, with the same fields; `description` is the core's
/// message. When a call throws, nothing was changed.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum InventoryError {
    /// A field of the input is malformed, empty, too long or out of range.
    #[error("{message}")]
    InvalidInput {
        /// The offending field, e.g. `quantity` or `email`.
        field: String,
        /// Why it was refused.
        reason: String,
        /// The core's message.
        message: String,
    },
    /// No such thing exists in this tenant (ids of another tenant are never visible).
    #[error("{message}")]
    NotFound {
        /// What was looked up.
        entity: Entity,
        /// The id or number that was looked up.
        id: String,
        /// The core's message.
        message: String,
    },
    /// The acting user may not perform the action.
    #[error("{message}")]
    PermissionDenied {
        /// The action that was refused.
        action: Action,
        /// The user who attempted it.
        actor: UserId,
        /// Why it was refused.
        reason: String,
        /// The core's message.
        message: String,
    },
    /// The source organization holds fewer available units than asked for; nothing was drawn.
    #[error("{message}")]
    InsufficientInventory {
        /// Units available at the source.
        available: u64,
        /// Units that were asked for.
        requested: u64,
        /// The core's message.
        message: String,
    },
    /// The order's status forbids the action (e.g. editing an approved order).
    #[error("{message}")]
    InvalidState {
        /// The order's number.
        order: u64,
        /// Its current status.
        status: OrderStatus,
        /// The refused action.
        action: Action,
        /// The core's message.
        message: String,
    },
    /// The channel tree's rules were broken (tier, cycle, deactivated organization, …).
    #[error("{message}")]
    Hierarchy {
        /// Which rule, and for which organizations.
        reason: String,
        /// The core's message.
        message: String,
    },
    /// Something unique already exists (a user's email, a product code).
    #[error("{message}")]
    Conflict {
        /// What collided.
        what: String,
        /// The core's message.
        message: String,
    },
    /// The database's schema version is not the one this build knows.
    #[error("{message}")]
    SchemaMismatch {
        /// The version found in the database.
        found: i64,
        /// The version this build writes.
        supported: i64,
        /// What to do.
        hint: String,
        /// The core's message.
        message: String,
    },
    /// A conservation or consistency invariant would break (a bug or a tampered store); nothing
    /// was changed.
    #[error("{message}")]
    InvariantViolated {
        /// The core's message.
        message: String,
    },
    /// The storage backend failed (I/O, locking, corrupt row); the transaction was rolled back.
    #[error("{message}")]
    Storage {
        /// The core's message, with its source.
        message: String,
    },
    /// An error this binding does not know yet (a newer core).
    #[error("{message}")]
    Other {
        /// The core's stable code (`INVALID_INPUT`, …).
        code: String,
        /// The core's message.
        message: String,
    },
}

#[uniffi::export]
impl InventoryError {
    /// The core's stable, language-neutral code of this error (`INSUFFICIENT_INVENTORY`,
    /// `PERMISSION_DENIED`, …), the same in every binding.
    pub fn code(&self) -> String {
        match self {
            InventoryError::InvalidInput { .. } => "INVALID_INPUT".into(),
            InventoryError::NotFound { .. } => "NOT_FOUND".into(),
            InventoryError::PermissionDenied { .. } => "PERMISSION_DENIED".into(),
            InventoryError::InsufficientInventory { .. } => "INSUFFICIENT_INVENTORY".into(),
            InventoryError::InvalidState { .. } => "INVALID_STATE".into(),
            InventoryError::Hierarchy { .. } => "HIERARCHY_VIOLATION".into(),
            InventoryError::Conflict { .. } => "CONFLICT".into(),
            InventoryError::SchemaMismatch { .. } => "SCHEMA_MISMATCH".into(),
            InventoryError::InvariantViolated { .. } => "INVARIANT_VIOLATED".into(),
            InventoryError::Storage { .. } => "STORAGE".into(),
            InventoryError::Other { code, .. } => code.clone(),
        }
    }
}

impl From<core::Error> for InventoryError {
    fn from(e: core::Error) -> Self {
        let message = e.to_string();
        match e {
            core::Error::InvalidInput { field, reason } => InventoryError::InvalidInput {
                field: field.to_owned(),
                reason,
                message,
            },
            core::Error::NotFound { entity, id } => InventoryError::NotFound {
                entity: entity.into(),
                id,
                message,
            },
            core::Error::PermissionDenied {
                action,
                actor,
                reason,
            } => InventoryError::PermissionDenied {
                action: action.into(),
                actor: actor.into(),
                reason,
                message,
            },
            core::Error::InsufficientInventory {
                available,
                requested,
            } => InventoryError::InsufficientInventory {
                available,
                requested,
                message,
            },
            core::Error::InvalidState {
                order,
                status,
                action,
            } => InventoryError::InvalidState {
                order: order.get(),
                status: status.into(),
                action: action.into(),
                message,
            },
            core::Error::Hierarchy { reason } => InventoryError::Hierarchy { reason, message },
            core::Error::Conflict { what } => InventoryError::Conflict { what, message },
            core::Error::SchemaMismatch {
                found,
                supported,
                hint,
            } => InventoryError::SchemaMismatch {
                found,
                supported,
                hint: hint.to_owned(),
                message,
            },
            core::Error::InvariantViolated(_) => InventoryError::InvariantViolated { message },
            core::Error::Storage(_) => InventoryError::Storage { message },
            other => InventoryError::Other {
                code: other.code().to_owned(),
                message,
            },
        }
    }
}

/// The result of every fallible call of this binding.
pub type Result<T, E = InventoryError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every core variant converts to the case with the same code and the core's message.
    #[test]
    fn conversion_keeps_code_and_message() {
        let errors = vec![
            core::Error::InvalidInput {
                field: "quantity",
                reason: "must be at least 1".into(),
            },
            core::Error::NotFound {
                entity: core::Entity::Order,
                id: "1210".into(),
            },
            core::Error::PermissionDenied {
                action: core::Action::Approve,
                actor: core::UserId::new(),
                reason: "not an admin".into(),
            },
            core::Error::InsufficientInventory {
                available: 1,
                requested: 2,
            },
            core::Error::InvalidState {
                order: core::OrderNumber(1213),
                status: core::OrderStatus::Active,
                action: core::Action::EditRequest,
            },
            core::Error::Hierarchy {
                reason: "tier".into(),
            },
            core::Error::Conflict {
                what: "a product with code CL".into(),
            },
            core::Error::SchemaMismatch {
                found: 9,
                supported: 1,
                hint: "upgrade",
            },
            core::Error::InvariantViolated("broken".into()),
            core::Error::Storage(core::StorageError::Poisoned),
        ];
        for e in errors {
            let (code, message) = (e.code(), e.to_string());
            let converted = InventoryError::from(e);
            assert_eq!(converted.code(), code);
            assert_eq!(converted.to_string(), message);
            assert!(
                !matches!(converted, InventoryError::Other { .. }),
                "{converted:?}"
            );
        }
    }

    #[test]
    fn structured_fields_survive() {
        let actor = core::UserId::new();
        let converted = InventoryError::from(core::Error::PermissionDenied {
            action: core::Action::View,
            actor,
            reason: "other branch".into(),
        });
        match converted {
            InventoryError::PermissionDenied {
                action,
                actor: who,
                reason,
                ..
            } => {
                assert_eq!(action, Action::View);
                assert_eq!(who, UserId::from(actor));
                assert_eq!(reason, "other branch");
            }
            other => unreachable!("{other:?}"),
        }
    }
}
