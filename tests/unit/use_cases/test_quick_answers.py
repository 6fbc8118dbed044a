"""Quick answers: unique shortcuts (case-insensitive), partial updates, search over shortcut and message."""

from __future__ import annotations

import pytest
from fake_world import World

from whaticket_core.domain.errors import InvalidInput, QuickAnswerNotFound, QuickAnswerShortcutTaken
from whaticket_core.domain.pagination import OffsetQuery
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


async def test_crud_with_unique_shortcuts(world: World) -> None:
    agent = await world.viewer()
    hello = await CreateQuickAnswer(world.uow()).execute(CreateQuickAnswerCommand(agent, " /hello ", "Hello there!"))
    assert world.state.quick_answers[hello.id].shortcut == "/hello"
    with pytest.raises(QuickAnswerShortcutTaken) as caught:
        await CreateQuickAnswer(world.uow()).execute(CreateQuickAnswerCommand(agent, "/HELLO", "again"))
    assert caught.value.details["quick_answer_id"] == hello.id

    bye = await CreateQuickAnswer(world.uow()).execute(CreateQuickAnswerCommand(agent, "/bye", "Goodbye"))
    with pytest.raises(QuickAnswerShortcutTaken):
        await UpdateQuickAnswer(world.uow()).execute(UpdateQuickAnswerCommand(agent, bye.id, shortcut="/Hello"))
    await UpdateQuickAnswer(world.uow()).execute(UpdateQuickAnswerCommand(agent, bye.id, message="See you"))
    assert (world.state.quick_answers[bye.id].shortcut, world.state.quick_answers[bye.id].message) == (
        "/bye",
        "See you",
    )

    assert (await GetQuickAnswer(world.uow()).execute(GetQuickAnswerCommand(agent, bye.id))).message == "See you"
    await DeleteQuickAnswer(world.uow()).execute(DeleteQuickAnswerCommand(agent, bye.id))
    assert bye.id not in world.state.quick_answers
    with pytest.raises(QuickAnswerNotFound):
        await GetQuickAnswer(world.uow()).execute(GetQuickAnswerCommand(agent, bye.id))


async def test_search_matches_shortcut_and_message(world: World) -> None:
    agent = await world.viewer()
    for shortcut, message in (("/hi", "Hello"), ("/price", "Our prices"), ("/bye", "Goodbye")):
        await CreateQuickAnswer(world.uow()).execute(CreateQuickAnswerCommand(agent, shortcut, message))
    page = await ListQuickAnswers(world.uow()).execute(ListQuickAnswersCommand(agent, OffsetQuery(search="PRIC")))
    assert [q.shortcut for q in page.items] == ["/price"]
    page = await ListQuickAnswers(world.uow()).execute(ListQuickAnswersCommand(agent, OffsetQuery(search="bye")))
    assert [q.shortcut for q in page.items] == ["/bye"]


@pytest.mark.parametrize(("shortcut", "message"), [("", "text"), ("two words", "text"), ("/ok", "   ")])
async def test_invalid_shortcuts_and_messages(world: World, shortcut: str, message: str) -> None:
    with pytest.raises(InvalidInput):
        await CreateQuickAnswer(world.uow()).execute(CreateQuickAnswerCommand(await world.viewer(), shortcut, message))
    assert world.state.quick_answers == {}
