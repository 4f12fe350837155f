//! What a user reads about orders: an order, an organization's list and summary, and the detail
//! of use.
//!
//! Rules: docs/rules.md §6.

use crate::checked::Checked;
use crate::error::{Action, Entity, Error, Result};
use crate::ids::{OrderId, OrderNumber, OrgId};
use crate::inventory::Session;
use crate::inventory::rules::*;
use crate::order::Draw;
use crate::views::{
    Cursor, InventoryFilter, InventoryUse, OrderDetails, OrderList, Page, SummaryLine, UseLine,
};

impl Session {
    /// An order with its names, if the actor may see it.
    pub fn order(&self, id: OrderId) -> Result<OrderDetails> {
        self.by(Action::View, || {
            self.inv.read(|tx| {
                let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
                let order = get_order(tx, self.tenant, id)?;
                actor.require_view_order(tx, &order)?;
                Names::new(self.tenant).details(tx, order)
            })
        })
    }

    /// An order by its number, if the actor may see it.
    pub fn order_by_number(&self, number: OrderNumber) -> Result<OrderDetails> {
        self.by(Action::View, || {
            crate::input::stored_number("order number", number.get())?;
            self.inv.read(|tx| {
                let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
                let order = tx
                    .order_by_number(self.tenant, number)?
                    .ok_or_else(|| Error::not_found(Entity::Order, number))?;
                actor.require_view_order(tx, &order)?;
                Names::new(self.tenant).details(tx, order)
            })
        })
    }

    /// The inventory list of `org`: its orders matching `filter`, newest first, `limit` (1 to
    /// 1000) per page; pass the returned cursor back for the next page.
    pub fn list(
        &self,
        org: OrgId,
        filter: &InventoryFilter,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<OrderDetails>> {
        self.by(Action::View, || {
            self.list_of(OrderList::Held, org, filter, cursor, limit)
        })
    }

    /// The approval queue of `org`: the requests addressed to it that wait for its decision,
    /// matching `filter`, newest first, paged like [`Session::list`]. Readable by whoever may
    /// view `org`; its length is the summary's incoming requests.
    ///
    /// ```
    /// use license_inventory::*;
    /// # fn main() -> Result<()> {
    /// let inv = Inventory::in_memory();
    /// let tenant = inv.create_tenant(NewTenant { name: "Jasperactive".into(), plan: Plan::Standard, vendor_name: "Jasperactive".into(), first_order_number: Some(1210) })?;
    /// let org = |name: &str, tier, parent| inv.create_org(tenant.id, NewOrganization { name: name.into(), tier, parent });
    /// let ellen = org("Ellen Emporium", Tier::Distributor, tenant.vendor)?;
    /// let mga = org("MGA Inc", Tier::Reseller, ellen.id)?;
    /// let irina = inv.create_user(tenant.id, NewUser { name: "Irina Heer".into(), email: "irina@mga.example".into() })?;
    /// inv.grant_admin(tenant.id, irina.id, ellen.id)?;
    /// inv.grant_admin(tenant.id, irina.id, mga.id)?;
    /// let cl = inv.create_product(tenant.id, NewProduct { code: "CL".into(), name: "Center License".into(), kind: ProductKind::License })?;
    /// let irina = inv.session(tenant.id, irina.id)?;
    /// let request = irina.request(NewRequest::new(mga.id, cl.id, 3))?;
    /// let queue = irina.approval_queue(ellen.id, &InventoryFilter::default(), None, 50)?;
    /// assert_eq!(queue.items.len(), 1);
    /// assert_eq!(queue.items[0].order.id, request.id);
    /// # Ok(()) }
    /// ```
    pub fn approval_queue(
        &self,
        org: OrgId,
        filter: &InventoryFilter,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<OrderDetails>> {
        self.by(Action::View, || {
            self.list_of(OrderList::AwaitingDecision, org, filter, cursor, limit)
        })
    }

    /// The orders `org` supplied: requests it approved and assignments it made (units drawn
    /// from it), matching `filter`, newest first, paged like [`Session::list`]: the approver's
    /// history.
    pub fn supplied_orders(
        &self,
        org: OrgId,
        filter: &InventoryFilter,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<OrderDetails>> {
        self.by(Action::View, || {
            self.list_of(OrderList::Supplied, org, filter, cursor, limit)
        })
    }

    /// One page of `list` of `org` ([`OrderList`]): [`Session::list`],
    /// [`Session::approval_queue`] or [`Session::supplied_orders`] by the list's name, for a
    /// caller that holds the list as a value.
    pub fn list_of(
        &self,
        list: OrderList,
        org: OrgId,
        filter: &InventoryFilter,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<OrderDetails>> {
        self.by(Action::View, || {
            let limit = page_limit(limit)?;
            self.inv.read(|tx| {
                let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
                let org = get_org(tx, self.tenant, org)?;
                actor.require_view(tx, &org)?;
                let mut orders = tx.list_orders(
                    self.tenant,
                    org.id,
                    list,
                    filter,
                    cursor.map(|c| c.0),
                    limit.plus(1)?,
                )?;
                let next = if orders.len() > limit {
                    orders.truncate(limit);
                    orders.last().map(|o| Cursor(o.number))
                } else {
                    None
                };
                let mut names = Names::new(self.tenant);
                let items = orders
                    .into_iter()
                    .map(|o| names.details(tx, o))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Page { items, next })
            })
        })
    }

    /// The summary of `org`: per product, units held and available, its pending requests, and
    /// the requests addressed to it awaiting approval.
    pub fn summary(&self, org: OrgId) -> Result<Vec<SummaryLine>> {
        self.by(Action::View, || {
            self.inv.read(|tx| {
                let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
                let org = get_org(tx, self.tenant, org)?;
                actor.require_view(tx, &org)?;
                let counts = tx.summary(self.tenant, org.id)?;
                let mut lines = counts
                    .into_iter()
                    .map(|c| {
                        let p = get_product(tx, self.tenant, c.product)?;
                        Ok(SummaryLine {
                            product: c.product,
                            product_name: p.name,
                            product_kind: p.kind,
                            held: c.held,
                            available: c.available,
                            pending_requests: c.pending_requests,
                            pending_units: c.pending_units,
                            incoming_requests: c.incoming_requests,
                            incoming_units: c.incoming_units,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                lines.sort_by(|a, b| a.product_name.cmp(&b.product_name));
                Ok(lines)
            })
        })
    }

    /// "Detail of Inventory Use" of an order: the order and its outgoing draws.
    pub fn detail_of_use(&self, id: OrderId) -> Result<InventoryUse> {
        self.by(Action::View, || {
            self.inv.read(|tx| {
                let actor = Actor::load_for_read(tx, self.tenant, self.user)?;
                let order = get_order(tx, self.tenant, id)?;
                actor.require_view_order(tx, &order)?;
                let mut names = Names::new(self.tenant);
                let mut draws = Vec::new();
                let mut from = tx.draws_from(self.tenant, order.id)?;
                Draw::sort_oldest_first(&mut from);
                for d in from {
                    let child = get_order(tx, self.tenant, d.order)?;
                    draws.push(UseLine {
                        order: child.id,
                        order_number: child.number,
                        purchase_order: child.purchase_order.clone(),
                        quantity: d.quantity,
                        at: d.at,
                        requested_by_org: names.org(tx, child.holder)?,
                        requested_by_user: names.user_opt(tx, child.requested_by)?,
                        approved_by_org: names.org(tx, order.holder)?,
                        approved_by_user: names.user_opt(tx, child.approved_by)?,
                    });
                }
                let order = names.details(tx, order)?;
                Ok(InventoryUse { order, draws })
            })
        })
    }
}
