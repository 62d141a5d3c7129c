#!/usr/bin/env bash
# `rbscron audit` of the embedded RBS ecosystem, with every app's base_url pointed at a loopback server whose
# endpoints are guarded the way seed 000 says endpoints are guarded in the wild (scripts/audit_demo_server.py):
#
#   camino         CRON_SECRET checked; daily-dispatcher exports only POST (Vercel Cron's GET gets 405)
#   colectiva      QStash signatures checked with Upstash's Receiver (python3 -m pip install qstash)
#   caracol        the stamp queue checks QStash signatures, the rest CRON_SECRET; no next signing key on record
#   la-hoja        seed 003's template, `!== \`Bearer ${process.env.CRON_SECRET}\`` with CRON_SECRET unset
#   servilleta     "Vercel auto-inject (no explicit check)": no check at all
#   ecosystem-api  answers 500: CRON_SECRET is not configured
#   agora          308 to a trailing-slash route that checks nothing
#   others         CRON_SECRET checked; baul's secret is short, constanza and caracol share one
#
#   scripts/audit-demo.sh                       # the audit, as README's "Auditing endpoints" shows it
#   scripts/audit-demo.sh --signed-probes       # extra arguments go to `rbscron audit`
#   RBSCRON_BIN=.build/release/rbscron scripts/audit-demo.sh --json
#
# Everything lives in a temporary folder (inventory, master key, server); secrets go to rbscron on stdin.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${RBSCRON_BIN:-.build/debug/rbscron}"
if [ ! -x "$BIN" ]; then
    echo "building rbscron…" >&2
    swift build --product rbscron >&2
fi
python3 -c 'import qstash' 2>/dev/null || { echo "audit-demo: needs Upstash's SDK: python3 -m pip install qstash" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rbscron-audit-demo.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
umask 077

# Only this demo's inventory, key and secrets.
for name in $(env | sed -n 's/^\(RBSCRON_SECRET_[A-Z0-9_]*\)=.*/\1/p'); do unset "$name"; done
export RBSCRON_DB="$WORK/inventory.sqlite"
RBSCRON_MASTER_KEY="$(head -c 32 /dev/urandom | base64)"
export RBSCRON_MASTER_KEY
random() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
GLOBAL_SECRET="$(random)"
SHARED_SECRET="$(random)"
BAUL_SECRET="baul-cron-2024"
SIGNING_CURRENT="sig_$(random | head -c 28)"
SIGNING_NEXT="sig_$(random | head -c 28)"
CARACOL_SIGNING="sig_$(random | head -c 28)"

GLOBAL_SECRET="$GLOBAL_SECRET" SHARED_SECRET="$SHARED_SECRET" BAUL_SECRET="$BAUL_SECRET" \
SIGNING_CURRENT="$SIGNING_CURRENT" SIGNING_NEXT="$SIGNING_NEXT" CARACOL_SIGNING="$CARACOL_SIGNING" \
python3 - "$WORK/config.json" <<'PY'
import json, os, sys
g, shared = os.environ["GLOBAL_SECRET"], os.environ["SHARED_SECRET"]
apps = {
    "camino": {"default": "strict", "secret": g, "paths": {"/api/cron/daily-dispatcher": "post-only"}},
    "colectiva": {"default": "qstash", "qstash_current": os.environ["SIGNING_CURRENT"], "qstash_next": os.environ["SIGNING_NEXT"]},
    "constanza": {"default": "strict", "secret": shared},
    "caracol": {"default": "strict", "secret": shared, "qstash_current": os.environ["CARACOL_SIGNING"],
                "paths": {"/api/stamps/process-failed-queue": "qstash"}},
    "la-hoja": {"default": "undefined"},
    "servilleta": {"default": "open"},
    "baul": {"default": "strict", "secret": os.environ["BAUL_SECRET"]},
    "ecosystem-api": {"default": "unconfigured"},
    "agora": {"default": "slash-open"},
    "patadas": {"default": "strict", "secret": g},
    "plenura": {"default": "strict", "secret": g},
}
with open(sys.argv[1], "w") as handle:
    json.dump({"apps": apps}, handle)
PY

python3 scripts/audit_demo_server.py "$WORK/config.json" "$WORK/ports.json" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/ports.json" ] && break; sleep 0.05; done
[ -s "$WORK/ports.json" ] || { echo "audit-demo: the server did not start: $(cat "$WORK/server.err")" >&2; exit 1; }

# The embedded ecosystem, every base_url pointed at its app's port.
"$BIN" export >"$WORK/ecosystem.yaml"
python3 - "$WORK/ecosystem.yaml" "$WORK/ports.json" <<'PY'
import json, re, sys
path, ports = sys.argv[1], json.load(open(sys.argv[2]))
lines, app = open(path).read().split("\n"), None
for i, line in enumerate(lines):
    m = re.match(r"- name: (\S+)$", line)  # an app (its jobs are indented)
    if m:
        app = m.group(1)
    if app in ports and re.match(r"\s+base_url: ", line):
        lines[i] = re.sub(r"base_url: .*", f"base_url: http://127.0.0.1:{ports[app]}", line)
open(path, "w").write("\n".join(lines))
PY
"$BIN" import "$WORK/ecosystem.yaml" --yes >/dev/null

set_secret() { printf '%s' "$3" | "$BIN" secret set "$1" "$2" >/dev/null; }
set_secret global CRON_SECRET "$GLOBAL_SECRET"
set_secret constanza CRON_SECRET "$SHARED_SECRET"
set_secret caracol CRON_SECRET "$SHARED_SECRET"
set_secret baul CRON_SECRET "$BAUL_SECRET"
set_secret colectiva QSTASH_CURRENT_SIGNING_KEY "$SIGNING_CURRENT"
set_secret colectiva QSTASH_NEXT_SIGNING_KEY "$SIGNING_NEXT"
set_secret caracol QSTASH_CURRENT_SIGNING_KEY "$CARACOL_SIGNING"

status=0
"$BIN" audit --yes "$@" 2>"$WORK/audit.err" || status=$?
if [ "${AUDIT_DEMO_PLAN:-0}" = 1 ]; then cat "$WORK/audit.err" >&2; else grep -v '^  \|^audit will send\|^Each probe sends' "$WORK/audit.err" >&2 || true; fi
echo "exit status: $status" >&2
