// The seed walkthrough (`000_*.txt`, orders 1210–1213) on an SQLite file, printed as the
// License Inventory screens of the channel admin guide, then the life of order 1210 as in the
// vendor platform's Order Detail View (`002_*.txt`: licenses, customer, a license manager,
// activation, reset, a refusal, CSV export, deletion), through the Node binding. It mirrors
// examples/walkthrough.rs and prints the same output (but for the random license keys and
// the paths).
//
//   node examples/node/walkthrough.mjs [DB_PATH]
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, extname, join } from 'node:path'

import { Inventory } from '../../bindings-node/index.js'

const at = (hhmm) => new Date(`2017-10-20T${hhmm}:00Z`)

/** "2017-10-20 01:45" (UTC). */
const date = (t) => t.toISOString().slice(0, 16).replace('T', ' ')

/** Joins a name and an optional person: "Ellen Emporium Irina Heer". */
const who = (org, user) => (user ? `${org} ${user}` : org)

/** "Active", "Requested", … as the guide's tables print a status. */
const label = (status) => status.charAt(0).toUpperCase() + status.slice(1)

/** Prints rows as aligned columns separated by two spaces, with a rule under the header. */
function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (cells) => console.log(cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd())
  line(header)
  line(widths.map((w) => '-'.repeat(w)))
  for (const row of rows) line(row)
}

/** The columns of the guide's inventory tables. */
const INVENTORY_HEADER = ['Order Number', 'Inventory Type', 'Purchase Order', 'Order Status', 'Requested/Approved', 'Available', 'Requested By', 'Date Requested', 'Approved By']

function inventoryRow(d) {
  const o = d.order
  return [
    o.number,
    d.productName,
    o.purchaseOrder ?? '',
    label(o.status),
    o.status === 'requested' ? o.requestedQuantity : o.approvedQuantity,
    o.available,
    who(d.holderName, d.requestedByName),
    date(o.requestedAt),
    d.sourceName !== null && o.approvedBy !== null ? who(d.sourceName, d.approvedByName) : '',
  ]
}

async function main() {
  let path = process.argv[2]
  if (!path) {
    path = join(tmpdir(), `license-inventory-walkthrough-${process.pid}.db`)
    rmSync(path, { force: true })
  }
  const inv = await Inventory.openSqlite(path)
  inv.setTime(at('01:30'))

  // The channel: Jasperactive (vendor) › Ellen Emporium › MGA Inc › Elerome School.
  const tenant = await inv.createTenant({ name: 'Jasperactive', plan: 'standard', vendorName: 'Jasperactive', firstOrderNumber: 1208 })
  const t = tenant.id
  const org = (name, tier, parent) => inv.createOrg(t, { name, tier, parent })
  const ellen = await org('Ellen Emporium', 'distributor', tenant.vendor)
  const mga = await org('MGA Inc', 'reseller', ellen.id)
  const elerome = await org('Elerome School', 'center', mga.id)
  const veraUser = await inv.createUser(t, { name: 'Vera Vendor', email: 'vera@jasperactive.example' })
  const irinaUser = await inv.createUser(t, { name: 'Irina Heer', email: 'irina.heer@mga.example' })
  await inv.grantAdmin(t, veraUser.id, tenant.vendor)
  await inv.grantAdmin(t, irinaUser.id, ellen.id)
  await inv.grantAdmin(t, irinaUser.id, mga.id)
  const cl = await inv.createProduct(t, { code: 'CL', name: 'Center License', kind: 'license' })
  const uac = await inv.createProduct(t, { code: 'UAC', name: 'User Activation Codes', kind: 'activation_code' })
  const vera = await inv.session(t, veraUser.id)
  const irina = await inv.session(t, irinaUser.id)

  // Ellen Emporium's stock from the vendor (orders 1208, 1209).
  for (const product of [cl, uac]) {
    await vera.assign({ from: tenant.vendor, to: ellen.id, product: product.id, quantity: 10, purchaseOrder: 'JA-2017-10' })
  }
  // 01:45 Ellen Emporium assigns to MGA Inc: 1210 (3 Center Licenses), 1211 (2 codes).
  inv.setTime(at('01:45'))
  await irina.assign({ from: ellen.id, to: mga.id, product: cl.id, quantity: 3, purchaseOrder: 'EE2017-1' })
  const o1211 = await irina.assign({ from: ellen.id, to: mga.id, product: uac.id, quantity: 2, purchaseOrder: 'EE2017-5' })
  // 01:52 MGA Inc assigns one code to Elerome School: 1212.
  inv.setTime(at('01:52'))
  await irina.assign({ from: mga.id, to: elerome.id, product: uac.id, quantity: 1 })
  // 02:24 MGA Inc requests 2 Center Licenses from Ellen Emporium (1213), then edits it to 1.
  inv.setTime(at('02:24'))
  const o1213 = await irina.request({ holder: mga.id, product: cl.id, quantity: 2, purchaseOrder: '20171019' })
  inv.setTime(at('02:31'))
  await irina.editRequest(o1213.id, { quantity: 1, comments: 'One more center license, please.' })

  // ---- Step 1: Irina picks her administrator role from the Role menu --------------------
  const roles = await irina.rolesOf(irinaUser.id)
  console.log(`Role: ${roles.map((r) => `${r.orgName} (${r.tier})`).join(', ')}`)
  console.log()

  // ---- License Inventory of MGA Inc --------------------------------------------------------
  console.log(`License Inventory: ${mga.name} (${mga.tier})`)
  console.log()
  const summary = await irina.summary(mga.id)
  for (const line of summary) {
    // The guide's indicators speak in plurals: "Assigned Center Licenses: 3".
    const plural = line.productName.endsWith('s') ? '' : 's'
    console.log(`Assigned ${line.productName}${plural}: ${line.available}`)
  }
  console.log(`Pending Requests: ${summary.reduce((n, l) => n + l.pendingRequests, 0)}`)
  console.log()
  const page = await irina.list(mga.id, { limit: 50 })
  table(INVENTORY_HEADER, page.items.map(inventoryRow))

  // ---- Ellen Emporium's approval queue: the requests submitted to it for approval -----------
  console.log()
  console.log(`Requests Submitted for Approval: ${ellen.name} (${ellen.tier})`)
  console.log()
  const queue = await irina.approvalQueue(ellen.id, { limit: 50 })
  table(INVENTORY_HEADER, queue.items.map(inventoryRow))

  // ---- Detail of Inventory Use of 1211 ----------------------------------------------------
  const usage = await irina.detailOfUse(o1211.id)
  const u = usage.order.order
  console.log()
  console.log('Detail of Inventory Use')
  console.log()
  console.log(`Order Number: ${u.number}`)
  console.log(`Purchase Order: ${u.purchaseOrder ?? ''}`)
  console.log(`Inventory Type: ${usage.order.productName}`)
  console.log(`Assigned Inventory: ${u.approvedQuantity}`)
  console.log(`Available Inventory: ${u.available}`)
  console.log()
  table(
    ['Order Number', 'Purchase Order', 'Assigned', 'Date of Assignment', 'Requested By', 'Approved By'],
    usage.draws.map((d) => [
      d.orderNumber,
      d.purchaseOrder ?? '',
      d.quantity,
      date(d.at),
      who(d.requestedByOrg, d.requestedByUser),
      who(d.approvedByOrg, d.approvedByUser),
    ]),
  )

  // ---- Order Details of 1211 ----------------------------------------------------------------
  const d = await irina.orderByNumber(1211)
  const o = d.order
  console.log()
  console.log('Order Details')
  console.log()
  const fields = [
    ['Order Number', o.number],
    ['Purchase Order', o.purchaseOrder ?? ''],
    ['Order Status', label(o.status)],
    ['Assigned By', who(d.sourceName ?? '', d.approvedByName)],
    ['Assigned To', d.holderName],
    ['Inventory Type', d.productName],
    ['Quantity', o.approvedQuantity],
    ['Requester Comments', o.requesterComments ?? ''],
    ['Approval Comments', o.approvalComments ?? ''],
  ]
  for (const [name, value] of fields) console.log(`${`${name}:`.padEnd(20)}${value}`.trimEnd())
  console.log()

  // ---- The life of order 1210, as in the vendor platform's Order Detail View ---------------
  // The vendor's Center License policy: two devices per license, perpetual.
  await inv.setProductPolicy(t, cl.id, { validity: { kind: 'perpetual' }, maxActivations: 2, floating: null, trial: false })
  inv.setTime(at('09:00'))
  const o1210 = (await irina.orderByNumber(1210)).order
  console.log()
  console.log('Order 1210')
  console.log()
  const licenses = await irina.issue(o1210.id, 2)
  const keys = licenses.map((l) => l.key)
  console.log(`Issued ${keys.length} licenses: ${keys.join(', ')}`)
  await irina.setCustomer(o1210.id, {
    name: 'Elerome School',
    email: 'principal@elerome.example',
    company: 'Elerome School',
    phone: null,
    reference: 'ES-2017',
  })
  console.log('Customer: Elerome School <principal@elerome.example>')
  const lenaUser = await inv.createUser(t, { name: 'Lena Manager', email: 'lena@elerome.example' })
  const granted = await irina.addLicenseManager(o1210.id, lenaUser.id, ['manage_license_users', 'reset_device'])
  console.log(`License manager: ${lenaUser.name} (${granted.permissions.join(', ')})`)
  const lena = await inv.session(t, lenaUser.id)
  const student = await lena.addLicenseUser(o1210.id, { email: 'student@elerome.example', name: 'Stu Dent' })
  await lena.assignLicense(licenses[0].id, student.id)
  console.log(`License user: ${student.email} holds ${keys[0]}`)
  const activated = await inv.activate(t, keys[0], 'front-desk', 'Front desk PC')
  console.log(`Activated ${keys[0]} on front-desk: ${activated.activations.length} of ${activated.policy.maxActivations} devices`)
  const reset = await lena.resetDevice(licenses[0].id, 'front-desk')
  console.log(`Lena Manager reset device front-desk: ${reset.activations.length} devices`)
  const refusal = await lena.issue(o1210.id, 1).then(
    (issued) => new Error(`expected a refusal, got ${issued.length} licenses`),
    (err) => err,
  )
  if (refusal.code !== 'PERMISSION_DENIED') throw refusal
  console.log(`Lena Manager may not issue licenses (${refusal.code})`)
  // Next to the store: walkthrough.sqlite -> walkthrough.1210.csv.
  const csvPath = join(dirname(path), `${basename(path, extname(path))}.1210.csv`)
  const rows = await irina.exportOrderCsv(o1210.id, csvPath)
  console.log(`Exported order 1210: ${rows} license rows to ${csvPath}`)
  const before = (await irina.order(o1210.id)).order
  await irina.deleteOrder(o1210.id)
  const ellenStock = (await irina.orderByNumber(1208)).order
  console.log(
    `Deleted order 1210: ${before.available} unused unit${before.available === 1 ? '' : 's'} back to 1208 (${ellenStock.available} available), ${before.issued} licenses retired`,
  )
  console.log()
  const audit = await inv.audit(t)
  console.log(
    `Audit: ${audit.orders} orders, ${audit.ledgerEntries} ledger entries, minted ${audit.minted} - retired ${audit.retired} = available ${audit.available} + issued ${audit.issued}: ${audit.isClean ? 'clean' : 'PROBLEMS'}`,
  )
  console.log(`Store: ${path}`)
  if (!audit.isClean) throw new Error(`audit problems: ${audit.problems.join('; ')}`)
}

await main()
