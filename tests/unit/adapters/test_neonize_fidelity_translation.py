"""Real neonize protobuf objects for what the real network does beyond plain messages: LID senders, LID group
members, reactions, calls, undecryptable messages and history syncs."""

from __future__ import annotations

from datetime import UTC, datetime

from neonize.proto.Neonize_pb2 import (
    JID,
    BasicCallMeta,
    CallOffer,
    HistorySync,
    MessageInfo,
    MessageSource,
    UndecryptableMessage,
)
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message, ReactionMessage
from neonize.proto.waHistorySync.WAWebProtobufsHistorySync_pb2 import (
    Conversation,
    HistorySyncMsg,
    PhoneNumberToLIDMapping,
)
from neonize.proto.waHistorySync.WAWebProtobufsHistorySync_pb2 import HistorySync as HistoryData
from neonize.proto.waWeb.WAWebProtobufsWeb_pb2 import WebMessageInfo
from neonize.utils.jid import build_jid

from whaticket_adapters.whatsapp.neonize.event_translation import (
    parse_jid,
    translate_call,
    translate_history,
    translate_undecryptable,
)
from whaticket_adapters.whatsapp.neonize.translation import translate_message
from whaticket_core.use_cases.inbound.inbound_commands import (
    InboundCall,
    InboundIdentity,
    InboundMessage,
    InboundReaction,
)

CUSTOMER = build_jid("5511999999999")
LID = build_jid("123456789012345", "lid")
GROUP = build_jid("120363025246125486", "g.us")
WHEN = 1_700_000_000


def info(
    *, chat: JID = LID, sender: JID | None = None, wa_id: str = "ABC", from_me: bool = False, **alt: JID
) -> MessageInfo:
    source = MessageSource(
        Chat=chat,
        Sender=sender or chat,
        IsFromMe=from_me,
        IsGroup=chat.Server == "g.us",
        **alt,
    )
    return MessageInfo(ID=wa_id, Timestamp=WHEN, Pushname="Maria", MessageSource=source)


def message_event(message: Message, **kwargs: object) -> MessageEv:
    return MessageEv(Message=message, Info=info(**kwargs))  # type: ignore[arg-type]


# -- LID senders -------------------------------------------------------------------------------------------------


def test_lid_sender_with_phone_number_alternative_names_both() -> None:
    result = translate_message(7, message_event(Message(conversation="oi"), SenderAlt=CUSTOMER))
    assert isinstance(result, InboundMessage)
    assert (result.chat, result.lid) == ("5511999999999", "123456789012345")


def test_phone_number_sender_with_lid_alternative_names_both() -> None:
    result = translate_message(7, message_event(Message(conversation="oi"), chat=CUSTOMER, SenderAlt=LID))
    assert isinstance(result, InboundMessage)
    assert (result.chat, result.lid) == ("5511999999999", "123456789012345")


def test_lid_only_sender_is_a_customer_known_by_lid() -> None:
    result = translate_message(7, message_event(Message(conversation="oi")))
    assert isinstance(result, InboundMessage)
    assert (result.chat, result.lid, result.body) == ("", "123456789012345", "oi")


def test_message_from_the_company_phone_to_a_lid_chat_uses_the_recipient_alternative() -> None:
    result = translate_message(7, message_event(Message(conversation="hello"), from_me=True, RecipientAlt=CUSTOMER))
    assert isinstance(result, InboundMessage)
    assert (result.chat, result.lid, result.from_me) == ("5511999999999", "123456789012345", True)


def test_lid_group_member_with_alternative_is_attributed_by_number() -> None:
    result = translate_message(7, message_event(Message(conversation="hi"), chat=GROUP, sender=LID, SenderAlt=CUSTOMER))
    assert isinstance(result, InboundMessage)
    assert (result.chat, result.participant, result.lid) == ("120363025246125486", "5511999999999", None)


def test_lid_group_member_without_alternative_is_attributed_by_lid() -> None:
    result = translate_message(7, message_event(Message(conversation="hi"), chat=GROUP, sender=LID))
    assert isinstance(result, InboundMessage)
    assert result.participant == "123456789012345@lid"


# -- reactions ---------------------------------------------------------------------------------------------------


def test_reaction_attaches_to_the_message_it_names() -> None:
    reaction = Message(
        reactionMessage=ReactionMessage(key=MessageKey(ID="TARGET"), text="👍", senderTimestampMS=WHEN * 1000)
    )
    result = translate_message(7, message_event(reaction, chat=CUSTOMER))
    # event_id: the reaction message's own id (the event's Info.ID), which keys it in the inbox.
    assert result == InboundReaction(7, "TARGET", "👍", from_me=False, sender=None, event_id="ABC")


def test_removed_reaction_has_an_empty_emoji_and_group_reactions_name_the_member() -> None:
    reaction = Message(reactionMessage=ReactionMessage(key=MessageKey(ID="T2"), text=""))
    result = translate_message(7, message_event(reaction, chat=GROUP, sender=LID, SenderAlt=CUSTOMER))
    assert isinstance(result, InboundReaction)
    assert (result.wa_message_id, result.emoji, result.sender) == ("T2", "", "5511999999999")


def test_own_reaction_is_from_me() -> None:
    reaction = Message(reactionMessage=ReactionMessage(key=MessageKey(ID="T3"), text="❤️"))
    result = translate_message(7, message_event(reaction, chat=CUSTOMER, from_me=True))
    assert isinstance(result, InboundReaction)
    assert (result.from_me, result.sender) == (True, None)


# -- calls -------------------------------------------------------------------------------------------------------


def call_offer(creator: JID, alt: JID | None = None, call_id: str = "CALL1") -> CallOffer:
    meta = BasicCallMeta(callCreator=creator, callID=call_id, timestamp=WHEN, **{"from": creator})
    if alt is not None:
        meta.callCreatorAlt.CopyFrom(alt)
    return CallOffer(basicCallMeta=meta)


def test_call_from_a_number() -> None:
    result = translate_call(7, call_offer(CUSTOMER))
    assert result == InboundCall(7, "CALL1", "5511999999999", None, "5511999999999@s.whatsapp.net")


def test_call_from_a_lid_with_and_without_its_number() -> None:
    with_number = translate_call(7, call_offer(LID, CUSTOMER))
    without = translate_call(7, call_offer(LID))
    assert with_number is not None
    assert without is not None
    assert (with_number.caller, with_number.lid, with_number.caller_address) == (
        "5511999999999",
        "123456789012345",
        "123456789012345@lid",
    )
    assert (without.caller, without.lid) == ("", "123456789012345")


def test_group_call_is_not_a_customer_call() -> None:
    assert translate_call(7, call_offer(GROUP)) is None


# -- undecryptable messages --------------------------------------------------------------------------------------


def test_undecryptable_message_is_a_placeholder_with_its_own_id() -> None:
    event = UndecryptableMessage(Info=info(chat=CUSTOMER, wa_id="WAIT1"), IsUnavailable=True)
    result = translate_undecryptable(7, event)
    assert isinstance(result, InboundMessage)
    assert (result.wa_message_id, result.chat, result.body, result.undecryptable) == (
        "WAIT1",
        "5511999999999",
        "",
        True,
    )


def test_undecryptable_message_from_a_lid_keeps_the_lid() -> None:
    result = translate_undecryptable(7, UndecryptableMessage(Info=info(wa_id="WAIT2")))
    assert isinstance(result, InboundMessage)
    assert (result.chat, result.lid, result.undecryptable) == ("", "123456789012345", True)


def test_undecryptable_message_whatsapp_hides_is_dropped() -> None:
    event = UndecryptableMessage(Info=info(chat=CUSTOMER), DecryptFailMode=UndecryptableMessage.DECRYPT_FAIL_HIDE)
    assert translate_undecryptable(7, event) is None


def test_readable_copy_of_an_undecryptable_message_has_the_same_id_and_content() -> None:
    placeholder = translate_undecryptable(7, UndecryptableMessage(Info=info(chat=CUSTOMER, wa_id="W")))
    readable = translate_message(7, message_event(Message(conversation="now readable"), chat=CUSTOMER, wa_id="W"))
    assert isinstance(placeholder, InboundMessage)
    assert isinstance(readable, InboundMessage)
    assert placeholder.wa_message_id == readable.wa_message_id
    assert (readable.body, readable.undecryptable) == ("now readable", False)


# -- history sync ------------------------------------------------------------------------------------------------


def web_message(
    wa_id: str, text: str, *, remote: str, from_me: bool = False, when: int = WHEN, participant: str = ""
) -> HistorySyncMsg:
    return HistorySyncMsg(
        message=WebMessageInfo(
            key=MessageKey(remoteJID=remote, fromMe=from_me, ID=wa_id, participant=participant),
            message=Message(conversation=text),
            messageTimestamp=when,
            pushName="Maria",
        )
    )


def test_history_sync_yields_mappings_first_then_each_message_marked_as_backfill() -> None:
    data = HistoryData(
        syncType=HistoryData.RECENT,
        phoneNumberToLidMappings=[
            PhoneNumberToLIDMapping(pnJID="5511999999999@s.whatsapp.net", lidJID="123456789012345@lid")
        ],
        conversations=[
            Conversation(
                ID="123456789012345@lid",
                pnJID="5511999999999@s.whatsapp.net",
                messages=[
                    web_message("H1", "first", remote="123456789012345@lid"),
                    web_message("H2", "our answer", remote="123456789012345@lid", from_me=True),
                ],
            ),
            Conversation(
                ID="120363025246125486@g.us",
                messages=[web_message("H3", "in group", remote="120363025246125486@g.us", participant="777777777@lid")],
            ),
        ],
    )
    commands = translate_history(7, HistorySync(Data=data))
    assert commands[0] == InboundIdentity(7, "123456789012345", "5511999999999")
    messages = [c for c in commands if isinstance(c, InboundMessage)]
    assert [(m.wa_message_id, m.body, m.from_me, m.history) for m in messages] == [
        ("H1", "first", False, True),
        ("H2", "our answer", True, True),
        ("H3", "in group", False, True),
    ]
    assert (messages[0].chat, messages[0].lid) == ("5511999999999", "123456789012345")
    assert (messages[2].is_group, messages[2].participant) == (True, "777777777@lid")


def test_history_sync_skips_messages_older_than_the_window() -> None:
    data = HistoryData(
        syncType=HistoryData.INITIAL_BOOTSTRAP,
        conversations=[
            Conversation(
                ID="5511999999999@s.whatsapp.net",
                messages=[
                    web_message("OLD", "years ago", remote="5511999999999@s.whatsapp.net", when=WHEN - 86_400 * 400),
                    web_message("NEW", "today", remote="5511999999999@s.whatsapp.net"),
                ],
            )
        ],
    )
    since = datetime.fromtimestamp(WHEN - 3600, UTC)
    commands = translate_history(7, HistorySync(Data=data), since=since)
    assert [c.wa_message_id for c in commands if isinstance(c, InboundMessage)] == ["NEW"]


def test_history_batch_of_500_translates_each_message_once() -> None:
    remote = "5511999999999@s.whatsapp.net"
    data = HistoryData(
        syncType=HistoryData.RECENT,
        conversations=[
            Conversation(ID=remote, messages=[web_message(f"B{i}", f"m{i}", remote=remote) for i in range(500)])
        ],
    )
    commands = translate_history(7, HistorySync(Data=data))
    assert [c.wa_message_id for c in commands if isinstance(c, InboundMessage)] == [f"B{i}" for i in range(500)]


def test_parse_jid_reads_device_suffixes_and_refuses_garbage() -> None:
    jid = parse_jid("5511999999999:12@s.whatsapp.net")
    assert jid is not None
    assert (jid.User, jid.Device, jid.Server) == ("5511999999999", 12, "s.whatsapp.net")
    assert parse_jid("") is None
    assert parse_jid("no-server") is None
