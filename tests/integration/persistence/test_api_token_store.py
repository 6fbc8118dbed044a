"""ApiTokenStore: the same tests on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from persistence_builders import T0, user

from whaticket_core.domain.api_tokens import ApiScope, ApiToken, digest
from whaticket_core.domain.user import Role


async def _owner(backend) -> int:
    async with backend.new_uow() as uow:
        admin = await uow.users.add(user("admin@example.com", Role.ADMIN))
        await uow.commit()
    return admin.id


def _token(owner_id: int, secret: str, **kw) -> ApiToken:
    return ApiToken(
        name="CRM",
        owner_id=owner_id,
        scopes=frozenset({ApiScope.TICKETS_READ, ApiScope.MESSAGES_WRITE}),
        prefix=secret[:11],
        token_hash=digest(secret),
        created_at=T0,
        **kw,
    )


async def test_add_find_list_and_delete(backend) -> None:
    owner = await _owner(backend)
    first = await backend.api_tokens.add(_token(owner, "wt_first-secret", expires_at=T0 + timedelta(days=1)))
    second = await backend.api_tokens.add(_token(owner, "wt_second-secret"))
    assert first.id
    assert second.id
    assert first.id != second.id
    found = await backend.api_tokens.find_by_hash(digest("wt_first-secret"))
    assert found == first
    assert found.scopes == {ApiScope.TICKETS_READ, ApiScope.MESSAGES_WRITE}
    assert await backend.api_tokens.find_by_hash(digest("wt_unknown")) is None
    assert [t.id for t in await backend.api_tokens.list()] == [second.id, first.id]
    assert await backend.api_tokens.delete(first.id) is True
    assert await backend.api_tokens.delete(first.id) is False
    assert await backend.api_tokens.find_by_hash(digest("wt_first-secret")) is None


async def test_mark_used(backend) -> None:
    owner = await _owner(backend)
    token = await backend.api_tokens.add(_token(owner, "wt_used"))
    await backend.api_tokens.mark_used(token.id, T0 + timedelta(minutes=5))
    found = await backend.api_tokens.find_by_hash(digest("wt_used"))
    assert found is not None
    assert found.last_used_at == T0 + timedelta(minutes=5)
    await backend.api_tokens.delete(token.id)
    await backend.api_tokens.mark_used(token.id, T0)  # gone meanwhile: no error


async def test_the_token_itself_is_never_stored(backend) -> None:
    owner = await _owner(backend)
    secret = "wt_" + "s3cr3t" * 8
    await backend.api_tokens.add(_token(owner, secret))
    (stored,) = await backend.api_tokens.list()
    assert secret not in repr(stored)
    assert secret[:11] == stored.prefix
