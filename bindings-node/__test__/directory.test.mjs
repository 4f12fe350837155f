// The directory: organizations, users, admins, roles, products and bundles, each read scoped
// like orders (a user sees their branches; the vendor's admins see all).
import assert from 'node:assert/strict'

import { rejection, storeTest, world } from './helpers.mjs'

const names = (page) => page.items.map((o) => o.name)

storeTest('directory: organizations by visibility, from the vendor down to a center', async (inv) => {
  const w = await world({ inv })
  const { vendor, ellen, mga, elerome, otherDist } = w.orgs
  assert.deepEqual(names(await w.vera.searchOrgs()), [
    'Elerome School', 'Ellen Emporium', 'Jasperactive', 'MGA Inc', 'Other Distribution', 'Other Reseller',
  ])
  assert.deepEqual(names(await w.irina.searchOrgs()), ['Elerome School', 'Ellen Emporium', 'MGA Inc'])
  assert.deepEqual(names(await w.olga.searchOrgs('other r')), ['Other Reseller'])
  assert.deepEqual(names(await w.eli.searchOrgs('')), ['Elerome School'])
  assert.deepEqual(names(await w.vera.searchOrgs('EL')), ['Elerome School', 'Ellen Emporium'])

  const first = await w.vera.searchOrgs(null, { limit: 4 })
  assert.equal(first.items.length, 4)
  assert.deepEqual(names(await w.vera.searchOrgs(null, { cursor: first.next })), ['Other Distribution', 'Other Reseller'])

  assert.deepEqual(names(await w.vera.childOrgs(vendor)), ['Ellen Emporium', 'Other Distribution'])
  const tree = await w.irina.subtree(ellen.id, 1)
  assert.deepEqual(tree.items.map((e) => [e.org.name, e.depth]), [['Ellen Emporium', 0], ['MGA Inc', 1]])
  assert.equal((await w.vera.subtree(vendor)).items.length, 6)
  assert.deepEqual(await w.eli.organization(elerome.id), elerome)

  for (const [who, org] of [[w.olga, ellen.id], [w.eli, mga.id], [w.irina, otherDist.id], [w.irina, vendor]]) {
    await rejection(who.organization(org), 'PERMISSION_DENIED')
    await rejection(who.childOrgs(org), 'PERMISSION_DENIED')
    await rejection(who.orgAdmins(org), 'PERMISSION_DENIED')
  }
  await rejection(w.vera.subtree(vendor, 17), 'INVALID_INPUT')
  await rejection(w.vera.searchOrgs(null, { cursor: 'nope' }), 'INVALID_INPUT')
  await rejection(w.vera.searchOrgs(null, { limit: 0 }), 'INVALID_INPUT')
})

storeTest('directory: users, admins and the Role menu', async (inv) => {
  const w = await world({ inv })
  const { irina, eli, olga } = w.users
  const userNames = async (s, prefix) => (await s.searchUsers(prefix)).items.map((u) => u.name)
  assert.deepEqual(await userNames(w.vera), ['Eli Elerome', 'Irina Heer', 'Olga Other', 'Vera Vendor'])
  assert.deepEqual(await userNames(w.irina), ['Eli Elerome', 'Irina Heer'])
  assert.deepEqual(await userNames(w.vera, 'OLGA@'), ['Olga Other'])
  assert.deepEqual(await w.irina.findUser(eli.id), eli)
  await rejection(w.irina.findUser(olga.id), 'PERMISSION_DENIED')
  assert.deepEqual((await w.vera.orgAdmins(w.orgs.mga.id)).map((u) => u.name), ['Irina Heer'])

  const roles = await w.irina.rolesOf(irina.id)
  assert.deepEqual(roles.map((r) => [r.orgName, r.tier]), [['Ellen Emporium', 'distributor'], ['MGA Inc', 'reseller']])
  assert.equal(roles[0].org, w.orgs.ellen.id)
  assert.deepEqual(await w.vera.rolesOf(irina.id), roles)
  await rejection(w.eli.rolesOf(irina.id), 'PERMISSION_DENIED')
})

storeTest('directory: products and bundles, paged', async (inv) => {
  const w = await world({ inv })
  const page = await w.eli.products({ limit: 1 })
  assert.deepEqual(page.items.map((p) => p.name), ['Center License'])
  const rest = await w.eli.products({ cursor: page.next })
  assert.deepEqual(rest.items.map((p) => p.name), ['User Activation Codes'])
  assert.equal(rest.next, null)
  assert.deepEqual(await w.eli.product(w.products.uac.id), w.products.uac)
  const bundle = await w.inv.createBundle(w.tenant.id, { name: 'Starter pack', lines: [{ product: w.products.cl.id, quantity: 2 }] })
  assert.deepEqual((await w.eli.bundles()).items, [bundle])
  assert.deepEqual(await w.eli.bundle(bundle.id), bundle)
})
