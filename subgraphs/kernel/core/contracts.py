"""What a consumer reads of other contexts' events, declared next to its handlers.

A consumer group lists, per event type and version it handles, the payload fields its
handlers read (`Reads`). The stream consumer dead-letters an entry of a handled type whose
version is not declared (`unknown_version`), and `tools/event_contracts.py` checks the
declarations against the producers' schemas: a producer change that removes or retypes a
field some consumer reads fails `make schema-check`, naming the consumer.

Field paths: `order_id`, `prices` (the whole value), `refund.reason` (a field of an
object), `items[].sku` (the field of each item of a list), `items[]` (each item itself).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from subgraphs.kernel.core.events import Event


@dataclass(frozen=True, slots=True)
class Reads:
    """Event `type` at `version` is handled, and these payload `fields` of it are read."""

    type: str
    version: int = 1
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Consumes:
    """What consumer group `group` reads of the events of `producers`."""

    group: str
    producers: tuple[str, ...]
    reads: tuple[Reads, ...]

    def versions(self) -> Mapping[str, frozenset[int]]:
        """The versions declared of each event type."""
        known: dict[str, set[int]] = {}
        for read in self.reads:
            known.setdefault(read.type, set()).add(read.version)
        return {type_: frozenset(versions) for type_, versions in known.items()}

    def undeclared(self, handled: Sequence[str]) -> list[str]:
        """The handled event types that have no declaration."""
        known = self.versions()
        return sorted(t for t in handled if t not in known)


def unknown_version(event: Event, known: Mapping[str, frozenset[int]]) -> str | None:
    """Why `event` cannot be handled (a version of its type nobody declared), or None."""
    versions = known.get(event.type)
    if versions is None or event.version in versions:
        return None
    declared = ", ".join(str(v) for v in sorted(versions))
    return f"unknown version {event.version} of {event.type} (this consumer reads {declared})"
