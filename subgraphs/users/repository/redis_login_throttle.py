"""The `LoginThrottle` port on Redis: attempts per email since the last success.

Key `users:login-failures:<sha256 of the email>` counts attempts (INCR before
the password is checked, so parallel guesses are counted too), expires
`window` after the first one, and is deleted by a success. Keyed by email
alone, so anyone can keep an account locked for a window by guessing; the
window is short (60 s) and the gateway also limits attempts per client.
Redis unreachable: sign-in is not throttled (logged).

A second instance with `prefix="users:reset-requests:"` counts password reset
requests per email the same way (never reset by a success).
"""

from __future__ import annotations

import hashlib
import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class RedisLoginThrottle:
    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        max_failures: int,
        window_seconds: int,
        prefix: str = "users:login-failures:",
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._max_failures = max_failures
        self._window_seconds = window_seconds

    def _key(self, email: str) -> str:
        return self._prefix + hashlib.sha256(email.encode()).hexdigest()

    async def attempt(self, key: str) -> bool:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(self._key(key))
                pipe.expire(self._key(key), self._window_seconds, nx=True)
                attempts, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("login throttle unavailable", extra={"error": repr(exc)})
            return True
        return int(attempts) <= self._max_failures

    async def succeeded(self, key: str) -> None:
        try:
            await self._redis.delete(self._key(key))
        except (RedisError, OSError) as exc:
            log.warning("login throttle unavailable", extra={"error": repr(exc)})
