"""The `DeliveryQueue` port on arq, with JSON (never pickle) job serialization.

A delivery job is `deliver_notification(<notification id>)` under the job id
`<notification id>` (= `<event id>:<channel>`), so enqueuing it again while
the job or its result exists does nothing. After that the notification's own
status and sent key take over (see `usecase.deliver`).
"""

from __future__ import annotations

import json
from typing import Any

from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool

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
