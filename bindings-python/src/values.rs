//! The value classes the table leaves to each binding: [`Validity`] (a sum type), [`Page`]
//! (generic in the core) and [`BatchCommand`] (an input with its constructors). The records
//! and enums of the table are generated (`records.rs`).

use license_inventory as core;
use pyo3::prelude::*;

use crate::convert::{self, parse, repr_opt, string_map, whole, whole_u32};
use crate::records::{Bundle, Customer, OrderDetails, OrgInTree, Organization, Product, User};

/// How long a license is valid: perpetual, or N days from its first activation or from issue.
/// Built with `Validity.perpetual()`, `Validity.days_from_activation(n)` or
/// `Validity.days_from_issue(n)`.
#[pyclass(frozen, eq, hash, from_py_object, module = "license_inventory._native")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Validity(pub core::Validity);

#[pymethods]
impl Validity {
    /// Never expires.
    #[staticmethod]
    fn perpetual() -> Self {
        Validity(core::Validity::Perpetual)
    }
    /// Valid for `days` days from the license's first activation.
    #[staticmethod]
    fn days_from_activation(py: Python<'_>, days: &Bound<'_, PyAny>) -> PyResult<Self> {
        whole_u32(py, "validity", days).map(|d| Validity(core::Validity::DaysFromActivation(d)))
    }
    /// Valid for `days` days from the license's issue.
    #[staticmethod]
    fn days_from_issue(py: Python<'_>, days: &Bound<'_, PyAny>) -> PyResult<Self> {
        whole_u32(py, "validity", days).map(|d| Validity(core::Validity::DaysFromIssue(d)))
    }
    /// Which kind of validity.
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::validity_kind(py, self.kind_str())
    }
    /// The number of days; `None` when perpetual.
    #[getter]
    fn days(&self) -> Option<u32> {
        match self.0 {
            core::Validity::Perpetual => None,
            core::Validity::DaysFromActivation(d) | core::Validity::DaysFromIssue(d) => Some(d),
        }
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        Self::repr_of(py, &self.0)
    }
}

impl Validity {
    /// The `__repr__` of a core value (also used by `LicensePolicy`'s).
    pub(crate) fn repr_of(_py: Python<'_>, value: &core::Validity) -> String {
        let v = Validity(*value);
        match v.days() {
            None => format!("Validity.{}()", v.kind_str()),
            Some(d) => format!("Validity.{}({d})", v.kind_str()),
        }
    }

    fn kind_str(&self) -> &'static str {
        match self.0 {
            core::Validity::Perpetual => "perpetual",
            core::Validity::DaysFromActivation(_) => "days_from_activation",
            core::Validity::DaysFromIssue(_) => "days_from_issue",
        }
    }
}

/// One page of an inventory list, newest first.
#[pyclass(frozen, eq, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct Page(pub core::Page<core::OrderDetails>);

#[pymethods]
impl Page {
    /// The orders of this page.
    #[getter]
    fn items(&self) -> Vec<OrderDetails> {
        self.0.items.iter().cloned().map(OrderDetails).collect()
    }
    /// The cursor of the next page (pass it back to `Session.list`); `None` on the last page.
    #[getter]
    fn next(&self) -> Option<String> {
        self.0.next.map(|c| c.to_string())
    }
    fn __len__(&self) -> usize {
        self.0.items.len()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let numbers: Vec<String> = self
            .0
            .items
            .iter()
            .map(|d| d.order.number.to_string())
            .collect();
        format!(
            "Page(numbers=[{}], next={})",
            numbers.join(", "),
            repr_opt(py, self.0.next.map(|c| c.to_string()).as_deref())
        )
    }
}

/// One page of a directory list, in name order: `items` and the `next` cursor (pass it back as
/// `cursor`; `None` on the last page).
macro_rules! name_page {
    ($page:ident, $item:ident, $core:ty, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, eq, module = "license_inventory._native")]
        #[derive(Clone, PartialEq)]
        pub struct $page(pub core::Page<$core, core::NameCursor>);

        #[pymethods]
        impl $page {
            /// The entries of this page.
            #[getter]
            fn items(&self) -> Vec<$item> {
                self.0.items.iter().cloned().map($item).collect()
            }
            /// The cursor of the next page (pass it back as `cursor`); `None` on the last page.
            #[getter]
            fn next(&self) -> Option<String> {
                self.0.next.as_ref().map(|c| c.to_string())
            }
            fn __len__(&self) -> usize {
                self.0.items.len()
            }
            fn __repr__(&self, py: Python<'_>) -> String {
                format!(
                    "{}(items={}, next={})",
                    stringify!($page),
                    self.0.items.len(),
                    repr_opt(py, self.0.next.as_ref().map(|c| c.to_string()).as_deref())
                )
            }
        }
    };
}

name_page!(
    OrgPage,
    Organization,
    core::Organization,
    "One page of organizations, in name order."
);
name_page!(
    OrgTreePage,
    OrgInTree,
    core::OrgInTree,
    "One page of a subtree: level by level, each level in name order."
);
name_page!(
    UserPage,
    User,
    core::User,
    "One page of users, in name order."
);
name_page!(
    ProductPage,
    Product,
    core::Product,
    "One page of products, in name order."
);
name_page!(
    BundlePage,
    Bundle,
    core::Bundle,
    "One page of bundles, in name order."
);

/// One command of `Session.batch`, made with its constructor (`BatchCommand.approve(order)`,
/// `BatchCommand.issue(order, 3)`, …): the same inputs and rules as the session method of the
/// same name.
#[pyclass(frozen, eq, from_py_object, module = "license_inventory._native")]
#[derive(Clone, PartialEq)]
pub struct BatchCommand(pub core::BatchCommand);

#[pymethods]
impl BatchCommand {
    /// `Session.request` in a batch.
    #[staticmethod]
    #[pyo3(signature = (holder, product, quantity, *, purchase_order=None, comments=None))]
    fn request(
        py: Python<'_>,
        holder: &str,
        product: &str,
        quantity: &Bound<'_, PyAny>,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Request(
            core::NewRequest {
                holder: parse(py, holder)?,
                product: parse(py, product)?,
                quantity: whole(py, "quantity", quantity)?,
                purchase_order,
                comments,
            },
        )))
    }
    /// `Session.approve` in a batch.
    #[staticmethod]
    #[pyo3(signature = (order, *, quantity=None, comments=None))]
    fn approve(
        py: Python<'_>,
        order: &str,
        quantity: Option<&Bound<'_, PyAny>>,
        comments: Option<String>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Approve {
            order: parse(py, order)?,
            quantity: quantity.map(|q| whole(py, "quantity", q)).transpose()?,
            comments,
        }))
    }
    /// `Session.reject` in a batch.
    #[staticmethod]
    #[pyo3(signature = (order, *, comments=None))]
    fn reject(py: Python<'_>, order: &str, comments: Option<String>) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Reject {
            order: parse(py, order)?,
            comments,
        }))
    }
    /// `Session.cancel` in a batch.
    #[staticmethod]
    fn cancel(py: Python<'_>, order: &str) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Cancel {
            order: parse(py, order)?,
        }))
    }
    /// `Session.assign` in a batch.
    #[staticmethod]
    #[pyo3(signature = (from_, to, product, quantity, *, purchase_order=None, comments=None))]
    fn assign(
        py: Python<'_>,
        from_: &str,
        to: &str,
        product: &str,
        quantity: &Bound<'_, PyAny>,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Assign(
            core::NewAssignment {
                from: parse(py, from_)?,
                to: parse(py, to)?,
                product: parse(py, product)?,
                quantity: whole(py, "quantity", quantity)?,
                purchase_order,
                comments,
            },
        )))
    }
    /// `Session.issue` in a batch.
    #[staticmethod]
    fn issue(py: Python<'_>, order: &str, quantity: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Issue {
            order: parse(py, order)?,
            quantity: whole(py, "quantity", quantity)?,
        }))
    }
    /// `Session.edit_request` in a batch.
    #[staticmethod]
    #[pyo3(signature = (order, *, purchase_order=None, product=None, quantity=None, comments=None))]
    fn edit_request(
        py: Python<'_>,
        order: &str,
        purchase_order: Option<String>,
        product: Option<&str>,
        quantity: Option<&Bound<'_, PyAny>>,
        comments: Option<String>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::EditRequest {
            order: parse(py, order)?,
            edit: core::RequestEdit {
                purchase_order,
                product: product.map(|p| parse(py, p)).transpose()?,
                quantity: convert::whole_opt(py, "quantity", quantity)?,
                comments,
            },
        }))
    }
    /// `Session.borrow` in a batch.
    #[staticmethod]
    fn borrow(
        py: Python<'_>,
        license: &str,
        borrower: String,
        seconds: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Borrow {
            license: parse(py, license)?,
            borrower,
            seconds: whole_u32(py, "seconds", seconds)?,
        }))
    }
    /// `Session.return_borrow` in a batch.
    #[staticmethod]
    fn return_borrow(py: Python<'_>, license: &str, borrower: String) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::ReturnBorrow {
            license: parse(py, license)?,
            borrower,
        }))
    }
    /// `Session.mint` in a batch.
    #[staticmethod]
    #[pyo3(signature = (product, quantity, *, purchase_order=None, comments=None))]
    fn mint(
        py: Python<'_>,
        product: &str,
        quantity: &Bound<'_, PyAny>,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Mint(core::NewMint {
            product: parse(py, product)?,
            quantity: whole(py, "quantity", quantity)?,
            purchase_order,
            comments,
        })))
    }
    /// `Session.return_units` in a batch.
    #[staticmethod]
    fn return_units(py: Python<'_>, order: &str, quantity: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::ReturnUnits {
            order: parse(py, order)?,
            quantity: whole(py, "quantity", quantity)?,
        }))
    }
    /// `Session.delete_order` in a batch.
    #[staticmethod]
    fn delete_order(py: Python<'_>, order: &str) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::DeleteOrder {
            order: parse(py, order)?,
        }))
    }
    /// `Session.import_licenses` in a batch.
    #[staticmethod]
    fn import_licenses(py: Python<'_>, order: &str, keys: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::ImportLicenses {
            order: parse(py, order)?,
            keys: convert::strings(py, "keys", keys)?,
        }))
    }
    /// `Session.revoke` in a batch.
    #[staticmethod]
    fn revoke(py: Python<'_>, license: &str) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Revoke {
            license: parse(py, license)?,
        }))
    }
    /// `Session.disable` in a batch.
    #[staticmethod]
    fn disable(py: Python<'_>, license: &str) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Disable {
            license: parse(py, license)?,
        }))
    }
    /// `Session.enable` in a batch.
    #[staticmethod]
    fn enable(py: Python<'_>, license: &str) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::Enable {
            license: parse(py, license)?,
        }))
    }
    /// `Session.reset_device` in a batch.
    #[staticmethod]
    fn reset_device(py: Python<'_>, license: &str, fingerprint: String) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::ResetDevice {
            license: parse(py, license)?,
            fingerprint,
        }))
    }
    /// `Session.reset_license` in a batch.
    #[staticmethod]
    fn reset_license(py: Python<'_>, license: &str) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::ResetLicense {
            license: parse(py, license)?,
        }))
    }
    /// `Session.edit_license_user` in a batch.
    #[staticmethod]
    #[pyo3(signature = (user, *, email=None, name=None))]
    fn edit_license_user(
        py: Python<'_>,
        user: &str,
        email: Option<String>,
        name: Option<String>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::EditLicenseUser {
            user: parse(py, user)?,
            email,
            name,
        }))
    }
    /// `Session.delete_license_user` in a batch.
    #[staticmethod]
    fn delete_license_user(py: Python<'_>, user: &str) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::DeleteLicenseUser {
            user: parse(py, user)?,
        }))
    }
    /// `Session.assign_license` in a batch (`user=None` takes the license back).
    #[staticmethod]
    #[pyo3(signature = (license, user=None))]
    fn assign_license(py: Python<'_>, license: &str, user: Option<&str>) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::AssignLicense {
            license: parse(py, license)?,
            user: user.map(|u| parse(py, u)).transpose()?,
        }))
    }
    /// `Session.add_license_manager` in a batch.
    #[staticmethod]
    fn add_license_manager(
        py: Python<'_>,
        order: &str,
        user: &str,
        permissions: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::AddLicenseManager {
            order: parse(py, order)?,
            user: parse(py, user)?,
            permissions: convert::parse_all(py, "permissions", Some(permissions))?,
        }))
    }
    /// `Session.set_license_manager_permissions` in a batch.
    #[staticmethod]
    fn set_license_manager_permissions(
        py: Python<'_>,
        order: &str,
        user: &str,
        permissions: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(
            core::BatchCommand::SetLicenseManagerPermissions {
                order: parse(py, order)?,
                user: parse(py, user)?,
                permissions: convert::parse_all(py, "permissions", Some(permissions))?,
            },
        ))
    }
    /// `Session.remove_license_manager` in a batch.
    #[staticmethod]
    fn remove_license_manager(py: Python<'_>, order: &str, user: &str) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::RemoveLicenseManager {
            order: parse(py, order)?,
            user: parse(py, user)?,
        }))
    }
    /// `Session.edit_metadata` in a batch.
    #[staticmethod]
    #[pyo3(signature = (order, *, reference=None, campaign=None, download_id=None, is_test=None, is_trial=None))]
    fn edit_metadata(
        py: Python<'_>,
        order: &str,
        reference: Option<String>,
        campaign: Option<&Bound<'_, PyAny>>,
        download_id: Option<String>,
        is_test: Option<bool>,
        is_trial: Option<bool>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::EditMetadata {
            order: parse(py, order)?,
            edit: core::MetadataEdit {
                reference,
                campaign: campaign
                    .map(|c| string_map(py, "campaign", c))
                    .transpose()?,
                download_id,
                is_test,
                is_trial,
            },
        }))
    }
    /// `Session.set_customer` in a batch (`customer=None` removes it).
    #[staticmethod]
    fn set_customer(py: Python<'_>, order: &str, customer: Option<Customer>) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::SetCustomer {
            order: parse(py, order)?,
            customer: customer.map(|c| c.0),
        }))
    }
    /// `Session.issue_in_bulk` in a batch (its result is an `Issued`).
    #[staticmethod]
    fn issue_in_bulk(py: Python<'_>, order: &str, quantity: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::IssueInBulk {
            order: parse(py, order)?,
            quantity: whole(py, "quantity", quantity)?,
        }))
    }
    /// `Session.request_bundle` in a batch (its result is the list of the requests it made).
    #[staticmethod]
    #[pyo3(signature = (holder, bundle, *, purchase_order=None, comments=None))]
    fn request_bundle(
        py: Python<'_>,
        holder: &str,
        bundle: &str,
        purchase_order: Option<String>,
        comments: Option<String>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::RequestBundle {
            holder: parse(py, holder)?,
            bundle: parse(py, bundle)?,
            purchase_order,
            comments,
        }))
    }
    /// `Session.add_license_user` in a batch. The password is hashed before the batch's
    /// transaction, and never shows in the command's `repr`.
    #[staticmethod]
    #[pyo3(signature = (order, email, *, name=None, password=None))]
    fn add_license_user(
        py: Python<'_>,
        order: &str,
        email: String,
        name: Option<String>,
        password: Option<String>,
    ) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::AddLicenseUser {
            order: parse(py, order)?,
            user: core::NewLicenseUser {
                email,
                name,
                password,
            },
        }))
    }
    /// `Session.set_license_user_password` in a batch. The password is hashed before the
    /// batch's transaction, and never shows in the command's `repr`.
    #[staticmethod]
    fn set_license_user_password(py: Python<'_>, user: &str, password: String) -> PyResult<Self> {
        Ok(BatchCommand(core::BatchCommand::SetLicenseUserPassword {
            user: parse(py, user)?,
            password: core::Password::from(password),
        }))
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let r = |text: &str| convert::repr(py, text);
        match &self.0 {
            core::BatchCommand::Request(n) => format!(
                "BatchCommand.request('{}', '{}', {})",
                n.holder, n.product, n.quantity
            ),
            core::BatchCommand::Approve {
                order, quantity, ..
            } => match quantity {
                Some(q) => format!("BatchCommand.approve('{order}', quantity={q})"),
                None => format!("BatchCommand.approve('{order}')"),
            },
            core::BatchCommand::Reject { order, .. } => format!("BatchCommand.reject('{order}')"),
            core::BatchCommand::Cancel { order } => format!("BatchCommand.cancel('{order}')"),
            core::BatchCommand::Assign(n) => format!(
                "BatchCommand.assign('{}', '{}', '{}', {})",
                n.from, n.to, n.product, n.quantity
            ),
            core::BatchCommand::Issue { order, quantity } => {
                format!("BatchCommand.issue('{order}', {quantity})")
            }
            core::BatchCommand::EditRequest { order, .. } => {
                format!("BatchCommand.edit_request('{order}', …)")
            }
            core::BatchCommand::Borrow {
                license,
                borrower,
                seconds,
            } => format!(
                "BatchCommand.borrow('{license}', {}, {seconds})",
                r(borrower)
            ),
            core::BatchCommand::ReturnBorrow { license, borrower } => {
                format!("BatchCommand.return_borrow('{license}', {})", r(borrower))
            }
            core::BatchCommand::Mint(n) => {
                format!("BatchCommand.mint('{}', {})", n.product, n.quantity)
            }
            core::BatchCommand::ReturnUnits { order, quantity } => {
                format!("BatchCommand.return_units('{order}', {quantity})")
            }
            core::BatchCommand::DeleteOrder { order } => {
                format!("BatchCommand.delete_order('{order}')")
            }
            // Keys are secrets: a repr shows how many, never which.
            core::BatchCommand::ImportLicenses { order, keys } => {
                format!(
                    "BatchCommand.import_licenses('{order}', <{} keys>)",
                    keys.len()
                )
            }
            core::BatchCommand::Revoke { license } => format!("BatchCommand.revoke('{license}')"),
            core::BatchCommand::Disable { license } => {
                format!("BatchCommand.disable('{license}')")
            }
            core::BatchCommand::Enable { license } => format!("BatchCommand.enable('{license}')"),
            core::BatchCommand::ResetDevice {
                license,
                fingerprint,
            } => format!("BatchCommand.reset_device('{license}', {})", r(fingerprint)),
            core::BatchCommand::ResetLicense { license } => {
                format!("BatchCommand.reset_license('{license}')")
            }
            core::BatchCommand::EditLicenseUser { user, .. } => {
                format!("BatchCommand.edit_license_user('{user}', …)")
            }
            core::BatchCommand::DeleteLicenseUser { user } => {
                format!("BatchCommand.delete_license_user('{user}')")
            }
            core::BatchCommand::AssignLicense { license, user } => match user {
                Some(u) => format!("BatchCommand.assign_license('{license}', '{u}')"),
                None => format!("BatchCommand.assign_license('{license}')"),
            },
            core::BatchCommand::AddLicenseManager { order, user, .. } => {
                format!("BatchCommand.add_license_manager('{order}', '{user}', …)")
            }
            core::BatchCommand::SetLicenseManagerPermissions { order, user, .. } => {
                format!("BatchCommand.set_license_manager_permissions('{order}', '{user}', …)")
            }
            core::BatchCommand::RemoveLicenseManager { order, user } => {
                format!("BatchCommand.remove_license_manager('{order}', '{user}')")
            }
            core::BatchCommand::EditMetadata { order, .. } => {
                format!("BatchCommand.edit_metadata('{order}', …)")
            }
            core::BatchCommand::SetCustomer { order, customer } => match customer {
                Some(_) => format!("BatchCommand.set_customer('{order}', …)"),
                None => format!("BatchCommand.set_customer('{order}', None)"),
            },
            core::BatchCommand::IssueInBulk { order, quantity } => {
                format!("BatchCommand.issue_in_bulk('{order}', {quantity})")
            }
            core::BatchCommand::RequestBundle { holder, bundle, .. } => {
                format!("BatchCommand.request_bundle('{holder}', '{bundle}', …)")
            }
            // Passwords never show.
            core::BatchCommand::AddLicenseUser { order, user } => {
                format!(
                    "BatchCommand.add_license_user('{order}', {}, …)",
                    r(&user.email)
                )
            }
            core::BatchCommand::SetLicenseUserPassword { user, .. } => {
                format!("BatchCommand.set_license_user_password('{user}', <redacted>)")
            }
        }
    }
}
