from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.auth import AuthPolicy
from whaticket_core.domain.errors import InvalidCredentials, InvalidInput
from whaticket_core.domain.read_models import UserView
from whaticket_core.domain.user import normalize_email
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.security import PasswordHasher, TokenCodec
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.auth.token_steps import AuthResult, issue_tokens

# One dummy hash per hasher type, made on first need: verifying against it when the email is unknown keeps the
# answer time of "no such user" close to that of "wrong password".
_DUMMY_HASHES: dict[type, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    kind = type(hasher)
    if kind not in _DUMMY_HASHES:
        _DUMMY_HASHES[kind] = hasher.hash("not-a-password-of-anyone")
    return _DUMMY_HASHES[kind]


@dataclass(frozen=True, slots=True)
class LoginCommand:
    email: str
    password: str


class Login:
    """Email and password for a token pair (a new refresh family).

    Rules: an unknown email, a malformed one and a wrong password are all ``invalid_credentials``, and take about
    the same time (a dummy hash is verified when the email is unknown).
    """

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        hasher: PasswordHasher,
        codec: TokenCodec,
        policy: AuthPolicy | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher
        self._codec = codec
        self._policy = policy or AuthPolicy()

    async def execute(self, command: LoginCommand) -> AuthResult:
        try:
            email: str | None = normalize_email(command.email)
        except InvalidInput:
            email = None
        async with self._uow as uow:
            user = None if email is None else await uow.users.get_by_email(email)
        # Verified outside the transaction: the hash is slow on purpose.
        if user is None:
            self._hasher.verify(_dummy_hash(self._hasher), command.password)
            raise InvalidCredentials("Wrong email or password")
        if not self._hasher.verify(user.password_hash, command.password):
            raise InvalidCredentials("Wrong email or password")
        async with self._uow as uow:
            current = await uow.users.get(user.id)
            if current is None:  # deleted in between
                raise InvalidCredentials("Wrong email or password")
            tokens = await issue_tokens(uow, self._codec, self._policy, current, self._clock.now())
            await uow.commit()
        return AuthResult(UserView.of(current), tokens)
