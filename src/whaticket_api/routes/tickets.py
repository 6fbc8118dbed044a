"""/tickets: the visible list (cursor), counts, one ticket, create, update and the agent actions."""

from __future__ import annotations

import logging
from typing import Annotated

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import delete, get, post, put
from litestar.params import JSONBody

from whaticket_core.domain.api_tokens import ApiScope
from whaticket_core.domain.message import MAX_BODY_LENGTH
from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.automation.assign_tickets import AssignPendingTickets, AssignPendingTicketsCommand
from whaticket_core.use_cases.notes.add_note import AddNote, AddNoteCommand
from whaticket_core.use_cases.tags.tagging import SetTicketTags, SetTicketTagsCommand
from whaticket_core.use_cases.tickets.accept_ticket import AcceptTicket, AcceptTicketCommand
from whaticket_core.use_cases.tickets.close_ticket import CloseTicket, CloseTicketCommand
from whaticket_core.use_cases.tickets.create_ticket import CreateTicket, CreateTicketCommand
from whaticket_core.use_cases.tickets.delete_ticket import DeleteTicket, DeleteTicketCommand
from whaticket_core.use_cases.tickets.read_ticket import ReadTicket, ReadTicketCommand
from whaticket_core.use_cases.tickets.reopen_ticket import ReopenTicket, ReopenTicketCommand
from whaticket_core.use_cases.tickets.ticket_queries import (
    CountTickets,
    CountTicketsCommand,
    GetTicket,
    GetTicketCommand,
    ListTickets,
    ListTicketsCommand,
)
from whaticket_core.use_cases.tickets.transfer_ticket import TransferTicket, TransferTicketCommand
from whaticket_core.use_cases.tickets.update_ticket import UpdateTicket, UpdateTicketCommand

from ..wire import MessageOut, TicketOut, message_out, ticket_out
from .common import AUTHED, BodyId, Cursor, Limit, PathId, Search, errors, parse_id_list
from .tags import TagIdsIn
from .ticket_filters import QueueIdsQuery, StatusName, StatusQuery, TagIdsQuery, UnreadQuery, UserIdQuery

log = logging.getLogger("whaticket.tickets")


async def hand_out(view: TicketView, assign: AssignPendingTickets) -> None:
    """A ticket just left pending in a queue is handed out at once (when auto-assignment is on) rather than at the
    next periodic run. The answer keeps the ticket as the action left it; the assignment is its own change, with its
    own ``ticket:updated``. A failure here is logged: the action itself succeeded, and the periodic run retries."""
    if view.status is not TicketStatus.PENDING or view.queue_id is None or view.user_id is not None:
        return
    try:
        await assign.execute(AssignPendingTicketsCommand(ticket_id=view.id))
    except Exception:
        log.exception("auto-assigning ticket %s after it moved failed", view.id)


class TicketPage(msgspec.Struct, rename="camel"):
    items: list[TicketOut]
    next_cursor: str | None


class TicketCountsOut(msgspec.Struct, rename="camel"):
    pending: int
    open: int
    closed: int


class TicketCreateIn(msgspec.Struct, rename="camel"):
    contact_id: BodyId
    whatsapp_id: BodyId | None = None
    queue_id: BodyId | None = None


class TicketUpdateIn(msgspec.Struct, rename="camel"):
    status: StatusName | None = None
    user_id: BodyId | None = None
    queue_id: BodyId | None = None


class TransferIn(msgspec.Struct, rename="camel"):
    user_id: BodyId | None = None
    queue_id: BodyId | None = None


@get("/", responses=errors(*AUTHED, 403), token_scope=ApiScope.TICKETS_READ)
async def list_tickets(
    viewer: FromDishka[Viewer],
    use_case: FromDishka[ListTickets],
    status: StatusQuery = None,
    queue_ids: QueueIdsQuery = None,
    user_id: UserIdQuery = None,
    search: Search = None,
    unread: UnreadQuery = False,
    tag_ids: TagIdsQuery = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> TicketPage:
    """Visible tickets, newest activity first. `search` matches contact name, number and message text."""
    page = await use_case.execute(
        ListTicketsCommand(
            actor=viewer,
            status=TicketStatus(status) if status else None,
            queue_ids=parse_id_list(queue_ids, "queueIds"),
            user_id=user_id,
            search=(search.strip() or None) if search else None,
            unread_only=unread,
            tag_ids=parse_id_list(tag_ids, "tagIds"),
            limit=limit,
            cursor=cursor or None,
        )
    )
    return TicketPage([ticket_out(t) for t in page.items], page.next_cursor)


@get("/counts", responses=errors(*AUTHED, 403), token_scope=ApiScope.TICKETS_READ)
async def count_tickets(
    viewer: FromDishka[Viewer],
    use_case: FromDishka[CountTickets],
    queue_ids: QueueIdsQuery = None,
    user_id: UserIdQuery = None,
    search: Search = None,
    unread: UnreadQuery = False,
    tag_ids: TagIdsQuery = None,
) -> TicketCountsOut:
    """Counts of visible tickets per status (for tabs)."""
    counts = await use_case.execute(
        CountTicketsCommand(
            actor=viewer,
            queue_ids=parse_id_list(queue_ids, "queueIds"),
            user_id=user_id,
            search=(search.strip() or None) if search else None,
            unread_only=unread,
            tag_ids=parse_id_list(tag_ids, "tagIds"),
        )
    )
    return TicketCountsOut(counts.pending, counts.open, counts.closed)


@get("/{ticket_id:int}", responses=errors(*AUTHED, 403, 404), token_scope=ApiScope.TICKETS_READ)
async def get_ticket(ticket_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[GetTicket]) -> TicketOut:
    """One ticket (404 when it is not visible to the caller)."""
    return ticket_out(await use_case.execute(GetTicketCommand(ticket_id, viewer)))


@post("/", status_code=201, responses=errors(*AUTHED, 403, 404, 409), token_scope=ApiScope.TICKETS_WRITE)
async def create_ticket(
    data: JSONBody[TicketCreateIn], viewer: FromDishka[Viewer], use_case: FromDishka[CreateTicket]
) -> TicketOut:
    """Start a ticket: open, assigned to the caller. 409 `ticket_already_open` (details.ticketId) when one is active."""
    view = await use_case.execute(CreateTicketCommand(data.contact_id, viewer, data.whatsapp_id, data.queue_id))
    return ticket_out(view)


@put("/{ticket_id:int}", responses=errors(*AUTHED, 403, 404, 409), token_scope=ApiScope.TICKETS_WRITE)
async def update_ticket(
    ticket_id: PathId,
    data: JSONBody[TicketUpdateIn],
    viewer: FromDishka[Viewer],
    use_case: FromDishka[UpdateTicket],
    assign: FromDishka[AssignPendingTickets],
) -> TicketOut:
    """Generic update (status, assignee, queue) under the same rules as the actions. With `autoAssign` on, a ticket
    left pending in a queue is then handed out (its `ticket:updated` follows)."""
    command = UpdateTicketCommand(
        ticket_id=ticket_id,
        actor=viewer,
        status=TicketStatus(data.status) if data.status else None,
        user_id=data.user_id,
        queue_id=data.queue_id,
    )
    view = await use_case.execute(command)
    await hand_out(view, assign)
    return ticket_out(view)


@post(
    "/{ticket_id:int}/accept",
    status_code=200,
    responses=errors(*AUTHED, 403, 404, 409),
    token_scope=ApiScope.TICKETS_WRITE,
)
async def accept_ticket(ticket_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[AcceptTicket]) -> TicketOut:
    """pending → open, assigned to the caller."""
    return ticket_out(await use_case.execute(AcceptTicketCommand(ticket_id, viewer)))


@post(
    "/{ticket_id:int}/transfer",
    status_code=200,
    responses=errors(*AUTHED, 403, 404, 409),
    token_scope=ApiScope.TICKETS_WRITE,
)
async def transfer_ticket(
    ticket_id: PathId,
    data: JSONBody[TransferIn],
    viewer: FromDishka[Viewer],
    use_case: FromDishka[TransferTicket],
    assign: FromDishka[AssignPendingTickets],
) -> TicketOut:
    """To a queue (pending, unassigned) and/or a user (open, assigned). At least one of userId and queueId. With
    `autoAssign` on, a ticket transferred to a queue alone is then handed out (its `ticket:updated` follows)."""
    view = await use_case.execute(TransferTicketCommand(ticket_id, viewer, data.user_id, data.queue_id))
    await hand_out(view, assign)
    return ticket_out(view)


class CloseIn(msgspec.Struct, rename="camel"):
    skip_survey: bool = False


@post(
    "/{ticket_id:int}/close",
    status_code=200,
    responses=errors(*AUTHED, 403, 404, 409),
    token_scope=ApiScope.TICKETS_WRITE,
)
async def close_ticket(
    ticket_id: PathId,
    viewer: FromDishka[Viewer],
    use_case: FromDishka[CloseTicket],
    data: JSONBody[CloseIn | None] = None,
) -> TicketOut:
    """→ closed; the connection's farewell message is sent if set, then the satisfaction question when setting
    `csat` is `on` (unless `skipSurvey`). The body is optional."""
    skip = data.skip_survey if data is not None else False
    return ticket_out(await use_case.execute(CloseTicketCommand(ticket_id, viewer, skip_survey=skip)))


@post(
    "/{ticket_id:int}/reopen",
    status_code=200,
    responses=errors(*AUTHED, 403, 404, 409),
    token_scope=ApiScope.TICKETS_WRITE,
)
async def reopen_ticket(ticket_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[ReopenTicket]) -> TicketOut:
    """closed → open, assigned to the caller; 409 `ticket_already_open` if another is active."""
    return ticket_out(await use_case.execute(ReopenTicketCommand(ticket_id, viewer)))


@post("/{ticket_id:int}/read", status_code=204, responses=errors(*AUTHED, 403, 404), token_scope=ApiScope.TICKETS_WRITE)
async def read_ticket(ticket_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[ReadTicket]) -> None:
    """Unread count to 0; read receipts go to WhatsApp."""
    await use_case.execute(ReadTicketCommand(ticket_id, viewer))


@put("/{ticket_id:int}/tags", responses=errors(*AUTHED, 403, 404), token_scope=ApiScope.TICKETS_WRITE)
async def set_ticket_tags(
    ticket_id: PathId, data: JSONBody[TagIdsIn], viewer: FromDishka[Viewer], use_case: FromDishka[SetTicketTags]
) -> TicketOut:
    """Replace the ticket's tags (`tagIds: []` clears them); 404 `tag_not_found` for an unknown tag."""
    return ticket_out(await use_case.execute(SetTicketTagsCommand(ticket_id, viewer, tuple(data.tag_ids))))


class NoteIn(msgspec.Struct, rename="camel"):
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_BODY_LENGTH)]


@post(
    "/{ticket_id:int}/notes", status_code=201, responses=errors(*AUTHED, 403, 404), token_scope=ApiScope.TICKETS_WRITE
)
async def add_note(
    ticket_id: PathId, data: JSONBody[NoteIn], viewer: FromDishka[Viewer], use_case: FromDishka[AddNote]
) -> MessageOut:
    """Leave an internal note (`mediaType: "note"`): agents who see the ticket see it, WhatsApp never does.
    `@Name` mentions notify those users (`note:mention`)."""
    return message_out(await use_case.execute(AddNoteCommand(ticket_id, viewer, data.body)))


@delete("/{ticket_id:int}", status_code=204, responses=errors(*AUTHED, 403, 404), token_scope=ApiScope.TICKETS_WRITE)
async def delete_ticket(ticket_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[DeleteTicket]) -> None:
    """Delete a ticket and its messages (admin)."""
    await use_case.execute(DeleteTicketCommand(ticket_id, viewer))


router = DishkaRouter(
    "/tickets",
    tags=["tickets"],
    route_handlers=[
        list_tickets,
        count_tickets,
        get_ticket,
        create_ticket,
        update_ticket,
        accept_ticket,
        transfer_ticket,
        close_ticket,
        reopen_ticket,
        read_ticket,
        set_ticket_tags,
        add_note,
        delete_ticket,
    ],
)
