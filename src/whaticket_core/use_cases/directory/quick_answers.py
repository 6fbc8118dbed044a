"""Quick answers: canned replies every agent may read and manage. Shortcuts are unique, case-insensitively."""

from __future__ import annotations

from dataclasses import dataclass, field

from whaticket_core.domain.contact import validate_name
from whaticket_core.domain.errors import InvalidInput, QuickAnswerNotFound, QuickAnswerShortcutTaken
from whaticket_core.domain.message import validate_body
from whaticket_core.domain.pagination import OffsetPage, OffsetQuery
from whaticket_core.domain.quick_answer import QuickAnswer
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict, UnitOfWork
from whaticket_core.use_cases.shared.conflicts import explain_conflict


def _shortcut(shortcut: str) -> str:
    cleaned = validate_name(shortcut, "shortcut")
    if any(ch.isspace() for ch in cleaned):
        raise InvalidInput("shortcut must be one word", "shortcut")
    return cleaned


def _message(message: str) -> str:
    if not message.strip():
        raise InvalidInput("message must not be empty", "message")
    return validate_body(message)


def _taken(shortcut: str, other_id: int | None = None) -> QuickAnswerShortcutTaken:
    details: dict[str, object] = {"fields": ["shortcut"]}
    if other_id is not None:
        details["quick_answer_id"] = other_id
    return QuickAnswerShortcutTaken(f"Shortcut {shortcut!r} is taken", **details)


async def _load(uow: UnitOfWork, quick_answer_id: int) -> QuickAnswer:
    found = await uow.quick_answers.get(quick_answer_id)
    if found is None:
        raise QuickAnswerNotFound(f"Quick answer {quick_answer_id} not found", quick_answer_id=quick_answer_id)
    return found


@dataclass(frozen=True, slots=True)
class CreateQuickAnswerCommand:
    actor: Viewer
    shortcut: str
    message: str


class CreateQuickAnswer:
    """Rules: shortcut is one word of 1..200 characters, unique (``quick_answer_shortcut_taken``); message not blank
    and at most 65,536 characters."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: CreateQuickAnswerCommand) -> QuickAnswer:
        answer = QuickAnswer(_shortcut(command.shortcut), _message(command.message))
        try:
            async with self._uow as uow:
                other = await uow.quick_answers.get_by_shortcut(answer.shortcut)
                if other is not None:
                    raise _taken(answer.shortcut, other.id)
                await uow.quick_answers.add(answer)
                await uow.commit()
        except StoreConflict as exc:
            raise await explain_conflict(
                exc, {Constraint.QUICK_ANSWER_SHORTCUT: lambda: _taken(answer.shortcut)}
            ) from None
        return answer


@dataclass(frozen=True, slots=True)
class UpdateQuickAnswerCommand:
    """None means absent."""

    actor: Viewer
    quick_answer_id: int
    shortcut: str | None = None
    message: str | None = None


class UpdateQuickAnswer:
    """A partial update with the create rules."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: UpdateQuickAnswerCommand) -> QuickAnswer:
        shortcut = None if command.shortcut is None else _shortcut(command.shortcut)
        message = None if command.message is None else _message(command.message)
        try:
            async with self._uow as uow:
                answer = await _load(uow, command.quick_answer_id)
                if shortcut is not None:
                    other = await uow.quick_answers.get_by_shortcut(shortcut)
                    if other is not None and other.id != answer.id:
                        raise _taken(shortcut, other.id)
                    answer.shortcut = shortcut
                if message is not None:
                    answer.message = message
                await uow.quick_answers.save(answer)
                await uow.commit()
        except StoreConflict as exc:
            errors = {} if shortcut is None else {Constraint.QUICK_ANSWER_SHORTCUT: lambda: _taken(shortcut)}
            raise await explain_conflict(exc, errors) from None
        return answer


@dataclass(frozen=True, slots=True)
class DeleteQuickAnswerCommand:
    actor: Viewer
    quick_answer_id: int


class DeleteQuickAnswer:
    """``quick_answer_not_found`` for an unknown id."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: DeleteQuickAnswerCommand) -> None:
        async with self._uow as uow:
            await _load(uow, command.quick_answer_id)
            await uow.quick_answers.delete(command.quick_answer_id)
            await uow.commit()


@dataclass(frozen=True, slots=True)
class GetQuickAnswerCommand:
    actor: Viewer
    quick_answer_id: int


class GetQuickAnswer:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetQuickAnswerCommand) -> QuickAnswer:
        async with self._uow as uow:
            return await _load(uow, command.quick_answer_id)


@dataclass(frozen=True, slots=True)
class ListQuickAnswersCommand:
    actor: Viewer
    query: OffsetQuery = field(default_factory=OffsetQuery)


class ListQuickAnswers:
    """An offset page, by id; ``search`` matches shortcut or message."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListQuickAnswersCommand) -> OffsetPage[QuickAnswer]:
        async with self._uow as uow:
            return await uow.quick_answers.list_page(command.query)
