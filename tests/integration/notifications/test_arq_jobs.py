"""The delivery job under a real arq worker, in this process, on the notifications Redis.

The stores are the real Redis adapters, wrapped to fail where a test says
(a Redis blip, a bug, a call that never returns); the channel records what
it sends. These prove what arq does with each failure: retried with the
policy's backoff, and FAILED on the last attempt (arq's tries are the
policy's attempts); a job arq drops anyway leaves nothing that blocks the
sweep from queueing it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis.asyncio as aioredis
from arq.connections import ArqRedis
from redis.exceptions import ConnectionError as RedisConnectionError

from subgraphs.notifications.bootstrap import Delivery, bootstrap
from subgraphs.notifications.domain.notification import (
    Channel,
    Contact,
    Kind,
    Notification,
    Status,
)
from subgraphs.notifications.jobs.arq_queue import (
    DELIVER_JOB,
    ArqDeliveryQueue,
    arq_client,
)
from subgraphs.notifications.jobs.arq_worker import ArqWorkerResource
from subgraphs.notifications.repository.redis_notifications import RedisNotificationStore
from subgraphs.notifications.repository.redis_ports import redis_ports
from subgraphs.notifications.repository.redis_profiles import RedisContacts
from subgraphs.notifications.settings import JobSettings, StoreSettings
from subgraphs.notifications.usecase.ports import DeliveryPolicy, OutgoingMessage
from subgraphs.notifications.usecase.requeue_stuck import RequeueStuck
from testkit.waiting import eventually
from tests.integration.notifications.conftest import notification, status_is

pytestmark = [
    pytest.mark.integration,
    # arq 0.28's Worker.close() calls redis-py's deprecated close() (the worker process
    # shuts down the same way; only pytest turns the warning into an error).
    pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning"),
]

MAX_ATTEMPTS = 3
ATTEMPT_TIMEOUT = 0.5  # short, so a hanging attempt is cut off quickly


class FlakyStore(RedisNotificationStore):
    """The Redis store; `get` raises the queued errors first."""

    def __init__(self, redis: aioredis.Redis) -> None:
        super().__init__(
            redis,
            retention=timedelta(days=1),
            max_per_user=100,
            sent_key_ttl=timedelta(days=1),
        )
        self.get_errors: list[Exception] = []
        self.gets = 0

    async def begin_attempt(self, notification_id: str) -> Notification | None:
        self.gets += 1
        if self.get_errors:
            raise self.get_errors.pop(0)
        return await super().begin_attempt(notification_id)


class BrokenContacts(RedisContacts):
    """Contacts whose reads raise `error`, or never return with `hang`."""

    def __init__(
        self, redis: aioredis.Redis, error: Exception | None = None, hang: bool = False
    ) -> None:
        super().__init__(redis)
        self.error = error
        self.hang = hang

    async def get(self, user_id: str) -> Contact | None:
        if self.hang:
            await asyncio.Event().wait()
        if self.error is not None:
            raise self.error
        return await super().get(user_id)


@dataclass
class Recording:
    sent: list[OutgoingMessage] = field(default_factory=list)

    async def send(self, message: OutgoingMessage) -> str:
        self.sent.append(message)
        return f"<{message.key}@test>"


@dataclass
class Jobs:
    store: FlakyStore
    email: Recording
    queue: ArqDeliveryQueue
    arq: ArqRedis

    async def queued(self, n: int, user_id: str = "u-1") -> str:
        """A QUEUED notification for a known user, and its job."""
        await RedisContacts(self.store._redis).apply(
            user_id, email=f"{user_id}@example.com", name="Ann", phone=None, version=1
        )
        created = Notification(
            id=f"evt-{n}:email",
            user_id=user_id,
            event_id=f"evt-{n}",
            channel=Channel.EMAIL,
            kind=Kind.WELCOME,
            subject="Welcome to Commerce",
            status=Status.QUEUED,
            data={},
            created_at=datetime.now(UTC),
        )
        await self.store.create(created)
        return created.id


@pytest.fixture
async def start_jobs(
    notifications_redis: str, redis: aioredis.Redis
) -> AsyncIterator[Callable[..., Any]]:
    """`await start_jobs(contacts=..., poll_delay=...)`: an arq worker running `Deliver`, wired
    as the worker process wires it; closed after the test (before `redis` flushes)."""
    started: list[tuple[ArqWorkerResource, ArqRedis]] = []

    async def start(contacts: RedisContacts | None = None, poll_delay: float = 0.05) -> Jobs:
        arq = arq_client(notifications_redis)
        store = FlakyStore(redis)
        email = Recording()
        settings = JobSettings(
            max_attempts=MAX_ATTEMPTS,
            first_retry_seconds=0.05,
            max_retry_seconds=0.1,
            attempt_timeout_seconds=ATTEMPT_TIMEOUT,
            job_timeout_seconds=ATTEMPT_TIMEOUT + 0.5,
            poll_delay_seconds=poll_delay,
            max_jobs=5,
            health_check_seconds=1,
            shutdown_grace_seconds=1,
        )
        worker: ArqWorkerResource | None = None

        async def wake(job_id: str) -> None:
            assert worker is not None
            await worker.wake(job_id)

        ports = redis_ports(redis, StoreSettings())
        usecases = bootstrap(
            replace(ports, notifications=store, contacts=contacts or ports.contacts),
            clock=lambda: datetime.now(UTC),
            delivery=Delivery(
                queue=ArqDeliveryQueue(arq, wake=wake),
                channels={Channel.EMAIL: email},
                policy=DeliveryPolicy(
                    max_attempts=MAX_ATTEMPTS,
                    first_delay_seconds=0.05,
                    max_delay_seconds=0.1,
                    attempt_timeout_seconds=ATTEMPT_TIMEOUT,
                ),
                max_event_age=timedelta(days=7),
                stuck_after=timedelta(minutes=1),
            ),
        )
        worker = ArqWorkerResource(arq, usecases.deliver, settings)
        await worker.start()
        started.append((worker, arq))
        return Jobs(store, email, ArqDeliveryQueue(arq, wake=wake), arq)

    yield start
    for worker, arq in started:
        await worker.close()
        await arq.aclose(close_connection_pool=True)


async def test_a_redis_error_while_reading_the_notification_is_retried_and_it_is_sent(
    redis, start_jobs
):
    jobs = await start_jobs()
    notification_id = await jobs.queued(1)
    jobs.store.get_errors.append(RedisConnectionError("Error 111 connecting to 10.9.8.7:6379."))

    await jobs.queue.enqueue(notification_id)

    await eventually(lambda: status_is(redis, notification_id, "SENT"), what="the retried send")
    assert jobs.store.gets >= 2
    [mail] = jobs.email.sent
    assert mail.key == notification_id
    record = await notification(redis, notification_id)
    assert record["attempts"] == "1"  # the failed first attempt was noted
    assert "ConnectionError" in record["last_error"]


async def test_an_error_on_every_attempt_ends_failed_with_internal_error(redis, start_jobs):
    jobs = await start_jobs(BrokenContacts(redis, RuntimeError("bug in the projection")))
    notification_id = await jobs.queued(2)

    await jobs.queue.enqueue(notification_id)

    await eventually(lambda: status_is(redis, notification_id, "FAILED"), what="FAILED")
    record = await notification(redis, notification_id)
    assert (record["failure_reason"], record["attempts"]) == ("internal_error", str(MAX_ATTEMPTS))
    assert "bug in the projection" in record["last_error"]
    assert jobs.email.sent == []
    assert not await redis.zscore("notifications:queued", notification_id)


async def test_an_attempt_that_hangs_past_the_job_timeout_is_retried_then_failed(redis, start_jobs):
    # Before the fix arq's own timeout failed the job for good, leaving the record QUEUED.
    jobs = await start_jobs(BrokenContacts(redis, hang=True))
    notification_id = await jobs.queued(3)

    await jobs.queue.enqueue(notification_id)

    await eventually(lambda: status_is(redis, notification_id, "FAILED"), what="FAILED")
    record = await notification(redis, notification_id)
    assert record["failure_reason"] == "internal_error"
    assert "longer than 0.5s" in record["last_error"]


async def test_a_job_arq_dropped_leaves_nothing_behind_and_can_be_queued_again(redis, start_jobs):
    jobs = await start_jobs()
    notification_id = await jobs.queued(4)
    # A job arq fails for good (here: a function it does not know).
    await jobs.arq.enqueue_job("no_such_job", notification_id, _job_id=notification_id)
    await eventually(lambda: _no_job(jobs, notification_id), what="arq dropping the job")
    assert not await redis.exists(f"arq:result:{notification_id}")  # no result kept
    assert await status_is(redis, notification_id, "QUEUED")

    await jobs.queue.enqueue(notification_id)  # what the sweep does
    await eventually(lambda: status_is(redis, notification_id, "SENT"), what="the queued send")
    assert len(jobs.email.sent) == 1


async def test_the_sweep_finds_a_notification_stuck_without_a_job_and_it_is_sent(redis, start_jobs):
    jobs = await start_jobs()
    stuck = await jobs.queued(5)  # QUEUED, listed, but no job (as if arq had dropped it)
    waiting = await jobs.queued(6)
    await jobs.arq.enqueue_job(
        DELIVER_JOB, waiting, _job_id=waiting, _defer_by=timedelta(minutes=5)
    )  # a job deferred for a retry: not stuck
    sweep = RequeueStuck(
        store=jobs.store,
        queue=jobs.queue,
        clock=lambda: datetime.now(UTC) + timedelta(minutes=2),  # both look old enough
        stuck_after=timedelta(minutes=1),
    )
    assert await redis.zrange("notifications:queued", 0, -1) == [stuck, waiting]

    assert await sweep() == 1
    await eventually(lambda: status_is(redis, stuck, "SENT"), what="the swept notification sent")
    assert await redis.zrange("notifications:queued", 0, -1) == [waiting]
    assert await status_is(redis, waiting, "QUEUED")
    assert [m.key for m in jobs.email.sent] == [stuck]


async def test_a_job_queued_in_this_process_starts_without_waiting_for_the_poll(redis, start_jobs):
    # arq polls its queue once at start, then not again for a minute: only the wake-up can
    # start this job within the deadline.
    jobs = await start_jobs(poll_delay=60)
    await eventually(lambda: redis.exists("notifications:jobs:health-check"), what="the first poll")
    notification_id = await jobs.queued(7)

    await jobs.queue.enqueue(notification_id)

    await eventually(lambda: status_is(redis, notification_id, "SENT"), what="the woken job")
    assert [m.key for m in jobs.email.sent] == [notification_id]


async def _no_job(jobs: Jobs, notification_id: str) -> bool:
    return not await jobs.queue.has_job(notification_id)
