"""Who may see which ticket. Applied by every query, every action and every realtime delivery."""

from __future__ import annotations

from dataclasses import dataclass

from .ticket import TicketPlacement, TicketStatus
from .user import Role, User


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: int
    role: Role
    queue_ids: frozenset[int]
    # Set when an API token acts (as its issuing admin's id, with the supervisor's reach): what it did is
    # attributed to the token, and it may do only what its scopes allow.
    api_token_id: int | None = None
    scopes: frozenset[str] | None = None

    def has_scope(self, scope: str) -> bool:
        """A person's session carries every scope its role allows; a token only those it was issued with."""
        return self.scopes is None or scope in self.scopes

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(user.id, user.role, frozenset(user.queue_ids))

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.SUPERVISOR)


def can_see(viewer: Viewer, placement: TicketPlacement) -> bool:
    """Staff see all. An agent sees tickets assigned to them, in one of their queues, or pending without a queue."""
    if viewer.is_staff:
        return True
    if placement.user_id == viewer.user_id:
        return True
    if placement.queue_id is not None:
        return placement.queue_id in viewer.queue_ids
    return placement.status is TicketStatus.PENDING
