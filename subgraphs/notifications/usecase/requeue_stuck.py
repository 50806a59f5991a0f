"""The stuck-notification sweep: a QUEUED notification without a job gets one again.

A QUEUED notification normally always has a job: the bridge enqueues it right
after creating it (and, if that fails, does so again when the stream entry is
retried), and a job only ends once the notification is SENT or FAILED. What
this sweep covers is a job that ended anyway with the notification still
QUEUED: arq's hard time limit cut it off, its last spare try passed while
Redis was down (so FAILED could not be recorded), its job record expired, or
a bug. arq keeps such a failed result for an hour and nothing else would ever
queue the notification again.

Every run looks at the notifications QUEUED for longer than `stuck_after`
(at least a job's time limit plus arq's take-over grace, so a job that is
merely slow or waiting for a dead worker's in-progress key to expire is
left alone), oldest first:

- a job still exists (queued, deferred for a retry, running): checked again
  after another `stuck_after`;
- the record expired or is no longer QUEUED: unlisted;
- otherwise a new job is queued, as the attempt after the last one recorded
  (at most the last attempt, which records FAILED whatever happens).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from subgraphs.notifications.usecase.ports import Clock, DeliveryQueue, NotificationStore

log = logging.getLogger(__name__)


class RequeueStuck:
    def __init__(
        self,
        *,
        store: NotificationStore,
        queue: DeliveryQueue,
        clock: Clock,
        stuck_after: timedelta,
        max_attempts: int,
        batch: int = 100,
    ) -> None:
        self._store = store
        self._queue = queue
        self._clock = clock
        self._stuck_after = stuck_after
        self._max_attempts = max_attempts
        self._batch = batch

    async def __call__(self) -> int:
        """One sweep over at most `batch` notifications; how many got a new job."""
        now = self._clock()
        requeued = 0
        for notification_id in await self._store.queued_before(
            now - self._stuck_after, self._batch
        ):
            # The job first, then the record: a job that finishes in between has already
            # recorded SENT or FAILED, so it is never taken for a stuck one.
            if await self._queue.has_job(notification_id):
                await self._store.seen_queued(notification_id, now)
                continue
            notification = await self._store.get(notification_id)
            if notification is None or notification.done:
                await self._store.unlist_queued(notification_id)
                continue
            attempt = min(notification.attempts + 1, self._max_attempts)
            if await self._queue.requeue(notification_id, attempt):
                requeued += 1
                log.warning(
                    "requeued a notification stuck in QUEUED without a job",
                    extra={
                        "notification_id": notification_id,
                        "attempt": attempt,
                        "last_error": notification.last_error,
                    },
                )
            await self._store.seen_queued(notification_id, now)
        return requeued
