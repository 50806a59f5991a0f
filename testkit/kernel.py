"""Fakes of the kernel's ports: clocks, ids, the unit of work, the token verifier."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

from subgraphs.kernel.core.events import Event, Recorded
from subgraphs.kernel.core.unit_of_work import Work
from subgraphs.kernel.graphql.auth import Principal

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class SteppingClock:
    """A clock one second further on each time it is read."""

    def __init__(self, start: datetime = EPOCH) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class FakeTime:
    """A clock that only moves when someone sleeps (to the millisecond, like MongoDB)."""

    def __init__(self, start: datetime = EPOCH) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)  # let the other tasks run, as a real sleep would


class SequentialIds:
    """Ids `<prefix>-1`, `<prefix>-2`, ..."""

    def __init__(self, prefix: str = "id") -> None:
        self._counter = itertools.count(1)
        self._prefix = prefix

    def __call__(self) -> str:
        return f"{self._prefix}-{next(self._counter)}"


class InMemoryUnitOfWork:
    """The `UnitOfWork` port in memory: `events` holds what the outbox would get.

    A work that raises or returns False leaves no events and no claim, like
    an aborted transaction. (In-memory repositories write as they go, so the
    fakes must check before they write, as the MongoDB adapters' single
    writes do.)
    """

    def __init__(self, producer: str) -> None:
        self.producer = producer
        self.events: list[Event] = []
        self.claimed: set[str] = set()

    async def __call__(
        self, work: Work, *, recorded: Recorded | None = None, claim: str | None = None
    ) -> bool:
        if claim is not None:
            if claim in self.claimed:
                return False
            self.claimed.add(claim)  # before the work, so a concurrent duplicate skips
        written = False
        try:
            written = await work() is not False
        finally:
            if claim is not None and not written:
                self.claimed.discard(claim)  # aborted: the event may be applied again
        if not written:
            return False
        if recorded is not None:
            self.events.extend(e.envelope(self.producer) for e in recorded.events)
        return True

    async def applied(self, event_id: str) -> bool:
        return event_id in self.claimed


class StubVerifier:
    """The `TokenVerifier` port without cryptography: the token is the user id."""

    async def verify(self, token: str) -> Principal:
        return Principal(user_id=token)
