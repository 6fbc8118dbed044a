"""API tokens: issuing (admins only, scopes, expiry), listing without secrets, revocation, and the bearer check."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from fake_world import World

from whaticket_core.domain.api_tokens import PREFIX_LENGTH, ApiScope, digest
from whaticket_core.domain.errors import ActionForbidden, ApiTokenNotFound, InvalidInput, InvalidToken
from whaticket_core.domain.user import Role
from whaticket_core.testing import InMemoryApiTokenStore, InMemoryAuthUserQueries
from whaticket_core.use_cases.integrations.api_tokens import (
    AuthenticateApiToken,
    AuthenticateApiTokenCommand,
    CreateApiToken,
    CreateApiTokenCommand,
    CreatedApiToken,
    ListApiTokens,
    ListApiTokensCommand,
    RevokeApiToken,
    RevokeApiTokenCommand,
)


@pytest.fixture
def store() -> InMemoryApiTokenStore:
    return InMemoryApiTokenStore()


def authenticate(world: World, store: InMemoryApiTokenStore) -> AuthenticateApiToken:
    return AuthenticateApiToken(store, InMemoryAuthUserQueries(world.store), world.clock)


async def issue(world: World, store: InMemoryApiTokenStore, *scopes: str, **kw: object) -> CreatedApiToken:
    admin = await world.viewer(role=Role.ADMIN)
    command = CreateApiTokenCommand(admin, "CRM", scopes or ("tickets:read",), **kw)  # type: ignore[arg-type]
    return await CreateApiToken(store, world.clock).execute(command)


async def test_the_secret_is_high_entropy_shown_once_and_stored_as_a_digest(
    world: World, store: InMemoryApiTokenStore
) -> None:
    created = await issue(world, store, "tickets:read", "messages:write")
    assert created.secret.startswith("wt_")
    assert len(created.secret) >= 3 + 43
    stored = store.tokens[created.token.id]
    assert stored.token_hash == digest(created.secret) != created.secret
    assert created.secret not in repr(stored)
    assert stored.prefix == created.secret[:PREFIX_LENGTH]
    assert stored.scopes == {ApiScope.TICKETS_READ, ApiScope.MESSAGES_WRITE}
    other = await issue(world, store)
    assert other.secret != created.secret


async def test_only_admins_issue_list_and_revoke(world: World, store: InMemoryApiTokenStore) -> None:
    created = await issue(world, store)
    for role in (Role.SUPERVISOR, Role.USER):
        actor = await world.viewer(role=role)
        with pytest.raises(ActionForbidden):
            await CreateApiToken(store, world.clock).execute(CreateApiTokenCommand(actor, "x", ("tickets:read",)))
        with pytest.raises(ActionForbidden):
            await ListApiTokens(store).execute(ListApiTokensCommand(actor))
        with pytest.raises(ActionForbidden):
            await RevokeApiToken(store).execute(RevokeApiTokenCommand(actor, created.token.id))
    assert created.token.id in store.tokens


async def test_a_token_cannot_issue_tokens(world: World, store: InMemoryApiTokenStore) -> None:
    created = await issue(world, store, "webhooks:manage")
    as_token = await authenticate(world, store).execute(AuthenticateApiTokenCommand(created.secret))
    with pytest.raises(ActionForbidden):
        await CreateApiToken(store, world.clock).execute(
            CreateApiTokenCommand(as_token.viewer, "child", ("tickets:read",))
        )


@pytest.mark.parametrize(
    ("scopes", "name", "field"),
    [((), "CRM", "scopes"), (("tickets:delete",), "CRM", "scopes"), (("tickets:read",), "  ", "name")],
)
async def test_invalid_scopes_and_names(
    world: World, store: InMemoryApiTokenStore, scopes: tuple[str, ...], name: str, field: str
) -> None:
    admin = await world.viewer(role=Role.ADMIN)
    with pytest.raises(InvalidInput) as raised:
        await CreateApiToken(store, world.clock).execute(CreateApiTokenCommand(admin, name, scopes))
    assert raised.value.details["fields"] == [field]
    assert store.tokens == {}


async def test_an_expiry_in_the_past_is_refused(world: World, store: InMemoryApiTokenStore) -> None:
    with pytest.raises(InvalidInput):
        await issue(world, store, expires_at=world.clock.now() - timedelta(seconds=1))


async def test_the_token_acts_as_a_scoped_system_actor_of_its_issuer(
    world: World, store: InMemoryApiTokenStore
) -> None:
    created = await issue(world, store, "tickets:read")
    caller = await authenticate(world, store).execute(AuthenticateApiTokenCommand(created.secret))
    viewer = caller.viewer
    assert viewer.user_id == created.token.owner_id
    assert viewer.role is Role.SUPERVISOR
    assert viewer.is_staff
    assert viewer.api_token_id == created.token.id
    assert viewer.has_scope("tickets:read")
    assert not viewer.has_scope("tickets:write")


async def test_unknown_expired_and_revoked_tokens_are_refused(world: World, store: InMemoryApiTokenStore) -> None:
    check = authenticate(world, store)
    with pytest.raises(InvalidToken):
        await check.execute(AuthenticateApiTokenCommand("wt_" + "A" * 43))
    expiring = await issue(world, store, expires_at=world.clock.now() + timedelta(hours=1))
    await check.execute(AuthenticateApiTokenCommand(expiring.secret))
    world.clock.advance(timedelta(hours=1))
    with pytest.raises(InvalidToken):
        await check.execute(AuthenticateApiTokenCommand(expiring.secret))
    revoked = await issue(world, store)
    await check.execute(AuthenticateApiTokenCommand(revoked.secret))
    admin = await world.viewer(role=Role.ADMIN)
    await RevokeApiToken(store).execute(RevokeApiTokenCommand(admin, revoked.token.id))
    with pytest.raises(InvalidToken):
        await check.execute(AuthenticateApiTokenCommand(revoked.secret))
    with pytest.raises(ApiTokenNotFound):
        await RevokeApiToken(store).execute(RevokeApiTokenCommand(admin, revoked.token.id))


async def test_a_token_whose_issuer_is_gone_is_refused(world: World, store: InMemoryApiTokenStore) -> None:
    created = await issue(world, store)
    async with world.uow() as uow:
        await uow.users.delete(created.token.owner_id)
        await uow.commit()
    with pytest.raises(InvalidToken):
        await authenticate(world, store).execute(AuthenticateApiTokenCommand(created.secret))


async def test_a_token_whose_issuer_is_no_longer_an_admin_is_refused(
    world: World, store: InMemoryApiTokenStore
) -> None:
    created = await issue(world, store)
    check = authenticate(world, store)
    await check.execute(AuthenticateApiTokenCommand(created.secret))
    async with world.uow() as uow:
        issuer = await uow.users.get(created.token.owner_id)
        assert issuer is not None
        await uow.users.save(replace(issuer, role=Role.SUPERVISOR))
        await uow.commit()
    with pytest.raises(InvalidToken):
        await check.execute(AuthenticateApiTokenCommand(created.secret))


async def test_last_use_is_recorded_at_most_once_a_minute(world: World, store: InMemoryApiTokenStore) -> None:
    created = await issue(world, store)
    check = authenticate(world, store)
    first = world.clock.now()
    await check.execute(AuthenticateApiTokenCommand(created.secret))
    assert store.tokens[created.token.id].last_used_at == first
    world.clock.advance(timedelta(seconds=59))
    await check.execute(AuthenticateApiTokenCommand(created.secret))
    assert store.tokens[created.token.id].last_used_at == first
    world.clock.advance(timedelta(seconds=1))
    await check.execute(AuthenticateApiTokenCommand(created.secret))
    assert store.tokens[created.token.id].last_used_at == world.clock.now()


async def test_list_shows_every_token_newest_first(world: World, store: InMemoryApiTokenStore) -> None:
    first = await issue(world, store)
    second = await issue(world, store)
    admin = await world.viewer(role=Role.ADMIN)
    listed = await ListApiTokens(store).execute(ListApiTokensCommand(admin))
    assert [t.id for t in listed] == [second.token.id, first.token.id]
