#!/usr/bin/env bash
# scripts/test-python.sh — build the Python binding (bindings-python/) and run its checks and the
# Python walkthrough (examples/python/walkthrough.py).
#
# Standalone and idempotent: runs as root on a fresh Debian 12 machine with Python 3.11, with
# CI=true and no standard input. Steps:
#   1. make sure python3 (with venv) and cargo are there (installs Debian's python3-venv if the
#      interpreter cannot make a venv);
#   2. create (or reuse) the venv at <repo>/.venv and pip install maturin, pytest, mypy and
#      hypothesis (the fuzz tests, tests/test_fuzz.py) into it;
#   3. `maturin develop` (debug profile) into that venv, building in the workspace target dir so
#      the Rust dependencies built once are reused (a second run only relinks this crate);
#   4. check the stubs: `_enums.py` and the generated blocks of `_native.pyi` equal what
#      build.rs makes of the bindings-schema table (`cargo test --lib`; rewrite them with
#      LICENSE_INVENTORY_BLESS=1), `mypy.stubtest license_inventory._native` (the .pyi against
#      the built module), then `mypy --strict` over the package, the tests and the walkthrough;
#   5. pytest on bindings-python/tests (on PostgreSQL too when LICENSE_INVENTORY_PG_URL is set);
#   6. the walkthrough, on a temporary SQLite file.
# Exits non-zero on the first failure.
#
# Environment:
#   CARGO_TARGET_DIR   cargo target dir (default: <repo>/target, the workspace's)
#   PYTHON             the interpreter that creates the venv (default: python3.11, else python3)
#   LICENSE_INVENTORY_PG_URL  a PostgreSQL database for the store-parametrised tests (libpq URL
#                      or key/value string, e.g. from scripts/pg-cluster.sh start). Unset: those
#                      tests are skipped, or fail when CI=true. The database is shared and never
#                      emptied: every test works in tenants of its own.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/bindings-python"
VENV="$ROOT/.venv"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PYTHONDONTWRITEBYTECODE=1

log() { printf '[test-python] %s\n' "$*" >&2; }
die() { printf '[test-python] ERROR: %s\n' "$*" >&2; exit 1; }
step_start() { STEP_T0=$(date +%s); log "$*"; }
step_end() { log "  done in $(( $(date +%s) - STEP_T0 ))s"; }

exec </dev/null
T_START=$(date +%s)

# --- 1. toolchains ---------------------------------------------------------------------------
if [[ -z "${PYTHON:-}" ]]; then
    if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; else PYTHON=python3; fi
fi
apt_install() {
    [[ $(id -u) -eq 0 ]] || die "$* missing, and installing it needs root"
    log "installing Debian's $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "$@" >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }
}
command -v "$PYTHON" >/dev/null 2>&1 || { apt_install python3 python3-venv; PYTHON=python3; }
if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_install python3-venv
fi
if ! command -v cargo >/dev/null 2>&1 && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || die "cargo not found (install a Rust toolchain with rustup)"
log "$("$PYTHON" --version), $(cargo --version)"

# --- 2. venv and tools -----------------------------------------------------------------------
step_start "venv at $VENV"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import sys, pip' >/dev/null 2>&1; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
unset CONDA_PREFIX
"$PY" -m pip install -q "maturin>=1.9,<2" "pytest>=8" "mypy>=1.10" "hypothesis>=6.100"
step_end

# --- 3. maturin develop ----------------------------------------------------------------------
step_start "maturin develop (debug) into $CARGO_TARGET_DIR"
cd "$PKG"
maturin develop --quiet
"$PY" -c 'import license_inventory._native' || die "the built module does not import"
step_end

# --- 4. stubs --------------------------------------------------------------------------------
step_start "generated files, mypy.stubtest license_inventory._native, mypy --strict"
cargo test --quiet -p license-inventory-python --lib
"$PY" -m mypy.stubtest license_inventory._native
"$PY" -m mypy --strict --no-error-summary --cache-dir "$CARGO_TARGET_DIR/mypy-cache" \
    python/license_inventory tests "$ROOT/examples/python/walkthrough.py"
step_end

# --- 5. pytest -------------------------------------------------------------------------------
step_start "pytest bindings-python/tests"
"$PY" -m pytest -q -p no:cacheprovider tests
step_end

# --- 6. walkthrough --------------------------------------------------------------------------
step_start "examples/python/walkthrough.py"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$PY" "$ROOT/examples/python/walkthrough.py" "$WORK/walkthrough.sqlite"
step_end

log "all Python checks passed in $(( $(date +%s) - T_START ))s"
