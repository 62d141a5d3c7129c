#!/usr/bin/env bash
# Fuzz the cron parser with libFuzzer + AddressSanitizer for SECONDS (default 60).
# Crashers land in fuzz/artifacts/; turn each into a unit test in
# Tests/RBSCronKitTests/Cron/CronFuzzRegressionTests.swift before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
mkdir -p fuzz/build fuzz/artifacts fuzz/corpus/cron-work
# One whole-module compile inside fuzz/build, so no module file lands next to the sources.
(cd fuzz/build && swiftc -sanitize=fuzzer,address -parse-as-library -O -g -wmo \
    -module-name RBSCronKit \
    ../../Sources/RBSCronKit/Cron/*.swift ../../Sources/RBSCronKit/Support/*.swift ../FuzzCronParser.swift \
    -o cron-fuzz)
# New inputs go to the scratch corpus; the checked-in seed corpus stays small.
exec fuzz/build/cron-fuzz fuzz/corpus/cron-work fuzz/corpus/cron \
    -max_total_time="$SECONDS_TO_RUN" -max_len=256 -timeout=10 \
    -artifact_prefix=fuzz/artifacts/ -print_final_stats=1
