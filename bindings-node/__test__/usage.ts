// Type-checked (never run) by types.test.mjs: the generated index.d.ts describes the API with
// string unions, Dates, nullable fields and Promises, and the error type narrows on `code`.
import {
  Inventory,
  type InventoryError,
  type OrderDetails,
  type OrderPage,
  type OrderStatus,
  type Plan,
  type PostgresOptions,
  type ProductKind,
  type Session,
  type Tenant,
  type Tier,
} from '../index.js'

export async function usage(path: string): Promise<void> {
  const inv: Inventory = await Inventory.openSqlite(path, { synchronous: 'normal', busyTimeoutMs: 1000 })
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
