"""A real HTTP webhook receiver on 127.0.0.1, for the webhook and fault tests: it records every POST, checks
its signature and answers with scripted statuses after an optional delay."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from organization.webhooks.signing import verify_signature


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signature_valid: bool
    status: int


@dataclass
class Receiver:
    """Answers each POST with the next status in `script` (then `default`), after `delay` seconds."""

    port: int = 0
    secret: str = ""
    script: list[int] = field(default_factory=list)
    default: int = 200
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/connectivity"


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with receiver.lock:
            status = receiver.script.pop(0) if receiver.script else receiver.default
            valid = verify_signature(receiver.secret, self.headers.get("X-Connectivity-Signature", ""), body)
            receiver.requests.append(Received(dict(self.headers), body, valid, status))
        time.sleep(receiver.delay)
        try:
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
        except (BrokenPipeError, ConnectionResetError):  # the sender timed out and hung up
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    state = Receiver(port=server.server_address[1])
    server.receiver = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
