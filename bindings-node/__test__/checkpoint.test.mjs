// Checkpoints: the ledger head signed with an Ed25519 key the host keeps, and audits against them.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { generateSigningKey, verifyingKey } from '../index.js'
import { rejection, stock, storeTest, wholeLedger, world } from './helpers.mjs'

test('keys are 64 hex digits, and a bad one throws INVALID_INPUT', () => {
  const secret = generateSigningKey()
  const pub = verifyingKey(secret)
  assert.match(secret, /^[0-9a-f]{64}$/)
  assert.match(pub, /^[0-9a-f]{64}$/)
  assert.notEqual(secret, pub)
  assert.equal(verifyingKey(secret), pub)
  assert.throws(() => verifyingKey('nope'), (err) => err.code === 'INVALID_INPUT')
})

storeTest('checkpoint signs the head; auditAgainst proves the ledger extends it', async (inv) => {
  const w = await world({ inv })
  await stock(w, w.orgs.ellen, w.products.cl, 5)
  const secret = generateSigningKey()
  const pub = verifyingKey(secret)
  const cp = await inv.checkpoint(w.tenant.id, secret)
  const entries = await wholeLedger(w)
  const head = entries[entries.length - 1]
  assert.equal(cp.tenant, w.tenant.id)
  assert.equal(cp.seq, head.seq)
  assert.equal(cp.hash, head.hash)
  assert.ok(cp.at instanceof Date)
  assert.match(cp.signature, /^[0-9a-f]{128}$/)
  assert.ok(Object.keys(head.state).length > 0, 'every entry records the digest of the rows after it')
  await stock(w, w.orgs.ellen, w.products.cl, 1)
  assert.equal((await inv.auditAgainst(w.tenant.id, [cp], pub)).isClean, true)
  const forged = { ...cp, hash: '0'.repeat(64) }
  const audit = await inv.auditAgainst(w.tenant.id, [forged], pub)
  assert.equal(audit.isClean, false)
  assert.ok(audit.problems.some((p) => p.includes('signature does not verify')), audit.problems.join('\n'))
  const other = verifyingKey(generateSigningKey())
  assert.equal((await inv.auditAgainst(w.tenant.id, [cp], other)).isClean, false)
  await rejection(inv.checkpoint(w.tenant.id, 'zz'), 'INVALID_INPUT')
  await rejection(inv.auditAgainst(w.tenant.id, [cp], 'zz'), 'INVALID_INPUT')
})
