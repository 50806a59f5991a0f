"""The `NotificationStore` port on Redis: a hash per notification, a sorted set per user and
one per order.

Creation and every status change are Lua scripts, so each is atomic: a
notification is created once (its id is `<event id>:<channel>`), and a SENT
one never goes back to QUEUED or FAILED. Marking it SENT also sets its sent
key in the same step. A provider's report (DELIVERED, or FAILED `undelivered`)
applies once, whatever the status, and nothing changes the status after it:
the report may arrive before the worker recorded SENT.

The sorted set `notifications:queued` lists the QUEUED notifications (scored
by when they were queued, or last seen with a job by the stuck-notification
sweep): creation adds the id, SENT or FAILED removes it, in the same script.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import cast

import redis.asyncio as aioredis

from subgraphs.notifications.domain.notification import (
    Channel,
    DeliveryReport,
    FailureReason,
    Kind,
    Notification,
    Status,
)
from subgraphs.notifications.repository import keys
from subgraphs.notifications.usecase.ports import Page, PageCursor

# KEYS: record, user index, queued list, and the order's index when it is about an order.
# ARGV: ttl seconds, score, id, max per user (and per order), field/value pairs (a new
# notification is QUEUED).
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HGET', KEYS[1], 'status')
end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[1])
-- The user's index, and the order's when given (ipairs stops at a missing KEYS[4]).
for _, index in ipairs({KEYS[2], KEYS[4]}) do
  redis.call('ZADD', index, ARGV[2], ARGV[3])
  redis.call('ZREMRANGEBYRANK', index, 0, -(tonumber(ARGV[4]) + 1))
  redis.call('EXPIRE', index, ARGV[1])
end
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
return false
"""

# KEYS: record, sent key, queued list. ARGV: new status, sent key ttl, receipt, id,
# field/value pairs. SENT sets the sent key whether or not the record still exists; a SENT
# record stays SENT, and a reported one as it was reported. Either way the notification is
# no longer QUEUED.
_FINISH = """
redis.call('ZREM', KEYS[3], ARGV[4])
if ARGV[1] == 'SENT' then
  redis.call('SET', KEYS[2], ARGV[3], 'NX', 'EX', ARGV[2])
end
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'status') == 'SENT'
    or redis.call('HEXISTS', KEYS[1], 'report') == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[1], unpack(ARGV, 5))
return 1
"""

# KEYS: record, sent key, queued list. ARGV: status (DELIVERED or FAILED), the report,
# now, receipt, sent key ttl, id, failure reason, detail. The first report of a notification
# wins; it also counts as sent (sent key, sent_at) since the provider had the message.
_REPORT = """
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'report') == 1 then
  return 0
end
redis.call('ZREM', KEYS[3], ARGV[6])
redis.call('SET', KEYS[2], ARGV[4], 'NX', 'EX', ARGV[5])
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'report', ARGV[2], 'reported_at', ARGV[3])
redis.call('HSETNX', KEYS[1], 'sent_at', ARGV[3])
redis.call('HSETNX', KEYS[1], 'receipt', ARGV[4])
if ARGV[1] == 'FAILED' then
  redis.call('HSET', KEYS[1], 'failure_reason', ARGV[7], 'last_error', ARGV[8])
else
  redis.call('HDEL', KEYS[1], 'failure_reason')
end
return 1
"""

# KEYS: record. Counts an attempt of a QUEUED notification; returns the record's fields.
_BEGIN_ATTEMPT = """
if redis.call('HGET', KEYS[1], 'status') == 'QUEUED' then
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
end
return redis.call('HGETALL', KEYS[1])
"""

# KEYS: record. ARGV: error. Only a QUEUED notification keeps the detail of a failed attempt.
_NOTE_FAILURE = """
if redis.call('HGET', KEYS[1], 'status') ~= 'QUEUED' then
  return 0
end
redis.call('HSET', KEYS[1], 'last_error', ARGV[1])
return 1
"""


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _to_hash(n: Notification) -> dict[str, str]:
    fields = {
        "id": n.id,
        "user_id": n.user_id,
        "event_id": n.event_id,
        "channel": n.channel.value,
        "kind": n.kind.value,
        "subject": n.subject,
        "status": n.status.value,
        "data": json.dumps(n.data, separators=(",", ":")),
        "created_at": n.created_at.astimezone(UTC).isoformat(),
        "attempts": str(n.attempts),
    }
    if n.sent_at is not None:
        fields["sent_at"] = n.sent_at.astimezone(UTC).isoformat()
    if n.failure_reason is not None:
        fields["failure_reason"] = n.failure_reason.value
    if n.last_error is not None:
        fields["last_error"] = n.last_error
    if n.address is not None:
        fields["address"] = n.address
    if n.expires_at is not None:
        fields["expires_at"] = n.expires_at.astimezone(UTC).isoformat()
    return fields


def _from_hash(h: dict[str, str]) -> Notification:
    sent_at = h.get("sent_at")
    failure_reason = h.get("failure_reason")
    expires_at = h.get("expires_at")
    return Notification(
        id=h["id"],
        user_id=h["user_id"],
        event_id=h["event_id"],
        channel=Channel(h["channel"]),
        kind=Kind(h["kind"]),
        subject=h["subject"],
        status=Status(h["status"]),
        data=json.loads(h["data"]),
        created_at=datetime.fromisoformat(h["created_at"]),
        sent_at=datetime.fromisoformat(sent_at) if sent_at else None,
        failure_reason=FailureReason.parse(failure_reason) if failure_reason else None,
        attempts=int(h.get("attempts", "0")),
        last_error=h.get("last_error") or None,
        address=h.get("address") or None,
        expires_at=datetime.fromisoformat(expires_at) if expires_at else None,
    )


def _flatten(fields: dict[str, str]) -> list[str]:
    return [item for pair in fields.items() for item in pair]


class RedisNotificationStore:
    """Notifications kept `retention`, at most `max_per_user` listed per user."""

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        retention: timedelta,
        max_per_user: int,
        sent_key_ttl: timedelta,
    ) -> None:
        self._redis = redis
        self._retention = int(retention.total_seconds())
        self._max_per_user = max_per_user
        self._sent_ttl = int(sent_key_ttl.total_seconds())
        self._create = redis.register_script(_CREATE)
        self._finish = redis.register_script(_FINISH)
        self._begin = redis.register_script(_BEGIN_ATTEMPT)
        self._note = redis.register_script(_NOTE_FAILURE)
        self._report = redis.register_script(_REPORT)

    async def create(self, notification: Notification) -> Status | None:
        order_id = notification.order_id
        existing = await self._create(
            keys=[
                keys.notification(notification.id),
                keys.user_index(notification.user_id),
                keys.QUEUED,
                *([keys.order_index(order_id)] if order_id else []),
            ],
            args=[
                self._retention,
                _ms(notification.created_at),
                notification.id,
                self._max_per_user,
                *_flatten(_to_hash(notification)),
            ],
        )
        return Status(existing) if existing else None

    async def get(self, notification_id: str) -> Notification | None:
        h = await _hgetall(self._redis, keys.notification(notification_id))
        return _from_hash(h) if h else None

    async def page_for_user(self, user_id: str, first: int, after: PageCursor | None) -> Page:
        if first <= 0:  # ZREVRANGE 0 -1 is everything: never let a bound reach Redis like that
            return Page([], has_next=False)
        index = keys.user_index(user_id)
        if after is None:
            ids = await self._redis.zrevrange(index, 0, first)
        else:
            rank = await self._redis.zrevrank(index, after.id)
            if rank is not None:
                ids = await self._redis.zrevrange(index, rank + 1, rank + 1 + first)
            else:  # the cursor's notification expired: continue from its time
                ids = await self._redis.zrevrangebyscore(
                    index, f"({after.created_ms}", "-inf", start=0, num=first + 1
                )
        notifications = await self._load(index, ids[: first + 1])
        return Page(notifications[:first], has_next=len(notifications) > first)

    async def for_order(self, order_id: str, limit: int) -> list[Notification]:
        if limit <= 0:
            return []
        index = keys.order_index(order_id)
        return await self._load(index, await self._redis.zrevrange(index, 0, limit - 1))

    async def _load(self, index: str, ids: list[str]) -> list[Notification]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for notification_id in ids:
                pipe.hgetall(keys.notification(notification_id))
            hashes: list[dict[str, str]] = await pipe.execute()
        expired = [i for i, h in zip(ids, hashes, strict=True) if not h]
        if expired:
            await self._redis.zrem(index, *expired)
        return [_from_hash(h) for h in hashes if h]

    async def begin_attempt(self, notification_id: str) -> Notification | None:
        flat: list[str] = await self._begin(keys=[keys.notification(notification_id)])
        fields = dict(zip(flat[::2], flat[1::2], strict=True))
        return _from_hash(fields) if fields else None

    async def note_failure(self, notification_id: str, detail: str) -> None:
        await self._note(keys=[keys.notification(notification_id)], args=[detail[:500]])

    async def mark_sent(self, notification_id: str, now: datetime, receipt: str) -> None:
        fields = {"sent_at": now.astimezone(UTC).isoformat(), "receipt": receipt}
        await self._finish(
            keys=[keys.notification(notification_id), keys.sent(notification_id), keys.QUEUED],
            args=["SENT", self._sent_ttl, receipt or "1", notification_id, *_flatten(fields)],
        )

    async def mark_failed(self, notification_id: str, reason: FailureReason, detail: str) -> None:
        fields = {"failure_reason": reason.value, "last_error": detail[:500]}
        await self._finish(
            keys=[keys.notification(notification_id), keys.sent(notification_id), keys.QUEUED],
            args=["FAILED", self._sent_ttl, "", notification_id, *_flatten(fields)],
        )

    async def record_report(self, notification_id: str, report: DeliveryReport) -> bool:
        reason = report.failure_reason.value if report.failure_reason else ""
        applied = await self._report(
            keys=[keys.notification(notification_id), keys.sent(notification_id), keys.QUEUED],
            args=[
                report.status.value,
                report.provider_status,
                report.at.astimezone(UTC).isoformat(),
                report.receipt or "1",
                self._sent_ttl,
                notification_id,
                reason,
                report.detail[:500],
            ],
        )
        return bool(applied)

    async def was_sent(self, notification_id: str) -> bool:
        return bool(await self._redis.exists(keys.sent(notification_id)))

    async def queued_before(self, cutoff: datetime, limit: int) -> list[str]:
        ids: list[str] = await self._redis.zrangebyscore(
            keys.QUEUED, "-inf", _ms(cutoff), start=0, num=limit
        )
        return ids

    async def seen_queued(self, notification_id: str, now: datetime) -> None:
        await self._redis.zadd(keys.QUEUED, {notification_id: _ms(now)}, xx=True)

    async def unlist_queued(self, notification_id: str) -> None:
        await self._redis.zrem(keys.QUEUED, notification_id)


async def _hgetall(redis: aioredis.Redis, key: str) -> dict[str, str]:
    # redis-py types its commands for both clients (`Awaitable[T] | T`); this one is async.
    return await cast("Awaitable[dict[str, str]]", redis.hgetall(key))
