// Every API that takes a Date refuses an Invalid Date (`new Date(NaN)`) with INVALID_INPUT
// naming the field, instead of reading it as 1970-01-01 (napi's own conversion does that).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Inventory, centerOrder, rejection, world } from './helpers.mjs'

const INVALID = () => new Date(NaN)

test('setTime throws INVALID_INPUT for an Invalid Date and keeps the clock as it was', async () => {
  const inv = await Inventory.inMemory()
  const at = new Date('2017-10-20T01:45:00Z')
  inv.setTime(at)
  assert.throws(() => inv.setTime(INVALID()), (err) => {
    assert.equal(err.code, 'INVALID_INPUT')
    assert.equal(err.field, 'at')
    assert.match(err.reason, /Invalid Date/)
    return true
  })
  const t = await inv.createTenant({ name: 'T', vendorName: 'V', plan: 'standard' })
  const [entry] = await inv.ledger(t.id)
  assert.equal(entry.at.getTime(), at.getTime(), 'the clock was left as it was')
  // Not a Date at all: napi refuses the type before the call.
  assert.throws(() => inv.setTime(0), /Date/)
  inv.setTime(null)
})

test('every Date parameter and filter field rejects an Invalid Date with INVALID_INPUT', async () => {
  const inv = await Inventory.inMemory()
  const w = await world({ inv })
  const t = w.tenant.id
  const o = await centerOrder(w, w.products.cl, 1)
  const org = w.orgs.elerome.id
  const calls = [
    ['orderAt', 'at', () => inv.orderAt(t, o.id, INVALID())],
    ['holdingsAt', 'at', () => inv.holdingsAt(t, org, INVALID())],
    ['ledgerMatching from', 'from', () => inv.ledgerMatching(t, { from: INVALID() })],
    ['ledgerMatching to', 'to', () => inv.ledgerMatching(t, { to: INVALID() })],
    ['list requestedFrom', 'requested from', () => w.eli.list(org, { requestedFrom: INVALID() })],
    ['list requestedTo', 'requested to', () => w.eli.list(org, { requestedTo: INVALID() })],
    ['exportInventoryCsv requestedFrom', 'requested from',
      () => w.eli.exportInventoryCsv(org, '/nonexistent/never-written.csv', { requestedFrom: INVALID() })],
  ]
  for (const [name, field, call] of calls) {
    const err = await rejection(call(), 'INVALID_INPUT')
    assert.equal(err.field, field, name)
  }
  // A valid Date still works, 1970 included.
  assert.equal((await inv.orderAt(t, o.id, new Date(0))).available, 0)
  assert.equal((await inv.ledgerMatching(t, { to: new Date(0) })).length, 0)
})
