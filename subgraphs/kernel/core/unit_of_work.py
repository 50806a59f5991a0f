"""The unit of work port: one state change, its events and the event it applies, all or nothing.

A use case changes an aggregate (which records its domain events), then
hands the write to the unit of work:

    changed = order.transition(OrderStatus.PAID, now)
    await uow(partial(orders.save, changed), recorded=changed, claim=cause.id)

The unit of work runs the repository's write, saves the recorded events as
envelopes in the outbox and claims `claim` (the id of the event being
applied) in one transaction, then wakes the outbox relay. Repositories never
open a transaction themselves. `subgraphs.kernel.stores.mongo.MongoUnitOfWork` is
the MongoDB implementation; tests use an in-memory one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from subgraphs.kernel.core.events import DomainEvent, Recorded


class ConcurrentUpdate(Exception):
    """The record changed since it was read (its version moved on): re-read and decide again.
    Repositories raise it, writing nothing; a unit of work aborts on it."""


@dataclass
class Decided:
    """Events the work decides as it runs (e.g. from the levels a conditional update
    returned): pass it as `recorded` and add to `events` inside the work. A unit of work
    that runs the work again (a transient error) first resets it to what it held before."""

    events: list[DomainEvent] = field(default_factory=list)


# A repository write; it returns False when it wrote nothing (e.g. a version check failed).
Work = Callable[[], Awaitable[bool | None]]


class UnitOfWork(Protocol):
    async def __call__(
        self, work: Work, *, recorded: Recorded | None = None, claim: str | None = None
    ) -> bool:
        """Run `work` and save `recorded`'s events, atomically; True once committed.

        The events are read after `work` has run, so a work may decide them (`Decided`).

        False, with nothing written, when `claim` was claimed before (the event
        was applied already) or when `work` returned False. An exception from
        `work` aborts everything and propagates.
        """

    async def applied(self, event_id: str) -> bool:
        """True if a committed unit of work claimed `event_id` (a cheap check before the work)."""
