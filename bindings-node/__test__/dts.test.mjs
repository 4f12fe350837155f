// The built index.d.ts declares every record, field, string union and limit of the bindings
// table with the TypeScript the table says (the table's expectation comes from build.rs, through
// the untyped `__bindingTable()` of the addon), and nothing more for the records.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const ts = require('typescript')
const binding = require('../index.js')

const table = JSON.parse(binding.__bindingTable())
const path = new URL('../index.d.ts', import.meta.url)
const source = ts.createSourceFile('index.d.ts', readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)

/** Every top-level declaration of index.d.ts by name. */
const declared = new Map()
for (const node of source.statements) {
  if (ts.isVariableStatement(node)) {
    for (const d of node.declarationList.declarations) declared.set(d.name.getText(source), d)
  } else if (node.name) {
    declared.set(node.name.getText(source), node)
  }
}

/** A type as text, with napi's and tsc's spacing made one. */
const text = (type) => type.getText(source).replace(/\s+/g, ' ').trim()

test('every record of the table is an interface with its fields and their types', () => {
  for (const [name, fields] of Object.entries(table.records)) {
    const node = declared.get(name)
    assert.ok(node && ts.isInterfaceDeclaration(node), `${name}: no interface in index.d.ts`)
    const members = Object.fromEntries(
      node.members.map((m) => [m.name.getText(source), `${text(m.type)}${m.questionToken ? ' (optional)' : ''}`]),
    )
    assert.deepEqual(members, fields, `${name}: fields differ from the table`)
  }
})

test('every enum of the table is a string union of the core names, in order', () => {
  for (const [name, values] of Object.entries(table.enums)) {
    const node = declared.get(name)
    assert.ok(node && ts.isTypeAliasDeclaration(node), `${name}: no type alias in index.d.ts`)
    assert.ok(ts.isUnionTypeNode(node.type) || ts.isLiteralTypeNode(node.type), `${name}: not a union`)
    const members = ts.isUnionTypeNode(node.type) ? node.type.types : [node.type]
    assert.deepEqual(
      members.map((m) => m.literal.text),
      values,
      `${name}: values differ from the table`,
    )
    // The runtime object napi exports with the union holds the same values.
    assert.deepEqual(Object.values(binding[name]).sort(), [...values].sort(), `${name}: runtime values`)
  }
})

test('every limit of the table is an exported number constant', () => {
  for (const name of table.limits) {
    const node = declared.get(name)
    assert.ok(node && ts.isVariableDeclaration(node), `${name}: no constant in index.d.ts`)
    assert.equal(text(node.type), 'number', `${name}: type`)
    assert.ok(Number.isSafeInteger(binding[name]) && binding[name] > 0, `${name}: ${binding[name]}`)
  }
  assert.equal(binding.MAX_BATCH, 1000)
  assert.equal(binding.MAX_QUANTITY, 1_000_000_000)
})
