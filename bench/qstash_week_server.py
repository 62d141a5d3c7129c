#!/usr/bin/env python3
"""A QStash stand-in holding a week of the embedded ecosystem's history, for bench/due-evidence.sh.

Reads the inventory's QStash jobs (JSON of `rbscron list jobs --layer qstash --json`) and the time "now"
(Unix seconds), and serves what rbscron reads:
  GET  /v2/schedules            every job's schedule rbs-<app>-<job>, active, created 30 days ago
  GET  /v2/logs, /v2/events     a week of log entries, newest first, paged by cursor (count, fromDate, toDate,
                                scheduleId honoured): each fire of each schedule CREATED/ACTIVE/DELIVERED (every
                                tenth with an ERROR/RETRY before), one fire in fifty never made (missed), plus other
                                traffic of the account (messages of no rbscron schedule) up to about 10,000 entries
  GET  /v2/dlq                  empty
  POST /v2/publish/<url>        accepted (deduplicated on a repeated Upstash-Deduplication-Id)
Prints its port, then serves until killed; counts requests per route into the file given as argv[3].
"""
import json, sys, time, itertools, http.server, urllib.parse, collections, threading
from datetime import datetime, timezone
from croniter import croniter

jobs = json.load(open(sys.argv[1]))
now = int(sys.argv[2])
counts_file = sys.argv[3]
week = 7 * 86400
entries = []
mid = itertools.count(1)
for job in jobs:
    if not job.get("schedule"):
        continue
    sid = f"rbs-{job['app']}-{job['name']}"
    url = f"https://{job['app']}.example/{job['path'].lstrip('/')}"
    it = croniter(job["schedule"], datetime.fromtimestamp(now - week, tz=timezone.utc))
    n = 0
    while True:
        fire = int(it.get_next(datetime).timestamp())
        if fire > now - 60:
            break
        n += 1
        if n % 50 == 0:
            continue  # missed: QStash made no message for this fire
        m = f"msg_{next(mid)}"
        t = fire * 1000 + 300
        states = ["CREATED", "ACTIVE"] + (["ERROR", "RETRY", "ACTIVE"] if n % 10 == 0 else []) + ["DELIVERED"]
        for i, state in enumerate(states):
            e = {"time": t + i * 400, "messageId": m, "state": state, "url": url, "scheduleId": sid,
                 "method": job.get("method", "POST"), "maxRetries": job.get("retries", 3)}
            if state == "ERROR":
                e["responseStatus"] = 503
                e["error"] = "destination answered HTTP 503"
            if state == "DELIVERED":
                e["responseStatus"] = 200
            entries.append(e)
# Other traffic of the account, spread over the week.
other = max(0, 10_000 - len(entries))
for i in range(other // 3):
    t = (now - week) * 1000 + int(i * (week * 1000 / max(1, other // 3)))
    m = f"other_{i}"
    for j, state in enumerate(["CREATED", "ACTIVE", "DELIVERED"]):
        entries.append({"time": t + j * 200, "messageId": m, "state": state, "url": "https://other.example/hook"})
entries.sort(key=lambda e: -e["time"])
schedules = [{"scheduleId": f"rbs-{j['app']}-{j['name']}", "cron": j["schedule"],
              "destination": f"https://{j['app']}.example/{j['path'].lstrip('/')}", "method": j.get("method", "POST"),
              "retries": j.get("retries", 3), "createdAt": (now - 30 * 86400) * 1000, "isPaused": False}
             for j in jobs if j.get("schedule")]
counts = collections.Counter()
dedup = {}
lock = threading.Lock()

class H(http.server.BaseHTTPRequestHandler):
    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def count(self, route):
        with lock:
            counts[route] += 1
            open(counts_file, "w").write(json.dumps(counts))

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == "/v2/schedules":
            self.count("GET /v2/schedules")
            return self.reply(200, schedules)
        if u.path in ("/v2/logs", "/v2/events"):
            self.count("GET " + u.path)
            frm = int(q.get("fromDate", ["0"])[0]); to = int(q.get("toDate", [str(2**62)])[0])
            size = int(q.get("count", ["100"])[0]); start = int(q.get("cursor", ["0"])[0] or 0)
            sid = q.get("scheduleId", [None])[0]
            sel = [e for e in entries if frm <= e["time"] <= to and (sid is None or e.get("scheduleId") == sid)]
            page = sel[start:start + size]
            key = "logs" if u.path == "/v2/logs" else "events"
            body = {key: page}
            if start + size < len(sel):
                body["cursor"] = str(start + size)
            return self.reply(200, body)
        if u.path == "/v2/dlq":
            self.count("GET /v2/dlq")
            return self.reply(200, {"messages": []})
        self.reply(404, {"error": "not found"})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/v2/publish/"):
            self.count("POST /v2/publish")
            d = self.headers.get("Upstash-Deduplication-Id")
            with lock:
                if d in dedup:
                    return self.reply(202, {"messageId": dedup[d], "deduplicated": True})
                m = f"msg_bf_{len(dedup) + 1}"
                if d:
                    dedup[d] = m
            return self.reply(200, {"messageId": m})
        self.reply(404, {"error": "not found"})

    def log_message(self, *a):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(server.server_address[1], len(entries), flush=True)
server.serve_forever()
