// The seed walkthrough (examples/node/walkthrough.mjs): run it on an SQLite file and check what
// it prints, line for line: the same screens as examples/walkthrough.rs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

import { Inventory, tempDir } from './helpers.mjs'

const script = fileURLToPath(new URL('../../examples/node/walkthrough.mjs', import.meta.url))

const EXPECTED = `License Inventory: MGA Inc (reseller)

Assigned Center Licenses: 3
Assigned User Activation Codes: 1
Pending Requests: 1

Order Number  Inventory Type         Purchase Order  Order Status  Requested/Approved  Available  Requested By        Date Requested    Approved By
------------  ---------------------  --------------  ------------  ------------------  ---------  ------------------  ----------------  -------------------------
1213          Center License         20171019        Requested     1                   0          MGA Inc Irina Heer  2017-10-20 02:24
1211          User Activation Codes  EE2017-5        Active        2                   1          MGA Inc             2017-10-20 01:45  Ellen Emporium Irina Heer
1210          Center License         EE2017-1        Active        3                   3          MGA Inc             2017-10-20 01:45  Ellen Emporium Irina Heer

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

Audit: 6 orders, 18 ledger entries, minted 20 = available 20 + issued 0: clean
`

test('the walkthrough prints the guide\'s screens for MGA Inc (orders 1210-1213)', async () => {
  const path = join(tempDir(), 'walkthrough.sqlite')
  const { stdout } = await promisify(execFile)(process.execPath, [script, path])
  const lines = stdout.split('\n')
  const store = lines.findIndex((l) => l.startsWith('Store: '))
  assert.equal(lines[store], `Store: ${path}`)
  lines.splice(store, 1)
  assert.equal(lines.join('\n'), EXPECTED)

  // The indicators and rows the guide shows, spelled out.
  assert.match(stdout, /^Assigned Center Licenses: 3$/m)
  assert.match(stdout, /^Assigned User Activation Codes: 1$/m)
  assert.match(stdout, /^1213 +Center License +20171019 +Requested +1 +0 +MGA Inc Irina Heer +2017-10-20 02:24$/m)
  assert.match(stdout, /^1212 +1 +2017-10-20 01:52 +Elerome School +MGA Inc Irina Heer$/m)

  // It wrote to the SQLite file it was given, which opens again.
  assert.ok(existsSync(path))
  assert.ok((await Inventory.openSqlite(path)) instanceof Inventory)
})
