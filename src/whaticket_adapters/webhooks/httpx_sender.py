"""Webhook POSTs with httpx: bounded in time and in what is read back, pinned to the address that was checked."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import httpx

from whaticket_core.domain.webhooks import DELIVERY_TIMEOUT_SECONDS, EXCERPT_LENGTH
from whaticket_core.ports.webhooks import HttpAttempt

from .addresses import IpAddress, is_internal, resolve, target_of

# Only the start of an answer matters (for the delivery log); a receiver streaming megabytes is cut off here.
MAX_ANSWER_BYTES = 64 * 1024


def _pinned(url: str, address: IpAddress) -> str:
    """``url`` with its host replaced by ``address`` (the Host header and TLS name stay the original host)."""
    parts = urlsplit(url)
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


class HttpxWebhookSender:
    """Implements :class:`~whaticket_core.ports.webhooks.WebhookSender`.

    Each attempt resolves the host again and, unless ``allow_private``, refuses internal addresses before sending
    (DNS rebinding); it then connects to that very address (the ``Host`` header and TLS server name are the URL's
    host, so virtual hosts and certificates work). Redirects are not followed (a redirect could lead inside). The whole
    attempt is bounded by ``timeout`` seconds, and at most 64 KiB of the answer is read.
    """

    def __init__(self, *, allow_private: bool = False, timeout: float = DELIVERY_TIMEOUT_SECONDS) -> None:
        self._allow_private = allow_private
        self._timeout = timeout
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpAttempt:
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        host, port = target_of(url)
        try:
            async with asyncio.timeout(self._timeout):
                try:
                    addresses = await resolve(host, port)
                except OSError:
                    return HttpAttempt(None, elapsed(), f"the host {host} does not resolve")
                if not addresses:
                    return HttpAttempt(None, elapsed(), f"the host {host} does not resolve")
                if not self._allow_private and any(is_internal(a) for a in addresses):
                    return HttpAttempt(None, elapsed(), "refused: the host resolves to an internal address")
                return await self._send(url, addresses[0], host, body, headers, elapsed)
        except TimeoutError:
            return HttpAttempt(None, elapsed(), f"no answer within {self._timeout:g} s")

    async def _send(
        self,
        url: str,
        address: IpAddress,
        host: str,
        body: bytes,
        headers: dict[str, str],
        elapsed: Callable[[], int],
    ) -> HttpAttempt:
        netloc = urlsplit(url).netloc
        request_headers = {**headers, "Host": netloc}
        extensions = {"sni_hostname": host} if url.startswith("https:") else {}
        try:
            async with self._client.stream(
                "POST", _pinned(url, address), content=body, headers=request_headers, extensions=extensions
            ) as response:
                answer = bytearray()
                async for chunk in response.aiter_raw():
                    answer.extend(chunk)
                    if len(answer) >= MAX_ANSWER_BYTES:
                        break
                status = response.status_code
        except httpx.HTTPError as error:
            return HttpAttempt(None, elapsed(), f"{type(error).__name__}: {str(error)[:200]}")
        excerpt = bytes(answer[: EXCERPT_LENGTH * 4]).decode("utf-8", "replace")[:EXCERPT_LENGTH]
        return HttpAttempt(status, elapsed(), excerpt or None)
