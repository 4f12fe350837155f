// All-or-nothing batches: `Session.batch(commands)` runs any session write (request, approve,
// assign, issue, license and manager changes, metadata, customers, bundles, license users;
// a discriminated union on `kind`) in one transaction. Every command
// takes effect, or, at the first failure, none does and the batch rejects with that command's
// own error. Later commands see earlier ones; a keyed batch is one idempotent command;
// malformed commands are INVALID_INPUT naming their index. On memory, SQLite and PostgreSQL.
import assert from 'node:assert/strict'

import { MAX_BATCH } from '../index.js'
import { KEY, centerOrder, rejection, state, stock, storeTest, wholeLedger, world } from './helpers.mjs'

const T0 = new Date('2017-10-20T01:45:00.000Z')

/** Ledger entries of the tenant of kind `kind`. */
async function entriesOf(w, kind) {
  return (await wholeLedger(w)).filter((e) => e.kind === kind)
}

/** Irina asks Ellen Emporium for `quantity` Center Licenses for MGA Inc. */
function ask(w, quantity, purchaseOrder) {
  return w.irina.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity, purchaseOrder })
}

const approve = (o, extra = {}) => ({ kind: 'approve', order: o.id, comments: 'batch', ...extra })

storeTest('five approvals in one batch all take effect, results in order', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const source = await stock(w, w.orgs.ellen, w.products.cl, 10)
  const asks = []
  for (let i = 0; i < 5; i++) asks.push(await ask(w, 2, `B-${i}`))
  const approvedBefore = (await entriesOf(w, 'approved')).length
  const pendingBefore = (await w.inv.pendingNotifications(t, 1000)).length
  w.inv.setTime(T0)

  const results = await w.irina.batch(asks.map((o) => approve(o)))
  assert.equal(results.length, 5)
  for (const [i, r] of results.entries()) {
    assert.deepEqual(Object.keys(r).sort(), ['kind', 'order'])
    assert.equal(r.kind, 'order')
    const o = r.order
    assert.deepEqual(
      [o.id, o.number, o.status, o.holder, o.source, o.requestedQuantity, o.approvedQuantity, o.available, o.purchaseOrder],
      [asks[i].id, asks[i].number, 'active', w.orgs.mga.id, w.orgs.ellen.id, 2, 2, 2, `B-${i}`],
    )
    assert.deepEqual([o.approvedBy, o.approvedAt, o.approvalComments], [w.users.irina.id, T0, 'batch'])
    assert.deepEqual(o, (await w.irina.order(o.id)).order, 'the result is the order as stored')
  }
  assert.equal((await w.irina.order(source.id)).order.available, 0, 'the ten units went to the five orders')
  const approved = await entriesOf(w, 'approved')
  assert.equal(approved.length, approvedBefore + 5, 'one ledger entry per command')
  assert.deepEqual(approved.slice(-5).map((e) => e.order), asks.map((o) => o.id))
  const notes = (await w.inv.pendingNotifications(t, 1000)).slice(pendingBefore)
  assert.deepEqual(notes.map((n) => [n.kind, n.order]), asks.map((o) => ['request_approved', o.id]))
  assert.equal((await w.inv.audit(t)).isClean, true)
})

storeTest('a batch whose last approval lacks stock rejects with its error and changes nothing', async (inv) => {
  const w = await world({ inv })
  const source = await stock(w, w.orgs.ellen, w.products.cl, 10)
  const asks = []
  for (let i = 0; i < 4; i++) asks.push(await ask(w, 2, `B-${i}`))
  const extra = await ask(w, 5, 'B-X')
  const ids = [...asks, extra].map((o) => o.id)
  const before = await state(w, source.id, ...ids)
  assert.equal(before.audit.isClean, true)

  // The first four alone would fit (8 of 10 units); the fifth asks for 5 of the 2 left.
  const err = await rejection(w.irina.batch([...asks, extra].map((o) => approve(o))), 'INSUFFICIENT_INVENTORY')
  assert.deepEqual([err.available, err.requested, err.batchIndex], [2, 5, 4])
  assert.match(err.message, /^command 4 of the batch failed/)
  const after = await state(w, source.id, ...ids)
  assert.deepEqual(after, before, 'ledger, audit, orders and outbox are untouched')
  assert.equal(after.orders[0].order.available, 10)
  assert.deepEqual(after.orders.slice(1).map((d) => d.order.status), ['requested', 'requested', 'requested', 'requested', 'requested'])

  // The same four without the fifth go through.
  const done = await w.irina.batch(asks.map((o) => approve(o)))
  assert.deepEqual(done.map((r) => [r.kind, r.order.status, r.order.available]), asks.map(() => ['order', 'active', 2]))
  assert.equal((await w.irina.order(source.id)).order.available, 2)
  assert.equal((await w.irina.order(extra.id)).order.status, 'requested')
})

storeTest('a refusal anywhere in a batch rolls back the commands before it', async (inv) => {
  const w = await world({ inv })
  const source = await stock(w, w.orgs.ellen, w.products.cl, 10)
  const a = await ask(w, 2, 'A')
  const b = await ask(w, 2, 'B')
  const held = await centerOrder(w, w.products.uac, 3)
  const before = await state(w, source.id, a.id, b.id, held.id)

  // Olga administers another branch: she may approve neither.
  let err = await rejection(w.olga.batch([approve(a), approve(b)]), 'PERMISSION_DENIED')
  assert.deepEqual([err.action, err.actor, err.batchIndex], ['approve', w.users.olga.id, 0])
  // Irina may approve the first, but not twice the same request: the first is undone too.
  err = await rejection(w.irina.batch([approve(a), approve(b), approve(a)]), 'INVALID_STATE')
  assert.deepEqual([err.orderNumber, err.status, err.action, err.batchIndex], [a.number, 'active', 'approve', 2])
  // The core's own input checks, inside a batch.
  err = await rejection(w.irina.batch([approve(a), approve(b, { quantity: 0 })]), 'INVALID_INPUT')
  assert.deepEqual([err.field, err.batchIndex], ['quantity', 1])
  // Eli may issue from his center's order, but not cancel MGA's request: nothing is issued.
  err = await rejection(
    w.eli.batch([
      { kind: 'issue', order: held.id, quantity: 2 },
      { kind: 'cancel', order: a.id },
    ]),
    'PERMISSION_DENIED',
  )
  assert.deepEqual([err.action, err.actor], ['cancel', w.users.eli.id])
  assert.deepEqual(await w.eli.licenses(held.id), [])
  assert.deepEqual(await state(w, source.id, a.id, b.id, held.id), before)
  assert.deepEqual([(await w.irina.order(a.id)).order.status, (await w.irina.order(b.id)).order.status], ['requested', 'requested'])
})

storeTest('later commands see earlier ones: assign down two levels, request, reject and cancel', async (inv) => {
  const w = await world({ inv })
  const { ellen, mga, elerome } = w.orgs
  const uac = w.products.uac
  const top = await stock(w, ellen, uac, 4)
  const toReject = await ask(w, 1, 'R')
  const toCancel = await ask(w, 1, 'C')

  const results = await w.irina.batch([
    { kind: 'assign', from: ellen.id, to: mga.id, product: uac.id, quantity: 3, purchaseOrder: 'PO-7', comments: 'for the fall' },
    { kind: 'assign', from: mga.id, to: elerome.id, product: uac.id, quantity: 3 },
    { kind: 'request', holder: mga.id, product: uac.id, quantity: 1, purchaseOrder: 'PO-8', comments: 'one more' },
    { kind: 'reject', order: toReject.id, comments: 'not now' },
    { kind: 'cancel', order: toCancel.id },
  ])
  assert.deepEqual(results.map((r) => r.kind), ['order', 'order', 'order', 'order', 'order'])
  const [toMga, toElerome, asked, rejected, cancelled] = results.map((r) => r.order)
  // The first order as the first command left it: the second had not drawn from it yet.
  assert.deepEqual(
    [toMga.holder, toMga.source, toMga.status, toMga.approvedQuantity, toMga.available, toMga.purchaseOrder, toMga.approvalComments],
    [mga.id, ellen.id, 'active', 3, 3, 'PO-7', 'for the fall'],
  )
  assert.deepEqual([toElerome.holder, toElerome.source, toElerome.status, toElerome.available], [elerome.id, mga.id, 'active', 3])
  assert.deepEqual([asked.holder, asked.source, asked.status, asked.requestedQuantity, asked.purchaseOrder], [mga.id, ellen.id, 'requested', 1, 'PO-8'])
  assert.deepEqual([rejected.id, rejected.status, rejected.approvalComments], [toReject.id, 'rejected', 'not now'])
  assert.deepEqual([cancelled.id, cancelled.status], [toCancel.id, 'cancelled'])

  const mgaNow = (await w.irina.order(toMga.id)).order
  assert.deepEqual([mgaNow.drawn, mgaNow.available, mgaNow.status], [3, 0, 'depleted'])
  assert.equal((await w.irina.order(top.id)).order.available, 1)
  const use = await w.irina.detailOfUse(toMga.id)
  assert.deepEqual(use.draws.map((d) => [d.order, d.quantity, d.requestedByOrg]), [[toElerome.id, 3, 'Elerome School']])
  assert.equal((await w.inv.audit(w.tenant.id)).isClean, true)
})

storeTest('an issue inside a batch resolves with its licenses', async (inv) => {
  const w = await world({ inv })
  const held = await centerOrder(w, w.products.cl, 5)
  w.inv.setTime(T0)
  const results = await w.eli.batch([
    { kind: 'issue', order: held.id, quantity: 2 },
    { kind: 'request', holder: w.orgs.elerome.id, product: w.products.cl.id, quantity: 1 },
    { kind: 'issue', order: held.id, quantity: 1 },
  ])
  assert.deepEqual(results.map((r) => r.kind), ['licenses', 'order', 'licenses'])
  const [first, request, last] = results
  assert.deepEqual(Object.keys(first).sort(), ['kind', 'licenses'])
  assert.equal(first.licenses.length, 2)
  assert.equal(last.licenses.length, 1)
  const issued = [...first.licenses, ...last.licenses]
  for (const l of issued) {
    assert.match(l.key, KEY)
    assert.deepEqual([l.order, l.product, l.status, l.isCode, l.issuedAt], [held.id, w.products.cl.id, 'issued', false, T0])
  }
  assert.equal(new Set(issued.map((l) => l.key)).size, 3)
  assert.deepEqual([request.order.holder, request.order.source, request.order.status], [w.orgs.elerome.id, w.orgs.mga.id, 'requested'])
  const order = (await w.eli.order(held.id)).order
  assert.deepEqual([order.issued, order.available], [3, 2])
  const stored = await w.eli.licenses(held.id)
  assert.deepEqual(stored.map((l) => l.key).sort(), issued.map((l) => l.key).sort())
  assert.equal((await w.inv.audit(w.tenant.id)).isClean, true)
})

storeTest('a keyed batch run twice resolves with the same results and issues once', async (inv) => {
  const w = await world({ inv })
  const held = await centerOrder(w, w.products.cl, 5)
  const keyed = w.eli.withIdempotencyKey('batch-issue')
  const commands = [
    { kind: 'issue', order: held.id, quantity: 2 },
    { kind: 'request', holder: w.orgs.elerome.id, product: w.products.cl.id, quantity: 1 },
  ]
  const first = await keyed.batch(commands)
  assert.equal(first[0].licenses.length, 2)
  const before = await state(w, held.id, first[1].order.id)

  assert.deepEqual(await keyed.batch(commands), first, 'a retry resolves with the first results')
  const fresh = (await w.inv.session(w.tenant.id, w.users.eli.id)).withIdempotencyKey('batch-issue')
  assert.deepEqual(await fresh.batch(commands), first)
  assert.deepEqual(await state(w, held.id, first[1].order.id), before, 'the retries changed nothing')
  assert.deepEqual([before.orders[0].order.issued, before.orders[0].order.available], [2, 3])
  assert.equal((await entriesOf(w, 'licenses_issued')).length, 1)
  const orders = await w.eli.list(w.orgs.elerome.id, { statuses: ['requested'] })
  assert.deepEqual(orders.items.map((d) => d.order.id), [first[1].order.id], 'one request, not two')

  // The key with another batch, or with the same command on its own, is CONFLICT.
  await rejection(keyed.batch([commands[0]]), 'CONFLICT')
  await rejection(keyed.issue(held.id, 2), 'CONFLICT')
  assert.deepEqual(await state(w, held.id, first[1].order.id), before)
})

storeTest('an empty batch and one of MAX_BATCH + 1 commands are INVALID_INPUT', async (inv) => {
  const w = await world({ inv })
  const a = await ask(w, 1, 'A')
  const before = await state(w, a.id)
  assert.equal(MAX_BATCH, 1000)

  let err = await rejection(w.irina.batch([]), 'INVALID_INPUT')
  assert.deepEqual([err.field, err.reason], ['batch', 'must hold 1 to 1000 commands, got 0'])
  err = await rejection(w.irina.batch(Array.from({ length: MAX_BATCH + 1 }, () => ({ kind: 'cancel', order: a.id }))), 'INVALID_INPUT')
  assert.deepEqual([err.field, err.reason], ['batch', 'must hold 1 to 1000 commands, got 1001'])
  assert.deepEqual(await state(w, a.id), before)
})

storeTest('malformed commands are INVALID_INPUT naming their index, and nothing runs', async (inv) => {
  const w = await world({ inv })
  await stock(w, w.orgs.ellen, w.products.cl, 10)
  const a = await ask(w, 2, 'A')
  const held = await centerOrder(w, w.products.uac, 2)
  const before = await state(w, a.id, held.id)
  const ok = approve(a)
  const cases = [
    [{ kind: 'aprove', order: a.id }, 'kind', "invalid kind: batch command 1: 'aprove' is not one of 'request', 'edit_request', 'approve', 'reject', 'cancel', 'assign', 'issue', 'mint', 'borrow', 'return_borrow', 'edit_license_user', 'delete_license_user', 'assign_license', 'return_units', 'delete_order', 'import_licenses', 'revoke', 'disable', 'enable', 'reset_device', 'reset_license', 'add_license_manager', 'set_license_manager_permissions', 'remove_license_manager', 'edit_metadata', 'set_customer', 'issue_in_bulk', 'request_bundle', 'add_license_user' or 'set_license_user_password'"],
    [{ order: a.id }, 'kind', "invalid kind: batch command 1: missing (one of 'request', 'edit_request', 'approve', 'reject', 'cancel', 'assign', 'issue', 'mint', 'borrow', 'return_borrow', 'edit_license_user', 'delete_license_user', 'assign_license', 'return_units', 'delete_order', 'import_licenses', 'revoke', 'disable', 'enable', 'reset_device', 'reset_license', 'add_license_manager', 'set_license_manager_permissions', 'remove_license_manager', 'edit_metadata', 'set_customer', 'issue_in_bulk', 'request_bundle', 'add_license_user' or 'set_license_user_password')"],
    [{ kind: 'Approve', order: a.id }, 'kind', /'Approve' is not one of/],
    [{ kind: 'approve' }, 'order', 'invalid order: batch command 1 (approve): missing'],
    [{ kind: 'request', product: w.products.cl.id, quantity: 1 }, 'holder', 'invalid holder: batch command 1 (request): missing'],
    [{ kind: 'assign', from: w.orgs.ellen.id, to: w.orgs.mga.id, product: w.products.cl.id }, 'quantity', 'invalid quantity: batch command 1 (assign): missing'],
    [{ kind: 'issue', order: held.id }, 'quantity', 'invalid quantity: batch command 1 (issue): missing'],
    [{ kind: 'cancel', order: a.id, comments: 'why' }, 'comments', 'invalid comments: batch command 1 (cancel): cancel does not take comments'],
    [{ kind: 'issue', order: held.id, quantity: 1, purchaseOrder: 'PO' }, 'purchaseOrder', /issue does not take purchaseOrder/],
    [{ kind: 'request', holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 1, order: a.id }, 'order', /request does not take order/],
    [{ kind: 'issue', order: held.id, quantity: 1.5 }, 'quantity', 'invalid quantity: batch command 1 (issue): 1.5 is not a non-negative integer'],
    [{ kind: 'approve', order: a.id, quantity: -1 }, 'quantity', /batch command 1 \(approve\): -1 is not a non-negative integer/],
    [{ kind: 'reject', order: 'nope' }, 'order id', /^invalid order id: batch command 1 \(reject\): 'nope' is not a UUID/],
    [{ kind: 'assign', from: w.orgs.ellen.id, to: 'nope', product: w.products.cl.id, quantity: 1 }, 'organization id', /batch command 1 \(assign\): 'nope' is not a UUID/],
  ]
  for (const [bad, field, message] of cases) {
    const err = await rejection(w.irina.batch([ok, bad, ok]), 'INVALID_INPUT')
    assert.equal(err.field, field, JSON.stringify(bad))
    if (typeof message === 'string') assert.equal(err.message, message)
    else assert.match(err.message, message)
  }
  assert.deepEqual(await state(w, a.id, held.id), before, 'the valid approval before it did not run')

  // Values of the wrong JS type reject too, naming the command's field.
  let err = await rejection(w.irina.batch([ok, { kind: 42 }]), 'INVALID_INPUT')
  assert.equal(err.message, 'invalid kind: Session.batch: commands[1].kind must be a string, got the number 42')
  err = await rejection(w.irina.batch([{ kind: 'issue', order: held.id, quantity: '1' }]), 'INVALID_INPUT')
  assert.equal(err.message, 'invalid quantity: Session.batch: commands[0].quantity must be a number, got the string "1"')
  err = await rejection(w.irina.batch(ok), 'INVALID_INPUT')
  assert.deepEqual([err.field, err.reason], ['commands', 'Session.batch: expected an array of BatchCommand, got an object'])
  assert.deepEqual(await state(w, a.id, held.id), before)
})

storeTest('order, license and manager commands batch too; a refusal names its command', async (inv) => {
  const w = await world({ inv })
  const order = await centerOrder(w, w.products.cl, 6)
  const [a, b] = await w.eli.issue(order.id, 2)
  const lena = await w.inv.createUser(w.tenant.id, { name: 'Lena Manager', email: 'lena@elerome.example' })
  const results = await w.eli.batch([
    { kind: 'disable', license: a.id },
    { kind: 'enable', license: a.id },
    { kind: 'reset_license', license: a.id },
    { kind: 'revoke', license: b.id },
    { kind: 'import_licenses', order: order.id, keys: ['ACME-0001', 'ACME-0002'] },
    { kind: 'add_license_manager', order: order.id, user: lena.id, permissions: ['reset_device'] },
    { kind: 'set_license_manager_permissions', order: order.id, user: lena.id, permissions: ['reset_device', 'reset_license'] },
    { kind: 'remove_license_manager', order: order.id, user: lena.id },
    { kind: 'return_units', order: order.id, quantity: 1 },
  ])
  assert.deepEqual(results.map((r) => r.kind), ['license', 'license', 'license', 'order', 'licenses', 'manager', 'manager', 'done', 'order'])
  assert.equal(results[0].license.status, 'disabled')
  assert.equal(results[3].order.issued, 1)
  assert.deepEqual(results[4].licenses.map((l) => l.imported), [true, true])
  assert.equal(results[6].manager.permissions.length, 2)
  const [minted] = await w.vera.batch([{ kind: 'mint', product: w.products.uac.id, quantity: 4 }])
  assert.deepEqual(await w.vera.batch([{ kind: 'delete_order', order: minted.order.id }]), [{ kind: 'done' }])

  const before = await state(w, order.id)
  const err = await rejection(
    w.eli.batch([{ kind: 'disable', license: a.id }, { kind: 'reset_device', license: a.id, fingerprint: 'never-seen' }]),
    'INVALID_INPUT',
  )
  assert.equal(err.batchIndex, 1)
  assert.deepEqual(await state(w, order.id), before)
  await rejection(w.eli.batch([{ kind: 'revoke', order: order.id }]), 'INVALID_INPUT')
})

storeTest('edits and borrows batch too', async (inv) => {
  const w = await world({ inv })
  await w.inv.setProductPolicy(w.tenant.id, w.products.cl.id, {
    validity: { kind: 'perpetual' }, maxActivations: 1, floating: { maxBorrows: 2, maxBorrowSeconds: 600 }, trial: false,
  })
  const order = await centerOrder(w, w.products.cl, 2)
  const [l] = await w.eli.issue(order.id, 1)
  const results = await w.eli.batch([
    { kind: 'borrow', license: l.id, borrower: 'pc-1', seconds: 60 },
    { kind: 'borrow', license: l.id, borrower: 'pc-2', seconds: 60 },
    { kind: 'return_borrow', license: l.id, borrower: 'pc-1' },
  ])
  assert.deepEqual(results.map((r) => r.license.borrows.length), [1, 2, 1])
  await stock(w, w.orgs.ellen, w.products.cl, 5)
  const asked = await w.irina.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 2 })
  const [edited] = await w.irina.batch([{ kind: 'edit_request', order: asked.id, quantity: 3 }])
  assert.equal(edited.order.requestedQuantity, 3)
  const err = await rejection(w.eli.batch([{ kind: 'borrow', license: l.id, borrower: 'pc-3', seconds: 0 }]), 'INVALID_INPUT')
  assert.equal(err.batchIndex, 0)
  const sam = await w.eli.addLicenseUser(order.id, { email: 'sam@elerome.example' })
  const users = await w.eli.batch([
    { kind: 'assign_license', license: l.id, user: sam.id },
    { kind: 'edit_license_user', user: sam.id, name: 'Sam' },
    { kind: 'assign_license', license: l.id },
    { kind: 'delete_license_user', user: sam.id },
  ])
  assert.deepEqual(users.map((r) => r.kind), ['license', 'license_user', 'license', 'done'])
  assert.equal(users[0].license.licenseUser, sam.id)
  assert.equal(users[1].licenseUser.name, 'Sam')
  assert.equal(users[2].license.licenseUser, null)
  assert.deepEqual(await w.eli.licenseUsers(order.id), [])
})

storeTest('metadata, customers, bulk issues, bundles and license users batch too', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const order = await centerOrder(w, w.products.cl, 10)
  const bundle = await w.inv.createBundle(t, {
    name: 'Classroom pack',
    lines: [{ product: w.products.cl.id, quantity: 2 }, { product: w.products.uac.id, quantity: 5 }],
  })
  const customer = { name: 'Ada School', email: 'office@ada.example', company: null, phone: null, reference: 'C-1' }
  const results = await w.eli.batch([
    { kind: 'edit_metadata', order: order.id, reference: 'REF-9', campaign: { source: 'fall' }, isTest: true },
    { kind: 'set_customer', order: order.id, customer },
    { kind: 'issue_in_bulk', order: order.id, quantity: 3 },
    { kind: 'request_bundle', holder: w.orgs.elerome.id, bundle: bundle.id, purchaseOrder: 'PO-B', comments: 'for the lab' },
    { kind: 'add_license_user', order: order.id, email: 'sam@elerome.example', name: 'Sam', password: 'correct horse' },
  ])
  assert.deepEqual(results.map((r) => r.kind), ['order', 'order', 'issued', 'orders', 'license_user'])
  const [edited, customered, bulk, bundled, added] = results
  assert.deepEqual(
    [edited.order.metadata.reference, edited.order.metadata.campaign, edited.order.metadata.isTest],
    ['REF-9', { source: 'fall' }, true],
  )
  assert.deepEqual(customered.order.customer, customer)
  assert.deepEqual(Object.keys(bulk).sort(), ['issued', 'kind'])
  assert.deepEqual([bulk.issued.order.id, bulk.issued.order.issued, bulk.issued.count], [order.id, 3, 3])
  const licenses = await w.eli.licenses(order.id)
  assert.deepEqual([licenses.length, licenses[0].id, licenses.at(-1).id], [3, bulk.issued.first, bulk.issued.last])
  assert.equal(bundled.orders.length, 2)
  for (const o of bundled.orders) {
    assert.deepEqual([o.holder, o.source, o.status, o.purchaseOrder], [w.orgs.elerome.id, w.orgs.mga.id, 'requested', 'PO-B'])
  }
  assert.ok(bundled.orders[0].bundle, 'the requests of a bundle share its id')
  assert.equal(bundled.orders[1].bundle, bundled.orders[0].bundle)
  assert.deepEqual(bundled.orders.map((o) => [o.product, o.requestedQuantity]), [[w.products.cl.id, 2], [w.products.uac.id, 5]])
  const sam = added.licenseUser
  assert.deepEqual([sam.order, sam.email, sam.name], [order.id, 'sam@elerome.example', 'Sam'])
  assert.equal(await w.inv.verifyLicenseUserPassword(t, sam.id, 'correct horse'), true)

  // A password change resolves with 'done'; removing the customer with null or left out.
  const done = await w.eli.batch([
    { kind: 'set_license_user_password', user: sam.id, password: 'battery staple' },
    { kind: 'set_customer', order: order.id, customer: null },
  ])
  assert.deepEqual(done.map((r) => r.kind), ['done', 'order'])
  assert.equal(done[1].order.customer, null)
  assert.equal(await w.inv.verifyLicenseUserPassword(t, sam.id, 'battery staple'), true)
  assert.equal(await w.inv.verifyLicenseUserPassword(t, sam.id, 'correct horse'), false)
  const [again] = await w.eli.batch([{ kind: 'set_customer', order: order.id }])
  assert.equal(again.order.customer, null)
  assert.equal((await w.inv.audit(t)).isClean, true)
})

storeTest('a refused command of a new kind names its index and action, and nothing runs', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const order = await centerOrder(w, w.products.cl, 4)
  const sam = await w.eli.addLicenseUser(order.id, { email: 'sam@elerome.example' })
  const before = await state(w, order.id)
  const cases = [
    // Olga administers another branch.
    [w.olga, { kind: 'edit_metadata', order: order.id, reference: 'X' }, 'PERMISSION_DENIED', 'edit_metadata'],
    [w.olga, { kind: 'set_customer', order: order.id, customer: null }, 'PERMISSION_DENIED', 'edit_customer'],
    // Five of four units.
    [w.eli, { kind: 'issue_in_bulk', order: order.id, quantity: 5 }, 'INSUFFICIENT_INVENTORY', 'issue_license'],
    // The vendor requests from nobody.
    [w.vera, { kind: 'request_bundle', holder: w.orgs.vendor, bundle: order.id }, 'NOT_FOUND', 'request_bundle'],
    // An email twice on one order.
    [w.eli, { kind: 'add_license_user', order: order.id, email: 'sam@elerome.example' }, 'CONFLICT', 'manage_license_users'],
    // Too short a password.
    [w.eli, { kind: 'set_license_user_password', user: sam.id, password: 'short' }, 'INVALID_INPUT', 'manage_license_user_credentials'],
  ]
  for (const [session, command, code, action] of cases) {
    // Eli's own commands follow one that would succeed on its own.
    const first = session === w.eli ? [{ kind: 'edit_metadata', order: order.id, reference: 'first' }] : []
    const err = await rejection(session.batch([...first, command]), code)
    const index = first.length
    assert.deepEqual([err.batchIndex, err.action, err.actor], [index, action, session.user], `${command.kind}: ${err.message}`)
    assert.match(err.message, new RegExp(`^command ${index} of the batch failed`))
    if (code === 'PERMISSION_DENIED') assert.ok(err.message.includes(`user ${session.user} may not ${action}: `), err.message)
    else assert.ok(err.message.endsWith(`(refused: ${action} by user ${session.user})`), err.message)
  }
  assert.deepEqual(await state(w, order.id), before, 'no command of a refused batch ran')
  assert.equal((await w.eli.order(order.id)).order.metadata.reference, null)

  // Malformed commands of the new kinds.
  const malformed = [
    [{ kind: 'issue_in_bulk', order: order.id }, 'quantity', 'invalid quantity: batch command 0 (issue_in_bulk): missing'],
    [{ kind: 'add_license_user', order: order.id, name: 'Ann' }, 'email', 'invalid email: batch command 0 (add_license_user): missing'],
    [{ kind: 'set_license_user_password', user: sam.id }, 'password', 'invalid password: batch command 0 (set_license_user_password): missing'],
    [{ kind: 'request_bundle', holder: w.orgs.elerome.id }, 'bundle', 'invalid bundle: batch command 0 (request_bundle): missing'],
    [{ kind: 'edit_metadata', order: order.id, quantity: 1 }, 'quantity', /edit_metadata does not take quantity/],
    [{ kind: 'set_customer', order: order.id, password: 'x' }, 'password', /set_customer does not take password/],
  ]
  for (const [bad, field, message] of malformed) {
    const err = await rejection(w.eli.batch([bad]), 'INVALID_INPUT')
    assert.equal(err.field, field, JSON.stringify(bad))
    if (typeof message === 'string') assert.ok(err.message.startsWith(message), err.message)
    else assert.match(err.message, message)
  }
  assert.deepEqual(await state(w, order.id), before)
})

storeTest('a keyed batch retried with another password is a CONFLICT', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const order = await centerOrder(w, w.products.cl, 2)
  const sam = await w.eli.addLicenseUser(order.id, { email: 'sam@elerome.example' })
  const keyed = w.eli.withIdempotencyKey('set-sam-password')
  const change = (password) => [{ kind: 'set_license_user_password', user: sam.id, password }]
  assert.deepEqual(await keyed.batch(change('correct horse')), [{ kind: 'done' }])
  assert.deepEqual(await keyed.batch(change('correct horse')), [{ kind: 'done' }], 'the same password: a retry')
  const err = await rejection(keyed.batch(change('battery staple')), 'CONFLICT')
  assert.ok(!err.message.includes('battery staple'), 'the password never shows')
  assert.equal(await w.inv.verifyLicenseUserPassword(t, sam.id, 'correct horse'), true)
  assert.equal(await w.inv.verifyLicenseUserPassword(t, sam.id, 'battery staple'), false)

  // The same for an initial password.
  const addKeyed = w.eli.withIdempotencyKey('add-ann')
  const add = (password) => [{ kind: 'add_license_user', order: order.id, email: 'ann@elerome.example', password }]
  const [first] = await addKeyed.batch(add('first secret'))
  assert.deepEqual(await addKeyed.batch(add('first secret')), [first])
  await rejection(addKeyed.batch(add('other secret')), 'CONFLICT')
  assert.equal((await w.eli.licenseUsers(order.id)).length, 2)
})
