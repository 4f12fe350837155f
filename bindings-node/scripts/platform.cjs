// Which prebuilt addon fits this machine, in napi-rs's names: the platform part of
// `license-inventory.<platform>.node` and of the package `license-inventory-<platform>`
// (`linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, ...). Used by index.js to explain a
// missing addon and by build-from-source.cjs to name the addon it builds.
'use strict'

const ARCH = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm' }

/** `linux`, `darwin`, `win32`, ... plus `-gnu`/`-musl` on Linux and `-msvc` on Windows. */
function platformName() {
  const base = `${process.platform}-${process.arch}`
  if (process.platform === 'linux') return `${base}-${isMusl() ? 'musl' : 'gnu'}`
  if (process.platform === 'win32') return `${base}-msvc`
  return base
}

/** A Linux whose C library is musl (Alpine, ...): Node's report names no glibc version. */
function isMusl() {
  try {
    const report = process.report.getReport()
    return !(report.header && report.header.glibcVersionRuntime)
  } catch {
    return false
  }
}

/** The napi-rs platform name of a Rust target triple (`aarch64-apple-darwin` -> `darwin-arm64`). */
function platformOfTriple(triple) {
  const [cpu, , os, abi] = triple.split('-')
  const arch = ARCH[cpu] || cpu
  if (os === 'darwin') return `darwin-${arch}`
  if (os === 'windows') return `win32-${arch}-${abi}`
  if (os === 'linux') return `linux-${arch}-${abi}`
  return `${os}-${arch}`
}

/** The platforms with a prebuilt package, from package.json's napi.targets. */
function publishedPlatforms() {
  const { napi } = require('../package.json')
  return napi.targets.map(platformOfTriple)
}

module.exports = { platformName, platformOfTriple, publishedPlatforms }
