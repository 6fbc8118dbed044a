"""Webhooks on fakes: who manages them, their validation, and the dispatcher's signing, retries, order, switch-off."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from fake_world import World

from whaticket_core.domain.errors import (
    ActionForbidden,
    InvalidInput,
    WebhookDeliveryNotFound,
    WebhookNotFound,
    WebhookUrlForbidden,
)
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.domain.webhooks import (
    MAX_CONSECUTIVE_FAILURES,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    retry_delay,
    signature,
)
from whaticket_core.ports.jobs import DispatchWebhooksJob
from whaticket_core.testing import ManualClock
from whaticket_core.testing.webhooks import FakeUrlGuard, InMemoryWebhookStore, RecordingWebhookSender
from whaticket_core.use_cases.integrations.dispatch_webhooks import DispatchWebhooks, DispatchWebhooksCommand
from whaticket_core.use_cases.integrations.webhooks import (
    CreateWebhook,
    CreateWebhookCommand,
    DeleteWebhook,
    DeleteWebhookCommand,
    ListWebhookDeliveries,
    ListWebhookDeliveriesCommand,
    ListWebhooks,
    ListWebhooksCommand,
    RedeliverWebhook,
    RedeliverWebhookCommand,
    UpdateWebhook,
    UpdateWebhookCommand,
)

URL = "https://crm.example.com/hooks"
BASE = timedelta(seconds=10)


def token(*scopes: str) -> Viewer:
    return Viewer(1, Role.SUPERVISOR, frozenset(), api_token_id=7, scopes=frozenset(scopes))


async def create(world: World, store: InMemoryWebhookStore, actor: Viewer | None = None, **kw: object) -> Webhook:
    actor = actor or await world.viewer(role=Role.ADMIN)
    command = CreateWebhookCommand(actor, kw.pop("url", URL), kw.pop("events", ("*",)), **kw)  # type: ignore[arg-type]
    return await CreateWebhook(store, FakeUrlGuard(), world.clock).execute(command)


def delivery(webhook: Webhook, clock: ManualClock, stream: str = "ticket:1", data: str = '{"n":1}') -> WebhookDelivery:
    now = clock.now()
    return WebhookDelivery(webhook.id, "evt-1", "message.created", stream, data, now, now)


def dispatcher(store: InMemoryWebhookStore, sender: RecordingWebhookSender, clock: ManualClock) -> DispatchWebhooks:
    return DispatchWebhooks(store, sender, clock)


async def test_admins_and_tokens_with_the_scope_manage_webhooks(world: World) -> None:
    store = InMemoryWebhookStore()
    created = await create(world, store, events=("ticket.created", "message.created"), description="CRM")
    assert created.secret.startswith("whsec_")
    assert created.events == {"ticket.created", "message.created"}
    await create(world, store, actor=token("webhooks:manage"))
    for actor in (await world.viewer(role=Role.SUPERVISOR), await world.viewer(), token("tickets:read")):
        with pytest.raises(ActionForbidden):
            await ListWebhooks(store).execute(ListWebhooksCommand(actor))
    admin = await world.viewer(role=Role.ADMIN)
    assert len(await ListWebhooks(store).execute(ListWebhooksCommand(admin))) == 2


@pytest.mark.parametrize(
    ("url", "events"),
    [
        ("ftp://crm.example.com/x", ("*",)),
        ("https://user:pw@crm.example.com/x", ("*",)),
        ("/relative", ("*",)),
        (URL, ()),
        (URL, ("ticket.exploded",)),
    ],
)
async def test_invalid_urls_and_events(world: World, url: str, events: tuple[str, ...]) -> None:
    store = InMemoryWebhookStore()
    with pytest.raises(InvalidInput):
        await create(world, store, url=url, events=events)
    assert store.webhooks == {}


async def test_urls_to_internal_addresses_are_refused_on_create_and_update(world: World) -> None:
    store = InMemoryWebhookStore()
    with pytest.raises(WebhookUrlForbidden) as raised:
        await create(world, store, url="http://127.0.0.1:8080/hook")
    assert raised.value.code == "webhook_url_forbidden"
    webhook = await create(world, store)
    admin = await world.viewer(role=Role.ADMIN)
    with pytest.raises(WebhookUrlForbidden):
        await UpdateWebhook(store, FakeUrlGuard(), world.jobs).execute(
            UpdateWebhookCommand(admin, webhook.id, url="http://10.0.0.1/")
        )
    assert store.webhooks[webhook.id].url == URL


async def test_turning_a_webhook_back_on_clears_its_failures_and_starts_a_run(world: World) -> None:
    store = InMemoryWebhookStore()
    webhook = await create(world, store)
    store.webhooks[webhook.id].active = False
    store.webhooks[webhook.id].consecutive_failures = MAX_CONSECUTIVE_FAILURES
    admin = await world.viewer(role=Role.ADMIN)
    updated = await UpdateWebhook(store, FakeUrlGuard(), world.jobs).execute(
        UpdateWebhookCommand(admin, webhook.id, active=True)
    )
    assert (updated.active, updated.consecutive_failures) == (True, 0)
    assert DispatchWebhooksJob() in world.jobs.waiting


async def test_delete_list_and_redeliver(world: World) -> None:
    store = InMemoryWebhookStore()
    webhook = await create(world, store)
    admin = await world.viewer(role=Role.ADMIN)
    ids = [store.add_delivery(delivery(webhook, world.clock)).id for _ in range(5)]
    listing = ListWebhookDeliveries(store)
    first = await listing.execute(ListWebhookDeliveriesCommand(admin, webhook.id, limit=3))
    assert [d.id for d in first.items] == ids[::-1][:3]
    second = await listing.execute(ListWebhookDeliveriesCommand(admin, webhook.id, 3, first.next_before_id))
    assert [d.id for d in second.items] == ids[::-1][3:]
    assert second.next_before_id is None
    store.deliveries[ids[0]].status = DeliveryStatus.FAILED
    await RedeliverWebhook(store, world.jobs, world.clock).execute(RedeliverWebhookCommand(admin, webhook.id, ids[0]))
    assert store.deliveries[ids[0]].status is DeliveryStatus.PENDING
    with pytest.raises(WebhookDeliveryNotFound):
        await RedeliverWebhook(store, world.jobs, world.clock).execute(RedeliverWebhookCommand(admin, webhook.id, 99))
    await DeleteWebhook(store).execute(DeleteWebhookCommand(admin, webhook.id))
    assert store.deliveries == {}
    with pytest.raises(WebhookNotFound):
        await DeleteWebhook(store).execute(DeleteWebhookCommand(admin, webhook.id))


async def test_a_delivery_is_signed_over_its_exact_body(world: World) -> None:
    store = InMemoryWebhookStore()
    webhook = await create(world, store)
    stored = store.add_delivery(delivery(webhook, world.clock, data='{"message":{"id":5}}'))
    sender = RecordingWebhookSender()
    result = await dispatcher(store, sender, world.clock).execute(DispatchWebhooksCommand())
    assert result.attempts == 1
    ((url, body, headers),) = sender.sent
    assert url == URL
    assert body == stored.body()
    assert body.startswith(f'{{"id":{stored.id},"event":"message.created"'.encode())
    assert headers["Whaticket-Event"] == "message.created"
    assert headers["Whaticket-Delivery"] == str(stored.id)
    t = int(world.clock.now().timestamp())
    assert headers["Whaticket-Signature"] == signature(webhook.secret, t, body)
    expected = hmac.new(webhook.secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["Whaticket-Signature"] == f"t={t},v1={expected}"
    assert store.deliveries[stored.id].status is DeliveryStatus.DELIVERED


async def test_failures_are_retried_with_exponential_backoff_then_delivered(world: World) -> None:
    store = InMemoryWebhookStore()
    webhook = await create(world, store)
    stored = store.add_delivery(delivery(webhook, world.clock))
    sender = RecordingWebhookSender([500, None, 503, 200])
    dispatch = dispatcher(store, sender, world.clock)
    for attempt in (1, 2, 3):
        result = await dispatch.execute(DispatchWebhooksCommand(BASE))
        assert result.attempts == 1
        assert store.deliveries[stored.id].attempt == attempt
        assert result.next_due == world.clock.now() + retry_delay(attempt, BASE)
        assert (await dispatch.execute(DispatchWebhooksCommand(BASE))).attempts == 0  # not due yet
        world.clock.advance(retry_delay(attempt, BASE))
    await dispatch.execute(DispatchWebhooksCommand(BASE))
    final = store.deliveries[stored.id]
    assert (final.status, final.attempt, final.response_status) == (DeliveryStatus.DELIVERED, 4, 200)
    assert len({body for _, body, _ in sender.sent}) == 1  # the same bytes on every attempt
    assert store.webhooks[webhook.id].consecutive_failures == 0


async def test_a_delivery_failing_for_a_day_is_given_up(world: World) -> None:
    store = InMemoryWebhookStore()
    webhook = await create(world, store)
    stored = store.add_delivery(delivery(webhook, world.clock))
    sender = RecordingWebhookSender([500] * 100)
    dispatch = dispatcher(store, sender, world.clock)
    while store.deliveries[stored.id].status is DeliveryStatus.PENDING:
        await dispatch.execute(DispatchWebhooksCommand(BASE))
        world.clock.advance(retry_delay(store.deliveries[stored.id].attempt, BASE))
    gave_up = store.deliveries[stored.id]
    assert gave_up.status is DeliveryStatus.FAILED
    assert gave_up.last_attempt_at is not None
    assert gave_up.last_attempt_at - gave_up.created_at >= timedelta(hours=24)
    assert gave_up.attempt < 40  # backoff, not hammering


async def test_one_streams_deliveries_go_out_in_order_and_others_are_not_held_up(world: World) -> None:
    store = InMemoryWebhookStore()
    webhook = await create(world, store)
    a1 = store.add_delivery(delivery(webhook, world.clock, "ticket:1", '{"n":1}'))
    a2 = store.add_delivery(delivery(webhook, world.clock, "ticket:1", '{"n":2}'))
    b1 = store.add_delivery(delivery(webhook, world.clock, "ticket:2", '{"n":3}'))
    sender = RecordingWebhookSender([500, 200, 200, 200])
    dispatch = dispatcher(store, sender, world.clock)
    await dispatch.execute(DispatchWebhooksCommand(BASE))
    # a1 failed: a2 waits behind it; ticket 2's delivery went out.
    assert store.deliveries[a2.id].attempt == 0
    assert store.deliveries[b1.id].status is DeliveryStatus.DELIVERED
    world.clock.advance(BASE)
    await dispatch.execute(DispatchWebhooksCommand(BASE))
    sent_ids = [int(h["Whaticket-Delivery"]) for _, _, h in sender.sent]
    assert [i for i in sent_ids if i in (a1.id, a2.id)] == [a1.id, a1.id, a2.id]


async def test_fifty_failures_in_a_row_switch_the_webhook_off(world: World) -> None:
    store = InMemoryWebhookStore()
    webhook = await create(world, store)
    for n in range(MAX_CONSECUTIVE_FAILURES + 5):
        store.add_delivery(delivery(webhook, world.clock, f"ticket:{n}"))
    sender = RecordingWebhookSender([500] * 100)
    await dispatcher(store, sender, world.clock).execute(DispatchWebhooksCommand(BASE))
    hook = store.webhooks[webhook.id]
    assert hook.active is False
    assert hook.consecutive_failures >= MAX_CONSECUTIVE_FAILURES
    world.clock.advance(timedelta(hours=2))
    assert (await dispatcher(store, sender, world.clock).execute(DispatchWebhooksCommand(BASE))).attempts == 0


def test_retry_delays_double_up_to_an_hour() -> None:
    assert [retry_delay(n, BASE).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert retry_delay(30, BASE) == timedelta(hours=1)


async def test_each_run_purges_finished_deliveries_older_than_thirty_days(world: World) -> None:
    store = InMemoryWebhookStore()
    webhook = await create(world, store)
    switched_off = await create(world, store)
    old = store.add_delivery(delivery(webhook, world.clock))
    store.webhooks[switched_off.id].active = False
    waiting = store.add_delivery(delivery(switched_off, world.clock))
    dispatch = dispatcher(store, RecordingWebhookSender(), world.clock)
    await dispatch.execute(DispatchWebhooksCommand(BASE))
    assert store.deliveries[old.id].status is DeliveryStatus.DELIVERED
    world.clock.advance(timedelta(days=29))
    await dispatch.execute(DispatchWebhooksCommand(BASE))
    assert old.id in store.deliveries
    world.clock.advance(timedelta(days=2))
    await dispatch.execute(DispatchWebhooksCommand(BASE))
    assert old.id not in store.deliveries  # delivered a month ago: gone
    assert store.deliveries[waiting.id].status is DeliveryStatus.PENDING  # never sent: kept whatever its age
