"""Driver errors turned into the port's StoreConflict (unique rules) or the adapter's own SqlStoreError."""

from __future__ import annotations

import re

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from whaticket_core.ports.unit_of_work import Constraint, StoreConflict


class SqlStoreError(Exception):
    """The database failed for a reason that is not a broken uniqueness rule (connection lost, bad SQL, ...)."""


class SqlUnavailable(SqlStoreError):
    """The database could not be reached, dropped the connection, or had no pooled connection free in time: an
    outage, not a bug in the statement; the same call may succeed later."""


# asyncpg's own errors for a connection that failed or ended (by name: asyncpg need not be imported for SQLite).
_ASYNCPG_OUTAGES = frozenset(
    {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "CannotConnectNowError",
        "TooManyConnectionsError",
        "AdminShutdownError",
        "CrashShutdownError",
        "InterfaceError",
        "InternalClientError",
    }
)


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` (or what it wraps) means the database is unreachable right now rather than a failed
    statement: a refused or dropped connection, a server shutting down, too many clients, an exhausted pool."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (SqlUnavailable, PoolTimeout, OperationalError, InterfaceError, OSError)):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if type(current).__module__.startswith("asyncpg") and type(current).__name__ in _ASYNCPG_OUTAGES:
            return True
        current = current.__cause__ or current.__context__
    return False


# PostgreSQL reports the constraint or index name.
_BY_NAME = {
    "uq_tickets_active": Constraint.ACTIVE_TICKET,
    "uq_messages_whatsapp_id_wa_message_id": Constraint.MESSAGE_WA_ID,
    "uq_contacts_number": Constraint.CONTACT_NUMBER,
    "uq_contacts_lid": Constraint.CONTACT_LID,
    "uq_users_email": Constraint.USER_EMAIL,
    "uq_queues_name": Constraint.QUEUE_NAME,
    "uq_queues_color": Constraint.QUEUE_COLOR,
    "uq_whatsapps_name": Constraint.WHATSAPP_NAME,
    "uq_whatsapps_default": Constraint.DEFAULT_WHATSAPP,
    "uq_quick_answers_shortcut": Constraint.QUICK_ANSWER_SHORTCUT,
    "uq_tags_name": Constraint.TAG_NAME,
}
# SQLite names the columns of a column index, or "index 'name'" for an expression index.
_BY_COLUMNS = {
    "tickets.contact_id, tickets.whatsapp_id": Constraint.ACTIVE_TICKET,
    "messages.whatsapp_id, messages.wa_message_id": Constraint.MESSAGE_WA_ID,
    "contacts.number": Constraint.CONTACT_NUMBER,
    "contacts.lid": Constraint.CONTACT_LID,
    "users.email": Constraint.USER_EMAIL,
    "queues.color": Constraint.QUEUE_COLOR,
    "whatsapps.is_default": Constraint.DEFAULT_WHATSAPP,
}
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?:index '(?P<index>[^']+)'|(?P<columns>.+))")


def _constraint_of(error: IntegrityError) -> Constraint | None:
    """The core's name of the unique rule ``error`` broke, or None when it is not a unique violation."""
    cause = error.orig.__cause__ if error.orig is not None else None
    sqlstate = getattr(cause, "sqlstate", None) or getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        if sqlstate != "23505":
            return None
        name = getattr(cause, "constraint_name", None) or ""
        return _BY_NAME.get(name, Constraint.OTHER)
    match = _SQLITE_UNIQUE.search(str(error.orig))
    if match is None:
        return None
    if match["index"]:
        return _BY_NAME.get(match["index"], Constraint.OTHER)
    return _BY_COLUMNS.get(match["columns"].strip(), Constraint.OTHER)


# What the adapter catches: driver errors SQLAlchemy wrapped, its own (pool timeout, ...) and a refused connection.
DATABASE_ERRORS = (SQLAlchemyError, OSError)


def is_driver_error(error: BaseException) -> bool:
    """One of :data:`DATABASE_ERRORS`, or asyncpg's own (raised unwrapped by a statement sent on the driver, or by the
    pool opening a connection for a bare checkout)."""
    return isinstance(error, DATABASE_ERRORS) or type(error).__module__.startswith("asyncpg")


def translate(error: BaseException) -> Exception:
    """The exception to raise instead of ``error``."""
    if isinstance(error, IntegrityError):
        constraint = _constraint_of(error)
        if constraint is not None:
            return StoreConflict(constraint, str(error.orig))
    kind = SqlUnavailable if is_unavailable(error) else SqlStoreError
    if isinstance(error, DBAPIError) and error.orig is not None:
        return kind(str(error.orig))
    return kind(str(error) or type(error).__name__)


def translate_driver_error(error: BaseException) -> Exception:
    """:func:`translate` for an error the driver raised itself (a statement sent on its own connection, see
    ``driver_path``): asyncpg names the unique rule a statement broke."""
    if getattr(error, "sqlstate", None) == "23505":
        name = getattr(error, "constraint_name", None) or ""
        return StoreConflict(_BY_NAME.get(name, Constraint.OTHER), str(error))
    kind = SqlUnavailable if is_unavailable(error) else SqlStoreError
    return kind(str(error) or type(error).__name__)
