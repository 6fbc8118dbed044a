"""Downloading a message's media through a signed link instead of a bearer token."""

from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import InvalidMediaLink, MediaLinkExpired
from whaticket_core.domain.message import MediaFile
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.queries import AuthUserQueries
from whaticket_core.ports.security import MediaLinkSigner

from .message_queries import GetMessageMedia, GetMessageMediaCommand


@dataclass(frozen=True, slots=True)
class OpenMediaLinkCommand:
    message_id: int
    token: str


class OpenMediaLink:
    """The media a signed link grants.

    Rules: the token must be signed by this deployment and name this message (``media_link_invalid``), must not
    have expired (``media_link_expired``), and its user must still exist with the token version it was signed for
    (``media_link_invalid``: logout-all, a new password or deletion revoke links). Then the ordinary media rules apply
    as that user: ``message_not_found`` when the ticket is no longer visible to them, ``media_not_found`` without
    media.
    """

    def __init__(self, signer: MediaLinkSigner, clock: Clock, users: AuthUserQueries, media: GetMessageMedia) -> None:
        self._signer = signer
        self._clock = clock
        self._users = users
        self._media = media

    async def execute(self, command: OpenMediaLinkCommand) -> MediaFile:
        grant = self._signer.read(command.token)
        if grant.message_id != command.message_id:
            raise InvalidMediaLink("This link is for another message")
        if grant.expired(self._clock.now()):
            raise MediaLinkExpired("This media link has expired; ask for the message again for a fresh one")
        found = await self._users.auth_user(grant.user_id)
        if found is None or found.token_version != grant.token_version:
            raise InvalidMediaLink("This media link was revoked")
        user = found.user
        viewer = Viewer(user.id, user.role, frozenset(user.queue_ids))
        return await self._media.execute(GetMessageMediaCommand(command.message_id, viewer))
