"""Where a webhook URL leads: its host resolved, and refused when any address is not a public one.

A webhook makes this server send requests to a URL someone typed; pointed at 127.0.0.1, 10.0.0.5 or 169.254.169.254
(a cloud's metadata service) it would reach what only this server can reach (SSRF). Every address the name resolves
to must be global; the check runs when the webhook is saved and again before each attempt (a name can be made to
resolve elsewhere later: DNS rebinding), and the attempt connects to the address that was checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from whaticket_core.domain.errors import InvalidInput, WebhookUrlForbidden

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_internal(address: IpAddress) -> bool:
    """Loopback, private, link-local, shared (CGNAT), multicast, reserved, unspecified: anything not global. An
    IPv6 address carrying an IPv4 one is judged by the IPv4 one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def target_of(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return host, parts.port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int) -> list[IpAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself); OSError when it does not resolve."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IpAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


class ResolvingUrlGuard:
    """Implements :class:`~whaticket_core.ports.webhooks.UrlGuard` with the system resolver. ``allow_private``
    (``WEBHOOK_ALLOW_PRIVATE_URLS``) turns the address check off, for receivers on the same network."""

    def __init__(self, *, allow_private: bool = False) -> None:
        self._allow_private = allow_private

    async def check(self, url: str) -> None:
        if self._allow_private:
            return
        host, port = target_of(url)
        try:
            addresses = await resolve(host, port)
        except OSError:
            raise InvalidInput(f"url: the host {host!r} does not resolve", "url") from None
        if not addresses or any(is_internal(a) for a in addresses):
            raise WebhookUrlForbidden(
                "url resolves to a loopback, private or link-local address; webhooks go to public addresses only"
            )
