"""Benchmark: how long a dripping server holds a client, per-read timeouts against one deadline.

A loopback server answers every request with its headers at once, then the 34-byte body
``{"Status":"success","Result":true}`` one byte every ``drip`` seconds (0.4 s: 13.6 s in all).
Measured side by side in one run, each with ``timeout=1``:

* ``send_message`` with ``retries=3`` (a send is never repeated once it left), its allowance
  ``timeout`` alone (``per_number_timeout=0``) and with the default 1.5 s per number (2.5 s);
* ``get_credits`` with ``retries=2`` (read-only: every failure is retried; the body, once
  complete, is not a credit table, so each attempt fails).

Then the price of the deadline on a healthy server: ``requests`` POSTs in a row to a loopback
server that answers at once (kept-alive connections), per request, both transports.

"per-read" is the transport as it was (``requests`` with ``timeout=``, which bounds each socket
read, then ``resp.content``); "deadline" is :class:`RequestsTransport` now. A script, not a test:
``python benchmarks/bench_transport.py [drip_seconds] [requests]``.

Example:
    $ .venv/bin/python benchmarks/bench_transport.py 0.4 2000
"""

from __future__ import annotations

import random
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Mapping

import requests

from miogram_toolkit import Client
from miogram_toolkit.client.core import PER_NUMBER_TIMEOUT
from miogram_toolkit.client.deadline import Deadline
from miogram_toolkit.client.transport import (
    RawResponse,
    RequestsTransport,
    classify_requests_error,
)
from miogram_toolkit.protocol.errors import MioGramError

BODY = b'{"Status":"success","Result":true}'


class PerReadTransport:
    """The transport as it was: ``requests``' timeout bounds each read, not the request."""

    def __init__(self) -> None:
        self._session = requests.Session()

    def post(self, url: str, fields: Mapping[str, str], *, headers: Mapping[str, str],
             timeout: float) -> RawResponse:
        try:
            resp = self._session.post(url, data=dict(fields), headers=dict(headers),
                                      timeout=timeout, allow_redirects=False)
            content = resp.content
        except requests.exceptions.RequestException as exc:
            raise classify_requests_error(exc)(type(exc).__name__) from None
        return RawResponse(resp.status_code, content.decode("utf-8", "replace"),
                           dict(resp.headers))

    def close(self) -> None:
        self._session.close()


def dripping_server(drip: float) -> tuple[socketserver.ThreadingTCPServer, str, list[int]]:
    requests_seen: list[int] = []

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock: socket.socket = self.request
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                data += chunk
            requests_seen.append(1)
            try:
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY))
                for i in range(len(BODY)):
                    sock.sendall(BODY[i:i + 1])
                    time.sleep(drip)
            except OSError:
                pass  # the client gave up

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/dojob.php", requests_seen


def healthy_server() -> tuple[socketserver.ThreadingTCPServer, str]:
    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            while True:  # keep-alive: one request after another on the same connection
                length = 0
                line = self.rfile.readline()
                if not line:
                    return
                while line not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                    line = self.rfile.readline()
                self.rfile.read(length)
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY))

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/dojob.php"


def per_request(url: str, transport: object, count: int) -> float:
    form = {"Secret": "x32nv86ss5z", "Func": "APIGetCredits"}
    post = transport.post  # type: ignore[attr-defined]
    post(url, form, headers={}, timeout=5)  # the connection opened outside the timing
    started = time.perf_counter()
    for _ in range(count):
        post(url, form, headers={}, timeout=5)
    return (time.perf_counter() - started) / count


def held(url: str, transport: object, action: str, retries: int,
         per_number: float) -> tuple[float, str]:
    client = Client("x32nv86ss5z", base_url=url, timeout=1, per_number_timeout=per_number,
                    retries=retries, transport=transport,  # type: ignore[arg-type]
                    rng=random.Random(7))
    started = time.monotonic()
    try:
        if action == "send_message":
            client.send_message("+989121234567", "Hi")
        else:
            client.get_credits()
        outcome = "answered"
    except MioGramError as exc:
        outcome = type(exc).__name__
    return time.monotonic() - started, outcome


def main() -> None:
    drip = float(sys.argv[1]) if len(sys.argv) > 1 else 0.4
    server, url, seen = dripping_server(drip)
    print(f"body {len(BODY)} bytes dripped at {drip:g} s/byte "
          f"({len(BODY) * drip:.1f} s per answer); client timeout=1 s")
    print(f"{'call':<44}{'per-read':>26}{'deadline':>26}{'ratio':>8}")
    # A send's allowance is timeout + per_number_timeout per number (1 + 1.5 s by default).
    cases = (("send_message", 3, 0.0), ("send_message", 3, PER_NUMBER_TIMEOUT),
             ("get_credits", 2, PER_NUMBER_TIMEOUT))
    for action, retries, per_number in cases:
        row = []
        for make in (PerReadTransport, RequestsTransport):
            transport = make()
            before = len(seen)
            seconds, outcome = held(url, transport, action, retries, per_number)
            transport.close()
            row.append((seconds, outcome, len(seen) - before))
        label = f"{action}(retries={retries}" + (
            f", per_number={per_number:g})" if action == "send_message" else ")")
        cells = [f"{s:6.2f} s {o} x{n}" for s, o, n in row]
        print(f"{label:<44}{cells[0]:>26}{cells[1]:>26}{row[0][0] / row[1][0]:>7.1f}x")
    server.shutdown()
    server.server_close()

    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    server, url = healthy_server()
    old, new = PerReadTransport(), RequestsTransport()
    rounds: list[list[float]] = [[], []]
    for _ in range(5):  # interleaved rounds, best of each: a busy machine's noise cut down
        rounds[0].append(per_request(url, old, count // 5))
        rounds[1].append(per_request(url, new, count // 5))
    old.close()
    new.close()
    costs = [min(r) for r in rounds]
    print(f"healthy server, {count} POSTs in a row: per-read {costs[0] * 1e3:.3f} ms, "
          f"deadline {costs[1] * 1e3:.3f} ms per request ({costs[1] / costs[0]:.2f}x, best "
          "of 5 interleaved rounds)")
    server.shutdown()
    server.server_close()

    # The deadline's own price, without a network's noise.
    left, right = socket.socketpair()
    started = time.perf_counter()
    for _ in range(count):
        with Deadline(5.0) as deadline:
            deadline.watch(left)
    each = (time.perf_counter() - started) / count
    left.close()
    right.close()
    print(f"the deadline alone (a watchdog entry + one watched socket): {each * 1e6:.0f} µs "
          "a request")


if __name__ == "__main__":
    main()
