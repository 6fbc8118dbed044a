"""Security adapters (APP scope) and, per request, who is calling (the bearer token's viewer)."""

from __future__ import annotations

from datetime import timedelta

from dishka import Provider, Scope, provide
from litestar import Request

from whaticket_adapters.security import Argon2PasswordHasher, HmacMediaLinkSigner, JwtTokenCodec
from whaticket_core.domain.auth import AuthPolicy
from whaticket_core.domain.errors import Unauthorized
from whaticket_core.domain.media_links import MediaGrant
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports import Clock, MediaLinkSigner, PasswordHasher, TokenCodec
from whaticket_core.use_cases.auth.authenticate import Authenticate, AuthenticateCommand, Authenticated

from ..observability.logs import note_user
from ..settings import Settings
from ..wire import MEDIA_LINK_PARAM, media_url


class MissingToken(Unauthorized):
    code = "unauthorized"


def bearer_token(request: Request) -> str:  # type: ignore[type-arg]
    """The request's ``Authorization: Bearer`` token; MissingToken (401) without one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise MissingToken("A bearer access token is required")
    return token


class MediaLinks:
    """Signed ``mediaUrl``s for the caller of this request: bound to the message, the caller and their token version,
    valid for ``ttl``."""

    def __init__(self, caller: Authenticated, signer: MediaLinkSigner, clock: Clock, ttl: timedelta) -> None:
        self._caller = caller
        self._signer = signer
        self._now = clock.now()
        self._ttl = ttl

    def url(self, message_id: int) -> str:
        grant = MediaGrant.issue(message_id, self._caller.user.id, self._caller.token_version, self._now, self._ttl)
        return f"{media_url(message_id)}?{MEDIA_LINK_PARAM}={self._signer.sign(grant)}"


class AuthProvider(Provider):
    scope = Scope.APP

    @provide
    def media_link_signer(self, settings: Settings) -> MediaLinkSigner:
        return HmacMediaLinkSigner(settings.jwt_secret)

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
        authenticated = await authenticate.execute(AuthenticateCommand(bearer_token(request)))
        note_user(authenticated.viewer.user_id)  # the request's log line names its caller
        return authenticated

    @provide
    def viewer(self, authenticated: Authenticated) -> Viewer:
        return authenticated.viewer

    @provide
    def media_links(
        self, authenticated: Authenticated, signer: MediaLinkSigner, clock: Clock, settings: Settings
    ) -> MediaLinks:
        return MediaLinks(authenticated, signer, clock, settings.media_link_ttl)
