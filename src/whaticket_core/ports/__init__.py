"""Ports: one ``typing.Protocol`` per capability the core needs from the outside world."""

from .clock import Clock
from .jobs import (
    DeliverMessageJob,
    DispatchWebhooksJob,
    DownloadMediaJob,
    Job,
    JobQueue,
    JobScheduler,
    ReleaseScheduledMessageJob,
    SendReadReceiptsJob,
)
from .media import MediaFetcher, MediaStore
from .presence import AgentPresence
from .publisher import EventPublisher
from .queries import (
    AuthUser,
    AuthUserQueries,
    ContactQueries,
    MessageQueries,
    ReportQueries,
    TagCounter,
    TicketCounter,
    TicketListQuery,
    TicketQueries,
)
from .repositories import (
    BusinessHoursRepository,
    ContactRepository,
    MessageRepository,
    QueueRepository,
    QuickAnswerRepository,
    RefreshTokenRepository,
    ReportEventRepository,
    SettingRepository,
    TagAssignments,
    TagRepository,
    TicketRepository,
    UserRepository,
    WhatsAppRepository,
)
from .security import MediaLinkSigner, PasswordHasher, TokenCodec
from .transport import MessageSender, Recipient, SessionController, TransportError
from .unit_of_work import Constraint, StoreConflict, UnitOfWork

__all__ = [
    "AgentPresence",
    "AuthUser",
    "AuthUserQueries",
    "BusinessHoursRepository",
    "Clock",
    "Constraint",
    "ContactQueries",
    "ContactRepository",
    "DeliverMessageJob",
    "DispatchWebhooksJob",
    "DownloadMediaJob",
    "EventPublisher",
    "Job",
    "JobQueue",
    "JobScheduler",
    "MediaFetcher",
    "MediaLinkSigner",
    "MediaStore",
    "MessageQueries",
    "MessageRepository",
    "MessageSender",
    "PasswordHasher",
    "QueueRepository",
    "QuickAnswerRepository",
    "Recipient",
    "RefreshTokenRepository",
    "ReleaseScheduledMessageJob",
    "ReportEventRepository",
    "ReportQueries",
    "SendReadReceiptsJob",
    "SessionController",
    "SettingRepository",
    "StoreConflict",
    "TagAssignments",
    "TagCounter",
    "TagRepository",
    "TicketCounter",
    "TicketListQuery",
    "TicketQueries",
    "TicketRepository",
    "TokenCodec",
    "TransportError",
    "UnitOfWork",
    "UserRepository",
    "WhatsAppRepository",
]
