//! What the binding takes: plain objects whose fields are checked and converted into the
//! core's inputs (`NewRequest`, options, filters, batch commands). A field left out is
//! `undefined`; each conversion names the field of a bad value (`INVALID_INPUT`).

use std::collections::BTreeMap;

use license_inventory as li;
use napi::bindgen_prelude::{Either, Null};
use napi_derive::napi;

use crate::convert::{Date, id, ids, opt_id, to_u32, to_u64, to_usize};
use crate::records::{
    BundleLine, Customer, LicensePolicy, OrderStatus, Permission, Plan, ProductKind, Synchronous,
    Tier,
};
// ---------------------------------------------------------------------------------------------
// Inputs

/// How to open an SQLite store; what is left out keeps the core's default.
#[napi(object)]
pub struct SqliteOptions {
    /// Durability of each commit.
    pub synchronous: Option<Synchronous>,
    /// How long a writer waits for another connection's write lock before failing, in ms.
    pub busy_timeout_ms: Option<f64>,
    /// Upgrade an older schema (true) or refuse to open it.
    pub migrate: Option<bool>,
    /// The most commands one transaction may carry (group commit); 1 = no grouping.
    pub group_commit: Option<f64>,
    /// The page size, in bytes, of a database file this call creates: a power of two from 512
    /// to 65536 (default 2048). An existing file keeps the size it was created with.
    pub page_size: Option<f64>,
}

impl SqliteOptions {
    pub(crate) fn into_core(self) -> li::Result<li::SqliteOptions> {
        let mut options = li::SqliteOptions::default();
        if let Some(s) = self.synchronous {
            options.synchronous = s.into();
        }
        if let Some(ms) = self.busy_timeout_ms {
            options.busy_timeout = std::time::Duration::from_millis(to_u64("busy_timeout", ms)?);
        }
        if let Some(m) = self.migrate {
            options.migrate = m;
        }
        if let Some(n) = self.group_commit {
            options.group_commit = to_usize("group_commit", n)?;
        }
        if let Some(n) = self.page_size {
            // The core's field name, so every refusal of this option names the same field.
            options.page_size = to_u32("page_size", n)?;
        }
        Ok(options)
    }
}

/// How to open a PostgreSQL store; what is left out keeps the core's default.
#[napi(object)]
pub struct PostgresOptions {
    /// Connections this handle may open to the database.
    pub max_connections: Option<f64>,
    /// How often a transaction is retried after a serialization failure or deadlock.
    pub max_retries: Option<f64>,
    /// Upgrade an older schema (true) or refuse to open it.
    pub migrate: Option<bool>,
    /// The most commands of a tenant one transaction may carry (group commit); 1 = no grouping.
    pub group_commit: Option<f64>,
}

impl PostgresOptions {
    pub(crate) fn into_core(self) -> li::Result<li::PostgresOptions> {
        let mut options = li::PostgresOptions::default();
        if let Some(n) = self.max_connections {
            options.max_connections = to_usize("max_connections", n)?;
        }
        if let Some(n) = self.max_retries {
            options.max_retries =
                u32::try_from(to_u64("max_retries", n)?).map_err(|_| li::Error::InvalidInput {
                    attempt: None,
                    field: "max_retries",
                    reason: format!("{n} is too large"),
                })?;
        }
        if let Some(m) = self.migrate {
            options.migrate = m;
        }
        if let Some(n) = self.group_commit {
            options.group_commit = to_usize("group_commit", n)?;
        }
        Ok(options)
    }
}

/// What `createTenant` needs.
#[napi(object)]
pub struct NewTenant {
    /// Display name of the tenant.
    pub name: String,
    /// Pricing plan.
    pub plan: Plan,
    /// Name of the vendor (root) organization.
    pub vendor_name: String,
    /// First order number (default 1).
    pub first_order_number: Option<f64>,
}

impl NewTenant {
    pub(crate) fn into_core(self) -> li::Result<li::NewTenant> {
        Ok(li::NewTenant {
            name: self.name,
            plan: self.plan.into(),
            vendor_name: self.vendor_name,
            first_order_number: self
                .first_order_number
                .map(|n| to_u64("first order number", n))
                .transpose()?,
        })
    }
}

/// What `createOrg` needs.
#[napi(object)]
pub struct NewOrganization {
    /// Display name.
    pub name: String,
    /// Tier (anything but `vendor`).
    pub tier: Tier,
    /// The parent organization's id.
    pub parent: String,
}

impl NewOrganization {
    pub(crate) fn into_core(self) -> li::Result<li::NewOrganization> {
        Ok(li::NewOrganization {
            name: self.name,
            tier: self.tier.into(),
            parent: id(&self.parent)?,
        })
    }
}

/// What `createUser` needs.
#[napi(object)]
pub struct NewUser {
    /// Full name.
    pub name: String,
    /// Email address (unique within the tenant).
    pub email: String,
}

impl From<NewUser> for li::NewUser {
    fn from(u: NewUser) -> Self {
        li::NewUser {
            name: u.name,
            email: u.email,
        }
    }
}

/// What `createProduct` needs.
#[napi(object)]
pub struct NewProduct {
    /// Short code, unique within the tenant (e.g. `CL`).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Delivery kind.
    pub kind: ProductKind,
    /// The policy of its licenses; the core's default (perpetual, one device, not floating,
    /// not a trial) when left out.
    pub policy: Option<LicensePolicy>,
}

impl NewProduct {
    /// The core's product and, if given, its policy.
    pub(crate) fn into_core(self) -> li::Result<(li::NewProduct, Option<li::LicensePolicy>)> {
        let policy = self.policy.map(LicensePolicy::into_core).transpose()?;
        let product = li::NewProduct {
            code: self.code,
            name: self.name,
            kind: self.kind.into(),
        };
        Ok((product, policy))
    }
}

/// What `mint` needs: new stock into an order the vendor holds.
#[napi(object)]
pub struct NewMint {
    /// The product's id.
    pub product: String,
    /// Units to mint.
    pub quantity: f64,
    /// Purchase order reference.
    pub purchase_order: Option<String>,
    /// Comments.
    pub comments: Option<String>,
}

impl NewMint {
    pub(crate) fn into_core(self) -> li::Result<li::NewMint> {
        Ok(li::NewMint {
            product: id(&self.product)?,
            quantity: to_u64("quantity", self.quantity)?,
            purchase_order: self.purchase_order,
            comments: self.comments,
        })
    }
}

/// What `request` needs: units asked of the holder's parent organization.
#[napi(object)]
pub struct NewRequest {
    /// The requesting organization's id (the actor must be one of its admins).
    pub holder: String,
    /// The product's id.
    pub product: String,
    /// Units asked for.
    pub quantity: f64,
    /// Purchase order reference.
    pub purchase_order: Option<String>,
    /// Requester comments.
    pub comments: Option<String>,
}

impl NewRequest {
    pub(crate) fn into_core(self) -> li::Result<li::NewRequest> {
        Ok(li::NewRequest {
            holder: id(&self.holder)?,
            product: id(&self.product)?,
            quantity: to_u64("quantity", self.quantity)?,
            purchase_order: self.purchase_order,
            comments: self.comments,
        })
    }
}

/// Changes to a pending request: a field left out stays as it is; `''` clears a text field.
#[napi(object)]
pub struct RequestEdit {
    /// New purchase order reference.
    pub purchase_order: Option<String>,
    /// New product id.
    pub product: Option<String>,
    /// New quantity.
    pub quantity: Option<f64>,
    /// New requester comments.
    pub comments: Option<String>,
}

impl RequestEdit {
    pub(crate) fn into_core(self) -> li::Result<li::RequestEdit> {
        Ok(li::RequestEdit {
            purchase_order: self.purchase_order,
            product: opt_id(self.product)?,
            quantity: self.quantity.map(|q| to_u64("quantity", q)).transpose()?,
            comments: self.comments,
        })
    }
}

/// What `assign` needs: units pushed from an organization to one of its children.
#[napi(object)]
pub struct NewAssignment {
    /// The assigning organization's id (the actor must be one of its admins).
    pub from: String,
    /// The receiving child organization's id.
    pub to: String,
    /// The product's id.
    pub product: String,
    /// Units to assign.
    pub quantity: f64,
    /// Purchase order reference.
    pub purchase_order: Option<String>,
    /// Comments.
    pub comments: Option<String>,
}

impl NewAssignment {
    pub(crate) fn into_core(self) -> li::Result<li::NewAssignment> {
        Ok(li::NewAssignment {
            from: id(&self.from)?,
            to: id(&self.to)?,
            product: id(&self.product)?,
            quantity: to_u64("quantity", self.quantity)?,
            purchase_order: self.purchase_order,
            comments: self.comments,
        })
    }
}

/// Options of `approve`.
#[napi(object)]
pub struct ApproveOptions {
    /// Units approved (1 to the requested quantity); the requested quantity when left out.
    pub quantity: Option<f64>,
    /// Approval comments.
    pub comments: Option<String>,
}

/// Options of `reject`.
#[napi(object)]
pub struct RejectOptions {
    /// Rejection comments.
    pub comments: Option<String>,
}

/// Paging of a directory list (`searchOrgs`, `childOrgs`, `subtree`, `searchUsers`,
/// `products`, `bundles`).
#[napi(object, object_to_js = false)]
pub struct PageOptions {
    /// The `next` cursor of the previous page.
    pub cursor: Option<String>,
    /// Entries per page (1 to 1000; default 100).
    pub limit: Option<f64>,
}

impl PageOptions {
    /// The core cursor and page size (the defaults when `options` is left out).
    pub(crate) fn into_core(options: Option<Self>) -> li::Result<(Option<li::NameCursor>, usize)> {
        let Some(o) = options else {
            return Ok((None, li::DEFAULT_PAGE));
        };
        let cursor = o.cursor.as_deref().map(str::parse).transpose()?;
        let limit = o
            .limit
            .map(|l| to_usize("limit", l))
            .transpose()?
            .unwrap_or(li::DEFAULT_PAGE);
        Ok((cursor, limit))
    }
}

/// Filters and paging of `list`. Everything left out matches everything.
#[napi(object, object_to_js = false)]
pub struct ListOptions {
    /// Only these statuses.
    pub statuses: Option<Vec<OrderStatus>>,
    /// Only these product ids.
    pub products: Option<Vec<String>>,
    /// Only this order number.
    pub order_number: Option<f64>,
    /// Only purchase orders containing this text (case-insensitive).
    pub purchase_order: Option<String>,
    /// Only orders requested at or after this time.
    pub requested_from: Option<Date>,
    /// Only orders requested strictly before this time.
    pub requested_to: Option<Date>,
    /// Only orders requested by this organization (its id).
    pub requested_by_org: Option<String>,
    /// The `next` cursor of the previous page.
    pub cursor: Option<String>,
    /// Items per page (1 to 1000; default 100).
    pub limit: Option<f64>,
}

impl ListOptions {
    /// The core filter, cursor and page size.
    pub(crate) fn into_core(self) -> li::Result<(li::InventoryFilter, Option<li::Cursor>, usize)> {
        let filter = InventoryFilter {
            statuses: self.statuses,
            products: self.products,
            order_number: self.order_number,
            purchase_order: self.purchase_order,
            requested_from: self.requested_from,
            requested_to: self.requested_to,
            requested_by_org: self.requested_by_org,
        }
        .into_core()?;
        let cursor = self.cursor.as_deref().map(str::parse).transpose()?;
        let limit = self
            .limit
            .map(|l| to_usize("limit", l))
            .transpose()?
            .unwrap_or(li::DEFAULT_PAGE);
        Ok((filter, cursor, limit))
    }
}

/// Which orders of an organization `exportInventoryCsv` writes (the filters of `list`).
/// Everything left out matches everything.
#[napi(object, object_to_js = false)]
pub struct InventoryFilter {
    /// Only these statuses.
    pub statuses: Option<Vec<OrderStatus>>,
    /// Only these product ids.
    pub products: Option<Vec<String>>,
    /// Only this order number.
    pub order_number: Option<f64>,
    /// Only purchase orders containing this text (case-insensitive).
    pub purchase_order: Option<String>,
    /// Only orders requested at or after this time.
    pub requested_from: Option<Date>,
    /// Only orders requested strictly before this time.
    pub requested_to: Option<Date>,
    /// Only orders requested by this organization (its id).
    pub requested_by_org: Option<String>,
}

impl InventoryFilter {
    /// The core filter.
    pub(crate) fn into_core(self) -> li::Result<li::InventoryFilter> {
        Ok(li::InventoryFilter {
            statuses: self
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            products: ids(self.products)?,
            order_number: self
                .order_number
                .map(|n| to_u64("order number", n).map(li::OrderNumber))
                .transpose()?,
            purchase_order: self.purchase_order,
            requested_from: Date::opt(self.requested_from, "requested from")?,
            requested_to: Date::opt(self.requested_to, "requested to")?,
            requested_by_org: self
                .requested_by_org
                .as_deref()
                .map(str::parse)
                .transpose()?,
        })
    }
}

/// Paging of `ledger`.
#[napi(object)]
pub struct LedgerOptions {
    /// Only entries with a sequence number above this one (default 0: from the start).
    pub after: Option<f64>,
    /// Entries per call (1 to 1000; default 100).
    pub limit: Option<f64>,
}

impl LedgerOptions {
    /// `(after, limit)` for the core.
    pub(crate) fn into_core(self) -> li::Result<(u64, usize)> {
        Ok((
            self.after
                .map(|a| to_u64("after", a))
                .transpose()?
                .unwrap_or(0),
            self.limit
                .map(|l| to_usize("limit", l))
                .transpose()?
                .unwrap_or(li::DEFAULT_PAGE),
        ))
    }
}

/// Which ledger entries `ledgerMatching` returns: those that satisfy every filter given (all of
/// them when everything is left out).
#[napi(object, object_to_js = false)]
pub struct LedgerFilter {
    /// Only entries about this order id, or moving its quantities.
    pub order: Option<String>,
    /// Only entries about this organization id, or moving the quantities of an order it holds.
    pub org: Option<String>,
    /// Only entries recorded at or after this time.
    pub from: Option<Date>,
    /// Only entries recorded strictly before this time.
    pub to: Option<Date>,
}

impl LedgerFilter {
    /// The core filter.
    pub(crate) fn into_core(self) -> li::Result<li::LedgerFilter> {
        Ok(li::LedgerFilter {
            order: opt_id(self.order)?,
            org: opt_id(self.org)?,
            from: Date::opt(self.from, "from")?,
            to: Date::opt(self.to, "to")?,
        })
    }
}

/// What `createBundle` needs: a named set of (product, quantity) lines.
#[napi(object)]
pub struct NewBundle {
    /// Display name ("Classroom pack").
    pub name: String,
    /// Its lines (at least one; a product at most once).
    pub lines: Vec<BundleLine>,
}

impl NewBundle {
    pub(crate) fn into_core(self) -> li::Result<li::NewBundle> {
        Ok(li::NewBundle {
            name: self.name,
            lines: self
                .lines
                .into_iter()
                .map(BundleLine::into_core)
                .collect::<li::Result<_>>()?,
        })
    }
}

/// What `requestBundle` needs: one request per line of the bundle, from the holder's parent.
#[napi(object)]
pub struct NewBundleRequest {
    /// The requesting organization's id.
    pub holder: String,
    /// The bundle's id.
    pub bundle: String,
    /// Purchase order reference (on every order of the bundle).
    pub purchase_order: Option<String>,
    /// Requester comments.
    pub comments: Option<String>,
}

/// Changes to an order's metadata: a field left out stays as it is; `''` clears a text field;
/// `campaign` replaces all the campaign parameters.
#[napi(object)]
pub struct MetadataEdit {
    /// New order reference.
    pub reference: Option<String>,
    /// New campaign parameters (key → value), replacing them all.
    pub campaign: Option<BTreeMap<String, String>>,
    /// New download id.
    pub download_id: Option<String>,
    /// New test flag.
    pub is_test: Option<bool>,
    /// New trial flag (licenses issued from now on are trials).
    pub is_trial: Option<bool>,
}

impl From<MetadataEdit> for li::MetadataEdit {
    fn from(e: MetadataEdit) -> Self {
        li::MetadataEdit {
            reference: e.reference,
            campaign: e.campaign,
            download_id: e.download_id,
            is_test: e.is_test,
            is_trial: e.is_trial,
        }
    }
}

/// What `addLicenseUser` needs.
#[napi(object)]
pub struct NewLicenseUser {
    /// Email (unique within the order).
    pub email: String,
    /// Name.
    pub name: Option<String>,
    /// Initial password (kept only as an Argon2id hash; at least 8 characters).
    pub password: Option<String>,
}

impl From<NewLicenseUser> for li::NewLicenseUser {
    fn from(u: NewLicenseUser) -> Self {
        li::NewLicenseUser {
            email: u.email,
            name: u.name,
            password: u.password,
        }
    }
}

/// Changes to a license user: a field left out stays as it is; `name: ''` clears the name.
#[napi(object)]
pub struct LicenseUserEdit {
    /// New email.
    pub email: Option<String>,
    /// New name.
    pub name: Option<String>,
}

/// Paging of `licenses`.
#[napi(object)]
pub struct LicenseListOptions {
    /// Only licenses after this license id (the last id of the previous page).
    pub after: Option<String>,
    /// Licenses per call (1 to 1000; default 100).
    pub limit: Option<f64>,
}

impl LicenseListOptions {
    /// `(after, limit)` for the core.
    pub(crate) fn into_core(self) -> li::Result<(Option<li::LicenseId>, usize)> {
        Ok((
            opt_id(self.after)?,
            self.limit
                .map(|l| to_usize("limit", l))
                .transpose()?
                .unwrap_or(li::DEFAULT_PAGE),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Batches

/// The kinds of batch command, as `kind` spells them.
const BATCH_KINDS: &str = "'request', 'edit_request', 'approve', 'reject', 'cancel', 'assign', \
     'issue', 'mint', 'borrow', 'return_borrow', 'edit_license_user', 'delete_license_user', \
     'assign_license', \
     'return_units', 'delete_order', 'import_licenses', 'revoke', 'disable', 'enable', \
     'reset_device', 'reset_license', 'add_license_manager', 'set_license_manager_permissions', \
     'remove_license_manager', 'edit_metadata', 'set_customer', 'issue_in_bulk', 'request_bundle', \
     'add_license_user' or 'set_license_user_password'";

/// How the binding reads one command of `Session.batch`: `kind` and every field any kind
/// takes, flat. Write a `BatchCommand` (the discriminated union on `kind`); each command is
/// checked against its kind's fields when the batch runs: a missing `kind` or field, an
/// unknown `kind`, or a field its kind does not take rejects with `INVALID_INPUT` (`field`
/// names the field, `reason` starts with `batch command <index>`).
#[napi(object)]
pub struct BatchCommandFields {
    /// The command: the session method's name in snake case (`'approve'`, `'reset_device'`, …).
    pub kind: Option<String>,
    /// The order (approve, reject, cancel, issue, …).
    pub order: Option<String>,
    /// Units (request, assign, issue, issue_in_bulk; approve: default all requested).
    pub quantity: Option<f64>,
    /// Comments (request, approve, reject, assign).
    pub comments: Option<String>,
    /// The requesting organization (request, request_bundle).
    pub holder: Option<String>,
    /// The product (request, assign).
    pub product: Option<String>,
    /// The assigning organization (assign).
    pub from: Option<String>,
    /// The receiving child organization (assign).
    pub to: Option<String>,
    /// Purchase order reference (request, assign, mint, request_bundle).
    pub purchase_order: Option<String>,
    /// The license (revoke, disable, enable, reset_device, reset_license).
    pub license: Option<String>,
    /// The device to remove (reset_device).
    pub fingerprint: Option<String>,
    /// The manager (add_license_manager, set_license_manager_permissions,
    /// remove_license_manager) or the license user (edit_license_user, delete_license_user,
    /// assign_license, set_license_user_password).
    pub user: Option<String>,
    /// Permissions (add_license_manager, set_license_manager_permissions).
    pub permissions: Option<Vec<Permission>>,
    /// Existing keys (import_licenses).
    pub keys: Option<Vec<String>>,
    /// Who borrows, or whose borrow ends (borrow, return_borrow).
    pub borrower: Option<String>,
    /// How long a borrow lasts, in seconds (borrow).
    pub seconds: Option<f64>,
    /// Email (add_license_user; edit_license_user: the new one).
    pub email: Option<String>,
    /// Name (add_license_user; edit_license_user: the new one).
    pub name: Option<String>,
    /// A password (add_license_user: the initial one; set_license_user_password).
    pub password: Option<String>,
    /// New order reference (edit_metadata).
    pub reference: Option<String>,
    /// New campaign parameters, replacing them all (edit_metadata).
    pub campaign: Option<BTreeMap<String, String>>,
    /// New download id (edit_metadata).
    pub download_id: Option<String>,
    /// New test flag (edit_metadata).
    pub is_test: Option<bool>,
    /// New trial flag (edit_metadata).
    pub is_trial: Option<bool>,
    /// The customer; `null` or left out removes it (set_customer).
    pub customer: Option<Either<Customer, Null>>,
    /// The bundle (request_bundle).
    pub bundle: Option<String>,
}

impl BatchCommandFields {
    /// The core command; `index` (its place in the batch) names it in errors.
    fn into_core(self, index: usize) -> li::Result<li::BatchCommand> {
        let BatchCommandFields {
            kind,
            order,
            quantity,
            comments,
            holder,
            product,
            from,
            to,
            purchase_order,
            license,
            fingerprint,
            user,
            permissions,
            keys,
            borrower,
            seconds,
            email,
            name,
            password,
            reference,
            campaign,
            download_id,
            is_test,
            is_trial,
            customer,
            bundle,
        } = self;
        let Some(kind) = kind else {
            return Err(li::Error::InvalidInput {
                attempt: None,
                field: "kind",
                reason: format!("batch command {index}: missing (one of {BATCH_KINDS})"),
            });
        };
        let takes: &[&str] = match kind.as_str() {
            "request" => &["holder", "product", "quantity", "purchaseOrder", "comments"],
            "approve" => &["order", "quantity", "comments"],
            "reject" => &["order", "comments"],
            "cancel" => &["order"],
            "assign" => &[
                "from",
                "to",
                "product",
                "quantity",
                "purchaseOrder",
                "comments",
            ],
            "issue" => &["order", "quantity"],
            "mint" => &["product", "quantity", "purchaseOrder", "comments"],
            "edit_request" => &["order", "purchaseOrder", "product", "quantity", "comments"],
            "borrow" => &["license", "borrower", "seconds"],
            "return_borrow" => &["license", "borrower"],
            "edit_license_user" => &["user", "email", "name"],
            "delete_license_user" => &["user"],
            "assign_license" => &["license", "user"],
            "return_units" => &["order", "quantity"],
            "delete_order" => &["order"],
            "import_licenses" => &["order", "keys"],
            "revoke" | "disable" | "enable" | "reset_license" => &["license"],
            "reset_device" => &["license", "fingerprint"],
            "add_license_manager" | "set_license_manager_permissions" => {
                &["order", "user", "permissions"]
            }
            "remove_license_manager" => &["order", "user"],
            "edit_metadata" => &[
                "order",
                "reference",
                "campaign",
                "downloadId",
                "isTest",
                "isTrial",
            ],
            "set_customer" => &["order", "customer"],
            "issue_in_bulk" => &["order", "quantity"],
            "request_bundle" => &["holder", "bundle", "purchaseOrder", "comments"],
            "add_license_user" => &["order", "email", "name", "password"],
            "set_license_user_password" => &["user", "password"],
            _ => {
                return Err(li::Error::InvalidInput {
                    attempt: None,
                    field: "kind",
                    reason: format!("batch command {index}: '{kind}' is not one of {BATCH_KINDS}"),
                });
            }
        };
        let at = At { index, kind: &kind };
        let given = [
            ("order", order.is_some()),
            ("quantity", quantity.is_some()),
            ("comments", comments.is_some()),
            ("holder", holder.is_some()),
            ("product", product.is_some()),
            ("from", from.is_some()),
            ("to", to.is_some()),
            ("purchaseOrder", purchase_order.is_some()),
            ("license", license.is_some()),
            ("fingerprint", fingerprint.is_some()),
            ("user", user.is_some()),
            ("permissions", permissions.is_some()),
            ("keys", keys.is_some()),
            ("borrower", borrower.is_some()),
            ("seconds", seconds.is_some()),
            ("email", email.is_some()),
            ("name", name.is_some()),
            ("password", password.is_some()),
            ("reference", reference.is_some()),
            ("campaign", campaign.is_some()),
            ("downloadId", download_id.is_some()),
            ("isTest", is_test.is_some()),
            ("isTrial", is_trial.is_some()),
            ("customer", customer.is_some()),
            ("bundle", bundle.is_some()),
        ];
        if let Some((field, _)) = given.iter().find(|(f, is)| *is && !takes.contains(f)) {
            return Err(at.error(field, format!("{kind} does not take {field}")));
        }
        let order_id = |order: Option<String>| -> li::Result<li::OrderId> {
            at.value(id(&at.need(order, "order")?))
        };
        Ok(match kind.as_str() {
            "request" => li::BatchCommand::Request(
                at.value(
                    NewRequest {
                        holder: at.need(holder, "holder")?,
                        product: at.need(product, "product")?,
                        quantity: at.need(quantity, "quantity")?,
                        purchase_order,
                        comments,
                    }
                    .into_core(),
                )?,
            ),
            "approve" => li::BatchCommand::Approve {
                order: order_id(order)?,
                quantity: at.value(quantity.map(|q| to_u64("quantity", q)).transpose())?,
                comments,
            },
            "reject" => li::BatchCommand::Reject {
                order: order_id(order)?,
                comments,
            },
            "cancel" => li::BatchCommand::Cancel {
                order: order_id(order)?,
            },
            "assign" => li::BatchCommand::Assign(
                at.value(
                    NewAssignment {
                        from: at.need(from, "from")?,
                        to: at.need(to, "to")?,
                        product: at.need(product, "product")?,
                        quantity: at.need(quantity, "quantity")?,
                        purchase_order,
                        comments,
                    }
                    .into_core(),
                )?,
            ),
            "issue" => li::BatchCommand::Issue {
                order: order_id(order)?,
                quantity: at.value(to_u64("quantity", at.need(quantity, "quantity")?))?,
            },
            "mint" => li::BatchCommand::Mint(
                at.value(
                    NewMint {
                        product: at.need(product, "product")?,
                        quantity: at.need(quantity, "quantity")?,
                        purchase_order,
                        comments,
                    }
                    .into_core(),
                )?,
            ),
            "edit_request" => li::BatchCommand::EditRequest {
                order: order_id(order)?,
                edit: at.value(
                    RequestEdit {
                        purchase_order,
                        product,
                        quantity,
                        comments,
                    }
                    .into_core(),
                )?,
            },
            "borrow" => li::BatchCommand::Borrow {
                license: at.value(id(&at.need(license, "license")?))?,
                borrower: at.need(borrower, "borrower")?,
                seconds: at.value(to_u32("seconds", at.need(seconds, "seconds")?))?,
            },
            "return_borrow" => li::BatchCommand::ReturnBorrow {
                license: at.value(id(&at.need(license, "license")?))?,
                borrower: at.need(borrower, "borrower")?,
            },
            "edit_license_user" => li::BatchCommand::EditLicenseUser {
                user: at.value(id(&at.need(user, "user")?))?,
                email,
                name,
            },
            "delete_license_user" => li::BatchCommand::DeleteLicenseUser {
                user: at.value(id(&at.need(user, "user")?))?,
            },
            "assign_license" => li::BatchCommand::AssignLicense {
                license: at.value(id(&at.need(license, "license")?))?,
                user: at.value(user.as_deref().map(id).transpose())?,
            },
            "return_units" => li::BatchCommand::ReturnUnits {
                order: order_id(order)?,
                quantity: at.value(to_u64("quantity", at.need(quantity, "quantity")?))?,
            },
            "delete_order" => li::BatchCommand::DeleteOrder {
                order: order_id(order)?,
            },
            "import_licenses" => li::BatchCommand::ImportLicenses {
                order: order_id(order)?,
                keys: at.need(keys, "keys")?,
            },
            "add_license_manager" | "set_license_manager_permissions" => {
                let order = order_id(order)?;
                let user = at.value(id(&at.need(user, "user")?))?;
                let permissions = at
                    .need(permissions, "permissions")?
                    .into_iter()
                    .map(Into::into)
                    .collect();
                if kind == "add_license_manager" {
                    li::BatchCommand::AddLicenseManager {
                        order,
                        user,
                        permissions,
                    }
                } else {
                    li::BatchCommand::SetLicenseManagerPermissions {
                        order,
                        user,
                        permissions,
                    }
                }
            }
            "remove_license_manager" => li::BatchCommand::RemoveLicenseManager {
                order: order_id(order)?,
                user: at.value(id(&at.need(user, "user")?))?,
            },
            "edit_metadata" => li::BatchCommand::EditMetadata {
                order: order_id(order)?,
                edit: MetadataEdit {
                    reference,
                    campaign,
                    download_id,
                    is_test,
                    is_trial,
                }
                .into(),
            },
            "set_customer" => li::BatchCommand::SetCustomer {
                order: order_id(order)?,
                customer: at.value(
                    customer
                        .and_then(|c| match c {
                            Either::A(customer) => Some(customer.into_core()),
                            Either::B(Null) => None,
                        })
                        .transpose(),
                )?,
            },
            "issue_in_bulk" => li::BatchCommand::IssueInBulk {
                order: order_id(order)?,
                quantity: at.value(to_u64("quantity", at.need(quantity, "quantity")?))?,
            },
            "request_bundle" => li::BatchCommand::RequestBundle {
                holder: at.value(id(&at.need(holder, "holder")?))?,
                bundle: at.value(id(&at.need(bundle, "bundle")?))?,
                purchase_order,
                comments,
            },
            "add_license_user" => li::BatchCommand::AddLicenseUser {
                order: order_id(order)?,
                user: NewLicenseUser {
                    email: at.need(email, "email")?,
                    name,
                    password,
                }
                .into(),
            },
            "set_license_user_password" => li::BatchCommand::SetLicenseUserPassword {
                user: at.value(id(&at.need(user, "user")?))?,
                password: at.need(password, "password")?.into(),
            },
            // The license commands: the kind was checked above.
            _ => {
                let license = at.value(id(&at.need(license, "license")?))?;
                match kind.as_str() {
                    "revoke" => li::BatchCommand::Revoke { license },
                    "disable" => li::BatchCommand::Disable { license },
                    "enable" => li::BatchCommand::Enable { license },
                    "reset_license" => li::BatchCommand::ResetLicense { license },
                    _ => li::BatchCommand::ResetDevice {
                        license,
                        fingerprint: at.need(fingerprint, "fingerprint")?,
                    },
                }
            }
        })
    }
}

/// One command of a batch being read: its errors name its place and kind.
struct At<'a> {
    index: usize,
    kind: &'a str,
}

impl At<'_> {
    /// `INVALID_INPUT` for `field` of this command.
    fn error(&self, field: &'static str, what: impl std::fmt::Display) -> li::Error {
        li::Error::InvalidInput {
            attempt: None,
            field,
            reason: format!("batch command {} ({}): {what}", self.index, self.kind),
        }
    }

    /// A field the command's kind needs.
    fn need<T>(&self, v: Option<T>, field: &'static str) -> li::Result<T> {
        v.ok_or_else(|| self.error(field, "missing"))
    }

    /// A converted value, its `INVALID_INPUT` naming the command.
    fn value<T>(&self, v: li::Result<T>) -> li::Result<T> {
        v.map_err(|err| match err {
            li::Error::InvalidInput { field, reason, .. } => self.error(field, reason),
            other => other,
        })
    }
}

/// The core commands of a batch, in order; the first malformed one is the error.
pub(crate) fn batch_commands(
    commands: Vec<BatchCommandFields>,
) -> li::Result<Vec<li::BatchCommand>> {
    commands
        .into_iter()
        .enumerate()
        .map(|(index, c)| c.into_core(index))
        .collect()
}
