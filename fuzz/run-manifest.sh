#!/usr/bin/env bash
# Fuzz the manifest loader (YAML → validated inventory, and render/load round trip) with libFuzzer
# + AddressSanitizer for SECONDS (default 60). Crashers land in fuzz/artifacts/; each becomes a test
# in Tests/RBSCronKitTests/Inventory/ManifestFuzzRegressionTests.swift before it is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
YAMS=.build/checkouts/Yams
[ -d "$YAMS" ] || swift package resolve >/dev/null
out=fuzz/build/manifest
mkdir -p "$out" fuzz/artifacts fuzz/corpus/manifest-work
# libyaml (C) with coverage instrumentation, then Yams and rbscron's sources in one Swift module each.
for c in "$YAMS"/Sources/CYaml/src/*.c; do
    clang -c -O1 -g -fsanitize=fuzzer-no-link,address -DYAML_DECLARE_STATIC \
        -I "$YAMS/Sources/CYaml/include" "$c" -o "$out/$(basename "$c" .c).o"
done
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -emit-module -emit-object -wmo \
    -module-name Yams -D SWIFT_PACKAGE -I "$YAMS/Sources/CYaml/include" -Xcc -DYAML_DECLARE_STATIC \
    -emit-module-path "$out/Yams.swiftmodule" -o "$out/Yams.o" "$YAMS"/Sources/Yams/*.swift
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -wmo \
    -module-name RBSCronKit -I "$out" -I "$YAMS/Sources/CYaml/include" -Xcc -DYAML_DECLARE_STATIC \
    Sources/RBSCronKit/Inventory/*.swift Sources/RBSCronKit/Cron/*.swift Sources/RBSCronKit/Support/*.swift \
    fuzz/FuzzManifest.swift "$out"/*.o -o "$out/manifest-fuzz"
# New inputs go to the scratch corpus; the examples seed it, and fuzz/corpus/manifest keeps inputs worth
# keeping (minimized finds, regressions).
mkdir -p fuzz/corpus/manifest
exec "$out/manifest-fuzz" fuzz/corpus/manifest-work fuzz/corpus/manifest examples \
    -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix=fuzz/artifacts/ -print_final_stats=1
