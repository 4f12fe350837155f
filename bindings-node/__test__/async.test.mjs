// Every call that touches the store runs off the event loop (on the libuv thread pool).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'

import { Inventory, storeTest, tempDir, world } from './helpers.mjs'

const hasPython = spawnSync('python3', ['-c', 'import sqlite3'], { stdio: 'ignore' }).status === 0

storeTest('a store call returns a pending Promise at once', async (inv) => {
  const w = await world({ inv })
  let settled = false
  const p = w.irina.summary(w.orgs.mga.id).then((v) => { settled = true; return v })
  assert.ok(p instanceof Promise)
  assert.equal(settled, false)
  assert.ok(Array.isArray(await p))
})

test('the event loop keeps running while a call waits on the store', { skip: !hasPython && 'python3 with sqlite3 is needed to hold the database lock' }, async () => {
  const path = join(tempDir(), 'locked.sqlite')
  const inv = await Inventory.openSqlite(path, { busyTimeoutMs: 20_000 })
  const w = await world({ inv })
  const HOLD_MS = 800
  // Another process takes SQLite's write lock and holds it for HOLD_MS.
  const locker = spawn('python3', ['-c', `
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN IMMEDIATE')
print('locked', flush=True)
time.sleep(${HOLD_MS / 1000})
c.execute('COMMIT')
`, path], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = once(locker, 'exit')
  const [line] = await once(locker.stdout, 'data')
  assert.equal(line.toString().trim(), 'locked')

  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  const started = performance.now()
  // This write waits (in a libuv worker) for the lock; the timer keeps ticking meanwhile.
  const user = await inv.createUser(w.tenant.id, { name: 'Late Larry', email: 'larry@example.com' })
  const elapsed = performance.now() - started
  clearInterval(timer)
  const [code] = await exited
  assert.equal(code, 0)

  assert.equal(user.name, 'Late Larry')
  assert.ok(elapsed >= HOLD_MS / 2, `the call waited for the lock (${elapsed.toFixed(0)} ms)`)
  assert.ok(ticks >= (elapsed / 10) * 0.5, `${ticks} timer ticks in ${elapsed.toFixed(0)} ms: the event loop was not blocked`)
})

storeTest('many concurrent calls all settle, and the tenant stays conserved', async (inv) => {
  const w = await world({ inv })
  const { cl } = w.products
  await w.vera.approve((await w.irina.request({ holder: w.orgs.ellen.id, product: cl.id, quantity: 50 })).id)
  const requests = await Promise.all(
    Array.from({ length: 20 }, () => w.irina.request({ holder: w.orgs.mga.id, product: cl.id, quantity: 3 })),
  )
  const results = await Promise.allSettled(requests.map((r) => w.irina.approve(r.id)))
  const ok = results.filter((r) => r.status === 'fulfilled').length
  const refused = results.filter((r) => r.status === 'rejected')
  assert.equal(ok, 16) // 16 × 3 = 48 ≤ 50 < 17 × 3
  for (const r of refused) assert.equal(r.reason.code, 'INSUFFICIENT_INVENTORY')
  const audit = await w.inv.audit(w.tenant.id)
  assert.equal(audit.isClean, true)
})

test('openPostgres connects off the event loop', async () => {
  // A "server" in another process (no PostgreSQL needed) accepts the connection, says nothing
  // for HOLD_MS and hangs up; meanwhile the event loop must keep running.
  const HOLD_MS = 800
  const server = spawn(process.execPath, ['-e', `
const net = require('node:net')
const srv = net.createServer((c) => setTimeout(() => { c.destroy(); srv.close() }, ${HOLD_MS}))
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port))
`], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = once(server, 'exit')
  const [line] = await once(server.stdout, 'data')
  const port = Number(line.toString().trim())

  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  const started = performance.now()
  const pending = Inventory.openPostgres(`host=127.0.0.1 port=${port} user=nobody dbname=nothing`)
  assert.ok(pending instanceof Promise)
  const err = await pending.then(() => null, (e) => e)
  const elapsed = performance.now() - started
  clearInterval(timer)
  await exited

  assert.equal(err?.code, 'STORAGE')
  assert.ok(elapsed >= HOLD_MS / 2, `the connection was refused too early (${elapsed.toFixed(0)} ms)`)
  assert.ok(ticks >= (elapsed / 10) * 0.3, `${ticks} timer ticks in ${elapsed.toFixed(0)} ms: the event loop was blocked`)
})
