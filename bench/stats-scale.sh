#!/usr/bin/env bash
# stats over a large history: generates RUNS runs (default 1,000,000) spread over the embedded inventory's
# jobs and 90 days, then times `rbscron stats --since 90d --json` (release build) and prints wall time and
# peak RSS, then the same pinned to one processor. Target: at most 1 s. On a shared machine, read the user
# time beside the wall time.
#
#   bench/stats-scale.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-1000000}"
swift build -c release --product rbscron >/dev/null
BIN=.build/release/rbscron
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DB="$WORK/inventory.sqlite"
"$BIN" --db "$DB" list jobs --json >"$WORK/jobs.json"
python3 bench/gen_runs.py "$DB" "$WORK/jobs.json" --runs "$RUNS" --days 90
"$BIN" --db "$DB" stats --since 90d --json >/dev/null   # warm the page cache once
for i in 1 2 3; do
    /usr/bin/time -f "run $i: %e s wall, %U s user, %M KiB peak RSS" "$BIN" --db "$DB" stats --since 90d --json >"$WORK/stats.json"
done
# stats scans with one reader per processor (at most four); pinned to one processor it scans with one.
if command -v taskset >/dev/null; then
    for i in 1 2 3; do
        /usr/bin/time -f "one processor, run $i: %e s wall, %U s user" taskset -c 0 "$BIN" --db "$DB" stats --since 90d --json >/dev/null
    done
fi
python3 - "$WORK/stats.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"jobs: {len(r['jobs'])}, runs counted: {sum(j['runs'] for j in r['jobs'])}")
PY
