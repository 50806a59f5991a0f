"""The `SessionDenyList` port on Redis: one key a revoked session, read by every verifier.

`revoked_session_key(sid)` (the kernel's, so writer and readers agree) is set
with a TTL of the access tokens' lifetime plus the verifiers' leeway: after
that no token of the session could pass anyway.

Redis down when a session is revoked: the revocation itself is already
committed in MongoDB (refresh tokens are refused), and the deny entry is
retried in the background with growing delays (at most `RETRY_MAX_DELAY`
apart, so it lands within seconds of Redis coming back) until it is written
or the tokens it is about would have expired; the first failure and a
give-up are logged as errors. Verifiers keep accepting tokens while they
cannot read Redis either
(see `RedisRevokedSessions`), so the entry lands when it can matter again.
Only a process dying while Redis is down loses the retry; the tokens then
live out their lifetime (the previous behaviour for every logout).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import timedelta

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from subgraphs.kernel.graphql.auth import revoked_session_key
from subgraphs.users.usecase.session_ports import Later

log = logging.getLogger(__name__)

RETRY_FIRST_DELAY = 0.1
RETRY_MAX_DELAY = 1.0


class RedisSessionDenyList:
    def __init__(self, redis: aioredis.Redis, *, keep: timedelta, later: Later) -> None:
        """`keep`: how long an entry lives (the access-token lifetime and the leeway)."""
        self._redis = redis
        self._keep = keep
        self._later = later

    async def deny(self, session_ids: Sequence[str]) -> None:
        ids = tuple(dict.fromkeys(session_ids))
        if not ids:
            return
        error = await self._write(ids)
        if error is None:
            return
        log.error(
            "revoked sessions not denied yet; retrying in the background",
            extra={"sessions": list(ids), "error": error},
        )
        deadline = time.monotonic() + self._keep.total_seconds()

        async def retry() -> None:
            await self._retry(ids, deadline)

        self._later(retry, what="deny revoked sessions")

    async def _write(self, ids: tuple[str, ...]) -> str | None:
        """None once written; otherwise what went wrong."""
        seconds = max(1, int(self._keep.total_seconds()) + 1)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for session_id in ids:
                    pipe.set(revoked_session_key(session_id), "1", ex=seconds)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            return str(exc) or type(exc).__name__
        return None

    async def _retry(self, ids: tuple[str, ...], deadline: float) -> None:
        delay = RETRY_FIRST_DELAY
        while time.monotonic() < deadline:
            await asyncio.sleep(delay)
            if await self._write(ids) is None:
                log.info("revoked sessions denied after a retry", extra={"sessions": list(ids)})
                return
            delay = min(delay * 2, RETRY_MAX_DELAY)
        log.error("revoked sessions never denied", extra={"sessions": list(ids)})
