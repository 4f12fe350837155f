// The JavaScript half of the API, installed over the native classes by index.js. The addon
// (binding.cjs) does the work; this file makes it behave like a Node library:
//
// - Every Promise-returning method reports every failure as a rejected Promise. napi-rs
//   converts arguments before the method runs and throws synchronously, with its own codes
//   (`NumberExpected`, `InvalidArg`) and Rust's type names; such a throw becomes a rejection
//   with code `INVALID_INPUT`, `field` naming the argument or field, and a message in the
//   library's words. The two synchronous methods (`setTime`, `withIdempotencyKey`) throw the
//   same error.
// - `issue`, `importLicenses` and `importLicensesCsv` resolve to an opaque handle on the
//   licenses (converted off the event loop); their JS objects are built a page at a time, with
//   a turn of the event loop between pages, so 100,000 licenses never block it for long.
// - `Session.licensesOf` iterates over an order's licenses (async, a page per call);
//   `exportOrderCsvTo` / `exportInventoryCsvTo` write an export to a Node stream;
//   `Inventory[Symbol.asyncDispose]` is `close()`.
'use strict'

/**
 * The parameters and result of every native method, as index.d.ts declares them
 * (__test__/api.test.mjs checks that they are the same): what names an argument in an error.
 */
const SIGNATURES = {
  Inventory: {
    "static inMemory": '(): Promise<Inventory>',
    "static openSqlite": '(path: string, options?: SqliteOptions | undefined | null): Promise<Inventory>',
    "static openPostgres": '(url: string, options?: PostgresOptions | undefined | null): Promise<Inventory>',
    close: '(): Promise<void>',
    setTime: '(at?: Date | undefined | null): void',
    withIdempotencyKey: '(key: string): Inventory',
    createTenant: '(tenant: NewTenant): Promise<Tenant>',
    tenant: '(tenantId: string): Promise<Tenant>',
    tenants: '(): Promise<Array<Tenant>>',
    createOrg: '(tenantId: string, org: NewOrganization): Promise<Organization>',
    org: '(tenantId: string, orgId: string): Promise<Organization>',
    deactivateOrg: '(tenantId: string, orgId: string): Promise<Organization>',
    createUser: '(tenantId: string, user: NewUser): Promise<User>',
    user: '(tenantId: string, userId: string): Promise<User>',
    grantAdmin: '(tenantId: string, userId: string, orgId: string): Promise<void>',
    revokeAdmin: '(tenantId: string, userId: string, orgId: string): Promise<void>',
    reactivateOrg: '(tenantId: string, orgId: string): Promise<Organization>',
    deactivateUser: '(tenantId: string, userId: string): Promise<User>',
    reactivateUser: '(tenantId: string, userId: string): Promise<User>',
    changePlan: '(tenantId: string, plan: Plan): Promise<Tenant>',
    renameProduct: '(tenantId: string, productId: string, name: string): Promise<Product>',
    retireProduct: '(tenantId: string, productId: string): Promise<Product>',
    createProduct: '(tenantId: string, product: NewProduct): Promise<Product>',
    setProductPolicy: '(tenantId: string, productId: string, policy: LicensePolicy): Promise<Product>',
    createBundle: '(tenantId: string, bundle: NewBundle): Promise<Bundle>',
    bundle: '(tenantId: string, bundleId: string): Promise<Bundle>',
    activate: '(tenantId: string, key: string, fingerprint: string, deviceName: string): Promise<License>',
    deactivate: '(tenantId: string, key: string, fingerprint: string): Promise<License>',
    redeem: '(tenantId: string, code: string, redeemedBy: string): Promise<License>',
    checkLicense: '(tenantId: string, key: string): Promise<License>',
    verifyLicenseUserPassword: '(tenantId: string, licenseUserId: string, password: string): Promise<boolean>',
    product: '(tenantId: string, productId: string): Promise<Product>',
    productByCode: '(tenantId: string, code: string): Promise<Product>',
    session: '(tenantId: string, userId: string): Promise<Session>',
    ledger: '(tenantId: string, options?: LedgerOptions | undefined | null): Promise<Array<LedgerEntry>>',
    ledgerMatching: '(tenantId: string, filter?: LedgerFilter | undefined | null, options?: LedgerOptions | undefined | null): Promise<Array<LedgerEntry>>',
    pruneIdempotencyKeys: '(tenantId: string, before: Date): Promise<number>',
    orderAt: '(tenantId: string, orderId: string, at: Date): Promise<OrderFigures>',
    holdingsAt: '(tenantId: string, orgId: string, at: Date): Promise<Array<Holding>>',
    audit: '(tenantId: string): Promise<Audit>',
    checkpoint: '(tenantId: string, signingKey: string): Promise<Checkpoint>',
    auditAgainst: '(tenantId: string, checkpoints: Array<Checkpoint>, verifyingKey: string): Promise<Audit>',
    pendingNotifications: '(tenantId: string, limit?: number | undefined | null): Promise<Array<Notification>>',
    markNotificationsSent: '(tenantId: string, ids: Array<string>): Promise<number>',
    notification: '(tenantId: string, notificationId: string): Promise<Notification>',
  },
  Session: {
    withIdempotencyKey: '(key: string): Session',
    mint: '(mint: NewMint): Promise<Order>',
    request: '(request: NewRequest): Promise<Order>',
    editRequest: '(orderId: string, edit: RequestEdit): Promise<Order>',
    cancel: '(orderId: string): Promise<Order>',
    approve: '(orderId: string, options?: ApproveOptions | undefined | null): Promise<Order>',
    reject: '(orderId: string, options?: RejectOptions | undefined | null): Promise<Order>',
    batch: '(commands: Array<BatchCommand>): Promise<Array<BatchResult>>',
    assign: '(assignment: NewAssignment): Promise<Order>',
    order: '(orderId: string): Promise<OrderDetails>',
    orderByNumber: '(number: number): Promise<OrderDetails>',
    list: '(orgId: string, options?: ListOptions | undefined | null): Promise<OrderPage>',
    approvalQueue: '(orgId: string, options?: ListOptions | undefined | null): Promise<OrderPage>',
    suppliedOrders: '(orgId: string, options?: ListOptions | undefined | null): Promise<OrderPage>',
    organization: '(orgId: string): Promise<Organization>',
    childOrgs: '(orgId: string, options?: PageOptions | undefined | null): Promise<OrgPage>',
    subtree: '(orgId: string, maxDepth?: number | undefined | null, options?: PageOptions | undefined | null): Promise<OrgTreePage>',
    searchOrgs: '(prefix?: string | undefined | null, options?: PageOptions | undefined | null): Promise<OrgPage>',
    findUser: '(userId: string): Promise<User>',
    searchUsers: '(prefix?: string | undefined | null, options?: PageOptions | undefined | null): Promise<UserPage>',
    orgAdmins: '(orgId: string): Promise<Array<User>>',
    rolesOf: '(userId: string): Promise<Array<Role>>',
    products: '(options?: PageOptions | undefined | null): Promise<ProductPage>',
    product: '(productId: string): Promise<Product>',
    bundles: '(options?: PageOptions | undefined | null): Promise<BundlePage>',
    bundle: '(bundleId: string): Promise<Bundle>',
    summary: '(orgId: string): Promise<Array<SummaryLine>>',
    detailOfUse: '(orderId: string): Promise<InventoryUse>',
    editMetadata: '(orderId: string, edit: MetadataEdit): Promise<Order>',
    setCustomer: '(orderId: string, customer: Customer | null): Promise<Order>',
    issue: '(orderId: string, quantity: number): Promise<Array<License>>',
    importLicenses: '(orderId: string, keys: Array<string>): Promise<Array<License>>',
    importLicensesCsv: '(orderId: string, path: string): Promise<Array<License>>',
    issueInBulk: '(orderId: string, quantity: number): Promise<Issued>',
    licenses: '(orderId: string, options?: LicenseListOptions | undefined | null): Promise<Array<License>>',
    license: '(key: string): Promise<License>',
    resetDevice: '(licenseId: string, fingerprint: string): Promise<License>',
    resetLicense: '(licenseId: string): Promise<License>',
    disable: '(licenseId: string): Promise<License>',
    enable: '(licenseId: string): Promise<License>',
    borrow: '(licenseId: string, borrower: string, seconds: number): Promise<License>',
    returnBorrow: '(licenseId: string, borrower: string): Promise<License>',
    revoke: '(licenseId: string): Promise<Order>',
    addLicenseUser: '(orderId: string, user: NewLicenseUser): Promise<LicenseUser>',
    editLicenseUser: '(licenseUserId: string, edit: LicenseUserEdit): Promise<LicenseUser>',
    deleteLicenseUser: '(licenseUserId: string): Promise<void>',
    assignLicense: '(licenseId: string, licenseUserId: string | null): Promise<License>',
    setLicenseUserPassword: '(licenseUserId: string, password: string): Promise<void>',
    licenseUsers: '(orderId: string): Promise<Array<LicenseUser>>',
    addLicenseManager: '(orderId: string, userId: string, permissions: Array<Permission>): Promise<LicenseManager>',
    setLicenseManagerPermissions: '(orderId: string, userId: string, permissions: Array<Permission>): Promise<LicenseManager>',
    removeLicenseManager: '(orderId: string, userId: string): Promise<void>',
    licenseManagers: '(orderId: string): Promise<Array<LicenseManager>>',
    requestBundle: '(request: NewBundleRequest): Promise<Array<Order>>',
    returnUnits: '(orderId: string, quantity: number): Promise<Order>',
    deleteOrder: '(orderId: string): Promise<void>',
    exportOrderCsv: '(orderId: string, path: string): Promise<number>',
    exportInventoryCsv: '(orgId: string, path: string, filter?: InventoryFilter | undefined | null): Promise<number>',
  },
}

/** The codes index.d.ts documents: an error that has one is passed on as it is. */
const CODES = new Set([
  'INVALID_INPUT', 'NOT_FOUND', 'PERMISSION_DENIED', 'INSUFFICIENT_INVENTORY', 'INVALID_STATE',
  'HIERARCHY_VIOLATION', 'CONFLICT', 'SCHEMA_MISMATCH', 'INVARIANT_VIOLATED', 'MISTYPED_KEY',
  'ACTIVATION_LIMIT', 'BORROW_LIMIT', 'LICENSE_UNUSABLE', 'PLAN_REQUIRED', 'ORDER_IN_USE',
  'EXPORT_FAILED', 'STORAGE', 'RANDOMNESS_UNAVAILABLE', 'PASSWORD_HASHING_FAILED',
  'INTERNAL_PANIC', 'CLOSED',
])

/**
 * Licenses are built `LICENSE_STEP` at a time (under a millisecond in a release build), for
 * up to `TURN_MS` per turn of the event loop.
 */
const LICENSE_STEP = 100
const TURN_MS = 4

/** Installs the API over `binding` (the addon's exports) and returns it. */
function install(binding) {
  const { Session } = binding
  const Native = binding.Inventory
  // The addon's static methods cannot be replaced (napi makes them read-only): `Inventory` is a
  // function sharing the native class's prototype (so `instanceof` holds for every inventory
  // the addon makes), with the wrapped openers.
  const Inventory = function Inventory() {
    throw new TypeError('Inventory has no constructor: open one with Inventory.inMemory(), Inventory.openSqlite(path) or Inventory.openPostgres(url)')
  }
  Inventory.prototype = Native.prototype
  for (const [cls, target, native] of [[Native, Inventory, Native], [Native, Native.prototype], [Session, Session.prototype]]) {
    const className = cls.name
    for (const [key, text] of Object.entries(SIGNATURES[className])) {
      const isStatic = key.startsWith('static ')
      if (isStatic !== (target === Inventory)) continue
      const name = isStatic ? key.slice('static '.length) : key
      if (isStatic) target[name] = native[name].bind(native)
      wrap(target, `${className}.${name}`, name, parse(text), binding)
    }
  }
  binding.Inventory = Inventory
  for (const name of ['issue', 'importLicenses', 'importLicensesCsv']) {
    const native = Session.prototype[name]
    Session.prototype[name] = {
      async [name](...args) {
        return pages(await native.apply(this, args), binding)
      },
    }[name]
  }
  Session.prototype.licensesOf = licensesOf
  Session.prototype.exportOrderCsvTo = function exportOrderCsvTo(orderId, writable, options) {
    return toStream(() => this.exportOrderCsvChunks(orderId), 'Session.exportOrderCsvTo', writable, options, binding)
  }
  Session.prototype.exportInventoryCsvTo = function exportInventoryCsvTo(orgId, writable, filter, options) {
    return toStream(() => this.exportInventoryCsvChunks(orgId, filter), 'Session.exportInventoryCsvTo', writable, options, binding)
  }
  wrap(Session.prototype, 'Session.exportOrderCsvTo', 'exportOrderCsvChunks', parse('(orderId: string): CsvChunks'), binding)
  wrap(Session.prototype, 'Session.exportInventoryCsvTo', 'exportInventoryCsvChunks', parse('(orgId: string, filter?: InventoryFilter | undefined | null): CsvChunks'), binding)
  if (typeof Symbol.asyncDispose === 'symbol') {
    Native.prototype[Symbol.asyncDispose] = function asyncDispose() {
      return this.close()
    }
  }
  return binding
}

/** `{ params: [{ name, type, optional }], async }` of a signature's text. */
function parse(text) {
  const m = text.match(/^\((.*)\): (.+)$/)
  const params = split(m[1]).map((p) => {
    const pm = p.match(/^(\w+)(\??): (.+)$/)
    return { name: pm[1], type: pm[3], optional: pm[2] === '?' || / \| (null|undefined)\b/.test(pm[3]) }
  })
  return { params, async: m[2].startsWith('Promise<') }
}

/** The comma-separated parts of `text`, outside brackets. */
function split(text) {
  const out = []
  let depth = 0
  let part = ''
  for (const ch of text) {
    if ('<({['.includes(ch)) depth++
    if ('>)}]'.includes(ch)) depth--
    if (ch === ',' && depth === 0) {
      out.push(part.trim())
      part = ''
    } else part += ch
  }
  if (part.trim()) out.push(part.trim())
  return out
}

/** Replaces `target[name]` with a method that turns napi's argument errors into ours. */
function wrap(target, label, name, signature, binding) {
  const native = target[name]
  if (typeof native !== 'function') return
  target[name] = {
    [name](...args) {
      try {
        // napi lets some values through (a number for an options object): checked here first.
        const error = topLevelError(label, signature, args, binding)
        if (error) throw error
        return native.apply(this, args)
      } catch (err) {
        const error = argumentError(err, label, signature, args, binding)
        if (signature.async) return Promise.reject(error)
        throw error
      }
    },
  }[name]
}

/** The error of the first argument that is not of its declared type (its top level), if any. */
function topLevelError(label, signature, args, binding) {
  for (const [i, p] of signature.params.entries()) {
    const expected = mismatch(p.type, args[i], binding)
    if (expected) return invalid(p.name, `${label}: expected ${expected}, got ${describe(args[i])}`)
  }
  return null
}

/** An `INVALID_INPUT` error naming `field`. */
function invalid(field, reason, cause) {
  const err = new Error(`invalid ${field}: ${reason}`, cause ? { cause } : undefined)
  err.code = 'INVALID_INPUT'
  err.field = field
  err.reason = reason
  return err
}

/**
 * The error of a synchronous throw from napi's argument conversion: `INVALID_INPUT` naming the
 * argument (or the field of an argument) and what was expected. An error with a documented code
 * is returned as it is.
 */
function argumentError(err, label, signature, args, binding) {
  if (err && CODES.has(err.code)) return err
  // A field of an object argument: napi names it (and its Rust struct) in its message.
  const message = String(err && err.message)
  const missing = message.match(/Missing field `(\w+)`/)
  const on = message.match(/ on (\w+)\.(\w+)\s*$/)
  const field = camel((missing && missing[1]) || (on && on[2]) || '')
  if (!field) return invalid('arguments', `${label}: an argument is not of the declared type (see index.d.ts)`, err)
  const enumName = message.match(/enum `(\w+)`/)
  let expected
  let fits = () => false
  if (enumName && binding[enumName[1]]) {
    expected = oneOf(binding[enumName[1]])
    const known = (v) => Object.values(binding[enumName[1]]).includes(v)
    fits = (v) => (Array.isArray(v) ? v.every(known) : known(v))
  } else if (/Unknown variant/.test(message)) expected = 'a known kind'
  else if (/not an array/.test(message)) [expected, fits] = ['an array', Array.isArray]
  else if (/Expected a Date/.test(message)) [expected, fits] = ['a Date', (v) => v instanceof Date]
  else if (/`(f64|u32|i64|i32|u64)`/.test(message)) [expected, fits] = ['a number', (v) => typeof v === 'number']
  else if (/`String`/.test(message)) [expected, fits] = ['a string', (v) => typeof v === 'string']
  else if (/`bool`/.test(message)) [expected, fits] = ['a boolean', (v) => typeof v === 'boolean']
  else expected = 'a value of its declared type'
  const wrong = missing ? (o) => !(field in o) || o[field] === undefined : (o) => field in o && !fits(o[field])
  const [param, value, where] = locate(signature, args, wrong, on && on[1])
  const name = param ? `${param}${where}.${field}` : field
  if (missing) return invalid(field, `${label}: ${name} is missing`, err)
  const got = value?.[field]
  if (Array.isArray(got) && enumName) {
    // An unknown string in an array of enums (`statuses: ['pending']`).
    const i = got.findIndex((v) => !fits(v))
    return invalid(field, `${label}: ${name}[${i}] must be ${expected}, got ${describe(got[i])}`, err)
  }
  return invalid(field, `${label}: ${name} must be ${expected}, got ${describe(got)}`, err)
}

/**
 * The parameter holding the object whose field is `wrong`, its value there and where (`[3]` for
 * an element of an array): among the parameters typed `struct` if there are any, else among
 * every object argument.
 */
function locate(signature, args, wrong, struct) {
  const objects = signature.params
    .map((p, i) => [p, args[i]])
    .filter(([, v]) => v !== null && typeof v === 'object' && !(v instanceof Date))
  const typed = objects.filter(([p]) => struct && p.type.split(' ')[0] === struct)
  const isWrong = (v) => v !== null && typeof v === 'object' && wrong(v)
  for (const [p, v] of typed.length > 0 ? typed : objects) {
    if (Array.isArray(v)) {
      const i = v.findIndex(isWrong)
      if (i >= 0) return [p.name, v[i], `[${i}]`]
    } else if (isWrong(v)) {
      return [p.name, v, '']
    }
  }
  return [null, undefined, '']
}

/** What a value of declared `type` must be, if `value` is not one; null if it is. */
function mismatch(type, value, binding) {
  const alternatives = type.split(' | ')
  if (value === undefined || value === null) {
    return alternatives.includes('null') || alternatives.includes('undefined') ? null : needed(alternatives[0], binding)
  }
  const main = alternatives[0]
  const expected = needed(main, binding)
  if (main === 'string') return typeof value === 'string' ? null : expected
  if (main === 'number') return typeof value === 'number' ? null : expected
  if (main === 'boolean') return typeof value === 'boolean' ? null : expected
  if (main === 'Date') return value instanceof Date ? null : expected
  const array = main.match(/^Array<(.+)>$/)
  if (array) {
    if (!Array.isArray(value)) return expected
    for (const [i, element] of value.entries()) {
      const inner = mismatch(array[1], element, binding)
      if (inner) return `${expected} (each ${inner}; [${i}] is ${describe(element)})`
    }
    return null
  }
  if (isEnum(binding[main])) return typeof value === 'string' && Object.values(binding[main]).includes(value) ? null : expected
  return typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) ? null : expected
}

/** How a message says what a value of `type` is. */
function needed(type, binding) {
  if (type === 'string' || type === 'number' || type === 'boolean') return `a ${type}`
  if (type === 'Date') return 'a Date'
  const array = type.match(/^Array<(.+)>$/)
  if (array) return `an array of ${array[1]}`
  if (isEnum(binding[type])) return oneOf(binding[type])
  return `an object (${type})`
}

function isEnum(value) {
  return value !== null && typeof value === 'object' && Object.values(value).every((v) => typeof v === 'string')
}

function oneOf(values) {
  const all = Object.values(values).map((v) => `'${v}'`)
  return `one of ${all.slice(0, -1).join(', ')} or ${all.at(-1)}`
}

/** A value as a message shows it. */
function describe(value) {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${value}`
  if (typeof value === 'bigint') return 'a BigInt'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Date) return 'a Date'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function camel(name) {
  return name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
}

/** Yields to the event loop (timers, I/O) once. */
function turn() {
  return new Promise((resolve) => setImmediate(resolve))
}

/** The licenses of a native handle, built a few milliseconds' worth per turn of the event loop. */
async function pages(handle, binding) {
  const all = []
  for (;;) {
    const start = performance.now()
    do {
      const page = binding.__takeLicenses(handle, LICENSE_STEP)
      for (const license of page) all.push(license)
      if (page.length < LICENSE_STEP) return all
    } while (performance.now() - start < TURN_MS)
    await turn()
  }
}

/**
 * The licenses of an order, by id, as an async iterator that reads a page (`pageSize`, 1 to
 * 1000, default 1000) per call of `licenses`.
 */
async function* licensesOf(orderId, options = {}) {
  const limit = options?.pageSize ?? 1000
  let after
  for (;;) {
    const page = await this.licenses(orderId, after === undefined ? { limit } : { after, limit })
    yield* page
    if (page.length < limit) return
    after = page.at(-1).id
  }
}

/**
 * Writes the pieces of a native export to `writable`, waiting for 'drain' when it asks to,
 * then ends it (unless `options.end` is false); resolves with the number of data rows. A failed
 * export rejects with its error and leaves the stream open; a stream that fails stops it.
 */
async function toStream(start, label, writable, options, binding) {
  if (!writable || typeof writable.write !== 'function' || typeof writable.once !== 'function') {
    throw invalid('writable', `${label}: expected a writable stream, got ${describe(writable)}`)
  }
  const chunks = start()
  let failed = null
  const onError = (err) => {
    failed = err
  }
  writable.on('error', onError)
  try {
    for (;;) {
      const piece = await binding.__nextCsvPiece(chunks)
      if (failed) throw failed
      if (piece === null || typeof piece === 'number') {
        if (options?.end !== false) await finish(writable)
        return piece ?? 0
      }
      if (!writable.write(piece)) await drained(writable)
    }
  } finally {
    writable.removeListener('error', onError)
    binding.__cancelCsv(chunks)
  }
}

/** Resolves at the stream's next 'drain'; rejects if it fails or closes first. */
function drained(writable) {
  return settleOn(writable, 'drain')
}

/** Ends the stream and resolves once it has finished. */
function finish(writable) {
  const done = settleOn(writable, 'finish')
  writable.end()
  return done
}

function settleOn(writable, event) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      writable.removeListener(event, onEvent)
      writable.removeListener('error', onError)
      writable.removeListener('close', onClose)
    }
    const onEvent = () => {
      cleanup()
      resolve()
    }
    const onError = (err) => {
      cleanup()
      reject(err)
    }
    const onClose = () => {
      cleanup()
      reject(new Error('the stream closed before the export was written'))
    }
    writable.once(event, onEvent)
    writable.once('error', onError)
    writable.once('close', onClose)
  })
}

module.exports = { install, SIGNATURES }
