// The seed walkthrough (examples/node/walkthrough.mjs): run it on an SQLite file and check what
// it prints, line for line: the same screens as examples/walkthrough.rs. The license keys are
// random and the paths temporary: they are checked, then replaced by <KEY1>, <KEY2>, <CSV>.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

import { ORDER_COLUMNS } from '../index.js'
import { Inventory, KEY, tempDir } from './helpers.mjs'

const script = fileURLToPath(new URL('../../examples/node/walkthrough.mjs', import.meta.url))

const EXPECTED = `Role: Ellen Emporium (distributor), MGA Inc (reseller)

License Inventory: MGA Inc (reseller)

Assigned Center Licenses: 3
Assigned User Activation Codes: 1
Pending Requests: 1

Order Number  Inventory Type         Purchase Order  Order Status  Requested/Approved  Available  Requested By        Date Requested    Approved By
------------  ---------------------  --------------  ------------  ------------------  ---------  ------------------  ----------------  -------------------------
1213          Center License         20171019        Requested     1                   0          MGA Inc Irina Heer  2017-10-20 02:24
1211          User Activation Codes  EE2017-5        Active        2                   1          MGA Inc             2017-10-20 01:45  Ellen Emporium Irina Heer
1210          Center License         EE2017-1        Active        3                   3          MGA Inc             2017-10-20 01:45  Ellen Emporium Irina Heer

Requests Submitted for Approval: Ellen Emporium (distributor)

Order Number  Inventory Type  Purchase Order  Order Status  Requested/Approved  Available  Requested By        Date Requested    Approved By
------------  --------------  --------------  ------------  ------------------  ---------  ------------------  ----------------  -----------
1213          Center License  20171019        Requested     1                   0          MGA Inc Irina Heer  2017-10-20 02:24

Detail of Inventory Use

Order Number: 1211
Purchase Order: EE2017-5
Inventory Type: User Activation Codes
Assigned Inventory: 2
Available Inventory: 1

Order Number  Purchase Order  Assigned  Date of Assignment  Requested By    Approved By
------------  --------------  --------  ------------------  --------------  ------------------
1212                          1         2017-10-20 01:52    Elerome School  MGA Inc Irina Heer

Order Details

Order Number:       1211
Purchase Order:     EE2017-5
Order Status:       Active
Assigned By:        Ellen Emporium Irina Heer
Assigned To:        MGA Inc
Inventory Type:     User Activation Codes
Quantity:           2
Requester Comments:
Approval Comments:


Order 1210

Issued 2 licenses: <KEY1>, <KEY2>
Customer: Elerome School <principal@elerome.example>
License manager: Lena Manager (manage_license_users, reset_device)
License user: student@elerome.example holds <KEY1>
Activated <KEY1> on front-desk: 1 of 2 devices
Lena Manager reset device front-desk: 0 devices
Lena Manager may not issue licenses (PERMISSION_DENIED)
Exported order 1210: 2 license rows to <CSV>
Deleted order 1210: 1 unused unit back to 1208 (8 available), 2 licenses retired

Audit: 5 orders, 28 ledger entries, minted 20 - retired 2 = available 18 + issued 0: clean
`

test('the walkthrough prints the guide\'s screens for MGA Inc (orders 1210-1213) and the life of 1210', async () => {
  const dir = tempDir()
  const path = join(dir, 'walkthrough.sqlite')
  const csv = join(dir, 'walkthrough.1210.csv')
  const { stdout } = await promisify(execFile)(process.execPath, [script, path])
  const lines = stdout.split('\n')
  const store = lines.findIndex((l) => l.startsWith('Store: '))
  assert.equal(lines[store], `Store: ${path}`)
  lines.splice(store, 1)
  const issued = stdout.match(/^Issued 2 licenses: (\S+), (\S+)$/m)
  assert.ok(issued, 'the issued keys are printed')
  const keys = issued.slice(1)
  for (const key of keys) assert.match(key, KEY)
  assert.notEqual(keys[0], keys[1])
  const printed = lines
    .join('\n')
    .replaceAll(keys[0], '<KEY1>')
    .replaceAll(keys[1], '<KEY2>')
    .replace(` to ${csv}\n`, ' to <CSV>\n')
  assert.equal(printed, EXPECTED)

  // The indicators and rows the guide shows, spelled out.
  assert.match(stdout, /^Assigned Center Licenses: 3$/m)
  assert.match(stdout, /^Assigned User Activation Codes: 1$/m)
  assert.match(stdout, /^1213 +Center License +20171019 +Requested +1 +0 +MGA Inc Irina Heer +2017-10-20 02:24$/m)
  assert.match(stdout, /^1212 +1 +2017-10-20 01:52 +Elerome School +MGA Inc Irina Heer$/m)

  // It wrote to the SQLite file it was given, which opens again, and exported order 1210 next
  // to it before deleting it: a header and one row per license, the first held by the student.
  assert.ok(existsSync(path))
  assert.ok((await Inventory.openSqlite(path)) instanceof Inventory)
  const [header, ...rows] = readFileSync(csv, 'utf8').split('\r\n')
  assert.equal(header, ORDER_COLUMNS.join(','))
  assert.equal(rows.pop(), '', 'CRLF after the last row')
  assert.equal(rows.length, 2)
  const col = (row, name) => row.split(',')[ORDER_COLUMNS.indexOf(name)]
  assert.deepEqual(rows.map((r) => col(r, 'order_number')), ['1210', '1210'])
  assert.deepEqual(new Set(rows.map((r) => col(r, 'license_key'))), new Set(keys))
  const held = rows.find((r) => col(r, 'license_key') === keys[0])
  assert.equal(col(held, 'license_user_email'), 'student@elerome.example')
  assert.equal(col(held, 'customer_reference'), 'ES-2017')
})
