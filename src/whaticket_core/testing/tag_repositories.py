"""In-memory tags and their assignments to tickets and contacts."""

from __future__ import annotations

import copy

from ..domain.tag import Tag
from ..ports.unit_of_work import Constraint, StoreConflict
from .repository_base import InMemoryRepository


def _by_name(tags: list[Tag]) -> list[Tag]:
    return sorted(tags, key=lambda t: (t.name.lower(), t.id))


class InMemoryTagRepository(InMemoryRepository):
    def _check_unique(self, tag: Tag) -> None:
        for other in self._s.tags.values():
            if other.id != tag.id and other.name.lower() == tag.name.lower():
                raise StoreConflict(Constraint.TAG_NAME, tag.name)

    async def get(self, tag_id: int) -> Tag | None:
        return copy.deepcopy(self._s.tags.get(tag_id))

    async def get_by_name(self, name: str) -> Tag | None:
        for tag in self._s.tags.values():
            if tag.name.lower() == name.lower():
                return copy.deepcopy(tag)
        return None

    async def get_many(self, tag_ids: list[int]) -> list[Tag]:
        wanted = set(tag_ids)
        return _by_name([copy.deepcopy(t) for t in self._s.tags.values() if t.id in wanted])

    async def add(self, tag: Tag) -> Tag:
        self._check_unique(tag)
        tag.id = self._s.allocate("tags")
        self._s.tags[tag.id] = copy.deepcopy(tag)
        return tag

    async def save(self, tag: Tag) -> None:
        self._check_unique(tag)
        self._s.tags[tag.id] = copy.deepcopy(tag)

    async def delete(self, tag_id: int) -> None:
        self._s.tags.pop(tag_id, None)
        for links in (*self._s.ticket_tags.values(), *self._s.contact_tags.values()):
            links.discard(tag_id)

    async def list_all(self) -> list[Tag]:
        return _by_name([copy.deepcopy(t) for t in self._s.tags.values()])


class InMemoryTagAssignments(InMemoryRepository):
    """Links of a deleted ticket or contact are ignored, as if they had cascaded."""

    def _tags(self, tag_ids: set[int]) -> list[Tag]:
        return _by_name([copy.deepcopy(self._s.tags[i]) for i in tag_ids if i in self._s.tags])

    async def of_ticket(self, ticket_id: int) -> list[Tag]:
        if ticket_id not in self._s.tickets:
            return []
        return self._tags(self._s.ticket_tags.get(ticket_id, set()))

    async def set_for_ticket(self, ticket_id: int, tag_ids: list[int]) -> None:
        self._s.ticket_tags[ticket_id] = set(tag_ids)

    async def of_contact(self, contact_id: int) -> list[Tag]:
        return (await self.of_contacts([contact_id])).get(contact_id, [])

    async def of_contacts(self, contact_ids: list[int]) -> dict[int, list[Tag]]:
        found = {i: self._tags(self._s.contact_tags.get(i, set())) for i in contact_ids if i in self._s.contacts}
        return {i: tags for i, tags in found.items() if tags}

    async def set_for_contact(self, contact_id: int, tag_ids: list[int]) -> None:
        self._s.contact_tags[contact_id] = set(tag_ids)
