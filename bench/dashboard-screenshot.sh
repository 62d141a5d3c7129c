#!/usr/bin/env bash
# Renders the stats dashboard of a plausible week of the embedded inventory and screenshots it with
# headless Chromium (Debian package: chromium), then checks the PNG is not blank.
#
#   bench/dashboard-screenshot.sh [OUT.png]     # default docs/dashboard.png
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-docs/dashboard.png}"
swift build --product rbscron >/dev/null
BIN="$(swift build --show-bin-path)/rbscron"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DB="$WORK/inventory.sqlite"
"$BIN" --db "$DB" list jobs --json >"$WORK/jobs.json"
"$BIN" --db "$DB" list apps --json >"$WORK/apps.json"
python3 bench/gen_runs.py "$DB" "$WORK/jobs.json" --realistic --apps "$WORK/apps.json" --days 8
"$BIN" --db "$DB" stats --since 7d --html "$WORK/dashboard.html" >/dev/null
mkdir -p "$(dirname "$OUT")"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$WORK/profile" \
    --screenshot="$OUT" --window-size=1400,1000 "file://$WORK/dashboard.html" 2>/dev/null
python3 bench/png_check.py "$OUT" --min-colours 24 --min-ink 0.03
echo "wrote $OUT"
