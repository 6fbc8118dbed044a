"""The core's use cases, one provider per area, each listing its use cases by name (REQUEST scope: each gets the
request's unit of work). A new use case is added to its area's list."""

from __future__ import annotations

from dishka import Provider, Scope, provide_all

from whaticket_core.use_cases.auth.authenticate import Authenticate
from whaticket_core.use_cases.auth.login import Login
from whaticket_core.use_cases.auth.logout import Logout, LogoutAll
from whaticket_core.use_cases.auth.refresh_tokens import RefreshTokens
from whaticket_core.use_cases.auth.register import Register
from whaticket_core.use_cases.automation.assign_tickets import AssignPendingTickets
from whaticket_core.use_cases.automation.auto_close import AutoCloseIdleTickets
from whaticket_core.use_cases.automation.business_hours import (
    DeleteBusinessHours,
    GetBusinessHours,
    UpdateBusinessHours,
)
from whaticket_core.use_cases.automation.reply_outside_hours import ReplyOutsideHours
from whaticket_core.use_cases.connections.whatsapp_sessions import (
    GetQrCode,
    LogoutSession,
    RequestPairCode,
    StartSession,
    UpdateConnectionStatus,
    UpdateQrCode,
)
from whaticket_core.use_cases.connections.whatsapps import (
    CreateWhatsApp,
    DeleteWhatsApp,
    GetWhatsApp,
    ListWhatsApps,
    UpdateWhatsApp,
)
from whaticket_core.use_cases.directory.contacts import (
    CreateContact,
    DeleteContact,
    GetContact,
    ListContacts,
    UpdateContact,
)
from whaticket_core.use_cases.directory.queues import CreateQueue, DeleteQueue, GetQueue, ListQueues, UpdateQueue
from whaticket_core.use_cases.directory.quick_answers import (
    CreateQuickAnswer,
    DeleteQuickAnswer,
    GetQuickAnswer,
    ListQuickAnswers,
    UpdateQuickAnswer,
)
from whaticket_core.use_cases.directory.settings import ListSettings, UpdateSetting
from whaticket_core.use_cases.directory.users import CreateUser, DeleteUser, GetUser, ListUsers, UpdateUser
from whaticket_core.use_cases.inbound.apply_inbound_edit import ApplyInboundEdit
from whaticket_core.use_cases.inbound.apply_inbound_reaction import ApplyInboundReaction
from whaticket_core.use_cases.inbound.apply_inbound_revoke import ApplyInboundRevoke
from whaticket_core.use_cases.inbound.download_inbound_media import DownloadInboundMedia
from whaticket_core.use_cases.inbound.inbox import (
    ListInboxFailures,
    ProcessInboxEntry,
    RecordInboundEvent,
    RetryInboxFailure,
    SweepInbox,
)
from whaticket_core.use_cases.inbound.link_contact_identity import LinkContactIdentity
from whaticket_core.use_cases.inbound.receive_call import ReceiveCall
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage
from whaticket_core.use_cases.inbound.update_message_ack import UpdateMessageAck
from whaticket_core.use_cases.integrations.api_tokens import (
    AuthenticateApiToken,
    CreateApiToken,
    ListApiTokens,
    RevokeApiToken,
)
from whaticket_core.use_cases.integrations.dispatch_webhooks import DispatchWebhooks
from whaticket_core.use_cases.integrations.webhooks import (
    CreateWebhook,
    DeleteWebhook,
    ListWebhookDeliveries,
    ListWebhooks,
    RedeliverWebhook,
    UpdateWebhook,
)
from whaticket_core.use_cases.messages.delete_message import DeleteMessage
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage
from whaticket_core.use_cases.messages.edit_message import EditMessage
from whaticket_core.use_cases.messages.media_links import OpenMediaLink
from whaticket_core.use_cases.messages.message_queries import GetMessage, GetMessageMedia, ListMessages
from whaticket_core.use_cases.messages.release_scheduled_message import ReleaseScheduledMessage
from whaticket_core.use_cases.messages.schedule_message import ScheduleMessage
from whaticket_core.use_cases.messages.send_message import SendMessage
from whaticket_core.use_cases.messages.send_read_receipts import SendReadReceipts
from whaticket_core.use_cases.messages.send_to_number import SendToNumber
from whaticket_core.use_cases.messages.sweep_pending_messages import SweepPendingMessages
from whaticket_core.use_cases.notes.add_note import AddNote
from whaticket_core.use_cases.reports.report_summary import GetReportSummary
from whaticket_core.use_cases.tags.tag_catalogue import CreateTag, DeleteTag, GetTag, ListTags, UpdateTag
from whaticket_core.use_cases.tags.tagging import CountTicketsByTag, SetContactTags, SetTicketTags
from whaticket_core.use_cases.tickets.accept_ticket import AcceptTicket
from whaticket_core.use_cases.tickets.close_ticket import CloseTicket
from whaticket_core.use_cases.tickets.create_ticket import CreateTicket
from whaticket_core.use_cases.tickets.delete_ticket import DeleteTicket
from whaticket_core.use_cases.tickets.read_ticket import ReadTicket
from whaticket_core.use_cases.tickets.reopen_ticket import ReopenTicket
from whaticket_core.use_cases.tickets.ticket_queries import CountTickets, GetTicket, ListTickets
from whaticket_core.use_cases.tickets.transfer_ticket import TransferTicket
from whaticket_core.use_cases.tickets.update_ticket import UpdateTicket


class AuthUseCases(Provider):
    scope = Scope.REQUEST
    use_cases = provide_all(Register, Login, RefreshTokens, Logout, LogoutAll, Authenticate)


class TicketUseCases(Provider):
    scope = Scope.REQUEST
    use_cases = provide_all(
        CreateTicket,
        AcceptTicket,
        TransferTicket,
        UpdateTicket,
        CloseTicket,
        ReopenTicket,
        ReadTicket,
        DeleteTicket,
        GetTicket,
        ListTickets,
        CountTickets,
    )


class MessageUseCases(Provider):
    scope = Scope.REQUEST
    use_cases = provide_all(
        SendMessage,
        ScheduleMessage,
        ReleaseScheduledMessage,
        SendToNumber,
        DeliverMessage,
        EditMessage,
        DeleteMessage,
        SendReadReceipts,
        SweepPendingMessages,
        GetMessage,
        GetMessageMedia,
        OpenMediaLink,
        ListMessages,
    )


class InboundUseCases(Provider):
    scope = Scope.REQUEST
    use_cases = provide_all(
        ReceiveMessage,
        ApplyInboundEdit,
        ApplyInboundRevoke,
        UpdateMessageAck,
        DownloadInboundMedia,
        ApplyInboundReaction,
        LinkContactIdentity,
        ReceiveCall,
        RecordInboundEvent,
        ProcessInboxEntry,
        SweepInbox,
        ListInboxFailures,
        RetryInboxFailure,
    )


class DirectoryUseCases(Provider):
    scope = Scope.REQUEST
    use_cases = provide_all(
        CreateUser,
        UpdateUser,
        DeleteUser,
        GetUser,
        ListUsers,
        CreateQueue,
        UpdateQueue,
        DeleteQueue,
        GetQueue,
        ListQueues,
        CreateContact,
        UpdateContact,
        DeleteContact,
        GetContact,
        ListContacts,
        CreateQuickAnswer,
        UpdateQuickAnswer,
        DeleteQuickAnswer,
        GetQuickAnswer,
        ListQuickAnswers,
        ListSettings,
        UpdateSetting,
    )


class AgentToolUseCases(Provider):
    scope = Scope.REQUEST
    use_cases = provide_all(
        CreateTag,
        UpdateTag,
        DeleteTag,
        GetTag,
        ListTags,
        SetTicketTags,
        SetContactTags,
        CountTicketsByTag,
        AddNote,
        GetReportSummary,
    )


class ConnectionUseCases(Provider):
    scope = Scope.REQUEST
    use_cases = provide_all(
        CreateWhatsApp,
        UpdateWhatsApp,
        DeleteWhatsApp,
        GetWhatsApp,
        ListWhatsApps,
        StartSession,
        RequestPairCode,
        LogoutSession,
        GetQrCode,
        UpdateConnectionStatus,
        UpdateQrCode,
    )


class IntegrationUseCases(Provider):
    scope = Scope.REQUEST
    use_cases = provide_all(
        CreateApiToken,
        ListApiTokens,
        RevokeApiToken,
        AuthenticateApiToken,
        CreateWebhook,
        ListWebhooks,
        UpdateWebhook,
        DeleteWebhook,
        ListWebhookDeliveries,
        RedeliverWebhook,
        DispatchWebhooks,
    )


class AutomationUseCases(Provider):
    scope = Scope.REQUEST
    use_cases = provide_all(
        GetBusinessHours,
        UpdateBusinessHours,
        DeleteBusinessHours,
        ReplyOutsideHours,
        AutoCloseIdleTickets,
        AssignPendingTickets,
    )


def use_case_providers() -> list[Provider]:
    """Every area's use cases."""
    return [
        AuthUseCases(),
        TicketUseCases(),
        MessageUseCases(),
        InboundUseCases(),
        DirectoryUseCases(),
        ConnectionUseCases(),
        AgentToolUseCases(),
        AutomationUseCases(),
        IntegrationUseCases(),
    ]
