"""In-memory fakes of every port: they keep state, so tests assert on what happened, not on calls.

Usable by other programs' tests too::

    from whaticket_core.testing import InMemoryStore, InMemoryUnitOfWork, ManualClock
"""

from .api_tokens import InMemoryApiTokenStore
from .clock import ManualClock
from .jobs import InMemoryJobQueue
from .media import InMemoryMediaStore
from .presence import FakePresence
from .publisher import RecordingPublisher
from .queries import InMemoryAuthUserQueries, InMemoryContactQueries, InMemoryMessageQueries, InMemoryTicketQueries
from .report_repositories import InMemoryReportQueries
from .security import FakeMediaLinkSigner, FakePasswordHasher, FakeTokenCodec
from .store import InMemoryStore
from .transport import FakeCallRejecter, FakeMediaFetcher, FakeMessageSender, FakeSessionController, SentItem
from .unit_of_work import InMemoryEventOutbox, InMemoryUnitOfWork
from .webhooks import FakeUrlGuard, InMemoryWebhookStore, RecordingWebhookSender

__all__ = [
    "FakeCallRejecter",
    "FakeMediaFetcher",
    "FakeMediaLinkSigner",
    "FakeMessageSender",
    "FakePasswordHasher",
    "FakePresence",
    "FakeSessionController",
    "FakeTokenCodec",
    "FakeUrlGuard",
    "InMemoryApiTokenStore",
    "InMemoryAuthUserQueries",
    "InMemoryContactQueries",
    "InMemoryEventOutbox",
    "InMemoryJobQueue",
    "InMemoryMediaStore",
    "InMemoryMessageQueries",
    "InMemoryReportQueries",
    "InMemoryStore",
    "InMemoryTicketQueries",
    "InMemoryUnitOfWork",
    "InMemoryWebhookStore",
    "ManualClock",
    "RecordingPublisher",
    "RecordingWebhookSender",
    "SentItem",
]
