//! The one conversion from the core's `Error` into the error Swift sees: `InventoryError`, an
//! `enum … : Error` whose cases carry the core's structured fields as associated values.

use license_inventory as core;

pub use crate::types::{Action, Entity};
use crate::types::{OrderStatus, Permission, UserId};

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
        /// The refused action (every refusal names it; see docs/decisions.md §50).
        action: Option<Action>,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
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
        /// The refused action (every refusal names it; see docs/decisions.md §50).
        action: Option<Action>,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
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
        /// The refused action (every refusal names it; see docs/decisions.md §50).
        action: Option<Action>,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
        /// The core's message.
        message: String,
    },
    /// The order's status forbids the action (e.g. editing an approved order).
    #[error("{message}")]
    InvalidState {
        /// The order's number (`orderNumber`: `order` is an id everywhere else).
        order_number: u64,
        /// Its current status.
        status: OrderStatus,
        /// The refused action.
        action: Action,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
        /// The core's message.
        message: String,
    },
    /// The channel tree's rules were broken (tier, cycle, deactivated organization, …).
    #[error("{message}")]
    Hierarchy {
        /// Which rule, and for which organizations.
        reason: String,
        /// The refused action (every refusal names it; see docs/decisions.md §50).
        action: Option<Action>,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
        /// The core's message.
        message: String,
    },
    /// Something unique already exists (a user's email, a product code).
    #[error("{message}")]
    Conflict {
        /// What collided.
        what: String,
        /// The refused action (every refusal names it; see docs/decisions.md §50).
        action: Option<Action>,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
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
    /// A license key or activation code is malformed or mistyped (its check symbol does not
    /// match); nothing was looked up.
    #[error("{message}")]
    MistypedKey {
        /// The key as given (at most 64 characters of it).
        key: String,
        /// What is wrong with it.
        reason: String,
        /// The refused action (every refusal names it; see docs/decisions.md §50).
        action: Option<Action>,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
        /// The core's message.
        message: String,
    },
    /// The license is activated on as many devices as its policy allows; deactivate or reset a
    /// device first.
    #[error("{message}")]
    ActivationLimit {
        /// The policy's maximum.
        max: u32,
        /// The refused action (every refusal names it; see docs/decisions.md §50).
        action: Option<Action>,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
        /// The core's message.
        message: String,
    },
    /// The floating license has as many open borrows as its policy allows, or the borrow asked
    /// for is longer than allowed.
    #[error("{message}")]
    BorrowLimit {
        /// Which limit.
        reason: String,
        /// The refused action (every refusal names it; see docs/decisions.md §50).
        action: Option<Action>,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
        /// The core's message.
        message: String,
    },
    /// The license cannot be used now: disabled, expired, not floating, already redeemed.
    #[error("{message}")]
    LicenseUnusable {
        /// The license's key.
        key: String,
        /// Why.
        reason: String,
        /// The refused action (every refusal names it; see docs/decisions.md §50).
        action: Option<Action>,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
        /// The core's message.
        message: String,
    },
    /// The permission can be granted (and used) only on the enterprise plan.
    #[error("{message}")]
    PlanRequired {
        /// The permission asked for.
        permission: Permission,
        /// The refused action (every refusal names it; see docs/decisions.md §50).
        action: Option<Action>,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
        /// The core's message.
        message: String,
    },
    /// The order cannot be deleted (or its units returned) while child orders hold units drawn
    /// from it; delete or return those first.
    #[error("{message}")]
    OrderInUse {
        /// The order's number (`orderNumber`: `order` is an id everywhere else).
        order_number: u64,
        /// The numbers of the child orders holding units drawn from it.
        children: Vec<u64>,
        /// The refused action (every refusal names it; see docs/decisions.md §50).
        action: Option<Action>,
        /// The user whose action was refused; `nil` for the host application's own calls.
        actor: Option<UserId>,
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
    /// Writing an export failed (the file could not be created or written; it may be left
    /// partly written). Nothing in the store changed.
    #[error("{message}")]
    Export {
        /// The core's message, with its source (the I/O error).
        message: String,
    },
    /// The storage backend failed (I/O, locking, corrupt row); the transaction was rolled back.
    #[error("{message}")]
    Storage {
        /// The core's message, with its source.
        message: String,
    },
    /// The library panicked (a bug), caught at the boundary: nothing was changed (the
    /// transaction was rolled back) and the store keeps working. Please report it. Code
    /// `INTERNAL_PANIC`.
    #[error("{message}")]
    Internal {
        /// What panicked, and that nothing was changed.
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
            InventoryError::MistypedKey { .. } => "MISTYPED_KEY".into(),
            InventoryError::ActivationLimit { .. } => "ACTIVATION_LIMIT".into(),
            InventoryError::BorrowLimit { .. } => "BORROW_LIMIT".into(),
            InventoryError::LicenseUnusable { .. } => "LICENSE_UNUSABLE".into(),
            InventoryError::PlanRequired { .. } => "PLAN_REQUIRED".into(),
            InventoryError::OrderInUse { .. } => "ORDER_IN_USE".into(),
            InventoryError::InvariantViolated { .. } => "INVARIANT_VIOLATED".into(),
            InventoryError::Export { .. } => "EXPORT_FAILED".into(),
            InventoryError::Storage { .. } => "STORAGE".into(),
            InventoryError::Internal { .. } => "INTERNAL_PANIC".into(),
            InventoryError::Other { code, .. } => code.clone(),
        }
    }

    /// For an error thrown by `Session.batch(commands:)` because one of its commands failed:
    /// that command's position, from 0 (the error's case and fields are the command's own);
    /// `nil` for every other error. Read from the message, which the core writes as
    /// "command N of the batch failed, …" for exactly these errors (a uniffi error case has no
    /// room for a field every case shares).
    pub fn batch_index(&self) -> Option<u64> {
        let rest = self.message().strip_prefix("command ")?;
        let (index, rest) = rest.split_once(' ')?;
        rest.starts_with("of the batch failed")
            .then(|| index.parse().ok())
            .flatten()
    }
}

#[uniffi::export]
impl InventoryError {
    /// The refused action, read from any refusal's case (docs/decisions.md §50): what
    /// `PermissionDenied` and `InvalidState` name, or the `action` field of the other
    /// refusals; `nil` for failures that are no fault of the call (storage, export, …).
    pub fn action(&self) -> Option<Action> {
        match self {
            InventoryError::PermissionDenied { action, .. }
            | InventoryError::InvalidState { action, .. } => Some(action.clone()),
            InventoryError::InvalidInput { action, .. }
            | InventoryError::NotFound { action, .. }
            | InventoryError::InsufficientInventory { action, .. }
            | InventoryError::Hierarchy { action, .. }
            | InventoryError::Conflict { action, .. }
            | InventoryError::MistypedKey { action, .. }
            | InventoryError::ActivationLimit { action, .. }
            | InventoryError::BorrowLimit { action, .. }
            | InventoryError::LicenseUnusable { action, .. }
            | InventoryError::PlanRequired { action, .. }
            | InventoryError::OrderInUse { action, .. } => action.clone(),
            InventoryError::SchemaMismatch { .. }
            | InventoryError::InvariantViolated { .. }
            | InventoryError::Export { .. }
            | InventoryError::Storage { .. }
            | InventoryError::Internal { .. }
            | InventoryError::Other { .. } => None,
        }
    }

    /// The user whose action was refused, read from any refusal's case; `nil` for the host
    /// application's own calls on `Inventory` (`createOrg`, `activate`, …) and for failures
    /// that are no refusal.
    pub fn actor(&self) -> Option<UserId> {
        match self {
            InventoryError::PermissionDenied { actor, .. } => Some(*actor),
            InventoryError::InvalidInput { actor, .. }
            | InventoryError::NotFound { actor, .. }
            | InventoryError::InsufficientInventory { actor, .. }
            | InventoryError::InvalidState { actor, .. }
            | InventoryError::Hierarchy { actor, .. }
            | InventoryError::Conflict { actor, .. }
            | InventoryError::MistypedKey { actor, .. }
            | InventoryError::ActivationLimit { actor, .. }
            | InventoryError::BorrowLimit { actor, .. }
            | InventoryError::LicenseUnusable { actor, .. }
            | InventoryError::PlanRequired { actor, .. }
            | InventoryError::OrderInUse { actor, .. } => *actor,
            InventoryError::SchemaMismatch { .. }
            | InventoryError::InvariantViolated { .. }
            | InventoryError::Export { .. }
            | InventoryError::Storage { .. }
            | InventoryError::Internal { .. }
            | InventoryError::Other { .. } => None,
        }
    }
}

impl InventoryError {
    /// The core's message, which every case carries.
    fn message(&self) -> &str {
        match self {
            InventoryError::InvalidInput { message, .. }
            | InventoryError::NotFound { message, .. }
            | InventoryError::PermissionDenied { message, .. }
            | InventoryError::InsufficientInventory { message, .. }
            | InventoryError::InvalidState { message, .. }
            | InventoryError::Hierarchy { message, .. }
            | InventoryError::Conflict { message, .. }
            | InventoryError::SchemaMismatch { message, .. }
            | InventoryError::MistypedKey { message, .. }
            | InventoryError::ActivationLimit { message, .. }
            | InventoryError::BorrowLimit { message, .. }
            | InventoryError::LicenseUnusable { message, .. }
            | InventoryError::PlanRequired { message, .. }
            | InventoryError::OrderInUse { message, .. }
            | InventoryError::InvariantViolated { message, .. }
            | InventoryError::Export { message, .. }
            | InventoryError::Storage { message, .. }
            | InventoryError::Internal { message, .. }
            | InventoryError::Other { message, .. } => message,
        }
    }
}

/// `error` and each of its sources, joined with `: ` (the core's storage and export errors keep
/// the driver's error as their source, not in their own message).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

impl From<core::Error> for InventoryError {
    /// A failed batch command ([`core::Error::InBatch`]) becomes the case of the command's own
    /// error, with the batch's message (see [`InventoryError::batch_index`]).
    fn from(e: core::Error) -> Self {
        let message = e.to_string();
        let action = e.action().map(Action::from);
        let actor = e.actor().map(UserId::from);
        let e = match e {
            core::Error::InBatch { error, .. } => *error,
            e => e,
        };
        match e {
            core::Error::InvalidInput { field, reason, .. } => InventoryError::InvalidInput {
                field: field.to_owned(),
                reason,
                action,
                actor,
                message,
            },
            core::Error::NotFound { entity, id, .. } => InventoryError::NotFound {
                entity: entity.into(),
                id,
                action,
                actor,
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
                ..
            } => InventoryError::InsufficientInventory {
                available,
                requested,
                action,
                actor,
                message,
            },
            core::Error::InvalidState {
                order,
                status,
                action,
                ..
            } => InventoryError::InvalidState {
                order_number: order.get(),
                status: status.into(),
                action: action.into(),
                actor,
                message,
            },
            core::Error::Hierarchy { reason, .. } => InventoryError::Hierarchy {
                reason,
                action,
                actor,
                message,
            },
            core::Error::Conflict { what, .. } => InventoryError::Conflict {
                what,
                action,
                actor,
                message,
            },
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
            core::Error::MistypedKey { key, reason, .. } => InventoryError::MistypedKey {
                key,
                reason,
                action,
                actor,
                message,
            },
            core::Error::ActivationLimit { max, .. } => InventoryError::ActivationLimit {
                max,
                action,
                actor,
                message,
            },
            core::Error::BorrowLimit { reason, .. } => InventoryError::BorrowLimit {
                reason,
                action,
                actor,
                message,
            },
            core::Error::LicenseUnusable { key, reason, .. } => InventoryError::LicenseUnusable {
                key,
                reason,
                action,
                actor,
                message,
            },
            core::Error::PlanRequired { permission, .. } => InventoryError::PlanRequired {
                permission: permission.into(),
                action,
                actor,
                message,
            },
            core::Error::OrderInUse {
                order, children, ..
            } => InventoryError::OrderInUse {
                order_number: order.get(),
                children: children.into_iter().map(|c| c.get()).collect(),
                action,
                actor,
                message,
            },
            core::Error::InvariantViolated(_) => InventoryError::InvariantViolated { message },
            // Swift errors carry no cause chain: the message says the driver's words too.
            core::Error::Export(ref source) => InventoryError::Export {
                message: format!("{message}: {}", with_causes(source)),
            },
            core::Error::Storage(ref source) => InventoryError::Storage {
                message: format!("{message}: {}", with_causes(source)),
            },
            other => InventoryError::Other {
                code: other.code().to_owned(),
                message,
            },
        }
    }
}

/// The result of every fallible call of this binding.
pub type Result<T, E = InventoryError> = std::result::Result<T, E>;

/// Runs one method's body, turning a panic (a bug) into [`InventoryError::Internal`]: without
/// this, uniffi would throw its own `UniffiInternalError.rustPanic`, which is not an
/// `InventoryError`. Every exported method that throws runs its body through here.
pub(crate) fn guard<T>(body: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(InventoryError::Internal {
            message: format!(
                "internal error (a bug, please report it): the library panicked: {detail}; nothing was changed"
            ),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic in a method body becomes `InventoryError.internal` (code `INTERNAL_PANIC`), not
    /// uniffi's `UniffiInternalError.rustPanic`; a body that returns is untouched.
    #[test]
    #[allow(clippy::panic, clippy::unwrap_used)]
    fn guard_turns_a_panic_into_the_internal_error() {
        let err = guard::<()>(|| panic!("boom")).unwrap_err();
        assert_eq!(err.code(), "INTERNAL_PANIC");
        assert!(
            matches!(&err, InventoryError::Internal { message } if message.contains("boom")),
            "{err:?}"
        );
        assert_eq!(guard(|| Ok(7)).ok(), Some(7));
        let refused = guard::<()>(|| {
            Err(core::Error::ActivationLimit {
                attempt: None,
                max: 1,
            }
            .into())
        });
        assert_eq!(refused.unwrap_err().code(), "ACTIVATION_LIMIT");
    }

    /// Every core variant converts to the case with the same code and the core's message.
    #[test]
    fn conversion_keeps_code_and_message() {
        let errors = vec![
            core::Error::InvalidInput {
                attempt: None,
                field: "quantity",
                reason: "must be at least 1".into(),
            },
            core::Error::NotFound {
                attempt: None,
                entity: core::Entity::Order,
                id: "1210".into(),
            },
            core::Error::PermissionDenied {
                action: core::Action::Approve,
                actor: core::UserId::new(),
                reason: "not an admin".into(),
            },
            core::Error::InsufficientInventory {
                attempt: None,
                available: 1,
                requested: 2,
            },
            core::Error::InvalidState {
                attempt: None,
                order: core::OrderNumber(1213),
                status: core::OrderStatus::Active,
                action: core::Action::EditRequest,
            },
            core::Error::Hierarchy {
                attempt: None,
                reason: "tier".into(),
            },
            core::Error::Conflict {
                attempt: None,
                what: "a product with code CL".into(),
            },
            core::Error::SchemaMismatch {
                found: 9,
                supported: 1,
                hint: "upgrade",
            },
            core::Error::MistypedKey {
                attempt: None,
                key: "7KQ2M".into(),
                reason: "too short".into(),
            },
            core::Error::ActivationLimit {
                attempt: None,
                max: 2,
            },
            core::Error::BorrowLimit {
                attempt: None,
                reason: "1 borrow open, at most 1".into(),
            },
            core::Error::LicenseUnusable {
                attempt: None,
                key: "7KQ2M-XR4TD-9WZPH-BN3CV-0G6JA".into(),
                reason: "disabled".into(),
            },
            core::Error::PlanRequired {
                attempt: None,
                permission: core::Permission::IssueLicense,
            },
            core::Error::OrderInUse {
                attempt: None,
                order: core::OrderNumber(1210),
                children: vec![core::OrderNumber(1212)],
            },
            core::Error::InvariantViolated("broken".into()),
            core::Error::Export(std::io::Error::other("disk full").into()),
            core::Error::Storage(core::StorageError::Poisoned),
        ];
        for e in errors {
            let (code, message) = (e.code(), e.to_string());
            let converted = InventoryError::from(e);
            assert_eq!(converted.code(), code);
            // Storage and export messages add their cause chain after the core's message.
            assert!(
                converted.to_string().starts_with(&message),
                "{converted} / {message}"
            );
            assert!(
                !matches!(converted, InventoryError::Other { .. }),
                "{converted:?}"
            );
        }
    }

    /// Swift errors have no cause chain: the driver's words follow the core's message.
    #[test]
    fn storage_and_export_messages_keep_their_cause() {
        let e = InventoryError::from(core::Error::Export(
            std::io::Error::other("disk full").into(),
        ));
        assert!(e.to_string().ends_with(": disk full"), "{e}");
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
        match InventoryError::from(core::Error::OrderInUse {
            attempt: None,
            order: core::OrderNumber(1210),
            children: vec![core::OrderNumber(1212), core::OrderNumber(1214)],
        }) {
            InventoryError::OrderInUse {
                order_number,
                children,
                ..
            } => {
                assert_eq!(order_number, 1210);
                assert_eq!(children, vec![1212, 1214]);
            }
            other => unreachable!("{other:?}"),
        }
        match InventoryError::from(core::Error::PlanRequired {
            attempt: None,
            permission: core::Permission::CreateOrder,
        }) {
            InventoryError::PlanRequired { permission, .. } => {
                assert_eq!(permission, Permission::CreateOrder);
            }
            other => unreachable!("{other:?}"),
        }
    }

    /// Every core entity and action has its own case (none falls into `Other`).
    #[test]
    fn entities_and_actions_have_cases() {
        let entities = [
            core::Entity::License,
            core::Entity::LicenseUser,
            core::Entity::LicenseManager,
            core::Entity::Notification,
            core::Entity::Bundle,
        ];
        for e in entities {
            assert!(!matches!(Entity::from(e), Entity::Other { .. }), "{e}");
        }
        let actions = [
            core::Action::EditMetadata,
            core::Action::EditCustomer,
            core::Action::IssueLicense,
            core::Action::Revoke,
            core::Action::Disable,
            core::Action::Enable,
            core::Action::ResetDevice,
            core::Action::ResetLicense,
            core::Action::Borrow,
            core::Action::ManageLicenseUsers,
            core::Action::ManageLicenseUserCredentials,
            core::Action::ManageManagers,
            core::Action::RequestBundle,
            core::Action::DeleteOrder,
            core::Action::ReturnUnits,
        ];
        for a in actions {
            assert!(!matches!(Action::from(a), Action::Other { .. }), "{a}");
        }
    }
}
