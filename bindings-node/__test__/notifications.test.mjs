// The notification outbox: who is notified of what (a request, an approval, a rejection, a new
// license manager), the digest and subject of each message, marking sent (all or none,
// repeats are no-ops), paging, and tenant isolation. On memory, SQLite and PostgreSQL.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'

import { centerOrder, rejection, storeTest, wholeLedger, world } from './helpers.mjs'

const T0 = new Date('2017-10-20T01:45:00.000Z')
const minutes = (n) => new Date(T0.getTime() + n * 60_000)

/** The tree of helpers.mjs, its order numbers from 1213, the clock pinned at T0. */
async function outboxWorld(inv) {
  const w = await world({ inv, firstOrderNumber: 1213 })
  inv.setTime(T0)
  return w
}

/** (kind, recipient, order number) of each notification, in the outbox's order. */
const summary = (list) => list.map((n) => [n.kind, n.recipient, n.digest.number])

/** Marks every pending notification of `w`'s tenant sent; returns how many were marked. */
async function markAll(w) {
  const ids = (await w.inv.pendingNotifications(w.tenant.id)).map((n) => n.id)
  return w.inv.markNotificationsSent(w.tenant.id, ids)
}

/** The sequence number of the tenant's last ledger entry, asserting its kind. */
async function lastSeq(w, kind) {
  const last = (await wholeLedger(w)).at(-1)
  assert.equal(last.kind, kind)
  return last.seq
}

storeTest('a request notifies the requester, the source admins and the vendor admins', async (inv) => {
  const w = await outboxWorld(inv)
  const t = w.tenant.id
  const { irina, vera } = w.users
  assert.deepEqual(await inv.pendingNotifications(t), [])

  // MGA Inc (Irina) requests 2 Center Licenses from Ellen Emporium (Irina too) and the vendor
  // admin (Vera) hears of it; Irina gets one confirmation and one notice, not two notices.
  const o = await w.irina.request({
    holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 2, purchaseOrder: '20171019', comments: 'For the new center',
  })
  assert.equal(o.number, 1213)
  const seq = await lastSeq(w, 'requested')
  const n = await inv.pendingNotifications(t)
  const received = [vera.id, irina.id].sort()
  assert.deepEqual(summary(n), [
    ['request_confirmation', irina.id, 1213],
    ...received.map((u) => ['request_received', u, 1213]),
  ])
  const digest = {
    number: 1213,
    productName: 'Center License',
    requestedQuantity: 2,
    approvedQuantity: 0,
    purchaseOrder: '20171019',
    holderName: 'MGA Inc',
    sourceName: 'Ellen Emporium',
    requesterComments: 'For the new center',
    approvalComments: null,
  }
  for (const x of n) {
    assert.equal(x.tenant, t)
    assert.equal(x.seq, seq)
    assert.equal(x.order, o.id)
    assert.deepEqual(x.digest, digest)
    assert.deepEqual(x.permissions, [])
    assert.ok(x.createdAt instanceof Date)
    assert.equal(x.createdAt.toISOString(), T0.toISOString())
    assert.equal(x.sentAt, null)
  }
  assert.equal(new Set(n.map((x) => x.id)).size, 3)
  const [confirmation, ...notices] = n
  assert.deepEqual(
    [confirmation.email, confirmation.name, confirmation.subject],
    ['irina.heer@ellen.example', 'Irina Heer', 'Order 1213: your request for 2 Center License was received'],
  )
  const veraNotice = notices.find((x) => x.recipient === vera.id)
  assert.deepEqual(
    [veraNotice.email, veraNotice.name, veraNotice.subject],
    ['vera@jasperactive.example', 'Vera Vendor', 'Order 1213: request for 2 Center License from MGA Inc'],
  )
  assert.deepEqual(notices.map((x) => x.subject), [
    'Order 1213: request for 2 Center License from MGA Inc',
    'Order 1213: request for 2 Center License from MGA Inc',
  ])

  // One by id, sent or not: the same object as in the outbox.
  assert.deepEqual(await inv.notification(t, confirmation.id), confirmation)

  // A refused approval (Ellen Emporium holds nothing) writes no notification.
  const err = await rejection(w.irina.approve(o.id), 'INSUFFICIENT_INVENTORY')
  assert.deepEqual([err.available, err.requested], [0, 2])
  assert.deepEqual(await inv.pendingNotifications(t), n)
})

storeTest('approval and rejection notify the requester; assignments notify nobody', async (inv) => {
  const w = await outboxWorld(inv)
  const t = w.tenant.id
  const { irina, vera, eli } = w.users
  const o = await w.irina.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 2, purchaseOrder: '20171019' })
  assert.equal(await markAll(w), 3)

  // The vendor pushes 5 units to Ellen Emporium (order 1214): no message.
  await w.vera.assign({ from: w.orgs.vendor, to: w.orgs.ellen.id, product: w.products.cl.id, quantity: 5 })
  assert.deepEqual(await inv.pendingNotifications(t), [])

  inv.setTime(minutes(5))
  await w.irina.approve(o.id, { quantity: 1, comments: 'one for now' })
  const approvedSeq = await lastSeq(w, 'approved')
  const approved = await inv.pendingNotifications(t)
  assert.deepEqual(summary(approved), [['request_approved', irina.id, 1213]])
  assert.deepEqual(approved[0].digest, {
    number: 1213,
    productName: 'Center License',
    requestedQuantity: 2,
    approvedQuantity: 1,
    purchaseOrder: '20171019',
    holderName: 'MGA Inc',
    sourceName: 'Ellen Emporium',
    requesterComments: null,
    approvalComments: 'one for now',
  })
  assert.equal(approved[0].subject, 'Order 1213: your request was approved (1 of 2 Center License)')
  assert.equal(approved[0].seq, approvedSeq)
  assert.equal(approved[0].createdAt.toISOString(), minutes(5).toISOString())
  assert.equal(await markAll(w), 1)

  // Elerome School (Eli) requests from MGA Inc: Eli is confirmed; MGA's admin (Irina) and
  // the vendor admin (Vera) are told.
  const e = await w.eli.request({ holder: w.orgs.elerome.id, product: w.products.cl.id, quantity: 1, purchaseOrder: 'E-1' })
  assert.equal(e.number, 1215)
  const requested = await inv.pendingNotifications(t)
  assert.deepEqual(summary(requested), [
    ['request_confirmation', eli.id, 1215],
    ...[vera.id, irina.id].sort().map((u) => ['request_received', u, 1215]),
  ])
  assert.deepEqual(requested.map((x) => x.subject), [
    'Order 1215: your request for 1 Center License was received',
    'Order 1215: request for 1 Center License from Elerome School',
    'Order 1215: request for 1 Center License from Elerome School',
  ])
  assert.equal(requested[0].digest.sourceName, 'MGA Inc')
  assert.equal(requested[0].email, 'eli@elerome.example')
  assert.equal(await markAll(w), 3)

  await w.irina.reject(e.id, { comments: 'not this year' })
  const rejected = await inv.pendingNotifications(t)
  assert.deepEqual(summary(rejected), [['request_rejected', eli.id, 1215]])
  assert.equal(rejected[0].subject, 'Order 1215: your request for 1 Center License was rejected')
  assert.deepEqual(
    [rejected[0].digest.approvedQuantity, rejected[0].digest.approvalComments, rejected[0].digest.holderName],
    [0, 'not this year', 'Elerome School'],
  )
  assert.equal(rejected[0].seq, await lastSeq(w, 'rejected'))
})

storeTest('a new license manager is invited once, with its permissions', async (inv) => {
  const w = await outboxWorld(inv)
  const t = w.tenant.id
  // Three assignments down the tree (orders 1213–1215): nobody is notified.
  const held = await centerOrder(w, w.products.cl, 2)
  assert.equal(held.number, 1215)
  assert.deepEqual(await inv.pendingNotifications(t), [])

  const lena = await inv.createUser(t, { name: 'Lena Manager', email: 'lena@elerome.example' })
  await w.eli.addLicenseManager(held.id, lena.id, ['reset_device', 'manage_license_users'])
  const n = await inv.pendingNotifications(t)
  assert.deepEqual(summary(n), [['manager_invitation', lena.id, 1215]])
  const [invitation] = n
  assert.deepEqual(invitation.permissions, ['manage_license_users', 'reset_device'])
  assert.deepEqual(
    [invitation.email, invitation.name, invitation.order, invitation.seq],
    ['lena@elerome.example', 'Lena Manager', held.id, await lastSeq(w, 'manager_added')],
  )
  assert.equal(invitation.subject, 'Order 1215: you are invited to manage 2 Center License of Elerome School')
  assert.deepEqual(invitation.digest, {
    number: 1215,
    productName: 'Center License',
    requestedQuantity: 2,
    approvedQuantity: 2,
    purchaseOrder: null,
    holderName: 'Elerome School',
    sourceName: 'MGA Inc',
    requesterComments: null,
    approvalComments: null,
  })
  assert.equal(await markAll(w), 1)

  // More permissions later are not a new invitation.
  await w.eli.addLicenseManager(held.id, lena.id, ['reset_license'])
  const [manager] = await w.eli.licenseManagers(held.id)
  assert.deepEqual(manager.permissions, ['manage_license_users', 'reset_device', 'reset_license'])
  assert.deepEqual(await inv.pendingNotifications(t), [])
  // The invitation keeps the permissions it was written with.
  assert.deepEqual((await inv.notification(t, invitation.id)).permissions, ['manage_license_users', 'reset_device'])
})

storeTest('markNotificationsSent is all or none and counts what it newly marks', async (inv) => {
  const w = await outboxWorld(inv)
  const t = w.tenant.id
  await w.irina.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 2 })
  const before = await inv.pendingNotifications(t)
  const ids = before.map((n) => n.id)
  assert.equal(ids.length, 3)
  const entries = (await wholeLedger(w)).length

  // An unknown id: refused, nothing marked.
  const unknown = randomUUID()
  const err = await rejection(inv.markNotificationsSent(t, [ids[0], unknown, ids[1]]), 'NOT_FOUND')
  assert.deepEqual([err.entity, err.id], ['notification', unknown])
  assert.deepEqual(await inv.pendingNotifications(t), before)
  // A malformed id: refused before anything is marked.
  const bad = await rejection(inv.markNotificationsSent(t, [ids[0], 'not-a-uuid']), 'INVALID_INPUT')
  assert.equal(bad.field, 'notification id')
  assert.deepEqual(await inv.pendingNotifications(t), before)
  assert.equal(await inv.markNotificationsSent(t, []), 0)

  // Paging: the oldest first, `limit` at a time.
  assert.deepEqual(await inv.pendingNotifications(t, 1), before.slice(0, 1))
  assert.deepEqual(await inv.pendingNotifications(t, 2), before.slice(0, 2))
  await rejection(inv.pendingNotifications(t, 0), 'INVALID_INPUT')
  await rejection(inv.pendingNotifications(t, 1.5), 'INVALID_INPUT')
  await rejection(inv.pendingNotifications(t, 1001), 'INVALID_INPUT')

  inv.setTime(minutes(1))
  assert.equal(await inv.markNotificationsSent(t, [ids[0]]), 1)
  assert.deepEqual(await inv.pendingNotifications(t), before.slice(1))
  const first = await inv.notification(t, ids[0])
  assert.equal(first.sentAt.toISOString(), minutes(1).toISOString())
  assert.deepEqual({ ...first, sentAt: null }, before[0])

  inv.setTime(minutes(2))
  assert.equal(await inv.markNotificationsSent(t, ids), 2)
  assert.equal(await inv.markNotificationsSent(t, ids), 0)
  assert.equal(await inv.markNotificationsSent(t, [ids[2], ids[2]]), 0)
  assert.deepEqual(await inv.pendingNotifications(t), [])
  // Already-sent ids keep their first time.
  const sentAt = await Promise.all(ids.map(async (id) => (await inv.notification(t, id)).sentAt.toISOString()))
  assert.deepEqual(sentAt, [minutes(1), minutes(2), minutes(2)].map((d) => d.toISOString()))
  // Marking sent is outbox bookkeeping: no ledger entry.
  assert.equal((await wholeLedger(w)).length, entries)
  const audit = await inv.audit(t)
  assert.equal(audit.isClean, true, audit.problems.join('\n'))
})

storeTest('another tenant sees none of the notifications', async (inv) => {
  const w = await outboxWorld(inv)
  const t = w.tenant.id
  await w.irina.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 2 })
  const pending = await inv.pendingNotifications(t)
  const ids = pending.map((n) => n.id)
  assert.equal(ids.length, 3)

  const other = await inv.createTenant({ name: 'Other', plan: 'standard', vendorName: 'Other' })
  assert.deepEqual(await inv.pendingNotifications(other.id, 10), [])
  const err = await rejection(inv.notification(other.id, ids[0]), 'NOT_FOUND')
  assert.deepEqual([err.entity, err.id], ['notification', ids[0]])
  await rejection(inv.markNotificationsSent(other.id, ids), 'NOT_FOUND')
  assert.deepEqual(await inv.pendingNotifications(t), pending)

  const missing = randomUUID()
  const noTenant = await rejection(inv.pendingNotifications(missing), 'NOT_FOUND')
  assert.deepEqual([noTenant.entity, noTenant.id], ['tenant', missing])
  await rejection(inv.notification(t, 'nope'), 'INVALID_INPUT')
})
