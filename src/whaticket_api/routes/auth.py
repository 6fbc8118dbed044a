"""/auth: register, login, refresh (public, rate limited), logout, logout-all and me."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import Request, get, post
from litestar.params import JSONBody

from whaticket_core.domain.read_models import UserView
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.auth.authenticate import Authenticated
from whaticket_core.use_cases.auth.login import Login, LoginCommand
from whaticket_core.use_cases.auth.logout import Logout, LogoutAll, LogoutAllCommand, LogoutCommand
from whaticket_core.use_cases.auth.refresh_tokens import RefreshTokens, RefreshTokensCommand
from whaticket_core.use_cases.auth.register import Register, RegisterCommand

from ..protection import auth_rate_limit, login_account_limit
from .common import AUTHED, Email, Name, NewPassword, errors

Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
# Login takes any string: a malformed email is a wrong email (401), not a validation error.
LoginEmail = Annotated[str, msgspec.Meta(min_length=1, max_length=254)]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class UserOut(msgspec.Struct, rename="camel"):
    id: int
    name: str
    email: str
    role: Role
    queue_ids: list[int]
    whatsapp_id: int | None
    created_at: datetime
    # Auto-assignment gives this user no ticket while they hold this many open ones (0: no limit).
    max_open_tickets: int = 0


def user_out(u: UserView) -> UserOut:
    return UserOut(u.id, u.name, u.email, u.role, list(u.queue_ids), u.whatsapp_id, u.created_at, u.max_open_tickets)


class RegisterIn(msgspec.Struct, rename="camel"):
    name: Name
    email: Email
    password: NewPassword


class LoginIn(msgspec.Struct, rename="camel"):
    email: LoginEmail
    password: Password


class RefreshIn(msgspec.Struct, rename="camel"):
    refresh_token: Token


class AuthOut(msgspec.Struct, rename="camel"):
    user: UserOut
    access_token: str
    refresh_token: str


class TokensOut(msgspec.Struct, rename="camel"):
    access_token: str
    refresh_token: str


@post("/register", status_code=201, guards=[auth_rate_limit], responses=errors(400, 403, 409, 429))
async def register(data: JSONBody[RegisterIn], use_case: FromDishka[Register]) -> AuthOut:
    """Create an account. The first one ever becomes admin; later ones only while `userCreation` is enabled."""
    result = await use_case.execute(RegisterCommand(data.name, data.email, data.password))
    return AuthOut(user_out(result.user), result.tokens.access_token, result.tokens.refresh_token)


@post("/login", status_code=200, guards=[auth_rate_limit], responses=errors(400, 401, 429))
async def login(request: Request[Any, Any, Any], data: JSONBody[LoginIn], use_case: FromDishka[Login]) -> AuthOut:
    """Email and password for an access token (15 minutes) and a refresh token (7 days). Attempts are limited per
    client address and, whatever address they come from, per account."""
    await login_account_limit(request, data.email)
    result = await use_case.execute(LoginCommand(data.email, data.password))
    return AuthOut(user_out(result.user), result.tokens.access_token, result.tokens.refresh_token)


@post("/refresh", status_code=200, guards=[auth_rate_limit], responses=errors(400, 401, 429))
async def refresh(data: JSONBody[RefreshIn], use_case: FromDishka[RefreshTokens]) -> TokensOut:
    """Rotate a refresh token. Presenting an already-used one revokes its whole family (`refresh_token_reused`)."""
    tokens = await use_case.execute(RefreshTokensCommand(data.refresh_token))
    return TokensOut(tokens.access_token, tokens.refresh_token)


@post("/logout", status_code=204, responses=errors(*AUTHED))
async def logout(data: JSONBody[RefreshIn], viewer: FromDishka[Viewer], use_case: FromDishka[Logout]) -> None:
    """End this login: the refresh token's family is revoked."""
    await use_case.execute(LogoutCommand(data.refresh_token, viewer))


@post("/logout-all", status_code=204, responses=errors(*AUTHED))
async def logout_all(viewer: FromDishka[Viewer], use_case: FromDishka[LogoutAll]) -> None:
    """End every session of the caller: all their tokens stop working and their sockets are dropped."""
    await use_case.execute(LogoutAllCommand(viewer))


@get("/me", responses=errors(*AUTHED))
async def me(auth: FromDishka[Authenticated]) -> UserOut:
    """The caller."""
    return user_out(auth.user)


# Public (no bearer) and private halves, so the OpenAPI security requirement is right on each.
public_router = DishkaRouter("/auth", route_handlers=[register, login, refresh], tags=["auth"])
router = DishkaRouter("/auth", route_handlers=[logout, logout_all, me], tags=["auth"])
