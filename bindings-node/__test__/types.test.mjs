// The generated index.d.ts is valid TypeScript and types the API as usage.ts expects.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const require = createRequire(import.meta.url)

test('index.d.ts type-checks a typical use (tsc --strict)', async () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const project = fileURLToPath(new URL('./tsconfig.json', import.meta.url))
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', project]).catch((e) => e)
  assert.equal(result.code ?? 0, 0, `tsc failed:\n${result.stdout}${result.stderr}`)
})
