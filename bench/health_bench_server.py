#!/usr/bin/env python3
"""Loopback HTTP/1.1 server for bench/health-check.sh.

One port, N distinct endpoints /h/0 … /h/N-1, each answering 200 after DELAY seconds (HEAD
without a body). Keep-alive connections, asyncio, so hundreds of concurrent connections are
served at once. GET /__peak answers the most requests seen in flight at once since the last
/__peak, and resets it, so the bench can check the client's concurrency bound.

    python3 bench/health_bench_server.py N DELAY_SECONDS   # prints the port, then serves
"""
import asyncio
import signal
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500
DELAY = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
state = {"now": 0, "peak": 0, "served": 0}


def response(status, body, method):
    head = f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return head if method == "HEAD" else head + body


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip() or 0)
            if length:
                await reader.readexactly(length)
            if path == "/__peak":
                body = f"{state['peak']} {state['served']}\n".encode()
                state["peak"] = state["now"]
                state["served"] = 0
                writer.write(response("200 OK", body, method))
                await writer.drain()
                continue
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
            try:
                await asyncio.sleep(DELAY)
            finally:
                state["now"] -= 1
            state["served"] += 1
            ok = path.startswith("/h/") and path[3:].isdigit() and int(path[3:]) < N
            writer.write(response("200 OK" if ok else "404 Not Found", b"ok\n" if ok else b"no\n", method))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError, IndexError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=2048)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    async with server:
        await stop


asyncio.run(main())
