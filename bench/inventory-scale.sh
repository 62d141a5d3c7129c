#!/usr/bin/env bash
# The inventory commands on a large inventory: generates a manifest of APPS apps (default 100,000; two jobs
# each), imports it, then times `export`, `list apps`, `list jobs --json` and `schedule check --json`, printing
# wall time, user time and peak RSS of each. RBSCRON_BIN picks the binary (default: a release build made here);
# RBSCRON_BIN_BEFORE, when set, imports the same manifest with a second binary into an inventory of its own
# (an older binary refuses a file a newer one migrated) and times the same commands with it, for a
# before/after comparison.
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
BEFORE="${RBSCRON_BIN_BEFORE:-}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home"
DB="$WORK/inventory.sqlite"
DB_BEFORE="$WORK/inventory-before.sqlite"
python3 bench/gen_manifest.py "$APPS" >"$WORK/manifest.yaml"
echo "binary: $BIN${BEFORE:+ (before: $BEFORE)}; manifest: $APPS apps, $((APPS * 2)) jobs, $(($(wc -c <"$WORK/manifest.yaml") / 1024)) KiB"
measure() {
    local label="$1" bin="$2" db="$3"; shift 3
    /usr/bin/time -f "$label: %e s wall, %U s user, %M KiB peak RSS" "$bin" --db "$db" "$@" >"$WORK/out" 2>"$WORK/err" || true
    tail -1 "$WORK/err"
}
measure "import" "$BIN" "$DB" import "$WORK/manifest.yaml"
if [ -n "$BEFORE" ]; then
    measure "import (before)" "$BEFORE" "$DB_BEFORE" import "$WORK/manifest.yaml"
fi
for command in "export" "list apps" "list jobs --json" "schedule check --json"; do
    # shellcheck disable=SC2086  # the command's words are meant to split
    measure "$command" "$BIN" "$DB" $command
    if [ -n "$BEFORE" ]; then
        # shellcheck disable=SC2086
        measure "$command (before)" "$BEFORE" "$DB_BEFORE" $command
    fi
done
