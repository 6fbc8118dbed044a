from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.auth import AuthPolicy
from whaticket_core.domain.contact import validate_name
from whaticket_core.domain.errors import EmailTaken, RegistrationDisabled
from whaticket_core.domain.read_models import UserView
from whaticket_core.domain.settings import USER_CREATION
from whaticket_core.domain.user import Role, User, normalize_email, validate_password
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.security import PasswordHasher, TokenCodec
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict, UnitOfWork
from whaticket_core.use_cases.auth.token_steps import AuthResult, issue_tokens
from whaticket_core.use_cases.shared.conflicts import explain_conflict
from whaticket_core.use_cases.shared.settings_reader import read_setting


@dataclass(frozen=True, slots=True)
class RegisterCommand:
    name: str
    email: str
    password: str


class Register:
    """Self-service sign-up.

    Rules: name 1..200, a valid email (stored lower-case), password of 8 characters or more (``validation_error``).
    The first account ever becomes ``admin``; later ones are ``user`` and only while setting ``userCreation`` is
    ``enabled`` (``registration_disabled`` otherwise). A taken email is ``email_taken``. Answers the user and a fresh
    token pair (a new refresh family).
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

    async def execute(self, command: RegisterCommand) -> AuthResult:
        name = validate_name(command.name)
        email = normalize_email(command.email)
        # Hash before the transaction: argon2 is deliberately slow and must not hold a connection.
        password_hash = self._hasher.hash(validate_password(command.password))
        try:
            async with self._uow as uow:
                # A lock, not just a count: concurrent first registrations would all count zero and all be admin.
                await uow.users.lock_roles()
                first = await uow.users.count() == 0
                if not first and await read_setting(uow, USER_CREATION) != "enabled":
                    raise RegistrationDisabled("Registration is disabled")
                if await uow.users.get_by_email(email) is not None:
                    raise EmailTaken(f"{email} is already registered", fields=["email"])
                now = self._clock.now()
                user = User(name, email, password_hash, Role.ADMIN if first else Role.USER, now)
                await uow.users.add(user)
                tokens = await issue_tokens(uow, self._codec, self._policy, user, now)
                await uow.commit()
        except StoreConflict as exc:
            taken = EmailTaken(f"{email} is already registered", fields=["email"])
            raise await explain_conflict(exc, {Constraint.USER_EMAIL: lambda: taken}) from None
        return AuthResult(UserView.of(user), tokens)
