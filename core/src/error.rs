//! The one error type of the library.
//!
//! Every refused action and every piece of bad input gets its own variant carrying the figures a
//! caller needs (the available quantity, the missing permission, the status that forbids the
//! transition). When an operation returns an error, nothing was changed: every operation is one
//! atomic transaction.

use crate::ids::{OrderNumber, UserId};
use crate::order::OrderStatus;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of thing was looked up (used by [`Error::NotFound`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    /// A license or activation code.
    License,
    /// A license user.
    LicenseUser,
    /// A license manager of an order.
    LicenseManager,
    /// A notification of the outbox.
    Notification,
    /// A bundle.
    Bundle,
}

impl Entity {
    /// The lower-case name used in messages and error payloads.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Tenant => "tenant",
            Entity::Organization => "organization",
            Entity::User => "user",
            Entity::Product => "product",
            Entity::Order => "order",
            Entity::License => "license",
            Entity::LicenseUser => "license user",
            Entity::LicenseManager => "license manager",
            Entity::Bundle => "bundle",
            Entity::Notification => "notification",
        }
    }
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action a user (or, for the tenant's set-up, the host application) attempts; every
/// refusal names it (see [`Error::action`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    /// Edit an order's metadata (reference, campaign, download id, flags).
    EditMetadata,
    /// Add or edit an order's customer.
    EditCustomer,
    /// Issue licenses or codes from an order.
    IssueLicense,
    /// Revoke an unused license.
    Revoke,
    /// Disable a license.
    Disable,
    /// Enable a disabled license again.
    Enable,
    /// Remove one device from a license.
    ResetDevice,
    /// Remove every device from a license.
    ResetLicense,
    /// Borrow or return a floating license.
    Borrow,
    /// Add, edit or delete license users, or assign licenses to them.
    ManageLicenseUsers,
    /// Change license users' passwords.
    ManageLicenseUserCredentials,
    /// Add license managers to an order.
    ManageManagers,
    /// Request a bundle.
    RequestBundle,
    /// Delete an order and its licenses.
    DeleteOrder,
    /// Return unused units to the source.
    ReturnUnits,
    /// Create a tenant (the host application's operator).
    CreateTenant,
    /// Create an organization of the channel tree.
    CreateOrg,
    /// Deactivate an organization.
    DeactivateOrg,
    /// Reactivate a deactivated organization.
    ReactivateOrg,
    /// Create a user.
    CreateUser,
    /// Deactivate a user.
    DeactivateUser,
    /// Reactivate a deactivated user.
    ReactivateUser,
    /// Make a user an admin of an organization.
    GrantAdmin,
    /// Take an admin role back.
    RevokeAdmin,
    /// Change the tenant's plan.
    ChangePlan,
    /// Create a product.
    CreateProduct,
    /// Set a product's license policy.
    SetProductPolicy,
    /// Rename a product.
    RenameProduct,
    /// Retire a product.
    RetireProduct,
    /// Create a bundle of products.
    CreateBundle,
    /// Activate a license on a device.
    Activate,
    /// Deactivate a license on a device.
    Deactivate,
    /// Redeem an activation code.
    Redeem,
    /// Import existing license keys into an order.
    ImportLicenses,
    /// Mark outbox notifications as sent.
    MarkNotificationsSent,
    /// Prune old idempotency keys.
    PruneIdempotencyKeys,
    /// Run a batch of commands (its own checks: the number of commands).
    Batch,
}

impl Action {
    /// Every action, in declaration order.
    pub const ALL: [Action; 45] = [
        Action::Mint,
        Action::Request,
        Action::EditRequest,
        Action::Cancel,
        Action::Approve,
        Action::Reject,
        Action::Assign,
        Action::View,
        Action::EditMetadata,
        Action::EditCustomer,
        Action::IssueLicense,
        Action::Revoke,
        Action::Disable,
        Action::Enable,
        Action::ResetDevice,
        Action::ResetLicense,
        Action::Borrow,
        Action::ManageLicenseUsers,
        Action::ManageLicenseUserCredentials,
        Action::ManageManagers,
        Action::RequestBundle,
        Action::DeleteOrder,
        Action::ReturnUnits,
        Action::CreateTenant,
        Action::CreateOrg,
        Action::DeactivateOrg,
        Action::ReactivateOrg,
        Action::CreateUser,
        Action::DeactivateUser,
        Action::ReactivateUser,
        Action::GrantAdmin,
        Action::RevokeAdmin,
        Action::ChangePlan,
        Action::CreateProduct,
        Action::SetProductPolicy,
        Action::RenameProduct,
        Action::RetireProduct,
        Action::CreateBundle,
        Action::Activate,
        Action::Deactivate,
        Action::Redeem,
        Action::ImportLicenses,
        Action::MarkNotificationsSent,
        Action::PruneIdempotencyKeys,
        Action::Batch,
    ];

    /// The snake-case name used in messages and error payloads.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Mint => "mint",
            Action::Request => "request",
            Action::EditRequest => "edit_request",
            Action::Cancel => "cancel",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Assign => "assign",
            Action::View => "view",
            Action::EditMetadata => "edit_metadata",
            Action::EditCustomer => "edit_customer",
            Action::IssueLicense => "issue_license",
            Action::Revoke => "revoke",
            Action::Disable => "disable",
            Action::Enable => "enable",
            Action::ResetDevice => "reset_device",
            Action::ResetLicense => "reset_license",
            Action::Borrow => "borrow_license",
            Action::ManageLicenseUsers => "manage_license_users",
            Action::ManageLicenseUserCredentials => "manage_license_user_credentials",
            Action::ManageManagers => "manage_managers",
            Action::RequestBundle => "request_bundle",
            Action::DeleteOrder => "delete_order",
            Action::ReturnUnits => "return_units",
            Action::CreateTenant => "create_tenant",
            Action::CreateOrg => "create_org",
            Action::DeactivateOrg => "deactivate_org",
            Action::ReactivateOrg => "reactivate_org",
            Action::CreateUser => "create_user",
            Action::DeactivateUser => "deactivate_user",
            Action::ReactivateUser => "reactivate_user",
            Action::GrantAdmin => "grant_admin",
            Action::RevokeAdmin => "revoke_admin",
            Action::ChangePlan => "change_plan",
            Action::CreateProduct => "create_product",
            Action::SetProductPolicy => "set_product_policy",
            Action::RenameProduct => "rename_product",
            Action::RetireProduct => "retire_product",
            Action::CreateBundle => "create_bundle",
            Action::Activate => "activate",
            Action::Deactivate => "deactivate",
            Action::Redeem => "redeem",
            Action::ImportLicenses => "import_licenses",
            Action::MarkNotificationsSent => "mark_notifications_sent",
            Action::PruneIdempotencyKeys => "prune_idempotency_keys",
            Action::Batch => "batch",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who attempted what, as a refusal names it: the action, and the acting user (`None` for the
/// host application's own calls on [`Inventory`](crate::Inventory): setting up the tenant,
/// activating a device).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Attempt {
    /// The action that was refused.
    pub action: Action,
    /// The user who attempted it, if a user did.
    pub actor: Option<UserId>,
}

impl std::fmt::Display for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.actor {
            Some(actor) => write!(f, "{} by user {actor}", self.action),
            None => write!(f, "{} by the host application", self.action),
        }
    }
}

/// The end of a refusal's message: ` (refused: approve by user …)`.
fn by(attempt: &Option<Attempt>) -> String {
    attempt
        .map(|a| format!(" (refused: {a})"))
        .unwrap_or_default()
}

/// The `attempt` field of a refusal variant (`&` or `&mut`, as `$error` is borrowed), or
/// `None` for an error that is no refusal: the one list of the refusal variants.
macro_rules! refusal_attempt {
    ($error:expr) => {
        match $error {
            Error::InvalidInput { attempt, .. }
            | Error::NotFound { attempt, .. }
            | Error::InsufficientInventory { attempt, .. }
            | Error::InvalidState { attempt, .. }
            | Error::Hierarchy { attempt, .. }
            | Error::Conflict { attempt, .. }
            | Error::MistypedKey { attempt, .. }
            | Error::ActivationLimit { attempt, .. }
            | Error::BorrowLimit { attempt, .. }
            | Error::LicenseUnusable { attempt, .. }
            | Error::PlanRequired { attempt, .. }
            | Error::OrderInUse { attempt, .. } => Some(attempt),
            _ => None,
        }
    };
}

/// Everything that can go wrong. Each variant says what happened and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field of the input is malformed, empty, too long or out of range. Fix the input and retry.
    #[error("invalid {field}: {reason}{}", by(.attempt))]
    InvalidInput {
        /// The offending field, e.g. `quantity` or `email`.
        field: &'static str,
        /// Why it was refused.
        reason: String,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// No such thing exists in this tenant (ids of another tenant are never visible).
    #[error("{entity} {id} not found in this tenant; check the id{}", by(.attempt))]
    NotFound {
        /// What was looked up.
        entity: Entity,
        /// The id or number that was looked up (a license looked up by its key: the key's
        /// first group only, `7KQ2M-…`).
        id: String,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// The acting user may not perform the action; ask an admin of the right organization.
    #[error("user {actor} may not {action}: {reason}")]
    PermissionDenied {
        /// The action that was refused.
        action: Action,
        /// The user who attempted it.
        actor: UserId,
        /// Why it was refused.
        reason: String,
    },

    /// The source organization holds fewer available units of the product than asked for.
    /// Nothing was drawn; approve or assign at most `available`, or restock the source first.
    #[error(
        "insufficient inventory: {requested} units asked, only {available} available at the source organization{}",
        by(.attempt)
    )]
    InsufficientInventory {
        /// Units available at the source (summed over its active orders of the product).
        available: u64,
        /// Units that were asked for.
        requested: u64,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// The order's status forbids the action (e.g. editing an approved order).
    #[error("order {order} is {status}; it cannot be used to {action}{}", by(.attempt))]
    InvalidState {
        /// The order concerned.
        order: OrderNumber,
        /// Its current status.
        status: OrderStatus,
        /// The refused action.
        action: Action,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// The channel tree's rules were broken: a parent of a tier that is not strictly higher,
    /// a cycle, a vendor with a parent, an assignment to an organization that is not a child,
    /// or a deactivated organization.
    #[error("hierarchy rule broken: {reason}{}", by(.attempt))]
    Hierarchy {
        /// Which rule, and for which organizations.
        reason: String,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// Something unique already exists (a user's email, a product code), or an idempotency key
    /// was already used for another command. Choose another value (or key).
    #[error("conflict: this tenant already has {what}{}", by(.attempt))]
    Conflict {
        /// What collided: "a user with email …", "idempotency key '…' (used for …)".
        what: String,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// The stored schema version is not the one this build knows. Upgrade the library (newer
    /// schema), or open with migrations enabled (older schema).
    #[error(
        "database schema version {found} is not supported (this build knows version {supported}): {hint}"
    )]
    SchemaMismatch {
        /// The version found in the database.
        found: i64,
        /// The version this build writes.
        supported: i64,
        /// What to do.
        hint: &'static str,
    },

    /// A license key or activation code is malformed or mistyped (its check symbol does not
    /// match). Nothing was looked up; ask the person to check the key.
    #[error("mistyped license key '{key}': {reason}{}", by(.attempt))]
    MistypedKey {
        /// The first five symbols of the key as given, then `-…` (never the whole key: a
        /// mistyped key is one symbol away from a real one).
        key: String,
        /// What is wrong with it.
        reason: String,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// The license is activated on as many devices as its policy allows. Deactivate or reset a
    /// device first.
    #[error(
        "license is already activated on {max} devices, its maximum; reset a device first{}",
        by(.attempt)
    )]
    ActivationLimit {
        /// The policy's maximum.
        max: u32,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// The floating license has as many open borrows as its policy allows, or the borrow asked
    /// for is longer than allowed.
    #[error("floating limit: {reason}{}", by(.attempt))]
    BorrowLimit {
        /// Which limit.
        reason: String,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// The license cannot be used now: disabled, expired, not floating, already redeemed.
    #[error("license {key} is unusable: {reason}{}", by(.attempt))]
    LicenseUnusable {
        /// The first group of the license's key, `7KQ2M-…` (never the whole key).
        key: String,
        /// Why.
        reason: String,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// The permission can be granted only on the enterprise plan.
    #[error("the {permission} permission needs the enterprise plan{}", by(.attempt))]
    PlanRequired {
        /// The permission asked for.
        permission: crate::permission::Permission,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// The order cannot be deleted (or its units returned) while child orders hold units drawn
    /// from it. Delete or return those first.
    #[error(
        "order {order} is still in use by child orders {}: delete or return their units first{}",
        numbers(children),
        by(.attempt)
    )]
    OrderInUse {
        /// The order.
        order: OrderNumber,
        /// The child orders holding units drawn from it.
        children: Vec<OrderNumber>,
        /// Who attempted what: set on every refusal of a command or read (see
        /// [`Error::action`], [`Error::actor`]); `None` only for a value checked outside any.
        attempt: Option<Attempt>,
    },

    /// Command `index` (from 0) of a [`Session::batch`](crate::Session::batch) failed with
    /// `error`, so nothing of the batch was written. [`Error::code`] is that command's own code;
    /// [`Error::batch_index`] and [`Error::command_error`] read the parts.
    #[error("command {index} of the batch failed, so nothing of the batch was written: {error}")]
    InBatch {
        /// The failing command's position in the batch, from 0.
        index: usize,
        /// The command's own error, as it gives it alone.
        error: Box<Error>,
    },

    /// A conservation or consistency invariant would break. This is a bug or a tampered store:
    /// the transaction was rolled back and nothing changed. Please report it.
    #[error("invariant violated, nothing was changed: {0}")]
    InvariantViolated(String),

    /// The operating system's random source failed (license keys and password salts come from
    /// it). Nothing was changed; retry, and check the system's entropy source if it persists.
    /// Code `RANDOMNESS_UNAVAILABLE`.
    #[error(
        "the operating system's random source failed; nothing was changed: retry, and check the system's entropy source if it persists"
    )]
    Randomness(#[source] getrandom::Error),

    /// Hashing a password with Argon2id failed (for example, memory could not be allocated).
    /// Nothing was changed; retry, and report it if it persists. Code `PASSWORD_HASHING_FAILED`.
    #[error("password hashing failed; nothing was changed: retry, and report it if it persists")]
    PasswordHashing(#[source] PasswordHashError),

    /// A value could not be written as, or read back from, JSON. The library's own values
    /// always convert, so this is a bug or a tampered store: nothing was changed; please report
    /// it. Code `INVARIANT_VIOLATED`.
    #[error(
        "{what} cannot be converted to or from JSON; nothing was changed (a bug: please report it)"
    )]
    Json {
        /// What was being converted.
        what: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },

    /// A write (or write lock) was attempted in a read transaction: a bug in the library, caught
    /// alike by every store. Nothing was changed; please report it. Code `INVARIANT_VIOLATED`.
    #[error(
        "a write was attempted in a read-only transaction; nothing was changed (a bug: please report it)"
    )]
    ReadOnlyTransaction,

    /// Writing an export failed (the destination refused the bytes); the cause is the
    /// [`source`](std::error::Error::source). Nothing in the store changed; retry with a
    /// writable destination.
    #[error(
        "export failed: the CSV could not be written to its destination; nothing in the store changed, retry with a writable destination"
    )]
    Export(#[source] csv::Error),

    /// The storage backend failed (I/O, locking, corrupt row). The transaction was rolled back.
    /// The message and the [`source`](std::error::Error::source) are the [`StorageError`]'s.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why Argon2 could not hash a password: the source of [`Error::PasswordHashing`].
#[derive(Debug)]
pub struct PasswordHashError(pub(crate) argon2::password_hash::Error);

impl std::fmt::Display for PasswordHashError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for PasswordHashError {}

/// A failure of the storage backend, with its source kept.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// SQLite reported an error (its text is the [`source`](std::error::Error::source)).
    #[cfg(feature = "sqlite")]
    #[error(
        "storage failure: SQLite reported an error; the transaction was rolled back (retry if it was transient, e.g. a busy database; check the path and permissions otherwise)"
    )]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL reported an error, or the server could not be reached (its text is the
    /// [`source`](std::error::Error::source)).
    #[cfg(feature = "postgres")]
    #[error(
        "storage failure: PostgreSQL reported an error; the transaction was rolled back (retry if the server was unreachable; check the URL and the server otherwise)"
    )]
    Postgres(#[from] tokio_postgres::Error),
    /// The I/O driver a PostgreSQL connection runs on could not be started (its cause says
    /// why: the process may be out of file descriptors).
    #[cfg(feature = "postgres")]
    #[error(
        "storage failure: could not start the I/O driver of a PostgreSQL connection; free file descriptors or memory and retry"
    )]
    PostgresDriver(#[source] std::io::Error),
    /// A stored row could not be decoded into a domain value.
    #[error("storage failure: corrupt row in {table}: {reason}; restore the row or report it")]
    Corrupt {
        /// The table holding the row.
        table: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// A lock was poisoned by a panic in another thread, and the store could not prove its
    /// state consistent (a rollback itself failed).
    #[error("storage failure: store lock poisoned by a panicking thread; reopen the store")]
    Poisoned,
    /// Every pooled connection stayed in use for as long as a checkout waits: too many
    /// concurrent callers for the pool, or a transaction that never finishes.
    #[error(
        "storage failure: no database connection became free within {waited:?} (all {max} in use); raise max_connections if this many callers are expected, otherwise look for a stuck transaction holding a connection"
    )]
    PoolExhausted {
        /// The pool's size.
        max: usize,
        /// How long the checkout waited.
        waited: std::time::Duration,
    },
    /// This command's work succeeded inside a transaction shared with other commands (group
    /// commit, docs/decisions.md §42), and that transaction was then rolled back or failed to
    /// commit: nothing of this command was written.
    #[error("storage failure: {reason}; nothing of this command was written: retry it")]
    GroupAborted {
        /// What happened to the group.
        reason: String,
    },
    /// A row that must exist was missing, or a row that must be new already existed.
    #[error(
        "storage failure: unexpected row count in {table}: {reason}; the transaction was rolled back"
    )]
    RowCount {
        /// The table concerned.
        table: &'static str,
        /// What was expected.
        reason: String,
    },
}

impl Error {
    /// A stable, language-neutral code for this error, used by the bindings
    /// (`INSUFFICIENT_INVENTORY`, `PERMISSION_DENIED`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "INVALID_INPUT",
            Error::NotFound { .. } => "NOT_FOUND",
            Error::PermissionDenied { .. } => "PERMISSION_DENIED",
            Error::InsufficientInventory { .. } => "INSUFFICIENT_INVENTORY",
            Error::InvalidState { .. } => "INVALID_STATE",
            Error::Hierarchy { .. } => "HIERARCHY_VIOLATION",
            Error::Conflict { .. } => "CONFLICT",
            Error::SchemaMismatch { .. } => "SCHEMA_MISMATCH",
            Error::InvariantViolated(_) => "INVARIANT_VIOLATED",
            Error::Randomness(_) => "RANDOMNESS_UNAVAILABLE",
            Error::PasswordHashing(_) => "PASSWORD_HASHING_FAILED",
            Error::Json { .. } | Error::ReadOnlyTransaction => "INVARIANT_VIOLATED",
            Error::MistypedKey { .. } => "MISTYPED_KEY",
            Error::ActivationLimit { .. } => "ACTIVATION_LIMIT",
            Error::BorrowLimit { .. } => "BORROW_LIMIT",
            Error::LicenseUnusable { .. } => "LICENSE_UNUSABLE",
            Error::PlanRequired { .. } => "PLAN_REQUIRED",
            Error::OrderInUse { .. } => "ORDER_IN_USE",
            Error::Storage(_) => "STORAGE",
            Error::Export(_) => "EXPORT_FAILED",
            Error::InBatch { error, .. } => error.code(),
        }
    }

    /// The position (from 0) of the batch command that failed, for an error of
    /// [`Session::batch`](crate::Session::batch); `None` otherwise.
    pub fn batch_index(&self) -> Option<usize> {
        match self {
            Error::InBatch { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// The failing command's own error: for a batch's error, the error its command gives
    /// alone; any other error is itself.
    ///
    /// ```
    /// # use license_inventory::*;
    /// let e = Error::InBatch { index: 2, error: Box::new(Error::InsufficientInventory { available: 1, requested: 3, attempt: None }) };
    /// assert_eq!((e.code(), e.batch_index()), ("INSUFFICIENT_INVENTORY", Some(2)));
    /// assert!(matches!(e.command_error(), Error::InsufficientInventory { available: 1, .. }));
    /// assert!(e.to_string().starts_with("command 2 of the batch failed"));
    /// ```
    pub fn command_error(&self) -> &Error {
        match self {
            Error::InBatch { error, .. } => error.command_error(),
            other => other,
        }
    }

    /// The refused action: every refusal of a command or read names it (a storage failure or
    /// an invariant violation is no refusal and names none).
    ///
    /// ```
    /// # use license_inventory::*;
    /// # fn main() -> Result<()> {
    /// let inv = Inventory::in_memory();
    /// let err = inv.create_tenant(NewTenant { name: " ".into(), plan: Plan::Standard, vendor_name: "V".into(), first_order_number: None }).unwrap_err();
    /// assert_eq!(err.action(), Some(Action::CreateTenant));
    /// assert_eq!(err.actor(), None);                     // the host application's own call
    /// assert!(err.to_string().ends_with("(refused: create_tenant by the host application)"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn action(&self) -> Option<Action> {
        match self.command_error() {
            Error::PermissionDenied { action, .. } => Some(*action),
            Error::InvalidState { action, .. } => Some(*action),
            e => e.attempt().map(|a| a.action),
        }
    }

    /// The user whose action was refused; `None` for no refusal, or for a refusal of the host
    /// application's own call (see [`Attempt`]).
    pub fn actor(&self) -> Option<UserId> {
        match self.command_error() {
            Error::PermissionDenied { actor, .. } => Some(*actor),
            e => e.attempt().and_then(|a| a.actor),
        }
    }

    /// Who attempted what, for a refusal other than [`Error::PermissionDenied`] (which has
    /// its own fields).
    pub fn attempt(&self) -> Option<&Attempt> {
        refusal_attempt!(self.command_error()).and_then(Option::as_ref)
    }

    /// This error as the refusal of `action` by `actor`: a refusal that names no attempt yet
    /// gets this one (an inner command's own attempt wins; a batch's command keeps its own).
    pub(crate) fn attempted(self, action: Action, actor: Option<UserId>) -> Self {
        match self {
            Error::InBatch { index, error } => Error::InBatch {
                index,
                error: Box::new(error.attempted(action, actor)),
            },
            mut e => {
                if let Some(slot) = e.attempt_slot() {
                    slot.get_or_insert(Attempt { action, actor });
                }
                e
            }
        }
    }

    fn attempt_slot(&mut self) -> Option<&mut Option<Attempt>> {
        refusal_attempt!(self)
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
            attempt: None,
        }
    }

    pub(crate) fn not_found(entity: Entity, id: impl ToString) -> Self {
        Error::NotFound {
            entity,
            id: id.to_string(),
            attempt: None,
        }
    }

    pub(crate) fn hierarchy(reason: impl Into<String>) -> Self {
        Error::Hierarchy {
            reason: reason.into(),
            attempt: None,
        }
    }
}

/// Order numbers as `1212, 1213` for messages.
fn numbers(list: &[OrderNumber]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::error::Error as _;

    use super::*;

    /// An error-chain printer says each cause once: a variant with a source does not repeat the
    /// source's text in its own message.
    #[test]
    fn messages_do_not_repeat_their_source() {
        let export = Error::Export(std::io::Error::other("disk full").into());
        assert!(export.to_string().starts_with("export failed: "));
        assert!(!export.to_string().contains("disk full"), "{export}");
        assert_eq!(export.source().unwrap().to_string(), "disk full");

        let sqlite = rusqlite::Connection::open_in_memory()
            .unwrap()
            .execute_batch("SELEC nonsense")
            .unwrap_err();
        let text = sqlite.to_string();
        let storage = Error::from(StorageError::from(sqlite));
        assert_eq!(storage.code(), "STORAGE");
        assert!(storage.to_string().starts_with("storage failure"));
        assert!(!storage.to_string().contains(&text), "{storage}");
        assert_eq!(storage.source().unwrap().to_string(), text);

        let json = serde_json::from_str::<u64>("x").unwrap_err();
        let text = json.to_string();
        let err = Error::Json {
            what: "a test value".into(),
            source: json,
        };
        assert!(!err.to_string().contains(&text), "{err}");
        assert_eq!(err.source().unwrap().to_string(), text);
        assert_eq!(err.code(), "INVARIANT_VIOLATED");
        assert_eq!(Error::ReadOnlyTransaction.code(), "INVARIANT_VIOLATED");

        let corrupt = Error::from(StorageError::Corrupt {
            table: "orders",
            reason: "bad status 'bogus'".into(),
        });
        assert!(corrupt.to_string().contains("bogus"));
        assert!(corrupt.source().is_none());
    }

    #[test]
    fn conflicts_read_right_for_values_and_keys() {
        let email = Error::Conflict {
            what: "a user with email ann@example.com".into(),
            attempt: None,
        };
        assert_eq!(
            email.to_string(),
            "conflict: this tenant already has a user with email ann@example.com"
        );
        let key = Error::Conflict {
            what: "idempotency key 'k' (used for approve, not reject; choose a new key for a \
                   new command)"
                .into(),
            attempt: None,
        };
        assert!(
            key.to_string()
                .starts_with("conflict: this tenant already has idempotency key 'k' (used for")
        );
    }
}
