// Importing existing license keys: importLicenses (a list) and importLicensesCsv (an order
// export's CSV); the round trip of a vendor moving its keys: export, import into a fresh order,
// export again gives the same keys and license fields.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { ORDER_COLUMNS } from '../index.js'
import { centerOrder, rejection, storeTest, tempDir, wholeLedger, world } from './helpers.mjs'

const dir = tempDir()
let files = 0
const csvPath = () => join(dir, `import-${++files}.csv`)

/** The license columns of each data row (the export quotes no plain key or figure). */
function licenseColumns(path) {
  const start = ORDER_COLUMNS.indexOf('license_key')
  const lines = readFileSync(path, 'utf8').split('\r\n').filter((l) => l.length > 0)
  assert.equal(lines[0], ORDER_COLUMNS.join(','))
  return lines.slice(1).map((l) => l.split(',').slice(start))
}

storeTest('importLicenses adds existing keys like an issue', async (inv) => {
  const w = await world({ inv })
  const order = await centerOrder(w, w.products.cl, 5)
  const licenses = await w.eli.importLicenses(order.id, ['ACME-2017-0001', ' acme-2017-0002 '])
  assert.deepEqual(licenses.map((l) => [l.key, l.imported]), [['ACME-2017-0001', true], ['acme-2017-0002', true]])
  assert.equal((await wholeLedger(w)).at(-1).kind, 'licenses_imported')
  assert.equal((await w.inv.checkLicense(w.tenant.id, 'ACME-2017-0001')).id, licenses[0].id)
  await rejection(w.inv.checkLicense(w.tenant.id, 'ACME-2017-0002'), 'MISTYPED_KEY')
  const err = await rejection(w.eli.importLicenses(order.id, ['GOOD-0001', 'not ok']), 'INVALID_INPUT')
  assert.match(err.message, /key 1 of the import/)
  await rejection(w.eli.importLicenses(order.id, ['ACME-2017-0001']), 'CONFLICT')
  assert.equal((await w.eli.order(order.id)).order.available, 3)
})

storeTest('an export imports into a fresh order of another tenant and exports the same', async (inv) => {
  inv.setTime(new Date('2017-10-20T01:45:00Z')) // one issue time for both sides
  const old = await world({ inv })
  const source = await centerOrder(old, old.products.cl, 6)
  await old.eli.issue(source.id, 4)
  const exported = csvPath()
  await old.eli.exportOrderCsv(source.id, exported)

  const fresh = await world({ inv, firstOrderNumber: 500 })
  const target = await centerOrder(fresh, fresh.products.cl, 6)
  assert.equal((await fresh.eli.importLicensesCsv(target.id, exported)).length, 4)
  const again = csvPath()
  await fresh.eli.exportOrderCsv(target.id, again)
  assert.deepEqual(licenseColumns(again), licenseColumns(exported))

  await rejection(old.eli.importLicensesCsv(source.id, exported), 'CONFLICT')
  const bad = csvPath()
  writeFileSync(bad, 'order_number\n1\n')
  await rejection(fresh.eli.importLicensesCsv(target.id, bad), 'INVALID_INPUT')
})
