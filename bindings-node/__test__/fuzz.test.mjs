// Fuzzing across the FFI with fast-check: every public method of Inventory and Session (the
// statics included) is called with generated arguments — valid ids of a real channel tree,
// wrong types, extremes, unicode, huge strings, NaN/Infinity, Invalid Dates, negative and huge
// numbers, null/undefined, objects with the input fields filled with any of these — and every
// outcome must be one of:
//   - success;
//   - a rejected Promise or thrown Error whose `code` is one of the binding's codes
//     (`ErrorCode` in index.d.ts), INTERNAL_PANIC excepted: a panic is a bug;
//   - a refusal of a wrong JS type with napi's own code (NAPI_TYPE_CODES below), or V8's own
//     `TypeError` (no `code`) when napi's conversion hits one: `null`/`undefined` where an
//     object is required, or an object holding a BigInt where a string is required (napi's
//     message calls JSON.stringify on it), as the README and index.d.ts document.
// never an INVARIANT_VIOLATED (the library's own "this is a bug" code) outside the documented
// exclusions, never a crash of the process, never a hang (each call must settle within
// CALL_TIMEOUT_MS).
//
// CI runs a fixed seed and a bounded number of runs per method (about 30 s in all). Longer:
//   LICENSE_INVENTORY_FUZZ_RUNS=2000 LICENSE_INVENTORY_FUZZ_SEED=$RANDOM \
//     node --test __test__/fuzz.test.mjs
// A failure prints the method, the arguments, the seed and fast-check's replay path.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import fc from 'fast-check'

import { Inventory, centerOrder, tempDir, world } from './helpers.mjs'

const RUNS = Number(process.env.LICENSE_INVENTORY_FUZZ_RUNS ?? 40)
const SEED = Number(process.env.LICENSE_INVENTORY_FUZZ_SEED ?? 20171020)
const CALL_TIMEOUT_MS = 10_000
/** Set to print, per method, how many calls ended in each outcome. */
const STATS = Boolean(process.env.LICENSE_INVENTORY_FUZZ_STATS)

/** napi's codes for an argument of the wrong JS type, thrown before the call reaches the core. */
const NAPI_TYPE_CODES = new Set([
  'InvalidArg',
  'ObjectExpected',
  'StringExpected',
  'NumberExpected',
  'BooleanExpected',
  'ArrayExpected',
  'BigintExpected',
  'DateExpected',
  'FunctionExpected',
])

const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')

/** The binding's own codes: the `ErrorCode` union of index.d.ts. */
const CORE_CODES = new Set(
  [...(dts.match(/export type ErrorCode =([^]*?)\n\n/)?.[1] ?? '').matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]),
)

/** Splits `text` at the commas outside brackets. */
function splitTop(text) {
  const out = []
  let depth = 0
  let cur = ''
  for (const c of text) {
    if ('<({['.includes(c)) depth++
    if ('>)}]'.includes(c)) depth--
    if (c === ',' && depth === 0) {
      out.push(cur.trim())
      cur = ''
    } else cur += c
  }
  if (cur.trim()) out.push(cur.trim())
  return out
}

/** `[name, [[param, type]], static]` of every method of `cls` declared in index.d.ts. */
function methodsOf(cls) {
  const body = dts.match(new RegExp(`export declare class ${cls} \\{([^]*?)\\n\\}`))?.[1]
  assert.ok(body, `class ${cls} in index.d.ts`)
  const out = []
  for (const m of body.matchAll(/^ {2}(static )?(\w+)\((.*)\): /gm)) {
    if (m[2] === 'constructor') continue
    const params = splitTop(m[3]).map((p) => {
      const i = p.indexOf(':')
      return [p.slice(0, i).replace('?', '').trim(), p.slice(i + 1).trim()]
    })
    out.push([m[2], params, Boolean(m[1])])
  }
  return out
}

/** The interfaces of index.d.ts: name → [[field, type, optional]]. */
const INTERFACES = Object.fromEntries(
  [...dts.matchAll(/^export interface (\w+) \{([^]*?)\n\}/gm)].map((m) => [
    m[1],
    [...m[2].matchAll(/^ {2}(\w+)(\??): (.+)$/gm)].map((f) => [f[1], f[3].trim(), f[2] === '?']),
  ]),
)

/** The type aliases of index.d.ts: name → their text. */
const ALIASES = Object.fromEntries(
  [...dts.matchAll(/^export type (\w+) =([^]*?)\n\n/gm)].map((m) => [m[1], m[2]]),
)

/** Every field name of every interface of index.d.ts, to fill input objects with. */
const FIELDS = [...new Set(Object.values(INTERFACES).flatMap((fields) => fields.map(([f]) => f)))]

/**
 * Known, documented exclusions: findings that belong to the panic-safety work (issue 9, item 3),
 * fixed there, not here. Each is `(method, args, error) => boolean`.
 */
// Outcomes tolerated for particular inputs: none any more (a busy timeout beyond SQLite's
// limit used to panic in rusqlite; it is INVALID_INPUT now). The one place to list one.
const KNOWN = []

const huge = 'x'.repeat(1 << 20)
const specialNumbers = [NaN, Infinity, -Infinity, -0, 0, -1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64, Number.MAX_VALUE, -(2 ** 53)]
const specialStrings = ['', ' ', '\u0000', '\uD800', '🦀'.repeat(300), huge, 'DROP TABLE orders; --', '=cmd|/C calc', '7KQ2M-XR4TD-9WZPH-BN3CV-0G6JA', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']
const specialDates = [new Date(NaN), new Date(0), new Date(8.64e15), new Date(-8.64e15), new Date('9999-12-31T23:59:59Z'), new Date('2017-10-20T01:45:00Z')]

/** Any value a caller might pass, `pool` holding the valid ids and keys of the world. */
function anyValue(pool) {
  const scalar = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool) },
    fc.constantFrom(...specialNumbers),
    fc.constantFrom(...specialStrings),
    fc.constantFrom(...specialDates),
    fc.constantFrom(null, undefined, true, false, 10n ** 30n, -1n, Symbol('s'), () => 1, [], {}),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.double(),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  )
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 6, arbitrary: scalar },
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom(...FIELDS), tie('value'), { maxKeys: 6 }),
    ),
  }))
  return value
}

/** The ids and keys of the world a parameter or field named `name` most likely wants. */
function poolFor(name, w) {
  const n = name.toLowerCase()
  const pick = (re) => w.named.filter(([k]) => re.test(k)).map(([, v]) => v)
  const by = [
    [/tenant/, /^tenant$/],
    [/org|holder|from|^to$|parent|source/, /^org/],
    [/licenseuser/, /^lu$/],
    [/user|actor/, /^user/],
    [/product/, /^product/],
    [/order/, /^order$/],
    [/license/, /^license$/],
    [/key|code/, /^key$/],
  ].find(([re]) => re.test(n))
  const found = by ? pick(by[1]) : []
  return found.length > 0 ? found : w.pool.filter((v) => typeof v === 'string')
}

/** Values of the TypeScript type `type` (as index.d.ts spells it) for a parameter named `name`. */
function typed(type, name, w, depth = 0) {
  const t = type.trim()
  const nullable = / \| undefined| \| null/.test(t)
  const base = t.replace(/ \| undefined| \| null/g, '').trim()
  let arb
  const array = base.match(/^Array<(.+)>$/)
  if (array) arb = fc.array(typed(array[1], name, w, depth + 1), { maxLength: 4 })
  else if (base === 'string') {
    arb = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...poolFor(name, w)) },
      fc.constantFrom(...specialStrings),
      fc.string({ unit: 'binary', maxLength: 40 }),
    )
  } else if (base === 'number') {
    arb = fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 12 }) },
      fc.constantFrom(...specialNumbers),
      fc.double(),
    )
  } else if (base === 'boolean') arb = fc.boolean()
  else if (base === 'Date') arb = fc.constantFrom(...specialDates)
  else if (base.startsWith('Record<')) arb = fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 })
  else if (INTERFACES[base] && depth < 3) {
    const fields = INTERFACES[base]
    arb = fc.record(
      Object.fromEntries(fields.map(([f, ft]) => [f, typed(ft, f, w, depth + 1)])),
      { requiredKeys: fields.filter(([, , optional]) => !optional).map(([f]) => f) },
    )
  } else if (ALIASES[base] && depth < 3) {
    const text = ALIASES[base]
    const literals = [...text.matchAll(/'([^']*)'/g)].map((m) => m[1])
    if (text.includes('{')) {
      // A tagged union (`Validity`, `BatchCommand`): a `kind` and any of the known fields.
      arb = fc.record({
        kind: fc.constantFrom(...literals),
        days: typed('number', 'days', w),
        order: typed('string', 'order', w),
        quantity: typed('number', 'quantity', w),
        request: typed('NewRequest', 'request', w, depth + 1),
        assignment: typed('NewAssignment', 'assignment', w, depth + 1),
        comments: typed('string', 'comments', w),
      }, { requiredKeys: ['kind'] })
    } else arb = fc.constantFrom(...literals, 'NOT-A-VALUE')
  } else arb = anyValue(w.pool)
  if (nullable) arb = fc.oneof({ weight: 4, arbitrary: arb }, fc.constantFrom(undefined, null))
  // Now and then anything at all, in any position: wrong types.
  return fc.oneof({ weight: 8, arbitrary: arb }, anyValue(w.pool))
}

/** Calls `fn` with a per-call deadline; resolves with `{ ok }` or `{ err }`. */
async function settle(fn) {
  let timer
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('call did not settle'), { hang: true })), CALL_TIMEOUT_MS)
  })
  try {
    return { ok: await Promise.race([Promise.resolve().then(fn), deadline]) }
  } catch (err) {
    return { err }
  } finally {
    clearTimeout(timer)
  }
}

function show(v) {
  if (typeof v === 'string' && v.length > 60) return `'${v.slice(0, 20)}…' (${v.length} chars)`
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'symbol' || typeof v === 'function') return String(v)
  if (v instanceof Date) return `Date(${v.getTime()})`
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ')}}`
  return String(v)
}

/** Asserts that an outcome is acceptable (see the header). */
function check(method, args, outcome) {
  const where = `${method}(${args.map(show).join(', ')})`
  const { err } = outcome
  if (!('err' in outcome)) return
  if (KNOWN.some((known) => known(method, args, err))) return
  assert.ok(!err?.hang, `${where} did not settle within ${CALL_TIMEOUT_MS} ms`)
  assert.ok(err instanceof Error, `${where} threw a non-Error: ${show(err)}`)
  assert.notEqual(err.code, 'INTERNAL_PANIC', `${where} panicked: ${err.message}`)
  assert.notEqual(err.code, 'INVARIANT_VIOLATED', `${where}: ${err.message}`)
  if (err instanceof TypeError && err.code === undefined && /undefined or null|serialize a BigInt/.test(err.message)) return
  // napi's enum conversion refuses a value that is not one of the union's strings with
  // GenericFailure (its own code, documented in the README) before the call reaches the library.
  if (err?.code === 'GenericFailure' && /^Failed to convert napi value into enum/.test(err.message)) return
  assert.ok(
    CORE_CODES.has(err.code) || NAPI_TYPE_CODES.has(err.code),
    `${where} failed with an undocumented code ${show(err.code)}: ${err.message}`,
  )
}

/** The fuzz world: a channel tree with an order, a license, a license user and a manager. */
async function fuzzWorld() {
  const w = await world()
  const o = await centerOrder(w, w.products.cl, 5)
  const [license] = await w.eli.issue(o.id, 2)
  const lu = await w.eli.addLicenseUser(o.id, { email: 'stu@elerome.example' })
  const dir = tempDir()
  const named = [
    ['tenant', w.tenant.id],
    ...Object.entries(w.orgs).map(([k, x]) => [`org ${k}`, typeof x === 'string' ? x : x.id]),
    ...Object.entries(w.users).map(([k, u]) => [`user ${k}`, u.id]),
    ['product cl', w.products.cl.id], ['product uac', w.products.uac.id],
    ['order', o.id], ['license', license.id], ['key', license.key], ['lu', lu.id],
  ]
  const pool = [
    w.tenant.id,
    ...Object.values(w.orgs).map((x) => (typeof x === 'string' ? x : x.id)),
    ...Object.values(w.users).map((u) => u.id),
    w.products.cl.id, w.products.uac.id, o.id, license.id, license.key, lu.id,
    o.number, 1, 3, 'distributor', 'license', 'perpetual', 'issue_license', 'requested', 'full',
    join(dir, 'out.csv'), 'key-1', 'correct horse battery',
  ]
  return { w, pool, named, dir }
}

/**
 * The receiver and arguments of one call. Paths are kept inside a temporary directory (the
 * tests must not write elsewhere); openPostgres never gets a host (no network in tests).
 */
function prepare(name, args, dir) {
  if (/^open(Sqlite)$/.test(name) || /Csv$/.test(name)) {
    const i = name.startsWith('open') ? 0 : 1
    if (typeof args[i] === 'string') args[i] = join(dir, args[i].replace(/[/\\\0]|\.\./g, '_').slice(0, 100) || 'x')
  }
  if (name === 'openPostgres') args[0] = 'dbname=license_inventory_fuzz host=/nonexistent'
  return args
}

for (const cls of ['Inventory', 'Session']) {
  const methods = methodsOf(cls)
  test(`${cls}: index.d.ts lists its methods`, () => assert.ok(methods.length > 10, String(methods.length)))
  for (const [name, params, isStatic] of methods) {
    test(`fuzz ${cls}.${name}`, async () => {
      const fw = await fuzzWorld()
      const { w, dir } = fw
      const receiver = isStatic ? Inventory : cls === 'Inventory' ? w.inv : w.eli
      // Each parameter from its declared type (now and then anything at all), and now and then
      // one argument too many or too few: arity is fuzzed too.
      const declared = fc.tuple(...params.map(([p, type]) => typed(type, p, fw)))
      const args = fc.oneof(
        { weight: 8, arbitrary: declared },
        fc.tuple(declared, anyValue(fw.pool)).map(([a, extra]) => [...a, extra]),
        declared.map((a) => a.slice(0, -1)),
      )
      const seen = {}
      await fc.assert(
        fc.asyncProperty(args, async (generated) => {
          const a = prepare(name, [...generated], dir)
          const outcome = await settle(() => receiver[name](...a))
          if (name === 'setTime') w.inv.setTime(null)
          const kind = 'err' in outcome ? String(outcome.err?.code ?? outcome.err?.constructor?.name) : 'ok'
          seen[kind] = (seen[kind] ?? 0) + 1
          check(`${cls}.${name}`, a, outcome)
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true, includeErrorInReport: true },
      )
      if (STATS) console.log(`${cls}.${name}: ${JSON.stringify(seen)}`)
    })
  }
}
