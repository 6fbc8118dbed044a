"""DownloadInboundMedia: the job that fetches inbound media into the media store."""

from __future__ import annotations

import pytest
from fake_world import World

from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import MediaType
from whaticket_core.ports.jobs import DownloadMediaJob
from whaticket_core.ports.media import MediaFetcher
from whaticket_core.ports.transport import TransportError
from whaticket_core.use_cases.inbound.download_inbound_media import DownloadInboundMedia, DownloadInboundMediaCommand
from whaticket_core.use_cases.inbound.inbound_commands import InboundMedia
from whaticket_core.use_cases.shared.retry import RetryLater

NUMBER = "5511999990001"


class FlakyFetcher:
    """A MediaFetcher that is out of reach ``failures`` times, then serves ``data``."""

    def __init__(self, data: bytes, failures: int) -> None:
        self.data = data
        self.failures = failures
        self.calls = 0

    async def fetch(self, whatsapp_id: int, media_ref: str) -> bytes:
        self.calls += 1
        if self.failures:
            self.failures -= 1
            raise TransportError("timeout", retryable=True)
        return self.data


async def inbound_image(world: World) -> int:
    wa = await world.add_whatsapp()
    media = InboundMedia(MediaType.IMAGE, "image/jpeg", media_ref="ref-1", file_name="cat.jpg")
    result = await world.inbound(wa.id, NUMBER, "", media=media)
    assert world.jobs.take_all() == [DownloadMediaJob(result.message_id)]
    world.publisher.clear()
    return result.message_id


def download(world: World, fetcher: MediaFetcher | None = None) -> DownloadInboundMedia:
    return DownloadInboundMedia(world.uow(), fetcher or world.fetcher, world.media, world.publisher)


async def test_media_is_fetched_stored_and_published(world: World) -> None:
    message_id = await inbound_image(world)
    world.fetcher.media["ref-1"] = b"\xff\xd8jpeg"
    view = await download(world).execute(DownloadInboundMediaCommand(message_id))

    message = world.state.messages[message_id]
    assert message.media_key is not None
    assert world.media.blobs[message.media_key] == (b"\xff\xd8jpeg", "image/jpeg", "cat.jpg")
    assert view is not None
    assert view.has_media
    [event] = world.publisher.events
    assert isinstance(event, MessageUpdated)
    assert event.message.has_media


async def test_download_is_idempotent(world: World) -> None:
    message_id = await inbound_image(world)
    world.fetcher.media["ref-1"] = b"data"
    await download(world).execute(DownloadInboundMediaCommand(message_id))
    key = world.state.messages[message_id].media_key
    assert await download(world).execute(DownloadInboundMediaCommand(message_id)) is None
    assert world.state.messages[message_id].media_key == key
    assert len(world.media.blobs) == 1
    assert len(world.publisher.events) == 1


async def test_messages_without_media_and_unknown_ids_are_no_ops(world: World) -> None:
    wa = await world.add_whatsapp()
    plain = await world.inbound(wa.id, NUMBER, "text")
    assert await download(world).execute(DownloadInboundMediaCommand(plain.message_id)) is None
    assert await download(world).execute(DownloadInboundMediaCommand(999)) is None
    assert world.media.blobs == {}


async def test_expired_media_is_recorded_as_an_error(world: World) -> None:
    message_id = await inbound_image(world)  # the fake fetcher does not have ref-1: gone for good
    view = await download(world).execute(DownloadInboundMediaCommand(message_id))
    message = world.state.messages[message_id]
    assert message.media_key is None
    assert message.error is not None
    assert message.error.startswith("media unavailable")
    assert view is not None
    assert not view.has_media


async def test_a_retryable_failure_asks_for_a_retry_then_succeeds(world: World) -> None:
    message_id = await inbound_image(world)
    fetcher = FlakyFetcher(b"data", failures=1)
    with pytest.raises(RetryLater):
        await download(world, fetcher).execute(DownloadInboundMediaCommand(message_id))
    assert world.state.messages[message_id].media_key is None
    await download(world, fetcher).execute(DownloadInboundMediaCommand(message_id))
    assert world.state.messages[message_id].media_key is not None
    assert fetcher.calls == 2
