// Session commands: mint, request, editRequest, cancel, approve, reject, assign, order reads;
// their error codes and figures; permission refusals across branches.
import assert from 'node:assert/strict'

import { rejection, stock, storeTest, world } from './helpers.mjs'

storeTest('mint: vendor admins only, into an order the vendor holds', async (inv) => {
  const w = await world({ inv, firstOrderNumber: 1000 })
  const o = await w.vera.mint({ product: w.products.cl.id, quantity: 10, purchaseOrder: 'MINT-1', comments: 'fresh stock' })
  assert.equal(o.number, 1000)
  assert.equal(o.status, 'active')
  assert.equal(o.holder, w.orgs.vendor)
  assert.equal(o.source, null)
  assert.equal(o.available, 10)
  assert.equal(o.approvedQuantity, 10)
  assert.equal(o.purchaseOrder, 'MINT-1')
  assert.equal((await w.inv.tenant(w.tenant.id)).minted, 10)
  const err = await rejection(w.irina.mint({ product: w.products.cl.id, quantity: 1 }), 'PERMISSION_DENIED')
  assert.equal(err.action, 'mint')
  assert.equal(err.actor, w.users.irina.id)
  assert.equal(typeof err.reason, 'string')
})

storeTest('request, edit while pending, approve fewer than asked, then frozen', async (inv) => {
  const w = await world({ inv })
  const { cl, uac } = w.products
  await stock(w, w.orgs.ellen, cl, 10)
  const at = new Date('2017-10-20T02:24:00Z')
  w.inv.setTime(at)
  const req = await w.irina.request({ holder: w.orgs.mga.id, product: cl.id, quantity: 4, purchaseOrder: '20171019', comments: 'for the fall' })
  assert.equal(req.status, 'requested')
  assert.equal(req.source, w.orgs.ellen.id)
  assert.equal(req.requestedBy, w.users.irina.id)
  assert.deepEqual(req.requestedAt, at)
  assert.equal(req.requestedQuantity, 4)
  assert.equal(req.approvedQuantity, 0)
  assert.equal(req.approvedAt, null)

  const edited = await w.irina.editRequest(req.id, { quantity: 5, product: uac.id, purchaseOrder: '', comments: 'changed' })
  assert.equal(edited.requestedQuantity, 5)
  assert.equal(edited.product, uac.id)
  assert.equal(edited.purchaseOrder, null)
  assert.equal(edited.requesterComments, 'changed')
  const back = await w.irina.editRequest(req.id, { product: cl.id })
  assert.equal(back.requestedQuantity, 5, 'fields left out stay as they are')
  assert.equal(back.product, cl.id)

  w.inv.setTime(new Date('2017-10-20T03:00:00Z'))
  const approved = await w.irina.approve(req.id, { quantity: 3, comments: 'three for now' })
  assert.equal(approved.status, 'active')
  assert.equal(approved.approvedQuantity, 3)
  assert.equal(approved.available, 3)
  assert.equal(approved.approvedBy, w.users.irina.id)
  assert.deepEqual(approved.approvedAt, new Date('2017-10-20T03:00:00Z'))
  assert.equal(approved.approvalComments, 'three for now')

  let err = await rejection(w.irina.editRequest(req.id, { quantity: 1 }), 'INVALID_STATE')
  assert.equal(err.orderNumber, req.number)
  assert.equal(err.status, 'active')
  assert.equal(err.action, 'edit_request')
  err = await rejection(w.irina.cancel(req.id), 'INVALID_STATE')
  assert.equal(err.action, 'cancel')
  await rejection(w.irina.approve(req.id), 'INVALID_STATE')

  // Approving more than was asked, or nothing, is bad input.
  const req2 = await w.irina.request({ holder: w.orgs.mga.id, product: cl.id, quantity: 2 })
  await rejection(w.irina.approve(req2.id, { quantity: 3 }), 'INVALID_INPUT')
  err = await rejection(w.irina.approve(req2.id, { quantity: 0 }), 'INVALID_INPUT')
  assert.equal(err.field, 'quantity')
  await rejection(w.irina.approve(req2.id, { quantity: -2 }), 'INVALID_INPUT')
  await rejection(w.irina.approve(req2.id, { quantity: 1.5 }), 'INVALID_INPUT')
})

storeTest('approve draws oldest first; insufficient stock fails with figures and changes nothing', async (inv) => {
  const w = await world({ inv })
  const { cl } = w.products
  const a = await stock(w, w.orgs.ellen, cl, 2)
  const b = await stock(w, w.orgs.ellen, cl, 3)
  const big = await w.irina.request({ holder: w.orgs.mga.id, product: cl.id, quantity: 6 })
  const err = await rejection(w.irina.approve(big.id), 'INSUFFICIENT_INVENTORY')
  assert.equal(err.available, 5)
  assert.equal(err.requested, 6)
  assert.match(err.message, /6 units asked, only 5 available/)
  assert.equal((await w.irina.order(big.id)).order.status, 'requested', 'nothing changed')

  const ok = await w.irina.approve(big.id, { quantity: 4 })
  assert.equal(ok.available, 4)
  const [ea, eb] = [await w.irina.order(a.id), await w.irina.order(b.id)]
  assert.equal(ea.order.status, 'depleted')
  assert.equal(ea.order.drawn, 2)
  assert.equal(eb.order.available, 1)
  assert.equal((await w.inv.audit(w.tenant.id)).isClean, true)
})

storeTest('cancel and reject', async (inv) => {
  const w = await world({ inv })
  const { uac } = w.products
  const req = await w.irina.request({ holder: w.orgs.mga.id, product: uac.id, quantity: 1 })
  const cancelled = await w.irina.cancel(req.id)
  assert.equal(cancelled.status, 'cancelled')
  const req2 = await w.eli.request({ holder: w.orgs.elerome.id, product: uac.id, quantity: 1, comments: 'please' })
  // Eli (center admin) may not cancel or approve what is not his to decide…
  await rejection(w.eli.approve(req2.id), 'PERMISSION_DENIED')
  // …and Irina (MGA admin, the source) may not cancel Elerome's request.
  const err = await rejection(w.irina.cancel(req2.id), 'PERMISSION_DENIED')
  assert.equal(err.action, 'cancel')
  const rejected = await w.irina.reject(req2.id, { comments: 'not this month' })
  assert.equal(rejected.status, 'rejected')
  assert.equal(rejected.approvalComments, 'not this month')
  const req3 = await w.eli.request({ holder: w.orgs.elerome.id, product: uac.id, quantity: 1 })
  assert.equal((await w.irina.reject(req3.id)).status, 'rejected')
})

storeTest('assign pushes units to a child: an order born active', async (inv) => {
  const w = await world({ inv })
  const { uac } = w.products
  await stock(w, w.orgs.ellen, uac, 5)
  const err = await rejection(w.irina.assign({ from: w.orgs.ellen.id, to: w.orgs.mga.id, product: uac.id, quantity: 6 }), 'INSUFFICIENT_INVENTORY')
  assert.equal(err.available, 5)
  assert.equal(err.requested, 6)
  // Only to a child: Elerome is MGA's child, not Ellen's.
  await rejection(w.irina.assign({ from: w.orgs.ellen.id, to: w.orgs.elerome.id, product: uac.id, quantity: 1 }), 'HIERARCHY_VIOLATION')
  // Only by an admin of the assigning org.
  const denied = await rejection(w.eli.assign({ from: w.orgs.ellen.id, to: w.orgs.mga.id, product: uac.id, quantity: 1 }), 'PERMISSION_DENIED')
  assert.equal(denied.action, 'assign')
  const pushed = await w.irina.assign({ from: w.orgs.ellen.id, to: w.orgs.mga.id, product: uac.id, quantity: 2, purchaseOrder: 'PUSH-1', comments: 'gift' })
  assert.equal(pushed.status, 'active')
  assert.equal(pushed.holder, w.orgs.mga.id)
  assert.equal(pushed.source, w.orgs.ellen.id)
  assert.equal(pushed.available, 2)
  assert.equal(pushed.approvedQuantity, 2)
  assert.equal(pushed.requestedBy, null)
  assert.equal(pushed.approvedBy, w.users.irina.id)
  assert.equal(pushed.purchaseOrder, 'PUSH-1')
})

storeTest('consecutive assignments get consecutive order numbers', async (inv) => {
  const w = await world({ inv, firstOrderNumber: 500 })
  const { uac } = w.products
  await stock(w, w.orgs.ellen, uac, 5)
  const a = await w.irina.assign({ from: w.orgs.ellen.id, to: w.orgs.mga.id, product: uac.id, quantity: 1 })
  const b = await w.irina.assign({ from: w.orgs.ellen.id, to: w.orgs.mga.id, product: uac.id, quantity: 1 })
  assert.deepEqual([a.number, b.number], [501, 502])
  assert.equal((await w.inv.tenant(w.tenant.id)).nextOrderNumber, 503)
})

storeTest('nobody sees or touches another branch of the tree', async (inv) => {
  const w = await world({ inv })
  const { cl } = w.products
  const ours = await stock(w, w.orgs.ellen, cl, 3)
  const theirs = await stock(w, w.orgs.otherDist, cl, 3, w.olga)

  let err = await rejection(w.olga.request({ holder: w.orgs.mga.id, product: cl.id, quantity: 1 }), 'PERMISSION_DENIED')
  assert.equal(err.action, 'request')
  assert.equal(err.actor, w.users.olga.id)
  err = await rejection(w.olga.order(ours.id), 'PERMISSION_DENIED')
  assert.equal(err.action, 'view')
  await rejection(w.olga.detailOfUse(ours.id), 'PERMISSION_DENIED')
  await rejection(w.olga.orderByNumber(ours.number), 'PERMISSION_DENIED')
  await rejection(w.olga.list(w.orgs.ellen.id), 'PERMISSION_DENIED')
  await rejection(w.olga.summary(w.orgs.mga.id), 'PERMISSION_DENIED')
  await rejection(w.irina.order(theirs.id), 'PERMISSION_DENIED')
  await rejection(w.irina.assign({ from: w.orgs.ellen.id, to: w.orgs.otherRes.id, product: cl.id, quantity: 1 }), 'HIERARCHY_VIOLATION')
  const req = await w.olga.request({ holder: w.orgs.otherRes.id, product: cl.id, quantity: 1 })
  err = await rejection(w.irina.approve(req.id), 'PERMISSION_DENIED')
  assert.equal(err.action, 'approve')
  await rejection(w.irina.reject(req.id), 'PERMISSION_DENIED')
  await rejection(w.irina.editRequest(req.id, { quantity: 2 }), 'PERMISSION_DENIED')
  // A child sees its own orders but not its parent's.
  await rejection(w.eli.list(w.orgs.mga.id), 'PERMISSION_DENIED')
  // The vendor admin sees everything in the tenant.
  assert.equal((await w.vera.order(theirs.id)).holderName, 'Other Distribution')
})

storeTest('order and orderByNumber give the order with its names', async (inv) => {
  const w = await world({ inv, firstOrderNumber: 1210 })
  const { uac } = w.products
  const o = await stock(w, w.orgs.ellen, uac, 2)
  const d = await w.irina.orderByNumber(o.number)
  assert.deepEqual(d, await w.irina.order(o.id))
  assert.equal(d.order.number, 1210)
  assert.equal(d.productName, 'User Activation Codes')
  assert.equal(d.productKind, 'activation_code')
  assert.equal(d.holderName, 'Ellen Emporium')
  assert.equal(d.sourceName, 'Jasperactive')
  assert.equal(d.requestedByName, 'Irina Heer')
  assert.equal(d.approvedByName, 'Vera Vendor')
  const err = await rejection(w.irina.orderByNumber(99), 'NOT_FOUND')
  assert.equal(err.entity, 'order')
  assert.equal(err.id, '99')
  await rejection(w.irina.orderByNumber(-1), 'INVALID_INPUT')
  await rejection(w.irina.order('zzz'), 'INVALID_INPUT')
})
