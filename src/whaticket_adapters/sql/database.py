"""The persistence adapter's public face: what the CLI, the app wiring and other programs import.

url = database_url_from_env()                  # DATABASE_URL, else SQLite in DATA_DIR
await upgrade(url)                             # migrations to head
engine = create_engine(url)
sessions = create_session_factory(engine)
uow = SqlUnitOfWork(sessions)                  # one per use-case call (a unit of work is not shared by tasks)
tickets, messages = SqlTicketQueries(engine), SqlMessageQueries(engine)
auth_users = SqlAuthUserQueries(engine)          # the bearer check's user lookup
reports = SqlReportQueries(engine)               # the reporting summary
api_tokens = SqlApiTokenStore(engine)            # integrations' tokens
webhooks = SqlWebhookStore(engine)               # webhook subscriptions and the dispatcher's queue
uow = SqlUnitOfWork(sessions, encoder)           # with an encoder, events become webhook deliveries in-transaction
reads = ReadConnection(engine, per_request=True) # one request's readers share one connection:
tickets, auth_users = SqlTicketQueries(reads), SqlAuthUserQueries(reads); ...; await reads.release()
"""

from __future__ import annotations

from .api_tokens import SqlApiTokenStore
from .engine import create_engine, create_session_factory, database_url_from_env, is_sqlite, normalize_url
from .errors import SqlStoreError
from .event_outbox import EncodedEvent, WebhookEventEncoder
from .migrate import current_revision, downgrade, revisions, schema_differences, upgrade
from .queries import (
    ReadConnection,
    SqlAuthUserQueries,
    SqlContactQueries,
    SqlMessageQueries,
    SqlReportQueries,
    SqlTicketQueries,
)
from .unit_of_work import SqlUnitOfWork
from .webhooks import SqlWebhookStore

__all__ = [
    "EncodedEvent",
    "ReadConnection",
    "SqlApiTokenStore",
    "SqlAuthUserQueries",
    "SqlContactQueries",
    "SqlMessageQueries",
    "SqlReportQueries",
    "SqlStoreError",
    "SqlTicketQueries",
    "SqlUnitOfWork",
    "SqlWebhookStore",
    "WebhookEventEncoder",
    "create_engine",
    "create_session_factory",
    "current_revision",
    "database_url_from_env",
    "downgrade",
    "is_sqlite",
    "normalize_url",
    "revisions",
    "schema_differences",
    "upgrade",
]
