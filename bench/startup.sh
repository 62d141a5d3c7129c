#!/usr/bin/env bash
# Median wall time and peak memory of `rbscron list jobs --json` vs sqlite3 on the same table.
# Usage: bench/startup.sh [RUNS=30]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product rbscron >/dev/null
python3 bench/startup.py .build/release/rbscron "${1:-30}"
