"""Ticket and message reads: visibility from the actor, 404s for what they may not see, media through the ticket."""

from __future__ import annotations

import pytest
from fake_world import World
from ticket_seed import add_message, add_ticket, admin

from whaticket_core.domain.errors import InvalidInput, MediaNotFound, MessageNotFound, TicketNotFound
from whaticket_core.domain.message import MediaFile, MediaType
from whaticket_core.domain.read_models import TicketCounts
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.testing import InMemoryMessageQueries, InMemoryTicketQueries
from whaticket_core.use_cases.messages.message_queries import (
    GetMessage,
    GetMessageCommand,
    GetMessageMedia,
    GetMessageMediaCommand,
    ListMessages,
    ListMessagesCommand,
)
from whaticket_core.use_cases.tickets.ticket_queries import (
    CountTickets,
    CountTicketsCommand,
    GetTicket,
    GetTicketCommand,
    ListTickets,
    ListTicketsCommand,
)

OPEN, PENDING, CLOSED = TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.CLOSED

Scene = tuple[Viewer, dict[str, Ticket]]


@pytest.fixture
async def scene(world: World) -> Scene:
    """An agent in queue A; tickets: theirs, in A, in B, pending without queue, open without queue (someone else's)."""
    qa, qb = await world.add_queue("A"), await world.add_queue("B")
    agent = await world.viewer(queue_ids=(qa.id,))
    other = await world.add_user(queue_ids=(qb.id,))
    tickets = {
        "theirs": await add_ticket(world, status=OPEN, queue_id=qb.id, user_id=agent.user_id),
        "in_a": await add_ticket(world, queue_id=qa.id),
        "in_b": await add_ticket(world, queue_id=qb.id),
        "no_queue": await add_ticket(world),
        "others_open": await add_ticket(world, status=OPEN, user_id=other.id),
    }
    return agent, tickets


def ticket_queries(world: World) -> InMemoryTicketQueries:
    return InMemoryTicketQueries(world.store)


async def test_an_agent_lists_only_the_tickets_they_may_see(world: World, scene: Scene) -> None:
    agent, t = scene
    page = await ListTickets(ticket_queries(world)).execute(ListTicketsCommand(agent))
    assert {v.id for v in page.items} == {t["theirs"].id, t["in_a"].id, t["no_queue"].id}


async def test_staff_list_every_ticket_and_filters_apply(world: World, scene: Scene) -> None:
    _, t = scene
    supervisor = await world.viewer(role=Role.SUPERVISOR)
    everything = await ListTickets(ticket_queries(world)).execute(ListTicketsCommand(supervisor, search="  "))
    assert len(everything.items) == 5
    open_only = await ListTickets(ticket_queries(world)).execute(ListTicketsCommand(supervisor, status=OPEN))
    assert {v.id for v in open_only.items} == {t["theirs"].id, t["others_open"].id}


async def test_listing_pages_with_a_cursor_and_refuses_bad_ones(world: World, scene: Scene) -> None:
    agent, _ = scene
    use_case = ListTickets(ticket_queries(world))
    first = await use_case.execute(ListTicketsCommand(agent, limit=2))
    assert len(first.items) == 2
    assert first.next_cursor is not None
    second = await use_case.execute(ListTicketsCommand(agent, limit=2, cursor=first.next_cursor))
    assert len(second.items) == 1
    assert second.next_cursor is None
    with pytest.raises(InvalidInput):
        await use_case.execute(ListTicketsCommand(agent, cursor="!!nope"))


async def test_counts_cover_only_visible_tickets(world: World, scene: Scene) -> None:
    agent, _ = scene
    counts = await CountTickets(ticket_queries(world)).execute(CountTicketsCommand(agent))
    assert counts == TicketCounts(pending=2, open=1, closed=0)


async def test_get_ticket_hides_what_the_agent_may_not_see(world: World, scene: Scene) -> None:
    agent, t = scene
    use_case = GetTicket(ticket_queries(world))
    assert (await use_case.execute(GetTicketCommand(t["in_a"].id, agent))).id == t["in_a"].id
    for name in ("in_b", "others_open"):
        with pytest.raises(TicketNotFound):
            await use_case.execute(GetTicketCommand(t[name].id, agent))
    with pytest.raises(TicketNotFound):
        await use_case.execute(GetTicketCommand(999, agent))


async def test_list_messages_newest_first_and_404_when_the_ticket_is_invisible(world: World, scene: Scene) -> None:
    agent, t = scene
    first = await add_message(world, t["in_a"], "one")
    second = await add_message(world, t["in_a"], "two")
    await add_message(world, t["in_b"], "secret")
    use_case = ListMessages(InMemoryMessageQueries(world.store))

    page = await use_case.execute(ListMessagesCommand(t["in_a"].id, agent))
    assert [m.id for m in page.items] == [second.id, first.id]
    with pytest.raises(TicketNotFound):
        await use_case.execute(ListMessagesCommand(t["in_b"].id, agent))


async def test_get_message_is_not_found_when_its_ticket_is_invisible(world: World, scene: Scene) -> None:
    agent, t = scene
    visible = await add_message(world, t["no_queue"], "hello")
    hidden = await add_message(world, t["in_b"], "secret")
    use_case = GetMessage(ticket_queries(world), InMemoryMessageQueries(world.store))

    assert (await use_case.execute(GetMessageCommand(visible.id, agent))).body == "hello"
    for message_id in (hidden.id, 999):
        with pytest.raises(MessageNotFound):
            await use_case.execute(GetMessageCommand(message_id, agent))


async def test_get_message_media_returns_bytes_and_type_through_the_tickets_visibility(
    world: World, scene: Scene
) -> None:
    agent, t = scene
    key = await world.media.save(b"\x89PNG", mime_type="image/png", file_name="a.png")
    with_media = await add_message(world, t["in_a"], media_key=key, media_mime="image/png", media_name="a.png")
    without = await add_message(world, t["in_a"], "text only")
    hidden = await add_message(world, t["in_b"], media_key=key, media_mime="image/png")
    use_case = GetMessageMedia(world.uow(), world.media)

    assert await use_case.execute(GetMessageMediaCommand(with_media.id, agent)) == MediaFile(
        data=b"\x89PNG", media_type=MediaType.IMAGE, mime_type="image/png", file_name="a.png"
    )
    with pytest.raises(MediaNotFound):
        await use_case.execute(GetMessageMediaCommand(without.id, agent))
    with pytest.raises(MessageNotFound):
        await use_case.execute(GetMessageMediaCommand(hidden.id, agent))
    assert (await use_case.execute(GetMessageMediaCommand(hidden.id, await admin(world)))).data == b"\x89PNG"
