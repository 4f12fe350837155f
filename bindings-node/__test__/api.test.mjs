// The binding behaves like a Node library (issue 12, item 5): every Promise-returning method
// reports argument errors as rejections with a documented code (never a synchronous throw);
// 100,000 issued licenses never hold the event loop for long; an order's licenses iterate
// asynchronously; exports write to Node streams. And `close()` (item 6).
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readlinkSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { createRequire } from 'node:module'

import { Inventory, centerOrder, rejection, storeTest, tempDir, world } from './helpers.mjs'

const require = createRequire(import.meta.url)
const { SIGNATURES } = require('../api.js')

/** The codes index.d.ts documents. */
const ERROR_CODES = (() => {
  const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
  const union = dts.match(/export type ErrorCode =([^;]*?)\n\n/)[1]
  return new Set([...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]))
})()

/** Calls `call()`, asserting it returns a Promise (never throws) that rejects with a documented code. */
async function rejectsNotThrows(call, code = 'INVALID_INPUT') {
  let promise
  try {
    promise = call()
  } catch (err) {
    assert.fail(`threw synchronously (${err.code}): ${err.message}`)
  }
  assert.ok(promise instanceof Promise, 'returns a Promise')
  const err = await rejection(promise, code)
  assert.ok(ERROR_CODES.has(err.code), `${err.code} is documented`)
  assert.doesNotMatch(err.message, /rust|f64|String`|napi|Missing field/, 'in the library\'s words')
  return err
}

test('api.js knows every method with the parameters index.d.ts declares', () => {
  const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
  const declared = {}
  for (const m of dts.matchAll(/^export declare class (\w+) \{\n([\s\S]*?)^\}/gm)) {
    declared[m[1]] = {}
    for (const line of m[2].split('\n')) {
      const mm = line.match(/^ {2}((?:static )?\w+)(\(.*\): .+)$/)
      if (mm) declared[m[1]][mm[1]] = mm[2]
    }
  }
  assert.deepEqual(SIGNATURES, declared)
  assert.ok(ERROR_CODES.has('CLOSED') && ERROR_CODES.has('INVALID_INPUT'))
})

test('every wrong argument rejects with INVALID_INPUT naming it, for every shape of argument', async () => {
  const w = await world()
  const { inv, irina } = w
  const t = w.tenant.id
  const o = await irina.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: 1 })
  const cases = [
    // A string argument: wrong type, missing.
    [() => irina.order(42), 'orderId', 'invalid orderId: Session.order: expected a string, got the number 42'],
    [() => irina.order(), 'orderId', 'invalid orderId: Session.order: expected a string, got nothing'],
    // A number argument.
    [() => irina.issue(o.id, '3'), 'quantity', 'invalid quantity: Session.issue: expected a number, got the string "3"'],
    // An enum argument: an unknown string.
    [() => inv.changePlan(t, 'gold'), 'plan', `invalid plan: Inventory.changePlan: expected one of 'standard' or 'enterprise', got the string "gold"`],
    // A Date argument.
    [() => inv.orderAt(t, o.id, '2020-01-01'), 'at', 'invalid at: Inventory.orderAt: expected a Date, got the string "2020-01-01"'],
    // An array of enums.
    [() => irina.addLicenseManager(o.id, w.users.eli.id, 'reset_device'), 'permissions', /expected an array of Permission, got the string "reset_device"/],
    [() => irina.addLicenseManager(o.id, w.users.eli.id, ['fly']), 'permissions', /\[0\] is the string "fly"/],
    // An object argument: null, not an object, a missing field, a field of the wrong type, an unknown enum string.
    [() => irina.request(null), 'request', 'invalid request: Session.request: expected an object (NewRequest), got null'],
    [() => irina.request('x'), 'request', /expected an object \(NewRequest\), got the string "x"/],
    [() => irina.request({ product: w.products.cl.id, quantity: 1 }), 'holder', 'invalid holder: Session.request: request.holder is missing'],
    [() => irina.request({ holder: w.orgs.mga.id, product: w.products.cl.id, quantity: '3' }), 'quantity', 'invalid quantity: Session.request: request.quantity must be a number, got the string "3"'],
    [() => inv.createOrg(t, { name: 'X', tier: 'shop', parent: w.orgs.vendor }), 'tier', /org\.tier must be one of 'vendor', .* got the string "shop"/],
    [() => inv.createTenant({ name: 'X', plan: 'standard', vendorName: 1n }), 'vendorName', /tenant\.vendorName must be a string, got a BigInt/],
    // An optional options object.
    [() => irina.list(w.orgs.mga.id, { limit: 'ten' }), 'limit', 'invalid limit: Session.list: options.limit must be a number, got the string "ten"'],
    [() => irina.list(w.orgs.mga.id, { statuses: ['pending'] }), 'statuses', /options\.statuses\[0\] must be one of 'requested', .* got the string "pending"/],
    [() => irina.list(w.orgs.mga.id, 7), 'options', /expected an object \(ListOptions\), got the number 7/],
    // A nested value object.
    [() => inv.setProductPolicy(t, w.products.cl.id, { validity: { kind: 'forever' }, maxActivations: 1, floating: null, trial: false }), 'validity', /policy\.validity must be a known kind/],
    // An array of objects (a batch).
    [() => irina.batch({ kind: 'cancel', order: o.id }), 'commands', /expected an array of BatchCommand, got an object/],
    [() => irina.batch([{ kind: 'cancel', order: o.id }, { kind: 'issue', order: o.id, quantity: '1' }]), 'quantity', /commands\[1\]\.quantity must be a number/],
    // The static openers.
    [() => Inventory.openSqlite(42), 'path', 'invalid path: Inventory.openSqlite: expected a string, got the number 42'],
    [() => Inventory.openSqlite(join(tempDir(), 'x.sqlite'), { synchronous: 'always' }), 'synchronous', /options\.synchronous must be one of/],
    [() => Inventory.openPostgres(undefined), 'url', /expected a string, got nothing/],
    // The stream exports.
    [() => irina.exportOrderCsvTo(42, new Writable()), 'orderId', /Session\.exportOrderCsvTo: expected a string/],
    [() => irina.exportOrderCsvTo(o.id, 'out.csv'), 'writable', /expected a writable stream, got the string "out.csv"/],
  ]
  for (const [call, field, message] of cases) {
    const err = await rejectsNotThrows(call).catch((e) => assert.fail(`${call}: ${e.message}`))
    assert.equal(err.field, field, err.message)
    assert.equal(typeof err.reason, 'string')
    if (typeof message === 'string') assert.equal(err.message, message)
    else assert.match(err.message, message)
  }
  // The two synchronous methods throw the same error.
  assert.throws(() => inv.setTime('now'), { code: 'INVALID_INPUT', field: 'at' })
  assert.throws(() => irina.withIdempotencyKey(7), { code: 'INVALID_INPUT', field: 'key', message: 'invalid key: Session.withIdempotencyKey: expected a string, got the number 7' })
  assert.throws(() => new Inventory(), TypeError)
  assert.ok(inv instanceof Inventory)
})

test('issue(order, 100000) never holds the event loop for more than a few milliseconds', async () => {
  const w = await world()
  /** The largest delay of a 10 ms interval timer during `issue(order, 100000)`, and the licenses. */
  const measure = async () => {
    const minted = await w.vera.mint({ product: w.products.cl.id, quantity: 100_000 })
    let last = performance.now()
    let worst = 0
    const timer = setInterval(() => {
      const now = performance.now()
      worst = Math.max(worst, now - last - 10)
      last = now
    }, 10)
    try {
      const issued = await w.vera.issue(minted.id, 100_000)
      return [worst, minted, issued]
    } finally {
      clearInterval(timer)
    }
  }
  // A loaded machine (two cores, parallel builds) can deschedule the process for tens of
  // milliseconds: the best of three runs is what the library does (a blocking conversion held
  // the loop for over a second in each).
  const delays = []
  let minted
  let licenses
  for (let run = 0; run < 3 && !(delays.length > 0 && Math.min(...delays) < 50); run++) {
    const [worst, order, issued] = await measure()
    delays.push(worst)
    ;[minted, licenses] = [order, issued]
  }
  assert.ok(Math.min(...delays) < 50, `the largest timer delays were ${delays.map((d) => d.toFixed(1)).join(', ')} ms`)
  assert.equal(licenses.length, 100_000)
  assert.equal(new Set(licenses.map((l) => l.key)).size, 100_000)
  assert.deepEqual([licenses[0].order, licenses.at(-1).status], [minted.id, 'issued'])
  const page = await w.vera.licenses(minted.id, { limit: 3 })
  assert.deepEqual(licenses.slice(0, 3).map((l) => l.id), page.map((l) => l.id), 'in id order, like `licenses`')

  // licensesOf iterates over all of them, a page at a time.
  let count = 0
  let previous = ''
  for await (const l of w.vera.licensesOf(minted.id)) {
    assert.ok(l.id > previous, 'in id order')
    previous = l.id
    count++
  }
  assert.equal(count, 100_000)
  const few = []
  for await (const l of w.vera.licensesOf(minted.id, { pageSize: 7 })) if (few.push(l.id) === 15) break
  assert.deepEqual(few, licenses.slice(0, 15).map((l) => l.id))
})

/** A Writable that collects what it is given, slowly (each write takes a turn of the event loop). */
function slowSink() {
  const chunks = []
  const sink = new Writable({
    highWaterMark: 1024,
    write(chunk, _encoding, done) {
      chunks.push(chunk)
      setImmediate(done)
    },
  })
  sink.text = () => Buffer.concat(chunks).toString('utf8')
  return sink
}

storeTest('exportOrderCsvTo and exportInventoryCsvTo write to a stream what the file export writes', async (inv) => {
  const w = await world({ inv })
  const o = await centerOrder(w, w.products.cl, 3000)
  await w.eli.issue(o.id, 3000)
  const dir = tempDir()
  const file = join(dir, `order-${o.id}.csv`)
  assert.equal(await w.eli.exportOrderCsv(o.id, file), 3000)
  const sink = slowSink()
  assert.equal(await w.eli.exportOrderCsvTo(o.id, sink), 3000)
  assert.equal(sink.writableFinished, true, 'the stream was ended')
  assert.equal(sink.text(), readFileSync(file, 'utf8'))
  assert.ok(sink.text().length > 128 * 1024, 'several pieces')

  const inventoryFile = join(dir, `inventory-${o.id}.csv`)
  const rows = await w.eli.exportInventoryCsv(w.orgs.elerome.id, inventoryFile, { statuses: ['active'] })
  const open = slowSink()
  assert.equal(await w.eli.exportInventoryCsvTo(w.orgs.elerome.id, open, { statuses: ['active'] }, { end: false }), rows)
  assert.equal(open.writableEnded, false, 'end: false leaves it open')
  open.end()
  assert.equal(open.text(), readFileSync(inventoryFile, 'utf8'))

  // A refused export rejects with its error; a failing stream stops the export.
  const refused = slowSink()
  await rejection(w.olga.exportOrderCsvTo(o.id, refused), 'PERMISSION_DENIED')
  assert.equal(refused.writableEnded, false)
  const broken = new Writable({
    write(_chunk, _encoding, done) {
      done(new Error('disk full'))
    },
  })
  broken.on('error', () => {})
  await assert.rejects(w.eli.exportOrderCsvTo(o.id, broken), /disk full/)
})

storeTest('close(): every later call rejects with CLOSED; calls in flight finish; a second close does nothing', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const o = await centerOrder(w, w.products.cl, 500)
  const keyed = w.inv.withIdempotencyKey('before-close')
  const keyedSession = w.eli.withIdempotencyKey('k')
  const inFlight = w.eli.issue(o.id, 500)
  const closing = w.inv.close()
  assert.ok(closing instanceof Promise)
  const closed = [
    w.inv.tenant(t),
    w.inv.session(t, w.users.eli.id),
    keyed.audit(t),
    w.eli.order(o.id),
    w.irina.batch([{ kind: 'cancel', order: o.id }]),
    keyedSession.issue(o.id, 1),
    w.eli.licensesOf(o.id).next(),
    w.eli.exportOrderCsvTo(o.id, slowSink()),
  ]
  for (const err of await Promise.all(closed.map((call) => rejection(call, 'CLOSED')))) {
    assert.ok(ERROR_CODES.has(err.code))
    assert.match(err.message, /^the inventory is closed/)
  }
  assert.throws(() => w.inv.setTime(null), { code: 'CLOSED' })
  assert.throws(() => w.eli.withIdempotencyKey('x'), { code: 'CLOSED' })
  assert.equal(w.eli.user, w.users.eli.id, 'the getters still answer')
  assert.equal((await inFlight).length, 500, 'the call in flight completed')
  await closing
  assert.equal(await w.inv.close(), undefined, 'a second close does nothing')
  await rejection(w.inv.tenants(), 'CLOSED')
})

test('close() releases the SQLite file: it can be removed and opened again; asyncDispose closes', async () => {
  const dir = tempDir()
  const path = join(dir, 'closed.sqlite')
  const openFiles = () =>
    readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)]
      } catch {
        return []
      }
    })
  const inv = await Inventory.openSqlite(path)
  const w = await world({ inv })
  const o = await centerOrder(w, w.products.cl, 20)
  const pending = w.eli.issue(o.id, 20)
  await inv.close()
  assert.equal((await pending).length, 20)
  if (existsSync('/proc/self/fd')) {
    assert.deepEqual(openFiles().filter((f) => f.startsWith(path)), [], 'no descriptor on the database or its WAL')
  }
  const reopened = await Inventory.openSqlite(path)
  assert.equal((await reopened.tenant(w.tenant.id)).name, 'Jasperactive', 'the data is there')
  await reopened[Symbol.asyncDispose]()
  await rejection(reopened.tenants(), 'CLOSED')
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
  assert.equal(existsSync(path), false)
  const fresh = await Inventory.openSqlite(path)
  assert.deepEqual(await fresh.tenants(), [])
  await fresh.close()
})
