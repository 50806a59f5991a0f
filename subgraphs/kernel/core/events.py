"""The event envelope every context publishes and consumes over Redis Streams.

An entry's fields are the envelope's: `id`, `type`, `version`, `occurred_at`
(ISO-8601), `producer`, `correlation_id`, `payload` (JSON) and, when the
event was written inside a traced span, `traceparent` (W3C, stamped by the
outbox): consumers continue that trace. Entries without it still parse.
Stream names are `events.<producer>`.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

# NotRequired and TypedDict are re-exported for the contexts' payload declarations (their
# domain/events.py), which import the kernel's core only. typing_extensions' TypedDict, not
# typing's: pydantic needs it to generate a TypedDict's JSON Schema on Python < 3.12.
from typing import NotRequired as NotRequired

from typing_extensions import TypedDict as TypedDict

from subgraphs.kernel.core.clock import to_milliseconds
from subgraphs.kernel.core.correlation import correlation_id
from subgraphs.kernel.core.ids import new_id


class MalformedEvent(ValueError):
    """A stream entry that is not a valid envelope."""


class EventTooEarly(Exception):
    """The event applies only after another one not handled yet (events of different streams
    overtake each other): the consumer delivers it again later, and logs it as a warning."""


def stream_of(producer: str) -> str:
    return f"events.{producer}"


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    version: int
    occurred_at: datetime
    producer: str
    correlation_id: str | None
    payload: Mapping[str, Any] = field(default_factory=dict)
    traceparent: str | None = None

    @classmethod
    def create(
        cls,
        type: str,
        payload: Mapping[str, Any],
        *,
        producer: str,
        occurred_at: datetime,
        version: int = 1,
    ) -> Event:
        """A new event with a fresh id, carrying the current correlation id.

        `occurred_at` is cut to milliseconds, the precision MongoDB stores.
        """
        return cls(
            id=new_id(),
            type=type,
            version=version,
            occurred_at=to_milliseconds(occurred_at),
            producer=producer,
            correlation_id=correlation_id.get(),
            payload=payload,
        )

    def to_fields(self) -> dict[str, str]:
        fields = {
            "id": self.id,
            "type": self.type,
            "version": str(self.version),
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "producer": self.producer,
            "correlation_id": self.correlation_id or "",
            "payload": json.dumps(self.payload, default=_json_default, separators=(",", ":")),
        }
        if self.traceparent:
            fields["traceparent"] = self.traceparent
        return fields

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> Event:
        try:
            payload = json.loads(fields["payload"])
            occurred_at = datetime.fromisoformat(fields["occurred_at"])
            event = cls(
                id=fields["id"],
                type=fields["type"],
                version=int(fields["version"]),
                occurred_at=occurred_at,
                producer=fields["producer"],
                correlation_id=fields.get("correlation_id") or None,
                payload=payload,
                traceparent=fields.get("traceparent") or None,
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise MalformedEvent(f"not an event envelope: {exc!r}") from exc
        if not event.id or not event.type or not isinstance(payload, dict):
            raise MalformedEvent("an event needs an id, a type and an object payload")
        return event


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Something that happened to an aggregate, recorded by the aggregate itself.

    The unit of work turns it into an `Event` envelope (a new id, the
    producer, the correlation id) when it commits the change. `sequence` is
    its place in the aggregate's history (e.g. the aggregate's version): it
    orders the outbox among events of the same millisecond.
    """

    type: str
    payload: Mapping[str, Any]
    occurred_at: datetime
    sequence: int = 0
    version: int = 1

    def envelope(self, producer: str) -> Event:
        return Event.create(
            self.type,
            self.payload,
            producer=producer,
            occurred_at=self.occurred_at,
            version=self.version,
        )


P = TypeVar("P", bound=Mapping[str, Any])


class PayloadMismatch(TypeError):
    """A payload whose keys are not those its event's declared payload type has."""


@dataclass(frozen=True, slots=True)
class EventSpec(Generic[P]):
    """One event a context produces: its type, version and payload shape (a `TypedDict`,
    the one this module re-exports).

    Its events are made through it (`spec(payload, occurred_at)`), so the payload the code
    builds is the one declared: the type checker checks the fields' types, the call checks
    the keys. The published JSON Schema of the event is generated from `payload`
    (`tools/event_contracts.py`, docs/events.md "Event contracts").
    """

    type: str
    payload: builtins.type[P]
    version: int = 1
    summary: str = ""

    def __call__(self, payload: P, occurred_at: datetime, *, sequence: int = 0) -> DomainEvent:
        keys = set(payload)
        required: frozenset[str] = getattr(self.payload, "__required_keys__", frozenset())
        optional: frozenset[str] = getattr(self.payload, "__optional_keys__", frozenset())
        missing, unknown = required - keys, keys - required - optional
        if missing or unknown:
            raise PayloadMismatch(
                f"{self.type} v{self.version}: missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        return DomainEvent(self.type, payload, occurred_at, sequence, self.version)


class Recorded(Protocol):
    """An aggregate value with the events of the change that made it (none once loaded)."""

    @property
    def events(self) -> Sequence[DomainEvent]: ...


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} in an event payload")
