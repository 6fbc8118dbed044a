"""explain_conflict: the one place a broken uniqueness rule becomes the domain error it means."""

from __future__ import annotations

from whaticket_core.domain.errors import EmailTaken
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict
from whaticket_core.use_cases.shared.conflicts import explain_conflict


async def test_an_expected_rule_becomes_its_domain_error() -> None:
    conflict = StoreConflict(Constraint.USER_EMAIL, "ana@example.com")
    error = await explain_conflict(conflict, {Constraint.USER_EMAIL: lambda: EmailTaken("taken", fields=["email"])})
    assert isinstance(error, EmailTaken)


async def test_an_async_factory_is_awaited() -> None:
    async def winner() -> Exception:
        return EmailTaken("taken by user 7", user_id=7)

    error = await explain_conflict(StoreConflict(Constraint.USER_EMAIL), {Constraint.USER_EMAIL: winner})
    assert isinstance(error, EmailTaken)
    assert error.details == {"user_id": 7}


async def test_an_unexpected_rule_stays_the_conflict() -> None:
    conflict = StoreConflict(Constraint.QUEUE_COLOR, "#FF0000")
    assert await explain_conflict(conflict, {Constraint.USER_EMAIL: lambda: EmailTaken("taken")}) is conflict
    assert str(conflict) == "queue_color: #FF0000"
