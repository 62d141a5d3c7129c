#!/usr/bin/env bash
# Orchestrated-group wall time: a 20-task group against a loopback server that answers every
# request after 200 ms, run with --parallel 1 and --parallel 20. Prints both times and the ratio.
# Usage: bench/trigger-group.sh [TASKS=20] [DELAY_MS=200]
# RBSCRON_BIN=.build/debug/rbscron uses an already built binary instead of a release build
# (the run is dominated by network waits, so a debug build shows the same ratio).
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS="${1:-20}"
DELAY="${2:-200}"
if [ -n "${RBSCRON_BIN:-}" ]; then
  BIN="$RBSCRON_BIN"
else
  swift build -c release --product rbscron >/dev/null
  BIN=.build/release/rbscron
fi
WORK=$(mktemp -d)
cleanup() { [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
python3 bench/slow_server.py "$PORT" "$DELAY" >"$WORK/server.out" &
SERVER_PID=$!
for _ in $(seq 50); do [ -s "$WORK/server.out" ] && break; sleep 0.1; done

{
  echo "version: 1"
  echo "apps:"
  echo "  - {name: bench, display_name: Bench, base_url: \"http://127.0.0.1:$PORT\", platform: other, jobs: ["
  echo "      {name: dispatcher, path: /api/cron/dispatcher, layer: manual, auth: none},"
  for i in $(seq 1 "$TASKS"); do
    echo "      {name: task-$i, path: /api/cron/task-$i, layer: fanout, triggered_by: bench/dispatcher, order: $i, auth: none},"
  done
  echo "    ]}"
} >"$WORK/bench.yaml"
"$BIN" --db "$WORK/db.sqlite" import "$WORK/bench.yaml" --yes >/dev/null

run() {
  local start end
  start=$(date +%s.%N)
  "$BIN" --db "$WORK/db.sqlite" trigger --group bench/dispatcher --parallel "$1" --json >"$WORK/out-$1.json"
  end=$(date +%s.%N)
  python3 -c "import json,sys; d=json.load(open('$WORK/out-$1.json')); assert d['summary']['succeeded']==$TASKS, d['summary']; print(f'{$end-$start:.3f} {d[\"summary\"][\"totalDuration\"]}')"
}
read -r SEQ_WALL SEQ_GROUP < <(run 1)
read -r PAR_WALL PAR_GROUP < <(run "$TASKS")
python3 - "$TASKS" "$DELAY" "$SEQ_WALL" "$SEQ_GROUP" "$PAR_WALL" "$PAR_GROUP" <<'PY'
import sys
tasks, delay, sw, sg, pw, pg = sys.argv[1:]
sw, pw = float(sw), float(pw)
print(f"{tasks} tasks, server answers after {delay} ms")
print(f"--parallel 1   wall {sw:7.3f} s  (group totalDuration {sg} ms)")
print(f"--parallel {tasks:<3} wall {pw:7.3f} s  (group totalDuration {pg} ms)")
print(f"speed-up {sw / pw:.1f}x")
PY
