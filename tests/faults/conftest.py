"""Servers the fault tests start, stop and restart themselves, so the machine's shared Redis and PostgreSQL are
never touched: a `redis-server` on a free port, a throwaway PostgreSQL cluster (initdb into a temporary folder),
an SMTP sink and a webhook receiver on 127.0.0.1. Where redis-server or initdb is missing the tests skip, except
in CI (`CI` set), where they fail."""

from __future__ import annotations

import os
import shutil
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.webhook_receiver import Receiver, serving

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def require(tool: str, found: bool) -> None:
    if found:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is required in CI for the fault tests")
    pytest.skip(f"{tool} not found: the fault tests start their own")


def free_port(start: int) -> int:
    """The first port from `start` on that nothing listens on (and that we can bind) on 127.0.0.1."""
    for port in range(start, start + 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port from {start}")


def wait_until(condition: Callable[[], bool], *, seconds: float, interval: float = 0.1) -> bool:
    """Poll until the condition holds: a bound on waiting, not a speed assertion."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


# --- Redis --------------------------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of our own, without persistence: stop() is an outage, start() the recovery (empty)."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        assert wait_until(self.answers, seconds=10), f"redis-server did not start on {self.port}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    require("redis-server", shutil.which("redis-server") is not None)
    server = RedisServer(free_port(6390), tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


# --- PostgreSQL ---------------------------------------------------------------------------------------------------


class PostgresCluster:
    """A throwaway cluster in a temporary folder, trust auth on 127.0.0.1 only. PostgreSQL refuses to run as
    root, so as root (a container) its programs run as the `postgres` user."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.data = root / "data"
        self.port = port

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *command], capture_output=True, text=True, check=check, timeout=60)

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        log = str(self.root / "postgres.log")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop", check=False)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def query(self, sql: str, *, database: str) -> list[str]:
        """The first column of each row, read with psql (so the test process needs no connection of its own)."""
        psql = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
        return self._run(*psql, "-tA", "-c", sql).stdout.splitlines()

    def create_database(self, name: str) -> None:
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)


@pytest.fixture
def pg_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresCluster]:
    require("initdb", (PG_BIN / "initdb").exists())
    if os.geteuid() == 0:
        require("runuser", shutil.which("runuser") is not None)
    # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
    root = Path(tempfile.mkdtemp(prefix="connectivity-faults-pg-"))
    cluster = PostgresCluster(root, free_port(55432))
    cluster.init()
    cluster.start()
    yield cluster
    cluster.stop("immediate")
    shutil.rmtree(root, ignore_errors=True)


# --- An SMTP sink and a webhook receiver --------------------------------------------------------------------------


@dataclass
class Mail:
    recipients: list[str]
    data: str


@dataclass
class SmtpSink:
    port: int = 0
    messages: list[Mail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: EHLO, MAIL, RCPT, DATA, QUIT (no TLS, no auth)."""

    server: Any

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink
        recipients: list[str] = []
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 sink")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = []
                while (chunk := self.rfile.readline()) not in {b".\r\n", b""}:
                    data.append(chunk.decode(errors="replace"))
                with sink.lock:
                    sink.messages.append(Mail(recipients, "".join(data)))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    sink = SmtpSink(port=server.server_address[1])
    server.sink = sink  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sink
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook_receiver(settings: Any) -> Iterator[Receiver]:
    # Webhooks to 127.0.0.1 are refused by default: allow this receiver, here (workers get WEBHOOK_ALLOWED_HOSTS).
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with serving() as receiver:
        yield receiver
