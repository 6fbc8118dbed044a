"""/contacts: CRUD for anyone signed in; deleting a contact that has tickets is admin only."""

from __future__ import annotations

from typing import Annotated

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import delete, get, post, put
from litestar.params import JSONBody

from whaticket_core.domain.api_tokens import ApiScope
from whaticket_core.domain.contact import ExtraInfo
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.directory.contacts import (
    CreateContact,
    CreateContactCommand,
    DeleteContact,
    DeleteContactCommand,
    GetContact,
    GetContactCommand,
    ListContacts,
    ListContactsCommand,
    UpdateContact,
    UpdateContactCommand,
)
from whaticket_core.use_cases.shared.unset import UNSET as CORE_UNSET
from whaticket_core.use_cases.tags.tagging import SetContactTags, SetContactTagsCommand

from ..wire import ContactOut, ExtraInfoIO, ExtraInfoList, contact_out
from .common import AUTHED, Email, Limit, Name, Offset, PathId, Search, errors, offset_query
from .tags import TagIdsIn

Number = Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="Digits in international form")]


class ContactPage(msgspec.Struct, rename="camel"):
    items: list[ContactOut]
    total: int
    limit: int
    offset: int


class ContactCreateIn(msgspec.Struct, rename="camel"):
    name: Name
    number: Number
    email: Email | None = None
    extra_info: ExtraInfoList = []


class ContactUpdateIn(msgspec.Struct, rename="camel"):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    number: Number | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    extra_info: ExtraInfoList | msgspec.UnsetType = msgspec.UNSET


def _extra(items: list[ExtraInfoIO]) -> tuple[ExtraInfo, ...]:
    return tuple(ExtraInfo(i.name, i.value) for i in items)


@get("/", responses=errors(*AUTHED, 403), token_scope=ApiScope.CONTACTS_READ)
async def list_contacts(
    viewer: FromDishka[Viewer],
    use_case: FromDishka[ListContacts],
    limit: Limit = 20,
    offset: Offset = 0,
    search: Search = None,
) -> ContactPage:
    """Contacts; `search` matches name, number or email."""
    page = await use_case.execute(ListContactsCommand(viewer, offset_query(limit, offset, search)))
    return ContactPage([contact_out(c) for c in page.items], page.total, page.limit, page.offset)


@get("/{contact_id:int}", responses=errors(*AUTHED, 403, 404), token_scope=ApiScope.CONTACTS_READ)
async def get_contact(contact_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[GetContact]) -> ContactOut:
    """One contact."""
    return contact_out(await use_case.execute(GetContactCommand(viewer, contact_id)))


@post("/", status_code=201, responses=errors(*AUTHED, 403, 409), token_scope=ApiScope.CONTACTS_WRITE)
async def create_contact(
    data: JSONBody[ContactCreateIn], viewer: FromDishka[Viewer], use_case: FromDishka[CreateContact]
) -> ContactOut:
    """Create a contact; the number is stored as international digits. 409 `contact_exists` for a known number."""
    command = CreateContactCommand(viewer, data.name, data.number, data.email, _extra(data.extra_info))
    return contact_out(await use_case.execute(command))


@put("/{contact_id:int}", responses=errors(*AUTHED, 403, 404, 409), token_scope=ApiScope.CONTACTS_WRITE)
async def update_contact(
    contact_id: PathId, data: JSONBody[ContactUpdateIn], viewer: FromDishka[Viewer], use_case: FromDishka[UpdateContact]
) -> ContactOut:
    """Partial update."""
    command = UpdateContactCommand(
        actor=viewer,
        contact_id=contact_id,
        name=None if data.name is msgspec.UNSET else data.name,
        number=None if data.number is msgspec.UNSET else data.number,
        email=CORE_UNSET if data.email is msgspec.UNSET else data.email,
        extra_info=None if data.extra_info is msgspec.UNSET else _extra(data.extra_info),
    )
    return contact_out(await use_case.execute(command))


@delete("/{contact_id:int}", status_code=204, responses=errors(*AUTHED, 403, 404), token_scope=ApiScope.CONTACTS_WRITE)
async def delete_contact(contact_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[DeleteContact]) -> None:
    """Delete a contact (one with tickets: admin only)."""
    await use_case.execute(DeleteContactCommand(viewer, contact_id))


@put("/{contact_id:int}/tags", responses=errors(*AUTHED, 403, 404), token_scope=ApiScope.CONTACTS_WRITE)
async def set_contact_tags(
    contact_id: PathId, data: JSONBody[TagIdsIn], viewer: FromDishka[Viewer], use_case: FromDishka[SetContactTags]
) -> ContactOut:
    """Replace the contact's tags (`tagIds: []` clears them); 404 `tag_not_found` for an unknown tag."""
    return contact_out(await use_case.execute(SetContactTagsCommand(contact_id, viewer, tuple(data.tag_ids))))


router = DishkaRouter(
    "/contacts",
    route_handlers=[list_contacts, get_contact, create_contact, update_contact, delete_contact, set_contact_tags],
    tags=["contacts"],
)
