"""Where a ticket stands (status, queue, assignee), read on its own or from columns another statement carries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select

from whaticket_core.domain.ticket import TicketPlacement, TicketStatus

from ..models import TicketRow, table_of

_T = table_of(TicketRow)

PLACEMENT_COLUMNS = (_T.c.status, _T.c.queue_id, _T.c.user_id)
PLACEMENT = select(*PLACEMENT_COLUMNS).where(_T.c.id == bindparam("ticket_id", type_=_T.c.id.type))

# Enum members by stored value: a dict lookup, not an Enum call (~1 µs) per row.
STATUS = {status.value: status for status in TicketStatus}


def placement_at(row: Sequence[Any], first: int = 0) -> TicketPlacement:
    """The placement in ``row``'s columns ``first`` to ``first + 2`` (in the order of PLACEMENT_COLUMNS)."""
    return TicketPlacement(STATUS[row[first]], row[first + 1], row[first + 2])
