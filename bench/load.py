"""A bounded load on 127.0.0.1: a fixed number of requests per endpoint from a few client threads, timed.

Standard library only (http.client, threads). Each request opens its own connection, as gunicorn's sync workers
close it after every response anyway; on the loopback that costs well under a millisecond.
"""

from __future__ import annotations

import http.client
import statistics
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

QUERY_COUNT_HEADER = "X-Query-Count"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


@dataclass
class Sample:
    """What a run of one endpoint measured: latencies (ms), statuses and the X-Query-Count of each response."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    queries: list[int] = field(default_factory=list)
    wall_seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "requests": len(self.latencies_ms),
            **percentiles(self.latencies_ms),
            "requests_per_second": round(len(self.latencies_ms) / self.wall_seconds, 1) if self.wall_seconds else None,
            "statuses": {str(code): n for code, n in sorted(self.statuses.items())},
            "queries": {
                "min": min(self.queries),
                "median": statistics.median(self.queries),
                "max": max(self.queries),
            }
            if self.queries
            else None,
        }


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    if len(values) == 1:
        return {"p50_ms": values[0], "p95_ms": values[0], "p99_ms": values[0], "mean_ms": values[0]}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "mean_ms": round(statistics.fmean(values), 2),
    }


TIMEOUT_SECONDS = 120.0
FAILED = 0  # the status recorded for a request that got no response (timeout, connection reset)


def send(host: str, port: int, request: Request, timeout: float = TIMEOUT_SECONDS) -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(request.method, request.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def drive(
    host: str, port: int, make: Callable[[int], Request], *, requests: int, concurrency: int, warmup: int
) -> Sample:
    """`warmup` untimed requests, then `requests` timed ones spread over `concurrency` threads."""
    for i in range(warmup):
        _attempt(host, port, make(i))
    sample = Sample()

    def one(i: int) -> tuple[float, int, int | None]:
        started = time.perf_counter()
        status, headers = _attempt(host, port, make(warmup + i))
        elapsed = (time.perf_counter() - started) * 1000
        count = headers.get(QUERY_COUNT_HEADER.lower())
        return elapsed, status, int(count) if count is not None else None

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(requests)))
    sample.wall_seconds = time.perf_counter() - started
    for elapsed, status, count in results:
        sample.latencies_ms.append(elapsed)
        sample.statuses[status] += 1
        if count is not None:
            sample.queries.append(count)
    return sample


def _attempt(host: str, port: int, request: Request) -> tuple[int, dict[str, str]]:
    """One request; a timeout or a dropped connection is recorded as a failed request, not a crash."""
    try:
        status, _, headers = send(host, port, request)
    except OSError:
        return FAILED, {}
    return status, headers


def drive_callable(run: Callable[[int], None], *, requests: int, concurrency: int, warmup: int) -> Sample:
    """The same timing, for a function (the raw-SQL baselines): `run(i)` is one request."""
    for i in range(warmup):
        run(i)
    sample = Sample()

    def one(i: int) -> float:
        started = time.perf_counter()
        run(warmup + i)
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        sample.latencies_ms = list(pool.map(one, range(requests)))
    sample.wall_seconds = time.perf_counter() - started
    return sample
