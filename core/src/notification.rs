//! The notification outbox (docs/rules.md §10). The library never sends anything: a change that
//! warrants a message writes one [`Notification`] per recipient into the outbox, in the same
//! transaction as the change, so a message exists exactly when its change committed. The host
//! application reads the pending ones ([`crate::Inventory::pending_notifications`]), sends
//! them (email, webhook), then marks them sent
//! ([`crate::Inventory::mark_notifications_sent`]): delivery is at-least-once, since a crash
//! between sending and marking sends again.
//!
//! Who hears of what:
//! - a request: a [`NotificationKind::RequestConfirmation`] to the requester, and a
//!   [`NotificationKind::RequestReceived`] to each admin of the source organization and each
//!   vendor admin (once per person);
//! - an approval or a rejection: [`NotificationKind::RequestApproved`] or
//!   [`NotificationKind::RequestRejected`] to the requester;
//! - a new license manager: a [`NotificationKind::ManagerInvitation`] to that user.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{NotificationId, OrderId, OrderNumber, TenantId, UserId};
use crate::permission::Permission;

/// What a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// To the requester: the request was recorded, with its details.
    RequestConfirmation,
    /// To the source organization's admins and the vendor admins: a request awaits approval.
    RequestReceived,
    /// To the requester: the request was approved (the quantity approved is in the details).
    RequestApproved,
    /// To the requester: the request was rejected (the comments are in the details).
    RequestRejected,
    /// To a new license manager: an invitation to manage the order, with the permissions.
    ManagerInvitation,
}

impl NotificationKind {
    /// Every kind.
    pub const ALL: [NotificationKind; 5] = [
        NotificationKind::RequestConfirmation,
        NotificationKind::RequestReceived,
        NotificationKind::RequestApproved,
        NotificationKind::RequestRejected,
        NotificationKind::ManagerInvitation,
    ];

    /// The snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::RequestConfirmation => "request_confirmation",
            NotificationKind::RequestReceived => "request_received",
            NotificationKind::RequestApproved => "request_approved",
            NotificationKind::RequestRejected => "request_rejected",
            NotificationKind::ManagerInvitation => "manager_invitation",
        }
    }
}

impl fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NotificationKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        NotificationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::invalid("notification kind", format!("unknown kind '{s}'")))
    }
}

/// The order a notification is about, as it was when the notification was written (the order
/// may change or be deleted later; the message must still read right).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDigest {
    /// The order's number.
    pub number: OrderNumber,
    /// The product's name ("Center License").
    pub product_name: String,
    /// Units requested.
    pub requested_quantity: u64,
    /// Units approved (0 until approved).
    pub approved_quantity: u64,
    /// The purchase order reference.
    pub purchase_order: Option<String>,
    /// The organization holding (or requesting) the order.
    pub holder_name: String,
    /// The organization it is requested from, if any.
    pub source_name: Option<String>,
    /// The requester's comments.
    pub requester_comments: Option<String>,
    /// The approver's (or rejecter's) comments.
    pub approval_comments: Option<String>,
}

/// One message to one person, waiting in the outbox until the host application sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Its id: what [`crate::Inventory::mark_notifications_sent`] takes. A UUID to keep as it
    /// is: the store chooses it (an SQLite store's name the row they are in, docs/decisions.md
    /// §72), so its version and order carry no meaning for the host.
    pub id: NotificationId,
    /// The tenant.
    pub tenant: TenantId,
    /// The ledger entry of the change that caused it.
    pub seq: u64,
    /// What it is about.
    pub kind: NotificationKind,
    /// Who it is for.
    pub recipient: UserId,
    /// The recipient's email when it was written.
    pub email: String,
    /// The recipient's name when it was written.
    pub name: String,
    /// The order it is about.
    pub order: OrderId,
    /// The order's figures when it was written.
    pub digest: OrderDigest,
    /// For a [`NotificationKind::ManagerInvitation`], the permissions granted; else empty.
    pub permissions: Vec<Permission>,
    /// When it was written (the time of its change).
    pub created_at: DateTime<Utc>,
    /// When the host application marked it sent; `None` while pending.
    pub sent_at: Option<DateTime<Utc>>,
}

impl Notification {
    /// A one-line subject for the message, e.g. "Order 1213: request for 2 Center License
    /// received from MGA Inc".
    pub fn subject(&self) -> String {
        let d = &self.digest;
        match self.kind {
            NotificationKind::RequestConfirmation => format!(
                "Order {}: your request for {} {} was received",
                d.number, d.requested_quantity, d.product_name
            ),
            NotificationKind::RequestReceived => format!(
                "Order {}: request for {} {} from {}",
                d.number, d.requested_quantity, d.product_name, d.holder_name
            ),
            NotificationKind::RequestApproved => format!(
                "Order {}: your request was approved ({} of {} {})",
                d.number, d.approved_quantity, d.requested_quantity, d.product_name
            ),
            NotificationKind::RequestRejected => format!(
                "Order {}: your request for {} {} was rejected",
                d.number, d.requested_quantity, d.product_name
            ),
            NotificationKind::ManagerInvitation => format!(
                "Order {}: you are invited to manage {} {} of {}",
                d.number, d.approved_quantity, d.product_name, d.holder_name
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NotificationKind;

    #[test]
    fn kinds_round_trip() {
        for k in NotificationKind::ALL {
            assert_eq!(k.as_str().parse::<NotificationKind>().ok(), Some(k));
        }
        assert!("nope".parse::<NotificationKind>().is_err());
    }
}
