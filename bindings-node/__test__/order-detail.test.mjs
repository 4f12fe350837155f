// The order-detail half: metadata and customer, bundles, returning units, deleting an order
// (ORDER_IN_USE naming the children), retired units and conservation.
import assert from 'node:assert/strict'

import { centerOrder, rejection, snapshot, stock, storeTest, wholeLedger, world } from './helpers.mjs'

storeTest('metadata: editable after approval by the holder\'s admins; left out stays, \'\' clears', async (inv) => {
  const w = await world({ inv })
  const o = await centerOrder(w, w.products.cl, 2)
  assert.deepEqual({ ...o.metadata }, { reference: null, campaign: {}, downloadId: null, isTest: false, isTrial: false })

  const edited = await w.eli.editMetadata(o.id, {
    reference: 'REF-1', campaign: { utm_source: 'newsletter', utm_medium: 'email' }, downloadId: 'DL-9', isTest: true, isTrial: true,
  })
  assert.equal(edited.status, 'active')
  assert.deepEqual({ ...edited.metadata, campaign: { ...edited.metadata.campaign } }, {
    reference: 'REF-1', campaign: { utm_medium: 'email', utm_source: 'newsletter' }, downloadId: 'DL-9', isTest: true, isTrial: true,
  })
  const partly = await w.eli.editMetadata(o.id, { reference: '', isTest: false })
  assert.deepEqual([partly.metadata.reference, partly.metadata.downloadId, partly.metadata.isTest, partly.metadata.isTrial], [null, 'DL-9', false, true])
  assert.deepEqual({ ...partly.metadata.campaign }, { utm_medium: 'email', utm_source: 'newsletter' })
  assert.deepEqual({ ...(await w.eli.editMetadata(o.id, { campaign: {} })).metadata.campaign }, {})
  assert.deepEqual((await w.eli.order(o.id)).order.metadata.downloadId, 'DL-9')

  // A trial order issues trial licenses.
  const [l] = await w.eli.issue(o.id, 1)
  assert.equal(l.trial, true)

  const before = await snapshot(w)
  let err = await rejection(w.olga.editMetadata(o.id, { reference: 'X' }), 'PERMISSION_DENIED')
  assert.equal(err.action, 'edit_metadata')
  err = await rejection(w.irina.editMetadata(o.id, { reference: 'X' }), 'PERMISSION_DENIED')
  assert.equal(err.action, 'edit_metadata', 'an ancestor reads, only the holder edits')
  err = await rejection(w.eli.editMetadata(o.id, { reference: 'x'.repeat(10_000) }), 'INVALID_INPUT')
  assert.equal(err.field, 'order reference')
  assert.deepEqual(await snapshot(w), before)
  assert.equal((await wholeLedger(w)).filter((e) => e.kind === 'metadata_edited').length, 3)
})

storeTest('customer: added, replaced with a normalised email, removed with null', async (inv) => {
  const w = await world({ inv })
  const o = await centerOrder(w, w.products.cl, 1)
  assert.equal(o.customer, null)
  const customer = { name: 'Elerome School', email: 'Principal@Elerome.example', company: 'Elerome School', phone: '+1 555 0100', reference: 'C-7' }
  const withIt = await w.eli.setCustomer(o.id, customer)
  assert.deepEqual({ ...withIt.customer }, { ...customer, email: 'principal@elerome.example' })
  assert.deepEqual({ ...(await w.irina.order(o.id)).order.customer }, { ...customer, email: 'principal@elerome.example' })
  // A result can be passed back as it is.
  const again = await w.eli.setCustomer(o.id, { ...withIt.customer, phone: null })
  assert.equal(again.customer.phone, null)

  const before = await snapshot(w)
  let err = await rejection(w.eli.setCustomer(o.id, { ...customer, email: 'not-an-email' }), 'INVALID_INPUT')
  assert.equal(err.field, 'email')
  err = await rejection(w.eli.setCustomer(o.id, { ...customer, name: ' ' }), 'INVALID_INPUT')
  assert.equal(err.field, 'customer name')
  err = await rejection(w.olga.setCustomer(o.id, customer), 'PERMISSION_DENIED')
  assert.equal(err.action, 'edit_customer')
  assert.deepEqual(await snapshot(w), before)

  assert.equal((await w.eli.setCustomer(o.id, null)).customer, null)
  assert.equal((await w.eli.order(o.id)).order.customer, null)
})

storeTest('bundles: one request per line, grouped under one bundle id', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const { cl, uac } = w.products
  const bundle = await w.inv.createBundle(t, {
    name: 'Classroom pack', lines: [{ product: cl.id, quantity: 1 }, { product: uac.id, quantity: 30 }],
  })
  assert.deepEqual({ ...bundle, id: undefined, lines: bundle.lines.map((l) => ({ ...l })) }, {
    id: undefined, tenant: t, name: 'Classroom pack', lines: [{ product: cl.id, quantity: 1 }, { product: uac.id, quantity: 30 }],
  })
  assert.deepEqual(await w.inv.bundle(t, bundle.id), bundle)
  await rejection(w.inv.createBundle(t, { name: 'Twice', lines: [{ product: cl.id, quantity: 1 }, { product: cl.id, quantity: 2 }] }), 'INVALID_INPUT')
  await rejection(w.inv.createBundle(t, { name: 'Empty', lines: [] }), 'INVALID_INPUT')
  let err = await rejection(w.inv.bundle(t, '01890a5d-ac96-774b-bcce-b302099a8057'), 'NOT_FOUND')
  assert.equal(err.entity, 'bundle')

  w.inv.setTime(new Date('2017-10-20T03:00:00Z'))
  const next = (await w.inv.tenant(t)).nextOrderNumber
  const orders = await w.irina.requestBundle({ holder: w.orgs.mga.id, bundle: bundle.id, purchaseOrder: 'B-1', comments: 'for the class' })
  assert.equal(orders.length, 2)
  assert.deepEqual(orders.map((o) => [o.number, o.product, o.requestedQuantity, o.status, o.holder, o.source, o.purchaseOrder, o.requesterComments]), [
    [next, cl.id, 1, 'requested', w.orgs.mga.id, w.orgs.ellen.id, 'B-1', 'for the class'],
    [next + 1, uac.id, 30, 'requested', w.orgs.mga.id, w.orgs.ellen.id, 'B-1', 'for the class'],
  ])
  assert.ok(orders[0].bundle !== null && orders[0].bundle === orders[1].bundle)
  assert.notEqual(orders[0].bundle, bundle.id, 'the bundle order, not the bundle definition')
  const again = await w.irina.requestBundle({ holder: w.orgs.mga.id, bundle: bundle.id })
  assert.notEqual(again[0].bundle, orders[0].bundle)

  const before = await snapshot(w)
  err = await rejection(w.olga.requestBundle({ holder: w.orgs.mga.id, bundle: bundle.id }), 'PERMISSION_DENIED')
  assert.equal(err.action, 'request_bundle')
  err = await rejection(w.irina.requestBundle({ holder: w.orgs.mga.id, bundle: cl.id }), 'NOT_FOUND')
  assert.equal(err.entity, 'bundle')
  err = await rejection(w.vera.requestBundle({ holder: w.orgs.vendor, bundle: bundle.id }), 'HIERARCHY_VIOLATION')
  assert.deepEqual(await snapshot(w), before)
  // Each order of the bundle is an ordinary request.
  await stock(w, w.orgs.ellen, cl, 1)
  assert.equal((await w.irina.approve(orders[0].id)).status, 'active')
})

storeTest('returnUnits: back to the source orders, newest draw first; vendor-minted units retired', async (inv) => {
  const w = await world({ inv })
  const { cl, uac } = w.products
  const older = await stock(w, w.orgs.ellen, cl, 3)
  const newer = await stock(w, w.orgs.ellen, cl, 3)
  const o = await w.irina.assign({ from: w.orgs.ellen.id, to: w.orgs.mga.id, product: cl.id, quantity: 5 })
  // It drew 3 from the older and 2 from the newer; returning 3 gives 2 to the newer first.
  const back = await w.irina.returnUnits(o.id, 3)
  assert.deepEqual([back.approvedQuantity, back.available, back.status], [2, 2, 'active'])
  const [a, b] = [(await w.irina.order(older.id)).order, (await w.irina.order(newer.id)).order]
  assert.deepEqual([a.available, a.drawn, b.available, b.drawn], [1, 2, 3, 0])

  const before = await snapshot(w)
  let err = await rejection(w.irina.returnUnits(o.id, 3), 'INSUFFICIENT_INVENTORY')
  assert.deepEqual([err.available, err.requested], [2, 3])
  err = await rejection(w.olga.returnUnits(o.id, 1), 'PERMISSION_DENIED')
  assert.equal(err.action, 'return_units')
  err = await rejection(w.irina.returnUnits(o.id, 0), 'INVALID_INPUT')
  assert.equal(err.field, 'quantity')
  assert.deepEqual(await snapshot(w), before)
  const entry = (await wholeLedger(w)).filter((e) => e.kind === 'units_returned')
  assert.equal(entry.length, 1)
  assert.equal(entry[0].retired, 0)

  // Units minted by a vendor-tier approval leave the tenant when returned.
  const minted = await stock(w, w.orgs.ellen, uac, 4)
  const gone = await w.irina.returnUnits(minted.id, 4)
  assert.deepEqual([gone.approvedQuantity, gone.available, gone.status], [0, 0, 'depleted'])
  const tenant = await w.inv.tenant(w.tenant.id)
  assert.deepEqual([tenant.minted, tenant.retired], [10, 4])
  const audit = await w.inv.audit(w.tenant.id)
  assert.deepEqual([audit.minted, audit.retired, audit.available, audit.issued, audit.isClean], [10, 4, 6, 0, true])
})

storeTest('deleteOrder: ORDER_IN_USE names the children; units go back, issued units retire', async (inv) => {
  const w = await world({ inv })
  const { cl } = w.products
  const source = await stock(w, w.orgs.ellen, cl, 10)
  const mga = await w.irina.assign({ from: w.orgs.ellen.id, to: w.orgs.mga.id, product: cl.id, quantity: 6 })
  const center = await w.irina.assign({ from: w.orgs.mga.id, to: w.orgs.elerome.id, product: cl.id, quantity: 2 })
  const center2 = await w.irina.assign({ from: w.orgs.mga.id, to: w.orgs.elerome.id, product: cl.id, quantity: 1 })
  await w.irina.issue(mga.id, 1)

  const before = await snapshot(w)
  let err = await rejection(w.irina.deleteOrder(mga.id), 'ORDER_IN_USE')
  assert.equal(err.orderNumber, mga.number)
  assert.deepEqual(err.children, [center.number, center2.number])
  assert.match(err.message, new RegExp(`order ${mga.number} is still in use by child orders`))
  err = await rejection(w.olga.deleteOrder(center.id), 'PERMISSION_DENIED')
  assert.equal(err.action, 'delete_order')
  assert.deepEqual(await snapshot(w), before, 'refused deletions change nothing')

  // The children go first: an unconsumed unit back to MGA's order, an issued license retired.
  const [issued] = await w.eli.issue(center.id, 1)
  await w.eli.deleteOrder(center.id)
  await w.eli.deleteOrder(center2.id)
  err = await rejection(w.eli.order(center.id), 'NOT_FOUND')
  assert.deepEqual([err.entity, err.id], ['order', center.id])
  await rejection(w.inv.checkLicense(w.tenant.id, issued.key), 'NOT_FOUND')
  const m = (await w.irina.order(mga.id)).order
  assert.deepEqual([m.approvedQuantity, m.available, m.drawn, m.issued], [6, 4, 1, 1])

  // Then MGA's order: its 4 available units back to Ellen's, its issued one retired (and the
  // one the deleted child had issued stays retired).
  assert.equal(await w.irina.deleteOrder(mga.id), undefined)
  const s = (await w.irina.order(source.id)).order
  assert.deepEqual([s.available, s.drawn, s.status], [8, 2, 'active'])
  const t = await w.inv.tenant(w.tenant.id)
  assert.deepEqual([t.minted, t.retired], [10, 2])
  const deletions = (await wholeLedger(w)).filter((e) => e.kind === 'order_deleted')
  assert.deepEqual(deletions.map((e) => [e.order, e.retired]), [[center.id, 1], [center2.id, 0], [mga.id, 1]])
  const audit = await w.inv.audit(w.tenant.id)
  assert.deepEqual([audit.orders, audit.minted, audit.retired, audit.available, audit.issued, audit.isClean], [1, 10, 2, 8, 0, true])

  // A deleted order is gone from the lists too.
  const page = await w.irina.list(w.orgs.mga.id)
  assert.deepEqual(page.items, [])
})
