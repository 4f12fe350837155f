// The package's `prepare` script. npm runs it when license-inventory is installed from a
// source checkout (`npm install <clone>/bindings-node`, a directory or git dependency), never
// when it is installed from the registry (there the prebuilt addon comes as the optional
// dependency license-inventory-<platform>). If no addon loads on this machine, it builds one
// with cargo and puts it where binding.cjs looks first: ./license-inventory.<platform>.node.
//
// It does nothing when npm packs or publishes the package, and nothing in a developer's own
// `npm install` inside bindings-node/ (there `npm run build` builds the debug addon and
// regenerates binding.cjs and index.d.ts).
//
// Environment:
//   LICENSE_INVENTORY_NODE_PROFILE  cargo profile of the build (default: release)
//   CARGO_TARGET_DIR                cargo's target dir (default: the workspace's target/)
'use strict'

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { platformName } = require('./platform.cjs')

const dir = path.resolve(__dirname, '..')
const log = (message) => console.error(`[license-inventory] ${message}`)

function main() {
  if (['pack', 'publish'].includes(process.env.npm_command)) return 0
  if (process.env.INIT_CWD && path.resolve(process.env.INIT_CWD) === dir) {
    log('installing inside bindings-node: build the addon with `npm run build`')
    return 0
  }
  if (addonLoads()) return 0
  if (!fs.existsSync(path.join(dir, 'Cargo.toml'))) {
    log(`no native addon for ${platformName()} and no Rust sources to build one from`)
    return 0
  }
  const cargo = process.env.CARGO || 'cargo'
  if (spawnSync(cargo, ['--version'], { stdio: 'ignore' }).status !== 0) {
    log(
      `no native addon for ${platformName()} is installed, and building it from source needs ` +
        'a Rust toolchain (cargo, https://rustup.rs) on PATH. Install one and run npm install again.',
    )
    return 1
  }
  return build(cargo)
}

/** Whether binding.cjs finds an addon that loads (in a child, so a failure leaves no trace). */
function addonLoads() {
  if (!fs.existsSync(path.join(dir, 'binding.cjs'))) return false
  const probe = `require(${JSON.stringify(path.join(dir, 'binding.cjs'))})`
  return spawnSync(process.execPath, ['-e', probe], { stdio: 'ignore' }).status === 0
}

function build(cargo) {
  const profile = process.env.LICENSE_INVENTORY_NODE_PROFILE || 'release'
  const addon = path.join(dir, `license-inventory.${platformName()}.node`)
  log(`building the native addon from source (cargo, profile ${profile}): a few minutes`)
  const args = ['build', '--locked', '-p', 'license-inventory-node', '--lib', '--profile', profile]
  args.push('--message-format=json-render-diagnostics')
  const run = spawnSync(cargo, args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  if (run.status !== 0) {
    log(`cargo build failed (exit ${run.status}${run.error ? `, ${run.error.message}` : ''})`)
    return 1
  }
  const library = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((m) => m.reason === 'compiler-artifact' && m.target.name === 'license_inventory_node')
    .flatMap((m) => m.filenames)
    .find((f) => /\.(so|dylib|dll)$/.test(f))
  if (!library) {
    log('cargo build reported no cdylib for license-inventory-node')
    return 1
  }
  fs.copyFileSync(library, addon)
  if (!addonLoads()) {
    log(`the built addon ${addon} does not load`)
    return 1
  }
  log(`built ${path.basename(addon)}`)
  return 0
}

process.exitCode = main()
