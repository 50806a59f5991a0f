"""The sweep: a QUEUED notification whose job is gone gets a new one, carrying on its attempts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from subgraphs.notifications.domain.notification import Channel, Kind, Notification, Status
from subgraphs.notifications.usecase.requeue_stuck import RequeueStuck
from testkit.kernel import FakeTime
from testkit.notifications import InMemoryNotifications, RecordingQueue

T0 = datetime(2026, 1, 1, tzinfo=UTC)
STUCK_AFTER = timedelta(seconds=60)


class Sweep:
    def __init__(self) -> None:
        self.clock = FakeTime(T0)
        self.store = InMemoryNotifications()
        self.queue = RecordingQueue()
        self.requeue = RequeueStuck(
            store=self.store, queue=self.queue, clock=self.clock, stuck_after=STUCK_AFTER, batch=10
        )

    async def queued(self, n: int, *, attempts: int = 0) -> str:
        notification = Notification(
            id=f"evt-{n}:email",
            user_id="u-1",
            event_id=f"evt-{n}",
            channel=Channel.EMAIL,
            kind=Kind.WELCOME,
            subject="Welcome",
            status=Status.QUEUED,
            data={},
            created_at=self.clock.now,
            attempts=attempts,
        )
        await self.store.create(notification)
        await self.queue.enqueue(notification.id)
        return notification.id


async def test_a_queued_notification_whose_job_is_gone_gets_a_new_one():
    sweep = Sweep()
    stuck = await sweep.queued(1, attempts=2)
    sweep.queue.finish(stuck)  # arq dropped the job; the record stays QUEUED

    sweep.clock.now += timedelta(seconds=59)
    assert await sweep.requeue() == 0  # not yet: the bridge may be about to enqueue it
    sweep.clock.now += timedelta(seconds=1)
    assert await sweep.requeue() == 1
    assert sweep.queue.enqueued == [stuck, stuck]
    assert await sweep.queue.has_job(stuck)
    # The attempts stay counted in the record: the new job carries on from there.
    assert sweep.store.by_id[stuck].attempts == 2


async def test_a_notification_with_a_live_job_is_left_alone_and_checked_again_later():
    sweep = Sweep()
    waiting = await sweep.queued(1)  # e.g. deferred for a retry in 300 s
    sweep.clock.now += timedelta(seconds=80)
    assert await sweep.requeue() == 0
    assert sweep.queue.enqueued == [waiting]
    assert sweep.store.queued[waiting] == sweep.clock.now  # seen now: next look in 60 s

    sweep.queue.finish(waiting)
    sweep.clock.now += timedelta(seconds=30)
    assert await sweep.requeue() == 0  # seen 30 s ago
    sweep.clock.now += timedelta(seconds=30)
    assert await sweep.requeue() == 1


async def test_done_or_expired_notifications_leave_the_list_and_get_no_job():
    sweep = Sweep()
    done, gone = await sweep.queued(1), await sweep.queued(2)
    for notification_id in (done, gone):
        sweep.queue.finish(notification_id)
    # SENT by a path that left it listed (the Redis script unlists it in the same step)
    sweep.store.by_id[done] = replace(sweep.store.by_id[done], status=Status.SENT)
    del sweep.store.by_id[gone]  # the record expired
    sweep.clock.now += timedelta(seconds=61)

    assert await sweep.requeue() == 0
    assert sweep.queue.enqueued == [done, gone]
    assert sweep.store.queued == {}
