"""OpenMediaLink: a signed link grants one user one message's media, until it expires or their sessions end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from whaticket_adapters.security import HmacMediaLinkSigner
from whaticket_core.domain.errors import InvalidMediaLink, MediaLinkExpired, MessageNotFound
from whaticket_core.domain.media_links import MediaGrant
from whaticket_core.domain.message import MediaFile, MediaType
from whaticket_core.domain.read_models import UserView
from whaticket_core.domain.user import Role
from whaticket_core.ports.queries import AuthUser
from whaticket_core.testing import FakeMediaLinkSigner, ManualClock
from whaticket_core.use_cases.messages.media_links import OpenMediaLink, OpenMediaLinkCommand
from whaticket_core.use_cases.messages.message_queries import GetMessageMediaCommand

TTL = timedelta(minutes=15)


class Users:
    def __init__(self) -> None:
        self.users: dict[int, AuthUser] = {}

    async def auth_user(self, user_id: int) -> AuthUser | None:
        return self.users.get(user_id)


class Media:
    """Stands in for GetMessageMedia: visibility is its rule; it records who asked."""

    def __init__(self, visible_to: set[int]) -> None:
        self.visible_to = visible_to
        self.asked: list[int] = []

    async def execute(self, command: GetMessageMediaCommand) -> MediaFile:
        self.asked.append(command.actor.user_id)
        if command.actor.user_id not in self.visible_to:
            raise MessageNotFound("not visible")
        return MediaFile(data=b"png", media_type=MediaType.IMAGE, mime_type="image/png")


AGENT = UserView(4, "Agent", "agent@example.com", Role.USER, (2,), None, datetime(2026, 11, 1, tzinfo=UTC))


Setup = tuple[ManualClock, "Users", FakeMediaLinkSigner]


@pytest.fixture
def setup() -> Setup:
    return ManualClock(), Users(), FakeMediaLinkSigner()


async def test_a_link_opens_for_its_message_until_it_expires(setup: Setup) -> None:
    clock, users, signer = setup
    agent = AGENT
    users.users[agent.id] = AuthUser(agent, 3)
    media = Media({agent.id})
    open_link = OpenMediaLink(signer, clock, users, media)  # type: ignore[arg-type]
    token = signer.sign(MediaGrant.issue(9, agent.id, 3, clock.now(), TTL))

    assert (await open_link.execute(OpenMediaLinkCommand(9, token))).data == b"png"
    assert media.asked == [agent.id]
    with pytest.raises(InvalidMediaLink):
        await open_link.execute(OpenMediaLinkCommand(10, token))
    clock.advance(TTL)
    with pytest.raises(MediaLinkExpired):
        await open_link.execute(OpenMediaLinkCommand(9, token))


async def test_revoked_sessions_and_lost_visibility_close_the_link(setup: Setup) -> None:
    clock, users, signer = setup
    agent = AGENT
    users.users[agent.id] = AuthUser(agent, 1)
    media = Media(set())
    open_link = OpenMediaLink(signer, clock, users, media)  # type: ignore[arg-type]
    token = signer.sign(MediaGrant.issue(9, agent.id, 1, clock.now(), TTL))
    with pytest.raises(MessageNotFound):  # the ticket is no longer visible to the user
        await open_link.execute(OpenMediaLinkCommand(9, token))
    users.users[agent.id] = AuthUser(agent, 2)  # logout-all since
    with pytest.raises(InvalidMediaLink):
        await open_link.execute(OpenMediaLinkCommand(9, token))
    del users.users[agent.id]  # deleted
    with pytest.raises(InvalidMediaLink):
        await open_link.execute(OpenMediaLinkCommand(9, token))
    with pytest.raises(InvalidMediaLink):
        await open_link.execute(OpenMediaLinkCommand(9, "9.1.1.99999999999.forged"))


def test_hmac_signer_round_trips_and_refuses_tampering() -> None:
    signer = HmacMediaLinkSigner("a-secret-of-enough-length-for-tests")
    grant = MediaGrant(9, 4, 2, 1_900_000_000)
    token = signer.sign(grant)
    assert signer.read(token) == grant
    for bad in (
        token.replace("9.4.", "8.4.", 1),  # another message
        token.replace(".2.1900000000.", ".3.1900000000."),  # another token version
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # altered MAC
        "not-a-token",
        "",
    ):
        with pytest.raises(InvalidMediaLink):
            signer.read(bad)
    assert HmacMediaLinkSigner("another-secret-entirely-for-tests").sign(grant) != token
