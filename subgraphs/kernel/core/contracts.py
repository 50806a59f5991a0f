"""What a consumer reads of other contexts' events, declared next to its handlers.

A consumer group lists, per event type and version it handles, the payload fields its
handlers read (`Reads`; each context's in `subgraphs/<context>/usecase/events_read.py`).
The declaration binds: the stream consumer hands a handler the event with only those
fields (`Consumes.project`), and dead-letters an entry of a handled type whose version is
not declared (`unknown_version`). `tools/event_contracts.py` checks the declarations
against the producers' schemas: a producer change that removes or retypes a field some
consumer reads fails `make schema-check`, naming the consumer.

Field paths: `order_id`, `prices` (the whole value), `refund.reason` (a field of an
object), `items[].sku` (the field of each item of a list), `items[]` (each item itself).
A value read whole wins over fields of it, whatever the order of the declarations. A value
whose shape contradicts its path (not an object where an object's fields are read, not a
list where a list's items are, an item not an object where an item's fields are) raises
`MalformedEvent` naming the path, so the consumer dead-letters the entry; a null stays null.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from subgraphs.kernel.core.events import Event, MalformedEvent


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

    def project(self, event: Event) -> Event:
        """`event` with only the payload fields declared for its type and version."""
        fields = next(
            (r.fields for r in self.reads if (r.type, r.version) == (event.type, event.version)),
            (),
        )
        return replace(event, payload=project(event.payload, fields))


def unknown_version(event: Event, known: Mapping[str, frozenset[int]]) -> str | None:
    """Why `event` cannot be handled (a version of its type nobody declared), or None."""
    versions = known.get(event.type)
    if versions is None or event.version in versions:
        return None
    declared = ", ".join(str(v) for v in sorted(versions))
    return f"unknown version {event.version} of {event.type} (this consumer reads {declared})"


# The steps of the declared paths as a tree: a step (`refund`, or `items[]`: each item of a
# list) leads to the steps read below it, or to None when its value is read whole.
_Tree = Mapping[str, "_Tree | None"]


def project(payload: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The part of `payload` at the paths `fields`. A field it lacks stays missing; a value
    of another shape than the path says raises `MalformedEvent` naming the path."""
    return _object(payload, _tree(tuple(fields)), "")


@cache
def _tree(fields: tuple[str, ...]) -> _Tree:
    tree: dict[str, Any] = {}
    for path in fields:
        *parents, last = path.split(".")
        node = tree
        for step in parents:
            below = node.setdefault(step, {})
            if below is None:
                break  # read whole already
            node = below
        else:
            node[last] = None
    return tree


def _object(value: Mapping[str, Any], tree: _Tree, path: str) -> dict[str, Any]:
    projected = {}
    for step, below in tree.items():
        name = step.removesuffix("[]")
        if name not in value or (step != name and name in tree and tree[name] is None):
            continue  # missing, or read whole by the step `name` itself
        at = f"{path}{name}"
        part = value[name]
        if step != name:
            projected[name] = _items(part, below, at)
        elif below is not None:
            projected[name] = _fields(part, below, at)
        else:
            projected[name] = part
    return projected


def _fields(value: Any, below: _Tree, path: str) -> Any:
    """The fields `below` of the object `value` at `path`."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise MalformedEvent(f"payload field {path} is not an object")
    return _object(value, below, f"{path}.")


def _items(value: Any, below: _Tree | None, path: str) -> Any:
    """The items of the list `value` at `path`, whole or their fields `below`."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise MalformedEvent(f"payload field {path} is not a list")
    if below is None:
        return value
    items = []
    for item in value:
        if not isinstance(item, Mapping):
            raise MalformedEvent(f"payload field {path}[] has an item that is not an object")
        items.append(_object(item, below, f"{path}[]."))
    return items
