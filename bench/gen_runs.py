#!/usr/bin/env python3
"""Fills an rbscron inventory (created by rbscron, so its schema is current) with generated history.

    python3 bench/gen_runs.py DB JOBS_JSON --runs 1000000 --days 90        # scale: uniform over jobs and days
    python3 bench/gen_runs.py DB JOBS_JSON --realistic --days 7            # a plausible week, for screenshots
    python3 bench/gen_runs.py DB JOBS_JSON --realistic --failing --days 7  # the same week going wrong

JOBS_JSON is the output of `rbscron list jobs --json`. Times are epoch milliseconds ending now.
The realistic mode fires scheduled jobs at their cron times (cronsim) through due mode or as remote
history, with a few failing or silent jobs, health checks, keep-alive pings and dead letters.
--failing adds a bad day on top: a dispatcher failing with a long error, an app down (its fan-out
children lose their jobs), several dead letters of one job and one held by QStash, and a Supabase
project whose keep-alive pings all failed.
"""
import json
import random
import sqlite3
import sys
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

OUTCOMES = ["ok"] * 92 + ["http_error"] * 4 + ["timeout"] * 2 + ["transport_error", "skipped"]
SOURCES = ["due"] * 5 + ["remote"] * 3 + ["manual", "ci"]


def scale(db, jobs, count, days, now_ms):
    rng = random.Random(8)
    span = days * 86_400_000
    refs = [(j["app"], j["name"]) for j in jobs]

    def rows():
        for i in range(count):
            app, job = refs[i % len(refs)]
            started = now_ms - rng.randrange(span)
            outcome = rng.choice(OUTCOMES)
            duration = rng.lognormvariate(5.5, 0.8)
            status = 200 if outcome == "ok" else (503 if outcome == "http_error" else None)
            yield (app, job, rng.choice(SOURCES), None, started, started + int(duration), "finished", 1,
                   status, outcome, duration, duration, None if outcome == "ok" else "generated failure")

    db.executemany(INSERT, rows())


INSERT = """INSERT INTO runs (app, job, source, scheduled_for, started_at, finished_at, state, attempts,
            http_status, outcome, duration_ms, total_ms, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"""


def realistic(db, jobs, apps, days, now_ms):
    from cronsim import CronSim
    rng = random.Random(4)
    start = datetime.fromtimestamp((now_ms - days * 86_400_000) / 1000, tz=timezone.utc)
    failing = {("camino", "voice-outbound"), ("la-hoja", "dispatcher")}
    silent = {("baul", "generate-routes")}
    rows = []
    for j in jobs:
        ref = (j["app"], j["name"])
        sched = j.get("schedule")
        if not sched or not j["enabled"] or j["layer"] not in ("vercel", "qstash", "pg_cron"):
            continue
        expr = sched.split(" ", 1)[1] if sched.startswith("CRON_TZ=") else sched
        zone = sched.split(" ", 1)[0][len("CRON_TZ="):] if sched.startswith("CRON_TZ=") else j.get("timezone")
        try:
            # Fires in the job's own zone (a Mexico City job at 9-18 local is not 9-18 UTC).
            it = CronSim(expr, start.astimezone(ZoneInfo(zone)) if zone else start)
        except Exception:
            continue
        source = "remote" if j["layer"] in ("qstash", "pg_cron") else "due"
        base = rng.uniform(120, 900)
        fires = []
        for fire in it:
            t = int(fire.timestamp() * 1000)
            if t > now_ms - 60_000 or len(fires) > 20_000:
                break
            fires.append(t)
        for n, t in enumerate(fires):
            if ref in silent and t > now_ms - 2 * 86_400_000:
                continue
            # The failing jobs fail their last few fires: a current failure streak.
            fail = (ref in failing and n >= len(fires) - 3) or rng.random() < 0.02
            outcome = rng.choice(["http_error", "timeout"]) if fail else "ok"
            duration = max(20.0, rng.gauss(base, base / 5)) * (1.6 if fail else 1.0)
            sched_for = t if source == "due" else None
            started = t + rng.randrange(200, 4000)
            rows.append((j["app"], j["name"], source, sched_for, started, started + int(duration), "finished", 1,
                         (503 if outcome == "http_error" else None) if fail else 200, outcome, duration, duration,
                         ("HTTP 503 from " + (j["path"] or "the database")) if outcome == "http_error" else
                         ("timed out after %ds" % (duration // 1000)) if fail else None))
    db.executemany(INSERT, rows)
    for a in apps:
        for k in range(days * 24 * 2):
            t = now_ms - k * 1_800_000
            status = "down" if (a["name"] == "la-hoja" and k < 3) else ("degraded" if rng.random() < 0.03 else "up")
            # health-check records why a check was not up: the status it got, or that it was slow.
            reason = {"down": "http_status", "degraded": "slow"}.get(status)
            db.execute("INSERT INTO health_checks (app, checked_at, status, method, http_status, reason, total_ms) VALUES (?,?,?,?,?,?,?)",
                       (a["name"], t, status, "HEAD", 503 if status == "down" else 200, reason, rng.lognormvariate(5.3, 0.4)))
        if a.get("supabase"):
            last = now_ms - int(rng.uniform(0.3, 6.5) * 86_400_000)
            db.execute("INSERT INTO keepalive_pings (app, pinged_at, ok, http_status, total_ms) VALUES (?,?,1,200,80)", (a["name"], last))
    for app, job, err in [("camino", "voice-outbound", "HTTP 503 after 4 attempts"),
                          ("la-hoja", "dispatcher", "timed out after 60s (3 attempts)")]:
        db.execute("""INSERT INTO dead_letters (app, job, last_error, attempts, created_at) VALUES (?,?,?,4,?)""",
                   (app, job, err, now_ms - rng.randrange(3_600_000, 40_000_000)))


def failing(db, now_ms):
    """A bad day on top of the realistic week; every row is one the real commands would record."""
    hour = 3_600_000
    # The inventory was imported before the week began: every fire of the week is judged.
    db.execute("UPDATE jobs SET added_at = ?", (now_ms - 8 * 86_400_000,))
    # camino's daily dispatcher fails its last two fires (its app stays up): the app must not look green.
    long_error = ("The request did not complete within 60 seconds: the dispatcher had called 7 of its 18 "
                  "sub-jobs (expire-trials … optimize-prices) and was waiting on refresh-tokens; the remaining "
                  "11 were not called and will run at the next fire unless triggered by hand")
    db.execute("DELETE FROM runs WHERE app = 'camino' AND job = 'daily-dispatcher' AND started_at > ?",
               (now_ms - 2 * 86_400_000 - 60_000,))
    for days_ago in (1, 0):
        fire = (now_ms // 86_400_000 - days_ago) * 86_400_000 + 14 * hour
        if fire > now_ms - 60_000:
            fire -= 86_400_000
        db.execute(INSERT, ("camino", "daily-dispatcher", "due", fire, fire + 900, fire + 60_900, "finished", 1,
                            None, "timeout", 60_000.0, 60_000.0, long_error))
    # camino's voice-outbound fails its latest six runs: its circuit breaker is open (or half-open).
    db.execute("""UPDATE runs SET outcome = 'timeout', http_status = NULL, error = 'timed out after 30 s'
                  WHERE id IN (SELECT id FROM runs WHERE app = 'camino' AND job = 'voice-outbound'
                               ORDER BY started_at DESC LIMIT 6)""")
    # colectiva is down for the last two hours: its heartbeat stops firing agora, la-hoja and servilleta.
    db.execute("DELETE FROM health_checks WHERE app IN ('colectiva', 'caracol') AND checked_at > ?", (now_ms - 2 * hour,))
    for k in range(4):
        t = now_ms - k * 1_800_000
        db.execute("""INSERT INTO health_checks (app, checked_at, status, method, http_status, reason, total_ms)
                      VALUES ('colectiva', ?, 'down', 'HEAD', 503, 'http_status', 412.0)""", (t,))
    # caracol answers slowly: degraded.
    db.execute("""INSERT INTO health_checks (app, checked_at, status, method, http_status, reason, total_ms)
                  VALUES ('caracol', ?, 'degraded', 'HEAD', 200, 'slow', 4810.0)""", (now_ms,))
    # Five dead letters of one job (one row on the page, with a count) and one QStash holds itself.
    for k in range(5):
        db.execute("""INSERT INTO dead_letters (app, job, last_error, attempts, created_at) VALUES (?,?,?,?,?)""",
                   ("caracol", "process-failed-queue", "HTTP 502 after %d attempts (upstream PAC timeout)" % (k + 2),
                    k + 2, now_ms - (k + 1) * 5 * hour))
    db.execute("""INSERT INTO dead_letters (app, job, last_error, attempts, created_at, origin, remote_id)
                  VALUES ('colectiva', 'daily-brain', 'QStash gave up after 4 attempt(s): HTTP 503', 4, ?, 'qstash',
                          'dlq-demo-1')""", (now_ms - 7 * hour,))
    # plenura's keep-alive has only ever failed: the page must say why, not "never pinged".
    db.execute("DELETE FROM keepalive_pings WHERE app = 'plenura'")
    for k in range(3):
        db.execute("""INSERT INTO keepalive_pings (app, pinged_at, ok, http_status, error, total_ms)
                      VALUES ('plenura', ?, 0, 401, ?, 95.0)""",
                   (now_ms - (k * 24 + 2) * hour, "HTTP 401: the anon key was refused (rotated?); no request counted as activity"))
    # patadas was last pinged 6.4 days ago: overdue, Supabase pauses it within the day.
    db.execute("DELETE FROM keepalive_pings WHERE app = 'patadas'")
    db.execute("INSERT INTO keepalive_pings (app, pinged_at, ok, http_status, total_ms) VALUES ('patadas', ?, 1, 200, 80)",
               (now_ms - int(6.4 * 86_400_000),))


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        raise SystemExit(__doc__)
    db_path, jobs_path = args[0], args[1]
    days = int(args[args.index("--days") + 1]) if "--days" in args else 90
    jobs = json.load(open(jobs_path))
    now_ms = int(time.time() * 1000)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    with db:
        if "--realistic" in args:
            apps = json.load(open(args[args.index("--apps") + 1]))
            realistic(db, jobs, apps, days, now_ms)
            if "--failing" in args:
                failing(db, now_ms)
        else:
            count = int(args[args.index("--runs") + 1]) if "--runs" in args else 1_000_000
            scale(db, jobs, count, days, now_ms)
    n = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"runs in {db_path}: {n}", file=sys.stderr)


if __name__ == "__main__":
    main()
