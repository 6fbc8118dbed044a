from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.events import DomainEvent
from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.domain.settings import AUTO_ASSIGN, ROUND_ROBIN
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.presence import AgentPresence
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.settings_reader import read_setting
from whaticket_core.use_cases.shared.ticket_access import ticket_changed, view_of

DEFAULT_LIMIT = 1000
_PAGE = 100


@dataclass(frozen=True, slots=True)
class AssignPendingTicketsCommand:
    """Which backlog to hand out: the queue of ticket ``ticket_id`` (a customer just wrote), the queues of user
    ``user_id`` (they just came online), the given ``queue_ids``, or with none of them every queue. At most ``limit``
    assignments per run."""

    queue_ids: tuple[int, ...] | None = None
    user_id: int | None = None
    ticket_id: int | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True, slots=True)
class AssignPendingTicketsResult:
    assigned: int = 0


class AssignPendingTickets:
    """Round-robin auto-assignment with per-agent capacity.

    Rules:
    - Only while setting ``autoAssign`` is ``round_robin`` (default ``off``).
    - Only ``pending`` tickets that have a queue and no assignee: a ticket without a queue is still the routing bot's.
    - A queue's backlog goes out oldest first. Each ticket goes to the online member of its queue (a user with a
      connected socket, on any server process) holding the fewest ``open`` tickets, below their ``maxOpenTickets``
      (0: no limit); ties go to the lowest user id, so equals take turns. No such member: the ticket waits.
    - The ticket becomes ``open``, assigned (as if the agent accepted it); ``ticket:updated`` is published.
    - Safe with any number of assigners at once: a ticket is claimed with its row locked and rows other assigners
      hold are skipped (each ticket is assigned once), and the candidates' user rows are locked in id order while
      their open tickets are counted (nobody goes over capacity).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, presence: AgentPresence) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._presence = presence

    async def execute(self, command: AssignPendingTicketsCommand) -> AssignPendingTicketsResult:
        async with self._uow as uow:
            if await read_setting(uow, AUTO_ASSIGN) != ROUND_ROBIN:
                return AssignPendingTicketsResult()
            members = await self._queues(uow, command)
        assigned = 0
        for queue_id, user_ids in members.items():
            online = sorted(await self._presence.online(user_ids)) if user_ids else []
            while online and assigned < command.limit:
                if not await self._assign_one(queue_id, online):
                    break
                assigned += 1
        return AssignPendingTicketsResult(assigned)

    async def _queues(self, uow: UnitOfWork, command: AssignPendingTicketsCommand) -> dict[int, list[int]]:
        """The queues to serve, each with its members."""
        if command.ticket_id is not None:
            ticket = await uow.tickets.get(command.ticket_id)
            if ticket is None or ticket.status is not TicketStatus.PENDING or ticket.queue_id is None:
                return {}
            queue_ids: list[int] | None = [ticket.queue_id]
        elif command.user_id is not None:
            user = await uow.users.get(command.user_id)
            queue_ids = list(user.queue_ids) if user is not None else []
        else:
            queue_ids = list(command.queue_ids) if command.queue_ids is not None else None
        if queue_ids is not None:
            return {q.id: list(q.user_ids) for q in await uow.queues.get_many(queue_ids)}
        found: dict[int, list[int]] = {}
        offset = 0
        while True:
            page = await uow.queues.list_page(OffsetQuery(limit=_PAGE, offset=offset))
            found.update({q.id: list(q.user_ids) for q in page.items})
            offset += _PAGE
            if offset >= page.total:
                return found

    async def _assign_one(self, queue_id: int, online: list[int]) -> bool:
        """Hand the queue's oldest claimable ticket to the best candidate; False when there is none of either."""
        async with self._uow as uow:
            claimed = await uow.tickets.claim_pending(queue_id, 1)
            if not claimed:
                return False
            ticket = claimed[0]
            users = await uow.users.lock_for_assignment(online)
            counts = await uow.tickets.count_open([u.id for u in users])
            candidates: list[tuple[int, int]] = []
            for user in users:
                if queue_id not in user.queue_ids:
                    continue  # left the queue since the run began
                if user.max_open_tickets == 0 or counts[user.id] < user.max_open_tickets:
                    candidates.append((counts[user.id], user.id))
            if not candidates:
                return False
            _, chosen = min(candidates)
            before = ticket.placement
            ticket.accept(chosen, self._clock.now())
            await uow.tickets.save(ticket)
            view = await view_of(uow, ticket)
            events: list[DomainEvent] = await commit_with(uow, ticket_changed(view, before))
        await self._publisher.publish(events)
        return True
