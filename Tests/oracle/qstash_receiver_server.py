#!/usr/bin/env python3
"""A cron endpoint guarded the way seed 000's QStash endpoints are: Upstash's official SDK,
`Receiver.verify(signature=..., body=...)` with the current and next signing keys and no `url`.

Usage: qstash_receiver_server.py PORT_FILE LOG_FILE CURRENT_KEY NEXT_KEY
Listens on 127.0.0.1 (a port the kernel picks, written to PORT_FILE once listening). Every request
is appended to LOG_FILE as one JSON line (method, path, headers). A missing or refused signature
gets 401; an accepted one 200 ("the job ran"). The server stops when its stdin closes.
Exit 3: the qstash module is not installed.
"""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from qstash import Receiver
except ImportError as error:  # pragma: no cover - reported to the Swift test
    print(f"qstash module missing: {error}", file=sys.stderr)
    sys.exit(3)


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    port_file, log_file, current, next_key = sys.argv[1:]
    receiver = Receiver(current_signing_key=current, next_signing_key=next_key)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock, open(log_file, "a", encoding="utf-8") as log:
                log.write(json.dumps({"method": self.command, "path": self.path,
                                      "headers": {k.lower(): v for k, v in self.headers.items()}}) + "\n")
            signature = self.headers.get("Upstash-Signature")
            status, text = 401, '{"error":"missing signature"}'
            if signature:
                try:
                    receiver.verify(signature=signature, body=body.decode("utf-8"))
                    status, text = 200, '{"ran":true}'
                except Exception as error:  # SignatureError, or a malformed token
                    status, text = 401, json.dumps({"error": f"{type(error).__name__}"})
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(port_file + ".tmp", "w", encoding="utf-8") as handle:
        handle.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until the test closes our stdin (or dies)
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
