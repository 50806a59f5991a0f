"""The throttle ports on Redis: counts per window, and growing sign-in delays.

Keys hold a SHA-256 of what they count (an email or a client address), never
the value itself. Any Redis error becomes `ThrottleUnavailable`: the use case
then refuses the request (fails closed).

- `RedisRateLimit`: `<prefix><hash>` is INCRed per request and expires
  `window` after the first; past `limit` the answer is the key's TTL.
- `RedisSignInBackoff`: a hash per email with the failures counted and the
  time before which no attempt is checked; one Lua script reads, counts and
  sets the next delay atomically, so parallel guesses cannot slip through.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from subgraphs.users.domain.throttling import BackoffPolicy
from subgraphs.users.usecase.ports import ThrottleUnavailable

Now = Callable[[], float]
T = TypeVar("T")


def _hashed(prefix: str, value: str) -> str:
    return prefix + hashlib.sha256(value.encode()).hexdigest()


async def _guarded(call: Awaitable[T]) -> T:
    try:
        return await call
    except (RedisError, OSError) as exc:
        raise ThrottleUnavailable(repr(exc)) from exc


class RedisRateLimit:
    """At most `limit` requests per key in a fixed window; `limit` 0 counts nothing."""

    def __init__(self, redis: aioredis.Redis, *, prefix: str, limit: int, window_seconds: int):
        self._redis = redis
        self._prefix = prefix
        self._limit = limit
        self._window = window_seconds

    async def hit(self, key: str) -> int:
        if self._limit <= 0:
            return 0
        name = _hashed(self._prefix, key)

        async def count() -> tuple[int, int]:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, self._window, nx=True)
                pipe.ttl(name)
                hits, _, ttl = await pipe.execute()
            return int(hits), int(ttl)

        hits, ttl = await _guarded(count())
        return 0 if hits <= self._limit else max(1, ttl)


# KEYS[1] the account's hash; ARGV: now, free failures, base, max, memory (seconds).
# Returns the seconds to wait (0: admitted, and counted as a failure until a success).
_ADMIT = """
local now = tonumber(ARGV[1])
local not_before = tonumber(redis.call('HGET', KEYS[1], 'not_before') or '0')
if now < not_before then return math.ceil(not_before - now) end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local free, base, cap = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local delay = 0
if failures >= free then delay = math.min(cap, base * 2 ^ math.min(failures - free, 30)) end
redis.call('HSET', KEYS[1], 'not_before', now + delay)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return 0
"""


class RedisSignInBackoff:
    """The `SignInBackoff` port: `policy`'s delays, kept per email in Redis."""

    def __init__(
        self,
        redis: aioredis.Redis,
        policy: BackoffPolicy,
        *,
        prefix: str = "users:sign-in-backoff:",
        now: Now = time.time,
    ) -> None:
        self._redis = redis
        self._policy = policy
        self._prefix = prefix
        self._now = now
        self._admit = redis.register_script(_ADMIT)

    async def admit(self, key: str) -> int:
        p = self._policy
        args = [self._now(), p.free_failures, p.base_seconds, p.max_seconds, p.memory_seconds]
        wait = await _guarded(self._admit(keys=[_hashed(self._prefix, key)], args=args))
        return math.ceil(float(wait))

    async def succeeded(self, key: str) -> None:
        await _guarded(self._redis.delete(_hashed(self._prefix, key)))
