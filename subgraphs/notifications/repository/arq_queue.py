"""The `DeliveryQueue` port on arq, with JSON (never pickle) job serialization.

A delivery job is `deliver_notification(<notification id>)` under the job id
`<notification id>` (= `<event id>:<channel>`), so enqueuing it again while
the job or its result exists does nothing. After that the notification's own
status and sent key take over (see `usecase.deliver`).

`requeue` is for the stuck-notification sweep: a QUEUED notification whose
job arq dropped (failed, expired, out of tries) gets a new job, after what
is left of the old one (its result, its try counter) is cleared, unless a
job exists again by then.
"""

from __future__ import annotations

import json
from typing import Any

from arq.connections import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix, retry_key_prefix
from redis.asyncio import ConnectionPool
from redis.exceptions import WatchError

DELIVER_JOB = "deliver_notification"


def job_serializer(value: Any) -> bytes:
    """JSON for arq's job and result records; anything else (an exception) as its text."""
    return json.dumps(value, default=_as_text, separators=(",", ":")).encode()


def job_deserializer(raw: bytes) -> Any:
    return json.loads(raw)


def _as_text(value: object) -> str:
    return f"{type(value).__name__}: {value}"


def arq_client(redis_url: str, queue_name: str) -> ArqRedis:
    """An arq client on `redis_url` with JSON serialization; connects on first use."""
    return ArqRedis(
        ConnectionPool.from_url(redis_url),
        job_serializer=job_serializer,
        job_deserializer=job_deserializer,
        default_queue_name=queue_name,
    )


class ArqDeliveryQueue:
    def __init__(self, arq: ArqRedis) -> None:
        self._arq = arq

    async def enqueue(self, notification_id: str) -> None:
        await self._arq.enqueue_job(DELIVER_JOB, notification_id, _job_id=notification_id)

    async def has_job(self, notification_id: str) -> bool:
        return bool(await self._arq.exists(job_key_prefix + notification_id))

    async def requeue(self, notification_id: str, attempt: int) -> bool:
        job_key = job_key_prefix + notification_id
        async with self._arq.pipeline(transaction=True) as pipe:
            await pipe.watch(job_key)
            if await pipe.exists(job_key):
                await pipe.reset()
                return False
            pipe.multi()
            pipe.delete(result_key_prefix + notification_id, retry_key_prefix + notification_id)
            try:
                await pipe.execute()
            except WatchError:  # a job was queued meanwhile
                return False
        job = await self._arq.enqueue_job(
            DELIVER_JOB, notification_id, _job_id=notification_id, _job_try=attempt
        )
        return job is not None
