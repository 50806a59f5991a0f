"""Delivering a notification: once in effect, retried with backoff, failed for good."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from subgraphs.notifications.domain.notification import (
    Channel,
    Kind,
    Notification,
    Status,
)
from subgraphs.notifications.usecase.deliver import Deliver, Outcome, TryLater
from subgraphs.notifications.usecase.ports import DeliveryPolicy, OutgoingMessage
from tests.unit.notifications.fakes import (
    Clock,
    FakeChannel,
    InMemoryContacts,
    InMemoryNotifications,
    permanent,
    temporary,
)

POLICY = DeliveryPolicy(
    send_timeout_seconds=0.2, max_attempts=3, first_delay_seconds=2, max_delay_seconds=5
)
ID = "evt-1:email"


class World:
    def __init__(self, *failures: Exception) -> None:
        self.clock = Clock()
        self.store = InMemoryNotifications()
        self.contacts = InMemoryContacts()
        self.email = FakeChannel(*failures)
        self.observed: list[str] = []
        self.deliver = Deliver(
            store=self.store,
            contacts=self.contacts,
            channels={Channel.EMAIL: self.email},
            clock=self.clock,
            policy=POLICY,
            observe=lambda n, what: self.observed.append(what),
        )

    async def queue(self, *, known: bool = True) -> None:
        if known:
            await self.contacts.apply(
                "u-1", email="ann@example.com", name="Ann", phone=None, version=1
            )
        await self.store.create(
            Notification(
                id=ID,
                user_id="u-1",
                event_id="evt-1",
                channel=Channel.EMAIL,
                kind=Kind.ORDER_CONFIRMATION,
                subject="Order ord-1 received",
                status=Status.QUEUED,
                data={"order_id": "ord-1", "total": "1.00", "currency": "USD", "items": []},
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )

    @property
    def notification(self) -> Notification:
        return self.store.by_id[ID]


async def test_a_queued_notification_is_sent_once_with_its_stable_key():
    world = World()
    await world.queue()

    assert await world.deliver(ID, attempt=1) is Outcome.SENT
    assert await world.deliver(ID, attempt=2) is Outcome.ALREADY_DONE

    [sent] = world.email.sent
    assert (sent.key, sent.to, sent.subject) == (ID, "ann@example.com", "Order ord-1 received")
    assert "ord-1" in sent.text
    assert world.notification.status is Status.SENT
    assert world.notification.sent_at == world.clock.now
    assert await world.store.was_sent(ID)


async def test_a_set_sent_key_prevents_a_send_even_if_the_record_says_queued():
    world = World()
    await world.queue()
    world.store.sent_keys.add(ID)  # e.g. the record was written back from an older copy

    assert await world.deliver(ID, attempt=1) is Outcome.ALREADY_DONE
    assert world.email.sent == []
    assert world.notification.status is Status.SENT


async def test_a_temporary_failure_retries_with_exponential_backoff_then_sends():
    world = World(temporary("connection refused"), temporary("timeout"))
    await world.queue()

    with pytest.raises(TryLater) as first:
        await world.deliver(ID, attempt=1)
    assert first.value.delay_seconds == 2
    assert (world.notification.attempts, world.notification.last_error) == (
        1,
        "connection refused",
    )
    with pytest.raises(TryLater) as second:
        await world.deliver(ID, attempt=2)
    assert second.value.delay_seconds == 4
    assert await world.deliver(ID, attempt=3) is Outcome.SENT
    assert len(world.email.sent) == 1
    assert world.observed == ["retried", "retried", "sent"]


async def test_the_last_attempt_fails_for_good_with_the_reason():
    world = World(temporary("a"), temporary("b"), temporary("connection refused"))
    await world.queue()
    for attempt in (1, 2):
        with pytest.raises(TryLater):
            await world.deliver(ID, attempt=attempt)

    assert await world.deliver(ID, attempt=3) is Outcome.FAILED
    assert world.notification.status is Status.FAILED
    assert world.notification.failure_reason == "gave up after 3 attempts: connection refused"
    assert await world.deliver(ID, attempt=4) is Outcome.ALREADY_DONE


async def test_a_permanent_failure_fails_at_once():
    world = World(permanent("550 mailbox unavailable"))
    await world.queue()
    assert await world.deliver(ID, attempt=1) is Outcome.FAILED
    assert world.notification.failure_reason == "550 mailbox unavailable"
    assert world.email.sent == []


async def test_an_unknown_address_waits_for_the_contact_projection():
    world = World()
    await world.queue(known=False)
    with pytest.raises(TryLater, match="no address"):
        await world.deliver(ID, attempt=1)
    await world.contacts.apply("u-1", email="ann@example.com", name=None, phone=None, version=1)
    assert await world.deliver(ID, attempt=2) is Outcome.SENT


async def test_a_send_that_hangs_is_cut_off_and_retried():
    world = World()
    await world.queue()

    async def hang(message: OutgoingMessage) -> str:
        await asyncio.sleep(10)
        return "never"

    world.email.send = hang  # type: ignore[method-assign]
    with pytest.raises(TryLater, match=r"no answer within 0\.2s"):
        await world.deliver(ID, attempt=1)


async def test_a_notification_that_no_longer_exists_is_not_sent():
    world = World()
    assert await world.deliver("gone:email", attempt=1) is Outcome.MISSING
    assert world.email.sent == []


def test_the_backoff_doubles_up_to_its_cap():
    policy = DeliveryPolicy(first_delay_seconds=2, max_delay_seconds=10)
    assert [policy.delay(n) for n in range(1, 6)] == [2, 4, 8, 10, 10]
