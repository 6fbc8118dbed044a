"""The hot reads (ticket list, one ticket, tab counts, message page, the bearer check's user): one SQL statement
each, written with SQLAlchemy Core, built once per shape with bind parameters and (on PostgreSQL) run on the request's
asyncpg connection (see ``reader.py``); rows mapped straight to the core's read models, keyset cursors (never
OFFSET)."""

from .auth_users import SqlAuthUserQueries
from .messages import SqlMessageQueries
from .reader import ReadConnection
from .tickets import SqlTicketQueries, visible_to

__all__ = ["ReadConnection", "SqlAuthUserQueries", "SqlMessageQueries", "SqlTicketQueries", "visible_to"]
