//! All-or-nothing batches (docs/rules.md §11): several commands of one session in one transaction,
//! so "approve these 50 requests" either happens whole or not at all.

use serde::{Deserialize, Serialize};

use crate::error::{Action, Error, Result};
use crate::ids::{BundleId, LicenseId, LicenseUserId, OrderId, OrgId, UserId};
use crate::inventory::Session;
use crate::inventory::license_users::password_hash;
use crate::inventory::licenses::{Issued, LicenseChange};
use crate::license::{License, LicenseUser, NewLicenseUser, Password};
use crate::order::{
    Customer, MetadataEdit, NewAssignment, NewMint, NewRequest, Order, RequestEdit,
};
use crate::permission::{LicenseManager, Permission};

/// The most commands one batch may hold.
pub const MAX_BATCH: usize = 1_000;

/// One command of a [`Session::batch`]: the same inputs, rules and effects as the session
/// method of the same name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchCommand {
    /// [`Session::request`].
    Request(NewRequest),
    /// [`Session::approve`].
    Approve {
        /// The request.
        order: OrderId,
        /// Units to approve (default: all requested).
        quantity: Option<u64>,
        /// Approval comments.
        comments: Option<String>,
    },
    /// [`Session::reject`].
    Reject {
        /// The request.
        order: OrderId,
        /// Comments.
        comments: Option<String>,
    },
    /// [`Session::cancel`].
    Cancel {
        /// The request.
        order: OrderId,
    },
    /// [`Session::assign`].
    Assign(NewAssignment),
    /// [`Session::issue`].
    Issue {
        /// The order to issue from.
        order: OrderId,
        /// How many licenses (or codes).
        quantity: u64,
    },
    /// [`Session::edit_request`].
    EditRequest {
        /// The pending request.
        order: OrderId,
        /// What changes.
        edit: RequestEdit,
    },
    /// [`Session::mint`].
    Mint(NewMint),
    /// [`Session::return_units`].
    ReturnUnits {
        /// The order.
        order: OrderId,
        /// Unused units to return.
        quantity: u64,
    },
    /// [`Session::delete_order`].
    DeleteOrder {
        /// The order.
        order: OrderId,
    },
    /// [`Session::import_licenses`].
    ImportLicenses {
        /// The order.
        order: OrderId,
        /// The existing keys.
        keys: Vec<String>,
    },
    /// [`Session::revoke`].
    Revoke {
        /// The unused license.
        license: LicenseId,
    },
    /// [`Session::disable`].
    Disable {
        /// The license.
        license: LicenseId,
    },
    /// [`Session::enable`].
    Enable {
        /// The license.
        license: LicenseId,
    },
    /// [`Session::reset_device`].
    ResetDevice {
        /// The license.
        license: LicenseId,
        /// The device to remove.
        fingerprint: String,
    },
    /// [`Session::reset_license`].
    ResetLicense {
        /// The license.
        license: LicenseId,
    },
    /// [`Session::borrow`].
    Borrow {
        /// The floating license.
        license: LicenseId,
        /// Who borrows it.
        borrower: String,
        /// For how long, in seconds.
        seconds: u32,
    },
    /// [`Session::return_borrow`].
    ReturnBorrow {
        /// The floating license.
        license: LicenseId,
        /// Whose borrow ends.
        borrower: String,
    },
    /// [`Session::edit_license_user`].
    EditLicenseUser {
        /// The license user.
        user: LicenseUserId,
        /// New email.
        email: Option<String>,
        /// New name.
        name: Option<String>,
    },
    /// [`Session::delete_license_user`].
    DeleteLicenseUser {
        /// The license user.
        user: LicenseUserId,
    },
    /// [`Session::assign_license`].
    AssignLicense {
        /// The license.
        license: LicenseId,
        /// Its license user (`None`: taken back).
        user: Option<LicenseUserId>,
    },
    /// [`Session::add_license_manager`].
    AddLicenseManager {
        /// The order.
        order: OrderId,
        /// The user.
        user: UserId,
        /// Permissions added to any they hold.
        permissions: Vec<Permission>,
    },
    /// [`Session::set_license_manager_permissions`].
    SetLicenseManagerPermissions {
        /// The order.
        order: OrderId,
        /// The manager.
        user: UserId,
        /// The permissions it will hold.
        permissions: Vec<Permission>,
    },
    /// [`Session::remove_license_manager`].
    RemoveLicenseManager {
        /// The order.
        order: OrderId,
        /// The manager.
        user: UserId,
    },
    /// [`Session::edit_metadata`].
    EditMetadata {
        /// The order.
        order: OrderId,
        /// What changes.
        edit: MetadataEdit,
    },
    /// [`Session::set_customer`].
    SetCustomer {
        /// The order.
        order: OrderId,
        /// The customer (`None`: removed).
        customer: Option<Customer>,
    },
    /// [`Session::issue_in_bulk`].
    IssueInBulk {
        /// The order to issue from.
        order: OrderId,
        /// How many licenses (or codes).
        quantity: u64,
    },
    /// [`Session::request_bundle`].
    RequestBundle {
        /// The requesting organization.
        holder: OrgId,
        /// The bundle.
        bundle: BundleId,
        /// Purchase order.
        purchase_order: Option<String>,
        /// Requester comments.
        comments: Option<String>,
    },
    /// [`Session::add_license_user`] (a password is hashed before the batch's transaction).
    AddLicenseUser {
        /// The order.
        order: OrderId,
        /// The license user.
        user: NewLicenseUser,
    },
    /// [`Session::set_license_user_password`] (hashed before the batch's transaction).
    SetLicenseUserPassword {
        /// The license user.
        user: LicenseUserId,
        /// The new password.
        password: Password,
    },
}

impl BatchCommand {
    /// The action this command attempts, as its refusal names it.
    pub fn action(&self) -> Action {
        match self {
            BatchCommand::Request(_) => Action::Request,
            BatchCommand::Approve { .. } => Action::Approve,
            BatchCommand::Reject { .. } => Action::Reject,
            BatchCommand::Cancel { .. } => Action::Cancel,
            BatchCommand::Assign(_) => Action::Assign,
            BatchCommand::Issue { .. } => Action::IssueLicense,
            BatchCommand::EditRequest { .. } => Action::EditRequest,
            BatchCommand::Mint(_) => Action::Mint,
            BatchCommand::ReturnUnits { .. } => Action::ReturnUnits,
            BatchCommand::DeleteOrder { .. } => Action::DeleteOrder,
            BatchCommand::ImportLicenses { .. } => Action::ImportLicenses,
            BatchCommand::Revoke { .. } => Action::Revoke,
            BatchCommand::Disable { .. } => Action::Disable,
            BatchCommand::Enable { .. } => Action::Enable,
            BatchCommand::ResetDevice { .. } => Action::ResetDevice,
            BatchCommand::ResetLicense { .. } => Action::ResetLicense,
            BatchCommand::Borrow { .. } | BatchCommand::ReturnBorrow { .. } => Action::Borrow,
            BatchCommand::EditLicenseUser { .. }
            | BatchCommand::DeleteLicenseUser { .. }
            | BatchCommand::AssignLicense { .. } => Action::ManageLicenseUsers,
            BatchCommand::AddLicenseManager { .. }
            | BatchCommand::SetLicenseManagerPermissions { .. }
            | BatchCommand::RemoveLicenseManager { .. } => Action::ManageManagers,
            BatchCommand::EditMetadata { .. } => Action::EditMetadata,
            BatchCommand::SetCustomer { .. } => Action::EditCustomer,
            BatchCommand::IssueInBulk { .. } => Action::IssueLicense,
            BatchCommand::RequestBundle { .. } => Action::RequestBundle,
            BatchCommand::AddLicenseUser { .. } => Action::ManageLicenseUsers,
            BatchCommand::SetLicenseUserPassword { .. } => Action::ManageLicenseUserCredentials,
        }
    }

    /// The password this command carries, if any.
    fn password(&self) -> Option<&str> {
        match self {
            BatchCommand::AddLicenseUser { user, .. } => user.password.as_deref(),
            BatchCommand::SetLicenseUserPassword { password, .. } => Some(password.expose()),
            _ => None,
        }
    }
}

/// What one command of a batch returned, in the batch's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchResult {
    /// The order a request, approval, rejection, cancellation, assignment, mint, return or
    /// revocation wrote.
    Order(Box<Order>),
    /// The licenses an issue or an import made.
    Licenses(Vec<License>),
    /// The license a disable, enable or reset changed.
    License(Box<License>),
    /// The license manager an addition or a change of permissions wrote.
    Manager(LicenseManager),
    /// The license user an addition or an edit wrote.
    LicenseUser(LicenseUser),
    /// The requests a bundle request made, one per line.
    Orders(Vec<Order>),
    /// What an issue in bulk did.
    Issued(Box<Issued>),
    /// A deletion (of an order, a license user or a license manager) or a password change
    /// was done.
    Done,
}

impl Session {
    /// Runs `commands` in order in one transaction: all of them take effect, or, at the first
    /// that fails, none does and that command's error is returned as [`Error::InBatch`], with
    /// its position (its `code()` is the command's own; [`Error::command_error`] is the error it
    /// gives on its own). Later commands see the effects of earlier ones (approve a request made earlier
    /// in the batch, issue from an order it assigned). 1 to [`MAX_BATCH`] commands. With an
    /// idempotency key ([`Session::with_idempotency_key`]) the whole batch is one command.
    ///
    /// ```
    /// # use license_inventory::*;
    /// # fn main() -> Result<()> {
    /// # let inv = Inventory::in_memory();
    /// # let t = inv.create_tenant(NewTenant { name: "T".into(), plan: Plan::Standard, vendor_name: "V".into(), first_order_number: None })?;
    /// # let ellen = inv.create_org(t.id, NewOrganization { name: "Ellen Emporium".into(), tier: Tier::Distributor, parent: t.vendor })?;
    /// # let vera = inv.create_user(t.id, NewUser { name: "Vera".into(), email: "vera@example.com".into() })?;
    /// # inv.grant_admin(t.id, vera.id, t.vendor)?;
    /// # inv.grant_admin(t.id, vera.id, ellen.id)?;
    /// # let cl = inv.create_product(t.id, NewProduct { code: "CL".into(), name: "Center License".into(), kind: ProductKind::License })?;
    /// let s = inv.session(t.id, vera.id)?;
    /// let asks: Vec<Order> = (0..3)
    ///     .map(|_| s.request(NewRequest::new(ellen.id, cl.id, 2)))
    ///     .collect::<Result<_>>()?;
    /// let approvals: Vec<BatchCommand> = asks
    ///     .iter()
    ///     .map(|o| BatchCommand::Approve { order: o.id, quantity: None, comments: None })
    ///     .collect();
    /// let done = s.batch(&approvals)?;                 // the vendor mints 6 units at once
    /// assert_eq!(done.len(), 3);
    /// assert!(inv.audit(t.id)?.is_clean());
    /// # Ok(())
    /// # }
    /// ```
    pub fn batch(&self, commands: &[BatchCommand]) -> Result<Vec<BatchResult>> {
        self.by(Action::Batch, || {
            if commands.is_empty() || commands.len() > MAX_BATCH {
                return Err(Error::invalid(
                    "batch",
                    format!(
                        "must hold 1 to {MAX_BATCH} commands, got {}",
                        commands.len()
                    ),
                ));
            }
            // Passwords are hashed before the transaction (Argon2 takes time), and fingerprint
            // a keyed batch with the tenant's keyed hash, never in the clear (decisions §34).
            let hashes = commands
                .iter()
                .enumerate()
                .map(|(index, c)| {
                    c.password()
                        .map(password_hash)
                        .transpose()
                        .map_err(|e| in_batch(index, e.attempted(c.action(), Some(self.user))))
                })
                .collect::<Result<Vec<_>>>()?;
            let secrets: Vec<String> = commands
                .iter()
                .filter_map(BatchCommand::password)
                .map(|p| format!("{}:{p}", p.len()))
                .collect();
            let secret = (!secrets.is_empty()).then(|| secrets.concat());
            self.inv.command_with_secret(
                self.tenant,
                "batch",
                &(self.user, commands),
                secret.as_deref(),
                |tx, now| {
                    commands
                        .iter()
                        .zip(&hashes)
                        .enumerate()
                        .map(|(index, (c, hash))| {
                            self.batch_command(tx, now, c, hash.as_deref())
                                .map_err(|e| {
                                    in_batch(index, e.attempted(c.action(), Some(self.user)))
                                })
                        })
                        .collect()
                },
            )
        })
    }

    /// One command of a batch, as the session method of the same name runs it.
    fn batch_command(
        &self,
        tx: &mut dyn crate::store::Tx,
        now: chrono::DateTime<chrono::Utc>,
        c: &BatchCommand,
        hash: Option<&str>,
    ) -> Result<BatchResult> {
        Ok(match c {
            BatchCommand::Request(new) => {
                BatchResult::Order(Box::new(self.request_in(tx, now, new)?))
            }
            BatchCommand::Approve {
                order,
                quantity,
                comments,
            } => BatchResult::Order(Box::new(self.approve_in(
                tx,
                now,
                *order,
                *quantity,
                comments.as_deref(),
            )?)),
            BatchCommand::Reject { order, comments } => BatchResult::Order(Box::new(
                self.reject_in(tx, now, *order, comments.as_deref())?,
            )),
            BatchCommand::Cancel { order } => {
                BatchResult::Order(Box::new(self.cancel_in(tx, now, *order)?))
            }
            BatchCommand::Assign(new) => {
                BatchResult::Order(Box::new(self.assign_in(tx, now, new)?))
            }
            BatchCommand::Issue { order, quantity } => {
                BatchResult::Licenses(self.issue_in(tx, now, *order, *quantity)?)
            }
            BatchCommand::EditRequest { order, edit } => {
                BatchResult::Order(Box::new(self.edit_request_in(tx, now, *order, edit)?))
            }
            BatchCommand::Mint(new) => BatchResult::Order(Box::new(self.mint_in(tx, now, new)?)),
            BatchCommand::Borrow {
                license,
                borrower,
                seconds,
            } => self.license_result(
                tx,
                now,
                *license,
                LicenseChange::Borrow {
                    borrower,
                    seconds: *seconds,
                },
            )?,
            BatchCommand::ReturnBorrow { license, borrower } => {
                self.license_result(tx, now, *license, LicenseChange::ReturnBorrow(borrower))?
            }
            BatchCommand::ReturnUnits { order, quantity } => {
                BatchResult::Order(Box::new(self.return_units_in(tx, now, *order, *quantity)?))
            }
            BatchCommand::DeleteOrder { order } => {
                self.delete_order_in(tx, now, *order)?;
                BatchResult::Done
            }
            BatchCommand::ImportLicenses { order, keys } => {
                let keys = crate::inventory::imports::checked_keys(keys)?;
                BatchResult::Licenses(self.import_in(tx, now, *order, &keys)?)
            }
            BatchCommand::Revoke { license } => {
                BatchResult::Order(Box::new(self.revoke_in(tx, now, *license)?))
            }
            BatchCommand::Disable { license } => {
                self.license_result(tx, now, *license, LicenseChange::Disable)?
            }
            BatchCommand::Enable { license } => {
                self.license_result(tx, now, *license, LicenseChange::Enable)?
            }
            BatchCommand::ResetDevice {
                license,
                fingerprint,
            } => self.license_result(tx, now, *license, LicenseChange::ResetDevice(fingerprint))?,
            BatchCommand::ResetLicense { license } => {
                self.license_result(tx, now, *license, LicenseChange::ResetLicense)?
            }
            BatchCommand::EditLicenseUser { user, email, name } => BatchResult::LicenseUser(
                self.edit_license_user_in(tx, now, *user, email.as_deref(), name.as_deref())?,
            ),
            BatchCommand::DeleteLicenseUser { user } => {
                self.delete_license_user_in(tx, now, *user)?;
                BatchResult::Done
            }
            BatchCommand::AssignLicense { license, user } => {
                BatchResult::License(Box::new(self.assign_license_in(tx, now, *license, *user)?))
            }
            BatchCommand::AddLicenseManager {
                order,
                user,
                permissions,
            } => BatchResult::Manager(self.add_license_manager_in(
                tx,
                now,
                *order,
                *user,
                permissions,
            )?),
            BatchCommand::SetLicenseManagerPermissions {
                order,
                user,
                permissions,
            } => BatchResult::Manager(self.set_license_manager_permissions_in(
                tx,
                now,
                *order,
                *user,
                permissions,
            )?),
            BatchCommand::RemoveLicenseManager { order, user } => {
                self.remove_license_manager_in(tx, now, *order, *user)?;
                BatchResult::Done
            }
            BatchCommand::EditMetadata { order, edit } => {
                BatchResult::Order(Box::new(self.edit_metadata_in(tx, now, *order, edit)?))
            }
            BatchCommand::SetCustomer { order, customer } => BatchResult::Order(Box::new(
                self.set_customer_in(tx, now, *order, customer.as_ref())?,
            )),
            BatchCommand::IssueInBulk { order, quantity } => {
                BatchResult::Issued(Box::new(self.issue_in_bulk_in(tx, now, *order, *quantity)?))
            }
            BatchCommand::RequestBundle {
                holder,
                bundle,
                purchase_order,
                comments,
            } => BatchResult::Orders(self.request_bundle_in(
                tx,
                now,
                *holder,
                *bundle,
                purchase_order.as_deref(),
                comments.as_deref(),
            )?),
            BatchCommand::AddLicenseUser { order, user } => {
                BatchResult::LicenseUser(self.add_license_user_in(tx, now, *order, user, hash)?)
            }
            BatchCommand::SetLicenseUserPassword { user, .. } => {
                let hash = hash.ok_or_else(|| {
                    Error::InvariantViolated("a password change without its hash".into())
                })?;
                self.set_license_user_password_in(tx, now, *user, hash)?;
                BatchResult::Done
            }
        })
    }

    fn license_result(
        &self,
        tx: &mut dyn crate::store::Tx,
        now: chrono::DateTime<chrono::Utc>,
        license: LicenseId,
        change: LicenseChange<'_>,
    ) -> Result<BatchResult> {
        Ok(BatchResult::License(Box::new(
            self.simple_change_in(tx, now, license, &change)?,
        )))
    }
}

/// A failed batch command's error with its position. A storage failure is left as it is: it
/// is no fault of the command, and the store may retry the whole transaction on it.
fn in_batch(index: usize, error: Error) -> Error {
    match error {
        Error::Storage(_) => error,
        error => Error::InBatch {
            index,
            error: Box::new(error),
        },
    }
}
