#!/usr/bin/env python3
"""Differential-test oracle for rbscron's cron engine.

Usage: cron_oracle.py IN.json OUT.json

IN is a JSON list of cases {"id": int, "expr": str, "zone": str, "start": int (epoch s),
"count": int}. OUT is a JSON object {"<id>": {"fires": [epoch s, ...], "engine": "cronsim"
| "croniter"} | {"error": str}}. Fires come from cronsim (which models Debian cron's DST
handling); croniter is used only when cronsim refuses the expression.
Exit 3 if cronsim is not importable.
"""
import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

try:
    from cronsim import CronSim, CronSimError
except ImportError:  # pragma: no cover
    sys.stderr.write("cronsim is not installed (pip install cronsim)\n")
    sys.exit(3)


def with_cronsim(expr, start, count):
    it = CronSim(expr, start)
    out = []
    for _ in range(count):
        try:
            out.append(int(next(it).timestamp()))
        except StopIteration:
            break
    return out


def with_croniter(expr, start, count):
    from croniter import croniter

    it = croniter(expr, start)
    return [int(it.get_next(datetime).timestamp()) for _ in range(count)]


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    result = {}
    for case in cases:
        zone = ZoneInfo(case["zone"])
        start = datetime.fromtimestamp(case["start"], zone)
        count = case.get("count", 5)
        try:
            result[str(case["id"])] = {"fires": with_cronsim(case["expr"], start, count), "engine": "cronsim"}
        except CronSimError:
            try:
                result[str(case["id"])] = {"fires": with_croniter(case["expr"], start, count), "engine": "croniter"}
            except Exception as e:  # croniter raises several types
                result[str(case["id"])] = {"error": f"{type(e).__name__}: {e}"}
    with open(sys.argv[2], "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
