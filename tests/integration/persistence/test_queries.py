"""Query ports (TicketQueries, TicketCounter, MessageQueries): the same tests on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from persistence_builders import T0, contact, message, queue, ticket, user, whatsapp

from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.domain.pagination import CursorPage, encode_cursor
from whaticket_core.domain.read_models import MessageView, TicketCounts, TicketView
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer, can_see
from whaticket_core.ports.queries import TicketListQuery

P, OPEN, C = TicketStatus.PENDING, TicketStatus.OPEN, TicketStatus.CLOSED


@dataclass
class World:
    agent: Viewer
    admin: Viewer
    q_mine: int
    q_other: int
    views: dict[int, TicketView]  # by ticket id
    tickets: dict[str, Ticket]


async def build_world(backend) -> World:
    """Eight tickets covering every branch of the visibility rule; two share an updated_at (id breaks the tie)."""
    async with backend.new_uow() as uow:
        w = await uow.whatsapps.add(whatsapp())
        mine = await uow.queues.add(queue("Mine", "#000001"))
        other_q = await uow.queues.add(queue("Other", "#000002"))
        agent = await uow.users.add(user("agent@example.com", queue_ids=[mine.id]))
        other = await uow.users.add(user("other@example.com"))
        admin = await uow.users.add(user("admin@example.com", Role.ADMIN))
        specs = {
            "pending_no_queue": (P, None, None, 1),
            "pending_mine": (P, mine.id, None, 2),
            "pending_other_queue": (P, other_q.id, None, 3),
            "open_assigned_to_me": (OPEN, other_q.id, agent.id, 4),
            "open_other_in_mine": (OPEN, mine.id, other.id, 4),  # same updated_at as the previous one
            "open_other_no_queue": (OPEN, None, other.id, 6),
            "closed_no_queue": (C, None, None, 7),
            "closed_mine": (C, mine.id, agent.id, 8),
        }
        tickets: dict[str, Ticket] = {}
        views: dict[int, TicketView] = {}
        for i, (label, (status, queue_id, user_id, minutes)) in enumerate(specs.items()):
            name = "Zed Zulu" if label == "closed_mine" else f"Customer {i}"
            c = await uow.contacts.add(contact(f"55119000000{i:02d}", name))
            t = await uow.tickets.add(
                ticket(
                    c.id,
                    w.id,
                    status,
                    queue_id=queue_id,
                    user_id=user_id,
                    updated_at=T0 + timedelta(minutes=minutes),
                    unread_messages=i % 2,
                    last_message=f"last {i}",
                    last_message_at=T0 + timedelta(minutes=minutes),
                )
            )
            tickets[label] = t
            views[t.id] = TicketView.of(t, c)
        await uow.messages.add(message(tickets["pending_mine"], "I want a REFUND please"))
        await uow.commit()
    return World(Viewer.of(agent), Viewer.of(admin), mine.id, other_q.id, views, tickets)


def expected(world: World, viewer: Viewer, keep=lambda v: True) -> list[TicketView]:
    found = [v for v in world.views.values() if can_see(viewer, v.placement) and keep(v)]
    return sorted(found, key=lambda v: (v.updated_at, v.id), reverse=True)


async def collect(backend, query: TicketListQuery) -> list[TicketView]:
    """Every page, following the cursor."""
    items: list[TicketView] = []
    cursor = None
    while True:
        page = await backend.tickets.list_tickets(
            TicketListQuery(**{**_fields(query), "cursor": cursor})  # type: ignore[arg-type]
        )
        items.extend(page.items)
        if page.next_cursor is None:
            return items
        assert len(page.items) == query.limit
        cursor = page.next_cursor


def _fields(query: TicketListQuery) -> dict[str, object]:
    return {name: getattr(query, name) for name in TicketListQuery.__dataclass_fields__}


async def test_an_agent_sees_exactly_what_can_see_allows_newest_first(backend):
    world = await build_world(backend)
    page = await backend.tickets.list_tickets(TicketListQuery(world.agent, limit=100))
    assert page.items == expected(world, world.agent)
    assert {v.id for v in page.items} == {
        world.tickets[k].id
        for k in ("pending_no_queue", "pending_mine", "open_assigned_to_me", "open_other_in_mine", "closed_mine")
    }
    assert page.next_cursor is None


async def test_staff_see_every_ticket(backend):
    world = await build_world(backend)
    assert await collect(backend, TicketListQuery(world.admin, limit=3)) == expected(world, world.admin)


@pytest.mark.parametrize("limit", [1, 2, 3])
async def test_keyset_pages_cover_the_list_once_in_order(backend, limit):
    world = await build_world(backend)
    assert await collect(backend, TicketListQuery(world.agent, limit=limit)) == expected(world, world.agent)


async def test_filters_status_queue_user_and_unread(backend):
    world = await build_world(backend)
    agent = world.agent
    by_status = await collect(backend, TicketListQuery(agent, status=OPEN, limit=1))
    assert by_status == expected(world, agent, lambda v: v.status is OPEN)
    by_queue = await collect(backend, TicketListQuery(agent, queue_ids=frozenset({world.q_mine}), limit=2))
    assert by_queue == expected(world, agent, lambda v: v.queue_id == world.q_mine)
    assert (await backend.tickets.list_tickets(TicketListQuery(agent, queue_ids=frozenset()))).items == []
    mine = await collect(backend, TicketListQuery(world.admin, user_id=agent.user_id, status=OPEN))
    assert mine == [world.views[world.tickets["open_assigned_to_me"].id]]
    unread = await collect(backend, TicketListQuery(agent, unread_only=True))
    assert unread == expected(world, agent, lambda v: v.unread_messages > 0)


async def test_search_matches_contact_name_number_and_message_text_case_insensitively(backend):
    world = await build_world(backend)
    admin = world.admin

    async def ids(search: str) -> list[int]:
        return [v.id for v in (await backend.tickets.list_tickets(TicketListQuery(admin, search=search))).items]

    assert await ids("zed zu") == [world.tickets["closed_mine"].id]
    assert await ids("5511900000003") == [world.tickets["open_assigned_to_me"].id]
    assert await ids("refund") == [world.tickets["pending_mine"].id]
    assert await ids("nothing like this") == []
    assert await ids("%") == []  # wildcards are literal


async def test_counts_per_status_ignore_status_limit_and_cursor(backend):
    world = await build_world(backend)
    query = TicketListQuery(world.agent, status=C, limit=1, cursor=encode_cursor(T0.isoformat(), 1))
    assert await backend.tickets.count_tickets(query) == TicketCounts(pending=2, open=2, closed=1)
    assert await backend.tickets.count_tickets(TicketListQuery(world.admin)) == TicketCounts(3, 3, 2)
    searched = TicketListQuery(world.admin, search="refund")
    assert await backend.tickets.count_tickets(searched) == TicketCounts(1, 0, 0)


async def test_get_ticket_is_the_view_without_visibility_check(backend):
    world = await build_world(backend)
    t = world.tickets["open_other_no_queue"]
    assert await backend.tickets.get_ticket(t.id) == world.views[t.id]
    assert await backend.tickets.get_ticket(t.id + 1000) is None


@pytest.mark.parametrize("cursor", ["!!!", encode_cursor(5), encode_cursor("x", 1), encode_cursor("2026-01-01", "a")])
async def test_an_invalid_ticket_cursor_is_invalid_input(backend, cursor):
    world = await build_world(backend)
    with pytest.raises(InvalidInput):
        await backend.tickets.list_tickets(TicketListQuery(world.admin, cursor=cursor))


async def test_message_pages_newest_first_with_a_cursor(backend):
    world = await build_world(backend)
    t = world.tickets["open_assigned_to_me"]
    async with backend.new_uow() as uow:
        stored = [await uow.messages.add(message(t, f"m{i}", minutes=i)) for i in range(5)]
        stored[1].media_type, stored[1].media_key = MediaType.IMAGE, "k/1"
        stored[2].delete_for_everyone()
        stored[3].from_me, stored[3].ack, stored[3].error = True, MessageAck.FAILED, "no route"
        for m in stored[1:4]:
            await uow.messages.save(m)
        await uow.commit()
    want = [MessageView.of(m) for m in reversed(stored)]
    assert want[2].body == ""
    assert want[3].has_media is True
    first = await backend.messages.list_messages(t.id, limit=2)
    assert first.items == want[:2]
    second = await backend.messages.list_messages(t.id, limit=2, cursor=first.next_cursor)
    assert second.items == want[2:4]
    third = await backend.messages.list_messages(t.id, limit=2, cursor=second.next_cursor)
    assert (third.items, third.next_cursor) == (want[4:], None)
    assert (await backend.messages.list_messages(t.id + 1000)).items == []
    assert await backend.messages.get_message(stored[1].id) == want[3]
    assert await backend.messages.get_message(stored[-1].id + 1000) is None


async def test_a_placed_page_is_the_page_with_its_tickets_placement(backend):
    world = await build_world(backend)
    t = world.tickets["open_assigned_to_me"]
    empty = world.tickets["closed_no_queue"]
    async with backend.new_uow() as uow:
        stored = [await uow.messages.add(message(t, f"m{i}", minutes=i)) for i in range(3)]
        await uow.commit()
    placement, first = await backend.messages.placed_page(t.id, limit=2)
    assert placement == world.views[t.id].placement
    assert first == await backend.messages.list_messages(t.id, limit=2)
    assert [m.id for m in first.items] == [stored[2].id, stored[1].id]
    placement, rest = await backend.messages.placed_page(t.id, limit=2, cursor=first.next_cursor)
    assert (placement, [m.id for m in rest.items], rest.next_cursor) == (
        world.views[t.id].placement,
        [stored[0].id],
        None,
    )
    # No messages: the placement still tells an empty ticket from a missing one.
    assert await backend.messages.placed_page(empty.id) == (world.views[empty.id].placement, CursorPage([], None))
    assert await backend.messages.placed_page(t.id + 1000) == (None, CursorPage([], None))


async def test_a_placement_is_the_tickets_status_queue_and_assignee(backend):
    world = await build_world(backend)
    for t in world.tickets.values():
        assert await backend.tickets.placement_of(t.id) == world.views[t.id].placement
    assert await backend.tickets.placement_of(max(t.id for t in world.tickets.values()) + 1000) is None


@pytest.mark.parametrize("cursor", ["%%%", encode_cursor("x"), encode_cursor(1, 2)])
async def test_an_invalid_message_cursor_is_invalid_input(backend, cursor):
    with pytest.raises(InvalidInput):
        await backend.messages.list_messages(1, cursor=cursor)


async def test_queries_read_only_committed_data(backend):
    world = await build_world(backend)
    async with backend.new_uow() as uow:
        c = await uow.contacts.add(contact("5599999999999"))
        await uow.tickets.add(ticket(c.id, world.views[world.tickets["closed_mine"].id].whatsapp_id))
        await uow.rollback()
    assert await backend.tickets.count_tickets(TicketListQuery(world.admin)) == TicketCounts(3, 3, 2)
