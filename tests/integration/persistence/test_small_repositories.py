"""QuickAnswerRepository, SettingRepository and RefreshTokenRepository contracts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from persistence_builders import T0, user

from whaticket_core.domain.auth import RefreshToken
from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.domain.quick_answer import QuickAnswer
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict


async def test_quick_answers_crud_and_case_insensitive_shortcut(backend):
    async with backend.new_uow() as uow:
        qa = await uow.quick_answers.add(QuickAnswer("/hello", "Hello, how can I help?"))
        other = await uow.quick_answers.add(QuickAnswer("/bye", "Bye"))
        await uow.commit()
    assert qa.id > 0
    async with backend.new_uow() as uow:
        assert await uow.quick_answers.get(qa.id) == qa
        assert await uow.quick_answers.get_by_shortcut("/HELLO") == qa
        assert await uow.quick_answers.get_by_shortcut("/nope") is None
        assert await uow.quick_answers.get(qa.id + 1000) is None
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.quick_answers.add(QuickAnswer("/Hello", "dup"))
    assert raised.value.constraint is Constraint.QUICK_ANSWER_SHORTCUT
    other.message = "Goodbye"
    async with backend.new_uow() as uow:
        await uow.quick_answers.save(other)
        await uow.quick_answers.delete(qa.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.quick_answers.get(other.id) == other
        assert await uow.quick_answers.get(qa.id) is None


async def test_quick_answer_list_page_searches_shortcut_and_message(backend):
    async with backend.new_uow() as uow:
        a = await uow.quick_answers.add(QuickAnswer("/price", "Our prices"))
        b = await uow.quick_answers.add(QuickAnswer("/hours", "Open 9-18, see PRICE list"))
        await uow.quick_answers.add(QuickAnswer("/bye", "Bye"))
        await uow.commit()
    async with backend.new_uow() as uow:
        page = await uow.quick_answers.list_page(OffsetQuery(search="price"))
        assert (page.items, page.total) == ([a, b], 2)


async def test_settings_get_set_overwrite_and_all(backend):
    async with backend.new_uow() as uow:
        assert await uow.settings.get("userCreation") is None
        assert await uow.settings.all() == {}
        await uow.settings.set("userCreation", "enabled")
        await uow.settings.set("groupMessages", "ignore")
        await uow.commit()
    async with backend.new_uow() as uow:
        await uow.settings.set("userCreation", "disabled")
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.settings.get("userCreation") == "disabled"
        assert await uow.settings.all() == {"userCreation": "disabled", "groupMessages": "ignore"}


def _token(token_id: str, family_id: str, user_id: int) -> RefreshToken:
    return RefreshToken(token_id, family_id, user_id, expires_at=T0 + timedelta(days=7), created_at=T0)


async def test_refresh_tokens_add_get_save_and_revoke(backend):
    async with backend.new_uow() as uow:
        ana = await uow.users.add(user("ana@example.com"))
        bo = await uow.users.add(user("bo@example.com"))
        t1, t2, t3 = _token("t1", "f1", ana.id), _token("t2", "f1", ana.id), _token("t3", "f2", ana.id)
        t4 = _token("t4", "f3", bo.id)
        for t in (t1, t2, t3, t4):
            await uow.refresh_tokens.add(t)
        await uow.commit()
    async with backend.new_uow() as uow:
        stored = await uow.refresh_tokens.get("t1", for_update=True)
        assert stored == t1
        assert await uow.refresh_tokens.get("nope") is None
        stored.used_at = T0 + timedelta(minutes=1)  # type: ignore[union-attr]
        await uow.refresh_tokens.save(stored)  # type: ignore[arg-type]
        await uow.refresh_tokens.revoke_family("f1")
        await uow.commit()
    async with backend.new_uow() as uow:
        got = await uow.refresh_tokens.get("t1")
        assert got is not None
        assert (got.used_at, got.revoked) == (T0 + timedelta(minutes=1), True)
        assert (await uow.refresh_tokens.get("t2")).revoked is True  # type: ignore[union-attr]
        assert (await uow.refresh_tokens.get("t3")).revoked is False  # type: ignore[union-attr]
        await uow.refresh_tokens.revoke_all_of_user(ana.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert (await uow.refresh_tokens.get("t3")).revoked is True  # type: ignore[union-attr]
        assert (await uow.refresh_tokens.get("t4")).revoked is False  # type: ignore[union-attr]


async def test_a_reused_refresh_token_id_is_a_conflict(backend):
    async with backend.new_uow() as uow:
        u = await uow.users.add(user())
        await uow.refresh_tokens.add(_token("t1", "f1", u.id))
        await uow.commit()
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.refresh_tokens.add(_token("t1", "f9", u.id))
    assert raised.value.constraint is Constraint.OTHER
