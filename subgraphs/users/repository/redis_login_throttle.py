"""The `LoginThrottle` port on Redis: failures per email in a fixed window.

Key `users:login-failures:<sha256 of the email>` counts failures and expires
`window` after the first one. Redis unreachable: sign-in is not throttled
(logged), since the gateway limits attempts per client too.
"""

from __future__ import annotations

import hashlib
import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class RedisLoginThrottle:
    def __init__(self, redis: aioredis.Redis, *, max_failures: int, window_seconds: int) -> None:
        self._redis = redis
        self._max_failures = max_failures
        self._window_seconds = window_seconds

    @staticmethod
    def _key(email: str) -> str:
        return "users:login-failures:" + hashlib.sha256(email.encode()).hexdigest()

    async def blocked(self, key: str) -> bool:
        try:
            failures = await self._redis.get(self._key(key))
        except (RedisError, OSError) as exc:
            log.warning("login throttle unavailable", extra={"error": repr(exc)})
            return False
        return failures is not None and int(failures) >= self._max_failures

    async def failed(self, key: str) -> None:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(self._key(key))
                pipe.expire(self._key(key), self._window_seconds, nx=True)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("login throttle unavailable", extra={"error": repr(exc)})

    async def succeeded(self, key: str) -> None:
        try:
            await self._redis.delete(self._key(key))
        except (RedisError, OSError) as exc:
            log.warning("login throttle unavailable", extra={"error": repr(exc)})
