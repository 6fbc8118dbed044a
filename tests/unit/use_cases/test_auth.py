"""Auth: registration rules, login, refresh rotation with reuse detection, logout, logout-all and authentication."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_world import World

from whaticket_core.domain.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
    InvalidToken,
    RefreshTokenReused,
    RegistrationDisabled,
)
from whaticket_core.domain.events import UserSessionsRevoked
from whaticket_core.domain.settings import USER_CREATION
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.security import PasswordHasher
from whaticket_core.testing import FakePasswordHasher, FakeTokenCodec, InMemoryAuthUserQueries
from whaticket_core.use_cases.auth.authenticate import Authenticate, AuthenticateCommand
from whaticket_core.use_cases.auth.login import Login, LoginCommand
from whaticket_core.use_cases.auth.logout import Logout, LogoutAll, LogoutAllCommand, LogoutCommand
from whaticket_core.use_cases.auth.refresh_tokens import RefreshTokens, RefreshTokensCommand
from whaticket_core.use_cases.auth.register import Register, RegisterCommand
from whaticket_core.use_cases.auth.token_steps import AuthResult

PASSWORD = "correct horse"


class CountingHasher(FakePasswordHasher):
    """The fake hasher, also counting verifications (to see the dummy verify on unknown emails)."""

    def __init__(self) -> None:
        self.verified: list[str] = []

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return super().verify(password_hash, password)


@pytest.fixture
def codec(world: World) -> FakeTokenCodec:
    return FakeTokenCodec(world.clock)


def register(world: World, codec: FakeTokenCodec, hasher: PasswordHasher | None = None) -> Register:
    return Register(world.uow(), world.clock, hasher or FakePasswordHasher(), codec)


def login(world: World, codec: FakeTokenCodec, hasher: PasswordHasher | None = None) -> Login:
    return Login(world.uow(), world.clock, hasher or FakePasswordHasher(), codec)


def refresh(world: World, codec: FakeTokenCodec) -> RefreshTokens:
    return RefreshTokens(world.uow(), world.clock, codec, world.publisher)


def authenticate(world: World, codec: FakeTokenCodec) -> Authenticate:
    return Authenticate(InMemoryAuthUserQueries(world.store), codec)


async def sign_up(world: World, codec: FakeTokenCodec, email: str = "ana@example.com") -> AuthResult:
    return await register(world, codec).execute(RegisterCommand("Ana", email, PASSWORD))


async def test_first_account_is_admin_and_its_tokens_authenticate(world: World, codec: FakeTokenCodec) -> None:
    result = await sign_up(world, codec, "  Ana@Example.COM ")
    assert result.user.role is Role.ADMIN
    assert result.user.email == "ana@example.com"
    stored = world.state.users[result.user.id]
    assert stored.password_hash != PASSWORD
    who = await authenticate(world, codec).execute(AuthenticateCommand(result.tokens.access_token))
    assert who.viewer == Viewer(result.user.id, Role.ADMIN, frozenset())


async def test_later_registration_needs_user_creation_enabled(world: World, codec: FakeTokenCodec) -> None:
    await sign_up(world, codec)
    with pytest.raises(RegistrationDisabled):
        await sign_up(world, codec, "bob@example.com")
    assert len(world.state.users) == 1

    await world.set_setting(USER_CREATION, "enabled")
    second = await sign_up(world, codec, "bob@example.com")
    assert second.user.role is Role.USER


async def test_registration_refuses_taken_emails_and_short_passwords(world: World, codec: FakeTokenCodec) -> None:
    await sign_up(world, codec)
    await world.set_setting(USER_CREATION, "enabled")
    with pytest.raises(EmailTaken):
        await sign_up(world, codec, "ANA@example.com")
    with pytest.raises(InvalidInput) as caught:
        await register(world, codec).execute(RegisterCommand("Bob", "bob@example.com", "short"))
    assert caught.value.details["fields"] == ["password"]
    assert len(world.state.users) == 1


async def test_login_answers_the_same_for_unknown_email_and_wrong_password(world: World, codec: FakeTokenCodec) -> None:
    await sign_up(world, codec)
    hasher = CountingHasher()
    use_case = login(world, codec, hasher)

    ok = await use_case.execute(LoginCommand("ANA@example.com", PASSWORD))
    assert ok.user.email == "ana@example.com"
    for email, password in (("ana@example.com", "wrong password"), ("nobody@example.com", PASSWORD), ("x", PASSWORD)):
        with pytest.raises(InvalidCredentials):
            await use_case.execute(LoginCommand(email, password))
    # every attempt verified a hash, even when there was no user to check against
    assert len(hasher.verified) == 4


async def test_refresh_rotates_and_the_old_token_stops_working(world: World, codec: FakeTokenCodec) -> None:
    first = (await sign_up(world, codec)).tokens
    world.clock.advance(timedelta(minutes=1))

    second = await refresh(world, codec).execute(RefreshTokensCommand(first.refresh_token))

    assert second.refresh_token != first.refresh_token
    old = codec.decode_refresh(first.refresh_token)
    new = codec.decode_refresh(second.refresh_token)
    assert new.family_id == old.family_id
    assert world.state.refresh_tokens[old.token_id].used_at == world.clock.now()
    third = await refresh(world, codec).execute(RefreshTokensCommand(second.refresh_token))
    assert codec.decode_refresh(third.refresh_token).family_id == old.family_id


async def test_reusing_a_used_refresh_token_ends_every_session_of_the_user(world: World, codec: FakeTokenCodec) -> None:
    signed_up = await sign_up(world, codec)
    first = signed_up.tokens
    other_login = await login(world, codec).execute(LoginCommand("ana@example.com", PASSWORD))
    second = await refresh(world, codec).execute(RefreshTokensCommand(first.refresh_token))
    version = world.state.users[signed_up.user.id].token_version
    world.clock.advance(timedelta(seconds=11))  # past the grace window: a replay, not a second tab

    with pytest.raises(RefreshTokenReused):
        await refresh(world, codec).execute(RefreshTokensCommand(first.refresh_token))

    assert all(t.revoked for t in world.state.refresh_tokens.values())
    # The version bump ends the thief's access token (and, through the event, sockets) at once.
    assert world.state.users[signed_up.user.id].token_version == version + 1
    assert world.publisher.events[-1] == UserSessionsRevoked(signed_up.user.id)
    for token in (second.refresh_token, other_login.tokens.refresh_token):
        with pytest.raises(InvalidToken):
            await refresh(world, codec).execute(RefreshTokensCommand(token))


async def test_two_tabs_refreshing_the_same_token_at_once_both_stay_logged_in(
    world: World, codec: FakeTokenCodec
) -> None:
    first = (await sign_up(world, codec)).tokens
    tab_one = await refresh(world, codec).execute(RefreshTokensCommand(first.refresh_token))
    world.clock.advance(timedelta(seconds=2))
    tab_two = await refresh(world, codec).execute(RefreshTokensCommand(first.refresh_token))

    assert tab_one.refresh_token != tab_two.refresh_token
    assert not any(t.revoked for t in world.state.refresh_tokens.values())
    await refresh(world, codec).execute(RefreshTokensCommand(tab_one.refresh_token))
    await refresh(world, codec).execute(RefreshTokensCommand(tab_two.refresh_token))


async def test_unknown_expired_and_malformed_refresh_tokens_are_invalid(world: World, codec: FakeTokenCodec) -> None:
    tokens = (await sign_up(world, codec)).tokens
    with pytest.raises(InvalidToken):
        await refresh(world, codec).execute(RefreshTokensCommand("garbage"))
    with pytest.raises(InvalidToken):  # an access token is not a refresh token
        await refresh(world, codec).execute(RefreshTokensCommand(tokens.access_token))
    world.state.refresh_tokens.clear()
    with pytest.raises(InvalidToken):
        await refresh(world, codec).execute(RefreshTokensCommand(tokens.refresh_token))


async def test_expired_record_is_invalid_even_if_the_token_decodes(world: World, codec: FakeTokenCodec) -> None:
    tokens = (await sign_up(world, codec)).tokens
    claims = codec.decode_refresh(tokens.refresh_token)
    world.state.refresh_tokens[claims.token_id].expires_at = world.clock.now()
    with pytest.raises(InvalidToken):
        await refresh(world, codec).execute(RefreshTokensCommand(tokens.refresh_token))


async def test_a_refresh_token_of_an_older_token_version_is_invalid(world: World, codec: FakeTokenCodec) -> None:
    result = await sign_up(world, codec)
    world.state.users[result.user.id].token_version += 1
    with pytest.raises(InvalidToken):
        await refresh(world, codec).execute(RefreshTokensCommand(result.tokens.refresh_token))


async def test_logout_revokes_that_family_only(world: World, codec: FakeTokenCodec) -> None:
    first = (await sign_up(world, codec)).tokens
    other = (await login(world, codec).execute(LoginCommand("ana@example.com", PASSWORD))).tokens

    await Logout(world.uow(), codec).execute(LogoutCommand(first.refresh_token))
    await Logout(world.uow(), codec).execute(LogoutCommand(first.refresh_token))  # twice is fine

    with pytest.raises(InvalidToken):
        await refresh(world, codec).execute(RefreshTokensCommand(first.refresh_token))
    await refresh(world, codec).execute(RefreshTokensCommand(other.refresh_token))


async def test_logout_with_someone_elses_refresh_token_is_refused(world: World, codec: FakeTokenCodec) -> None:
    tokens = (await sign_up(world, codec)).tokens
    stranger = await world.viewer()
    with pytest.raises(InvalidToken):
        await Logout(world.uow(), codec).execute(LogoutCommand(tokens.refresh_token, stranger))
    assert not any(t.revoked for t in world.state.refresh_tokens.values())


async def test_logout_all_bumps_the_version_and_kills_every_token(world: World, codec: FakeTokenCodec) -> None:
    result = await sign_up(world, codec)
    other = (await login(world, codec).execute(LoginCommand("ana@example.com", PASSWORD))).tokens
    actor = Viewer(result.user.id, Role.ADMIN, frozenset())
    before = world.state.users[result.user.id].token_version

    await LogoutAll(world.uow(), world.publisher).execute(LogoutAllCommand(actor))

    assert world.state.users[result.user.id].token_version == before + 1
    assert all(t.revoked for t in world.state.refresh_tokens.values())
    assert world.publisher.events == [UserSessionsRevoked(result.user.id)]
    for access in (result.tokens.access_token, other.access_token):
        with pytest.raises(InvalidToken):
            await authenticate(world, codec).execute(AuthenticateCommand(access))
    with pytest.raises(InvalidToken):
        await refresh(world, codec).execute(RefreshTokensCommand(other.refresh_token))
    fresh = await login(world, codec).execute(LoginCommand("ana@example.com", PASSWORD))
    assert (await authenticate(world, codec).execute(AuthenticateCommand(fresh.tokens.access_token))).user.id == (
        result.user.id
    )


async def test_authenticate_refuses_deleted_users_and_expired_tokens(world: World, codec: FakeTokenCodec) -> None:
    result = await sign_up(world, codec)
    world.clock.advance(timedelta(minutes=16))
    with pytest.raises(InvalidToken):
        await authenticate(world, codec).execute(AuthenticateCommand(result.tokens.access_token))
    fresh = await login(world, codec).execute(LoginCommand("ana@example.com", PASSWORD))
    del world.state.users[result.user.id]
    with pytest.raises(InvalidToken):
        await authenticate(world, codec).execute(AuthenticateCommand(fresh.tokens.access_token))
