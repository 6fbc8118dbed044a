"""Finding 13: the embedded idempotency store grew without bound (every keyed request kept 24 hours)."""

from __future__ import annotations

from whaticket_api.idempotency import MemoryIdempotencyStore, Stored, begin

DAY = 24 * 3600


async def test_the_store_keeps_at_most_max_items_evicting_the_oldest() -> None:
    store = MemoryIdempotencyStore(max_items=3)
    for n in range(10):
        assert await begin(store, f"user:key-{n}", "fp") is None
        await store.put(f"user:key-{n}", Stored("fp", 201, b'{"id": %d}' % n), DAY)

    assert len(store) == 3
    replay = await begin(store, "user:key-9", "fp")  # the newest answers are still replayed
    assert replay is not None
    assert replay.body == b'{"id": 9}'
    assert await begin(store, "user:key-0", "fp") is None  # the oldest was evicted: a new request


async def test_the_store_is_bounded_in_bytes_too() -> None:
    store = MemoryIdempotencyStore(max_items=1_000, max_bytes=10_000)
    for n in range(100):
        await store.put(f"user:key-{n}", Stored("fp", 201, b"x" * 1_000), DAY)
    assert len(store) < 10
    await store.release("user:key-99")
    assert len(store) < 9
