#!/usr/bin/env bash
# Next-fire throughput of rbscron's cron engine vs cronsim and croniter, one core, same
# expressions (bench/expressions.txt), same zone and start, same number of fires.
# Usage: bench/cron-throughput.sh [FIRES_PER_EXPR=2000] [ZONE=America/New_York]
set -euo pipefail
cd "$(dirname "$0")/.."
PER="${1:-2000}"
ZONE="${2:-America/New_York}"
START=1704067200   # 2024-01-01T00:00:00Z
swift build -c release --product cron-bench >/dev/null
SWIFT_JSON=$(taskset -c 0 .build/release/cron-bench throughput bench/expressions.txt "$ZONE" "$START" "$PER" 2>/dev/null \
    || .build/release/cron-bench throughput bench/expressions.txt "$ZONE" "$START" "$PER")
PY_JSON=$(taskset -c 0 python3 bench/cron_bench.py bench/expressions.txt "$ZONE" "$START" "$PER" 2>/dev/null \
    || python3 bench/cron_bench.py bench/expressions.txt "$ZONE" "$START" "$PER")
python3 - "$SWIFT_JSON" "$PY_JSON" "$ZONE" <<'PY'
import json, sys
s = json.loads(sys.argv[1]); p = json.loads(sys.argv[2])
rate = lambda r: r["fires"] / r["seconds"]
print(f"zone {sys.argv[3]}, {s['fires']} fires over {len(open('bench/expressions.txt').read().split(chr(10)))-1} expressions")
print(f"rbscron   {rate(s):>12,.0f} fires/s  ({s['seconds']:.3f} s)")
for name in ("cronsim", "croniter"):
    print(f"{name:<9} {rate(p[name]):>12,.0f} fires/s  ({p[name]['seconds']:.3f} s)   rbscron/{name} = {rate(s)/rate(p[name]):.1f}x")
PY
