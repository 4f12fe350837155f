//! The table: every record and enum the bindings export, in the core's vocabulary.

use crate::{Direction, Enum, Field, Kind, Limit, Record, Source, Variant};

use Kind::{Count, Delta, Flag, Key, Number, Size, Small, Text, TextMap, Time};

const fn f(name: &'static str, kind: Kind, doc: &'static str) -> Field {
    Field {
        name,
        kind,
        source: Source::Field,
        doc,
    }
}

const fn computed(
    name: &'static str,
    method: &'static str,
    kind: Kind,
    doc: &'static str,
) -> Field {
    Field {
        name,
        kind,
        source: Source::Method(method),
        doc,
    }
}

const fn v(name: &'static str, doc: &'static str) -> Variant {
    Variant {
        name,
        wire: None,
        doc,
    }
}

/// A variant whose core name (`as_str`) is not the snake case of its Rust name.
const fn vw(name: &'static str, wire: &'static str, doc: &'static str) -> Variant {
    Variant {
        name,
        wire: Some(wire),
        doc,
    }
}

const fn id(name: &'static str) -> Kind {
    Kind::Id(name)
}

const fn opt(kind: &'static Kind) -> Kind {
    Kind::Opt(kind)
}

const fn list(kind: &'static Kind) -> Kind {
    Kind::List(kind)
}

const fn out(name: &'static str, doc: &'static str, fields: &'static [Field]) -> Record {
    Record {
        name,
        core: name,
        doc,
        direction: Direction::Out,
        fields,
    }
}

const fn both(name: &'static str, doc: &'static str, fields: &'static [Field]) -> Record {
    Record {
        name,
        core: name,
        doc,
        direction: Direction::Both,
        fields,
    }
}

const OPT_TEXT: Kind = opt(&Text);
const OPT_TIME: Kind = opt(&Time);
const OPT_ORG: Kind = opt(&id("OrgId"));
const OPT_USER: Kind = opt(&id("UserId"));
const OPT_ORDER: Kind = opt(&id("OrderId"));

/// Every record the bindings export, in dependency order.
#[rustfmt::skip]
pub static RECORDS: &[Record] = &[
    out("Tenant", "A tenant: one license vendor's world.", &[
        f("id", id("TenantId"), "The tenant's id."),
        f("name", Text, "Display name."),
        f("plan", Kind::Enum("Plan"), "Pricing plan."),
        f("vendor", id("OrgId"), "The root organization (tier `vendor`), created with the tenant."),
        f("minted", Count, "Units ever minted by the vendor: the conservation total."),
        f("retired", Count, "Units gone for good (issued in deleted orders, or deleted unconsumed at the vendor).\nConservation: `minted - retired = Σ available + Σ issued`."),
        f("next_order_number", Count, "The number the next order will get."),
        f("created_at", Time, "When the tenant was created."),
    ]),
    out("Organization", "A node of the channel tree.", &[
        f("id", id("OrgId"), "The organization's id."),
        f("tenant", id("TenantId"), "The tenant it belongs to."),
        f("name", Text, "Display name, e.g. \"MGA Inc\"."),
        f("tier", Kind::Enum("Tier"), "Its tier."),
        f("parent", OPT_ORG, "Its parent; {none} only for the vendor."),
        f("active", Flag, "False once deactivated."),
        f("created_at", Time, "When it was created."),
    ]),
    out("User", "A person, unique by email within the tenant.", &[
        f("id", id("UserId"), "The user's id."),
        f("tenant", id("TenantId"), "The tenant it belongs to."),
        f("name", Text, "Full name, e.g. \"Irina Heer\"."),
        f("email", Text, "Email, stored lower-case."),
        f("created_at", Time, "When the user was created."),
        f("active", Flag, "False once deactivated: the user may do nothing until reactivated."),
    ]),
    out("Role", "One of a user's admin roles: an organization and its tier, what a Role menu offers\n(`{fn:Session.roles_of}`).", &[
        f("org", id("OrgId"), "The organization the user administers."),
        f("org_name", Text, "Its name."),
        f("tier", Kind::Enum("Tier"), "Its tier: the role is \"administrator of a tier\"."),
    ]),
    out("OrgInTree", "An organization of a subtree (`{fn:Session.subtree}`), with its depth below the subtree's root.", &[
        f("org", Kind::Record("Organization"), "The organization."),
        f("depth", Small, "Levels below the root (the root is 0)."),
    ]),
    both("Floating", "Floating use: a license borrowed by a bounded number of holders at once, each for a\nbounded time.", &[
        f("max_borrows", Small, "How many borrows may be open at once."),
        f("max_borrow_seconds", Small, "The longest one borrow may last, in seconds."),
    ]),
    both("LicensePolicy", "A product's license policy, copied onto each license when it is issued. The core checks\nthe figures (`InvalidInput` otherwise).", &[
        f("validity", Kind::Record("Validity"), "How long a license is valid."),
        f("max_activations", Small, "Devices one license may be activated on (1 to 100000)."),
        f("floating", opt(&Kind::Record("Floating")), "Floating use; {none} (the default) when the product does not float."),
        f("trial", Flag, "Licenses of this product are trials (default false)."),
    ]),
    out("Product", "An inventory type, e.g. \"Center License\".", &[
        f("id", id("ProductId"), "The product's id."),
        f("tenant", id("TenantId"), "The tenant it belongs to."),
        f("code", Text, "Short code, unique within the tenant (e.g. `CL`)."),
        f("name", Text, "Display name."),
        f("kind", Kind::Enum("ProductKind"), "Delivery kind."),
        f("policy", Kind::Record("LicensePolicy"), "The policy of the licenses issued for it."),
        f("created_at", Time, "When it was defined."),
        f("retired", Flag, "True once retired: no new requests, assignments or mints; existing orders are untouched."),
    ]),
    both("Customer", "The end customer of an order; an order's `customer` can be changed and passed back to\n`{fn:Session.set_customer}`.", &[
        f("name", Text, "Name."),
        f("email", OPT_TEXT, "Email."),
        f("company", OPT_TEXT, "Company."),
        f("phone", OPT_TEXT, "Phone."),
        f("reference", OPT_TEXT, "The customer's own reference."),
    ]),
    out("OrderMetadata", "An order's metadata, editable by the holder's admins at any time (`{fn:Session.edit_metadata}`).", &[
        f("reference", OPT_TEXT, "The order reference number."),
        f("campaign", TextMap, "Campaign parameters (key → value), e.g. `utm_source → newsletter`."),
        f("download_id", OPT_TEXT, "The download id."),
        f("is_test", Flag, "A test order."),
        f("is_trial", Flag, "A trial order: the licenses issued from it are trials."),
    ]),
    out("Order", "An inventory lot of one product held by one organization.", &[
        f("id", id("OrderId"), "The order's id (UUID v7)."),
        f("number", Number, "The human order number, per tenant (1210, 1211, …)."),
        f("tenant", id("TenantId"), "The tenant it belongs to."),
        f("product", id("ProductId"), "The product."),
        f("purchase_order", OPT_TEXT, "Purchase order reference."),
        f("holder", id("OrgId"), "The holder (\"Requested By\" / \"Assigned To\")."),
        f("source", OPT_ORG, "The source (\"Requested To\" / \"Assigned By\"); {none} for the vendor's minted stock."),
        f("requested_by", OPT_USER, "Who requested it; {none} when assigned or minted."),
        f("requested_at", Time, "When it was requested (or assigned, or minted)."),
        f("requested_quantity", Count, "Units asked for."),
        f("requester_comments", OPT_TEXT, "The requester's comments."),
        f("approved_by", OPT_USER, "Who approved (or rejected, or assigned) it."),
        f("approved_at", OPT_TIME, "When it was approved (or rejected)."),
        f("approved_quantity", Count, "Units approved (0 until approved)."),
        f("approval_comments", OPT_TEXT, "The approver's comments."),
        f("status", Kind::Enum("OrderStatus"), "Current status."),
        f("drawn", Count, "Units drawn from this order by child orders."),
        f("issued", Count, "Units issued as licenses or codes."),
        f("available", Count, "Units available to draw or issue."),
        f("updated_at", Time, "When it last changed."),
        f("metadata", Kind::Record("OrderMetadata"), "Reference, campaign, download id, test and trial flags (`{fn:Session.edit_metadata}`)."),
        f("customer", opt(&Kind::Record("Customer")), "The end customer; {none} when none is recorded (`{fn:Session.set_customer}`)."),
        f("bundle", opt(&id("BundleId")), "The id shared by the orders of one bundle request; {none} for a single order."),
    ]),
    out("OrderDetails", "An order with the names a person reads next to it (\"Order Details\").", &[
        f("order", Kind::Record("Order"), "The order."),
        f("product_name", Text, "The product's name (\"Center License\")."),
        f("product_kind", Kind::Enum("ProductKind"), "The product's kind."),
        f("holder_name", Text, "The holder's name (\"MGA Inc\")."),
        f("source_name", OPT_TEXT, "The source's name (\"Ellen Emporium\"), if any."),
        f("requested_by_name", OPT_TEXT, "The requesting user's name, if it was requested by a user."),
        f("approved_by_name", OPT_TEXT, "The approving user's name, if approved."),
    ]),
    out("SummaryLine", "One line of an organization's summary: one product.", &[
        f("product", id("ProductId"), "The product."),
        f("product_name", Text, "Its name."),
        f("product_kind", Kind::Enum("ProductKind"), "Its kind."),
        f("held", Count, "Units approved into the organization's active and depleted orders."),
        f("available", Count, "Units available now."),
        f("pending_requests", Count, "The organization's own requests still pending."),
        f("pending_units", Count, "Units asked for by those requests."),
        f("incoming_requests", Count, "Requests addressed to the organization, awaiting its approval."),
        f("incoming_units", Count, "Units asked for by those."),
    ]),
    out("UseLine", "One outgoing draw of an order, as \"Detail of Inventory Use\" lists it.", &[
        f("order", id("OrderId"), "The child order that drew the units."),
        f("order_number", Number, "Its number."),
        f("purchase_order", OPT_TEXT, "Its purchase order."),
        f("quantity", Count, "Units drawn."),
        f("at", Time, "When (\"Date of Assignment\")."),
        f("requested_by_org", Text, "The child order's holder (\"Requested By\")."),
        f("requested_by_user", OPT_TEXT, "The requesting user, if it was a request."),
        f("approved_by_org", Text, "The organization that approved or assigned (\"Approved By\")."),
        f("approved_by_user", OPT_TEXT, "The approving user."),
    ]),
    out("InventoryUse", "\"Detail of Inventory Use\" of an order.", &[
        f("order", Kind::Record("OrderDetails"), "The order itself."),
        f("draws", list(&Kind::Record("UseLine")), "Its outgoing draws, oldest first."),
    ]),
    out("Movement", "The change one ledger entry made to one order's quantities (signed deltas).", &[
        f("order", id("OrderId"), "The order whose quantities changed."),
        f("org", id("OrgId"), "Its holder."),
        f("product", id("ProductId"), "Its product."),
        f("approved", Delta, "Change of the approved quantity."),
        f("drawn", Delta, "Change of the units drawn by children."),
        f("issued", Delta, "Change of the units issued."),
        f("available", Delta, "Change of the available units."),
    ]),
    out("LedgerEntry", "One immutable, hash-chained ledger entry.", &[
        f("tenant", id("TenantId"), "The tenant."),
        f("seq", Count, "Sequence number within the tenant, from 1, without gaps."),
        f("at", Time, "When."),
        f("actor", OPT_USER, "Who; {none} for host-level provisioning and end users acting with a key."),
        f("kind", Kind::Enum("LedgerKind"), "What kind of change."),
        f("order", OPT_ORDER, "The order concerned, if any."),
        f("org", OPT_ORG, "The organization concerned, if any."),
        f("minted", Count, "Units minted by this entry."),
        f("retired", Count, "Units retired by this entry (an order deletion)."),
        f("movements", list(&Kind::Record("Movement")), "The quantity changes."),
        f("state", TextMap, "Digest of each covered table's rows after this entry (table → hex); empty before schema version 6."),
        f("prev_hash", Text, "Hash of the previous entry."),
        f("hash", Text, "SHA-256 of this entry's content and `{field:prev_hash}`, hex."),
    ]),
    out("Audit", "Conservation and ledger checks over a whole tenant (`{fn:Inventory.audit}`).", &[
        f("orders", Size, "Orders examined."),
        f("ledger_entries", Count, "Ledger entries examined."),
        f("minted", Count, "Units the tenant ever minted."),
        f("retired", Count, "Units retired: `minted - retired = available + issued`."),
        f("available", Count, "Σ available over all orders."),
        f("issued", Count, "Σ issued over all orders."),
        f("problems", list(&Text), "Every discrepancy found; empty when all holds."),
        computed("is_clean", "is_clean", Flag, "True when no problem was found."),
    ]),
    both("Checkpoint", "A ledger head signed with the host's Ed25519 key (`{fn:Inventory.checkpoint}`); give it back to `{fn:Inventory.audit_against}`.", &[
        f("tenant", id("TenantId"), "The tenant."),
        f("seq", Count, "Sequence number of the ledger's newest entry when signed."),
        f("hash", Text, "That entry's hash (hex)."),
        f("at", Time, "When it was signed."),
        f("signature", Text, "Ed25519 signature, 128 hex digits."),
    ]),
    out("Activation", "A device a license is activated on (or who redeemed an activation code).", &[
        f("fingerprint", Text, "The device's fingerprint (opaque, chosen by the application)."),
        f("name", Text, "A name a person recognises (\"Front desk PC\")."),
        f("at", Time, "When."),
    ]),
    out("Borrow", "An open borrow of a floating license.", &[
        f("borrower", Text, "Who or what borrowed it (a device fingerprint or a user)."),
        f("at", Time, "When."),
        f("until", Time, "When it ends by itself."),
    ]),
    out("License", "A license, or an activation code, issued from an order.", &[
        f("id", id("LicenseId"), "The license's id."),
        f("tenant", id("TenantId"), "The tenant it belongs to."),
        f("order", id("OrderId"), "The order it was issued from."),
        f("product", id("ProductId"), "The product."),
        f("key", Key, "Its key (or code), `7KQ2M-XR4TD-9WZPH-BN3CV-0G6JA`, unique within the tenant."),
        f("is_code", Flag, "True for an activation code (redeemed once), false for a license."),
        f("status", Kind::Enum("LicenseStatus"), "Its state."),
        f("license_user", opt(&id("LicenseUserId")), "The license user it belongs to; {none} when none."),
        f("activations", list(&Kind::Record("Activation")), "Devices it is activated on."),
        f("borrows", list(&Kind::Record("Borrow")), "Open floating borrows."),
        f("policy", Kind::Record("LicensePolicy"), "The policy copied from the product at issue."),
        f("trial", Flag, "A trial (from the product's policy or the order's trial flag)."),
        f("issued_at", Time, "When it was issued."),
        f("activated_at", OPT_TIME, "When it was first activated or redeemed."),
        f("expires_at", OPT_TIME, "When it expires, once known."),
        f("imported", Flag, "True for a key brought from another system (`{fn:Session.import_licenses}`) rather than made here."),
        computed("is_unused", "is_unused", Flag, "True while nothing has used it: no activation, never redeemed, no borrow."),
    ]),
    out("Issued", "What `{fn:Session.issue_in_bulk}` did: the new licenses are those of the order with ids from `first` to `last`; read them with `{fn:Session.licenses}`.", &[
        f("order", Kind::Record("Order"), "The order, after the issue."),
        f("count", Count, "Licenses issued."),
        f("first", id("LicenseId"), "The id of the first license issued (the smallest)."),
        f("last", id("LicenseId"), "The id of the last (the largest)."),
    ]),
    out("LicenseUser", "An end user of the licenses of one order.", &[
        f("id", id("LicenseUserId"), "The license user's id."),
        f("tenant", id("TenantId"), "The tenant it belongs to."),
        f("order", id("OrderId"), "The order whose licenses they use."),
        f("email", Text, "Email, lower-case, unique within the order."),
        f("name", OPT_TEXT, "Name."),
        f("has_password", Flag, "True when a password is set (the password itself never leaves the library)."),
    ]),
    out("LicenseManager", "A user's permissions over one order.", &[
        f("tenant", id("TenantId"), "The tenant it belongs to."),
        f("order", id("OrderId"), "The order managed."),
        f("user", id("UserId"), "The manager."),
        f("permissions", Kind::Set(&Kind::Enum("Permission")), "What they may do, in the vendor platform's order."),
    ]),
    both("BundleLine", "One line of a bundle: a product and how many units of it.", &[
        f("product", id("ProductId"), "The product."),
        f("quantity", Count, "Units of it."),
    ]),
    out("Bundle", "A named set of products and quantities (vendor-defined, like products);\n`{fn:Session.request_bundle}` creates one request per line.", &[
        f("id", id("BundleId"), "The bundle's id."),
        f("tenant", id("TenantId"), "The tenant it belongs to."),
        f("name", Text, "Display name (\"Classroom pack\")."),
        f("lines", list(&Kind::Record("BundleLine")), "Its lines."),
    ]),
    out("OrderDigest", "The order a notification is about, as it was when the notification was written (the order\nmay change or be deleted later; the message still reads right).", &[
        f("number", Number, "The order's number."),
        f("product_name", Text, "The product's name (\"Center License\")."),
        f("requested_quantity", Count, "Units requested."),
        f("approved_quantity", Count, "Units approved (0 until approved)."),
        f("purchase_order", OPT_TEXT, "The purchase order reference."),
        f("holder_name", Text, "The organization holding (or requesting) the order."),
        f("source_name", OPT_TEXT, "The organization it is requested from, if any."),
        f("requester_comments", OPT_TEXT, "The requester's comments."),
        f("approval_comments", OPT_TEXT, "The approver's (or rejecter's) comments."),
    ]),
    out("Notification", "One message to one person, waiting in the outbox until the host application sends it and\nmarks it sent (`{fn:Inventory.pending_notifications}`, `{fn:Inventory.mark_notifications_sent}`). The\nlibrary never sends anything.", &[
        f("id", id("NotificationId"), "Its id: what `{fn:Inventory.mark_notifications_sent}` takes."),
        f("tenant", id("TenantId"), "The tenant."),
        f("seq", Count, "The ledger entry of the change that caused it."),
        f("kind", Kind::Enum("NotificationKind"), "What it is about."),
        f("recipient", id("UserId"), "Who it is for."),
        f("email", Text, "The recipient's email when it was written."),
        f("name", Text, "The recipient's name when it was written."),
        f("order", id("OrderId"), "The order it is about."),
        f("digest", Kind::Record("OrderDigest"), "The order's figures when it was written."),
        f("permissions", list(&Kind::Enum("Permission")), "For a manager invitation, the permissions granted; else empty."),
        computed("subject", "subject", Text, "A one-line subject for the message, the core's text (\"Order 1213: request for 2 Center\nLicense from MGA Inc\")."),
        f("created_at", Time, "When it was written (the time of its change)."),
        f("sent_at", OPT_TIME, "When the host application marked it sent; {none} while pending."),
    ]),
    out("OrderFigures", "An order's quantities at one past moment, rebuilt from the ledger (`{fn:Inventory.order_at}`).", &[
        f("order", id("OrderId"), "The order."),
        f("org", id("OrgId"), "Its holder."),
        f("product", id("ProductId"), "Its product."),
        f("approved", Count, "Units approved into it."),
        f("drawn", Count, "Units child orders drew from it."),
        f("issued", Count, "Units issued as licenses or codes."),
        f("available", Count, "Units available."),
    ]),
    out("Holding", "What an organization held of one product at one past moment, summed over its orders\n(`{fn:Inventory.holdings_at}`).", &[
        f("product", id("ProductId"), "The product."),
        f("orders", Count, "How many of the organization's orders of this product held units then (approved ones)."),
        f("approved", Count, "Units approved into them."),
        f("drawn", Count, "Units child orders drew from them."),
        f("issued", Count, "Units issued from them."),
        f("available", Count, "Units available in them."),
    ]),
];

/// Every fieldless enum the bindings export.
#[rustfmt::skip]
pub static ENUMS: &[Enum] = &[
    Enum { name: "Plan", doc: "A tenant's pricing plan; some license-manager permissions need `enterprise`.", direction: Direction::Both, open: false, variants: &[
        v("Standard", "The standard plan."),
        v("Enterprise", "The enterprise plan."),
    ]},
    Enum { name: "Tier", doc: "The tiers of the channel tree, top to bottom.", direction: Direction::Both, open: false, variants: &[
        v("Vendor", "The root; mints inventory. One per tenant."),
        v("Distributor", "Distributor."),
        v("Reseller", "Reseller."),
        v("Hub", "Hub."),
        v("Center", "Center."),
    ]},
    Enum { name: "ProductKind", doc: "How a unit of a product is delivered.", direction: Direction::Both, open: false, variants: &[
        v("ActivationCode", "Each unit is a one-time code an end user redeems (\"User Activation Codes\")."),
        v("License", "Each unit is a license (\"Center License\")."),
    ]},
    Enum { name: "OrderStatus", doc: "The life of an order.", direction: Direction::Both, open: false, variants: &[
        v("Requested", "Pending: asked for, not yet approved."),
        v("Active", "Approved (or assigned, or minted) with units available."),
        v("Depleted", "Approved, with no unit available."),
        v("Rejected", "Refused by the source organization."),
        v("Cancelled", "Withdrawn by the requester."),
    ]},
    Enum { name: "LicenseStatus", doc: "The state of a license.", direction: Direction::Out, open: false, variants: &[
        v("Issued", "Issued, never activated (or an activation code not yet redeemed)."),
        v("Active", "Activated at least once (or redeemed)."),
        v("Disabled", "Disabled by an administrator: cannot be activated or borrowed."),
    ]},
    Enum { name: "Permission", doc: "What a license manager may do on its order: exactly the nine permissions of the vendor\nplatform, each guarding real operations of `Session`. `create_order` and `issue_license`\nneed the enterprise plan.", direction: Direction::Both, open: false, variants: &[
        v("ManageLicenseUsers", "Add, edit and delete license users, and assign licenses to them."),
        v("ManageLicenseUserCredentials", "Change license users' passwords."),
        v("ManageManagers", "Add license managers to the order (only with permissions one holds)."),
        v("ResetDevice", "Remove one device from a license."),
        v("ResetLicense", "Remove every device from a license."),
        v("BorrowLicense", "Borrow and return floating licenses."),
        v("CreateBundleOrder", "Request a bundle for the order's organization."),
        v("CreateOrder", "Request new inventory for the order's organization. Enterprise plan only."),
        v("IssueLicense", "Issue new licenses from the order. Enterprise plan only."),
    ]},
    Enum { name: "NotificationKind", doc: "What a notification of the outbox is about.", direction: Direction::Out, open: false, variants: &[
        v("RequestConfirmation", "To the requester: the request was recorded, with its details."),
        v("RequestReceived", "To the source organization's admins and the vendor admins: a request awaits approval."),
        v("RequestApproved", "To the requester: the request was approved (the quantity approved is in the digest)."),
        v("RequestRejected", "To the requester: the request was rejected (the comments are in the digest)."),
        v("ManagerInvitation", "To a new license manager: an invitation to manage the order, with the permissions."),
    ]},
    Enum { name: "Synchronous", doc: "SQLite durability: how hard a commit waits for the disk.", direction: Direction::Both, open: false, variants: &[
        v("Normal", "`PRAGMA synchronous=NORMAL`: survives a crash of the process; the last commits may be\nlost on power loss."),
        v("Full", "`PRAGMA synchronous=FULL` (the default): every acknowledged commit survives a power cut."),
    ]},
    Enum { name: "LedgerKind", doc: "What kind of change a ledger entry records.", direction: Direction::Out, open: false, variants: &[
        v("TenantCreated", "A tenant (and its vendor organization) was created."),
        v("OrgCreated", "An organization was created."),
        v("OrgDeactivated", "An organization was deactivated."),
        v("UserCreated", "A user was created."),
        v("AdminGranted", "A user was made admin of an organization."),
        v("ProductCreated", "A product was defined."),
        v("Minted", "The vendor minted stock into its own order."),
        v("Requested", "A request was made."),
        v("RequestEdited", "A pending request was edited."),
        v("Cancelled", "A pending request was cancelled."),
        v("Approved", "A request was approved."),
        v("Rejected", "A request was rejected."),
        v("Assigned", "Units were assigned (pushed) to a child."),
        v("MetadataEdited", "An order's metadata was edited."),
        v("CustomerSet", "An order's customer was added, edited or removed."),
        v("BundleCreated", "A bundle was defined."),
        v("ProductPolicySet", "A product's license policy was changed."),
        v("LicensesIssued", "Licenses or codes were issued from an order."),
        v("LicenseRevoked", "An unused license was revoked; its unit went back to its order."),
        v("LicenseDisabled", "A license was disabled."),
        v("LicenseEnabled", "A license was enabled again."),
        v("LicenseActivated", "A license was activated on a device."),
        v("LicenseDeactivated", "A device deactivated its license."),
        v("DeviceReset", "A device was removed from a license."),
        v("LicenseReset", "Every device was removed from a license."),
        v("LicenseBorrowed", "A floating license was borrowed."),
        v("BorrowReturned", "A floating borrow was returned."),
        v("CodeRedeemed", "An activation code was redeemed."),
        v("LicenseUserAdded", "A license user was added."),
        v("LicenseUserEdited", "A license user was edited."),
        v("LicenseUserDeleted", "A license user was deleted."),
        v("LicenseUserPasswordSet", "A license user's password was set."),
        v("LicenseAssigned", "A license was given to (or taken from) a license user."),
        v("ManagerAdded", "A license manager was added or given permissions."),
        v("ManagerRemoved", "A license manager was removed."),
        v("OrderDeleted", "An order and its licenses were deleted."),
        v("UnitsReturned", "Unused units were returned to their source."),
        v("AdminRevoked", "A user's admin role over an organization was revoked."),
        v("OrgReactivated", "A deactivated organization was reactivated."),
        v("UserDeactivated", "A user was deactivated."),
        v("UserReactivated", "A deactivated user was reactivated."),
        v("PlanChanged", "The tenant's plan changed."),
        v("ProductRenamed", "A product was renamed."),
        v("ProductRetired", "A product was retired: no new requests, assignments or mints."),
        v("ManagerChanged", "A license manager's permissions were replaced."),
        v("LicensesImported", "Existing keys from another system were added to an order."),
    ]},
    Enum { name: "Action", doc: "An action a user (or, for the tenant's set-up, the host application) attempts; every refusal names it.", direction: Direction::Out, open: true, variants: &[
        v("Mint", "Mint new stock at the vendor."),
        v("Request", "Request inventory from the parent organization."),
        v("EditRequest", "Edit a pending request."),
        v("Cancel", "Cancel (withdraw) a pending request."),
        v("Approve", "Approve a request addressed to one's organization."),
        v("Reject", "Reject a request addressed to one's organization."),
        v("Assign", "Assign (push) inventory to a child organization."),
        v("View", "Read an organization's inventory or an order."),
        v("EditMetadata", "Edit an order's metadata (reference, campaign, download id, flags)."),
        v("EditCustomer", "Add or edit an order's customer."),
        v("IssueLicense", "Issue licenses or codes from an order."),
        v("Revoke", "Revoke an unused license."),
        v("Disable", "Disable a license."),
        v("Enable", "Enable a disabled license again."),
        v("ResetDevice", "Remove one device from a license."),
        v("ResetLicense", "Remove every device from a license."),
        vw("Borrow", "borrow_license", "Borrow or return a floating license."),
        v("ManageLicenseUsers", "Add, edit or delete license users, or assign licenses to them."),
        v("ManageLicenseUserCredentials", "Change license users' passwords."),
        v("ManageManagers", "Add license managers to an order."),
        v("RequestBundle", "Request a bundle."),
        v("DeleteOrder", "Delete an order and its licenses."),
        v("ReturnUnits", "Return unused units to the source."),
        v("CreateTenant", "Create a tenant (the host application's operator)."),
        v("CreateOrg", "Create an organization of the channel tree."),
        v("DeactivateOrg", "Deactivate an organization."),
        v("ReactivateOrg", "Reactivate a deactivated organization."),
        v("CreateUser", "Create a user."),
        v("DeactivateUser", "Deactivate a user."),
        v("ReactivateUser", "Reactivate a deactivated user."),
        v("GrantAdmin", "Make a user an admin of an organization."),
        v("RevokeAdmin", "Take an admin role back."),
        v("ChangePlan", "Change the tenant's plan."),
        v("CreateProduct", "Create a product."),
        v("SetProductPolicy", "Set a product's license policy."),
        v("RenameProduct", "Rename a product."),
        v("RetireProduct", "Retire a product."),
        v("CreateBundle", "Create a bundle of products."),
        v("Activate", "Activate a license on a device."),
        v("Deactivate", "Deactivate a license on a device."),
        v("Redeem", "Redeem an activation code."),
        v("ImportLicenses", "Import existing license keys into an order."),
        v("MarkNotificationsSent", "Mark outbox notifications as sent."),
        v("PruneIdempotencyKeys", "Prune old idempotency keys."),
        v("Batch", "Run a batch of commands (its own checks: the number of commands)."),
    ]},
    Enum { name: "Entity", doc: "What kind of thing was looked up (named by not-found errors).", direction: Direction::Out, open: true, variants: &[
        v("Tenant", "A tenant."),
        v("Organization", "An organization of the channel tree."),
        v("User", "A user."),
        v("Product", "A product (inventory type)."),
        v("Order", "An order (inventory lot)."),
        v("License", "A license or activation code."),
        vw("LicenseUser", "license user", "A license user."),
        vw("LicenseManager", "license manager", "A license manager of an order."),
        v("Notification", "A notification of the outbox."),
        v("Bundle", "A bundle."),
    ]},
];

/// The core's input limits, exported by every binding under these names (Python and Node
/// constants, Swift functions in camel case).
#[rustfmt::skip]
pub static LIMITS: &[Limit] = &[
    Limit { name: "MAX_QUANTITY", doc: "The largest quantity one request, approval, assignment or mint may carry." },
    Limit { name: "MAX_ISSUE", doc: "The most licenses one `issue` call may create." },
    Limit { name: "MAX_NAME", doc: "The longest name (characters) of an organization, user, product or bundle." },
    Limit { name: "MAX_PURCHASE_ORDER", doc: "The longest purchase order reference (characters)." },
    Limit { name: "MAX_COMMENT", doc: "The longest comment (characters)." },
    Limit { name: "DEFAULT_PAGE", doc: "The page size of a list when none is given." },
    Limit { name: "MAX_PAGE", doc: "The largest page size a list accepts." },
    Limit { name: "MAX_BATCH", doc: "The most commands one batch may hold." },
    Limit { name: "MIN_PASSWORD", doc: "The shortest license-user password (characters)." },
    Limit { name: "MAX_IDEMPOTENCY_KEY", doc: "The longest idempotency key (characters)." },
];
