"""Readiness on another context's stream: a consumer group has caught up with it once.

A context that answers from a projection of another's events (orders prices
from its copy of the catalog) is not ready before that projection is filled.
`CaughtUpOnce` is a `Resource` whose ping fails until the stream exists and
is non-empty, and the group has handled everything in it up to the tail seen
at the first such check (delivered up to that tail, nothing of it pending);
from then on it always succeeds (later lag is normal operation, not
unreadiness). The tail is fixed at the first look: measured against the tail
of each check, a process started while events keep coming and the group lags
behind them would never be ready (the stack's supervisor restarted such an
orders process again and again under load).

The events that fill the projection may be gone from the stream (trimmed by
its retention), so having read up to the tail does not prove the projection
is filled: with `filled` (the context's own check of its projection, e.g.
"it holds at least one product") the check also waits until that is true.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import ResponseError


class NotCaughtUp(Exception):
    """The group has not handled the stream up to its tail yet."""


def _entry_id(value: str) -> tuple[int, int]:
    millis, _, seq = value.partition("-")
    return int(millis), int(seq or 0)


class CaughtUpOnce:
    """A readiness check: consumer `group` has handled `stream` up to its tail once (and
    `filled()`, when given, is true)."""

    def __init__(
        self,
        redis: aioredis.Redis,
        stream: str,
        group: str,
        *,
        filled: Callable[[], Awaitable[bool]] | None = None,
        critical: bool = True,
    ) -> None:
        self.name = f"{stream}:caught-up"
        self.critical = critical
        self._redis = redis
        self._stream = stream
        self._group = group
        self._filled = filled
        self._caught_up = False
        self._target: str | None = None  # the tail at the first look at a non-empty stream

    @property
    def caught_up(self) -> bool:
        return self._caught_up

    async def start(self) -> None:
        """Nothing to open; the consumer does the work."""

    async def close(self) -> None:
        """Nothing to close."""

    async def ping(self) -> None:
        if self._caught_up:
            return
        try:
            info = await self._redis.xinfo_stream(self._stream)
            groups = await self._redis.xinfo_groups(self._stream)
        except ResponseError as exc:  # no such stream yet
            raise NotCaughtUp(f"{self._stream} does not exist yet") from exc
        if not info["length"] and self._target is None:
            raise NotCaughtUp(f"{self._stream} is empty")
        tail = self._target = self._target or str(info["last-generated-id"])
        group = next((g for g in groups if g["name"] == self._group), None)
        if group is None:
            raise NotCaughtUp(f"group {self._group} not created on {self._stream} yet")
        if _entry_id(str(group["last-delivered-id"])) < _entry_id(tail):
            raise NotCaughtUp(f"group {self._group} has not read {self._stream} up to {tail}")
        pending = await self._redis.xpending_range(
            self._stream, self._group, min="-", max=tail, count=1
        )
        if pending:
            raise NotCaughtUp(f"group {self._group} still handles entries of {self._stream}")
        if self._filled is not None and not await self._filled():
            raise NotCaughtUp(f"what group {self._group} fills from {self._stream} is empty")
        self._caught_up = True
