#!/usr/bin/env bash
# Benchmark of `rbscron health-check` against N loopback endpoints that each answer after 200 ms.
#
#   bench/health-check.sh                 # N=500, delay 200 ms, concurrency 50 / 100 / 200
#   N=100 bench/health-check.sh           # fewer endpoints (the sequential curl loop takes N × 0.2 s)
#   RBSCRON_BIN=.build/debug/rbscron bench/health-check.sh
#
# One asyncio server (bench/health_bench_server.py) serves N distinct URLs on one port. N apps are
# imported from a generated manifest into a temporary inventory; rbscron checks them (HEAD, results
# recorded) at each concurrency, then the same URLs are fetched by a sequential curl loop and by
# `xargs -P 100 curl`. Wall time and peak memory (max RSS from /usr/bin/time -v) of each are printed,
# with the ratios. Target: N=500 at concurrency 100 in at most 1.5 s wall.
set -euo pipefail
cd "$(dirname "$0")/.."

N="${N:-500}"
DELAY="${DELAY:-0.2}"
CONCURRENCIES="${CONCURRENCIES:-50 100 200}"
BIN="${RBSCRON_BIN:-.build/release/rbscron}"

for tool in python3 curl xargs /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "health-check bench: $tool is required" >&2; exit 1; }
done
if [ ! -x "$BIN" ]; then
    echo "building rbscron (release)…" >&2
    swift build -c release --product rbscron >&2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rbscron-health-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# More than the default 1024 descriptors may be needed by the server at concurrency 200 + backlog.
ulimit -n 8192 2>/dev/null || true

python3 bench/health_bench_server.py "$N" "$DELAY" >"$WORK/port" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 1 200); do [ -s "$WORK/port" ] && break; sleep 0.05; done
PORT="$(head -n1 "$WORK/port")"
[ -n "$PORT" ] || { echo "the bench server did not start: $(cat "$WORK/server.err")" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"

# The manifest: N apps, one distinct health URL each.
{
    echo "version: 1"
    echo "apps:"
    for i in $(seq 0 $((N - 1))); do
        echo "  - {name: app-$i, display_name: App $i, base_url: \"$BASE\", platform: other, health: {path: /h/$i, method: HEAD, expect: 200}}"
    done
} >"$WORK/apps.yaml"
for i in $(seq 0 $((N - 1))); do echo "$BASE/h/$i"; done >"$WORK/urls.txt"

export RBSCRON_DB="$WORK/inventory.sqlite"
"$BIN" import "$WORK/apps.yaml" --yes >/dev/null

peak() { curl -s "$BASE/__peak"; }

# measure LABEL OUTFILE CMD…: runs CMD (stdout to OUTFILE) under /usr/bin/time -v; prints wall time,
# max RSS, exit status, and what the server saw (requests served, peak in flight).
measure() {
    local label="$1" outfile="$2"; shift 2
    peak >/dev/null    # reset the server's in-flight peak
    local start end
    start=$(date +%s.%N)
    set +e
    /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$outfile"
    local rc=$?
    set -e
    end=$(date +%s.%N)
    local rss wall served
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    wall=$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.3f", e - s}')
    read -r server_peak served < <(peak)
    printf '%-32s %8s s %8.1f MiB  exit %d  served %4d  peak in flight %4d\n' \
        "$label" "$wall" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" "$rc" "$served" "$server_peak"
    echo "$label|$wall" >>"$WORK/walls"
}

echo "health-check bench: $N endpoints answering after ${DELAY}s, rbscron $("$BIN" --version), $(nproc) CPUs"
echo
for c in $CONCURRENCIES; do
    measure "rbscron concurrency $c" "$WORK/out-$c.json" "$BIN" health-check --concurrency "$c" --json
    up=$(grep -c '"status" : "up"' "$WORK/out-$c.json" || true)
    [ "$up" -eq "$N" ] || echo "  warning: only $up of $N apps were up at concurrency $c" >&2
done
measure "curl, sequential loop" /dev/null bash -c 'while read -r u; do curl -s -o /dev/null -I "$u"; done <"$1"' _ "$WORK/urls.txt"
measure "xargs -P 100 curl" /dev/null bash -c 'xargs -P 100 -n 1 curl -s -o /dev/null -I <"$1"' _ "$WORK/urls.txt"

echo
wall() { awk -F'|' -v l="$1" '$1 == l {print $2}' "$WORK/walls"; }
r100="$(wall "rbscron concurrency 100")"
awk -v seq="$(wall "curl, sequential loop")" -v xa="$(wall "xargs -P 100 curl")" -v r="$r100" -v n="$N" 'BEGIN {
    printf "sequential curl / rbscron@100:  %.1fx\n", seq / r
    printf "xargs -P 100 / rbscron@100:     %.2fx\n", xa / r
    verdict = (n == 500 && r <= 1.5) ? "met" : (n == 500 ? "MISSED" : "n/a (N != 500)")
    printf "target (500 endpoints at concurrency 100 in <= 1.5 s): %s (%.3f s)\n", verdict, r
}'
