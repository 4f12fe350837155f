// Idempotency keys (safe retries): `Session.withIdempotencyKey` and
// `Inventory.withIdempotencyKey` give a new handle whose write commands run at most once per
// key and tenant. A retry resolves with the first result and changes nothing; a failed command
// records nothing (retry it with its key); the key with another command or by another user
// rejects with CONFLICT; a bad key throws INVALID_INPUT synchronously. On memory, SQLite and
// PostgreSQL.
import assert from 'node:assert/strict'

import { Inventory, KEY, centerOrder, rejection, snapshot, state, stock, storeTest, world } from './helpers.mjs'

const T0 = new Date('2017-10-20T01:45:00.000Z')
const T1 = new Date('2017-10-20T02:00:00.000Z')
const T2 = new Date('2017-10-20T03:30:00.000Z')

/** Ledger entries of the tenant of kind `kind`. */
async function entriesOf(w, kind) {
  return (await w.inv.ledger(w.tenant.id, { limit: 1000 })).filter((e) => e.kind === kind)
}

storeTest('a keyed issue run twice resolves with the same licenses and issues once', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  w.inv.setTime(T0)
  const o = await centerOrder(w, w.products.cl, 5)

  const once = w.eli.withIdempotencyKey('issue-7f3a')
  assert.notEqual(once, w.eli, 'a new handle')
  assert.deepEqual([once.user, once.tenant], [w.users.eli.id, t])
  const first = await once.issue(o.id, 3)
  assert.equal(first.length, 3)
  assert.equal(new Set(first.map((l) => l.key)).size, 3)
  for (const l of first) {
    assert.match(l.key, KEY)
    assert.deepEqual([l.order, l.status, l.issuedAt], [o.id, 'issued', T0])
  }
  const before = await state(w, o.id)
  assert.deepEqual([before.orders[0].order.issued, before.orders[0].order.available], [3, 2])

  w.inv.setTime(T1)
  assert.deepEqual(await once.issue(o.id, 3), first, 'a retry resolves with the first result')
  // A retry from a handle made afresh with the same key (another process, after a crash).
  const fresh = (await w.inv.session(t, w.users.eli.id)).withIdempotencyKey('issue-7f3a')
  assert.deepEqual(await fresh.issue(o.id, 3), first)
  assert.deepEqual(await state(w, o.id), before, 'the retries changed nothing')
  const held = await w.eli.licenses(o.id)
  assert.deepEqual(held.map((l) => l.key).sort(), first.map((l) => l.key).sort())
  const issued = await entriesOf(w, 'licenses_issued')
  assert.equal(issued.length, 1)
  assert.deepEqual(issued[0].movements.map((m) => [m.order, m.issued, m.available]), [[o.id, 3, -3]])

  // The handle it came from is not keyed: the same call issues again.
  const more = await w.eli.issue(o.id, 1)
  assert.equal(more[0].issuedAt.getTime(), T1.getTime())
  const after = (await w.eli.order(o.id)).order
  assert.deepEqual([after.issued, after.available], [4, 1])
  assert.equal((await entriesOf(w, 'licenses_issued')).length, 2)
  assert.equal((await w.inv.audit(t)).isClean, true)
})

storeTest('a keyed approve that failed can be retried with its key once the cause is gone', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const req = await w.irina.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 3, purchaseOrder: 'EE2017-1' })
  const keyed = w.irina.withIdempotencyKey('approve-1')
  const stateBefore = await state(w, req.id)
  const err = await rejection(keyed.approve(req.id), 'INSUFFICIENT_INVENTORY')
  assert.deepEqual([err.available, err.requested], [0, 3])
  assert.deepEqual(await state(w, req.id), stateBefore, 'a failed command changes and records nothing')

  const source = await stock(w, w.orgs.ellen, w.products.cl, 20)
  const approved = await keyed.approve(req.id)
  assert.deepEqual(
    [approved.id, approved.status, approved.approvedQuantity, approved.available, approved.purchaseOrder],
    [req.id, 'active', 3, 3, 'EE2017-1'],
  )
  assert.equal((await w.irina.order(source.id)).order.available, 17)
  const before = await state(w, req.id, source.id)

  // Retried (the answer was lost): the first result, nothing changes. Without the key the same
  // call is refused, for the request is no longer pending.
  assert.deepEqual(await keyed.approve(req.id), approved)
  assert.deepEqual(await keyed.approve(req.id, {}), approved, 'the same arguments, spelled otherwise')
  assert.deepEqual(await state(w, req.id, source.id), before)
  const refused = await rejection(w.irina.approve(req.id), 'INVALID_STATE')
  assert.deepEqual([refused.orderNumber, refused.status, refused.action], [req.number, 'active', 'approve'])
  assert.equal((await w.inv.audit(t)).isClean, true)
})

storeTest('the key with another command or by another user is CONFLICT and changes nothing', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  await stock(w, w.orgs.ellen, w.products.cl, 20)
  const req = await w.irina.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 3 })
  const keyed = w.irina.withIdempotencyKey('approve-1')
  const approved = await keyed.approve(req.id)
  assert.equal(approved.approvedQuantity, 3)
  const other = await w.irina.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 1 })
  const before = await state(w, req.id, other.id)
  const ledgerLength = before.entries
  assert.equal(before.audit.isClean, true)

  const attempts = [
    ['reject', () => keyed.reject(req.id)],
    ['approve', () => keyed.approve(req.id, { quantity: 1 })],
    ['approve', () => keyed.approve(req.id, { comments: 'ok' })],
    ['approve', () => keyed.approve(other.id)],
    ['request', () => keyed.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 1 })],
    ['approve', () => w.vera.withIdempotencyKey('approve-1').approve(req.id)], // another user
  ]
  for (const [command, attempt] of attempts) {
    const err = await rejection(attempt(), 'CONFLICT')
    const used = command === 'approve' ? 'approve with other arguments or by another user' : `approve, not ${command}`
    assert.equal(err.what, `idempotency key 'approve-1' (used for ${used}; choose a new key for a new command)`)
  }
  const after = await state(w, req.id, other.id)
  assert.equal(after.entries, ledgerLength)
  assert.deepEqual(after.audit, before.audit)
  assert.deepEqual(after, before)
  assert.equal(after.orders[1].order.status, 'requested', 'the other request is still pending')
  // The recorded command still answers its retry.
  assert.deepEqual(await keyed.approve(req.id), approved)
})

storeTest('keys are per tenant', async (inv) => {
  const a = await world({ inv })
  const b = await world({ inv })
  for (const w of [a, b]) await stock(w, w.orgs.ellen, w.products.cl, 5)
  const reqA = await a.irina.request({ holder: a.orgs.mga.id, product: a.products.cl.id, quantity: 2 })
  const reqB = await b.irina.request({ holder: b.orgs.mga.id, product: b.products.cl.id, quantity: 1 })

  const approvedA = await a.irina.withIdempotencyKey('approve-1').approve(reqA.id)
  const beforeB = await state(b, reqB.id)
  const approvedB = await b.irina.withIdempotencyKey('approve-1').approve(reqB.id)
  assert.deepEqual([approvedA.id, approvedA.tenant, approvedA.approvedQuantity], [reqA.id, a.tenant.id, 2])
  assert.deepEqual([approvedB.id, approvedB.tenant, approvedB.approvedQuantity], [reqB.id, b.tenant.id, 1])
  assert.equal((await state(b, reqB.id)).entries, beforeB.entries + 1, 'it ran in the second tenant')
  // Each tenant's key answers its own retry.
  assert.deepEqual(await a.irina.withIdempotencyKey('approve-1').approve(reqA.id), approvedA)
  assert.deepEqual(await b.irina.withIdempotencyKey('approve-1').approve(reqB.id), approvedB)
  await rejection(a.irina.withIdempotencyKey('approve-1').approve(reqA.id, { quantity: 1 }), 'CONFLICT')

  // In a third tenant the same key is free for a command of another kind altogether.
  const c = await world({ inv })
  const ordered = await c.irina.withIdempotencyKey('approve-1').request({ holder: c.orgs.mga.id, product: c.products.cl.id, quantity: 4 })
  assert.deepEqual([ordered.tenant, ordered.status, ordered.requestedQuantity], [c.tenant.id, 'requested', 4])
  assert.deepEqual(await c.irina.withIdempotencyKey('approve-1').request({ holder: c.orgs.mga.id, product: c.products.cl.id, quantity: 4 }), ordered)
  assert.deepEqual((await c.irina.list(c.orgs.mga.id)).items.map((d) => d.order.id), [ordered.id])
  for (const w of [a, b, c]) assert.equal((await w.inv.audit(w.tenant.id)).isClean, true)
})

storeTest('a bad key throws INVALID_INPUT synchronously', async (inv) => {
  const w = await world({ inv })
  const before = await snapshot(w)
  const bad = [
    ['', 'must be 1 to 200 characters, got 0'],
    ['k'.repeat(201), 'must be 1 to 200 characters, got 201'],
    ['bad\nkey', 'must not contain control characters'],
    ['tab\tkey', 'must not contain control characters'],
  ]
  for (const [key, reason] of bad) {
    for (const handle of [w.irina, w.inv]) {
      assert.throws(() => handle.withIdempotencyKey(key), (err) => {
        assert.ok(err instanceof Error)
        assert.deepEqual([err.code, err.field, err.reason], ['INVALID_INPUT', 'idempotency key', reason])
        assert.equal(err.message, `invalid idempotency key: ${reason}`)
        return true
      })
    }
  }
  // A key of the wrong type: synchronous, like the method, with the same code.
  assert.throws(() => w.irina.withIdempotencyKey(42), { code: 'INVALID_INPUT', field: 'key' })
  // The limit counts characters, not UTF-16 units or bytes.
  const o = await centerOrder(w, w.products.cl, 2)
  const longest = w.eli.withIdempotencyKey('k'.repeat(200))
  const emoji = w.eli.withIdempotencyKey('🔑'.repeat(200))
  assert.equal((await longest.issue(o.id, 1)).length, 1)
  assert.equal((await emoji.issue(o.id, 1)).length, 1)
  assert.equal((await emoji.issue(o.id, 1)).length, 1, 'a retry')
  assert.equal((await w.eli.order(o.id)).order.issued, 2)
  assert.equal((await snapshot(w)).entries, before.entries + 5, 'three assignments and two issues')
})

storeTest('8 concurrent keyed requests create exactly one order', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const request = { holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 2, purchaseOrder: 'RACE-1' }
  // What one request writes to the outbox, for comparison.
  const single = await w.irina.request({ ...request, purchaseOrder: 'SINGLE-1' })
  const pendingOf = async (order) => (await w.inv.pendingNotifications(t, 1000)).filter((n) => n.order === order)
  const perRequest = (await pendingOf(single.id)).map((n) => [n.kind, n.recipient]).sort()
  assert.ok(perRequest.length >= 2)

  const keyed = w.irina.withIdempotencyKey('race-1')
  const results = await Promise.all(Array.from({ length: 8 }, () => keyed.request(request)))
  for (const r of results) assert.deepEqual(r, results[0])
  const order = results[0]
  assert.deepEqual(
    [order.holder, order.status, order.requestedQuantity, order.purchaseOrder, order.number],
    [w.orgs.mga.id, 'requested', 2, 'RACE-1', single.number + 1],
  )
  const page = await w.irina.list(w.orgs.mga.id, { limit: 100 })
  assert.deepEqual(page.items.map((d) => d.order.id).sort(), [single.id, order.id].sort())
  assert.deepEqual((await pendingOf(order.id)).map((n) => [n.kind, n.recipient]).sort(), perRequest)
  // No order number was spent by the retries.
  const next = await w.irina.request({ ...request, purchaseOrder: 'NEXT-1' })
  assert.equal(next.number, order.number + 1)
  assert.equal((await w.inv.audit(t)).isClean, true)
})

storeTest('a keyed Inventory activates once, on the same clock', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  w.inv.setTime(T0)
  const policy = { validity: { kind: 'perpetual' }, maxActivations: 3, floating: null, trial: false }
  await w.inv.setProductPolicy(t, w.products.cl.id, policy)
  const o = await centerOrder(w, w.products.cl, 3)
  const [l] = await w.eli.issue(o.id, 1)

  const keyed = w.inv.withIdempotencyKey('activate-1')
  assert.ok(keyed instanceof Inventory)
  assert.notEqual(keyed, w.inv)
  // One clock: set through the keyed handle, it stamps the original's changes, and back.
  keyed.setTime(T1)
  const [stamped] = await w.eli.issue(o.id, 1)
  assert.equal(stamped.issuedAt.getTime(), T1.getTime())
  const first = await keyed.activate(t, l.key, 'pc-1', 'Front desk')
  assert.deepEqual(first.activations, [{ fingerprint: 'pc-1', name: 'Front desk', at: T1 }])
  assert.equal(first.activatedAt.getTime(), T1.getTime())
  const before = await state(w, o.id)

  w.inv.setTime(T2)
  assert.deepEqual(await keyed.activate(t, l.key, 'pc-1', 'Front desk'), first)
  assert.deepEqual(await state(w, o.id), before)
  const err = await rejection(keyed.activate(t, l.key, 'pc-2', 'Back office'), 'CONFLICT')
  assert.match(err.what, /used for activate with other arguments or by another user/)
  assert.deepEqual((await w.eli.license(l.key)).activations, [{ fingerprint: 'pc-1', name: 'Front desk', at: T1 }])

  // Another key, another activation, stamped by the clock set on the original handle.
  const second = await w.inv.withIdempotencyKey('activate-2').activate(t, l.key, 'pc-2', 'Back office')
  assert.deepEqual(second.activations.map((a) => [a.fingerprint, a.at.getTime()]), [['pc-1', T1.getTime()], ['pc-2', T2.getTime()]])

  // Sessions opened from a keyed inventory carry its key.
  const keyedSession = await w.inv.withIdempotencyKey('issue-1').session(t, w.users.eli.id)
  const issued = await keyedSession.issue(o.id, 1)
  assert.deepEqual(await keyedSession.issue(o.id, 1), issued)
  assert.deepEqual([(await w.eli.order(o.id)).order.issued, (await w.eli.order(o.id)).order.available], [3, 0])
  assert.equal((await w.inv.audit(t)).isClean, true)
})

storeTest('pruneIdempotencyKeys forgets the keys recorded before a moment, and only those', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const ask = (key) => w.irina.withIdempotencyKey(key).request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 1 })
  w.inv.setTime(T0)
  const old = await ask('old')
  w.inv.setTime(T2)
  const kept = await ask('kept')
  assert.equal(await w.inv.pruneIdempotencyKeys(t, T1), 1)
  assert.equal(await w.inv.pruneIdempotencyKeys(t, T1), 0)
  assert.equal((await ask('kept')).id, kept.id)
  assert.notEqual((await ask('old')).id, old.id)
  await rejection(w.inv.pruneIdempotencyKeys(t, new Date(NaN)), 'INVALID_INPUT')
})
