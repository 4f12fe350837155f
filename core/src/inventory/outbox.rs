//! The notification outbox: what a change writes for the host application to send (inside the
//! change's transaction), and how the host reads and acknowledges it. See
//! [`crate::Notification`] for who hears of what.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::checked::Checked;
use crate::error::{Action, Entity, Error, Result};
use crate::ids::{NotificationId, TenantId, UserId};
use crate::inventory::Inventory;
use crate::inventory::rules::{
    get_org, get_product, get_tenant, get_user, lock_tenant, page_limit,
};
use crate::notification::{Notification, NotificationKind, OrderDigest};
use crate::order::Order;
use crate::permission::Permission;
use crate::store::Tx;

/// Writes, for each `(kind, recipients)` of `messages` in turn, one `kind` notification about
/// `order` to each recipient (each person once a kind, in id order), caused by ledger entry
/// `seq`: one digest of the order and one write for them all.
pub(crate) fn notify(
    tx: &mut dyn Tx,
    now: DateTime<Utc>,
    seq: u64,
    messages: Vec<(NotificationKind, BTreeSet<UserId>)>,
    order: &Order,
    permissions: &[Permission],
) -> Result<()> {
    let count = messages
        .iter()
        .try_fold(0usize, |n, (_, recipients)| n.plus(recipients.len()))?;
    if count == 0 {
        return Ok(());
    }
    let digest = digest(tx, order)?;
    let ids = tx.new_notification_ids(count)?;
    if ids.len() != count {
        return Err(crate::StorageError::RowCount {
            table: "notifications",
            reason: format!(
                "the store gave {} new ids for {count} notifications",
                ids.len()
            ),
        }
        .into());
    }
    let to = messages
        .into_iter()
        .flat_map(|(kind, recipients)| recipients.into_iter().map(move |user| (kind, user)));
    let mut out = Vec::with_capacity(count);
    for ((kind, user), id) in to.zip(ids) {
        let u = get_user(tx, order.tenant, user)?;
        out.push(Notification {
            id,
            tenant: order.tenant,
            seq,
            kind,
            recipient: user,
            email: u.email,
            name: u.name,
            order: order.id,
            digest: digest.clone(),
            permissions: permissions.to_vec(),
            created_at: now,
            sent_at: None,
        });
    }
    tx.insert_notifications(&out)
}

/// A new request: a confirmation to its requester, a notice to every admin of its source and
/// every vendor admin.
pub(crate) fn on_request(
    tx: &mut dyn Tx,
    now: DateTime<Utc>,
    seq: u64,
    order: &Order,
) -> Result<()> {
    let vendor = get_tenant(tx, order.tenant)?.vendor;
    let mut admins = tx.org_admins(order.tenant, vendor)?;
    if let Some(source) = order.source {
        admins.extend(tx.org_admins(order.tenant, source)?);
    }
    let messages = vec![
        (
            NotificationKind::RequestConfirmation,
            order.requested_by.into_iter().collect(),
        ),
        (
            NotificationKind::RequestReceived,
            admins.into_iter().collect(),
        ),
    ];
    notify(tx, now, seq, messages, order, &[])
}

/// An approved or rejected request: a message to its requester.
pub(crate) fn on_decision(
    tx: &mut dyn Tx,
    now: DateTime<Utc>,
    seq: u64,
    order: &Order,
    approved: bool,
) -> Result<()> {
    let kind = if approved {
        NotificationKind::RequestApproved
    } else {
        NotificationKind::RequestRejected
    };
    let requester = order.requested_by.into_iter().collect();
    notify(tx, now, seq, vec![(kind, requester)], order, &[])
}

fn digest(tx: &mut dyn Tx, o: &Order) -> Result<OrderDigest> {
    let product_name = get_product(tx, o.tenant, o.product)?.name;
    let holder_name = get_org(tx, o.tenant, o.holder)?.name;
    let source_name = match o.source {
        Some(s) => Some(get_org(tx, o.tenant, s)?.name),
        None => None,
    };
    Ok(OrderDigest {
        number: o.number,
        product_name,
        requested_quantity: o.requested_quantity,
        approved_quantity: o.approved_quantity,
        purchase_order: o.purchase_order.clone(),
        holder_name,
        source_name,
        requester_comments: o.requester_comments.clone(),
        approval_comments: o.approval_comments.clone(),
    })
}

impl Inventory {
    /// Up to `limit` (1 to [`crate::MAX_PAGE`]) notifications not yet marked sent, oldest
    /// first: what the host application should send now. Send them, then
    /// [`Inventory::mark_notifications_sent`]; a notification is returned again until marked
    /// (at-least-once delivery).
    ///
    /// ```
    /// # use license_inventory::*;
    /// # fn main() -> Result<()> {
    /// # let inv = Inventory::in_memory();
    /// # let t = inv.create_tenant(NewTenant { name: "T".into(), plan: Plan::Standard, vendor_name: "V".into(), first_order_number: Some(1213) })?;
    /// # let ellen = inv.create_org(t.id, NewOrganization { name: "Ellen Emporium".into(), tier: Tier::Distributor, parent: t.vendor })?;
    /// # let mga = inv.create_org(t.id, NewOrganization { name: "MGA Inc".into(), tier: Tier::Reseller, parent: ellen.id })?;
    /// # let irina = inv.create_user(t.id, NewUser { name: "Irina Heer".into(), email: "irina@mga.example".into() })?;
    /// # inv.grant_admin(t.id, irina.id, mga.id)?;
    /// # let cl = inv.create_product(t.id, NewProduct { code: "CL".into(), name: "Center License".into(), kind: ProductKind::License })?;
    /// let s = inv.session(t.id, irina.id)?;
    /// s.request(NewRequest::new(mga.id, cl.id, 2))?;
    /// let pending = inv.pending_notifications(t.id, 100)?;
    /// assert_eq!(pending[0].kind, NotificationKind::RequestConfirmation);
    /// assert_eq!(pending[0].subject(), "Order 1213: your request for 2 Center License was received");
    /// // … send them, then:
    /// let ids: Vec<NotificationId> = pending.iter().map(|n| n.id).collect();
    /// assert_eq!(inv.mark_notifications_sent(t.id, &ids)?, pending.len());
    /// assert!(inv.pending_notifications(t.id, 100)?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn pending_notifications(
        &self,
        tenant: TenantId,
        limit: usize,
    ) -> Result<Vec<Notification>> {
        self.by_host(Action::View, || {
            let limit = page_limit(limit)?;
            self.read(|tx| {
                get_tenant(tx, tenant)?;
                tx.pending_notifications(tenant, limit)
            })
        })
    }

    /// Marks notifications sent, all or none: an id that is not a notification of this tenant
    /// is `NotFound` and nothing is marked. Marking one already sent changes nothing (it keeps
    /// its first time). Returns how many were newly marked.
    pub fn mark_notifications_sent(
        &self,
        tenant: TenantId,
        ids: &[NotificationId],
    ) -> Result<usize> {
        self.by_host(Action::MarkNotificationsSent, || {
            if ids.len() > crate::MAX_PAGE {
                return Err(Error::invalid(
                    "notification ids",
                    format!("at most {} at once, got {}", crate::MAX_PAGE, ids.len()),
                ));
            }
            self.command(tenant, "mark_notifications_sent", &ids, |tx, now| {
                lock_tenant(tx, tenant)?;
                let mut marked = 0;
                for &id in ids {
                    let n = tx
                        .notification(tenant, id)?
                        .ok_or_else(|| Error::not_found(Entity::Notification, id))?;
                    if n.sent_at.is_none() {
                        tx.set_notification_sent(tenant, id, now)?;
                        marked = marked.plus(1)?;
                    }
                }
                Ok(marked)
            })
        })
    }

    /// A notification by id, sent or not.
    pub fn notification(&self, tenant: TenantId, id: NotificationId) -> Result<Notification> {
        self.by_host(Action::View, || {
            self.read(|tx| {
                get_tenant(tx, tenant)?;
                tx.notification(tenant, id)?
                    .ok_or_else(|| Error::not_found(Entity::Notification, id))
            })
        })
    }
}
