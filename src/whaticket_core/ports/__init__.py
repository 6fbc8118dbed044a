"""Ports: one ``typing.Protocol`` per capability the core needs from the outside world."""

from .clock import Clock
from .jobs import DeliverMessageJob, DispatchWebhooksJob, DownloadMediaJob, Job, JobQueue, SendReadReceiptsJob
from .media import MediaFetcher, MediaStore
from .presence import AgentPresence
from .publisher import EventPublisher
from .queries import (
    AuthUser,
    AuthUserQueries,
    ContactQueries,
    MessageQueries,
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
    SettingRepository,
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
    "SendReadReceiptsJob",
    "SessionController",
    "SettingRepository",
    "StoreConflict",
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
