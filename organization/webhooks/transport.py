"""Sending one webhook request: an HTTP POST to a vetted address that reports its outcome instead of raising.

The URL's host is resolved once and every address it resolves to is vetted (organization.webhooks.targets);
the connection is then made to a vetted address itself, while the request keeps the URL's name in its Host
header and, over https, in TLS's server name and certificate check. Whatever the name resolves to afterwards
(DNS rebinding) is never reached. Redirects are not followed (a 3xx is the receiver's answer, not a new
destination), and no proxy from the environment is used: a proxy would resolve the name itself, unchecked.
"""

from __future__ import annotations

import functools
import http.client
import socket
import ssl
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from organization.webhooks import targets

DEFAULT_TIMEOUT = 5.0  # seconds; settings.WEBHOOK_TIMEOUT overrides it, read at each call


def timeout() -> float:
    """Seconds one attempt may wait to connect, and then for each read of the answer."""
    return float(getattr(settings, "WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT))


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """POST and return (status code or None, error text or ""). Never raises for a network or HTTP failure.

    Nothing is sent to a host that resolves to a forbidden address: the error says which and why.
    """
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in {"http", "https"} or not host:
        return None, f"Not an http(s) URL with a host: {url}"[:500]
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = targets.resolve(host, port)
    except targets.ForbiddenTarget as refused:
        return None, f"Refused: {refused}"[:500]
    except (OSError, ValueError) as failure:  # the name does not resolve, or the port is not a number
        return None, f"Connection failed: {failure}"[:500]

    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _VettedHTTPSConnection(host, port, addresses=addresses, timeout=timeout)
    else:
        connection = _VettedHTTPConnection(host, port, addresses=addresses, timeout=timeout)
    try:
        connection.request("POST", urlunsplit(("", "", parts.path or "/", parts.query, "")), body, headers)
        response = connection.getresponse()
    except TimeoutError:
        return None, f"Timed out after {timeout:g} s"
    except OSError as failure:  # refused, reset, unreachable, TLS
        return None, f"Connection failed: {failure}"[:500]
    except http.client.HTTPException as failure:
        return None, f"{type(failure).__name__}: {failure}"[:500]
    finally:
        connection.close()  # the answer's body is not read: its status is all a delivery records
    if 200 <= response.status < 300:
        return response.status, ""
    return response.status, f"HTTP {response.status} {response.reason}"[:500]


def _connect(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to the first of the vetted addresses that answers (each is a literal: no DNS here)."""
    failure: OSError = OSError(f"No address to connect to on port {port}")
    for address in addresses:
        try:
            sock = socket.create_connection((address, port), timeout)
        except TimeoutError:
            raise
        except OSError as error:
            failure = error
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # one small request: send it at once
        return sock
    raise failure


class _VettedHTTPConnection(http.client.HTTPConnection):
    """http.client's connection to `host`, made to one of `addresses` instead of whatever `host` resolves to."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.timeout)


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # verifies the certificate against the URL's name


class _VettedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate must be valid for the URL's name (SNI too), not for the address."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=_tls())
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _tls().wrap_socket(_connect(self.addresses, self.port, self.timeout), server_hostname=self.host)
