"""Work a request starts but does not wait for, owned by the app's lifespan.

For work whose outcome the caller must not learn, not even from how long the
answer took: "forgot password" answers at once whether or not an account
exists, and only then looks the email up and records the reset. Failures are
logged (with the request's correlation id, which the task inherits), never
raised to anyone. Closing waits for the work still running, up to a bound.
Work lost to a crash before it ran is work its caller can simply ask for
again; anything that must happen exactly once belongs in a store, not here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[None]]


class Deferred:
    """Starts work in the background (`deferred(work, what=...)`); a `Resource` for /ready."""

    name = "deferred"
    critical = False

    def __init__(self, *, close_timeout: float = 10.0) -> None:
        self._close_timeout = close_timeout
        self._tasks: set[asyncio.Task[None]] = set()

    def __call__(self, work: Work, *, what: str) -> None:
        task = asyncio.create_task(self._run(work, what), name=f"deferred: {what}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _run(work: Work, what: str) -> None:
        try:
            await work()
        except Exception:
            log.exception("deferred work failed", extra={"work": what})

    async def start(self) -> None:
        pass

    async def ping(self) -> None:
        pass

    async def close(self) -> None:
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=self._close_timeout)
            for task in pending:
                log.warning("deferred work cut short at shutdown", extra={"work": task.get_name()})
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
