#!/usr/bin/env bash
# Renders the stats dashboard of a plausible week of the embedded inventory and screenshots it with
# headless Chromium (Debian package: chromium), then checks the PNG is not blank. With --failing the
# week ends badly (gen_runs.py --failing: failing jobs, an app down, missed fires, dead letters, a
# failed keep-alive), for docs/dashboard-failing.png.
#
#   bench/dashboard-screenshot.sh [--failing] [OUT.png]   # default docs/dashboard.png (docs/dashboard-failing.png)
#
# RBSCRON_BIN=path uses that binary instead of building one; DASHBOARD_HTML=path keeps the page;
# DASHBOARD_HEIGHT sets the window height in pixels (default 1000).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=()
if [[ "${1:-}" == "--failing" ]]; then MODE=(--failing); shift; fi
DEFAULT=docs/dashboard.png
[[ ${#MODE[@]} -gt 0 ]] && DEFAULT=docs/dashboard-failing.png
OUT="${1:-$DEFAULT}"
if [[ -n "${RBSCRON_BIN:-}" ]]; then
    BIN="$RBSCRON_BIN"
else
    swift build --product rbscron >/dev/null
    BIN="$(swift build --show-bin-path)/rbscron"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DB="$WORK/inventory.sqlite"
"$BIN" --db "$DB" list jobs --json >"$WORK/jobs.json"
"$BIN" --db "$DB" list apps --json >"$WORK/apps.json"
python3 bench/gen_runs.py "$DB" "$WORK/jobs.json" --realistic ${MODE[@]+"${MODE[@]}"} --apps "$WORK/apps.json" --days 8
"$BIN" --db "$DB" stats --since 7d --html "$WORK/dashboard.html" >/dev/null
[[ -n "${DASHBOARD_HTML:-}" ]] && cp "$WORK/dashboard.html" "$DASHBOARD_HTML"
mkdir -p "$(dirname "$OUT")"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$WORK/profile" \
    --screenshot="$OUT" --window-size="1400,${DASHBOARD_HEIGHT:-1000}" "file://$WORK/dashboard.html" 2>/dev/null
python3 bench/png_check.py "$OUT" --min-colours 24 --min-ink 0.03
echo "wrote $OUT"
