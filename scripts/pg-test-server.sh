#!/usr/bin/env bash
# Throwaway PostgreSQL 15 + pg_cron cluster for rbscron's pg_cron tests.
#
#   scripts/pg-test-server.sh start             # init (once) and start on 127.0.0.1, create rbscron_test + pg_cron
#   scripts/pg-test-server.sh start --supabase  # the same, plus the real Supabase stack in rbscron_test:
#                                               # pg_net + supabase_vault (also: RBSCRON_PG_SUPABASE=1)
#   scripts/pg-test-server.sh env     # print RBSCRON_TEST_PG=postgresql://postgres@127.0.0.1:PORT/rbscron_test
#                                     # (and RBSCRON_TEST_PG_SUPABASE=1 when rbscron_test has the real stack)
#   scripts/pg-test-server.sh stop    # stop the server and remove the data directory
#
# Data lives in ${TMPDIR:-/tmp}/rbscron-pg. PostgreSQL refuses to run as root, so when this script
# runs as root the server runs as the `postgres` OS user (override with RBSCRON_PG_OS_USER).
# Authentication is `trust`, on loopback TCP and on a Unix socket inside the data directory only.
# Every command is idempotent.
#
# `start` converges the cluster to the mode asked for:
#   plain     pg_cron only (shared_preload_libraries = 'pg_cron'); the tests install their own stand-ins
#             for `vault` and `net`. A cluster that was started with --supabase before is restarted
#             without pg_net/supabase_vault and those two extensions are dropped from rbscron_test.
#   supabase  pg_cron + pg_net 0.20.4 + supabase_vault 0.3.1, all three preloaded, created in rbscron_test
#             (the database pg_cron runs jobs in: cron.database_name) with pg_net's worker pointed at it
#             (pg_net.database_name) and a per-cluster Vault root key (vault.getkey_script). Stand-in `net`
#             and `vault` schemas left by earlier plain-mode tests are dropped first.
#             pg_net and Vault are not packaged: they are built from ../shared/vendor by the install
#             scripts in "<repo>/../shared/tools" (else /work/shared/tools), run as root. When they are not
#             installed and cannot be, `start --supabase` says so on stderr and starts the plain cluster
#             (exit 0): `env` then prints no RBSCRON_TEST_PG_SUPABASE, so the real-stack tests skip (or
#             fail under CI=true).
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
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUPABASE_CONF="rbscron-supabase.conf"   # in $DATA, included last by postgresql.conf when present
GETKEY="$BASE/vault-getkey"             # prints the cluster's Vault root key (64 hex characters)
PLAIN_PRELOAD="pg_cron"
SUPABASE_PRELOAD="pg_cron,pg_net,supabase_vault"

die() { echo "pg-test-server: $*" >&2; exit 1; }
note() { echo "pg-test-server: $*" >&2; }

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
shared_preload_libraries = '$PLAIN_PRELOAD'
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

# --- the real Supabase stack (pg_net + supabase_vault) -------------------------------------------------

pkglibdir() { "$PG_BIN/pg_config" --pkglibdir; }
sharedir() { "$PG_BIN/pg_config" --sharedir; }

supabase_installed() {
    [ -f "$(pkglibdir)/pg_net.so" ] && [ -f "$(sharedir)/extension/pg_net.control" ] \
        && [ -f "$(pkglibdir)/supabase_vault.so" ] && [ -f "$(sharedir)/extension/supabase_vault.control" ]
}

# The folder holding install-pg-net.sh and install-supabase-vault.sh, or nothing.
tools_dir() {
    local d
    for d in "$REPO/../shared/tools" /work/shared/tools; do
        if [ -f "$d/install-pg-net.sh" ] && [ -f "$d/install-supabase-vault.sh" ]; then
            (cd "$d" && pwd); return 0
        fi
    done
    return 1
}

# Installs pg_net and supabase_vault unless already there. Returns 1, after saying why, when it cannot.
ensure_supabase_installed() {
    supabase_installed && return 0
    local tools
    if ! tools="$(tools_dir)"; then
        note "pg_net/supabase_vault are not installed and no install scripts were found in $REPO/../shared/tools or /work/shared/tools"
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        note "pg_net/supabase_vault are not installed; run as root: $tools/install-pg-net.sh && $tools/install-supabase-vault.sh"
        return 1
    fi
    note "building pg_net and supabase_vault from $tools/../vendor (10-40 s)"
    bash "$tools/install-pg-net.sh" >&2 || { note "install-pg-net.sh failed"; return 1; }
    bash "$tools/install-supabase-vault.sh" >&2 || { note "install-supabase-vault.sh failed"; return 1; }
    supabase_installed || { note "the install scripts ran but pg_net/supabase_vault are still missing"; return 1; }
}

# Makes sure postgresql.conf includes $SUPABASE_CONF (clusters made before this option lack the line).
ensure_include_line() {
    grep -q "^include_if_exists = '$SUPABASE_CONF'" "$DATA/postgresql.conf" \
        || as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<CONF
# written by 'pg-test-server.sh start --supabase'; a plain 'start' removes it
include_if_exists = '$SUPABASE_CONF'
CONF
}

write_supabase_conf() {
    if [ ! -x "$GETKEY" ]; then
        # A random root key per cluster: the cluster is throwaway, so is the key.
        local key
        key="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
        [ "${#key}" -eq 64 ] || die "could not make a Vault root key"
        printf '#!/bin/sh\n# Vault root key of this throwaway rbscron test cluster.\necho %s\n' "$key" | as_pg tee "$GETKEY" >/dev/null
        as_pg chmod 0700 "$GETKEY"
    fi
    ensure_include_line
    as_pg tee "$DATA/$SUPABASE_CONF" >/dev/null <<CONF
# The real Supabase stack for rbscron's tests (pg-test-server.sh start --supabase). Overrides postgresql.conf.
shared_preload_libraries = '$SUPABASE_PRELOAD'
# pg_net's single worker serves one database: the one pg_cron runs jobs in (its default is 'postgres').
pg_net.database_name = '$DB'
vault.getkey_script = '$GETKEY'
# pg_cron runs jobs over libpq (cron.host, as in plain mode and as on Supabase); the headroom is for
# the pg_net worker and for trying cron.use_background_workers = on, where each running job is a worker.
max_worker_processes = 16
CONF
}

remove_supabase_conf() { as_pg rm -f "$DATA/$SUPABASE_CONF"; }

running_preload() { psql_admin -d postgres -Atc "SHOW shared_preload_libraries" 2>/dev/null || true; }

# In supabase mode: drop stand-in schemas the plain-mode tests leave, then create the real extensions.
create_supabase_extensions() {
    psql_admin -d "$DB" <<'SQL'
SET client_min_messages = warning;
DO $$
BEGIN
  -- The stand-ins' CREATE OR REPLACE silently rewrites the real net.http_post/net.http_get (they stay
  -- members of pg_net) and adds net.calls: a pg_net in that state is dropped and created afresh.
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_net')
     AND (to_regclass('net.calls') IS NOT NULL
          OR EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = 'net' AND p.proname IN ('http_post', 'http_get')
                       AND p.prosrc LIKE '%net.calls%')) THEN
    DROP EXTENSION pg_net CASCADE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_net') THEN
    DROP SCHEMA IF EXISTS net CASCADE;      -- the tests' stand-in (net.calls, fake net.http_post/get)
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'supabase_vault') THEN
    DROP SCHEMA IF EXISTS vault CASCADE;    -- the tests' stand-in (vault.decrypted_secrets table)
  END IF;
END $$;
CREATE EXTENSION IF NOT EXISTS pg_net;
CREATE EXTENSION IF NOT EXISTS supabase_vault CASCADE;
SQL
    psql_admin -d "$DB" -Atc "SELECT count(*) FROM pg_extension WHERE extname IN ('pg_cron', 'pg_net', 'supabase_vault')" \
        | grep -qx 3 || die "pg_cron, pg_net and supabase_vault are not all in $DB"
}

drop_supabase_extensions() {
    [ "$(psql_admin -d postgres -Atc "SELECT count(*) FROM pg_database WHERE datname = '$DB'")" = "1" ] || return 0
    # Only when the extensions are there (a plain cluster's stand-in schemas are left alone); the `vault`
    # schema is the extension's schema, not a member, so it outlives DROP EXTENSION unless dropped here.
    psql_admin -d "$DB" <<'SQL'
SET client_min_messages = warning;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_net') THEN
    DROP EXTENSION pg_net CASCADE;
    DROP SCHEMA IF EXISTS net CASCADE;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'supabase_vault') THEN
    DROP EXTENSION supabase_vault CASCADE;
    DROP SCHEMA IF EXISTS vault CASCADE;
  END IF;
END $$;
SQL
}

has_supabase_extensions() {
    [ "$(psql_admin -d "$DB" -Atc "SELECT count(*) FROM pg_extension WHERE extname IN ('pg_net', 'supabase_vault')" 2>/dev/null)" = "2" ]
}

wants_supabase() {
    case "${RBSCRON_PG_SUPABASE:-}" in 1|true|yes|on) return 0 ;; esac
    return 1
}

# -------------------------------------------------------------------------------------------------------

start() {
    local mode=plain
    if wants_supabase; then
        if ensure_supabase_installed; then
            mode=supabase
        else
            note "starting WITHOUT the real Supabase stack (pg_cron only); tests that need pg_net/Vault will skip, or fail under CI=true"
        fi
    fi
    local want_preload="$PLAIN_PRELOAD"
    [ "$mode" = supabase ] && want_preload="$SUPABASE_PRELOAD"

    if [ ! -f "$DATA/PG_VERSION" ]; then
        rm -rf "$BASE"
        init_cluster
    fi
    if is_running && [ "$(running_preload)" != "$want_preload" ]; then
        # Switching mode: the preloaded libraries only change with a restart.
        [ "$mode" = plain ] && drop_supabase_extensions
        as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
    fi
    if [ "$mode" = supabase ]; then write_supabase_conf; else remove_supabase_conf; fi
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
    if [ "$mode" = supabase ]; then
        create_supabase_extensions
    else
        # A cluster stopped while in supabase mode still has the extensions, whose libraries are gone now.
        drop_supabase_extensions
    fi
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
    if has_supabase_extensions; then echo "RBSCRON_TEST_PG_SUPABASE=1"; fi
}

cmd="${1:-}"
[ "$#" -gt 0 ] && shift
if [ "$cmd" = start ]; then
    for arg in "$@"; do
        case "$arg" in
            --supabase) RBSCRON_PG_SUPABASE=1 ;;
            --plain) RBSCRON_PG_SUPABASE=0 ;;
            *) echo "usage: $0 start [--supabase|--plain]|stop|env" >&2; exit 64 ;;
        esac
    done
elif [ "$#" -gt 0 ]; then
    echo "usage: $0 start [--supabase|--plain]|stop|env" >&2; exit 64
fi

case "$cmd" in
    start) start ;;
    stop) stop ;;
    env) print_env ;;
    *) echo "usage: $0 start [--supabase|--plain]|stop|env" >&2; exit 64 ;;
esac
