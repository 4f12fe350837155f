// Taking things back: admin roles, deactivations, the plan, products and license managers. Each
// succeeds with its ledger entry, is refused (changing nothing) where it breaks a rule, and
// records nothing when already done.
import assert from 'node:assert/strict'

import { centerOrder, rejection, stock, storeTest, wholeLedger, world } from './helpers.mjs'

const newestKind = async (w) => (await wholeLedger(w)).at(-1).kind

/** `call()` must reject with `code` and leave the ledger as it was. */
async function refusedUnchanged(w, call, code) {
  const before = await wholeLedger(w)
  await rejection(call(), code)
  assert.deepEqual(await wholeLedger(w), before)
}

storeTest('revokeAdmin: the role goes, the vendor keeps its last admin', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  await w.inv.revokeAdmin(t, w.users.eli.id, w.orgs.elerome.id)
  assert.equal(await newestKind(w), 'admin_revoked')
  await rejection(w.eli.summary(w.orgs.elerome.id), 'PERMISSION_DENIED')
  await refusedUnchanged(w, () => w.inv.revokeAdmin(t, w.users.vera.id, w.orgs.vendor), 'HIERARCHY_VIOLATION')
})

storeTest('reactivateOrg, deactivateUser and reactivateUser', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  await w.inv.deactivateOrg(t, w.orgs.mga.id)
  await w.inv.deactivateOrg(t, w.orgs.elerome.id)
  await refusedUnchanged(w, () => w.inv.reactivateOrg(t, w.orgs.elerome.id), 'HIERARCHY_VIOLATION')
  assert.equal((await w.inv.reactivateOrg(t, w.orgs.mga.id)).active, true)
  assert.equal(await newestKind(w), 'org_reactivated')

  const user = await w.inv.deactivateUser(t, w.users.irina.id)
  assert.equal(user.active, false)
  assert.equal(await newestKind(w), 'user_deactivated')
  const err = await rejection(w.irina.summary(w.orgs.ellen.id), 'PERMISSION_DENIED')
  assert.match(err.message, /deactivated/)
  assert.equal((await w.inv.reactivateUser(t, w.users.irina.id)).active, true)
  assert.equal(await newestKind(w), 'user_reactivated')
  await w.irina.summary(w.orgs.ellen.id)
  await refusedUnchanged(w, () => w.inv.deactivateUser(t, w.users.vera.id), 'HIERARCHY_VIOLATION')
})

storeTest('changePlan: enterprise-only grants are kept but not honoured on standard', async (inv) => {
  const w = await world({ inv, plan: 'enterprise' })
  const t = w.tenant.id
  const order = await centerOrder(w, w.products.cl, 5)
  const lena = await w.inv.createUser(t, { name: 'Lena Manager', email: 'lena@elerome.example' })
  await w.eli.addLicenseManager(order.id, lena.id, ['issue_license'])
  const asLena = await w.inv.session(t, lena.id)
  await asLena.issue(order.id, 1)
  assert.equal((await w.inv.changePlan(t, 'standard')).plan, 'standard')
  assert.equal(await newestKind(w), 'plan_changed')
  await rejection(asLena.issue(order.id, 1), 'PLAN_REQUIRED')
  await w.inv.changePlan(t, 'enterprise')
  await asLena.issue(order.id, 1)
  await rejection(w.inv.changePlan('018f0000-0000-7000-8000-000000000001', 'standard'), 'NOT_FOUND')
})

storeTest('renameProduct and retireProduct', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const { cl, uac } = w.products
  await stock(w, w.orgs.ellen, uac, 10)
  const pending = await w.irina.request({ holder: w.orgs.mga.id, product: uac.id, quantity: 2 })
  assert.equal((await w.inv.renameProduct(t, cl.id, 'Classroom License')).name, 'Classroom License')
  assert.equal(await newestKind(w), 'product_renamed')
  await refusedUnchanged(w, () => w.inv.renameProduct(t, cl.id, ' '), 'INVALID_INPUT')
  assert.equal((await w.inv.retireProduct(t, uac.id)).retired, true)
  assert.equal(await newestKind(w), 'product_retired')
  await refusedUnchanged(w, () => w.irina.request({ holder: w.orgs.mga.id, product: uac.id, quantity: 1 }), 'INVALID_INPUT')
  await w.irina.approve(pending.id)
})

storeTest('setLicenseManagerPermissions and removeLicenseManager', async (inv) => {
  const w = await world({ inv })
  const order = await centerOrder(w, w.products.cl, 5)
  const lena = await w.inv.createUser(w.tenant.id, { name: 'Lena Manager', email: 'lena@elerome.example' })
  await w.eli.addLicenseManager(order.id, lena.id, ['reset_device'])
  const m = await w.eli.setLicenseManagerPermissions(order.id, lena.id, ['reset_device', 'reset_license'])
  assert.deepEqual([...m.permissions].sort(), ['reset_device', 'reset_license'])
  assert.equal(await newestKind(w), 'manager_changed')
  const asLena = await w.inv.session(w.tenant.id, lena.id)
  await refusedUnchanged(w, () => asLena.removeLicenseManager(order.id, lena.id), 'PERMISSION_DENIED')
  await refusedUnchanged(w, () => w.eli.setLicenseManagerPermissions(order.id, lena.id, []), 'INVALID_INPUT')
  await w.eli.removeLicenseManager(order.id, lena.id)
  assert.equal(await newestKind(w), 'manager_removed')
  assert.deepEqual(await w.eli.licenseManagers(order.id), [])
  await refusedUnchanged(w, () => w.eli.removeLicenseManager(order.id, lena.id), 'NOT_FOUND')
})
