// Panic safety at the boundary: an input that used to panic in a dependency (SQLite's busy
// timeout of 2^31 ms or more) now rejects with INVALID_INPUT, never INTERNAL_PANIC; the
// synchronous methods convert errors (and would convert a panic) like the Promise ones.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'

import { Inventory, rejection, tempDir, world } from './helpers.mjs'

test('a busy timeout beyond SQLite\'s limit rejects with INVALID_INPUT, not INTERNAL_PANIC', async () => {
  const dir = tempDir()
  for (const busyTimeoutMs of [2 ** 31, 2 ** 40]) {
    const err = await rejection(Inventory.openSqlite(join(dir, 'x.db'), { busyTimeoutMs }), 'INVALID_INPUT')
    assert.equal(err.field, 'busy_timeout')
  }
  const inv = await Inventory.openSqlite(join(dir, 'y.db'), { busyTimeoutMs: 2 ** 31 - 1 })
  assert.ok((await inv.createTenant({ name: 'T', plan: 'standard', vendorName: 'V' })).id)
})

test('group commit: 1 turns it off; 0 or more than the maximum rejects with INVALID_INPUT', async () => {
  const dir = tempDir()
  const alone = await Inventory.openSqlite(join(dir, 'alone.db'), { groupCommit: 1 })
  assert.ok((await alone.createTenant({ name: 'T', plan: 'standard', vendorName: 'V' })).id)
  // The same field name whether the binding (not a whole number) or the core (out of range)
  // refuses the value: the core's, as in Python.
  for (const groupCommit of [0, 1025, -1, 1.5]) {
    const err = await rejection(Inventory.openSqlite(join(dir, 'bad.db'), { groupCommit }), 'INVALID_INPUT')
    assert.equal(err.field, 'group_commit')
  }
  const err = await rejection(Inventory.openSqlite(join(dir, 'bad.db'), { busyTimeoutMs: -1 }), 'INVALID_INPUT')
  assert.equal(err.field, 'busy_timeout')
})

test('synchronous methods throw the coded error of the core', async () => {
  const w = await world()
  assert.throws(() => w.inv.withIdempotencyKey(''), (err) => err instanceof Error && err.code === 'INVALID_INPUT')
  assert.throws(() => w.irina.withIdempotencyKey('\u0000'), (err) => err instanceof Error && err.code === 'INVALID_INPUT')
})
