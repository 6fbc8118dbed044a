"""The inbox repository's contract on the in-memory fake, SQLite and PostgreSQL: idempotent on (connection, kind,
key) even when writers race, failed entries newest first with a keyset, and the entries a crash left behind."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from persistence_builders import T0, seed_conversation, whatsapp

from whaticket_core.domain.inbox import MAX_INBOX_ATTEMPTS, InboxEntry, InboxKind, InboxStatus


def entry(whatsapp_id: int, key: str, kind: InboxKind = InboxKind.MESSAGE, **kw: Any) -> InboxEntry:
    return InboxEntry(whatsapp_id, kind, key, '{"body":"hi"}', kw.pop("received_at", T0), **kw)


async def _add(backend: Any, new: InboxEntry) -> tuple[InboxEntry, bool]:
    async with backend.new_uow() as uow:
        stored, created = await uow.inbox.add(new)
        await uow.commit()
    return stored, created


async def test_a_redelivered_event_finds_the_stored_entry(backend: Any) -> None:
    _c, w, _t = await seed_conversation(backend)
    first, created = await _add(backend, entry(w.id, "WA1"))
    assert created
    assert first.id > 0
    again, created_again = await _add(backend, entry(w.id, "WA1", received_at=T0 + timedelta(seconds=5)))
    assert not created_again
    assert (again.id, again.received_at, again.status) == (first.id, T0, InboxStatus.PENDING)
    # Another kind or another connection with the same key is another event.
    _edit, edit_created = await _add(backend, entry(w.id, "WA1", InboxKind.EDIT))
    async with backend.new_uow() as uow:
        other = await uow.whatsapps.add(whatsapp("Other"))
        await uow.commit()
    _other, other_created = await _add(backend, entry(other.id, "WA1"))
    assert (edit_created, other_created) == (True, True)


async def test_racing_writers_store_one_entry(backend: Any) -> None:
    _c, w, _t = await seed_conversation(backend)
    results = await asyncio.gather(*(_add(backend, entry(w.id, "RACE")) for _ in range(8)))
    assert sum(created for _e, created in results) == 1
    assert len({stored.id for stored, _created in results}) == 1


async def test_saved_outcomes_and_the_failure_list_newest_first(backend: Any) -> None:
    _c, w, _t = await seed_conversation(backend)
    ids = []
    for n in range(5):
        stored, _ = await _add(backend, entry(w.id, f"F{n}"))
        ids.append(stored.id)
    async with backend.new_uow() as uow:
        for entry_id in ids[:4]:
            loaded = await uow.inbox.get(entry_id, for_update=True)
            assert loaded is not None
            loaded.failed("RuntimeError: boom", T0 + timedelta(minutes=1))
            await uow.inbox.save(loaded)
        done = await uow.inbox.get(ids[4])
        assert done is not None
        done.succeeded(T0)
        await uow.inbox.save(done)
        await uow.commit()
    async with backend.new_uow() as uow:
        first_page = await uow.inbox.list_failed(w.id, 2)
        second_page = await uow.inbox.list_failed(w.id, 10, before_id=first_page[-1].id)
        reloaded = await uow.inbox.get(ids[0])
    assert [e.id for e in first_page] == [ids[3], ids[2]]
    assert [e.id for e in second_page] == [ids[1], ids[0]]
    assert reloaded is not None
    assert (reloaded.status, reloaded.attempts, reloaded.error) == (InboxStatus.FAILED, 1, "RuntimeError: boom")


async def test_stale_entries_are_the_unfinished_and_the_failed_with_retries_left(backend: Any) -> None:
    _c, w, _t = await seed_conversation(backend)
    old, _ = await _add(backend, entry(w.id, "OLD"))
    await _add(backend, entry(w.id, "NEW", received_at=T0 + timedelta(minutes=10)))
    retry, _ = await _add(backend, entry(w.id, "RETRY"))
    spent, _ = await _add(backend, entry(w.id, "SPENT"))
    finished, _ = await _add(backend, entry(w.id, "DONE"))
    async with backend.new_uow() as uow:
        for entry_id, attempts in ((retry.id, 1), (spent.id, MAX_INBOX_ATTEMPTS)):
            loaded = await uow.inbox.get(entry_id)
            assert loaded is not None
            loaded.attempts = attempts - 1
            loaded.failed("boom", T0)
            await uow.inbox.save(loaded)
        loaded = await uow.inbox.get(finished.id)
        assert loaded is not None
        loaded.succeeded(T0)
        await uow.inbox.save(loaded)
        await uow.commit()
    async with backend.new_uow() as uow:
        stale = await uow.inbox.list_stale(T0 + timedelta(minutes=5), 10)
    assert [e.key for e in stale] == ["OLD", "RETRY"]
    assert stale[0].id == old.id
