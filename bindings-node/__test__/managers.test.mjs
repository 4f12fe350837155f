// License managers: the permission matrix (each of the nine permissions and every operation it
// guards), the plan rule (PLAN_REQUIRED) and the no-escalation rule; what a manager may read;
// license users and their passwords.
import assert from 'node:assert/strict'

import { centerOrder, rejection, snapshot, storeTest, world } from './helpers.mjs'

const ALL = [
  'manage_license_users',
  'manage_license_user_credentials',
  'manage_managers',
  'reset_device',
  'reset_license',
  'borrow_license',
  'create_bundle_order',
  'create_order',
  'issue_license',
]

/** An enterprise tenant whose center holds an order of 200 floating Center Licenses, 60 issued. */
async function managed(inv) {
  const w = await world({ inv, plan: 'enterprise' })
  const t = w.tenant.id
  await w.inv.setProductPolicy(t, w.products.cl.id, {
    validity: { kind: 'perpetual' }, maxActivations: 100, floating: { maxBorrows: 100, maxBorrowSeconds: 3600 }, trial: false,
  })
  const o = await centerOrder(w, w.products.cl, 200)
  const licenses = await w.eli.issue(o.id, 60)
  const bundle = await w.inv.createBundle(t, { name: 'Pack', lines: [{ product: w.products.cl.id, quantity: 1 }] })
  let nextLicense = 0
  let n = 0
  const fresh = {
    /** One of the issued licenses, never handed out before. */
    license: () => {
      assert.ok(nextLicense < licenses.length, 'issue more licenses in managed()')
      return licenses[nextLicense++]
    },
    /** A license user added by the center's admin. */
    licenseUser: () => w.eli.addLicenseUser(o.id, { email: `lu${n++}@elerome.example` }),
    /** A user with no role. */
    user: (name) => w.inv.createUser(t, { name, email: `user${n++}@elerome.example` }),
    /** A session of a new user who manages the order with exactly `permissions` (none: no manager). */
    manager: async (name, permissions) => {
      const u = await fresh.user(name)
      if (permissions.length > 0) await w.eli.addLicenseManager(o.id, u.id, permissions)
      return { user: u, session: await w.inv.session(t, u.id) }
    },
  }
  return { w, t, o, bundle, fresh }
}

/**
 * Every operation a permission guards: `prepare()` makes the fixtures (as the center's admin),
 * `run(session, fx)` is the guarded call, `observe(fx)` reads what it changes.
 */
function operations({ w, t, o, bundle, fresh }) {
  const nextNumber = async () => (await w.inv.tenant(t)).nextOrderNumber
  const userOf = async (id) => (await w.eli.licenseUsers(o.id)).find((u) => u.id === id) ?? null
  const activated = async () => {
    const l = fresh.license()
    await w.inv.activate(t, l.key, 'pc', 'PC')
    return l
  }
  return [
    {
      permission: 'manage_license_users', action: 'manage_license_users', name: 'add license user',
      prepare: async () => ({ email: `new-${(await fresh.user('Someone')).id}@elerome.example` }),
      run: (s, fx) => s.addLicenseUser(o.id, { email: fx.email, name: 'New' }),
      observe: async (fx) => (await w.eli.licenseUsers(o.id)).some((u) => u.email === fx.email),
    },
    {
      permission: 'manage_license_users', action: 'manage_license_users', name: 'edit license user',
      prepare: async () => fresh.licenseUser(),
      run: (s, u) => s.editLicenseUser(u.id, { name: 'Renamed' }),
      observe: async (u) => (await userOf(u.id)).name,
    },
    {
      permission: 'manage_license_users', action: 'manage_license_users', name: 'delete license user',
      prepare: async () => fresh.licenseUser(),
      run: (s, u) => s.deleteLicenseUser(u.id),
      observe: async (u) => (await userOf(u.id)) !== null,
    },
    {
      permission: 'manage_license_users', action: 'manage_license_users', name: 'assign license',
      prepare: async () => ({ license: fresh.license(), user: await fresh.licenseUser() }),
      run: (s, fx) => s.assignLicense(fx.license.id, fx.user.id),
      observe: async (fx) => (await w.eli.license(fx.license.key)).licenseUser,
    },
    {
      permission: 'manage_license_user_credentials', action: 'manage_license_user_credentials', name: 'set password',
      prepare: async () => fresh.licenseUser(),
      run: (s, u) => s.setLicenseUserPassword(u.id, 'correct horse'),
      observe: async (u) => w.inv.verifyLicenseUserPassword(t, u.id, 'correct horse'),
    },
    {
      permission: 'manage_managers', action: 'manage_managers', name: 'add license manager',
      prepare: async () => fresh.user('Grantee'),
      run: (s, u) => s.addLicenseManager(o.id, u.id, ['manage_managers']),
      observe: async (u) => (await w.eli.licenseManagers(o.id)).find((m) => m.user === u.id)?.permissions ?? null,
    },
    {
      permission: 'reset_device', action: 'reset_device', name: 'reset device',
      prepare: activated,
      run: (s, l) => s.resetDevice(l.id, 'pc'),
      observe: async (l) => (await w.eli.license(l.key)).activations.length,
    },
    {
      permission: 'reset_license', action: 'reset_license', name: 'reset license',
      prepare: activated,
      run: (s, l) => s.resetLicense(l.id),
      observe: async (l) => (await w.eli.license(l.key)).activations.length,
    },
    {
      permission: 'borrow_license', action: 'borrow_license', name: 'borrow',
      prepare: async () => fresh.license(),
      run: (s, l) => s.borrow(l.id, 'desk', 60),
      observe: async (l) => (await w.eli.license(l.key)).borrows.length,
    },
    {
      permission: 'borrow_license', action: 'borrow_license', name: 'return borrow',
      prepare: async () => {
        const l = fresh.license()
        await w.eli.borrow(l.id, 'desk', 60)
        return l
      },
      run: (s, l) => s.returnBorrow(l.id, 'desk'),
      observe: async (l) => (await w.eli.license(l.key)).borrows.length,
    },
    {
      permission: 'create_bundle_order', action: 'request_bundle', name: 'request bundle',
      prepare: async () => null,
      run: (s) => s.requestBundle({ holder: w.orgs.elerome.id, bundle: bundle.id }),
      observe: nextNumber,
    },
    {
      permission: 'create_order', action: 'request', name: 'request',
      prepare: async () => null,
      run: (s) => s.request({ holder: w.orgs.elerome.id, product: w.products.cl.id, quantity: 1 }),
      observe: nextNumber,
    },
    {
      permission: 'issue_license', action: 'issue_license', name: 'issue',
      prepare: async () => null,
      run: (s) => s.issue(o.id, 1),
      observe: async () => (await w.eli.order(o.id)).order.issued,
    },
  ]
}

storeTest('permission matrix: each permission lets its operations through, and only it', async (inv) => {
  const m = await managed(inv)
  const ops = operations(m)
  assert.deepEqual([...new Set(ops.map((op) => op.permission))].sort(), [...ALL].sort(), 'every permission guards a tested operation')
  for (const op of ops) {
    const label = `${op.name} (${op.permission})`
    const without = await m.fresh.manager(`Without ${op.name}`, ALL.filter((p) => p !== op.permission))
    const withIt = await m.fresh.manager(`With ${op.name}`, [op.permission])
    const nobody = await m.fresh.manager(`Nobody ${op.name}`, [])

    // Holding the eight other permissions is not enough: refused, and nothing changed.
    for (const who of [without, nobody]) {
      const fx = await op.prepare()
      const seen = await op.observe(fx)
      const before = await snapshot(m.w)
      const err = await rejection(op.run(who.session, fx), 'PERMISSION_DENIED')
      assert.equal(err.action, op.action, label)
      assert.equal(err.actor, who.user.id, label)
      assert.ok(err.reason.includes(op.permission), `${label}: ${err.reason}`)
      assert.deepEqual(await snapshot(m.w), before, `${label}: the refusal changed the store`)
      assert.deepEqual(await op.observe(fx), seen, label)
    }

    // With the one permission it goes through, and does what it says.
    const fx = await op.prepare()
    const seen = await op.observe(fx)
    const before = await snapshot(m.w)
    await op.run(withIt.session, fx)
    assert.notDeepEqual(await op.observe(fx), seen, `${label}: nothing happened`)
    const after = await snapshot(m.w)
    assert.ok(after.entries > before.entries, `${label}: not in the ledger`)
    const last = (await m.w.inv.ledger(m.t, { after: after.entries - 1 }))[0]
    assert.equal(last.actor, withIt.user.id, `${label}: the ledger names the manager`)
  }
  assert.equal((await m.w.inv.audit(m.t)).isClean, true)
})

storeTest('an initial password needs manage_license_user_credentials as well', async (inv) => {
  const { w, o, fresh } = await managed(inv)
  const lena = await fresh.manager('Lena', ['manage_license_users'])
  const err = await rejection(
    lena.session.addLicenseUser(o.id, { email: 'pw@elerome.example', password: 'long enough' }),
    'PERMISSION_DENIED',
  )
  assert.equal(err.action, 'manage_license_user_credentials')
  assert.equal((await w.eli.licenseUsers(o.id)).some((u) => u.email === 'pw@elerome.example'), false)
  const both = await fresh.manager('Bo', ['manage_license_users', 'manage_license_user_credentials'])
  const u = await both.session.addLicenseUser(o.id, { email: 'pw@elerome.example', password: 'long enough' })
  assert.equal(u.hasPassword, true)
})

storeTest('holder-admin actions are refused to a manager holding all nine permissions', async (inv) => {
  const { w, t, o, fresh } = await managed(inv)
  const all = await fresh.manager('All Nine', ALL)
  const [l] = await w.eli.licenses(o.id, { limit: 1 })
  const before = await snapshot(w)
  const refused = [
    ['disable', (s) => s.disable(l.id)],
    ['enable', (s) => s.enable(l.id)],
    ['revoke', (s) => s.revoke(l.id)],
    ['edit_metadata', (s) => s.editMetadata(o.id, { reference: 'X' })],
    ['edit_customer', (s) => s.setCustomer(o.id, null)],
    ['return_units', (s) => s.returnUnits(o.id, 1)],
    ['delete_order', (s) => s.deleteOrder(o.id)],
    ['view', (s) => s.list(w.orgs.elerome.id)],
    ['view', (s) => s.summary(w.orgs.elerome.id)],
  ]
  for (const [action, call] of refused) {
    const err = await rejection(call(all.session), 'PERMISSION_DENIED')
    assert.equal(err.action, action)
    assert.equal(err.actor, all.user.id)
  }
  assert.deepEqual(await snapshot(w), before)
  // It reads its own order: details, licenses, users, managers.
  assert.equal((await all.session.order(o.id)).order.id, o.id)
  assert.equal((await all.session.licenses(o.id, { limit: 5 })).length, 5)
  assert.deepEqual(await all.session.licenseUsers(o.id), await w.eli.licenseUsers(o.id))
  const managers = await all.session.licenseManagers(o.id)
  assert.deepEqual(managers.find((m) => m.user === all.user.id).permissions, ALL)
  // …and not another order of its center.
  const other = await w.eli.request({ holder: w.orgs.elerome.id, product: w.products.uac.id, quantity: 1 })
  const err = await rejection(all.session.order(other.id), 'PERMISSION_DENIED')
  assert.equal(err.action, 'view')
  assert.equal((await w.inv.tenant(t)).plan, 'enterprise')
})

storeTest('plan rule: create_order and issue_license need the enterprise plan (PLAN_REQUIRED)', async (inv) => {
  const w = await world({ inv })
  assert.equal(w.tenant.plan, 'standard')
  const o = await centerOrder(w, w.products.cl, 3)
  const manny = await w.inv.createUser(w.tenant.id, { name: 'Manny Manager', email: 'manny@elerome.example' })
  const before = await snapshot(w)
  for (const permission of ['create_order', 'issue_license']) {
    const err = await rejection(w.eli.addLicenseManager(o.id, manny.id, [permission]), 'PLAN_REQUIRED')
    assert.equal(err.permission, permission)
    assert.match(err.message, new RegExp(`the ${permission} permission needs the enterprise plan`))
    // All or nothing: with an allowed permission beside it, nothing is granted either.
    await rejection(w.eli.addLicenseManager(o.id, manny.id, ['reset_device', permission]), 'PLAN_REQUIRED')
  }
  assert.deepEqual(await snapshot(w), before)
  assert.deepEqual(await w.eli.licenseManagers(o.id), [])
  // The seven others are granted on any plan.
  const granted = await w.eli.addLicenseManager(o.id, manny.id, ALL.filter((p) => p !== 'create_order' && p !== 'issue_license'))
  assert.equal(granted.permissions.length, 7)
})

storeTest('no escalation: a manager with manage_managers grants only what it holds', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const o = await centerOrder(w, w.products.cl, 3)
  const user = (name, email) => w.inv.createUser(t, { name, email })
  const manny = await user('Manny Manager', 'manny@elerome.example')
  const otto = await user('Otto Other', 'otto@elerome.example')

  const granted = await w.eli.addLicenseManager(o.id, manny.id, ['reset_device', 'manage_managers'])
  assert.deepEqual({ ...granted }, { tenant: t, order: o.id, user: manny.id, permissions: ['manage_managers', 'reset_device'] })
  const ms = await w.inv.session(t, manny.id)

  const before = await snapshot(w)
  let err = await rejection(ms.addLicenseManager(o.id, otto.id, ['reset_license']), 'PERMISSION_DENIED')
  assert.equal(err.action, 'manage_managers')
  assert.equal(err.actor, manny.id)
  assert.match(err.reason, /cannot grant the reset_license permission/)
  err = await rejection(ms.addLicenseManager(o.id, otto.id, ['reset_device', 'borrow_license']), 'PERMISSION_DENIED')
  assert.match(err.reason, /borrow_license/)
  // Not even to itself.
  await rejection(ms.addLicenseManager(o.id, manny.id, ['issue_license']), 'PLAN_REQUIRED')
  await rejection(ms.addLicenseManager(o.id, manny.id, ['reset_license']), 'PERMISSION_DENIED')
  assert.deepEqual(await snapshot(w), before)

  const given = await ms.addLicenseManager(o.id, otto.id, ['reset_device'])
  assert.deepEqual(given.permissions, ['reset_device'])
  // Otto, without manage_managers, grants nothing, not even what he holds.
  const os = await w.inv.session(t, otto.id)
  err = await rejection(os.addLicenseManager(o.id, manny.id, ['reset_device']), 'PERMISSION_DENIED')
  assert.equal(err.action, 'manage_managers')
  // A grant adds to what a manager holds.
  const more = await w.eli.addLicenseManager(o.id, otto.id, ['reset_license'])
  assert.deepEqual(more.permissions, ['reset_device', 'reset_license'])

  const managers = await w.eli.licenseManagers(o.id)
  assert.deepEqual(managers.map((m) => [m.user, m.permissions]).sort(), [
    [manny.id, ['manage_managers', 'reset_device']],
    [otto.id, ['reset_device', 'reset_license']],
  ].sort())
  err = await rejection(w.eli.addLicenseManager(o.id, otto.id, []), 'INVALID_INPUT')
  assert.equal(err.field, 'permissions')
  err = await rejection(w.eli.addLicenseManager(o.id, '01890a5d-ac96-774b-bcce-b302099a8057', ['reset_device']), 'NOT_FOUND')
  assert.equal(err.entity, 'user')
  err = await rejection(w.eli.addLicenseManager(o.id, otto.id, ['fly']), 'INVALID_INPUT')
  assert.equal(err.field, 'permissions')
  const added = (await w.inv.ledger(t, { limit: 1000 })).filter((e) => e.kind === 'manager_added')
  assert.deepEqual(added.map((e) => e.actor), [w.users.eli.id, manny.id, w.users.eli.id])
})

storeTest('license users: add, edit, assign, delete; passwords only as hashes', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const o = await centerOrder(w, w.products.cl, 2)
  const [l] = await w.eli.issue(o.id, 1)

  const stu = await w.eli.addLicenseUser(o.id, { email: ' Student@Elerome.Example ', name: 'Stu Dent', password: 'correct horse battery' })
  assert.deepEqual({ ...stu, id: undefined }, {
    id: undefined, tenant: t, order: o.id, email: 'student@elerome.example', name: 'Stu Dent', hasPassword: true,
  })
  assert.ok(!JSON.stringify(stu).includes('correct horse'), 'the password never comes back')
  assert.equal(await w.inv.verifyLicenseUserPassword(t, stu.id, 'correct horse battery'), true)
  assert.equal(await w.inv.verifyLicenseUserPassword(t, stu.id, 'Correct horse battery'), false)
  assert.equal(await w.inv.verifyLicenseUserPassword(t, stu.id, ''), false)

  await w.eli.setLicenseUserPassword(stu.id, 'a new password')
  assert.equal(await w.inv.verifyLicenseUserPassword(t, stu.id, 'correct horse battery'), false)
  assert.equal(await w.inv.verifyLicenseUserPassword(t, stu.id, 'a new password'), true)
  let err = await rejection(w.eli.setLicenseUserPassword(stu.id, 'short'), 'INVALID_INPUT')
  assert.equal(err.field, 'password')
  assert.equal(await w.inv.verifyLicenseUserPassword(t, stu.id, 'a new password'), true, 'a refused password changes nothing')

  const ann = await w.eli.addLicenseUser(o.id, { email: 'ann@elerome.example' })
  assert.deepEqual([ann.name, ann.hasPassword], [null, false])
  assert.equal(await w.inv.verifyLicenseUserPassword(t, ann.id, 'anything at all'), false)
  err = await rejection(w.eli.addLicenseUser(o.id, { email: 'ANN@elerome.example' }), 'CONFLICT')
  assert.match(err.what, /ann@elerome.example/)
  err = await rejection(w.eli.addLicenseUser(o.id, { email: 'not-an-email' }), 'INVALID_INPUT')
  assert.equal(err.field, 'email')
  err = await rejection(w.inv.verifyLicenseUserPassword(t, o.id, 'x'), 'NOT_FOUND')
  assert.equal(err.entity, 'license user')

  const renamed = await w.eli.editLicenseUser(ann.id, { name: 'Ann Example' })
  assert.deepEqual([renamed.email, renamed.name], ['ann@elerome.example', 'Ann Example'])
  assert.equal((await w.eli.editLicenseUser(ann.id, { name: '' })).name, null)
  assert.equal((await w.eli.editLicenseUser(ann.id, { email: 'anne@elerome.example' })).email, 'anne@elerome.example')

  assert.equal((await w.eli.assignLicense(l.id, stu.id)).licenseUser, stu.id)
  assert.equal((await w.eli.assignLicense(l.id, null)).licenseUser, null)
  await w.eli.assignLicense(l.id, stu.id)
  // A license user of another order cannot hold it.
  const o2 = await centerOrder(w, w.products.uac, 1)
  const elsewhere = await w.eli.addLicenseUser(o2.id, { email: 'x@elerome.example' })
  err = await rejection(w.eli.assignLicense(l.id, elsewhere.id), 'INVALID_INPUT')
  assert.equal(err.field, 'license user')

  await w.eli.deleteLicenseUser(stu.id)
  assert.equal((await w.eli.license(l.key)).licenseUser, null, 'the license stays, unassigned')
  assert.deepEqual((await w.eli.licenseUsers(o.id)).map((u) => u.email), ['anne@elerome.example'])
  await rejection(w.eli.deleteLicenseUser(stu.id), 'NOT_FOUND')
  err = await rejection(w.olga.licenseUsers(o.id), 'PERMISSION_DENIED')
  assert.equal(err.action, 'view')
  const kinds = (await w.inv.ledger(t, { limit: 1000 })).map((e) => e.kind)
  for (const k of ['license_user_added', 'license_user_edited', 'license_user_password_set', 'license_assigned', 'license_user_deleted']) {
    assert.ok(kinds.includes(k), k)
  }
})
