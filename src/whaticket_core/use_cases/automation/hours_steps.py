"""Which schedule applies: a queue's own, else its connection's, else the company default; none means always open."""

from __future__ import annotations

from whaticket_core.domain.business_hours import COMPANY, BusinessHours, HoursScope, HoursTarget
from whaticket_core.domain.errors import QueueNotFound, WhatsAppNotFound
from whaticket_core.domain.ticket import Ticket
from whaticket_core.ports.unit_of_work import UnitOfWork


async def require_target(uow: UnitOfWork, target: HoursTarget) -> None:
    """``queue_not_found`` / ``whatsapp_not_found`` when the target names nothing."""
    if target.target_id is None:
        return
    if target.scope is HoursScope.QUEUE and await uow.queues.get(target.target_id) is None:
        raise QueueNotFound(f"Queue {target.target_id} not found", queue_id=target.target_id)
    if target.scope is HoursScope.WHATSAPP and await uow.whatsapps.get(target.target_id) is None:
        raise WhatsAppNotFound(f"WhatsApp {target.target_id} not found", whatsapp_id=target.target_id)


async def effective_hours(uow: UnitOfWork, target: HoursTarget) -> tuple[BusinessHours, HoursScope]:
    """The target's schedule, else the company default, else always open; and whose it is."""
    own = await uow.business_hours.get(target)
    if own is not None:
        return own, target.scope
    company = await uow.business_hours.get(COMPANY)
    if company is not None:
        return company, HoursScope.COMPANY
    return BusinessHours(), HoursScope.COMPANY


async def hours_of_ticket(uow: UnitOfWork, ticket: Ticket) -> BusinessHours | None:
    """The ticket's queue's schedule, else its connection's, else the company's; None when none is set."""
    targets = [HoursTarget(HoursScope.WHATSAPP, ticket.whatsapp_id), COMPANY]
    if ticket.queue_id is not None:
        targets.insert(0, HoursTarget(HoursScope.QUEUE, ticket.queue_id))
    for target in targets:
        hours = await uow.business_hours.get(target)
        if hours is not None:
            return hours
    return None
