// Opening stores, the clock, and provisioning: tenants, organizations, users, products.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, openSync, readSync, closeSync } from 'node:fs'
import { join } from 'node:path'

import { Inventory, needsPostgres, postgresUrl, rejection, storeTest, tempDir, world } from './helpers.mjs'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/

storeTest('tenant, orgs, users and products round-trip as plain objects', async (inv) => {
  const at = new Date('2017-10-20T01:45:00Z')
  inv.setTime(at)
  const t = await inv.createTenant({ name: 'Jasperactive', plan: 'enterprise', vendorName: 'Jasperactive HQ', firstOrderNumber: 1210 })
  assert.match(t.id, UUID)
  assert.deepEqual({ ...t, id: undefined, vendor: undefined }, {
    id: undefined, vendor: undefined, name: 'Jasperactive', plan: 'enterprise', minted: 0, retired: 0, nextOrderNumber: 1210, createdAt: at,
  })
  assert.ok(t.createdAt instanceof Date)
  assert.deepEqual(await inv.tenant(t.id), t)

  const vendor = await inv.org(t.id, t.vendor)
  assert.equal(vendor.name, 'Jasperactive HQ')
  assert.equal(vendor.tier, 'vendor')
  assert.equal(vendor.parent, null)
  assert.equal(vendor.active, true)

  const ellen = await inv.createOrg(t.id, { name: 'Ellen Emporium', tier: 'distributor', parent: t.vendor })
  assert.equal(ellen.parent, t.vendor)
  assert.equal(ellen.tenant, t.id)
  assert.deepEqual(await inv.org(t.id, ellen.id), ellen)

  const irina = await inv.createUser(t.id, { name: 'Irina Heer', email: ' Irina.Heer@Ellen.Example ' })
  assert.equal(irina.email, 'irina.heer@ellen.example')
  assert.deepEqual(await inv.user(t.id, irina.id), irina)
  assert.equal(await inv.grantAdmin(t.id, irina.id, ellen.id), undefined)

  const cl = await inv.createProduct(t.id, { code: 'CL', name: 'Center License', kind: 'license' })
  assert.equal(cl.kind, 'license')
  assert.deepEqual(await inv.product(t.id, cl.id), cl)
  assert.deepEqual(await inv.productByCode(t.id, 'CL'), cl)

  const s = await inv.session(t.id, irina.id)
  assert.equal(s.user, irina.id)
  assert.equal(s.tenant, t.id)
})

storeTest('setTime pins the clock, null lets it follow the system clock again', async (inv) => {
  inv.setTime(new Date('2001-02-03T04:05:06.789Z'))
  const a = await inv.createTenant({ name: 'A', plan: 'standard', vendorName: 'A' })
  assert.equal(a.createdAt.toISOString(), '2001-02-03T04:05:06.789Z')
  inv.setTime(null)
  const before = Date.now()
  const b = await inv.createTenant({ name: 'B', plan: 'standard', vendorName: 'B' })
  assert.ok(b.createdAt.getTime() >= before - 1000)
  inv.setTime(undefined)
})

storeTest('deactivateOrg keeps the org, marks it inactive, and it can no longer request', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const mga = await w.inv.deactivateOrg(t, w.orgs.mga.id)
  assert.equal(mga.active, false)
  assert.equal((await w.inv.org(t, w.orgs.mga.id)).active, false)
  await rejection(w.irina.request({ holder: mga.id, product: w.products.cl.id, quantity: 1 }), 'HIERARCHY_VIOLATION')
})

storeTest('tenants lists every tenant of the store, oldest first', async (inv) => {
  // The store may hold other tests' tenants (PostgreSQL is shared): look for our own.
  inv.setTime(new Date('2017-10-20T01:30:00Z'))
  const later = await inv.createTenant({ name: 'Created first, dated later', plan: 'standard', vendorName: 'V' })
  inv.setTime(new Date('2017-10-19T01:30:00Z'))
  const earlier = await inv.createTenant({ name: 'Created second, dated earlier', plan: 'enterprise', vendorName: 'V' })
  const everyone = await inv.tenants()
  assert.ok(Array.isArray(everyone))
  const ours = everyone.filter((t) => t.id === later.id || t.id === earlier.id)
  assert.deepEqual(ours, [earlier, later])
  const times = everyone.map((t) => t.createdAt.getTime())
  assert.deepEqual(times, [...times].sort((a, b) => a - b))
})

test('an SQLite store persists across reopenings', async () => {
  const path = join(tempDir(), 'inventory.sqlite')
  const inv = await Inventory.openSqlite(path)
  const w = await world({ inv })
  const order = await w.irina.request({ holder: w.orgs.ellen.id, product: w.products.cl.id, quantity: 4 })
  const again = await Inventory.openSqlite(path, { synchronous: 'normal', busyTimeoutMs: 5000, migrate: true })
  const s = await again.session(w.tenant.id, w.users.irina.id)
  const details = await s.orderByNumber(order.number)
  assert.equal(details.order.id, order.id)
  assert.equal(details.order.requestedQuantity, 4)
  assert.equal((await again.audit(w.tenant.id)).isClean, true)
})

/** The page size an SQLite file records in its header (bytes 16-17, big-endian; 1 = 65536). */
function headerPageSize(path) {
  const header = Buffer.alloc(100)
  const fd = openSync(path, 'r')
  try {
    assert.equal(readSync(fd, header, 0, 100, 0), 100)
  } finally {
    closeSync(fd)
  }
  assert.equal(header.subarray(0, 16).toString('latin1'), 'SQLite format 3\0')
  const size = header.readUInt16BE(16)
  return size === 1 ? 65536 : size
}

test('pageSize sets the page size of a new SQLite file; an existing one keeps its own', async () => {
  const dir = tempDir()
  // A new file gets the core's default, 2 KiB pages.
  const fresh = join(dir, 'default.sqlite')
  const inv = await Inventory.openSqlite(fresh)
  await inv.createTenant({ name: 'D', plan: 'standard', vendorName: 'D' })
  await inv.close()
  assert.equal(headerPageSize(fresh), 2048)
  // pageSize sets the page size of a file the call creates.
  const big = join(dir, 'big.sqlite')
  const first = await Inventory.openSqlite(big, { pageSize: 4096 })
  const t = await first.createTenant({ name: 'B', plan: 'standard', vendorName: 'B' })
  await first.close()
  assert.equal(headerPageSize(big), 4096)
  // An existing file keeps the size it was created with, whatever is asked or defaulted.
  for (const pageSize of [8192, 512, undefined]) {
    const again = await Inventory.openSqlite(big, { pageSize })
    assert.equal((await again.tenant(t.id)).name, 'B')
    await again.createTenant({ name: 'B2', plan: 'standard', vendorName: 'B2' })
    await again.close()
    assert.equal(headerPageSize(big), 4096)
  }
  // Not a power of two from 512 to 65536: INVALID_INPUT, before any file is created.
  for (const pageSize of [3000, 256, 0, 131072, -1, 2048.5, 2 ** 40]) {
    const path = join(dir, `bad-${pageSize}.sqlite`)
    const err = await rejection(Inventory.openSqlite(path, { pageSize }), 'INVALID_INPUT')
    assert.equal(err.field, 'page_size')
    assert.equal(existsSync(path), false)
  }
})

storeTest('provisioning errors carry a code and their figures', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const missing = '01890a5d-ac96-774b-bcce-b302099a8057'

  let err = await rejection(w.inv.tenant(missing), 'NOT_FOUND')
  assert.equal(err.entity, 'tenant')
  assert.equal(err.id, missing)
  err = await rejection(w.inv.org(t, missing), 'NOT_FOUND')
  assert.equal(err.entity, 'organization')
  await rejection(w.inv.user(t, missing), 'NOT_FOUND')
  await rejection(w.inv.product(t, missing), 'NOT_FOUND')
  await rejection(w.inv.productByCode(t, 'NOPE'), 'NOT_FOUND')
  await rejection(w.inv.session(t, missing), 'NOT_FOUND')

  err = await rejection(w.inv.org(t, 'not-a-uuid'), 'INVALID_INPUT')
  assert.equal(err.field, 'organization id')
  assert.match(err.reason, /not a UUID/)

  err = await rejection(w.inv.createUser(t, { name: 'Irina Again', email: 'irina.heer@ellen.example' }), 'CONFLICT')
  assert.equal(typeof err.what, 'string')
  await rejection(w.inv.createProduct(t, { code: 'CL', name: 'Dup', kind: 'license' }), 'CONFLICT')

  err = await rejection(w.inv.createUser(t, { name: 'Bad', email: 'not-an-email' }), 'INVALID_INPUT')
  assert.equal(err.field, 'email')
  await rejection(w.inv.createOrg(t, { name: '  ', tier: 'hub', parent: w.orgs.mga.id }), 'INVALID_INPUT')
  await rejection(w.inv.createTenant({ name: 'X', plan: 'standard', vendorName: 'X', firstOrderNumber: 1.5 }), 'INVALID_INPUT')

  // A reseller cannot be the parent of a distributor; there is one vendor per tenant.
  err = await rejection(w.inv.createOrg(t, { name: 'Upside', tier: 'distributor', parent: w.orgs.mga.id }), 'HIERARCHY_VIOLATION')
  assert.equal(typeof err.reason, 'string')
  await rejection(w.inv.createOrg(t, { name: 'Vendor 2', tier: 'vendor', parent: w.orgs.vendor }), 'HIERARCHY_VIOLATION')

  // Nothing crosses tenants.
  const other = await world({ inv: w.inv })
  await rejection(w.inv.org(other.tenant.id, w.orgs.mga.id), 'NOT_FOUND')
})

test('values of the wrong JS type are refused at the boundary', async () => {
  const inv = await Inventory.inMemory()
  let err = await rejection(inv.createTenant({ name: 'X', plan: 'platinum', vendorName: 'X' }), 'INVALID_INPUT')
  assert.equal(err.message, `invalid plan: Inventory.createTenant: tenant.plan must be one of 'standard' or 'enterprise', got the string "platinum"`)
  err = await rejection(inv.createTenant({ name: 'X', vendorName: 'X' }), 'INVALID_INPUT')
  assert.equal(err.message, 'invalid plan: Inventory.createTenant: tenant.plan is missing')
})

test('storage failures keep their cause; schema mismatches give the versions', async () => {
  const dir = tempDir()
  const err = await rejection(Inventory.openSqlite(join(dir, 'no', 'such', 'dir.sqlite')), 'STORAGE')
  assert.ok(err.cause instanceof Error, 'the SQLite error is the cause')
  assert.match(err.cause.message, /unable to open database file/)
  assert.equal(err.cause.code, undefined)

  // A file without the schema, opened with migrations disabled, is refused.
  const mismatch = await rejection(Inventory.openSqlite(join(dir, 'fresh.sqlite'), { migrate: false }), 'SCHEMA_MISMATCH')
  assert.equal(mismatch.found, 0)
  assert.equal(typeof mismatch.supported, 'number')
  assert.ok(mismatch.supported >= 1)
  assert.equal(typeof mismatch.hint, 'string')
})

test('openPostgres: a malformed URL rejects with INVALID_INPUT (no server needed)', async () => {
  for (const url of ['host=/tmp port=not-a-port', 'postgres://user@host:99999999/db', 'no equals sign']) {
    const err = await rejection(Inventory.openPostgres(url), 'INVALID_INPUT')
    assert.equal(err.field, 'postgres url')
    assert.equal(typeof err.reason, 'string')
  }
  let err = await rejection(Inventory.openPostgres('host=/nowhere', { maxConnections: -1 }), 'INVALID_INPUT')
  assert.equal(err.field, 'max_connections')
  err = await rejection(Inventory.openPostgres('host=/nowhere', { maxRetries: 2 ** 40 }), 'INVALID_INPUT')
  assert.equal(err.field, 'max_retries')
})

test('openPostgres: an unreachable database rejects with STORAGE and its cause', async () => {
  const err = await rejection(Inventory.openPostgres(`host=${tempDir()} port=5432 user=nobody dbname=nothing`), 'STORAGE')
  assert.ok(err.cause instanceof Error, 'the PostgreSQL error is the cause')
})

test('a PostgreSQL store is shared by every handle on it', { skip: needsPostgres }, async () => {
  const url = postgresUrl()
  const inv = await Inventory.openPostgres(url, { maxConnections: 2, maxRetries: 3, migrate: true })
  const w = await world({ inv })
  const order = await w.irina.request({ holder: w.orgs.ellen.id, product: w.products.cl.id, quantity: 4 })
  // Another handle (as another process would) sees it; an up-to-date schema needs no migration.
  const other = await Inventory.openPostgres(url, { migrate: false })
  assert.deepEqual(await other.tenant(w.tenant.id), await inv.tenant(w.tenant.id))
  assert.ok((await other.tenants()).some((t) => t.id === w.tenant.id))
  const s = await other.session(w.tenant.id, w.users.irina.id)
  assert.equal((await s.orderByNumber(order.number)).order.id, order.id)
  assert.equal((await other.audit(w.tenant.id)).isClean, true)
})
