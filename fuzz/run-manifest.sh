#!/usr/bin/env bash
# Fuzz the manifest loader (YAML → validated inventory, and render/load round trip) with libFuzzer
# + AddressSanitizer for SECONDS (default 60). Crashers land in fuzz/artifacts/; each becomes a test
# in Tests/RBSCronKitTests/Inventory/ManifestLimitsTests.swift (or beside it) before it is fixed.
# The manifest's bounds (Manifest.Limits: size, and values reached through aliases) keep every input within
# -timeout=5 and -rss_limit_mb=1024; an input past them is a finding. The seed corpus holds alias bombs.
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
# Compiled from inside $out (paths made absolute), so the debug module files land there, not in the repository.
root=$(pwd)
(cd "$out" && swiftc -sanitize=fuzzer,address -parse-as-library -O -g -wmo \
    -module-name RBSCronKit -I . -I "$root/$YAMS/Sources/CYaml/include" -Xcc -DYAML_DECLARE_STATIC \
    "$root"/Sources/RBSCronKit/Inventory/*.swift "$root"/Sources/RBSCronKit/Model/*.swift \
    "$root"/Sources/RBSCronKit/Cron/*.swift "$root"/Sources/RBSCronKit/Support/*.swift \
    "$root"/fuzz/FuzzManifest.swift ./*.o -o manifest-fuzz)
# New inputs go to the scratch corpus; the examples seed it, and fuzz/corpus/manifest keeps inputs worth
# keeping (minimized finds, regressions).
mkdir -p fuzz/corpus/manifest
exec "$out/manifest-fuzz" fuzz/corpus/manifest-work fuzz/corpus/manifest examples \
    -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=5 -rss_limit_mb=1024 \
    -artifact_prefix=fuzz/artifacts/ -print_final_stats=1
