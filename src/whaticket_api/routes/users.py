"""/users: staff list and read; admins manage; everyone may edit their own name and password."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import delete, get, post, put
from litestar.params import JSONBody

from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.directory.users import (
    CreateUser,
    CreateUserCommand,
    DeleteUser,
    DeleteUserCommand,
    GetUser,
    GetUserCommand,
    ListUsers,
    ListUsersCommand,
    UpdateUser,
    UpdateUserCommand,
)
from whaticket_core.use_cases.shared.unset import UNSET as CORE_UNSET

from .auth import UserOut, user_out
from .common import AUTHED, BodyId, Email, Limit, Name, NewPassword, Offset, PathId, Search, errors, offset_query

RoleName = Literal["admin", "supervisor", "user"]
IdList = Annotated[list[BodyId], msgspec.Meta(max_length=100)]
MaxOpen = Annotated[int, msgspec.Meta(ge=0, le=10_000, description="Auto-assignment capacity; 0: no limit")]


class UserPage(msgspec.Struct, rename="camel"):
    items: list[UserOut]
    total: int
    limit: int
    offset: int


class UserCreateIn(msgspec.Struct, rename="camel"):
    name: Name
    email: Email
    password: NewPassword
    role: RoleName
    queue_ids: IdList = []
    whatsapp_id: BodyId | None = None
    max_open_tickets: MaxOpen = 0


class UserUpdateIn(msgspec.Struct, rename="camel"):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType = msgspec.UNSET
    password: NewPassword | msgspec.UnsetType = msgspec.UNSET
    role: RoleName | msgspec.UnsetType = msgspec.UNSET
    queue_ids: IdList | msgspec.UnsetType = msgspec.UNSET
    whatsapp_id: BodyId | msgspec.UnsetType | None = msgspec.UNSET
    max_open_tickets: MaxOpen | msgspec.UnsetType = msgspec.UNSET
    # Required when changing one's own password.
    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)] | msgspec.UnsetType = msgspec.UNSET


def _opt(value: object) -> object:
    return None if value is msgspec.UNSET else value


@get("/", responses=errors(*AUTHED, 403))
async def list_users(
    viewer: FromDishka[Viewer],
    use_case: FromDishka[ListUsers],
    limit: Limit = 20,
    offset: Offset = 0,
    search: Search = None,
) -> UserPage:
    """Accounts (admins and supervisors); `search` matches name or email."""
    page = await use_case.execute(ListUsersCommand(viewer, offset_query(limit, offset, search)))
    return UserPage([user_out(u) for u in page.items], page.total, page.limit, page.offset)


@get("/{user_id:int}", responses=errors(*AUTHED, 403, 404))
async def get_user(user_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[GetUser]) -> UserOut:
    """One account: admins and supervisors, or the user themself."""
    return user_out(await use_case.execute(GetUserCommand(viewer, user_id)))


@post("/", status_code=201, responses=errors(*AUTHED, 403, 404, 409))
async def create_user(
    data: JSONBody[UserCreateIn], viewer: FromDishka[Viewer], use_case: FromDishka[CreateUser]
) -> UserOut:
    """Create an account (admin)."""
    command = CreateUserCommand(
        viewer,
        data.name,
        data.email,
        data.password,
        Role(data.role),
        tuple(data.queue_ids),
        data.whatsapp_id,
        data.max_open_tickets,
    )
    return user_out(await use_case.execute(command))


@put("/{user_id:int}", responses=errors(*AUTHED, 403, 404, 409))
async def update_user(
    user_id: PathId, data: JSONBody[UserUpdateIn], viewer: FromDishka[Viewer], use_case: FromDishka[UpdateUser]
) -> UserOut:
    """Partial update. Admins change anything; a user only their own name and password. Changing one's own password
    needs `currentPassword` (403 `current_password_invalid` without it or when wrong)."""
    command = UpdateUserCommand(
        actor=viewer,
        user_id=user_id,
        name=_opt(data.name),  # type: ignore[arg-type]
        email=_opt(data.email),  # type: ignore[arg-type]
        password=_opt(data.password),  # type: ignore[arg-type]
        role=None if data.role is msgspec.UNSET else Role(data.role),
        queue_ids=None if data.queue_ids is msgspec.UNSET else tuple(data.queue_ids),
        whatsapp_id=CORE_UNSET if data.whatsapp_id is msgspec.UNSET else data.whatsapp_id,
        max_open_tickets=_opt(data.max_open_tickets),  # type: ignore[arg-type]
        current_password=_opt(data.current_password),  # type: ignore[arg-type]
    )
    return user_out(await use_case.execute(command))


@delete("/{user_id:int}", status_code=204, responses=errors(*AUTHED, 403, 404, 409))
async def delete_user(user_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[DeleteUser]) -> None:
    """Delete an account (admin); its open tickets go back to pending. The last admin stays (`last_admin`)."""
    await use_case.execute(DeleteUserCommand(viewer, user_id))


router = DishkaRouter(
    "/users", route_handlers=[list_users, get_user, create_user, update_user, delete_user], tags=["users"]
)
