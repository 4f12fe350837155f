#!/usr/bin/env bash
# scripts/test-node.sh — build the Node binding (bindings-node/) and run its tests and the
# Node walkthrough (examples/node/walkthrough.mjs).
#
# Standalone and idempotent: runs as root on a fresh Debian 12 machine, with CI=true and no
# standard input. Steps:
#   1. make sure node/npm and cargo are there (installs Debian's nodejs/npm if node is missing);
#   2. `npm install` in bindings-node/ (not `npm ci`: it trips over optional native packages
#      of @napi-rs/cli on this registry);
#   3. `napi build` (debug) into the workspace target dir, so the Rust dependencies built once
#      are reused (napi passes `--target <host triple>`, so its artifacts live under
#      target/<triple>/debug; a second run only relinks this crate);
#   4. `cargo test` of the crate's unit tests (the string unions' values are the core's names),
#      then `node --test` on bindings-node/__test__/*.test.mjs (on PostgreSQL too when
#      LICENSE_INVENTORY_PG_URL is set; dts.test.mjs checks index.d.ts against the bindings
#      table, types.test.mjs runs `tsc --strict` on usage.ts);
#   5. the walkthrough, on a temporary SQLite file.
# Exits non-zero on the first failure.
#
# Environment:
#   CARGO_TARGET_DIR   cargo target dir (default: <repo>/target, the workspace's)
#   LICENSE_INVENTORY_PG_URL  a PostgreSQL database for the store-parametrised tests (libpq URL
#                      or key/value string, e.g. from scripts/pg-cluster.sh start). Unset: those
#                      tests are skipped, or fail when CI=true. The database is shared and never
#                      emptied: every test works in tenants of its own.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/bindings-node"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

log() { printf '[test-node] %s\n' "$*" >&2; }
die() { printf '[test-node] ERROR: %s\n' "$*" >&2; exit 1; }
step_start() { STEP_T0=$(date +%s); log "$*"; }
step_end() { log "  done in $(( $(date +%s) - STEP_T0 ))s"; }

exec </dev/null

# --- 1. toolchains ---------------------------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] || die "node/npm not found, and installing them needs root"
    log "installing Debian's nodejs and npm"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q nodejs npm >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null && apt-get install -y -q nodejs npm >/dev/null; }
fi
if ! command -v cargo >/dev/null 2>&1 && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || die "cargo not found (install a Rust toolchain with rustup)"
log "node $(node --version), npm $(npm --version 2>/dev/null), $(cargo --version)"

cd "$PKG"

# --- 2. npm install --------------------------------------------------------------------------
step_start "npm install"
npm install --no-audit --no-fund --prefer-offline --loglevel=error
step_end

# --- 3. napi build ---------------------------------------------------------------------------
step_start "napi build (debug) into $CARGO_TARGET_DIR"
npm run --silent build -- --target-dir "$CARGO_TARGET_DIR"
[[ -f index.js && -f index.d.ts ]] || die "napi build did not write index.js/index.d.ts"
step_end

# --- 4. cargo test, node --test --------------------------------------------------------------
step_start "cargo test -p license-inventory-node --lib"
cargo test -q -p license-inventory-node --lib
step_end

step_start "node --test"
npm run --silent test
step_end

# --- 5. walkthrough --------------------------------------------------------------------------
step_start "examples/node/walkthrough.mjs"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
node "$ROOT/examples/node/walkthrough.mjs" "$WORK/walkthrough.sqlite"
step_end

log "all Node checks passed"
