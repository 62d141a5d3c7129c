#!/usr/bin/env bash
# alert check over a large history: generates RUNS runs (default 1,000,000) over the embedded inventory's 69 jobs
# and 90 days (about 8% of them failures, so many jobs have a failure streak), adds a webhook route to a loopback
# receiver, then times
#   1. the first `alert check --json` (opens the incidents and delivers one notification each),
#   2. the next checks (nothing new: judged and reconciled only),
#   3. two checks started at once on the same file,
# and prints how many incidents opened and how many messages the receiver got (it must be one per incident).
#
#   RBSCRON_BIN=.build/debug/rbscron bench/alert-check.sh [RUNS]      # or, without RBSCRON_BIN, a release build
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-1000000}"
if [ -z "${RBSCRON_BIN:-}" ]; then
    swift build -c release --product rbscron >/dev/null
    RBSCRON_BIN=.build/release/rbscron
fi
BIN="$RBSCRON_BIN"
WORK="$(mktemp -d)"
RECEIVER_PID=""
cleanup() { [ -n "$RECEIVER_PID" ] && kill "$RECEIVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export RBSCRON_DB="$WORK/inventory.sqlite" XDG_CONFIG_HOME="$WORK/config"
export RBSCRON_MASTER_KEY="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

# A loopback receiver that counts what it is sent.
python3 - "$WORK/received" >"$WORK/port" <<'PY' &
import http.server, sys, threading
out = open(sys.argv[1], "a")
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        out.write(body.decode() + "\n"); out.flush()
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
RECEIVER_PID=$!
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT="$(cat "$WORK/port")"

"$BIN" list jobs --json >"$WORK/jobs.json"
python3 bench/gen_runs.py "$RBSCRON_DB" "$WORK/jobs.json" --runs "$RUNS" --days 90
"$BIN" alert route add bench --webhook "http://127.0.0.1:$PORT/hook" >/dev/null
"$BIN" stats --since 1d --json >/dev/null   # warm the page cache once

/usr/bin/time -f "first check (opens, notifies): %e s wall, %U s user, %M KiB peak RSS" \
    "$BIN" alert check --json >"$WORK/first.json" || true
for i in 1 2 3; do
    /usr/bin/time -f "check $i (nothing new): %e s wall, %U s user, %M KiB peak RSS" "$BIN" alert check --json >/dev/null || true
done
start=$(date +%s.%N)
"$BIN" alert check --json >/dev/null & a=$!
"$BIN" alert check --json >/dev/null & b=$!
wait $a || true; wait $b || true
echo "two checks at once: $(python3 -c "print(round($(date +%s.%N) - $start, 2))") s wall for both"
python3 - "$WORK/first.json" "$WORK/received" <<'PY'
import json, sys
first = json.load(open(sys.argv[1]))
received = [line for line in open(sys.argv[2]) if line.strip()]
print(f"incidents opened: {len(first['opened'])}, messages received: {len(received)} (one per incident: "
      f"{'yes' if len(received) == len(first['opened']) else 'NO'})")
PY
