"""Where webhooks may go: public addresses only, so an API token cannot make our workers call inside the network.

A subscription names its URL. Were a request to a loopback, private, link-local, unspecified, multicast or
reserved address allowed, whoever holds a write token could have the workers probe and call the internal network,
this machine's own services and a cloud's metadata endpoint (server-side request forgery). So the destination is
checked twice:

- when the subscription is created (`check_url`): a literal address in the URL (IPv4, IPv6, IPv4-mapped IPv6,
  the legacy numeric forms such as `127.1`) and the names of this machine (`localhost`). No DNS is asked: the
  API answers at once, and a name's answer may change anyway;
- at every delivery (`resolve`): the host is resolved once and every address it resolves to must be public. The
  transport then connects to one of those vetted addresses itself, so a name cannot resolve to a public address
  for the check and to a private one for the connection (DNS rebinding).

`settings.WEBHOOK_ALLOWED_HOSTS` (the environment's WEBHOOK_ALLOWED_HOSTS) lists the exceptions, by host name or
literal address as the URL spells it: an internal system on the private network, or 127.0.0.1 in development
and in the tests. It is empty by default.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from ipaddress import IPv4Address, IPv6Address
from urllib.parse import urlsplit

from django.conf import settings

Address = IPv4Address | IPv6Address

# Names every resolver answers with this machine (RFC 6761 reserves *.localhost; the others are in /etc/hosts).
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
# Hosts that inet_aton reads as an IPv4 address although ipaddress does not: 127.1, 0x7f.0.0.1, 2130706433.
_LEGACY_IPV4 = re.compile(r"^[0-9a-fx.]+$", re.IGNORECASE)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # a NAT64 gateway forwards these to the IPv4 address they embed
HINT = "Webhooks are sent to public addresses only; an administrator may allow a host in WEBHOOK_ALLOWED_HOSTS."


class ForbiddenTarget(Exception):
    """A webhook may not be sent there. The message says why: it is the API's answer and the delivery's error."""


def _normalise(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def is_allowed_host(host: str) -> bool:
    """Whether settings.WEBHOOK_ALLOWED_HOSTS lists `host` (read at each call, so tests can override it)."""
    allowed = {_normalise(entry) for entry in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", ())}
    return _normalise(host) in allowed - {""}


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), which is where packets really go."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def forbidden_kind(address: Address) -> str | None:
    """Why webhooks may not go to `address` ("a loopback address"…), or None for a public unicast address."""
    if isinstance(address, IPv6Address) and (embedded := _embedded_ipv4(address)) is not None:
        return forbidden_kind(embedded)
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private or (isinstance(address, IPv6Address) and address.is_site_local):
        return "a private address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:  # shared (carrier-grade NAT) space and other special-purpose blocks
        return "not a public address"
    return None


def _literal_address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host):
        try:
            return IPv4Address(socket.inet_aton(host))  # parsing only: inet_aton never asks DNS
        except OSError:
            return None
    return None


def check_url(url: str) -> None:
    """Refuse (ForbiddenTarget) a URL whose host is a forbidden literal address or this machine's name. No DNS."""
    host = _normalise(urlsplit(url).hostname or "")
    if not host:
        raise ForbiddenTarget(f"The URL has no host. {HINT}")
    if is_allowed_host(host):
        return
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        raise ForbiddenTarget(f"{host} is this machine (a loopback address). {HINT}")
    address = _literal_address(host)
    if address is not None and (kind := forbidden_kind(address)) is not None:
        raise ForbiddenTarget(f"{host} is {kind}. {HINT}")


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, once; ForbiddenTarget if any is forbidden, OSError if it resolves not.

    Connect only to these addresses: resolving the name again could give another answer.
    """
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in answers))
    if is_allowed_host(host):
        return addresses
    if _normalise(host) in LOCAL_NAMES or _normalise(host).endswith(".localhost"):
        raise ForbiddenTarget(f"{host} is this machine (a loopback address). {HINT}")
    for address in addresses:
        kind = forbidden_kind(ipaddress.ip_address(address))
        if kind is not None:
            where = f"{host} is" if _normalise(host) == address.lower() else f"{host} resolves to {address},"
            raise ForbiddenTarget(f"{where} {kind}. {HINT}")
    return addresses
