#!/usr/bin/env bash
# The inventory commands on a large inventory: generates a manifest of APPS apps (default 100,000; two jobs
# each), imports it, then times `export`, `list apps`, `list jobs --json` and `schedule check --json`, printing
# wall time and peak RSS of each. RBSCRON_BIN picks the binary (default: a release build made here).
#
#   bench/inventory-scale.sh [APPS]
set -euo pipefail
cd "$(dirname "$0")/.."
APPS="${1:-100000}"
if [ -n "${RBSCRON_BIN:-}" ]; then
    BIN="$RBSCRON_BIN"
else
    swift build -c release --product rbscron >/dev/null
    BIN=.build/release/rbscron
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home"
DB="$WORK/inventory.sqlite"
python3 bench/gen_manifest.py "$APPS" >"$WORK/manifest.yaml"
echo "binary: $BIN; manifest: $APPS apps, $((APPS * 2)) jobs, $(($(wc -c <"$WORK/manifest.yaml") / 1024)) KiB"
measure() {
    local label="$1"; shift
    /usr/bin/time -f "$label: %e s wall, %U s user, %M KiB peak RSS" "$BIN" --db "$DB" "$@" >"$WORK/out" 2>"$WORK/err" || true
    tail -1 "$WORK/err"
}
measure "import" import "$WORK/manifest.yaml"
measure "export" export
measure "list apps" list apps
measure "list jobs --json" list jobs --json
measure "schedule check --json" schedule check --json
