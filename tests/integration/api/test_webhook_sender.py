"""The httpx sender against real local servers: bounded time, bounded answer, no redirects followed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web

from whaticket_adapters.webhooks import HttpxWebhookSender

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        await runner.cleanup()


async def test_a_huge_answer_is_cut_and_only_an_excerpt_kept() -> None:
    async def huge(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(status=200)
        await response.prepare(request)
        for _ in range(64):  # 4 MiB in all: far beyond what is read
            await response.write(b"x" * 65536)
        return response

    sender = HttpxWebhookSender(allow_private=True)
    try:
        async with serving(huge) as url:
            attempt = await sender.post(url, b"{}", {"Content-Type": "application/json"})
    finally:
        await sender.aclose()
    assert attempt.status == 200
    assert attempt.excerpt == "x" * 256


async def test_a_receiver_that_never_answers_is_given_up_on() -> None:
    never = asyncio.Event()

    async def stuck(request: web.Request) -> web.StreamResponse:
        await never.wait()
        return web.Response()

    sender = HttpxWebhookSender(allow_private=True, timeout=0.3)
    try:
        async with serving(stuck) as url:
            try:
                attempt = await sender.post(url, b"{}", {})
            finally:
                never.set()  # lets the server shut down at once
    finally:
        await sender.aclose()
    assert attempt.status is None
    assert attempt.excerpt == "no answer within 0.3 s"


async def test_redirects_are_not_followed() -> None:
    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("http://127.0.0.1:9/elsewhere")

    sender = HttpxWebhookSender(allow_private=True)
    try:
        async with serving(redirect) as url:
            attempt = await sender.post(url, b"{}", {})
    finally:
        await sender.aclose()
    assert attempt.status == 302  # a failure to retry, not a hop to wherever it points


async def test_internal_addresses_are_refused_before_connecting() -> None:
    hits: list[int] = []

    async def count(request: web.Request) -> web.StreamResponse:
        hits.append(1)
        return web.Response()

    sender = HttpxWebhookSender(allow_private=False)
    try:
        async with serving(count) as url:
            attempt = await sender.post(url, b"{}", {})
            localhost = await sender.post(url.replace("127.0.0.1", "localhost"), b"{}", {})
    finally:
        await sender.aclose()
    assert hits == []
    assert (attempt.status, localhost.status) == (None, None)
    assert attempt.excerpt == "refused: the host resolves to an internal address"
