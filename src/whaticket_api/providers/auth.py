"""Security adapters (APP scope) and, per request, who is calling (the bearer token's viewer)."""

from __future__ import annotations

from dishka import Provider, Scope, provide
from litestar import Request

from whaticket_adapters.security import Argon2PasswordHasher, JwtTokenCodec
from whaticket_core.domain.auth import AuthPolicy
from whaticket_core.domain.errors import Unauthorized
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports import Clock, PasswordHasher, TokenCodec
from whaticket_core.use_cases.auth.authenticate import Authenticate, AuthenticateCommand, Authenticated

from ..observability.logs import note_user
from ..settings import Settings


class MissingToken(Unauthorized):
    code = "unauthorized"


class AuthProvider(Provider):
    scope = Scope.APP

    @provide
    def hasher(self) -> PasswordHasher:
        return Argon2PasswordHasher()

    @provide
    def codec(self, settings: Settings, clock: Clock) -> TokenCodec:
        return JwtTokenCodec(settings.jwt_secret, settings.jwt_refresh_secret, clock)

    @provide
    def policy(self, settings: Settings) -> AuthPolicy:
        return AuthPolicy(
            access_ttl=settings.access_ttl,
            refresh_ttl=settings.refresh_ttl,
            reuse_grace=settings.refresh_reuse_grace,
        )

    @provide(provides=AuthPolicy | None)
    def optional_policy(self, policy: AuthPolicy) -> AuthPolicy | None:
        return policy


class CallerProvider(Provider):
    """The caller of a bearer-protected HTTP route (needs the Litestar request: the API's container only)."""

    scope = Scope.REQUEST

    @provide
    async def authenticated(self, request: Request, authenticate: Authenticate) -> Authenticated:  # type: ignore[type-arg]
        """A missing or bad token is a 401 before the handler runs."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise MissingToken("A bearer access token is required")
        authenticated = await authenticate.execute(AuthenticateCommand(token))
        note_user(authenticated.viewer.user_id)  # the request's log line names its caller
        return authenticated

    @provide
    def viewer(self, authenticated: Authenticated) -> Viewer:
        return authenticated.viewer
