"""Sending one webhook request: an HTTP POST that reports its outcome instead of raising."""

from __future__ import annotations

import urllib.error
import urllib.request
from http.client import HTTPException
from typing import Any

from django.conf import settings

DEFAULT_TIMEOUT = 5.0  # seconds; settings.WEBHOOK_TIMEOUT overrides it, read at each call


def timeout() -> float:
    """Seconds one attempt may take to connect and to answer."""
    return float(getattr(settings, "WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is the receiver's answer, not a new destination: urllib would re-send our POST as a GET elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """POST and return (status code or None, error text or ""). Never raises for a network or HTTP failure."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, ""
    except urllib.error.HTTPError as failure:
        failure.close()
        return failure.code, f"HTTP {failure.code} {failure.reason}"[:500]
    except TimeoutError:
        return None, f"Timed out after {timeout:g} s"
    except urllib.error.URLError as failure:
        reason = failure.reason
        if isinstance(reason, TimeoutError):
            return None, f"Timed out after {timeout:g} s"
        return None, f"Connection failed: {reason}"[:500]
    except (OSError, HTTPException, ValueError) as failure:
        return None, f"{type(failure).__name__}: {failure}"[:500]
