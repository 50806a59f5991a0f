"""The local default SMS provider: records each message in Redis instead of sending it.

Messages go to the list `notifications:sms:outbox`, newest first, as JSON
`{key, to, text, at}`; it keeps the newest `keep` of them. A real provider
(an HTTP API) plugs in behind the same `ChannelSender` port.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from subgraphs.kernel.observability import telemetry
from subgraphs.notifications.usecase.ports import OutgoingMessage, TemporaryFailure

OUTBOX = "notifications:sms:outbox"


class RecordingSmsChannel:
    def __init__(self, redis: aioredis.Redis, *, keep: int = 1000) -> None:
        self._redis = redis
        self._keep = keep

    @telemetry.traced("sms send")
    async def send(self, message: OutgoingMessage) -> str:
        record = {
            "key": message.key,
            "to": message.to,
            "text": message.text,
            "at": datetime.now(UTC).isoformat(),
        }
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.lpush(OUTBOX, json.dumps(record))
                pipe.ltrim(OUTBOX, 0, self._keep - 1)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise TemporaryFailure(f"sms outbox unavailable: {exc!r}") from exc
        return f"local-sms:{message.key}"
