"""Security adapters (APP scope) and, per request, who is calling (the bearer token's viewer)."""

from __future__ import annotations

from datetime import timedelta

from dishka import Provider, Scope, provide
from litestar import Request
from litestar.exceptions import TooManyRequestsException

from whaticket_adapters.security import Argon2PasswordHasher, HmacMediaLinkSigner, JwtTokenCodec
from whaticket_core.domain.api_tokens import is_api_token
from whaticket_core.domain.auth import AuthPolicy
from whaticket_core.domain.errors import InsufficientScope, Unauthorized
from whaticket_core.domain.media_links import MediaGrant
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports import Clock, MediaLinkSigner, PasswordHasher, TokenCodec
from whaticket_core.use_cases.auth.authenticate import Authenticate, AuthenticateCommand, Authenticated
from whaticket_core.use_cases.integrations.api_tokens import AuthenticateApiToken, AuthenticateApiTokenCommand

from ..observability.logs import note_api_token, note_user
from ..protection import RateLimiter
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


TOKEN_SCOPE = "token_scope"
"""The key of a route handler's ``opt`` naming the scope an API token needs there (``@get(..., token_scope=...)``).
A route without one is closed to API tokens."""


def required_scope(request: Request) -> str | None:  # type: ignore[type-arg]
    scope = request.route_handler.opt.get(TOKEN_SCOPE)
    return str(scope) if scope else None


async def authenticate_caller(
    request: Request,  # type: ignore[type-arg]
    authenticate: Authenticate,
    authenticate_api_token: AuthenticateApiToken,
    limiter: RateLimiter,
    settings: Settings,
) -> Authenticated:
    """The caller of a bearer-protected route: a person's access token, or an API token (``wt_...``), which must
    carry the scope the route names (403 ``insufficient_scope``, also on routes closed to tokens) and stay within its
    own rate limit (429)."""
    token = bearer_token(request)
    if not is_api_token(token):
        authenticated = await authenticate.execute(AuthenticateCommand(token))
        note_user(authenticated.viewer.user_id)  # the request's log line names its caller
        return authenticated
    authenticated = await authenticate_api_token.execute(AuthenticateApiTokenCommand(token))
    token_id = authenticated.viewer.api_token_id or 0
    note_user(authenticated.viewer.user_id)  # the issuing admin, beside the token itself
    note_api_token(token_id)
    scope = required_scope(request)
    if scope is None or not authenticated.viewer.has_scope(scope):
        needed = f"the {scope} scope" if scope else "a person's session"
        raise InsufficientScope(f"This API token may not do this: it needs {needed}", scope=scope)
    retry_after = await limiter.hit(f"api-token:{token_id}", settings.api_token_rate_limit_per_minute, 60)
    if retry_after is not None:
        raise TooManyRequestsException(headers={"Retry-After": str(retry_after)})
    return authenticated


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
    async def authenticated(
        self,
        request: Request,  # type: ignore[type-arg]
        authenticate: Authenticate,
        authenticate_api_token: AuthenticateApiToken,
        limiter: RateLimiter,
        settings: Settings,
    ) -> Authenticated:
        """A missing or bad token is a 401 before the handler runs."""
        return await authenticate_caller(request, authenticate, authenticate_api_token, limiter, settings)

    @provide
    def viewer(self, authenticated: Authenticated) -> Viewer:
        return authenticated.viewer

    @provide
    def media_links(
        self, authenticated: Authenticated, signer: MediaLinkSigner, clock: Clock, settings: Settings
    ) -> MediaLinks:
        return MediaLinks(authenticated, signer, clock, settings.media_link_ttl)
