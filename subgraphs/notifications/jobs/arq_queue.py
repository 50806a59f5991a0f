"""The `DeliveryQueue` port on arq, with JSON (never pickle) job serialization.

A delivery job is `deliver_notification(<notification id>)` (plus the
enqueuer's `traceparent` when tracing is on) under the job id
`<notification id>` (= `<event id>:<channel>`) on the queue `QUEUE`, so
enqueuing it again while the job exists does nothing. arq keeps no result of
a finished job (the worker runs with `keep_result=0`), so once a job is gone
nothing of it blocks a new one; the notification's own status and sent key
keep the sending once in effect (see `usecase.deliver`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from arq.connections import ArqRedis
from arq.jobs import Job, JobStatus
from redis.asyncio import ConnectionPool

from subgraphs.kernel.observability import telemetry

log = logging.getLogger(__name__)

DELIVER_JOB = "deliver_notification"
# arq's queue of delivery jobs (a sorted set), and the key its worker refreshes while alive.
QUEUE = "notifications:jobs"
WORKER_HEALTH = f"{QUEUE}:health-check"

Wake = Callable[[str], Awaitable[None]]


def job_serializer(value: Any) -> bytes:
    """JSON for arq's job records; anything else (an exception) as its text."""
    return json.dumps(value, default=_as_text, separators=(",", ":")).encode()


def job_deserializer(raw: bytes) -> Any:
    return json.loads(raw)


def _as_text(value: object) -> str:
    return f"{type(value).__name__}: {value}"


def arq_client(redis_url: str) -> ArqRedis:
    """An arq client on `redis_url` with JSON serialization; connects on first use."""
    return ArqRedis(
        ConnectionPool.from_url(redis_url),
        job_serializer=job_serializer,
        job_deserializer=job_deserializer,
        default_queue_name=QUEUE,
    )


class ArqDeliveryQueue:
    """Enqueues delivery jobs; `wake(job id)`, if given, is told of each job it queued (the
    worker in this process starts it at once instead of at its next poll)."""

    def __init__(self, arq: ArqRedis, *, wake: Wake | None = None) -> None:
        self._arq = arq
        self._wake = wake

    async def enqueue(self, notification_id: str) -> None:
        job = await self._arq.enqueue_job(
            DELIVER_JOB, notification_id, _job_id=notification_id, **telemetry.job_trace()
        )
        if job is not None and self._wake is not None:
            await self._wake(notification_id)

    async def has_job(self, notification_id: str) -> bool:
        status = await Job(notification_id, self._arq, _queue_name=QUEUE).status()
        return status in (JobStatus.queued, JobStatus.deferred, JobStatus.in_progress)
