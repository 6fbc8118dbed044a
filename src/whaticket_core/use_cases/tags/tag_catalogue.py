"""The tag catalogue: everyone signed in reads it (agents filter by tags), admins write it. Names are unique
case-insensitively; colours are ``#RRGGBB`` (stored upper-case) and may repeat."""

from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.contact import validate_name
from whaticket_core.domain.errors import TagNameTaken, TagNotFound
from whaticket_core.domain.queue import normalize_color
from whaticket_core.domain.tag import Tag
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict, UnitOfWork
from whaticket_core.use_cases.shared.conflicts import explain_conflict
from whaticket_core.use_cases.shared.guards import require_admin


async def load_tag(uow: UnitOfWork, tag_id: int) -> Tag:
    tag = await uow.tags.get(tag_id)
    if tag is None:
        raise TagNotFound(f"Tag {tag_id} not found", tag_id=tag_id)
    return tag


def _taken(name: str, other_id: int | None = None) -> TagNameTaken:
    details = {"tag_id": other_id} if other_id is not None else {}
    return TagNameTaken(f"Tag name {name!r} is taken", fields=["name"], **details)


async def _check_unique(uow: UnitOfWork, tag: Tag) -> None:
    other = await uow.tags.get_by_name(tag.name)
    if other is not None and other.id != tag.id:
        raise _taken(tag.name, other.id)


async def _conflict(exc: StoreConflict, tag: Tag) -> Exception:
    return await explain_conflict(exc, {Constraint.TAG_NAME: lambda: _taken(tag.name)})


@dataclass(frozen=True, slots=True)
class CreateTagCommand:
    actor: Viewer
    name: str
    color: str


class CreateTag:
    """Admin only. Rules: name 1..200 characters (trimmed), unique case-insensitively (``tag_name_taken``);
    colour ``#RRGGBB``."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: CreateTagCommand) -> Tag:
        require_admin(command.actor, "create tags")
        tag = Tag(validate_name(command.name), normalize_color(command.color))
        try:
            async with self._uow as uow:
                await _check_unique(uow, tag)
                await uow.tags.add(tag)
                await uow.commit()
        except StoreConflict as exc:
            raise await _conflict(exc, tag) from None
        return tag


@dataclass(frozen=True, slots=True)
class UpdateTagCommand:
    """None means absent."""

    actor: Viewer
    tag_id: int
    name: str | None = None
    color: str | None = None


class UpdateTag:
    """Admin only; a partial update with the create rules. Tickets and contacts carrying the tag show the new name
    and colour on their next read."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: UpdateTagCommand) -> Tag:
        require_admin(command.actor, "change tags")
        name = None if command.name is None else validate_name(command.name)
        color = None if command.color is None else normalize_color(command.color)
        tag = Tag("", "")
        try:
            async with self._uow as uow:
                tag = await load_tag(uow, command.tag_id)
                tag.name = name if name is not None else tag.name
                tag.color = color if color is not None else tag.color
                await _check_unique(uow, tag)
                await uow.tags.save(tag)
                await uow.commit()
        except StoreConflict as exc:
            raise await _conflict(exc, tag) from None
        return tag


@dataclass(frozen=True, slots=True)
class DeleteTagCommand:
    actor: Viewer
    tag_id: int


class DeleteTag:
    """Admin only. The tag comes off every ticket and contact."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: DeleteTagCommand) -> None:
        require_admin(command.actor, "delete tags")
        async with self._uow as uow:
            tag = await load_tag(uow, command.tag_id)
            await uow.tags.delete(tag.id)
            await uow.commit()


@dataclass(frozen=True, slots=True)
class GetTagCommand:
    actor: Viewer
    tag_id: int


class GetTag:
    """One tag; ``tag_not_found`` for an unknown id."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetTagCommand) -> Tag:
        async with self._uow as uow:
            return await load_tag(uow, command.tag_id)


@dataclass(frozen=True, slots=True)
class ListTagsCommand:
    actor: Viewer


class ListTags:
    """Every tag, by name (a catalogue of tens: no paging)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListTagsCommand) -> list[Tag]:
        async with self._uow as uow:
            return await uow.tags.list_all()
