"""/tags: everyone signed in reads the catalogue and the counts per tag; admins write it."""

from __future__ import annotations

from typing import Annotated

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import delete, get, post, put
from litestar.params import JSONBody

from whaticket_core.domain.tag import MAX_TAGS_PER_ITEM, Tag, TagView
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.tags.tag_catalogue import (
    CreateTag,
    CreateTagCommand,
    DeleteTag,
    DeleteTagCommand,
    GetTag,
    GetTagCommand,
    ListTags,
    ListTagsCommand,
    UpdateTag,
    UpdateTagCommand,
)
from whaticket_core.use_cases.tags.tagging import CountTicketsByTag, CountTicketsByTagCommand

from ..wire import TagOut, tag_out
from .common import AUTHED, BodyId, Name, PathId, errors, parse_id_list
from .queues import Color
from .ticket_filters import QueueIdsQuery, StatusQuery, UnreadQuery, UserIdQuery

TagIdList = Annotated[list[BodyId], msgspec.Meta(max_length=MAX_TAGS_PER_ITEM)]


class TagCreateIn(msgspec.Struct, rename="camel"):
    name: Name
    color: Color


class TagUpdateIn(msgspec.Struct, rename="camel"):
    name: Name | None = None
    color: Color | None = None


class TagIdsIn(msgspec.Struct, rename="camel"):
    """The whole new set of tags (an empty list clears them)."""

    tag_ids: TagIdList


class TagCountOut(msgspec.Struct, rename="camel"):
    tag_id: int
    tickets: int


def _out(tag: Tag) -> TagOut:
    return tag_out(TagView.of(tag))


@get("/", responses=errors(*AUTHED))
async def list_tags(viewer: FromDishka[Viewer], use_case: FromDishka[ListTags]) -> list[TagOut]:
    """Every tag, by name."""
    return [_out(t) for t in await use_case.execute(ListTagsCommand(viewer))]


@get("/counts", responses=errors(*AUTHED))
async def count_tickets_by_tag(
    viewer: FromDishka[Viewer],
    use_case: FromDishka[CountTicketsByTag],
    status: StatusQuery = None,
    queue_ids: QueueIdsQuery = None,
    user_id: UserIdQuery = None,
    unread: UnreadQuery = False,
) -> list[TagCountOut]:
    """Per tag, how many visible tickets (with the ticket list's filters) carry it; tags on none are left out."""
    counts = await use_case.execute(
        CountTicketsByTagCommand(
            actor=viewer,
            status=TicketStatus(status) if status else None,
            queue_ids=parse_id_list(queue_ids, "queueIds"),
            user_id=user_id,
            unread_only=unread,
        )
    )
    return [TagCountOut(c.tag_id, c.tickets) for c in counts]


@get("/{tag_id:int}", responses=errors(*AUTHED, 404))
async def get_tag(tag_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[GetTag]) -> TagOut:
    """One tag."""
    return _out(await use_case.execute(GetTagCommand(viewer, tag_id)))


@post("/", status_code=201, responses=errors(*AUTHED, 403, 409))
async def create_tag(
    data: JSONBody[TagCreateIn], viewer: FromDishka[Viewer], use_case: FromDishka[CreateTag]
) -> TagOut:
    """Create a tag (admin). Names are unique case-insensitively."""
    return _out(await use_case.execute(CreateTagCommand(viewer, data.name, data.color)))


@put("/{tag_id:int}", responses=errors(*AUTHED, 403, 404, 409))
async def update_tag(
    tag_id: PathId, data: JSONBody[TagUpdateIn], viewer: FromDishka[Viewer], use_case: FromDishka[UpdateTag]
) -> TagOut:
    """Partial update (admin)."""
    return _out(await use_case.execute(UpdateTagCommand(viewer, tag_id, data.name, data.color)))


@delete("/{tag_id:int}", status_code=204, responses=errors(*AUTHED, 403, 404))
async def delete_tag(tag_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[DeleteTag]) -> None:
    """Delete a tag (admin); it comes off every ticket and contact."""
    await use_case.execute(DeleteTagCommand(viewer, tag_id))


router = DishkaRouter(
    "/tags",
    route_handlers=[list_tags, count_tickets_by_tag, get_tag, create_tag, update_tag, delete_tag],
    tags=["tags"],
)
