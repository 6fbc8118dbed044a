"""/api-tokens: admins issue, list and revoke the tokens integrations use (``Authorization: Bearer wt_...``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import delete, get, post
from litestar.params import JSONBody

from whaticket_core.domain.api_tokens import ApiScope, ApiToken
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.integrations.api_tokens import (
    CreateApiToken,
    CreateApiTokenCommand,
    ListApiTokens,
    ListApiTokensCommand,
    RevokeApiToken,
    RevokeApiTokenCommand,
)

from .common import AUTHED, Name, PathId, errors

Scopes = Annotated[list[ApiScope], msgspec.Meta(min_length=1, max_length=len(ApiScope))]


class ApiTokenIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    name: Name
    scopes: Scopes
    expires_at: datetime | None = None


class ApiTokenOut(msgspec.Struct, rename="camel"):
    """A token as lists show it: never the token itself, only its first characters (``prefix``)."""

    id: int
    name: str
    scopes: list[ApiScope]
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class ApiTokenCreatedOut(msgspec.Struct, rename="camel"):
    """``token`` is shown this once: store it now, it cannot be read again."""

    id: int
    name: str
    scopes: list[ApiScope]
    prefix: str
    token: str
    created_at: datetime
    expires_at: datetime | None


def _scopes(token: ApiToken) -> list[ApiScope]:
    return sorted(token.scopes)


def api_token_out(token: ApiToken) -> ApiTokenOut:
    return ApiTokenOut(
        token.id, token.name, _scopes(token), token.prefix, token.created_at, token.expires_at, token.last_used_at
    )


@post("/", status_code=201, responses=errors(*AUTHED, 403))
async def create_api_token(
    data: JSONBody[ApiTokenIn], viewer: FromDishka[Viewer], use_case: FromDishka[CreateApiToken]
) -> ApiTokenCreatedOut:
    """Issue a token with scopes (and an optional expiry). Admins only. The token is in this answer only."""
    command = CreateApiTokenCommand(viewer, data.name, tuple(s.value for s in data.scopes), data.expires_at)
    created = await use_case.execute(command)
    t = created.token
    return ApiTokenCreatedOut(t.id, t.name, _scopes(t), t.prefix, created.secret, t.created_at, t.expires_at)


@get("/", responses=errors(*AUTHED, 403))
async def list_api_tokens(viewer: FromDishka[Viewer], use_case: FromDishka[ListApiTokens]) -> list[ApiTokenOut]:
    """Every token, newest first, with its last use (updated at most once a minute). Admins only."""
    return [api_token_out(t) for t in await use_case.execute(ListApiTokensCommand(viewer))]


@delete("/{api_token_id:int}", status_code=204, responses=errors(*AUTHED, 403, 404))
async def revoke_api_token(
    api_token_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[RevokeApiToken]
) -> None:
    """Revoke a token: its next request is refused. Admins only."""
    await use_case.execute(RevokeApiTokenCommand(viewer, api_token_id))


router = DishkaRouter(
    "/api-tokens",
    tags=["api-tokens"],
    route_handlers=[create_api_token, list_api_tokens, revoke_api_token],
)
