from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field

from ..domain.auth import RefreshToken
from ..domain.business_hours import BusinessHours
from ..domain.contact import Contact
from ..domain.events import DomainEvent
from ..domain.inbox import InboxEntry
from ..domain.message import Message
from ..domain.queue import Queue
from ..domain.quick_answer import QuickAnswer
from ..domain.reports import ReportEvent
from ..domain.tag import Tag
from ..domain.ticket import Ticket
from ..domain.user import User
from ..domain.whatsapp import WhatsApp


@dataclass
class StoreState:
    tickets: dict[int, Ticket] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    queues: dict[int, Queue] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    whatsapps: dict[int, WhatsApp] = field(default_factory=dict)
    quick_answers: dict[int, QuickAnswer] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    tags: dict[int, Tag] = field(default_factory=dict)
    # Tag ids per ticket id and per contact id.
    ticket_tags: dict[int, set[int]] = field(default_factory=dict)
    contact_tags: dict[int, set[int]] = field(default_factory=dict)
    report_events: dict[int, ReportEvent] = field(default_factory=dict)
    inbox: dict[int, InboxEntry] = field(default_factory=dict)
    business_hours: dict[str, BusinessHours] = field(default_factory=dict)  # by HoursTarget.key
    next_id: dict[str, int] = field(default_factory=dict)
    # The events recorded for integrations, in commit order (the fake of the webhook outbox).
    outbox: list[DomainEvent] = field(default_factory=list)

    def allocate(self, table: str) -> int:
        self.next_id[table] = self.next_id.get(table, 0) + 1
        return self.next_id[table]

    def clone(self) -> StoreState:
        return copy.deepcopy(self)


class InMemoryStore:
    """The committed state shared by every :class:`InMemoryUnitOfWork` (and the in-memory query fakes)."""

    def __init__(self) -> None:
        self.state = StoreState()
        # Held by a unit of work from enter to exit: transactions are serialised.
        self.lock = asyncio.Lock()
