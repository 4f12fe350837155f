// Read models: the inventory list (filters, cursor pagination), the summary, the detail of
// inventory use; the ledger and the audit.
import assert from 'node:assert/strict'

import { rejection, stock, storeTest, world } from './helpers.mjs'

/** Ellen holds 8 orders: numbers 1..8, alternating products, one a day from 2020-01-01. */
async function ellenWithOrders(inv) {
  const w = await world({ inv })
  const { cl, uac } = w.products
  const orders = []
  for (let i = 0; i < 8; i++) {
    w.inv.setTime(new Date(Date.UTC(2020, 0, 1 + i)))
    const product = i % 2 === 0 ? cl : uac
    const req = await w.irina.request({ holder: w.orgs.ellen.id, product: product.id, quantity: i + 1, purchaseOrder: `PO-${i % 3 === 0 ? 'Alpha' : 'beta'}-${i}` })
    orders.push(i < 6 ? await w.vera.approve(req.id) : req)
  }
  w.inv.setTime(null)
  return { w, orders }
}

const numbers = (page) => page.items.map((d) => d.order.number)

storeTest('list: newest first, every filter', async (inv) => {
  const { w, orders } = await ellenWithOrders(inv)
  const s = w.irina
  const ellen = w.orgs.ellen.id
  const all = await s.list(ellen)
  assert.deepEqual(numbers(all), [8, 7, 6, 5, 4, 3, 2, 1])
  assert.equal(all.next, null)
  assert.equal(all.items[0].holderName, 'Ellen Emporium')
  assert.deepEqual(numbers(await s.list(ellen, {})), numbers(all))

  assert.deepEqual(numbers(await s.list(ellen, { statuses: ['requested'] })), [8, 7])
  assert.deepEqual(numbers(await s.list(ellen, { statuses: ['active', 'requested'] })), [8, 7, 6, 5, 4, 3, 2, 1])
  assert.deepEqual(numbers(await s.list(ellen, { statuses: ['depleted', 'cancelled'] })), [])
  assert.deepEqual(numbers(await s.list(ellen, { products: [w.products.uac.id] })), [8, 6, 4, 2])
  assert.deepEqual(numbers(await s.list(ellen, { products: [w.products.uac.id], statuses: ['active'] })), [6, 4, 2])
  assert.deepEqual(numbers(await s.list(ellen, { orderNumber: 3 })), [3])
  assert.deepEqual(numbers(await s.list(ellen, { purchaseOrder: 'alpha' })), [7, 4, 1])
  assert.deepEqual(numbers(await s.list(ellen, { purchaseOrder: 'BETA-5' })), [6])
  assert.deepEqual(
    numbers(await s.list(ellen, { requestedFrom: new Date(Date.UTC(2020, 0, 3)), requestedTo: new Date(Date.UTC(2020, 0, 6)) })),
    [5, 4, 3],
  )
  assert.equal(orders.length, 8)
  await rejection(s.list(ellen, { products: ['nope'] }), 'INVALID_INPUT')
  await rejection(s.list(ellen, { orderNumber: -3 }), 'INVALID_INPUT')
})

storeTest('list: cursor pagination walks every order once', async (inv) => {
  const { w } = await ellenWithOrders(inv)
  const seen = []
  let cursor
  let pages = 0
  do {
    const page = await w.irina.list(w.orgs.ellen.id, { limit: 3, cursor })
    seen.push(...numbers(page))
    cursor = page.next ?? undefined
    pages++
  } while (cursor)
  assert.deepEqual(seen, [8, 7, 6, 5, 4, 3, 2, 1])
  assert.equal(pages, 3)
  const filtered = await w.irina.list(w.orgs.ellen.id, { limit: 2, statuses: ['active'] })
  assert.deepEqual(numbers(filtered), [6, 5])
  assert.equal(typeof filtered.next, 'string')
  const rest = await w.irina.list(w.orgs.ellen.id, { limit: 2, statuses: ['active'], cursor: filtered.next })
  assert.deepEqual(numbers(rest), [4, 3])

  let err = await rejection(w.irina.list(w.orgs.ellen.id, { cursor: 'garbage' }), 'INVALID_INPUT')
  assert.equal(err.field, 'cursor')
  await rejection(w.irina.list(w.orgs.ellen.id, { limit: 0 }), 'INVALID_INPUT')
  err = await rejection(w.irina.list(w.orgs.ellen.id, { limit: 1001 }), 'INVALID_INPUT')
  assert.equal(err.field, 'limit')
})

storeTest('summary: held, available, pending and incoming per product', async (inv) => {
  const w = await world({ inv })
  const { cl, uac } = w.products
  await stock(w, w.orgs.ellen, cl, 10)
  await stock(w, w.orgs.ellen, uac, 4)
  const mgaReq = await w.irina.request({ holder: w.orgs.mga.id, product: cl.id, quantity: 3 })
  await w.irina.approve(mgaReq.id)
  await w.irina.request({ holder: w.orgs.ellen.id, product: cl.id, quantity: 7 })
  await w.irina.request({ holder: w.orgs.mga.id, product: uac.id, quantity: 2 })
  const lines = await w.irina.summary(w.orgs.ellen.id)
  assert.deepEqual(lines.map((l) => l.productName), ['Center License', 'User Activation Codes'])
  const [c, u] = lines
  assert.deepEqual({ ...c }, {
    product: cl.id, productName: 'Center License', productKind: 'license',
    held: 10, available: 7, pendingRequests: 1, pendingUnits: 7, incomingRequests: 0, incomingUnits: 0,
  })
  assert.equal(u.held, 4)
  assert.equal(u.available, 4)
  assert.equal(u.incomingRequests, 1)
  assert.equal(u.incomingUnits, 2)
})

storeTest('detailOfUse lists the outgoing draws of an order', async (inv) => {
  const w = await world({ inv, firstOrderNumber: 1210 })
  const { uac } = w.products
  const ellenStock = await stock(w, w.orgs.ellen, uac, 5)
  w.inv.setTime(new Date('2017-10-20T01:45:00Z'))
  const req = await w.irina.request({ holder: w.orgs.mga.id, product: uac.id, quantity: 2, purchaseOrder: 'EE2017-5' })
  const approved = await w.irina.approve(req.id)
  w.inv.setTime(new Date('2017-10-20T01:52:00Z'))
  const eli = await w.eli.request({ holder: w.orgs.elerome.id, product: uac.id, quantity: 1 })
  await w.irina.approve(eli.id)

  const use = await w.irina.detailOfUse(approved.id)
  assert.equal(use.order.order.number, req.number)
  assert.equal(use.order.order.purchaseOrder, 'EE2017-5')
  assert.equal(use.order.order.approvedQuantity, 2)
  assert.equal(use.order.order.available, 1)
  assert.equal(use.draws.length, 1)
  const [line] = use.draws
  assert.deepEqual({ ...line }, {
    order: eli.id,
    orderNumber: eli.number,
    purchaseOrder: null,
    quantity: 1,
    at: new Date('2017-10-20T01:52:00Z'),
    requestedByOrg: 'Elerome School',
    requestedByUser: 'Eli Elerome',
    approvedByOrg: 'MGA Inc',
    approvedByUser: 'Irina Heer',
  })
  assert.equal((await w.irina.detailOfUse(ellenStock.id)).draws[0].orderNumber, req.number)
  await rejection(w.irina.detailOfUse('01890a5d-ac96-774b-bcce-b302099a8057'), 'NOT_FOUND')
})

storeTest('ledger: every change, hash-chained, paged; the audit is clean', async (inv) => {
  const w = await world({ inv })
  const { cl } = w.products
  const approved = await stock(w, w.orgs.ellen, cl, 6)
  const entries = await w.inv.ledger(w.tenant.id, { limit: 1000 })
  assert.equal(entries[0].seq, 1)
  assert.equal(entries[0].kind, 'tenant_created')
  assert.equal(entries[0].actor, null)
  assert.equal(entries[0].prevHash, '0'.repeat(64))
  for (let i = 1; i < entries.length; i++) {
    assert.equal(entries[i].seq, i + 1)
    assert.equal(entries[i].prevHash, entries[i - 1].hash)
    assert.ok(entries[i].at instanceof Date)
  }
  const kinds = entries.map((e) => e.kind)
  for (const k of ['org_created', 'user_created', 'admin_granted', 'product_created', 'requested', 'approved']) {
    assert.ok(kinds.includes(k), `${k} recorded`)
  }
  const last = entries.at(-1)
  assert.equal(last.kind, 'approved')
  assert.equal(last.actor, w.users.vera.id)
  assert.equal(last.order, approved.id)
  assert.equal(last.minted, 6)
  assert.equal(last.retired, 0)
  assert.deepEqual(last.movements.map((m) => ({ ...m })), [{
    order: approved.id, org: w.orgs.ellen.id, product: cl.id, approved: 6, drawn: 0, issued: 0, available: 6,
  }])

  const firstTwo = await w.inv.ledger(w.tenant.id, { limit: 2 })
  assert.deepEqual(firstTwo.map((e) => e.seq), [1, 2])
  const next = await w.inv.ledger(w.tenant.id, { after: 2, limit: 2 })
  assert.deepEqual(next.map((e) => e.seq), [3, 4])
  assert.equal((await w.inv.ledger(w.tenant.id)).length, Math.min(entries.length, 100))
  await rejection(w.inv.ledger(w.tenant.id, { limit: 0 }), 'INVALID_INPUT')

  const audit = await w.inv.audit(w.tenant.id)
  assert.deepEqual({ ...audit }, {
    orders: 1, ledgerEntries: entries.length, minted: 6, retired: 0, available: 6, issued: 0, problems: [], isClean: true,
  })
})

storeTest('approvalQueue and suppliedOrders: what waits for Ellen, and what she supplied', async (inv) => {
  const w = await world({ inv })
  const { cl, uac } = w.products
  const { ellen, mga, elerome, otherDist } = w.orgs
  await stock(w, ellen, cl, 50)
  await stock(w, ellen, uac, 50)
  const first = await w.irina.request({ holder: mga.id, product: cl.id, quantity: 2, purchaseOrder: 'PO-Q1' })
  const second = await w.irina.request({ holder: mga.id, product: uac.id, quantity: 3, purchaseOrder: 'PO-Q2' })
  const decided = await w.irina.request({ holder: mga.id, product: cl.id, quantity: 1 })
  await w.irina.approve(decided.id)
  await w.eli.request({ holder: elerome.id, product: cl.id, quantity: 1 }) // addressed to MGA
  await w.olga.request({ holder: otherDist.id, product: cl.id, quantity: 1 }) // to the vendor

  const queue = await w.irina.approvalQueue(ellen.id)
  assert.deepEqual(numbers(queue), [second.number, first.number])
  const incoming = (await w.irina.summary(ellen.id)).reduce((n, line) => n + line.incomingRequests, 0)
  assert.equal(incoming, queue.items.length)
  assert.deepEqual(numbers(await w.vera.approvalQueue(ellen.id)), numbers(queue))
  const page = await w.irina.approvalQueue(ellen.id, { limit: 1 })
  assert.deepEqual(numbers(page), [second.number])
  assert.deepEqual(numbers(await w.irina.approvalQueue(ellen.id, { cursor: page.next })), [first.number])
  assert.deepEqual(numbers(await w.irina.approvalQueue(ellen.id, { requestedByOrg: mga.id, products: [cl.id] })), [first.number])
  assert.deepEqual(numbers(await w.irina.approvalQueue(ellen.id, { requestedByOrg: elerome.id })), [])
  assert.equal((await w.irina.approvalQueue(mga.id)).items.length, 1)
  await rejection(w.olga.approvalQueue(ellen.id), 'PERMISSION_DENIED')
  await rejection(w.eli.approvalQueue(mga.id), 'PERMISSION_DENIED')
  await rejection(w.irina.approvalQueue(ellen.id, { requestedByOrg: 'nope' }), 'INVALID_INPUT')

  assert.deepEqual(numbers(await w.irina.suppliedOrders(ellen.id)), [decided.number])
  assert.equal((await w.vera.suppliedOrders(w.orgs.vendor)).items.length, 2)
  await rejection(w.olga.suppliedOrders(ellen.id), 'PERMISSION_DENIED')
})
