"""Long-running loops (outbox relay, stream consumers) owned by the app's lifespan."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Loop = Callable[[asyncio.Event], Awaitable[None]]


class BackgroundTask:
    """Runs `loop(stop)` from startup to shutdown, as a `Resource` for /ready.

    The loop handles its own transient failures; one that escapes is a bug:
    it is logged and the loop is restarted after `restart_seconds`. `ping`
    fails while the task is not running or has crashed `CRASHES_UNHEALTHY`
    times within `CRASH_WINDOW_SECONDS`.
    """

    CRASHES_UNHEALTHY = 3
    CRASH_WINDOW_SECONDS = 60.0

    def __init__(
        self,
        name: str,
        loop: Loop,
        *,
        on_stop: Callable[[], Awaitable[None]] | None = None,
        restart_seconds: float = 1.0,
        stop_timeout: float = 10.0,
        critical: bool = False,
    ) -> None:
        self.name = name
        self.critical = critical
        self._loop = loop
        self._on_stop = on_stop
        self._restart_seconds = restart_seconds
        self._stop_timeout = stop_timeout
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._crashes: list[float] = []

    async def start(self) -> None:
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._supervise(), name=self.name)

    async def _supervise(self) -> None:
        while not self._stop.is_set():
            try:
                await self._loop(self._stop)
            except Exception:
                log.exception("background task failed; restarting", extra={"task": self.name})
                now = time.monotonic()
                self._crashes = [t for t in self._crashes if now - t < self.CRASH_WINDOW_SECONDS]
                self._crashes.append(now)
                await pause(self._stop, self._restart_seconds)

    async def ping(self) -> None:
        if self._task is None or self._task.done():
            raise RuntimeError(f"{self.name} is not running")
        recent = [t for t in self._crashes if time.monotonic() - t < self.CRASH_WINDOW_SECONDS]
        if len(recent) >= self.CRASHES_UNHEALTHY:
            raise RuntimeError(f"{self.name} crashed {len(recent)} times in the last minute")

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, self._stop_timeout)
            except TimeoutError:
                log.warning("background task did not stop in time", extra={"task": self.name})
        if self._on_stop is not None:
            await self._on_stop()


async def pause(stop: asyncio.Event, seconds: float, wake: asyncio.Event | None = None) -> None:
    """Sleep up to `seconds`, returning early once `stop` (or `wake`) is set."""
    events = [stop] if wake is None else [stop, wake]
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def every(seconds: float, work: Callable[[], Awaitable[object]], *, name: str) -> Loop:
    """A loop for `BackgroundTask`: `work()` every `seconds` until stopped.

    A failed pass is logged and the next one comes on time (the store it
    needs may just be away for a moment).
    """

    async def loop(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await work()
            except Exception:
                log.warning(
                    "periodic work failed; trying again", extra={"task": name}, exc_info=True
                )
            await pause(stop, seconds)

    return loop
