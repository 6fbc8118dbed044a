"""/quick-answers: canned replies, CRUD; `search` matches shortcut and message."""

from __future__ import annotations

from typing import Annotated

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import delete, get, post, put
from litestar.params import JSONBody

from whaticket_core.domain.message import MAX_BODY_LENGTH
from whaticket_core.domain.quick_answer import QuickAnswer
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.directory.quick_answers import (
    CreateQuickAnswer,
    CreateQuickAnswerCommand,
    DeleteQuickAnswer,
    DeleteQuickAnswerCommand,
    GetQuickAnswer,
    GetQuickAnswerCommand,
    ListQuickAnswers,
    ListQuickAnswersCommand,
    UpdateQuickAnswer,
    UpdateQuickAnswerCommand,
)

from .common import AUTHED, Limit, Offset, PathId, Search, errors, offset_query

Shortcut = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_BODY_LENGTH, pattern=r"\S")]


class QuickAnswerOut(msgspec.Struct, rename="camel"):
    id: int
    shortcut: str
    message: str


class QuickAnswerPage(msgspec.Struct, rename="camel"):
    items: list[QuickAnswerOut]
    total: int
    limit: int
    offset: int


class QuickAnswerCreateIn(msgspec.Struct, rename="camel"):
    shortcut: Shortcut
    message: Text


class QuickAnswerUpdateIn(msgspec.Struct, rename="camel"):
    shortcut: Shortcut | None = None
    message: Text | None = None


def quick_answer_out(q: QuickAnswer) -> QuickAnswerOut:
    return QuickAnswerOut(q.id, q.shortcut, q.message)


@get("/", responses=errors(*AUTHED))
async def list_quick_answers(
    viewer: FromDishka[Viewer],
    use_case: FromDishka[ListQuickAnswers],
    limit: Limit = 20,
    offset: Offset = 0,
    search: Search = None,
) -> QuickAnswerPage:
    """Quick answers; `search` matches shortcut or message."""
    page = await use_case.execute(ListQuickAnswersCommand(viewer, offset_query(limit, offset, search)))
    return QuickAnswerPage([quick_answer_out(q) for q in page.items], page.total, page.limit, page.offset)


@get("/{quick_answer_id:int}", responses=errors(*AUTHED, 404))
async def get_quick_answer(
    quick_answer_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[GetQuickAnswer]
) -> QuickAnswerOut:
    """One quick answer."""
    return quick_answer_out(await use_case.execute(GetQuickAnswerCommand(viewer, quick_answer_id)))


@post("/", status_code=201, responses=errors(*AUTHED, 403, 409))
async def create_quick_answer(
    data: JSONBody[QuickAnswerCreateIn], viewer: FromDishka[Viewer], use_case: FromDishka[CreateQuickAnswer]
) -> QuickAnswerOut:
    """Create a quick answer; shortcuts are unique."""
    return quick_answer_out(await use_case.execute(CreateQuickAnswerCommand(viewer, data.shortcut, data.message)))


@put("/{quick_answer_id:int}", responses=errors(*AUTHED, 403, 404, 409))
async def update_quick_answer(
    quick_answer_id: PathId,
    data: JSONBody[QuickAnswerUpdateIn],
    viewer: FromDishka[Viewer],
    use_case: FromDishka[UpdateQuickAnswer],
) -> QuickAnswerOut:
    """Partial update."""
    command = UpdateQuickAnswerCommand(viewer, quick_answer_id, data.shortcut, data.message)
    return quick_answer_out(await use_case.execute(command))


@delete("/{quick_answer_id:int}", status_code=204, responses=errors(*AUTHED, 403, 404))
async def delete_quick_answer(
    quick_answer_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[DeleteQuickAnswer]
) -> None:
    """Delete a quick answer."""
    await use_case.execute(DeleteQuickAnswerCommand(viewer, quick_answer_id))


router = DishkaRouter(
    "/quick-answers",
    tags=["quick-answers"],
    route_handlers=[
        list_quick_answers,
        get_quick_answer,
        create_quick_answer,
        update_quick_answer,
        delete_quick_answer,
    ],
)
