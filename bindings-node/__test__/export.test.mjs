// CSV export to a file path: exportOrderCsv (one row per license, ORDER_COLUMNS) and
// exportInventoryCsv (one row per order, INVENTORY_COLUMNS); RFC 4180 quoting and CRLF,
// formula-like cells neutralised, streamed over many pages; atomic (a refused or failed export
// leaves the previous file, no temporary file stays behind), owner-only; EXPORT_FAILED.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { INVENTORY_COLUMNS, ORDER_COLUMNS } from '../index.js'
import { centerOrder, rejection, storeTest, tempDir, world } from './helpers.mjs'

const dir = tempDir()
let files = 0
/** A fresh path in the test's temporary directory. */
const csvPath = () => join(dir, `export-${++files}.csv`)

/**
 * Parses RFC 4180 text strictly: CRLF after every record, fields quoted when they hold a comma,
 * a quote or a line break, quotes inside doubled. Returns the records as arrays of strings.
 */
function parseCsv(text) {
  const records = []
  let record = []
  let i = 0
  for (;;) {
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        const q = text.indexOf('"', i)
        assert.ok(q >= 0, 'an unterminated quoted field')
        field += text.slice(i, q)
        i = q + 1
        if (text[i] === '"') {
          field += '"'
          i++
        } else break
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        assert.notEqual(text[i], '"', 'a quote in an unquoted field')
        field += text[i++]
      }
    }
    record.push(field)
    if (text[i] === ',') {
      i++
      continue
    }
    assert.equal(text.slice(i, i + 2), '\r\n', `a record must end with CRLF (at ${i})`)
    i += 2
    records.push(record)
    record = []
    if (i === text.length) return records
  }
}

/** The header and the rows of a CSV file, each row an object keyed by the header's columns. */
function readCsv(path) {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'))
  for (const row of rows) assert.equal(row.length, header.length, 'every row has every column')
  return { header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) }
}

test('the column lists are exported constants', () => {
  assert.equal(ORDER_COLUMNS.length, 32)
  assert.deepEqual(ORDER_COLUMNS.slice(0, 3), ['order_number', 'order_id', 'product_code'])
  assert.ok(ORDER_COLUMNS.includes('license_key') && ORDER_COLUMNS.includes('customer_email'))
  assert.equal(ORDER_COLUMNS.at(-1), 'expires_at')
  assert.deepEqual(INVENTORY_COLUMNS, [
    'order_number', 'inventory_type', 'purchase_order', 'order_status', 'requested_approved', 'available',
    'issued', 'requested_by', 'date_requested', 'approved_by', 'date_approved', 'order_reference',
  ])
})

storeTest('exportOrderCsv: one row per license with the order and customer columns', async (inv) => {
  const w = await world({ inv })
  const t = w.tenant.id
  const at = new Date('2017-10-20T09:00:00Z')
  w.inv.setTime(at)
  await w.inv.setProductPolicy(t, w.products.cl.id, { validity: { kind: 'perpetual' }, maxActivations: 2, floating: null, trial: false })
  const o = await centerOrder(w, w.products.cl, 5)
  await w.eli.editMetadata(o.id, { reference: 'REF-1', campaign: { utm_source: 'newsletter', utm_medium: 'email' }, downloadId: 'DL-9', isTest: true })
  await w.eli.setCustomer(o.id, {
    name: '=HYPERLINK("http://x")',
    email: 'Principal@Elerome.example',
    company: 'Elerome School, Inc.',
    phone: '+1 555 0100',
    reference: 'Line one\nline "two"',
  })
  const ls = await w.eli.issue(o.id, 3)
  const stu = await w.eli.addLicenseUser(o.id, { email: 'student@elerome.example' })
  await w.eli.assignLicense(ls[0].id, stu.id)
  await w.inv.activate(t, ls[0].key, 'pc-1', 'Front desk')
  await w.inv.activate(t, ls[0].key, 'pc-2', '@Lab')

  const path = csvPath()
  assert.equal(await w.eli.exportOrderCsv(o.id, path), 3)
  const text = readFileSync(path, 'utf8')
  assert.ok(text.startsWith(`${ORDER_COLUMNS.join(',')}\r\n`), 'the header row, unquoted')
  assert.ok(text.endsWith('\r\n'))
  // RFC 4180 quoting: a comma, a quote or a line break puts the field in quotes, quotes doubled;
  // a cell a spreadsheet would run as a formula gets a leading '.
  assert.ok(text.includes(`,"'=HYPERLINK(""http://x"")",`), 'a formula neutralised and quoted')
  assert.ok(text.includes(',"Elerome School, Inc.",'))
  assert.ok(text.includes(`,"Line one\nline ""two""",`))
  assert.ok(text.includes(",'+1 555 0100,"))

  const { header, rows } = readCsv(path)
  assert.deepEqual(header, ORDER_COLUMNS)
  assert.equal(rows.length, 3)
  assert.deepEqual(new Set(rows.map((r) => r.license_key)), new Set(ls.map((l) => l.key)))
  for (const r of rows) {
    assert.deepEqual(
      [r.order_number, r.order_id, r.product_code, r.product_name, r.purchase_order, r.holder, r.source, r.order_status],
      [String(o.number), o.id, 'CL', 'Center License', '', 'Elerome School', 'MGA Inc', 'active'],
    )
    assert.deepEqual([r.approved_quantity, r.available, r.issued], ['5', '2', '3'])
    assert.deepEqual([r.order_reference, r.campaign, r.download_id, r.is_test, r.is_trial], ['REF-1', 'utm_medium=email&utm_source=newsletter', 'DL-9', 'true', 'false'])
    assert.deepEqual(
      [r.customer_name, r.customer_email, r.customer_company, r.customer_phone, r.customer_reference],
      ["'=HYPERLINK(\"http://x\")", 'principal@elerome.example', 'Elerome School, Inc.', "'+1 555 0100", 'Line one\nline "two"'],
    )
    assert.deepEqual([r.license_kind, r.trial, r.max_activations, r.issued_at], ['license', 'false', '2', '2017-10-20T09:00:00.000000Z'])
  }
  const used = rows.find((r) => r.license_key === ls[0].key)
  assert.deepEqual(
    [used.license_status, used.license_user_email, used.activations, used.devices, used.activated_at, used.expires_at],
    ['active', 'student@elerome.example', '2', 'Front desk; @Lab', '2017-10-20T09:00:00.000000Z', ''],
  )
  const unused = rows.find((r) => r.license_key === ls[1].key)
  assert.deepEqual([unused.license_status, unused.license_user_email, unused.activations, unused.devices, unused.activated_at], ['issued', '', '0', '', ''])

  // Managers and ancestors' admins may export what they may read; the file is replaced.
  const lena = await w.inv.createUser(t, { name: 'Lena', email: 'lena@elerome.example' })
  await w.eli.addLicenseManager(o.id, lena.id, ['reset_device'])
  assert.equal(await (await w.inv.session(t, lena.id)).exportOrderCsv(o.id, path), 3)
  assert.equal(await w.irina.exportOrderCsv(o.id, path), 3)
  assert.deepEqual(readCsv(path).rows, rows)
})

storeTest('exportOrderCsv: an order without licenses gives one row with empty license columns', async (inv) => {
  const w = await world({ inv })
  const o = await centerOrder(w, w.products.uac, 2)
  const path = csvPath()
  assert.equal(await w.eli.exportOrderCsv(o.id, path), 1)
  const { rows } = readCsv(path)
  assert.equal(rows.length, 1)
  assert.deepEqual([rows[0].order_number, rows[0].product_code, rows[0].available, rows[0].customer_name], [String(o.number), 'UAC', '2', ''])
  const licenseColumns = ORDER_COLUMNS.slice(ORDER_COLUMNS.indexOf('license_key'))
  assert.deepEqual(licenseColumns.map((c) => rows[0][c]), licenseColumns.map(() => ''))
})

storeTest('exportOrderCsv streams thousands of licenses, every key once', async (inv) => {
  const w = await world({ inv })
  const n = 2500 // more than two pages of 1,000
  const o = await centerOrder(w, w.products.uac, n)
  const codes = await w.eli.issue(o.id, n)
  const path = csvPath()
  assert.equal(await w.eli.exportOrderCsv(o.id, path), n)
  const { header, rows } = readCsv(path)
  assert.deepEqual(header, ORDER_COLUMNS)
  assert.equal(rows.length, n)
  const keys = new Set(rows.map((r) => r.license_key))
  assert.equal(keys.size, n)
  assert.deepEqual(keys, new Set(codes.map((c) => c.key)))
  assert.ok(rows.every((r) => r.license_kind === 'activation_code' && r.order_status === 'depleted'))
})

storeTest('exportInventoryCsv: one row per order, newest first, filtered like list', async (inv) => {
  const w = await world({ inv })
  const { cl, uac } = w.products
  w.inv.setTime(new Date('2017-10-20T01:45:00Z'))
  await w.vera.assign({ from: w.orgs.vendor, to: w.orgs.ellen.id, product: cl.id, quantity: 10 })
  const first = await w.irina.assign({ from: w.orgs.ellen.id, to: w.orgs.mga.id, product: cl.id, quantity: 3, purchaseOrder: '=1+1' })
  await w.irina.editMetadata(first.id, { reference: 'REF, "quoted"' })
  await w.irina.issue(first.id, 1)
  w.inv.setTime(new Date('2017-10-20T02:24:00Z'))
  const pending = await w.irina.request({ holder: w.orgs.mga.id, product: uac.id, quantity: 2, purchaseOrder: '20171019' })

  const path = csvPath()
  assert.equal(await w.irina.exportInventoryCsv(w.orgs.mga.id, path), 2)
  const text = readFileSync(path, 'utf8')
  assert.ok(text.startsWith(`${INVENTORY_COLUMNS.join(',')}\r\n`))
  assert.ok(text.includes(',"REF, ""quoted"""\r\n'))
  const { header, rows } = readCsv(path)
  assert.deepEqual(header, INVENTORY_COLUMNS)
  assert.deepEqual(rows.map((r) => r.order_number), [String(pending.number), String(first.number)])
  assert.deepEqual(Object.values(rows[0]), [
    String(pending.number), 'User Activation Codes', '20171019', 'Requested', '2', '0', '0',
    'MGA Inc Irina Heer', '2017-10-20T02:24:00.000000Z', '', '', '',
  ])
  assert.deepEqual(Object.values(rows[1]), [
    String(first.number), 'Center License', "'=1+1", 'Active', '3', '2', '1',
    'MGA Inc', '2017-10-20T01:45:00.000000Z', 'Ellen Emporium Irina Heer', '2017-10-20T01:45:00.000000Z', 'REF, "quoted"',
  ])

  assert.equal(await w.irina.exportInventoryCsv(w.orgs.mga.id, path, { statuses: ['requested'] }), 1)
  assert.deepEqual(readCsv(path).rows.map((r) => r.order_number), [String(pending.number)])
  assert.equal(await w.irina.exportInventoryCsv(w.orgs.mga.id, path, { products: [cl.id], purchaseOrder: '=1' }), 1)
  assert.deepEqual(readCsv(path).rows.map((r) => r.order_number), [String(first.number)])
  // No order matches: the header alone.
  assert.equal(await w.irina.exportInventoryCsv(w.orgs.mga.id, path, { orderNumber: 99999 }), 0)
  assert.equal(readFileSync(path, 'utf8'), `${INVENTORY_COLUMNS.join(',')}\r\n`)
})

storeTest('exports are atomic and owner-only: a refused or failed one leaves the previous file', async (inv) => {
  const w = await world({ inv })
  const o = await centerOrder(w, w.products.cl, 1)
  const out = mkdtempSync(join(dir, 'atomic-'))
  const path = join(out, 'order.csv')
  writeFileSync(path, 'previous export\n', { mode: 0o644 })
  let err = await rejection(w.olga.exportOrderCsv(o.id, path), 'PERMISSION_DENIED')
  assert.equal(err.action, 'view')
  err = await rejection(w.olga.exportInventoryCsv(w.orgs.elerome.id, path), 'PERMISSION_DENIED')
  assert.equal(err.action, 'view')
  err = await rejection(w.eli.exportOrderCsv('01890a5d-ac96-774b-bcce-b302099a8057', path), 'NOT_FOUND')
  assert.equal(err.entity, 'order')
  assert.equal(readFileSync(path, 'utf8'), 'previous export\n')
  assert.deepEqual(readdirSync(out), ['order.csv'], 'no temporary file stays behind')

  const nowhere = join(out, 'no-such-dir', 'x.csv')
  for (const call of [() => w.eli.exportOrderCsv(o.id, nowhere), () => w.eli.exportInventoryCsv(w.orgs.elerome.id, nowhere)]) {
    err = await rejection(call(), 'EXPORT_FAILED')
    assert.match(err.message, /^export failed: /)
    assert.ok(err.cause instanceof Error, 'the I/O error is the cause')
    assert.match(err.cause.message, /No such file or directory/)
  }
  assert.equal(existsSync(nowhere), false)

  // A successful export replaces the file whole, readable by its owner only (license keys).
  await w.eli.issue(o.id, 1)
  assert.equal(await w.eli.exportOrderCsv(o.id, path), 1)
  assert.equal(readCsv(path).rows.length, 1)
  assert.equal(statSync(path).mode & 0o777, 0o600)
  assert.equal(await w.eli.exportInventoryCsv(w.orgs.elerome.id, path), 1)
  assert.deepEqual(readCsv(path).header, INVENTORY_COLUMNS)
  assert.deepEqual(readdirSync(out), ['order.csv'])
})
