"""UnitOfWork contract: commit, rollback on exit, nothing half-written, re-entry after a conflict."""

from __future__ import annotations

import pytest
from persistence_builders import contact, seed_conversation, ticket

from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.ports.unit_of_work import StoreConflict


async def test_leaving_without_commit_rolls_back(backend):
    async with backend.new_uow() as uow:
        c = await uow.contacts.add(contact())
    async with backend.new_uow() as uow:
        assert await uow.contacts.get_by_number(c.number) is None


async def test_an_exception_inside_leaves_nothing_half_written(backend):
    class Boom(Exception):
        pass

    async def failing_use_case() -> None:
        async with backend.new_uow() as uow:
            await uow.contacts.add(contact())
            await uow.settings.set("groupMessages", "ticket")
            raise Boom

    with pytest.raises(Boom):
        await failing_use_case()
    async with backend.new_uow() as uow:
        assert (await uow.contacts.list_page(OffsetQuery())).total == 0
        assert await uow.settings.all() == {}


async def test_explicit_rollback_discards_and_the_transaction_goes_on(backend):
    async with backend.new_uow() as uow:
        await uow.contacts.add(contact("5511900000001"))
        await uow.rollback()
        kept = await uow.contacts.add(contact("5511900000002"))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.contacts.get_by_number("5511900000001") is None
        assert await uow.contacts.get_by_number("5511900000002") == kept


async def test_the_same_unit_of_work_is_re_entered_after_a_conflict(backend):
    c, w, existing = await seed_conversation(backend)
    uow = backend.new_uow()
    with pytest.raises(StoreConflict):
        async with uow:
            await uow.tickets.add(ticket(c.id, w.id))
    async with uow:
        assert await uow.tickets.get_active(c.id, w.id) == existing
        await uow.settings.set("userCreation", "enabled")
        await uow.commit()
    async with backend.new_uow() as other:
        assert await other.settings.get("userCreation") == "enabled"


async def test_work_after_commit_in_the_same_block_is_rolled_back_on_exit(backend):
    async with backend.new_uow() as uow:
        await uow.settings.set("a", "1")
        await uow.commit()
        await uow.settings.set("b", "2")
    async with backend.new_uow() as uow:
        assert await uow.settings.all() == {"a": "1"}


async def test_a_finished_unit_of_work_is_freed_without_the_garbage_collector(backend):
    """One unit of work runs per request and per inbound message: a reference cycle between it and its
    repositories kept each one (and what it held) alive until a collection."""
    import gc

    async with backend.new_uow() as uow:
        await uow.contacts.add(contact("5511900000009"))
        await uow.commit()
    del uow
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds unreachable is kept in gc.garbage instead of freed
    try:
        for _ in range(3):
            async with backend.new_uow() as uow:
                assert await uow.contacts.get_by_number("5511900000009") is not None
                await uow.commit()
            del uow
        gc.collect()
        left = sorted(
            {
                type(o).__name__
                for o in gc.garbage
                if "UnitOfWork" in type(o).__name__ or "Repository" in type(o).__name__
            }
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []


async def test_statements_of_both_paths_share_the_transaction_through_commits_and_rollbacks(backend):
    # On PostgreSQL contacts go on the driver and settings through SQLAlchemy (see driver_path): every order of the
    # two around a commit or a rollback must end as one transaction would.
    async with backend.new_uow() as uow:
        await uow.settings.set("a", "1")
        await uow.contacts.add(contact("5511900000001"))
        await uow.commit()
        await uow.contacts.add(contact("5511900000002"))  # after SQLAlchemy's commit, the driver first
        await uow.commit()
        await uow.contacts.add(contact("5511900000003"))
        await uow.settings.set("b", "2")
        await uow.commit()
        await uow.contacts.add(contact("5511900000004"))
        await uow.settings.set("c", "3")
        await uow.rollback()
        await uow.contacts.add(contact("5511900000005"))
        await uow.rollback()
        await uow.settings.set("d", "4")
        await uow.contacts.add(contact("5511900000006"))
    async with backend.new_uow() as uow:
        assert await uow.settings.all() == {"a": "1", "b": "2"}
        kept = [n for n in range(1, 7) if await uow.contacts.get_by_number(f"551190000000{n}") is not None]
        assert kept == [1, 2, 3]
