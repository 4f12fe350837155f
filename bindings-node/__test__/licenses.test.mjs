// Licenses and activation codes: issue, activate, deactivate, reset, disable/enable, revoke,
// expiry, redeem, floating borrows; their error codes and figures (MISTYPED_KEY,
// ACTIVATION_LIMIT, LICENSE_UNUSABLE, BORROW_LIMIT).
import assert from 'node:assert/strict'

import { KEY, centerOrder, mistype, redacted, rejection, snapshot, storeTest, world } from './helpers.mjs'

const T0 = new Date('2017-10-20T09:00:00Z')
const DAY = 24 * 60 * 60 * 1000

storeTest('issueInBulk: the order and the id range, read back by pages', async (inv) => {
  const w = await world({ inv })
  const o = await centerOrder(w, w.products.cl, 2503)
  const issued = await w.eli.issueInBulk(o.id, 2500)
  assert.deepEqual([issued.count, issued.order.issued, issued.order.available], [2500, 2500, 3])
  assert.ok(issued.first < issued.last)
  const keys = new Set()
  let after
  for (;;) {
    const page = await w.eli.licenses(o.id, { after, limit: 1000 })
    if (page.length === 0) break
    for (const l of page) keys.add(l.key)
    after = page.at(-1).id
  }
  assert.equal(keys.size, 2500)
  assert.equal((await w.eli.licenses(o.id, { limit: 1 }))[0].id, issued.first)
  await rejection(w.eli.issueInBulk(o.id, 4), 'INSUFFICIENT_INVENTORY')
  const err = await rejection(w.eli.issueInBulk(o.id, 0), 'INVALID_INPUT')
  assert.equal(err.field, 'quantity')
  assert.ok((await w.inv.audit(w.tenant.id)).isClean)
})

storeTest('issue: keys, fields and the order\'s figures; only what the order holds', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  w.inv.setTime(T0)
  const policy = { validity: { kind: 'days_from_activation', days: 30 }, maxActivations: 2, floating: null, trial: false }
  const product = await w.inv.setProductPolicy(t, w.products.cl.id, policy)
  assert.deepEqual(product.policy, policy)
  const o = await centerOrder(w, w.products.cl, 5)

  let err = await rejection(w.eli.issue(o.id, 6), 'INSUFFICIENT_INVENTORY')
  assert.deepEqual([err.available, err.requested], [5, 6])
  err = await rejection(w.eli.issue(o.id, 0), 'INVALID_INPUT')
  assert.equal(err.field, 'quantity')
  const pending = await w.eli.request({ holder: w.orgs.elerome.id, product: w.products.cl.id, quantity: 1 })
  err = await rejection(w.eli.issue(pending.id, 1), 'INVALID_STATE')
  assert.deepEqual([err.orderNumber, err.status, err.action], [pending.number, 'requested', 'issue_license'])
  err = await rejection(w.olga.issue(o.id, 1), 'PERMISSION_DENIED')
  assert.deepEqual([err.action, err.actor], ['issue_license', w.users.olga.id])

  const ls = await w.eli.issue(o.id, 3)
  assert.equal(ls.length, 3)
  assert.equal(new Set(ls.map((l) => l.key)).size, 3)
  for (const l of ls) {
    assert.match(l.key, KEY)
    assert.deepEqual(
      { ...l, id: undefined, key: undefined, policy: { ...l.policy } },
      {
        id: undefined, key: undefined, tenant: t, order: o.id, product: w.products.cl.id, isCode: false,
        status: 'issued', licenseUser: null, activations: [], borrows: [], policy, trial: false,
        issuedAt: T0, activatedAt: null, expiresAt: null, imported: false, isUnused: true,
      },
    )
  }
  const after = (await w.eli.order(o.id)).order
  assert.deepEqual([after.issued, after.available, after.status], [3, 2, 'active'])

  // Listed by id, one page at a time; read by key (in any case, with or without dashes).
  const page1 = await w.eli.licenses(o.id, { limit: 2 })
  const page2 = await w.eli.licenses(o.id, { after: page1.at(-1).id, limit: 2 })
  assert.deepEqual([page1.length, page2.length], [2, 1])
  assert.deepEqual(new Set([...page1, ...page2].map((l) => l.key)), new Set(ls.map((l) => l.key)))
  assert.deepEqual(await w.eli.license(ls[0].key.toLowerCase().replaceAll('-', '')), ls[0])
  assert.deepEqual(await w.irina.license(ls[0].key), ls[0], 'an ancestor\'s admin may read it')
  err = await rejection(w.olga.license(ls[0].key), 'PERMISSION_DENIED')
  assert.equal(err.action, 'view')
  err = await rejection(w.olga.licenses(o.id), 'PERMISSION_DENIED')
  assert.equal(err.action, 'view')

  const ledger = await w.inv.ledger(t, { limit: 1000 })
  const issued = ledger.filter((e) => e.kind === 'licenses_issued')
  assert.equal(issued.length, 1)
  assert.deepEqual(issued[0].movements.map((m) => [m.order, m.issued, m.available]), [[o.id, 3, -3]])
  assert.equal((await w.inv.audit(t)).isClean, true)
})

storeTest('a mistyped key is MISTYPED_KEY before any lookup; an unknown one NOT_FOUND', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const o = await centerOrder(w, w.products.cl, 1)
  const [l] = await w.eli.issue(o.id, 1)
  const typo = mistype(l.key)
  let err = await rejection(w.inv.activate(t, typo, 'pc-1', 'PC 1'), 'MISTYPED_KEY')
  assert.equal(err.key, redacted(typo), 'errors show a prefix of a key, never the key')
  assert.match(err.reason, /check symbol/)
  assert.match(err.message, /mistyped license key/)
  assert.ok(!err.message.includes(typo.slice(6)), err.message)
  err = await rejection(w.inv.checkLicense(t, 'ABC!'), 'MISTYPED_KEY')
  assert.deepEqual([err.key, err.reason], ['ABC!', "'!' is not a key symbol"])
  err = await rejection(w.inv.redeem(t, l.key.slice(0, 23), 'me'), 'MISTYPED_KEY')
  assert.equal(err.reason, 'a key has 25 symbols, this has 20')
  await rejection(w.inv.deactivate(t, typo, 'pc-1'), 'MISTYPED_KEY')
  await rejection(w.eli.license(typo), 'MISTYPED_KEY')

  // A well-formed key of another tenant is simply not there.
  const other = await world({ inv })
  const [foreign] = await other.eli.issue((await centerOrder(other, other.products.cl, 1)).id, 1)
  err = await rejection(w.inv.checkLicense(t, foreign.key), 'NOT_FOUND')
  assert.deepEqual([err.entity, err.id], ['license', redacted(foreign.key)])
  assert.ok(!err.message.includes(foreign.key), err.message)
  assert.equal((await w.eli.license(l.key)).activations.length, 0, 'nothing was activated')
})

storeTest('activate up to the policy\'s maximum, deactivate, reset a device, reset the license', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  w.inv.setTime(T0)
  await w.inv.setProductPolicy(t, w.products.cl.id, {
    validity: { kind: 'days_from_activation', days: 30 }, maxActivations: 2, floating: null, trial: false,
  })
  const o = await centerOrder(w, w.products.cl, 2)
  const [l] = await w.eli.issue(o.id, 1)
  const key = l.key

  assert.equal(l.isUnused, true)
  const a = await w.inv.activate(t, key, 'pc-1', 'Front desk')
  assert.equal(a.status, 'active')
  assert.equal(a.isUnused, false, 'isUnused is the core License::is_unused: activated, so used')
  assert.deepEqual(a.activations, [{ fingerprint: 'pc-1', name: 'Front desk', at: T0 }])
  assert.deepEqual(a.activatedAt, T0)
  assert.deepEqual(a.expiresAt, new Date(T0.getTime() + 30 * DAY))
  await w.inv.activate(t, key.toLowerCase(), 'pc-2', 'Lab')
  const again = await w.inv.activate(t, key, 'pc-1', 'Front desk')
  assert.deepEqual(again.activations.map((d) => d.fingerprint), ['pc-1', 'pc-2'], 'a known device changes nothing')

  const before = await snapshot(w)
  const err = await rejection(w.inv.activate(t, key, 'pc-3', 'Spare'), 'ACTIVATION_LIMIT')
  assert.equal(err.max, 2)
  assert.match(err.message, /already activated on 2 devices/)
  assert.deepEqual(await snapshot(w), before, 'a refused activation changes nothing')

  const d = await w.inv.deactivate(t, key, 'pc-2')
  assert.deepEqual(d.activations.map((x) => x.fingerprint), ['pc-1'])
  const unknown = await rejection(w.inv.deactivate(t, key, 'pc-2'), 'INVALID_INPUT')
  assert.equal(unknown.field, 'fingerprint')
  await w.inv.activate(t, key, 'pc-3', 'Spare')
  const reset = await w.eli.resetDevice(l.id, 'pc-1')
  assert.deepEqual(reset.activations.map((x) => x.fingerprint), ['pc-3'])
  const cleared = await w.eli.resetLicense(l.id)
  assert.deepEqual(cleared.activations, [])
  assert.equal(cleared.status, 'active', 'once activated, a license stays active')
  assert.deepEqual(cleared.activatedAt, T0, 'the validity runs from the first activation')

  const kinds = (await w.inv.ledger(t, { limit: 1000 })).map((e) => e.kind)
  for (const k of ['license_activated', 'license_deactivated', 'device_reset', 'license_reset']) assert.ok(kinds.includes(k), k)
  const activated = (await w.inv.ledger(t, { limit: 1000 })).filter((e) => e.kind === 'license_activated')
  assert.ok(activated.every((e) => e.actor === null), 'end users act with the key alone')

  // Another branch cannot touch it.
  let denied = await rejection(w.olga.resetLicense(l.id), 'PERMISSION_DENIED')
  assert.equal(denied.action, 'reset_license')
  denied = await rejection(w.olga.resetDevice(l.id, 'pc-3'), 'PERMISSION_DENIED')
  assert.equal(denied.action, 'reset_device')
})

storeTest('disable and enable; checkLicense refuses a disabled or expired license', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  w.inv.setTime(T0)
  await w.inv.setProductPolicy(t, w.products.cl.id, {
    validity: { kind: 'days_from_activation', days: 30 }, maxActivations: 1, floating: null, trial: false,
  })
  const o = await centerOrder(w, w.products.cl, 2)
  const [l, unused] = await w.eli.issue(o.id, 2)
  await w.inv.activate(t, l.key, 'pc', 'PC')
  assert.equal((await w.inv.checkLicense(t, l.key)).id, l.id)

  const off = await w.eli.disable(l.id)
  assert.equal(off.status, 'disabled')
  let err = await rejection(w.inv.checkLicense(t, l.key), 'LICENSE_UNUSABLE')
  assert.deepEqual([err.key, err.reason], [redacted(l.key), 'it is disabled'])
  err = await rejection(w.inv.activate(t, l.key, 'pc', 'PC'), 'LICENSE_UNUSABLE')
  assert.equal(err.key, redacted(l.key))
  err = await rejection(w.olga.enable(l.id), 'PERMISSION_DENIED')
  assert.equal(err.action, 'enable')
  assert.equal((await w.eli.enable(l.id)).status, 'active')
  assert.equal((await w.eli.disable(unused.id)).status, 'disabled')
  assert.equal((await w.eli.enable(unused.id)).status, 'issued', 'never activated: back to issued')

  // 30 days after the first activation it expires; an unused license has no expiry yet.
  w.inv.setTime(new Date(T0.getTime() + 30 * DAY - 1000))
  assert.equal((await w.inv.checkLicense(t, l.key)).id, l.id)
  w.inv.setTime(new Date(T0.getTime() + 31 * DAY))
  err = await rejection(w.inv.checkLicense(t, l.key), 'LICENSE_UNUSABLE')
  assert.match(err.reason, /^it expired at /)
  assert.equal((await w.inv.checkLicense(t, unused.key)).expiresAt, null)

  // Days from issue: the expiry is known at issue.
  await w.inv.setProductPolicy(t, w.products.cl.id, {
    validity: { kind: 'days_from_issue', days: 7 }, maxActivations: 3, floating: null, trial: true,
  })
  const now = new Date(T0.getTime() + 31 * DAY)
  const o2 = await centerOrder(w, w.products.cl, 1)
  const [weekly] = await w.eli.issue(o2.id, 1)
  assert.deepEqual(weekly.expiresAt, new Date(now.getTime() + 7 * DAY))
  assert.equal(weekly.trial, true)
  assert.deepEqual({ ...weekly.policy.validity }, { kind: 'days_from_issue', days: 7 })
  assert.equal(weekly.policy.maxActivations, 3)
  assert.equal((await w.eli.license(l.key)).policy.maxActivations, 1, 'issued licenses keep their policy')
})

storeTest('revoke: an unused license is gone and its unit returns to its order', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const o = await centerOrder(w, w.products.cl, 3)
  const ls = await w.eli.issue(o.id, 3)
  assert.equal((await w.eli.order(o.id)).order.status, 'depleted')
  await w.inv.activate(t, ls[0].key, 'pc', 'PC')

  const before = await snapshot(w)
  let err = await rejection(w.eli.revoke(ls[0].id), 'LICENSE_UNUSABLE')
  assert.equal(err.key, redacted(ls[0].key))
  assert.match(err.reason, /only an unused license can be revoked/)
  err = await rejection(w.olga.revoke(ls[1].id), 'PERMISSION_DENIED')
  assert.equal(err.action, 'revoke')
  assert.deepEqual(await snapshot(w), before)

  const back = await w.eli.revoke(ls[1].id)
  assert.equal(back.id, o.id)
  assert.deepEqual([back.status, back.issued, back.available], ['active', 2, 1])
  err = await rejection(w.eli.revoke(ls[1].id), 'NOT_FOUND')
  assert.deepEqual([err.entity, err.id], ['license', ls[1].id])
  await rejection(w.inv.checkLicense(t, ls[1].key), 'NOT_FOUND')
  assert.deepEqual((await w.eli.licenses(o.id)).map((l) => l.id).sort(), [ls[0].id, ls[2].id].sort())

  const entry = (await w.inv.ledger(t, { limit: 1000 })).at(-1)
  assert.equal(entry.kind, 'license_revoked')
  assert.deepEqual(entry.movements.map((m) => [m.order, m.issued, m.available]), [[o.id, -1, 1]])
  // The unit can be issued again, under a new key.
  const [reissued] = await w.eli.issue(o.id, 1)
  assert.notEqual(reissued.key, ls[1].key)
  assert.equal((await w.inv.audit(t)).isClean, true)
})

storeTest('an activation code is redeemed once, never activated', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  w.inv.setTime(T0)
  const o = await centerOrder(w, w.products.uac, 2)
  const codes = await w.eli.issue(o.id, 2)
  assert.ok(codes.every((c) => c.isCode && c.status === 'issued' && KEY.test(c.key)))
  const code = codes[0].key

  let err = await rejection(w.inv.activate(t, code, 'pc', 'PC'), 'LICENSE_UNUSABLE')
  assert.match(err.reason, /redeemed, not activated/)
  const r = await w.inv.redeem(t, code, 'student@elerome.example')
  assert.equal(r.status, 'active')
  assert.deepEqual(r.activatedAt, T0)
  assert.deepEqual(r.activations, [{ fingerprint: 'student@elerome.example', name: 'student@elerome.example', at: T0 }])

  const before = await snapshot(w)
  err = await rejection(w.inv.redeem(t, code, 'someone@else.example'), 'LICENSE_UNUSABLE')
  assert.deepEqual([err.key, err.reason], [redacted(code), 'the code was already redeemed'])
  assert.deepEqual(await snapshot(w), before, 'a second redemption changes nothing')
  assert.equal((await w.eli.license(code)).activations.length, 1)
  await rejection(w.eli.revoke(codes[0].id), 'LICENSE_UNUSABLE')

  // A license is activated, not redeemed.
  const [lic] = await w.eli.issue((await centerOrder(w, w.products.cl, 1)).id, 1)
  err = await rejection(w.inv.redeem(t, lic.key, 'me'), 'LICENSE_UNUSABLE')
  assert.match(err.reason, /activated, not redeemed/)
  assert.equal((await w.inv.redeem(t, codes[1].key, 'other@elerome.example')).status, 'active')
  const kinds = (await w.inv.ledger(t, { limit: 1000 })).filter((e) => e.kind === 'code_redeemed')
  assert.equal(kinds.length, 2)
})

storeTest('floating licenses: bounded concurrent borrows of bounded duration', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  w.inv.setTime(T0)
  const bad = await rejection(
    w.inv.createProduct(t, { code: 'FS0', name: 'Seat', kind: 'license', policy: { validity: { kind: 'perpetual' }, maxActivations: 0, floating: null, trial: false } }),
    'INVALID_INPUT',
  )
  assert.equal(bad.field, 'max activations')
  await rejection(w.inv.productByCode(t, 'FS0'), 'NOT_FOUND')

  const policy = { validity: { kind: 'perpetual' }, maxActivations: 1, floating: { maxBorrows: 2, maxBorrowSeconds: 3600 }, trial: false }
  const seat = await w.inv.createProduct(t, { code: 'FS', name: 'Floating Seat', kind: 'license', policy })
  assert.deepEqual((await w.inv.product(t, seat.id)).policy, policy)
  const o = await centerOrder(w, seat, 1)
  const [l] = await w.eli.issue(o.id, 1)

  const one = await w.eli.borrow(l.id, 'desk-1', 600)
  assert.deepEqual(one.borrows, [{ borrower: 'desk-1', at: T0, until: new Date(T0.getTime() + 600_000) }])
  assert.equal((await w.eli.borrow(l.id, 'desk-2', 3600)).borrows.length, 2)

  const before = await snapshot(w)
  let err = await rejection(w.eli.borrow(l.id, 'desk-3', 60), 'BORROW_LIMIT')
  assert.equal(err.reason, '2 borrows are open, the most allowed')
  err = await rejection(w.eli.borrow(l.id, 'desk-1', 3601), 'BORROW_LIMIT')
  assert.equal(err.reason, '3601 s asked, at most 3600 s allowed')
  err = await rejection(w.eli.borrow(l.id, 'desk-1', 0), 'INVALID_INPUT')
  assert.equal(err.field, 'seconds')
  assert.deepEqual(await snapshot(w), before, 'refused borrows change nothing')

  const returned = await w.eli.returnBorrow(l.id, 'desk-1')
  assert.deepEqual(returned.borrows.map((b) => b.borrower), ['desk-2'])
  err = await rejection(w.eli.returnBorrow(l.id, 'desk-1'), 'INVALID_INPUT')
  assert.equal(err.field, 'borrower')
  err = await rejection(w.olga.borrow(l.id, 'desk-9', 60), 'PERMISSION_DENIED')
  assert.equal(err.action, 'borrow_license')

  // Borrows end by themselves: after an hour and a minute desk-2's has lapsed.
  w.inv.setTime(new Date(T0.getTime() + 61 * 60_000))
  assert.deepEqual((await w.eli.borrow(l.id, 'desk-3', 60)).borrows.map((b) => b.borrower), ['desk-3'])

  // A license that is not floating cannot be borrowed.
  const [plain] = await w.eli.issue((await centerOrder(w, w.products.cl, 1)).id, 1)
  err = await rejection(w.eli.borrow(plain.id, 'desk', 10), 'LICENSE_UNUSABLE')
  assert.equal(err.reason, 'it is not a floating license')
  assert.equal((await w.inv.audit(t)).isClean, true)
})
