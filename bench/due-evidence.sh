#!/usr/bin/env bash
# Due mode and stats --sync against a week of QStash history of the embedded ecosystem (its 16 QStash jobs: each
# fire's log entries, one fire in fifty missed, other traffic of the account up to about 10,000 entries), served
# by bench/qstash_week_server.py on loopback. Prints, for
#   1. `stats --sync --since 7d` (the whole week, once),
#   2. `trigger --due --window 30m` (what a 15-minute CI run does),
#   3. the same again (the next CI run: the missed fires are claimed),
# the wall time and the requests made to each QStash route. Only QStash is served: the other layers' tokens
# are not set, so their jobs stay unobserved (and are left out of due mode), as the output says.
#
#   RBSCRON_BIN=.build/debug/rbscron bench/due-evidence.sh       # or, without RBSCRON_BIN, a release build
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${RBSCRON_BIN:-}" ]; then
    swift build -c release --product rbscron >/dev/null
    RBSCRON_BIN=.build/release/rbscron
fi
BIN="$RBSCRON_BIN"
python3 -c "import croniter" 2>/dev/null || { echo "needs the croniter package: pip install croniter" >&2; exit 1; }
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export RBSCRON_DB="$WORK/inventory.sqlite" XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
NOW=$(date -u +%s)
AT=$(date -u -d "@$NOW" +%Y-%m-%dT%H:%M:%SZ)
"$BIN" list jobs --layer qstash --json > "$WORK/jobs.json"
python3 bench/qstash_week_server.py "$WORK/jobs.json" "$NOW" "$WORK/counts" > "$WORK/port" &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
read -r PORT ENTRIES < "$WORK/port"
export QSTASH_URL="http://127.0.0.1:$PORT" RBSCRON_SECRET_GLOBAL_QSTASH_TOKEN="bench-token-0123456789abcdef"
export RBSCRON_SECRET_COLECTIVA_CRON_SECRET="bench-secret-0123456789abcdef" RBSCRON_SECRET_CARACOL_CRON_SECRET="bench-secret-0123456789abcdef"
echo "QStash stand-in: $ENTRIES log entries over 7 days for $(python3 -c "import json;print(len(json.load(open('$WORK/jobs.json'))))") QStash jobs"

step() {
    local label="$1"; shift
    cp "$WORK/counts" "$WORK/before" 2>/dev/null || echo '{}' > "$WORK/before"
    local start end
    start=$(date +%s.%N)
    "$BIN" "$@" > "$WORK/out" 2> "$WORK/err" || true
    end=$(date +%s.%N)
    local made
    made=$(python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); d={k: b[k]-a.get(k,0) for k in b if b[k]-a.get(k,0)}; print(', '.join(f'{k} {v}' for k,v in sorted(d.items())) or 'none')" "$WORK/before" "$WORK/counts")
    printf '%-30s %6.2f s   requests: %s\n' "$label" "$(echo "$end - $start" | bc)" "$made"
}
step "stats --sync --since 7d" stats --sync --since 7d --json
grep -i "qstash" "$WORK/err" | sed "s/^/  /" | head -3 || true
step "trigger --due --window 30m" trigger --due --at "$AT" --window 30m --explain --json
python3 - "$WORK/out" <<'PY'
import json, sys, collections
d = json.load(open(sys.argv[1]))
c = collections.Counter((x["action"], x["state"]) for x in d["decisions"])
print("  decisions:", ", ".join(f"{a} {s}: {n}" for (a, s), n in sorted(c.items())))
PY
step "trigger --due (next run)" trigger --due --at "$AT" --window 30m --explain --json
