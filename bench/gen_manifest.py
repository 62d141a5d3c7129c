#!/usr/bin/env python3
"""Writes a manifest of N apps (two jobs each: a Vercel cron and a QStash job) to stdout, for
bench/inventory-scale.sh. Deterministic: the same N gives the same file."""
import sys

def main() -> None:
    apps = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    out = sys.stdout
    out.write("version: 1\napps:\n")
    for i in range(apps):
        name = f"app-{i}"
        out.write(
            f"  - name: {name}\n"
            f"    base_url: https://{name}.example.com\n"
            f"    platform: vercel\n"
            f"    jobs:\n"
            f"      - {{name: nightly, path: /api/cron/nightly, method: GET, layer: vercel, schedule: \"{i % 60} 3 * * *\"}}\n"
            f"      - {{name: sync, path: /api/cron/sync, layer: qstash, schedule: \"*/15 * * * *\", auth: qstash}}\n"
        )

if __name__ == "__main__":
    main()
