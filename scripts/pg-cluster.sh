#!/usr/bin/env bash
# scripts/pg-cluster.sh — a throwaway PostgreSQL cluster for the tests: initdb into a temp
# folder, listening only on a Unix socket in that folder (no TCP port to clash with), torn
# down with `stop`. initdb and postgres refuse to run as root, so as root the cluster runs as
# the `postgres` user (created if missing). Server binaries: /usr/lib/postgresql/*/bin,
# installed from Debian's `postgresql` package when missing and running as root.
#
#   scripts/pg-cluster.sh start   prints the folder on line 1 and the connection URL on line 2
#   scripts/pg-cluster.sh stop DIR
set -euo pipefail

log() { printf '[pg-cluster] %s\n' "$*" >&2; }
die() { printf '[pg-cluster] ERROR: %s\n' "$*" >&2; exit 1; }

bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z $d && $(id -u) -eq 0 ]]; then
        log "no PostgreSQL server binaries: installing Debian's postgresql"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 \
            || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }
        d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    fi
    [[ -n $d ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    echo "$d"
}

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    local bin dir port
    bin=$(bindir)
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    fi
    dir=$(mktemp -d /tmp/license-inventory-pg.XXXXXX)
    chmod 755 "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    port=5432
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --locale=C.UTF-8 -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $dir -p $port -c max_connections=200 -c fsync=on" start >/dev/null \
        || { cat "$dir/server.log" >&2; die "postgres did not start"; }
    as_owner "$bin/createdb" -h "$dir" -p "$port" -U postgres license_inventory_test
    echo "$dir"
    echo "host=$dir port=$port user=postgres dbname=license_inventory_test"
}

stop() {
    local dir=${1:?usage: stop DIR} bin
    [[ $dir == /tmp/license-inventory-pg.* ]] || die "refusing to remove '$dir'"
    bin=$(bindir)
    if [[ -d $dir/data ]]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    *) die "usage: $0 start | stop DIR" ;;
esac
