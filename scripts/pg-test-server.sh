#!/usr/bin/env bash
# Throwaway PostgreSQL 15 + pg_cron cluster for rbscron's pg_cron tests.
#
#   scripts/pg-test-server.sh start   # init (once) and start on 127.0.0.1, create rbscron_test + pg_cron
#   scripts/pg-test-server.sh env     # print RBSCRON_TEST_PG=postgresql://postgres@127.0.0.1:PORT/rbscron_test
#   scripts/pg-test-server.sh stop    # stop the server and remove the data directory
#
# Data lives in ${TMPDIR:-/tmp}/rbscron-pg. PostgreSQL refuses to run as root, so when this script
# runs as root the server runs as the `postgres` OS user (override with RBSCRON_PG_OS_USER).
# Authentication is `trust`, on loopback TCP and on a Unix socket inside the data directory only.
# Every command is idempotent.
set -euo pipefail

PG_BIN="${RBSCRON_PG_BIN:-/usr/lib/postgresql/15/bin}"
BASE="${TMPDIR:-/tmp}"
BASE="${BASE%/}/rbscron-pg"
DATA="$BASE/data"
PORT_FILE="$BASE/port"
LOG="$BASE/server.log"
DB="rbscron_test"
DB_USER="postgres"          # the cluster's superuser name (initdb -U), independent of the OS user
FIRST_PORT="${RBSCRON_PG_PORT:-54329}"

die() { echo "pg-test-server: $*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
    OS_USER="${RBSCRON_PG_OS_USER:-postgres}"
    id "$OS_USER" >/dev/null 2>&1 || die "running as root but OS user '$OS_USER' does not exist; create it or set RBSCRON_PG_OS_USER"
    as_pg() { runuser -u "$OS_USER" -- "$@"; }
else
    OS_USER="$(id -un)"
    as_pg() { "$@"; }
fi

[ -x "$PG_BIN/pg_ctl" ] || die "no PostgreSQL binaries in $PG_BIN (install postgresql-15 and postgresql-15-cron, or set RBSCRON_PG_BIN)"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

is_running() { [ -d "$DATA" ] && as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

psql_admin() {
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(cat "$PORT_FILE")" -U "$DB_USER" "$@"
}

pick_port() {
    local p
    for p in $(seq "$FIRST_PORT" $((FIRST_PORT + 70))); do
        if ! port_in_use "$p"; then echo "$p"; return 0; fi
    done
    die "no free port in $FIRST_PORT..$((FIRST_PORT + 70))"
}

init_cluster() {
    mkdir -p "$BASE"
    chmod 0755 "$BASE"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$OS_USER" "$BASE"
        as_pg test -x "$BASE" || die "OS user '$OS_USER' cannot reach $BASE; set TMPDIR to a world-traversable directory"
    fi
    as_pg "$PG_BIN/initdb" -D "$DATA" -U "$DB_USER" --auth=trust --encoding=UTF8 --no-locale >"$BASE/initdb.log" 2>&1 \
        || { cat "$BASE/initdb.log" >&2; die "initdb failed"; }
    local port
    port="$(pick_port)"
    echo "$port" >"$PORT_FILE"
    as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<CONF

# --- rbscron test cluster ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DATA'
shared_preload_libraries = 'pg_cron'
cron.database_name = '$DB'
cron.timezone = 'GMT'
cron.host = '$DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    as_pg tee "$DATA/pg_hba.conf" >/dev/null <<HBA
# rbscron test cluster: trust on the socket in the data directory and on IPv4 loopback only.
local all all               trust
host  all all 127.0.0.1/32  trust
HBA
}

start() {
    if [ ! -f "$DATA/PG_VERSION" ]; then
        rm -rf "$BASE"
        init_cluster
    fi
    if ! is_running; then
        local port
        port="$(cat "$PORT_FILE")"
        if port_in_use "$port"; then
            # Someone else took our port while we were stopped: move to a free one.
            port="$(pick_port)"
            echo "$port" >"$PORT_FILE"
            as_pg sed -i "s/^port = .*/port = $port/" "$DATA/postgresql.conf"
        fi
        as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null \
            || { tail -n 30 "$LOG" >&2 || true; die "server failed to start"; }
    fi
    if [ "$(psql_admin -d postgres -Atc "SELECT count(*) FROM pg_database WHERE datname = '$DB'")" = "0" ]; then
        psql_admin -d postgres -c "CREATE DATABASE $DB"
    fi
    psql_admin -d "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pg_cron"
    psql_admin -d "$DB" -Atc "SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'" | grep -q 1 \
        || die "pg_cron extension is missing in $DB"
}

stop() {
    if is_running; then
        as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
    fi
    rm -rf "$BASE"
}

print_env() {
    is_running || die "not running; run '$0 start' first"
    echo "RBSCRON_TEST_PG=postgresql://$DB_USER@127.0.0.1:$(cat "$PORT_FILE")/$DB"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) print_env ;;
    *) echo "usage: $0 start|stop|env" >&2; exit 64 ;;
esac
