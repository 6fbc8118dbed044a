"""NeonizeTransport and the real network's harder cases: LID-only senders completed from whatsmeow's LID store,
sends to a LID address, call offers and their rejection, undecryptable placeholders and history syncs."""

from __future__ import annotations

import time

from neonize.aioze.events import CallOfferEv, HistorySyncEv, MessageEv
from neonize.proto.Neonize_pb2 import JID, BasicCallMeta, CallOffer, MessageInfo, MessageSource, UndecryptableMessage
from neonize.proto.Neonize_pb2 import UndecryptableMessage as UndecryptableMessageEv
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from neonize.proto.waHistorySync.WAWebProtobufsHistorySync_pb2 import Conversation, HistorySyncMsg
from neonize.proto.waHistorySync.WAWebProtobufsHistorySync_pb2 import HistorySync as HistoryData
from neonize.proto.waWeb.WAWebProtobufsWeb_pb2 import WebMessageInfo
from neonize_world import (
    CUSTOMER,
    World,
    inbound_event,
    wa_fixture,  # noqa: F401  (the wa fixture)
)

from whaticket_core.ports.transport import Recipient
from whaticket_core.use_cases.inbound.inbound_commands import InboundCall, InboundMessage

# -- identity, calls, placeholders and history ------------------------------------------------------------------------

LID = JID(User="123456789012345", Server="lid", Device=0, RawAgent=0, Integrator=0, IsEmpty=False)


async def test_a_lid_only_sender_is_completed_from_whatsmeows_lid_store(wa: World) -> None:
    client = await wa.connected()
    await client.fire(MessageEv, inbound_event("L1", Message(conversation="oi"), chat=LID, sender=LID))
    client.lid_numbers["123456789012345"] = "5511999999999"
    await client.fire(MessageEv, inbound_event("L2", Message(conversation="again"), chat=LID, sender=LID))
    first, second = wa.recorder.inbound
    assert isinstance(first, InboundMessage)
    assert isinstance(second, InboundMessage)
    assert (first.chat, first.lid) == ("", "123456789012345")
    assert (second.chat, second.lid) == ("5511999999999", "123456789012345")


async def test_sending_to_a_lid_address_uses_the_lid_server(wa: World) -> None:
    client = await wa.connected()
    await wa.transport.send_text(1, Recipient("123456789012345@lid"), "hi")
    [(to, _message)] = client.sent()
    assert (to.User, to.Server) == ("123456789012345", "lid")


async def test_call_offers_reach_the_core_and_rejections_name_the_caller_as_offered(wa: World) -> None:
    client = await wa.connected()
    offer = CallOffer(basicCallMeta=BasicCallMeta(callCreator=LID, callID="CALL7", timestamp=1_700_000_000))
    await client.fire(CallOfferEv, offer)
    [call] = wa.recorder.inbound
    assert isinstance(call, InboundCall)
    assert (call.call_id, call.lid, call.caller_address) == ("CALL7", "123456789012345", "123456789012345@lid")
    await wa.transport.reject_call(1, Recipient(call.caller_address), call.call_id)
    [rejection] = [c for c in client.calls if c[0] == "reject_call"]
    assert (rejection[1].User, rejection[1].Server, rejection[2]) == ("123456789012345", "lid", "CALL7")


async def test_undecryptable_events_become_placeholders(wa: World) -> None:
    client = await wa.connected()
    source = MessageSource(Chat=CUSTOMER, Sender=CUSTOMER, IsFromMe=False, IsGroup=False)
    event = UndecryptableMessage(Info=MessageInfo(ID="U1", Timestamp=1_700_000_000, MessageSource=source))
    await client.fire(UndecryptableMessageEv, event)
    [placeholder] = wa.recorder.inbound
    assert isinstance(placeholder, InboundMessage)
    assert (placeholder.wa_message_id, placeholder.undecryptable) == ("U1", True)


async def test_a_history_sync_is_replayed_through_the_handlers(wa: World) -> None:
    client = await wa.connected()
    now = int(time.time())
    remote = "5511999999999@s.whatsapp.net"
    messages = [
        HistorySyncMsg(
            message=WebMessageInfo(
                key=MessageKey(remoteJID=remote, fromMe=False, ID=f"H{i}"),
                message=Message(conversation=f"m{i}"),
                messageTimestamp=now,
            )
        )
        for i in range(3)
    ]
    data = HistoryData(syncType=HistoryData.RECENT, conversations=[Conversation(ID=remote, messages=messages)])
    await client.fire(HistorySyncEv, HistorySyncEv(Data=data))
    assert [(c.wa_message_id, c.history) for c in wa.recorder.inbound if isinstance(c, InboundMessage)] == [
        ("H0", True),
        ("H1", True),
        ("H2", True),
    ]
