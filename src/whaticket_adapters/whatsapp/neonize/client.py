"""The part of neonize's client the transport uses, and how a real one is built."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from neonize.proto.Neonize_pb2 import JID
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from neonize.utils.enum import MediaType as NeonizeMediaType
from neonize.utils.enum import ReceiptType


class NeonizeClient(Protocol):
    """The part of ``neonize.aioze.client.NewAClient`` this transport uses (a fake implements it in tests)."""

    event: Any
    me: Any

    async def connect(self) -> asyncio.Task[None]: ...

    async def disconnect(self) -> None: ...

    async def stop(self) -> None: ...

    async def logout(self) -> None: ...

    async def send_message(self, to: JID, message: Message) -> Any: ...

    async def edit_message(self, chat: JID, message_id: str, new_message: Message) -> Any: ...

    async def upload(self, binary: bytes, media_type: NeonizeMediaType | None = None) -> Any: ...

    async def download_any(self, message: Message) -> bytes | None: ...

    async def mark_read(self, *message_ids: str, chat: JID, sender: JID, receipt: ReceiptType) -> None: ...

    async def PairPhone(self, phone: str, show_push_notification: bool) -> str: ...

    async def get_group_info(self, jid: JID) -> Any: ...


ClientFactory = Callable[[str, str], NeonizeClient]


def new_neonize_client(store: str, uuid: str) -> NeonizeClient:
    from neonize.aioze.client import NewAClient

    client: NeonizeClient = NewAClient(store, uuid=uuid)
    return client
