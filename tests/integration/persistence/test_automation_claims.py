"""TicketRepository.claim_idle / claim_pending / count_open and UserRepository.lock_for_assignment contracts."""

from __future__ import annotations

from datetime import timedelta

from persistence_builders import T0, contact, queue, ticket, user, whatsapp

from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.ports.repositories import IdleClaim


async def _seed(backend, specs):
    """One ticket per spec (status, minutes of silence offset, warned offset or None, queue?, user?)."""
    async with backend.new_uow() as uow:
        wa = await uow.whatsapps.add(whatsapp())
        q = await uow.queues.add(queue())
        agent = await uow.users.add(user())
        ids = []
        for n, (status, idle, warned, in_queue, assigned) in enumerate(specs):
            c = await uow.contacts.add(contact(f"55119000000{n:02d}"))
            t = ticket(
                c.id,
                wa.id,
                status,
                queue_id=q.id if in_queue else None,
                user_id=agent.id if assigned else None,
                idle_since=T0 + timedelta(minutes=idle),
                close_warned_at=None if warned is None else T0 + timedelta(minutes=warned),
            )
            t.created_at = T0 + timedelta(minutes=n)
            ids.append((await uow.tickets.add(t)).id)
        await uow.commit()
    return q.id, agent.id, ids


async def test_claim_idle_filters_orders_and_limits(backend):
    _, _, ids = await _seed(
        backend,
        [
            (TicketStatus.PENDING, 5, None, False, False),  # idle since 5
            (TicketStatus.OPEN, 1, None, False, True),  # idle since 1: the longest silent
            (TicketStatus.CLOSED, 0, None, False, False),  # closed: never
            (TicketStatus.PENDING, 30, None, False, False),  # too recent
            (TicketStatus.PENDING, 2, 3, False, False),  # warned after its silence began
            (TicketStatus.PENDING, 8, 4, False, False),  # warned before: a new silence, not warned
        ],
    )
    cutoff = T0 + timedelta(minutes=10)
    async with backend.new_uow() as uow:
        every = await uow.tickets.claim_idle(IdleClaim(cutoff, 10))
        assert [t.id for t in every] == [ids[1], ids[4], ids[0], ids[5]]
        assert [t.id for t in await uow.tickets.claim_idle(IdleClaim(cutoff, 2))] == [ids[1], ids[4]]
        unwarned = await uow.tickets.claim_idle(IdleClaim(cutoff, 10, warned=False))
        assert [t.id for t in unwarned] == [ids[1], ids[0], ids[5]]
        warned = await uow.tickets.claim_idle(IdleClaim(cutoff, 10, warned=True))
        assert [t.id for t in warned] == [ids[4]]
        early = IdleClaim(cutoff, 10, warned=True, warned_before=T0 + timedelta(minutes=2))
        assert await uow.tickets.claim_idle(early) == []


async def test_claim_pending_takes_the_queue_backlog_oldest_first(backend):
    q_id, _, ids = await _seed(
        backend,
        [
            (TicketStatus.PENDING, 0, None, True, False),
            (TicketStatus.PENDING, 0, None, False, False),  # no queue
            (TicketStatus.OPEN, 0, None, True, True),  # assigned
            (TicketStatus.PENDING, 0, None, True, False),
            (TicketStatus.PENDING, 0, None, True, False),
        ],
    )
    async with backend.new_uow() as uow:
        assert [t.id for t in await uow.tickets.claim_pending(q_id, 10)] == [ids[0], ids[3], ids[4]]
        assert [t.id for t in await uow.tickets.claim_pending(q_id, 1)] == [ids[0]]
        assert await uow.tickets.claim_pending(q_id + 1000, 10) == []


async def test_count_open_counts_open_tickets_per_user(backend):
    _, agent_id, _ = await _seed(
        backend,
        [
            (TicketStatus.OPEN, 0, None, True, True),
            (TicketStatus.OPEN, 0, None, False, True),
            (TicketStatus.PENDING, 0, None, True, False),
        ],
    )
    async with backend.new_uow() as uow:
        other = await uow.users.add(user("other@example.com"))
        locked = await uow.users.lock_for_assignment([other.id, agent_id, other.id + 1000])
        assert [u.id for u in locked] == sorted([agent_id, other.id])
        assert (locked[0].queue_ids, locked[0].max_open_tickets) == ([], 0)
        assert await uow.tickets.count_open([agent_id, other.id]) == {agent_id: 2, other.id: 0}
        assert await uow.tickets.count_open([]) == {}
