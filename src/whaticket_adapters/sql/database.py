"""The persistence adapter's public face: what the CLI, the app wiring and other programs import.

url = database_url_from_env()                  # DATABASE_URL, else SQLite in DATA_DIR
await upgrade(url)                             # migrations to head
engine = create_engine(url)
sessions = create_session_factory(engine)
uow = SqlUnitOfWork(sessions)                  # one per use-case call (a unit of work is not shared by tasks)
tickets, messages = SqlTicketQueries(engine), SqlMessageQueries(engine)
auth_users = SqlAuthUserQueries(engine)          # the bearer check's user lookup
reports = SqlReportQueries(engine)               # the reporting summary
"""

from __future__ import annotations

from .engine import create_engine, create_session_factory, database_url_from_env, is_sqlite, normalize_url
from .errors import SqlStoreError
from .migrate import current_revision, downgrade, revisions, schema_differences, upgrade
from .queries import SqlAuthUserQueries, SqlMessageQueries, SqlReportQueries, SqlTicketQueries
from .unit_of_work import SqlUnitOfWork

__all__ = [
    "SqlAuthUserQueries",
    "SqlMessageQueries",
    "SqlReportQueries",
    "SqlStoreError",
    "SqlTicketQueries",
    "SqlUnitOfWork",
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
