// Every refusal names who attempted what (docs/decisions.md §50): `err.action` (the refused
// action) and `err.actor` (the acting user's id; absent for the host application's own calls on
// `Inventory`), and its message ends with "(refused: <action> by user <id>)" or "(refused:
// <action> by the host application)". One case per error code a caller meets, as the core's
// conformance suite `refusals` triggers them; on memory, SQLite and PostgreSQL.
import assert from 'node:assert/strict'

import { centerOrder, mistype, rejection, snapshot, stock, storeTest, world } from './helpers.mjs'

/** The codes a caller can be refused with: each is checked below. */
const REFUSALS = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'PERMISSION_DENIED',
  'INSUFFICIENT_INVENTORY',
  'INVALID_STATE',
  'HIERARCHY_VIOLATION',
  'CONFLICT',
  'MISTYPED_KEY',
  'ACTIVATION_LIMIT',
  'BORROW_LIMIT',
  'LICENSE_UNUSABLE',
  'PLAN_REQUIRED',
  'ORDER_IN_USE',
]

/**
 * Asserts that `promise` rejects with `code`, naming `action` by `actor` (a user id, or
 * undefined for the host application) in its fields and its message; returns the error.
 */
async function refused(promise, code, action, actor) {
  const err = await rejection(promise, code)
  assert.equal(err.action, action, `${code}: ${err.message}`)
  assert.equal(err.actor, actor, `${code}: ${err.message}`)
  if (actor === undefined) {
    assert.ok(!('actor' in err), 'a host call names no actor')
    assert.ok(err.message.endsWith(`(refused: ${action} by the host application)`), err.message)
  } else if (code === 'PERMISSION_DENIED') {
    // A permission refusal says it first: "user … may not …".
    assert.ok(err.message.startsWith(`user ${actor} may not ${action}: `), err.message)
  } else {
    assert.ok(err.message.endsWith(`(refused: ${action} by user ${actor})`), err.message)
  }
  return err
}

storeTest('every refusal names its action and its actor', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const { irina, eli, vera } = w.users
  const { cl, uac } = w.products
  await w.inv.setProductPolicy(t, cl.id, {
    validity: { kind: 'perpetual' },
    maxActivations: 1,
    floating: { maxBorrows: 1, maxBorrowSeconds: 60 },
    trial: false,
  })
  const order = await centerOrder(w, cl, 4)
  const ls = await w.eli.issue(order.id, 2)
  await w.eli.borrow(ls[0].id, 'ann', 60)
  const codesOrder = await centerOrder(w, uac, 1)
  const codes = await w.eli.issue(codesOrder.id, 1)
  const seen = new Set()
  const check = async (promise, code, action, actor) => {
    await refused(promise, code, action, actor)
    seen.add(code)
  }

  // INVALID_INPUT: checked before the command runs, still named.
  await check(w.irina.request({ holder: w.orgs.mga.id, product: cl.id, quantity: 0 }), 'INVALID_INPUT', 'request', irina.id)
  // NOT_FOUND, on a read.
  await check(w.irina.orderByNumber(9999), 'NOT_FOUND', 'view', irina.id)
  // PERMISSION_DENIED: only the vendor's admins mint.
  await check(w.eli.mint({ product: cl.id, quantity: 5 }), 'PERMISSION_DENIED', 'mint', eli.id)
  // INSUFFICIENT_INVENTORY: Ellen holds no activation codes (the one unit went down the tree).
  const ask = await w.irina.request({ holder: w.orgs.mga.id, product: uac.id, quantity: 5 })
  const short = await rejection(w.irina.approve(ask.id), 'INSUFFICIENT_INVENTORY')
  await check(Promise.reject(short), 'INSUFFICIENT_INVENTORY', 'approve', irina.id)
  // INVALID_STATE: a cancelled request cannot be approved.
  await w.irina.cancel(ask.id)
  await check(w.irina.approve(ask.id), 'INVALID_STATE', 'approve', irina.id)
  // HIERARCHY_VIOLATION: the vendor has no parent to request from.
  await check(w.vera.request({ holder: w.orgs.vendor, product: cl.id, quantity: 1 }), 'HIERARCHY_VIOLATION', 'request', vera.id)
  // CONFLICT: a license user's email twice on one order.
  await w.eli.addLicenseUser(order.id, { email: 'ann@example.com' })
  await check(w.eli.addLicenseUser(order.id, { email: 'ann@example.com' }), 'CONFLICT', 'manage_license_users', eli.id)
  // MISTYPED_KEY, on a read by key.
  await check(w.eli.license(mistype(ls[1].key)), 'MISTYPED_KEY', 'view', eli.id)
  // BORROW_LIMIT: one open borrow at most.
  await check(w.eli.borrow(ls[0].id, 'bob', 60), 'BORROW_LIMIT', 'borrow_license', eli.id)
  // LICENSE_UNUSABLE: an activation code cannot be borrowed.
  await check(w.eli.borrow(codes[0].id, 'bob', 60), 'LICENSE_UNUSABLE', 'borrow_license', eli.id)
  // PLAN_REQUIRED: create_order needs the enterprise plan.
  await check(w.eli.addLicenseManager(order.id, irina.id, ['create_order']), 'PLAN_REQUIRED', 'manage_managers', eli.id)
  // ORDER_IN_USE: Ellen's stock still feeds MGA's order.
  const source = await stock(w, w.orgs.ellen, uac, 3)
  await w.irina.assign({ from: w.orgs.ellen.id, to: w.orgs.mga.id, product: uac.id, quantity: 2 })
  const beforeDelete = await snapshot(w)
  await check(w.irina.deleteOrder(source.id), 'ORDER_IN_USE', 'delete_order', irina.id)
  assert.deepEqual(await snapshot(w), beforeDelete, 'a refusal writes nothing')
  // ACTIVATION_LIMIT: the host's own call (a device), named with no user.
  await w.inv.activate(t, ls[1].key, 'pc-1', 'PC 1')
  await check(w.inv.activate(t, ls[1].key, 'pc-2', 'PC 2'), 'ACTIVATION_LIMIT', 'activate', undefined)

  assert.deepEqual([...seen].sort(), [...REFUSALS].sort(), 'every refusal code is checked')
  assert.equal((await w.inv.audit(t)).isClean, true)
})

storeTest("the host application's own refusals name the action and no user", async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const before = await snapshot(w)
  await refused(w.inv.createUser(t, { name: 'Irina again', email: w.users.irina.email }), 'CONFLICT', 'create_user', undefined)
  await refused(
    w.inv.createOrg(t, { name: 'Upside Down', tier: 'distributor', parent: w.orgs.mga.id }),
    'HIERARCHY_VIOLATION',
    'create_org',
    undefined,
  )
  const last = await rejection(w.inv.revokeAdmin(t, w.users.vera.id, w.orgs.vendor), 'HIERARCHY_VIOLATION')
  assert.deepEqual([last.action, last.actor], ['revoke_admin', undefined])
  await refused(w.inv.renameProduct(t, w.products.cl.id, ' '), 'INVALID_INPUT', 'rename_product', undefined)
  await refused(w.inv.tenant('00000000-0000-0000-0000-000000000000'), 'NOT_FOUND', 'view', undefined)
  assert.deepEqual(await snapshot(w), before, 'a refusal writes nothing')
})

storeTest("a batch's refusal names its command's action; the batch's own check names 'batch'", async (inv) => {
  const w = await world({ inv })
  const irina = w.users.irina.id
  const ask = await w.irina.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 5 })
  const err = await refused(
    w.irina.batch([{ kind: 'cancel', order: ask.id }, { kind: 'approve', order: ask.id }]),
    'INVALID_STATE',
    'approve',
    irina,
  )
  assert.equal(err.batchIndex, 1)
  await refused(w.irina.batch([]), 'INVALID_INPUT', 'batch', irina)
})
