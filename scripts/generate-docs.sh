#!/usr/bin/env bash
# Regenerates completions/ (bash, zsh, fish) and man/ (one page per command) from the built binary; the man pages
# are finished by scripts/man-finish.py.
# With --check, writes nothing and fails when the checked-in files differ from what the current
# command line generates (CI runs it that way).
set -euo pipefail
cd "$(dirname "$0")/.."
# The date printed in the man pages; bump it with the version in CHANGELOG.md.
MAN_DATE=2026-11-22
mode="${1:-write}"

swift build --product rbscron >/dev/null
bin="$(swift build --show-bin-path)/rbscron"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/completions" "$out/man"
"$bin" --generate-completion-script bash > "$out/completions/rbscron.bash"
"$bin" --generate-completion-script zsh > "$out/completions/_rbscron"
"$bin" --generate-completion-script fish > "$out/completions/rbscron.fish"

rm -rf .build/plugins/GenerateManual/outputs
swift package plugin generate-manual --configuration debug --multi-page --date "$MAN_DATE" \
    --authors "rbscron maintainers" >/dev/null
cp .build/plugins/GenerateManual/outputs/rbscron/*.1 "$out/man/"
# Defaults, ENVIRONMENT (from the README's Configuration table), FILES, rbscron's exit codes, warning-free paragraphs.
"$bin" --experimental-dump-help > "$out/dump-help.json"
python3 scripts/man-finish.py "$out/man" "$out/dump-help.json" README.md

if [ "$mode" = "--check" ]; then
    if diff -r completions "$out/completions" >/dev/null && diff -r man "$out/man" >/dev/null; then
        echo "completions/ and man/ are current"
    else
        diff -r completions "$out/completions" | head -20 || true
        diff -r man "$out/man" | head -20 || true
        echo "completions/ or man/ are out of date with the command line: run scripts/generate-docs.sh and commit" >&2
        exit 1
    fi
else
    rm -rf completions man
    cp -r "$out/completions" "$out/man" .
    echo "wrote completions/ ($(ls completions | wc -l) files) and man/ ($(ls man | wc -l) pages)"
fi
