"""What a served request leaves behind: nothing that only the garbage collector could free."""

from __future__ import annotations

import gc

from api_world import World, ok
from dishka import AsyncContainer
from litestar import Request


async def test_a_served_request_leaves_no_reference_cycle_behind(world: World) -> None:
    """A request's dishka container and the request itself are freed by reference counting as soon as the answer
    is sent: a cycle between them kept every request's objects alive until a collection, which under load ran
    every ~20 requests and walked all of them."""
    c = world.client
    paths = ["/tickets?status=open", f"/messages?ticketId={world.t_sales}", "/contacts", "/tickets/counts"]
    for path in paths:
        await ok(await c.get(path, headers=world.admin.headers))
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds unreachable is kept in gc.garbage instead of freed
    try:
        for path in paths:
            await ok(await c.get(path, headers=world.admin.headers))
        await c.get("/tickets/999999", headers=world.admin.headers)  # an error answer too
        gc.collect()
        left = [type(o).__name__ for o in gc.garbage if isinstance(o, AsyncContainer | Request)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []
