"""The webhook signature: what deliveries carry in `X-Connectivity-Signature`, and how a receiver checks it."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_TOLERANCE = 300  # seconds a receiver accepts between the signed timestamp and its clock


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    """The `X-Connectivity-Signature` value: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    secret: str, header: str, body: bytes, tolerance: int | None = SIGNATURE_TOLERANCE, *, now: float | None = None
) -> bool:
    """Whether `header` signs `body` with `secret`, within `tolerance` seconds of `now` (default: the clock).

    For receivers (and tests). Pass the raw request body, before any JSON parsing. `tolerance=None` skips the
    freshness check; keep it on in production, as it is what stops a captured request being replayed later.
    """
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if tolerance is not None and abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, body=body, timestamp=timestamp).partition(",v1=")[2]
    return any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", []))
