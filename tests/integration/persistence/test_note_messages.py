"""A note's author (messages.user_id) round-trips through the repository and the message queries."""

from __future__ import annotations

from persistence_builders import T0, seed_conversation

from whaticket_core.domain.message import MediaType, MessageAck, new_note


async def test_a_note_keeps_its_kind_and_author(backend):
    c, w, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        note = await uow.messages.add(new_note(t.id, c.id, w.id, 42, "internal", T0))
        await uow.commit()
    async with backend.new_uow() as uow:
        stored = await uow.messages.get(note.id)
    assert stored == note
    assert (stored.media_type, stored.ack, stored.user_id) == (MediaType.NOTE, MessageAck.SENT, 42)
    view = await backend.messages.get_message(note.id)
    assert (view.media_type, view.user_id) == (MediaType.NOTE, 42)
    page = await backend.messages.list_messages(t.id)
    assert [m.user_id for m in page.items] == [42]
