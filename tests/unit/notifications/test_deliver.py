"""Delivering a notification: once in effect, retried with backoff, failed for good."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from subgraphs.notifications.domain.notification import (
    Channel,
    Contact,
    FailureReason,
    Kind,
    Notification,
    Status,
)
from subgraphs.notifications.usecase.deliver import Outcome, TryLater
from subgraphs.notifications.usecase.ports import DeliveryPolicy, OutgoingMessage
from testkit.notifications import (
    POLICY,
    Context,
    InMemoryContacts,
    InMemoryNotifications,
    permanent,
    temporary,
)

ID = "evt-1:email"
FAST = replace(POLICY, attempt_timeout_seconds=0.05)


class FlakyNotifications(InMemoryNotifications):
    """The in-memory store whose named methods raise the queued errors first (a Redis blip)."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: dict[str, list[BaseException]] = {}

    def fail(self, method: str, *errors: BaseException) -> None:
        self.errors.setdefault(method, []).extend(errors)

    def _maybe_fail(self, method: str) -> None:
        if self.errors.get(method):
            raise self.errors[method].pop(0)

    async def begin_attempt(self, notification_id: str) -> Notification | None:
        self._maybe_fail("begin_attempt")
        return await super().begin_attempt(notification_id)

    async def mark_sent(self, notification_id: str, now: datetime, receipt: str) -> None:
        self._maybe_fail("mark_sent")
        await super().mark_sent(notification_id, now, receipt)

    async def mark_failed(self, notification_id: str, reason: FailureReason, detail: str) -> None:
        self._maybe_fail("mark_failed")
        await super().mark_failed(notification_id, reason, detail)


class BrokenContacts(InMemoryContacts):
    """Contacts whose reads always raise `error` (or never answer, with `hang`)."""

    def __init__(self, error: Exception | None = None, *, hang: bool = False) -> None:
        super().__init__()
        self.error = error
        self.hang = hang
        self.entered = asyncio.Event()

    async def get(self, user_id: str) -> Contact | None:
        self.entered.set()
        if self.hang:
            await asyncio.Event().wait()
        if self.error is not None:
            raise self.error
        return await super().get(user_id)


class World(Context):
    def __init__(
        self,
        *failures: Exception,
        contacts: InMemoryContacts | None = None,
        policy: DeliveryPolicy = POLICY,
    ) -> None:
        self.flaky = FlakyNotifications()
        super().__init__(store=self.flaky, contacts=contacts, policy=policy)
        self.email.failures = list(failures)
        self.deliver = self.usecases.deliver

    async def queued(self, *, known: bool = True) -> None:
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
    await world.queued()

    assert await world.deliver(ID) is Outcome.SENT
    assert await world.deliver(ID) is Outcome.ALREADY_DONE

    [sent] = world.email.sent
    assert (sent.key, sent.to, sent.subject) == (ID, "ann@example.com", "Order ord-1 received")
    assert "ord-1" in sent.text
    assert world.notification.status is Status.SENT
    assert world.notification.sent_at == world.clock.now
    assert await world.store.was_sent(ID)


async def test_a_set_sent_key_prevents_a_send_even_if_the_record_says_queued():
    world = World()
    await world.queued()
    world.store.sent_keys.add(ID)  # e.g. the record was written back from an older copy

    assert await world.deliver(ID) is Outcome.ALREADY_DONE
    assert world.email.sent == []
    assert world.notification.status is Status.SENT


async def test_a_temporary_failure_retries_with_exponential_backoff_then_sends():
    world = World(temporary("connection refused"), temporary("timeout"))
    await world.queued()

    with pytest.raises(TryLater) as first:
        await world.deliver(ID)
    assert first.value.delay_seconds == 2
    assert (world.notification.attempts, world.notification.last_error) == (
        1,
        "connection refused",
    )
    with pytest.raises(TryLater) as second:
        await world.deliver(ID)
    assert second.value.delay_seconds == 4
    assert await world.deliver(ID) is Outcome.SENT
    assert len(world.email.sent) == 1
    assert world.observed == ["retried", "retried", "sent"]


async def test_the_last_attempt_fails_for_good_with_a_category_and_keeps_the_detail_unexposed():
    world = World(temporary("a"), temporary("b"), temporary("connect to 10.0.0.7:25 refused"))
    await world.queued()
    for _ in range(2):
        with pytest.raises(TryLater):
            await world.deliver(ID)

    assert await world.deliver(ID) is Outcome.FAILED
    assert world.notification.status is Status.FAILED
    # An email channel failing temporarily every time: the mail server was unavailable.
    assert world.notification.failure_reason is FailureReason.SMTP_UNAVAILABLE
    assert (
        world.notification.last_error == "gave up after 3 attempts: connect to 10.0.0.7:25 refused"
    )
    assert await world.deliver(ID) is Outcome.ALREADY_DONE


async def test_a_temporary_failure_keeps_the_category_its_channel_gave():
    world = World(*(temporary("451 try later", FailureReason.GAVE_UP) for _ in range(3)))
    await world.queued()
    for _ in range(2):
        with pytest.raises(TryLater):
            await world.deliver(ID)
    assert await world.deliver(ID) is Outcome.FAILED
    assert world.notification.failure_reason is FailureReason.GAVE_UP


async def test_a_permanent_failure_fails_at_once_with_its_category():
    world = World(permanent("550 5.1.1 <ann@mx.internal.example> unknown"))
    await world.queued()
    assert await world.deliver(ID) is Outcome.FAILED
    assert world.notification.failure_reason is FailureReason.RECIPIENT_REFUSED
    assert world.notification.last_error == "550 5.1.1 <ann@mx.internal.example> unknown"
    assert world.email.sent == []


async def test_no_address_until_the_last_attempt_fails_with_no_contact():
    world = World()
    await world.queued(known=False)
    for _ in range(2):
        with pytest.raises(TryLater):
            await world.deliver(ID)
    assert await world.deliver(ID) is Outcome.FAILED
    assert world.notification.failure_reason is FailureReason.NO_CONTACT


async def test_a_channel_the_worker_lacks_fails_at_once_with_no_channel():
    world = World()
    await world.queued()
    world.deliver._channels = {}
    assert await world.deliver(ID) is Outcome.FAILED
    assert world.notification.failure_reason is FailureReason.NO_CHANNEL


async def test_a_redis_error_reading_the_notification_is_retried_then_sends():
    world = World()
    await world.queued()
    world.flaky.fail("begin_attempt", RedisConnectionError("Error 111 connecting to 10.1.2.3"))

    with pytest.raises(TryLater) as later:
        await world.deliver(ID)
    assert later.value.delay_seconds == 2  # the same backoff as any temporary failure
    assert later.value.reason is FailureReason.INTERNAL_ERROR
    assert world.notification.status is Status.QUEUED
    assert world.notification.attempts == 0  # it could not even be counted
    assert "ConnectionError" in (world.notification.last_error or "")

    assert await world.deliver(ID) is Outcome.SENT
    assert world.notification.attempts == 1
    assert len(world.email.sent) == 1


async def test_an_unexpected_error_every_time_ends_failed_with_internal_error():
    world = World(contacts=BrokenContacts(RuntimeError("bug in the projection")))
    await world.queued()
    for _ in range(2):
        with pytest.raises(TryLater):
            await world.deliver(ID)
        assert world.notification.status is Status.QUEUED

    assert await world.deliver(ID) is Outcome.FAILED
    assert world.notification.status is Status.FAILED
    assert world.notification.failure_reason is FailureReason.INTERNAL_ERROR
    assert "bug in the projection" in (world.notification.last_error or "")
    assert world.observed == ["retried", "retried", "failed"]
    assert world.email.sent == []


async def test_an_attempt_that_outlives_its_time_limit_is_retried_then_failed():
    world = World(contacts=BrokenContacts(hang=True), policy=FAST)
    await world.queued()
    for _ in range(2):
        with pytest.raises(TryLater):
            await world.deliver(ID)
    assert "longer than 0.05s" in (world.notification.last_error or "")
    assert await world.deliver(ID) is Outcome.FAILED
    assert world.notification.failure_reason is FailureReason.INTERNAL_ERROR


async def test_a_final_failure_that_cannot_be_recorded_is_tried_again_not_raised():
    world = World(contacts=BrokenContacts(RuntimeError("bug")))
    await world.queued()
    for _ in range(2):
        with pytest.raises(TryLater):
            await world.deliver(ID)
    world.flaky.fail("mark_failed", RedisConnectionError("down"), RedisConnectionError("down"))
    with pytest.raises(TryLater):  # the last attempt, but FAILED could not be written
        await world.deliver(ID)
    assert world.notification.status is Status.QUEUED
    # arq has no try left for it; the sweep gives it a job, and that run records FAILED.
    assert await world.deliver(ID) is Outcome.FAILED
    assert world.notification.failure_reason is FailureReason.INTERNAL_ERROR
    assert world.email.sent == []


async def test_an_attempt_past_the_last_one_records_failed_without_sending():
    # The last attempt never finished (the worker died mid-send); a new job runs it again.
    world = World()
    await world.queued()
    world.store.by_id[ID] = replace(world.notification, attempts=3)

    assert await world.deliver(ID) is Outcome.FAILED
    assert world.notification.failure_reason is FailureReason.INTERNAL_ERROR
    assert world.notification.last_error == "attempt 3 never finished"
    assert world.email.sent == []


async def test_a_redis_error_after_the_send_is_retried_and_resent_with_the_same_key():
    world = World()
    await world.queued()
    world.flaky.fail("mark_sent", RedisConnectionError("lost"))
    with pytest.raises(TryLater):
        await world.deliver(ID)
    assert await world.deliver(ID) is Outcome.SENT
    first, second = world.email.sent
    assert first.key == second.key == ID  # the one documented resend, recognisable


async def test_cancellation_is_not_swallowed():
    contacts = BrokenContacts(hang=True)
    world = World(contacts=contacts)
    await world.queued()
    task = asyncio.ensure_future(world.deliver(ID))
    await contacts.entered.wait()  # the attempt is under way
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert world.notification.status is Status.QUEUED


async def test_an_unknown_address_waits_for_the_contact_projection():
    world = World()
    await world.queued(known=False)
    with pytest.raises(TryLater, match="no address"):
        await world.deliver(ID)
    await world.contacts.apply("u-1", email="ann@example.com", name=None, phone=None, version=1)
    assert await world.deliver(ID) is Outcome.SENT


async def test_a_send_that_hangs_is_cut_off_and_retried():
    world = World()
    await world.queued()

    async def hang(message: OutgoingMessage) -> str:
        await asyncio.Event().wait()  # a server that never answers
        return "never"

    world.email.send = hang  # type: ignore[method-assign]
    with pytest.raises(TryLater, match=r"no answer within 0\.5s"):
        await world.deliver(ID)


async def test_a_notification_that_no_longer_exists_is_not_sent():
    world = World()
    assert await world.deliver("gone:email") is Outcome.MISSING
    assert world.email.sent == []


def test_the_backoff_doubles_up_to_its_cap():
    policy = DeliveryPolicy(first_delay_seconds=2, max_delay_seconds=10)
    assert [policy.delay(n) for n in range(1, 6)] == [2, 4, 8, 10, 10]


async def reset_queued(world: World, expires_in: timedelta) -> str:
    event = world.event(
        "users.password_reset_requested",
        {
            "user_id": "u-2",  # no contact known: the event named the address
            "email": "bo@example.com",
            "name": "Bo",
            "reset_url": "https://shop.example/reset-password?token=t0ken",
            "expires_at": (world.clock() + expires_in).isoformat(),
        },
    )
    await world.handle(event)
    return f"{event.id}:email"


async def test_a_password_reset_is_sent_to_the_address_its_event_named_with_the_link():
    world = World()
    reset = await reset_queued(world, timedelta(minutes=30))

    assert await world.deliver(reset) is Outcome.SENT
    [sent] = world.email.sent
    assert (sent.to, sent.subject) == ("bo@example.com", "Reset your Commerce password")
    assert "https://shop.example/reset-password?token=t0ken" in sent.text


async def test_a_password_reset_is_never_sent_after_it_expired():
    world = World(temporary("connection refused"))
    reset = await reset_queued(world, timedelta(seconds=1))
    with pytest.raises(TryLater):  # the server is down; the retry comes after the expiry
        await world.deliver(reset)
    world.clock.now += timedelta(seconds=2)

    assert await world.deliver(reset) is Outcome.FAILED
    notification = world.store.by_id[reset]
    assert notification.failure_reason is FailureReason.EXPIRED
    assert world.email.sent == []
