// History: `orderAt` and `holdingsAt` rebuild any past moment from the ledger exactly as the
// live store reported it then (deleted orders included), and `ledgerMatching` reads the ledger
// per order, per organization and by time range, page by page. On memory, SQLite and
// PostgreSQL.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'

import { centerOrder, rejection, stock, storeTest, wholeLedger, world } from './helpers.mjs'

const T0 = new Date('2017-10-20T01:45:00.000Z')
const minutes = (n) => new Date(T0.getTime() + n * 60_000)
const seconds = (n) => new Date(T0.getTime() + n * 1000)

/** An order's figures as the live store reports them (what `orderAt` must give back later). */
function figures(o) {
  return {
    order: o.id,
    org: o.holder,
    product: o.product,
    approved: o.approvedQuantity,
    drawn: o.drawn,
    issued: o.issued,
    available: o.available,
  }
}

/**
 * An organization's holdings as the live store reports them: per product (sorted by id), the
 * sums over its orders that hold units (approved ones); a product whose only order is a pending
 * request is no holding.
 */
async function liveHoldings(w, orgId) {
  const page = await w.vera.list(orgId, { limit: 1000 })
  assert.equal(page.next, null)
  const byProduct = new Map()
  for (const { order: o } of page.items) {
    if (o.approvedQuantity === 0) continue
    const h = byProduct.get(o.product) ?? { product: o.product, orders: 0, approved: 0, drawn: 0, issued: 0, available: 0 }
    h.orders += 1
    h.approved += o.approvedQuantity
    h.drawn += o.drawn
    h.issued += o.issued
    h.available += o.available
    byProduct.set(o.product, h)
  }
  return [...byProduct.values()].sort((a, b) => (a.product < b.product ? -1 : a.product > b.product ? 1 : 0))
}

storeTest('history rebuilds every past minute of a run as the store reported it then', async (inv) => {
  inv.setTime(T0) // the tree is built at T0, before anything is held
  const w = await world({ inv, firstOrderNumber: 1213 })
  const t = w.tenant.id
  const { vendor, ellen, mga, elerome } = w.orgs
  const orgs = [vendor, ellen.id, mga.id, elerome.id]
  const { cl, uac } = w.products

  // After each step, one minute apart: every live order's figures (session.order) and every
  // organization's holdings (its inventory list).
  const live = new Set()
  const moments = []
  const snap = async (minute) => {
    const orders = new Map()
    for (const id of live) orders.set(id, figures((await w.vera.order(id)).order))
    const holdings = new Map()
    for (const org of orgs) holdings.set(org, await liveHoldings(w, org))
    moments.push({ at: minutes(minute), orders, holdings })
  }
  const step = async (minute, f) => {
    inv.setTime(minutes(minute))
    const o = await f()
    if (o?.id) live.add(o.id)
    await snap(minute)
    return o
  }
  await snap(0)
  // 1. the vendor stocks Ellen Emporium with 10 Center Licenses;
  const stocked = await step(1, () => stock(w, ellen, cl, 10))
  // 2. MGA Inc requests 4 from Ellen; 3. Ellen approves them;
  const req = await step(2, () => w.irina.request({ holder: mga.id, product: cl.id, quantity: 4, purchaseOrder: 'R-1' }))
  await step(3, () => w.irina.approve(req.id))
  // 4. MGA assigns 2 to Elerome School (a center); 5. the center issues 1 license;
  const center = await step(4, () => w.irina.assign({ from: mga.id, to: elerome.id, product: cl.id, quantity: 2 }))
  await step(5, () => w.eli.issue(center.id, 1))
  // 6. MGA returns 1 unused unit to Ellen; 7. the center deletes its order;
  await step(6, () => w.irina.returnUnits(req.id, 1))
  await step(7, async () => {
    await w.eli.deleteOrder(center.id)
    live.delete(center.id)
  })
  // 8. the vendor stocks Ellen with 3 activation codes (a second product).
  const codes = await step(8, () => stock(w, ellen, uac, 3))

  // What the store reported, step by step (the snapshots themselves are right).
  const at = (minute, id) => moments[minute].orders.get(id)
  const cut = (f) => f && [f.approved, f.drawn, f.issued, f.available]
  assert.deepEqual(cut(at(1, stocked.id)), [10, 0, 0, 10])
  assert.deepEqual(cut(at(2, req.id)), [0, 0, 0, 0])
  assert.deepEqual(cut(at(3, req.id)), [4, 0, 0, 4])
  assert.deepEqual(cut(at(3, stocked.id)), [10, 4, 0, 6])
  assert.deepEqual(cut(at(4, req.id)), [4, 2, 0, 2])
  assert.deepEqual(cut(at(5, center.id)), [2, 0, 1, 1])
  assert.deepEqual(cut(at(6, req.id)), [3, 2, 0, 1])
  assert.deepEqual(cut(at(6, stocked.id)), [10, 3, 0, 7])
  assert.deepEqual(cut(at(7, req.id)), [3, 1, 0, 2])
  assert.equal(at(7, center.id), undefined)
  assert.deepEqual(cut(at(8, codes.id)), [3, 0, 0, 3])
  assert.deepEqual(moments[8].holdings.get(ellen.id).map((h) => h.product).sort(), [cl.id, uac.id].sort())

  // Every past minute, and half a minute later (nothing changed in between), is rebuilt exactly.
  let checked = 0
  for (const [minute, { at: when, orders, holdings }] of moments.entries()) {
    for (const probe of [when, seconds(minute * 60 + 30)]) {
      for (const [id, expected] of orders) {
        assert.deepEqual(await inv.orderAt(t, id, probe), expected, `order ${id} at ${probe.toISOString()}`)
        checked += 1
      }
      for (const [org, expected] of holdings) {
        assert.deepEqual(await inv.holdingsAt(t, org, probe), expected, `holdings of ${org} at ${probe.toISOString()}`)
        checked += 1
      }
    }
  }
  assert.ok(checked > 80)

  // The deleted order is still readable in the past: it held 2, 1 issued, until minute 7...
  assert.deepEqual(await inv.orderAt(t, center.id, minutes(6)), {
    order: center.id, org: elerome.id, product: cl.id, approved: 2, drawn: 0, issued: 1, available: 1,
  })
  assert.deepEqual(await inv.holdingsAt(t, elerome.id, minutes(6)), [
    { product: cl.id, orders: 1, approved: 2, drawn: 0, issued: 1, available: 1 },
  ])
  // ... and holds nothing since.
  assert.deepEqual(await inv.orderAt(t, center.id, minutes(7)), {
    order: center.id, org: elerome.id, product: cl.id, approved: 0, drawn: 0, issued: 0, available: 0,
  })
  assert.deepEqual(await inv.holdingsAt(t, elerome.id, minutes(7)), [])
  await rejection(w.vera.order(center.id), 'NOT_FOUND')

  // Before it was approved, and before it was made, the request held nothing (still MGA's).
  const zero = { order: req.id, org: mga.id, product: cl.id, approved: 0, drawn: 0, issued: 0, available: 0 }
  assert.deepEqual(await inv.orderAt(t, req.id, minutes(2)), zero)
  assert.deepEqual(await inv.orderAt(t, req.id, minutes(1)), zero)
  assert.deepEqual(await inv.holdingsAt(t, mga.id, minutes(2)), [])
  // Before anything happened, nobody held anything.
  for (const org of orgs) assert.deepEqual(await inv.holdingsAt(t, org, T0), [])
  // Now: Ellen's 10 Center Licenses (3 drawn by MGA) and 3 codes, in product-id order.
  assert.deepEqual(
    await inv.holdingsAt(t, ellen.id, minutes(100)),
    [
      { product: cl.id, orders: 1, approved: 10, drawn: 3, issued: 0, available: 7 },
      { product: uac.id, orders: 1, approved: 3, drawn: 0, issued: 0, available: 3 },
    ].sort((a, b) => (a.product < b.product ? -1 : 1)),
  )

  // An order or organization never seen is NOT_FOUND; a malformed id INVALID_INPUT.
  const missing = randomUUID()
  const err = await rejection(inv.orderAt(t, missing, minutes(8)), 'NOT_FOUND')
  assert.equal(err.entity, 'order')
  assert.equal(err.id, missing)
  assert.equal((await rejection(inv.holdingsAt(t, randomUUID(), minutes(8)), 'NOT_FOUND')).entity, 'organization')
  assert.equal((await rejection(inv.orderAt(t, 'not-an-id', minutes(8)), 'INVALID_INPUT')).field, 'order id')
  assert.equal((await rejection(inv.orderAt(randomUUID(), req.id, minutes(8)), 'NOT_FOUND')).entity, 'tenant')
  // Another tenant's order is unknown here.
  const other = await world({ inv })
  await rejection(inv.orderAt(other.tenant.id, req.id, minutes(8)), 'NOT_FOUND')
  assert.equal((await inv.audit(t)).isClean, true)
})

storeTest('ledgerMatching reads per order, per organization and by time range, page by page', async (inv) => {
  // Provisioning at T0, stock at minute 1, a request and its approval at minute 2, the
  // center's order and an issue at minute 3.
  inv.setTime(T0)
  const w = await world({ inv })
  const t = w.tenant.id
  const { ellen, mga, elerome } = w.orgs
  const { cl, uac } = w.products
  inv.setTime(minutes(1))
  await stock(w, ellen, cl, 10)
  inv.setTime(minutes(2))
  const r = await w.irina.request({ holder: mga.id, product: cl.id, quantity: 3 })
  await w.irina.approve(r.id)
  inv.setTime(minutes(3))
  const o = await centerOrder(w, uac, 2)
  await w.eli.issue(o.id, 1)

  const all = await wholeLedger(w)
  assert.ok(all.length < 100)
  const byHand = (keep) => all.filter(keep)
  const about = (e, key, id) => e[key] === id || e.movements.some((m) => m[key] === id)
  const seqs = (entries) => entries.map((e) => e.seq)
  /** Reads `filter` whole, then one entry at a time; both must give the same entries. */
  const read = async (filter) => {
    const whole = await inv.ledgerMatching(t, filter, { limit: 1000 })
    const paged = []
    for (;;) {
      const page = await inv.ledgerMatching(t, filter, { after: paged.at(-1)?.seq ?? 0, limit: 1 })
      if (page.length === 0) break
      assert.equal(page.length, 1)
      paged.push(page[0])
    }
    assert.deepEqual(seqs(paged), seqs(whole))
    assert.deepEqual(paged, whole)
    return whole
  }

  const ofR = await read({ order: r.id })
  assert.deepEqual(ofR, byHand((e) => about(e, 'order', r.id)))
  assert.deepEqual(ofR.map((e) => e.kind), ['requested', 'approved'])
  assert.deepEqual(ofR.map((e) => e.at), [minutes(2), minutes(2)])

  const ofMga = await read({ org: mga.id })
  assert.deepEqual(ofMga, byHand((e) => about(e, 'org', mga.id)))
  assert.ok(ofMga.length >= 4, `${ofMga.length} entries about MGA`)
  assert.ok(ofMga.some((e) => e.kind === 'org_created'))
  assert.ok(ofMga.some((e) => e.kind === 'assigned' && e.order === o.id)) // MGA's units moved

  const minute = await read({ from: minutes(2), to: minutes(3) })
  assert.deepEqual(minute, byHand((e) => e.at >= minutes(2) && e.at < minutes(3)))
  assert.deepEqual(minute, ofR)

  const both = await read({ org: elerome.id, from: minutes(3) })
  assert.deepEqual(both, byHand((e) => about(e, 'org', elerome.id) && e.at >= minutes(3)))
  assert.deepEqual(both.map((e) => e.kind), ['assigned', 'licenses_issued'])
  assert.deepEqual(await read({ order: o.id, org: mga.id }), byHand((e) => about(e, 'order', o.id) && about(e, 'org', mga.id)))
  const provisioning = await read({ to: minutes(1) })
  assert.deepEqual(provisioning, byHand((e) => e.at < minutes(1)))
  assert.equal(provisioning[0].kind, 'tenant_created')
  assert.ok(provisioning.every((e) => e.at.getTime() === T0.getTime() && e.movements.length === 0))
  assert.deepEqual(await read({ to: T0 }), [])
  assert.deepEqual(await read({ from: minutes(4) }), [])
  assert.deepEqual(seqs(await read({ from: minutes(1) })), seqs(all.slice(provisioning.length)))

  // No filter: the whole ledger, like `ledger`; options left out: from the start, 100 a page.
  assert.deepEqual(await read({}), all)
  assert.deepEqual(await inv.ledgerMatching(t), all)
  assert.deepEqual(await inv.ledgerMatching(t, null, null), all)
  assert.deepEqual(await inv.ledgerMatching(t, { org: mga.id }), ofMga)
  // Paging is by sequence number, like `ledger`.
  const after = ofMga[1].seq
  assert.deepEqual(await inv.ledgerMatching(t, { org: mga.id }, { after, limit: 2 }), ofMga.slice(2, 4))
  assert.deepEqual(await inv.ledgerMatching(t, {}, { after: 3, limit: 2 }), await inv.ledger(t, { after: 3, limit: 2 }))

  const err = await rejection(inv.ledgerMatching(t, {}, { limit: 0 }), 'INVALID_INPUT')
  assert.equal(err.field, 'limit')
  await rejection(inv.ledgerMatching(t, { order: r.id }, { limit: 1001 }), 'INVALID_INPUT')
  await rejection(inv.ledgerMatching(t, { order: 'nope' }), 'INVALID_INPUT')
  assert.equal((await rejection(inv.ledgerMatching(randomUUID()), 'NOT_FOUND')).entity, 'tenant')
  // An order nobody knows matches nothing.
  assert.deepEqual(await inv.ledgerMatching(t, { order: randomUUID() }), [])
})
