// Type-checked (never run) by types.test.mjs: the generated index.d.ts describes the API with
// string unions, Dates, nullable fields and Promises, and the error type narrows on `code`.
import {
  DEFAULT_PAGE,
  INVENTORY_COLUMNS,
  Inventory,
  MAX_BATCH,
  MAX_COMMENT,
  MAX_IDEMPOTENCY_KEY,
  MAX_ISSUE,
  MAX_NAME,
  MAX_PAGE,
  MAX_PURCHASE_ORDER,
  MAX_QUANTITY,
  MIN_PASSWORD,
  ORDER_COLUMNS,
  type Audit,
  type Action,
  type BatchCommand,
  type BatchResult,
  type Bundle,
  type Customer,
  type CsvWritable,
  type Entity,
  type ErrorCode,
  type Holding,
  type InventoryError,
  type Issued,
  type LedgerEntry,
  type LedgerFilter,
  type LedgerKind,
  type License,
  type LicenseManager,
  type LicensePolicy,
  type LicenseStatus,
  type LicenseUser,
  type Notification,
  type NotificationKind,
  type Order,
  type OrderDetails,
  type OrderDigest,
  type OrderFigures,
  type OrderPage,
  type OrderStatus,
  type Permission,
  type Plan,
  type PostgresOptions,
  type ProductKind,
  type Session,
  type Tenant,
  type Tier,
  type Validity,
} from '../index.js'

export async function usage(path: string): Promise<void> {
  const inv: Inventory = await Inventory.openSqlite(path, { synchronous: 'normal', busyTimeoutMs: 1000, pageSize: 4096 })
  const shared: Promise<Inventory> = Inventory.openPostgres('host=/run/postgresql dbname=x', { maxConnections: 4, maxRetries: 2, migrate: true })
  void shared
  const opts: PostgresOptions = {}
  void Inventory.openPostgres('postgres://app@db/licenses', opts)
  // @ts-expect-error: the URL is a string
  void Inventory.openPostgres({ host: 'db' })
  inv.setTime(new Date('2017-10-20T01:45:00Z'))
  inv.setTime(null)
  const plan: Plan = 'enterprise'
  const t = await inv.createTenant({ name: 'T', plan, vendorName: 'V', firstOrderNumber: 1210 })
  const all: Tenant[] = await inv.tenants()
  const oldest: Tenant | undefined = all[0]
  void oldest
  const tier: Tier = 'distributor'
  const org = await inv.createOrg(t.id, { name: 'D', tier, parent: t.vendor })
  const parent: string | null = org.parent
  const user = await inv.createUser(t.id, { name: 'U', email: 'u@example.com' })
  await inv.grantAdmin(t.id, user.id, org.id)
  const kind: ProductKind = 'activation_code'
  const p = await inv.createProduct(t.id, { code: 'UAC', name: 'Codes', kind })
  const s: Session = await inv.session(t.id, user.id)
  const o = await s.request({ holder: org.id, product: p.id, quantity: 1 })
  const status: OrderStatus = o.status
  const when: Date = o.requestedAt
  const approvedAt: Date | null = o.approvedAt
  const page: OrderPage = await s.list(org.id, { statuses: ['requested', 'active'], limit: 10 })
  const next: string | null = page.next
  const first: OrderDetails | undefined = page.items[0]
  try {
    await s.approve(o.id, { quantity: 1, comments: 'ok' })
  } catch (e) {
    const err = e as InventoryError
    if (err.code === 'INSUFFICIENT_INVENTORY') {
      const n: number = err.available + err.requested
      void n
    } else if (err.code === 'PERMISSION_DENIED') {
      const action: 'approve' | string = err.action
      void action
    }
  }
  // @ts-expect-error: not a tier
  await inv.createOrg(t.id, { name: 'X', tier: 'franchise', parent: t.vendor })
  // @ts-expect-error: ids are strings
  await s.order(42)
  void [parent, status, when, approvedAt, next, first]
}

/** The issue-4 API: policies, bundles, licenses, codes, managers, users, export, deletion. */
export async function licenses(inv: Inventory, s: Session, tenantId: string, orgId: string, userId: string): Promise<void> {
  const validity: Validity = { kind: 'days_from_activation', days: 30 }
  const policy: LicensePolicy = { validity, maxActivations: 2, floating: { maxBorrows: 2, maxBorrowSeconds: 3600 }, trial: false }
  const seat = await inv.createProduct(tenantId, { code: 'FS', name: 'Floating Seat', kind: 'license', policy })
  await inv.setProductPolicy(tenantId, seat.id, { ...seat.policy, floating: null })
  // @ts-expect-error: a validity of days needs its days
  void inv.setProductPolicy(tenantId, seat.id, { ...policy, validity: { kind: 'days_from_issue' } })
  const bundle: Bundle = await inv.createBundle(tenantId, { name: 'Pack', lines: [{ product: seat.id, quantity: 1 }] })
  const bundleOrders = await s.requestBundle({ holder: orgId, bundle: bundle.id, purchaseOrder: 'B-1' })
  const group: string | null = bundleOrders[0]?.bundle ?? null

  const order = await s.assign({ from: orgId, to: orgId, product: seat.id, quantity: 3 })
  await s.editMetadata(order.id, { reference: 'REF-1', campaign: { utm_source: 'newsletter' }, isTrial: true })
  const customer: Customer = { name: 'Elerome School', email: null, company: null, phone: null, reference: 'ES-2017' }
  const withCustomer = await s.setCustomer(order.id, customer)
  await s.setCustomer(order.id, null)
  const reference: string | null = withCustomer.metadata.reference

  const issued: License[] = await s.issue(order.id, 2)
  const license = issued[0]!
  const key: string = license.key
  const licenseStatus: LicenseStatus = license.status
  const expires: Date | null = license.expiresAt
  const devices: number = (await inv.activate(tenantId, key, 'pc-1', 'Front desk')).activations.length
  await inv.deactivate(tenantId, key, 'pc-1')
  await inv.checkLicense(tenantId, key)
  await inv.redeem(tenantId, key, 'student@example.com')
  await s.resetDevice(license.id, 'pc-1')
  await s.resetLicense(license.id)
  const borrowed = await s.borrow(license.id, 'desk-1', 600)
  const until: Date | undefined = borrowed.borrows[0]?.until
  await s.returnBorrow(license.id, 'desk-1')
  await s.disable(license.id)
  await s.enable(license.id)
  const back = await s.revoke(issued[1]!.id)
  const available: number = back.available
  const page: License[] = await s.licenses(order.id, { after: license.id, limit: 10 })
  await s.license(key)

  const student: LicenseUser = await s.addLicenseUser(order.id, { email: 'student@example.com', name: 'Stu', password: 'correct horse' })
  const hasPassword: boolean = student.hasPassword
  await s.editLicenseUser(student.id, { name: 'Stu Dent' })
  await s.setLicenseUserPassword(student.id, 'battery staple')
  const ok: boolean = await inv.verifyLicenseUserPassword(tenantId, student.id, 'battery staple')
  await s.assignLicense(license.id, student.id)
  await s.assignLicense(license.id, null)
  await s.deleteLicenseUser(student.id)
  const users: LicenseUser[] = await s.licenseUsers(order.id)

  const permissions: Permission[] = ['manage_license_users', 'reset_device']
  const manager: LicenseManager = await s.addLicenseManager(order.id, userId, permissions)
  const held: Permission[] = manager.permissions
  const managers: LicenseManager[] = await s.licenseManagers(order.id)
  // @ts-expect-error: not one of the nine permissions
  await s.addLicenseManager(order.id, userId, ['fly'])

  const columns: string[] = [...ORDER_COLUMNS, ...INVENTORY_COLUMNS]
  const rows: number = await s.exportOrderCsv(order.id, '/tmp/order.csv')
  await s.exportInventoryCsv(orgId, '/tmp/inventory.csv', { statuses: ['active'], purchaseOrder: 'EE' })
  await s.returnUnits(order.id, 1)
  const gone: void = await s.deleteOrder(order.id)
  void [group, reference, key, licenseStatus, expires, devices, until, available, page, hasPassword, ok, users, held, managers, columns, rows, gone]
}

/** The notification outbox: read the pending messages, send them, mark them sent. */
export async function notifications(inv: Inventory, tenantId: string, send: (to: string, subject: string) => Promise<void>): Promise<number> {
  const pending: Notification[] = await inv.pendingNotifications(tenantId)
  const page: Notification[] = await inv.pendingNotifications(tenantId, 10)
  for (const n of pending) {
    const kind: NotificationKind = n.kind
    const digest: OrderDigest = n.digest
    const po: string | null = digest.purchaseOrder
    const source: string | null = digest.sourceName
    const comments: string | null = digest.approvalComments ?? digest.requesterComments
    const figures: number = digest.number + digest.requestedQuantity + digest.approvedQuantity
    const granted: Permission[] = n.permissions
    const created: Date = n.createdAt
    const sent: Date | null = n.sentAt
    const seq: number = n.seq
    let line: string
    switch (kind) {
      case 'request_confirmation':
      case 'request_received':
      case 'request_approved':
      case 'request_rejected':
        line = `${digest.productName} for ${digest.holderName}`
        break
      case 'manager_invitation':
        line = granted.join(', ')
        break
      default: {
        const never: never = kind
        line = never
      }
    }
    // @ts-expect-error: not a notification kind
    const wrong: NotificationKind = 'request_cancelled'
    await send(`${n.name} <${n.email}>`, n.subject)
    void [po, source, comments, figures, created, sent, seq, line, wrong, n.recipient, n.order, n.tenant]
  }
  const marked: number = await inv.markNotificationsSent(tenantId, pending.map((n) => n.id))
  const one: Notification = await inv.notification(tenantId, page[0]?.id ?? '')
  // @ts-expect-error: ids are strings
  await inv.markNotificationsSent(tenantId, [42])
  try {
    await inv.markNotificationsSent(tenantId, ['00000000-0000-7000-8000-000000000000'])
  } catch (e) {
    const err = e as InventoryError
    if (err.code === 'NOT_FOUND' && err.entity === 'notification') return marked
  }
  return marked + (one.sentAt === null ? 0 : 1)
}

/** History: ledger reads per order, organization and time range; any past moment rebuilt. */
export async function history(inv: Inventory, tenantId: string, orderId: string, orgId: string): Promise<number> {
  const since = new Date('2017-10-20T00:00:00Z')
  const filter: LedgerFilter = { order: orderId, from: since, to: new Date() }
  const ofOrder: LedgerEntry[] = await inv.ledgerMatching(tenantId, filter, { limit: 50 })
  const everything: LedgerEntry[] = await inv.ledgerMatching(tenantId)
  const next: LedgerEntry[] = await inv.ledgerMatching(tenantId, { org: orgId }, { after: ofOrder.at(-1)?.seq ?? 0 })
  await inv.ledgerMatching(tenantId, null, null)
  const kinds: LedgerKind[] = ofOrder.map((e) => e.kind)
  // @ts-expect-error: the time range takes Dates
  await inv.ledgerMatching(tenantId, { from: '2017-10-20' })
  // @ts-expect-error: the filter's fields are `order` and `org`
  await inv.ledgerMatching(tenantId, { orderId })

  const then: OrderFigures = await inv.orderAt(tenantId, orderId, since)
  const figures: number = then.approved + then.drawn + then.issued + then.available
  const holder: string = then.org
  const product: string = then.product
  const held: Holding[] = await inv.holdingsAt(tenantId, orgId, since)
  const units: number = held.reduce((n, h) => n + h.orders + h.approved + h.drawn + h.issued + h.available, 0)
  const first: string | undefined = held[0]?.product
  // @ts-expect-error: `at` is a Date
  await inv.orderAt(tenantId, orderId, '2017-10-20')
  try {
    await inv.orderAt(tenantId, orderId, since)
  } catch (e) {
    const err = e as InventoryError
    if (err.code === 'NOT_FOUND' && err.entity === 'order') return 0
  }
  void [everything, next, kinds, holder, product, first, then.order]
  return figures + units
}

/** Every error narrows on `code` to the figures of its kind. */
export function explain(e: unknown): string {
  const err = e as InventoryError
  const code: ErrorCode = err.code
  switch (err.code) {
    case 'MISTYPED_KEY':
      return `${err.key}: ${err.reason}`
    case 'ACTIVATION_LIMIT': {
      const max: number = err.max
      return `at most ${max} devices`
    }
    case 'BORROW_LIMIT':
      return err.reason
    case 'LICENSE_UNUSABLE':
      return `${err.key} ${err.reason}`
    case 'PLAN_REQUIRED': {
      const permission: Permission = err.permission
      return `${permission} needs the enterprise plan`
    }
    case 'ORDER_IN_USE': {
      const children: number[] = err.children
      return `order ${err.orderNumber} feeds ${children.join(', ')}`
    }
    case 'EXPORT_FAILED': {
      const cause: Error = err.cause
      return cause.message
    }
    case 'PERMISSION_DENIED': {
      const action: Action = err.action
      // @ts-expect-error: PERMISSION_DENIED carries no `max`
      void err.max
      return `${err.actor} may not ${action}`
    }
    case 'NOT_FOUND': {
      const entity: Entity = err.entity
      return `${entity} ${err.id}`
    }
    case 'INVALID_STATE':
      return `${err.orderNumber} is ${err.status}: no ${err.action}`
    default:
      return `${code}: ${err.message}`
  }
}


/** Safe retries: a keyed handle runs each command at most once per key and tenant. */
export async function retries(inv: Inventory, s: Session, tenantId: string, orderId: string, requestId: string): Promise<License[]> {
  const once: Session = s.withIdempotencyKey(`issue-${orderId}`)
  const issued: License[] = await once.issue(orderId, 2)
  const again: License[] = await once.issue(orderId, 2) // a retry: the same licenses, nothing issued
  const keyedInv: Inventory = inv.withIdempotencyKey('activate-pc-1')
  keyedInv.setTime(null) // the same clock as `inv`
  const activated: License = await keyedInv.activate(tenantId, issued[0]!.key, 'pc-1', 'Front desk')
  const keyedSession: Session = await keyedInv.session(tenantId, s.user)
  try {
    await s.withIdempotencyKey(`issue-${orderId}`).approve(requestId)
  } catch (e) {
    const err = e as InventoryError
    if (err.code === 'CONFLICT') {
      const what: string = err.what
      void what
    } else if (err.code === 'INVALID_INPUT') {
      const field: string = err.field
      void field
    }
  }
  // @ts-expect-error: the key is a string
  s.withIdempotencyKey(42)
  // @ts-expect-error: synchronous: a handle, not a Promise
  const notAPromise: Promise<Session> = s.withIdempotencyKey('k')
  void [again, activated, keyedSession, notAPromise]
  return issued
}

/** All-or-nothing batches: a union of commands on `kind` in, a union of results on `kind` out. */
export async function batches(s: Session, requestIds: string[], from: string, to: string, productId: string, heldId: string): Promise<string[]> {
  const approvals: BatchCommand[] = requestIds.map((order) => ({ kind: 'approve', order, comments: 'batch' }))
  const commands: BatchCommand[] = [
    ...approvals,
    { kind: 'approve', order: heldId, quantity: 1 },
    { kind: 'request', holder: to, product: productId, quantity: 1, purchaseOrder: 'PO-1', comments: 'more' },
    { kind: 'reject', order: heldId, comments: 'not now' },
    { kind: 'reject', order: heldId },
    { kind: 'cancel', order: heldId },
    { kind: 'assign', from, to, product: productId, quantity: 3 },
    { kind: 'issue', order: heldId, quantity: 2 },
    { kind: 'edit_metadata', order: heldId, reference: 'REF-1', campaign: { source: 'fall' }, isTest: false },
    { kind: 'set_customer', order: heldId, customer: null },
    { kind: 'issue_in_bulk', order: heldId, quantity: 500 },
    { kind: 'request_bundle', holder: to, bundle: productId, purchaseOrder: 'PO-2' },
    { kind: 'add_license_user', order: heldId, email: 'a@b.example', name: 'Ann', password: 'correct horse' },
    { kind: 'set_license_user_password', user: heldId, password: 'battery staple' },
  ]
  const max: number = MAX_BATCH
  const chunk: BatchCommand[] = commands.slice(0, max)
  for (const c of chunk) {
    if (c.kind === 'issue') {
      const units: number = c.quantity
      void units
    } else if (c.kind === 'approve') {
      const units: number | undefined = c.quantity
      void units
    } else if (c.kind === 'assign') {
      const route: string = `${c.from} > ${c.to}`
      void route
    }
  }
  const results: BatchResult[] = await s.batch(chunk)
  const keys: string[] = []
  for (const r of results) {
    switch (r.kind) {
      case 'order': {
        const status: OrderStatus = r.order.status
        const available: number = r.order.available
        void [status, available]
        break
      }
      case 'licenses': {
        const issued: License[] = r.licenses
        keys.push(...issued.map((l) => l.key))
        break
      }
      case 'license':
        keys.push(r.license.key)
        break
      case 'manager':
        keys.push(r.manager.user)
        break
      case 'license_user':
        keys.push(r.licenseUser.email)
        break
      case 'orders': {
        const bundle: Order[] = r.orders
        keys.push(...bundle.map((o) => o.id))
        break
      }
      case 'issued': {
        const issued: Issued = r.issued
        keys.push(issued.order.id)
        break
      }
      case 'done':
        break
      default: {
        const never: never = r
        void never
      }
    }
  }
  const keyed: BatchResult[] = await s.withIdempotencyKey('batch-1').batch(approvals)
  try {
    await s.batch(approvals)
  } catch (e) {
    const err = e as InventoryError
    if (err.code === 'INSUFFICIENT_INVENTORY') keys.push(`${err.available} of ${err.requested}`)
    else if (err.code === 'INVALID_INPUT') keys.push(`${err.field}: ${err.reason}`)
  }
  // @ts-expect-error: an issue needs its quantity
  void s.batch([{ kind: 'issue', order: heldId }])
  // @ts-expect-error: a cancel takes no comments
  void s.batch([{ kind: 'cancel', order: heldId, comments: 'why' }])
  // @ts-expect-error: not a kind of batch command
  void s.batch([{ kind: 'add_license_users', order: heldId, email: 'a@b.example' }])
  // @ts-expect-error: a license user needs an email
  void s.batch([{ kind: 'add_license_user', order: heldId, name: 'Ann' }])
  // @ts-expect-error: a password change names the license user and the password
  void s.batch([{ kind: 'set_license_user_password', user: heldId }])
  // @ts-expect-error: a mint names its product and quantity, not an order
  void s.batch([{ kind: 'mint', order: heldId, quantity: 1 }])
  // @ts-expect-error: a request names its holder, not an order
  void s.batch([{ kind: 'request', order: heldId, product: productId, quantity: 1 }])
  // @ts-expect-error: a result is narrowed on `kind` before its licenses are read
  void results[0]?.licenses
  // @ts-expect-error: a Promise of results
  const notYet: BatchResult[] = s.batch(chunk)
  void [keyed, notYet]
  return keys
}

/** The core's limits and names, as a form would check them before calling. */
export async function limits(inv: Inventory, s: Session, tenantId: string): Promise<string[]> {
  const figures: number[] = [
    MAX_QUANTITY, MAX_ISSUE, MAX_NAME, MAX_PURCHASE_ORDER, MAX_COMMENT, DEFAULT_PAGE, MAX_PAGE,
    MAX_BATCH, MIN_PASSWORD, MAX_IDEMPOTENCY_KEY,
  ]
  const audit: Audit = await inv.audit(tenantId)
  const clean: boolean = audit.isClean
  // @ts-expect-error: the core's name is `isClean`
  void audit.clean
  const actor: string = s.user
  const tenant: string = s.tenant
  // @ts-expect-error: the core's name is `user`
  void s.userId
  const action: Action = 'borrow_license'
  const entity: Entity = 'license user'
  // @ts-expect-error: `Action::Borrow` is `borrow_license` in the core
  const borrow: Action = 'borrow'
  void [figures, clean, borrow]
  return [actor, tenant, action, entity]
}

/** close(), asyncDispose, the async iterator and the stream exports. */
export async function lifecycle(inv: Inventory, s: Session, orderId: string, orgId: string, sink: CsvWritable): Promise<number> {
  let count = 0
  for await (const l of s.licensesOf(orderId, { pageSize: 100 })) {
    const key: string = l.key
    void key
    count++
  }
  const rows: number = await s.exportOrderCsvTo(orderId, sink)
  const inventoryRows: number = await s.exportInventoryCsvTo(orgId, sink, { statuses: ['active'] }, { end: false })
  await inv[Symbol.asyncDispose]()
  const closing: Promise<void> = inv.close()
  await closing
  try {
    await s.order(orderId)
  } catch (e) {
    const err = e as InventoryError
    if (err.code === 'CLOSED') count = -1
  }
  // @ts-expect-error: a stream, not a path
  void s.exportOrderCsvTo(orderId, '/tmp/out.csv')
  return count + rows + inventoryRows
}
