#!/usr/bin/env bash
# Start-up of rbscron against the floor (a Swift program that only loads Foundation, dynamic and -static-stdlib)
# and sqlite3: `list jobs --json`, `--version` and the Tab-completion call, interleaved runs, medians and peak RSS.
# Usage: bench/startup-options.sh [RUNS=100] [LABEL=BINARY ...]
#   With no LABEL=BINARY, builds the release binary (slow on a 2-core machine) and measures it.
#   Other builds to compare (e.g. one made with `swift build -c release --scratch-path /tmp/x` on another commit)
#   are given as LABEL=BINARY; the release binary is then measured only if given too.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-100}"
shift || true
if [ "$#" -eq 0 ]; then
    swift build -c release --product rbscron >/dev/null
    set -- "release=$(swift build -c release --show-bin-path)/rbscron"
fi
python3 bench/startup_options.py --runs "$runs" "$@"
