#!/usr/bin/env python3
"""Loopback stand-ins for the ecosystem's cron endpoints, one port per app, each guarded (or not) the way
seed 000 says endpoints are guarded in the wild. Used by scripts/audit-demo.sh.

Usage: audit_demo_server.py CONFIG_JSON PORTS_JSON
CONFIG_JSON: {"apps": {APP: {"default": BEHAVIOUR, "paths": {PATH: BEHAVIOUR}, "secret": "...",
              "qstash_current": "...", "qstash_next": "..."}}}
Writes {APP: PORT} to PORTS_JSON once every port listens, then serves until killed.

Behaviours:
  strict        CRON_SECRET compared with hmac.compare_digest; 500 when no secret is configured
  post-only     405 to anything but POST (a Next.js route exporting only POST), then strict
  open          no check at all ("Vercel auto-inject (no explicit check)")
  undefined     seed 003's template: authHeader !== `Bearer ${process.env.CRON_SECRET}` with CRON_SECRET unset
  unconfigured  500: CRON_SECRET is not configured (the seed's deny-by-default)
  slash-open    308 to the same path with a trailing slash, which has no check (trailingSlash: true)
  qstash        Upstash's Receiver.verify(signature=..., body=...) with the current and next signing keys
"""
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_handler(app: dict):
    receiver = None
    if app.get("qstash_current"):
        from qstash import Receiver  # the official SDK, as the apps use it

        receiver = Receiver(current_signing_key=app["qstash_current"],
                            next_signing_key=app.get("qstash_next") or app["qstash_current"])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, status: int, body: dict, headers: dict = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def strict(self, auth: str) -> None:
            secret = app.get("secret")
            if not secret:
                return self.reply(500, {"error": "CRON_SECRET is not configured"})
            if hmac.compare_digest(auth.encode(), f"Bearer {secret}".encode()):
                return self.reply(200, {"ok": True})
            return self.reply(401, {"error": "Unauthorized"})

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            auth = self.headers.get("Authorization") or ""
            behaviour = app.get("paths", {}).get(path.rstrip("/") or "/", app.get("default", "strict"))
            if behaviour == "strict":
                return self.strict(auth)
            if behaviour == "post-only":
                if self.command != "POST":
                    return self.reply(405, {"error": "Method Not Allowed"}, {"Allow": "POST"})
                return self.strict(auth)
            if behaviour == "open":
                return self.reply(200, {"ok": True})
            if behaviour == "undefined":
                if auth != "Bearer " + "undefined":  # `Bearer ${process.env.CRON_SECRET}` with it unset
                    return self.reply(401, {"error": "Unauthorized"})
                return self.reply(200, {"ok": True})
            if behaviour == "unconfigured":
                return self.reply(500, {"error": "CRON_SECRET is not configured"})
            if behaviour == "slash-open":
                if not path.endswith("/"):
                    return self.reply(308, {}, {"Location": path + "/"})
                return self.reply(200, {"ok": True})
            if behaviour == "qstash":
                signature = self.headers.get("Upstash-Signature")
                if not signature or receiver is None:
                    return self.reply(401, {"error": "missing signature"})
                try:
                    receiver.verify(signature=signature, body=body.decode("utf-8"))
                except Exception:
                    return self.reply(401, {"error": "invalid signature"})
                return self.reply(200, {"ok": True})
            return self.reply(404, {"error": "not found"})

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any

        def log_message(self, *args) -> None:
            pass

    return Handler


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as handle:
        config = json.load(handle)
    ports = {}
    for name, app in config["apps"].items():
        server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(app))
        server.daemon_threads = True
        ports[name] = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
    with open(sys.argv[2] + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(ports, handle)
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
    threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
