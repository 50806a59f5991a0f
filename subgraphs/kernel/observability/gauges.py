"""Operations metrics read from the stores when `/metrics` is scraped.

Counters count what this process did (`kernel.observability.metrics`); these report the
state of a shared store (a stream's consumer group, an outbox, a job queue),
so every replica of a process reports the same value: aggregate with `max`.

A component registers its `Collector` while it runs (`register` when it
starts, `unregister` when it stops): a stopped component's store may be
closed, and asking a closed Redis client opens a connection that nobody
closes. The registry holds collectors weakly too, so one that is gone stops
being reported. `render()` asks every live collector, each within
`TIMEOUT_SECONDS`; one whose store does not answer is left out of that
scrape (and logged), never failing the whole page.

| metric | type | labels |
|---|---|---|
| `events_consumer_pending` | gauge | stream, group |
| `events_consumer_lag` | gauge | stream, group |
| `events_dead_letters_total` | counter | group |
| `outbox_pending` | gauge | producer |
| `outbox_oldest_pending_age_seconds` | gauge | producer |

(`arq_queue_depth` and `arq_jobs_total` are the notifications worker's.)
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar, cast

import redis.asyncio as aioredis
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from redis.exceptions import ResponseError

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2.0

Kind = Literal["gauge", "counter"]


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    kind: Kind
    help: str
    labels: Mapping[str, str]
    value: float


class Collector(Protocol):
    name: str

    async def collect(self) -> Iterable[Sample]: ...


_COLLECTORS: weakref.WeakSet[Any] = weakref.WeakSet()

C = TypeVar("C", bound=Collector)


def register(collector: C) -> C:
    """Report `collector` at `/metrics` for as long as it lives; returns it."""
    _COLLECTORS.add(collector)
    return collector


def unregister(collector: Collector) -> None:
    """Stop reporting `collector` (its component stopped; its store may be closed)."""
    _COLLECTORS.discard(collector)


async def render() -> str:
    """Every live collector's samples as Prometheus text ("" when there are none)."""
    collectors = list(_COLLECTORS)
    if not collectors:
        return ""
    results = await asyncio.gather(*(_collect(c) for c in collectors))
    series: dict[str, tuple[Sample, dict[tuple[tuple[str, str], ...], float]]] = {}
    for samples in results:
        for sample in samples:
            _, values = series.setdefault(sample.name, (sample, {}))
            # Two collectors of the same thing (two consumers of one group) say the same.
            values[tuple(sorted(sample.labels.items()))] = sample.value
    lines: list[str] = []
    for name in sorted(series):
        first, values = series[name]
        lines += [f"# HELP {name} {first.help}", f"# TYPE {name} {first.kind}"]
        for key, value in sorted(values.items()):
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in key)
            lines.append(f"{name}{{{labels}}} {value:g}")
    return "\n".join(lines) + "\n"


async def _collect(collector: Collector) -> list[Sample]:
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            return list(await collector.collect())
    except Exception as exc:  # a store that does not answer costs its samples, not the page
        log.warning(
            "metrics collector failed", extra={"collector": collector.name, "error": repr(exc)}
        )
        return []


class ConsumerGauges:
    """A consumer group's pending entries and lag per stream, and its dead-letter count."""

    name = "stream-consumer"

    def __init__(
        self, redis: aioredis.Redis, group: str, streams: Iterable[str], dead_counts: str
    ) -> None:
        self._redis = redis
        self._group = group
        self._streams = list(streams)
        self._dead_counts = dead_counts

    async def collect(self) -> list[Sample]:
        samples = []
        for stream in self._streams:
            try:
                groups = await self._redis.xinfo_groups(stream)
            except ResponseError:  # no such stream yet
                groups = []
            info = next((g for g in groups if g["name"] == self._group), None)
            labels = {"stream": stream, "group": self._group}
            pending = info["pending"] if info else 0
            samples.append(Sample("events_consumer_pending", "gauge", PENDING, labels, pending))
            lag = info.get("lag") if info else 0
            if lag is not None:  # unknown when entries were deleted from the stream
                samples.append(Sample("events_consumer_lag", "gauge", LAG, labels, lag))
        # redis-py types its commands for both clients (`Awaitable[T] | T`); this one is async.
        dead = await cast("Awaitable[str | None]", self._redis.hget(self._dead_counts, self._group))
        samples.append(
            Sample(
                "events_dead_letters_total",
                "counter",
                DEAD,
                {"group": self._group},
                float(dead or 0),
            )
        )
        return samples


class OutboxGauges:
    """How many events of an outbox wait to be published, and how long the oldest has."""

    name = "outbox"

    def __init__(
        self, outbox: AsyncCollection[Any], producer: str, clock: Callable[[], datetime]
    ) -> None:
        self._outbox = outbox
        self._producer = producer
        self._clock = clock

    async def collect(self) -> list[Sample]:
        pending = {"published": False}
        count = await self._outbox.count_documents(pending)
        oldest = await self._outbox.find_one(
            pending, {"occurred_at": 1}, sort=[("occurred_at", ASCENDING)]
        )
        age = (self._clock() - oldest["occurred_at"]).total_seconds() if oldest else 0.0
        labels = {"producer": self._producer}
        return [
            Sample("outbox_pending", "gauge", OUTBOX_PENDING, labels, count),
            Sample("outbox_oldest_pending_age_seconds", "gauge", OUTBOX_AGE, labels, max(age, 0)),
        ]


PENDING = "Entries delivered to the consumer group and not acknowledged yet."
LAG = "Entries in the stream not yet delivered to the consumer group."
DEAD = "Entries the consumer group moved to its dead-letter stream."
OUTBOX_PENDING = "Events committed to the outbox and not yet published."
OUTBOX_AGE = "Age of the oldest unpublished outbox event (0 when none)."


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
