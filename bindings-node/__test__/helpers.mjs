// Shared fixtures of the Node binding's tests: a small channel tree with two branches.
//
//   Jasperactive (vendor)            admin: Vera
//   ├── Ellen Emporium (distributor) admin: Irina
//   │   └── MGA Inc (reseller)       admin: Irina
//   │       └── Elerome School (center) admin: Eli
//   └── Other Distribution (distributor) admin: Olga
//       └── Other Reseller (reseller)    admin: Olga
//
// `storeTest(name, fn)` runs `fn(inventory)` once per store: memory, SQLite and PostgreSQL.
// PostgreSQL runs when LICENSE_INVENTORY_PG_URL names a database (a libpq URL or key/value
// string, e.g. the second line of `scripts/pg-cluster.sh start`); without it those tests are
// skipped, except under CI=true, where they fail. The database is shared and never emptied:
// every test works in fresh tenants of its own and never assumes an empty store.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

import { Inventory } from '../index.js'

export { Inventory }

/** A temporary directory, removed when the process exits. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'license-inventory-node-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export const PG_URL_VAR = 'LICENSE_INVENTORY_PG_URL'
const pgUrl = process.env[PG_URL_VAR]?.trim() || null
const ci = (process.env.CI ?? '').toLowerCase() === 'true'

/**
 * `skip` option of a test that needs PostgreSQL: a reason when there is none (and not in CI),
 * else false.
 */
export const needsPostgres = !pgUrl && !ci && `PostgreSQL not configured: set ${PG_URL_VAR} (see scripts/pg-cluster.sh) to run on it`

/** The PostgreSQL database of the tests; throws (failing the test) when there is none. */
export function postgresUrl() {
  if (pgUrl) return pgUrl
  throw new Error(`${PG_URL_VAR} is not set but CI=true: the PostgreSQL tests must run in CI (start a server with scripts/pg-cluster.sh start and export its URL)`)
}

let storeDir
let storeFiles = 0

/** The stores every `storeTest` runs on. */
export const STORES = [
  { name: 'memory', open: () => Inventory.inMemory() },
  {
    name: 'sqlite',
    open: () => {
      storeDir ??= tempDir()
      return Inventory.openSqlite(join(storeDir, `inventory-${++storeFiles}.sqlite`))
    },
  },
  { name: 'postgres', skip: needsPostgres, open: () => Inventory.openPostgres(postgresUrl()) },
]

/** Registers `fn(inventory)` as one test per store, named `name [store]`. */
export function storeTest(name, fn) {
  for (const store of STORES) {
    test(`${name} [${store.name}]`, { skip: store.skip ?? false }, async () => fn(await store.open()))
  }
}

/** Asserts that `promise` rejects with an Error whose `code` is `code`; returns the error. */
export async function rejection(promise, code) {
  try {
    await promise
  } catch (err) {
    if (!(err instanceof Error)) throw new Error(`rejected with a non-Error: ${err}`)
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`)
    return err
  }
  throw new Error(`expected a rejection with ${code}, but the call succeeded`)
}

/** Builds the tree above, in a tenant of its own, in `inv` (a fresh memory store unless given). */
export async function world({ inv, plan = 'standard', firstOrderNumber = 1 } = {}) {
  inv ??= await Inventory.inMemory()
  const tenant = await inv.createTenant({
    name: 'Jasperactive',
    plan,
    vendorName: 'Jasperactive',
    firstOrderNumber,
  })
  const t = tenant.id
  const org = (name, tier, parent) => inv.createOrg(t, { name, tier, parent })
  const ellen = await org('Ellen Emporium', 'distributor', tenant.vendor)
  const mga = await org('MGA Inc', 'reseller', ellen.id)
  const elerome = await org('Elerome School', 'center', mga.id)
  const otherDist = await org('Other Distribution', 'distributor', tenant.vendor)
  const otherRes = await org('Other Reseller', 'reseller', otherDist.id)
  const user = (name, email) => inv.createUser(t, { name, email })
  const vera = await user('Vera Vendor', 'vera@jasperactive.example')
  const irina = await user('Irina Heer', 'irina.heer@ellen.example')
  const eli = await user('Eli Elerome', 'eli@elerome.example')
  const olga = await user('Olga Other', 'olga@other.example')
  await inv.grantAdmin(t, vera.id, tenant.vendor)
  await inv.grantAdmin(t, irina.id, ellen.id)
  await inv.grantAdmin(t, irina.id, mga.id)
  await inv.grantAdmin(t, eli.id, elerome.id)
  await inv.grantAdmin(t, olga.id, otherDist.id)
  await inv.grantAdmin(t, olga.id, otherRes.id)
  const cl = await inv.createProduct(t, { code: 'CL', name: 'Center License', kind: 'license' })
  const uac = await inv.createProduct(t, {
    code: 'UAC',
    name: 'User Activation Codes',
    kind: 'activation_code',
  })
  const sessions = {
    vera: await inv.session(t, vera.id),
    irina: await inv.session(t, irina.id),
    eli: await inv.session(t, eli.id),
    olga: await inv.session(t, olga.id),
  }
  return {
    inv,
    tenant,
    orgs: { vendor: tenant.vendor, ellen, mga, elerome, otherDist, otherRes },
    users: { vera, irina, eli, olga },
    products: { cl, uac },
    ...sessions,
  }
}

/** Gives `org` (a child of the vendor) `quantity` units of `product`, approved by the vendor. */
export async function stock(w, org, product, quantity, session = w.irina) {
  const req = await session.request({ holder: org.id, product: product.id, quantity })
  return w.vera.approve(req.id)
}

/**
 * Stocks Elerome School (a center) with `quantity` units of `product` down the whole tree
 * (vendor › Ellen › MGA › Elerome, by assignment) and returns the center's order; Eli is its
 * admin.
 */
export async function centerOrder(w, product, quantity) {
  const push = (from, to, session) => session.assign({ from, to, product: product.id, quantity })
  await push(w.orgs.vendor, w.orgs.ellen.id, w.vera)
  await push(w.orgs.ellen.id, w.orgs.mga.id, w.irina)
  return push(w.orgs.mga.id, w.orgs.elerome.id, w.irina)
}

/** Every ledger entry of the tenant, oldest first (paged through). */
export async function wholeLedger(w) {
  const all = []
  for (;;) {
    const page = await w.inv.ledger(w.tenant.id, { after: all.length, limit: 1000 })
    if (page.length === 0) return all
    all.push(...page)
  }
}

/**
 * What a refused command must leave as it was: the tenant (counters, retired units) and the
 * ledger (every change appends an entry in its own transaction), by length and last hash.
 */
export async function snapshot(w) {
  const tenant = await w.inv.tenant(w.tenant.id)
  const ledger = await wholeLedger(w)
  return { tenant, entries: ledger.length, last: ledger.at(-1)?.hash ?? null }
}

/** A key of 25 Crockford base32 symbols in five groups of five (the last is the check symbol). */
/** A key as errors show it: its first five symbols, then `-…` (never the whole key). */
export function redacted(key) {
  const symbols = key.replaceAll(/[- ]/g, '')
  return symbols.length > 5 ? `${symbols.slice(0, 5)}-…` : symbols
}

export const KEY = /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/

/** `key` with its first symbol replaced by another one: a mistyped key. */
export function mistype(key) {
  return (key[0] === 'A' ? 'B' : 'A') + key.slice(1)
}

/**
 * Everything a refused or repeated command must leave as it was: `snapshot` (the tenant and its
 * ledger), the audit, the given orders (with their names) and the notification outbox.
 */
export async function state(w, ...orderIds) {
  const t = w.tenant.id
  return {
    ...(await snapshot(w)),
    audit: await w.inv.audit(t),
    orders: await Promise.all(orderIds.map((id) => w.vera.order(id))),
    notifications: (await w.inv.pendingNotifications(t, 1000)).map((n) => n.id),
  }
}
