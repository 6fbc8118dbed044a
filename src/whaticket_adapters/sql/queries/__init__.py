"""The hot reads (ticket list, one ticket, tab counts, message page, the bearer check's user): one SQL statement
each through SQLAlchemy Core, built once per shape with bind parameters, rows mapped straight to the core's read
models, keyset cursors (never OFFSET)."""

from .auth_users import SqlAuthUserQueries
from .messages import SqlMessageQueries
from .reports import SqlReportQueries
from .tickets import SqlTicketQueries, visible_to

__all__ = ["SqlAuthUserQueries", "SqlMessageQueries", "SqlReportQueries", "SqlTicketQueries", "visible_to"]
