"""What the context knows of each user, on Redis: preferences, contacts, recent order totals."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Mapping
from datetime import datetime, timedelta
from typing import Any, cast

import redis.asyncio as aioredis

from subgraphs.notifications.domain.notification import Contact, Preferences
from subgraphs.notifications.repository import keys

# KEYS: contact. ARGV: email ('' = keep), name, phone ('' = none), version (ms).
# The email comes only with users.registered and never changes; name and phone
# are taken from the newest event applied so far.
_APPLY_CONTACT = """
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[1], 'email', ARGV[1])
end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if tonumber(ARGV[4]) < version then
  return 0
end
redis.call('HSET', KEYS[1], 'version', ARGV[4])
for i, field in ipairs({'name', 'phone'}) do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[1], field)
  else
    redis.call('HSET', KEYS[1], field, ARGV[i + 1])
  end
end
return 1
"""


class RedisPreferences:
    """Kept while the user exists (no TTL: users emit no deletion event yet)."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def get(self, user_id: str) -> Preferences:
        h = await _hgetall(self._redis, keys.preferences(user_id))
        if not h:
            return Preferences()
        updated_at = h.get("updated_at")
        return Preferences(
            email=h.get("email", "1") == "1",
            sms=h.get("sms", "0") == "1",
            updated_at=datetime.fromisoformat(updated_at) if updated_at else None,
        )

    async def put(self, user_id: str, preferences: Preferences) -> None:
        fields = {"email": _flag(preferences.email), "sms": _flag(preferences.sms)}
        if preferences.updated_at is not None:
            fields["updated_at"] = preferences.updated_at.isoformat()
        await cast("Awaitable[int]", self._redis.hset(keys.preferences(user_id), mapping=fields))


class RedisContacts:
    """The contact projection, kept while the user exists (no TTL)."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._apply = redis.register_script(_APPLY_CONTACT)

    async def get(self, user_id: str) -> Contact | None:
        h = await _hgetall(self._redis, keys.contact(user_id))
        if not h:
            return None
        verified = h.get("verified") == "1"
        return Contact(user_id, h.get("email"), h.get("name"), h.get("phone"), verified)

    async def apply(
        self,
        user_id: str,
        *,
        email: str | None,
        name: str | None,
        phone: str | None,
        version: int,
    ) -> None:
        await self._apply(
            keys=[keys.contact(user_id)], args=[email or "", name or "", phone or "", version]
        )

    async def mark_verified(self, user_id: str) -> None:
        await cast("Awaitable[int]", self._redis.hset(keys.contact(user_id), "verified", "1"))


class RedisOrderSummaries:
    """Order totals kept `ttl` (receipts come minutes after the order, not months)."""

    def __init__(self, redis: aioredis.Redis, *, ttl: timedelta) -> None:
        self._redis = redis
        self._ttl = ttl

    async def put(self, order_id: str, summary: Mapping[str, Any]) -> None:
        await self._redis.set(keys.order(order_id), json.dumps(dict(summary)), ex=self._ttl)

    async def get(self, order_id: str) -> Mapping[str, Any] | None:
        raw = await self._redis.get(keys.order(order_id))
        summary: Mapping[str, Any] | None = json.loads(raw) if raw else None
        return summary


def _flag(value: bool) -> str:
    return "1" if value else "0"


async def _hgetall(redis: aioredis.Redis, key: str) -> dict[str, str]:
    # redis-py types its commands for both clients (`Awaitable[T] | T`); this one is async.
    return await cast("Awaitable[dict[str, str]]", redis.hgetall(key))
