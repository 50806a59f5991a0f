"""The sweep: a QUEUED notification whose job is gone gets a job again.

Retries are `Deliver`'s; this only puts back a job that the job queue
dropped without an outcome recorded (its tries used up by runs that never
finished, its time limit, an enqueue that never happened). The new job
carries on from the attempts counted in the record, so it never makes more
attempts than the policy allows: past the last one it records FAILED.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from subgraphs.kernel.core.clock import Clock
from subgraphs.notifications.usecase.ports import DeliveryQueue, NotificationStore

log = logging.getLogger(__name__)


class RequeueStuck:
    """One pass over the notifications QUEUED for longer than `stuck_after`, oldest first."""

    def __init__(
        self,
        *,
        store: NotificationStore,
        queue: DeliveryQueue,
        clock: Clock,
        stuck_after: timedelta,
        batch: int = 100,
    ) -> None:
        self._store = store
        self._queue = queue
        self._clock = clock
        self._stuck_after = stuck_after
        self._batch = batch

    async def __call__(self) -> int:
        """How many got a new job. One with a live job is looked at again `stuck_after` later;
        one that is done or expired leaves the list."""
        now = self._clock()
        requeued = 0
        for notification_id in await self._store.queued_before(
            now - self._stuck_after, self._batch
        ):
            # The job first, then the record: a job that finishes in between has already
            # recorded SENT or FAILED, so it is never taken for a lost one.
            if not await self._queue.has_job(notification_id):
                notification = await self._store.get(notification_id)
                if notification is None or notification.done:
                    await self._store.unlist_queued(notification_id)
                    continue
                await self._queue.enqueue(notification_id)
                requeued += 1
                log.warning(
                    "a QUEUED notification had no job; queued one",
                    extra={"notification_id": notification_id, "attempts": notification.attempts},
                )
            await self._store.seen_queued(notification_id, now)
        return requeued
