#!/usr/bin/env python3
"""Time croniter and cronsim computing FIRES consecutive fires per expression.
Usage: cron_bench.py EXPRFILE ZONE START_EPOCH FIRES  -> JSON {"cronsim": {...}, "croniter": {...}}"""
import json
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from croniter import croniter
from cronsim import CronSim

exprs = [l.strip() for l in open(sys.argv[1]) if l.strip()]
zone = ZoneInfo(sys.argv[2])
start = datetime.fromtimestamp(int(sys.argv[3]), zone)
per = int(sys.argv[4])
out = {}
for name in ("cronsim", "croniter"):
    fires = 0
    t0 = time.perf_counter()
    for e in exprs:
        if name == "cronsim":
            it = CronSim(e, start)
            for _ in range(per):
                next(it)
                fires += 1
        else:
            it = croniter(e, start)
            for _ in range(per):
                it.get_next(datetime)
                fires += 1
    out[name] = {"fires": fires, "seconds": time.perf_counter() - t0}
print(json.dumps(out))
