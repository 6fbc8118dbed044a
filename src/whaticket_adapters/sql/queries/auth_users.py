"""The bearer check's user: its role, queues and token version in one statement."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from whaticket_core.domain.read_models import UserView
from whaticket_core.domain.user import Role
from whaticket_core.ports.queries import AuthUser

from ..models import UserQueueRow, UserRow, table_of
from .reader import SqlReader

_U = table_of(UserRow)
_UQ = table_of(UserQueueRow)

# One row per queue of the user (one with a NULL queue when it has none), queues in id order as the repository
# lists them.
_AUTH_USER = (
    select(
        _U.c.id,
        _U.c.name,
        _U.c.email,
        _U.c.role,
        _U.c.whatsapp_id,
        _U.c.created_at,
        _U.c.token_version,
        _U.c.max_open_tickets,
        _UQ.c.queue_id,
    )
    .select_from(_U.outerjoin(_UQ, _UQ.c.user_id == _U.c.id))
    .where(_U.c.id == bindparam("user_id", type_=_U.c.id.type))
    .order_by(_UQ.c.queue_id)
)


class SqlAuthUserQueries(SqlReader):
    """Implements :class:`~whaticket_core.ports.queries.AuthUserQueries`."""

    async def auth_user(self, user_id: int) -> AuthUser | None:
        rows = await self._rows(_AUTH_USER, {"user_id": user_id})
        if not rows:
            return None
        id_, name, email, role, whatsapp_id, created_at, token_version, max_open, _ = rows[0]
        queue_ids = tuple(r[8] for r in rows if r[8] is not None)  # queue_id, by position as every column
        view = UserView(id_, name, email, Role(role), queue_ids, whatsapp_id, created_at, max_open)
        return AuthUser(view, token_version)
