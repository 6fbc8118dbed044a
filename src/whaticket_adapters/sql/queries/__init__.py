"""The hot reads (ticket list, one ticket, tab counts, message page, contacts page, the bearer check's user): one
SQL statement each, written with SQLAlchemy Core, built once per shape with bind parameters and (on PostgreSQL) run
on the request's asyncpg connection (see ``reader.py``); rows mapped straight to the core's read models, keyset
cursors (never OFFSET) except the contacts page, whose contract is an offset page."""

from .auth_users import SqlAuthUserQueries
from .contacts import SqlContactQueries
from .messages import SqlMessageQueries
from .reader import ReadConnection
from .reports import SqlReportQueries
from .tickets import SqlTicketQueries, visible_to

__all__ = [
    "ReadConnection",
    "SqlAuthUserQueries",
    "SqlContactQueries",
    "SqlMessageQueries",
    "SqlReportQueries",
    "SqlTicketQueries",
    "visible_to",
]
