"""Event contracts between contexts: the producers' payload schemas and what consumers read.

Each context declares the events it publishes in ``subgraphs/<context>/domain/events.py``
(``PRODUCED``: one ``EventSpec`` a type and version, its payload a TypedDict the code builds
it with), and each consumer group what it reads of other contexts' events, next to its
handlers (a ``Consumes`` at module level of the context's ``app.py`` or ``worker.py``).

``python -m tools.event_contracts write`` generates a JSON Schema per event (type, version)
from the code and writes them, with the envelope and the consumers, as the AsyncAPI 3.0
document ``docs/events.asyncapi.yaml`` (the published contracts; a test fails when it is stale).

``python -m tools.event_contracts check [--context NAME]`` (``make schema-check``) compares
the code's producer schemas with the published document and with every consumer's
declarations, and fails (exit 1), naming who breaks whom, when:

- an event changed against the published document without raising its version: a field
  removed, retyped, or no longer always present (adding a field is free);
- a producer change removes or retypes a field a consumer reads, or a consumer reads a
  field, an event or a version nobody publishes, or from a stream it does not consume.

``--context NAME`` reports only what NAME publishes or reads. Exit 0 when nothing breaks,
2 when the published document cannot be read.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter

from subgraphs.kernel.core.events import EventSpec, stream_of
from subgraphs.kernel.messaging.contracts import Consumes, Reads

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "events.asyncapi.yaml"
CONTEXTS = ("users", "catalog", "orders", "payments", "notifications")
# Where a context declares what it publishes, and where its consumers are wired.
PRODUCER_MODULE = "subgraphs.{context}.domain.events"
CONSUMER_MODULES = ("subgraphs.{context}.app", "subgraphs.{context}.worker")
SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12"

Key = tuple[str, int]  # an event's type and version


@dataclass(frozen=True, slots=True)
class Published:
    """One event (type, version) as a producer publishes it."""

    producer: str
    type: str
    version: int
    summary: str
    schema: Mapping[str, Any]

    @property
    def key(self) -> Key:
        return self.type, self.version


@dataclass(frozen=True, slots=True)
class Consumer:
    """A consumer group's declaration, and the context it belongs to."""

    context: str
    declaration: Consumes


@dataclass(frozen=True, slots=True)
class Break:
    """A contract broken: `message` names the event, the field and who is hurt."""

    producer: str
    consumer: str | None
    message: str

    def concerns(self, context: str) -> bool:
        return context in (self.producer, self.consumer)


# -- what the code declares ---------------------------------------------------------------


def payload_schema(spec: EventSpec[Any]) -> dict[str, Any]:
    """The JSON Schema (2020-12) of `spec`'s payload, with no references (each self-contained)."""
    schema = TypeAdapter(spec.payload).json_schema()
    definitions = schema.pop("$defs", {})
    return _inlined(schema, definitions)


def _inlined(node: Any, definitions: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            return _inlined(definitions[ref.rsplit("/", 1)[-1]], definitions)
        return {k: _inlined(v, definitions) for k, v in node.items()}
    if isinstance(node, list):
        return [_inlined(v, definitions) for v in node]
    return node


def produced(contexts: Iterable[str] = CONTEXTS) -> dict[Key, Published]:
    """Every event the code publishes, by type and version."""
    events: dict[Key, Published] = {}
    for context in contexts:
        name = PRODUCER_MODULE.format(context=context)
        if importlib.util.find_spec(name) is None:
            continue  # a context that publishes nothing
        for spec in importlib.import_module(name).PRODUCED:
            event = Published(context, spec.type, spec.version, spec.summary, payload_schema(spec))
            if event.key in events:
                raise ValueError(f"{spec.type} v{spec.version} is declared twice")
            events[event.key] = event
    return events


def consumers(contexts: Iterable[str] = CONTEXTS) -> list[Consumer]:
    """Every consumer group's declaration (module-level `Consumes` of its wiring)."""
    found = []
    for context in contexts:
        for pattern in CONSUMER_MODULES:
            name = pattern.format(context=context)
            if importlib.util.find_spec(name) is None:
                continue
            module = importlib.import_module(name)
            found += [
                Consumer(context, value)
                for value in vars(module).values()
                if isinstance(value, Consumes)
            ]
    return found


# -- the published document ---------------------------------------------------------------

ENVELOPE_DESCRIPTION = (
    "A Redis Streams entry; its fields are the envelope (subgraphs/kernel/core/events.py). "
    "Delivery is at least once: consumers are idempotent on `id`."
)


def _envelope() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "type": "object",
        "description": ENVELOPE_DESCRIPTION,
        "properties": {
            "id": {**text, "description": "The event's id (consumers' idempotency key)."},
            "type": {**text, "description": "The event type, e.g. orders.created."},
            "version": {
                **text,
                "description": "The payload's version (an integer); raised when a field is "
                "removed or retyped. A consumer dead-letters a version it does not declare.",
            },
            "occurred_at": {**text, "format": "date-time"},
            "producer": {**text, "description": "The publishing context (the stream's)."},
            "correlation_id": {
                **text,
                "description": "The request that caused it; empty when none.",
            },
            "traceparent": {**text, "description": "W3C trace context, when traced."},
            "payload": {**text, "description": "The payload, as JSON (the message payload)."},
        },
        "required": ["id", "type", "version", "occurred_at", "producer", "payload"],
    }


def _headers(event: Published) -> dict[str, Any]:
    """The envelope, with the values this event's entries carry."""
    return {
        "allOf": [
            {"$ref": "#/components/schemas/envelope"},
            {
                "type": "object",
                "properties": {
                    "type": {"const": event.type},
                    "version": {"const": str(event.version)},
                    "producer": {"const": event.producer},
                },
            },
        ]
    }


def message_id(event: Published) -> str:
    return f"{event.type}.v{event.version}"


def document(events: Mapping[Key, Published], groups: Sequence[Consumer]) -> dict[str, Any]:
    """The AsyncAPI 3.0 document: a channel a producer's stream, a message an event
    (envelope as headers, payload schema), a send operation a producer and a receive
    operation a consumer group and stream (with the fields it reads)."""
    ordered = sorted(events.values(), key=lambda e: (e.producer, e.type, e.version))
    producers = sorted({e.producer for e in ordered})
    messages = {
        message_id(e): {
            "name": e.type,
            "title": f"{e.type} v{e.version}",
            "summary": e.summary,
            "contentType": "application/json",
            "headers": _headers(e),
            "payload": {"schemaFormat": SCHEMA_FORMAT, "schema": dict(e.schema)},
        }
        for e in ordered
    }
    channels = {
        stream_of(p): {
            "address": stream_of(p),
            "description": f"The events {p} publishes (one Redis stream).",
            "messages": {
                message_id(e): {"$ref": f"#/components/messages/{message_id(e)}"}
                for e in ordered
                if e.producer == p
            },
        }
        for p in producers
    }
    operations: dict[str, Any] = {}
    for p in producers:
        operations[f"{p}.publish"] = {
            "action": "send",
            "summary": f"{p} publishes through its outbox.",
            "channel": {"$ref": f"#/channels/{stream_of(p)}"},
            "messages": [
                {"$ref": f"#/channels/{stream_of(p)}/messages/{message_id(e)}"}
                for e in ordered
                if e.producer == p
            ],
        }
    for group in sorted(groups, key=lambda g: g.declaration.group):
        decl = group.declaration
        for p in sorted(decl.producers):
            reads = [r for r in decl.reads if (r.type, r.version) in events and _by(events, r, p)]
            if not reads:
                continue
            operations[f"{decl.group}.consume.{p}"] = {
                "action": "receive",
                "summary": f"Consumer group {decl.group} ({group.context}) reads these fields.",
                "channel": {"$ref": f"#/channels/{stream_of(p)}"},
                "messages": [
                    {"$ref": f"#/channels/{stream_of(p)}/messages/{r.type}.v{r.version}"}
                    for r in reads
                ],
                "x-reads": {f"{r.type}.v{r.version}": list(r.fields) for r in reads},
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Commerce events",
            "version": "1.0.0",
            "description": "The events the contexts publish to each other, generated from "
            "the code by `python -m tools.event_contracts write` (docs/events.md).",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": {"envelope": _envelope()}, "messages": messages},
    }


def _by(events: Mapping[Key, Published], read: Reads, producer: str) -> bool:
    return events[(read.type, read.version)].producer == producer


def render(doc: Mapping[str, Any]) -> str:
    header = "# Generated by `python -m tools.event_contracts write`: do not edit.\n"
    return header + yaml.safe_dump(dict(doc), sort_keys=False, width=100, allow_unicode=True)


def published(path: Path = DOCUMENT) -> dict[Key, Published]:
    """The events of a published document (empty when there is none)."""
    if not path.exists():
        return {}
    events: dict[Key, Published] = {}
    try:
        doc = yaml.safe_load(path.read_text()) or {}
        for message in (doc.get("components") or {}).get("messages", {}).values():
            envelope = message["headers"]["allOf"][1]["properties"]
            event = Published(
                producer=envelope["producer"]["const"],
                type=message["name"],
                version=int(envelope["version"]["const"]),
                summary=message.get("summary", ""),
                schema=message["payload"]["schema"],
            )
            events[event.key] = event
    except (yaml.YAMLError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise UnreadableBaseline(f"{path} is not a document this tool wrote: {exc!r}") from exc
    return events


class UnreadableBaseline(Exception):
    """The published document cannot be read."""


# -- the checks ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    """A payload field's shape (its schema without annotations or children) and whether
    every payload has it."""

    shape: str
    required: bool


_NOT_SHAPE = frozenset({"title", "description", "default", "examples", "properties", "required"})


def fields(schema: Mapping[str, Any]) -> dict[str, Field]:
    """Every field of a payload schema by path (`a`, `a.b`, `a[]`, `a[].b`)."""
    found: dict[str, Field] = {}
    _walk(schema, "", found)
    return found


def _walk(node: Mapping[str, Any], path: str, found: dict[str, Field]) -> None:
    for branch in node.get("anyOf", ()):  # e.g. an object or null: its fields, where present
        _walk(branch, path, found)
    required = set(node.get("required", ()))
    for name, child in (node.get("properties") or {}).items():
        child_path = f"{path}.{name}" if path else name
        found[child_path] = Field(_shape(child), name in required)
        _walk(child, child_path, found)
    items = node.get("items")
    if isinstance(items, Mapping):
        found[f"{path}[]"] = Field(_shape(items), True)
        _walk(items, f"{path}[]", found)


def _shape(node: Any) -> str:
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            kept = {k: strip(v) for k, v in value.items() if k not in _NOT_SHAPE}
            if isinstance(kept.get("items"), dict):
                kept["items"] = {"type": kept["items"].get("type")}
            return kept
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return json.dumps(strip(node), sort_keys=True)


def changed(before: Mapping[str, Field], after: Mapping[str, Field], path: str) -> str | None:
    """How field `path` of `before` fares in `after`: removed, retyped, optional; else None."""
    old, new = before.get(path), after.get(path)
    if new is None:
        return "removed"
    if old is None:
        return None
    if old.shape != new.shape:
        return f"retyped from {old.shape} to {new.shape}"
    if old.required and not new.required:
        return "no longer in every payload"
    return None


def check(
    current: Mapping[Key, Published],
    baseline: Mapping[Key, Published],
    groups: Sequence[Consumer],
) -> list[Break]:
    """Every contract `current` breaks (versions against `baseline`, and consumers' reads)."""
    breaks: list[Break] = []
    for key, before in sorted(baseline.items()):
        after = current.get(key)
        if after is None:
            continue  # retired (a new version took its place): consumers are checked below
        old, new = fields(before.schema), fields(after.schema)
        for path in sorted(old):
            if (how := changed(old, new, path)) is not None:
                breaks.append(
                    Break(
                        after.producer,
                        None,
                        f"{after.type} v{after.version} changed without raising its version: "
                        f"field {path} {how} (publish it as v{after.version + 1})",
                    )
                )
    for group in groups:
        decl = group.declaration
        who = f"consumer {group.context} (group {decl.group})"
        for read in decl.reads:
            key = (read.type, read.version)
            event = current.get(key)
            if event is None:
                breaks.append(_unpublished(who, group.context, read, current, baseline))
                continue
            if event.producer not in decl.producers:
                breaks.append(
                    Break(
                        event.producer,
                        group.context,
                        f"{who} reads {read.type} but does not consume {stream_of(event.producer)}",
                    )
                )
            new = fields(event.schema)
            old = fields(baseline[key].schema) if key in baseline else new
            for path in read.fields:
                how = changed(old, new, path)
                if how == "removed" and path not in old:
                    how = "not in the payload"
                if how is not None:
                    breaks.append(
                        Break(
                            event.producer,
                            group.context,
                            f"{who} reads {read.type} v{read.version} field {path}: {how} "
                            f"by {event.producer}",
                        )
                    )
    return breaks


def _unpublished(
    who: str,
    context: str,
    read: Reads,
    current: Mapping[Key, Published],
    baseline: Mapping[Key, Published],
) -> Break:
    """A consumer reads a version of an event the code no longer (or never) publishes."""
    others = sorted((e for e in current.values() if e.type == read.type), key=lambda e: e.version)
    if others:
        versions = ", ".join(f"v{e.version}" for e in others)
        producer, what = others[0].producer, f"{others[0].producer} now publishes {versions}"
    else:
        known = baseline.get((read.type, read.version))
        producer, what = (known.producer if known else "?"), "nobody publishes it"
    return Break(producer, context, f"{who} reads {read.type} v{read.version}: {what}")


# -- command line -------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.event_contracts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("write", help=f"write {DOCUMENT.relative_to(ROOT)} from the code")
    write.add_argument("--output", type=Path, default=DOCUMENT)
    run = commands.add_parser("check", help="check the code against the published contracts")
    run.add_argument(
        "--context", choices=CONTEXTS, help="only what this context publishes or reads"
    )
    run.add_argument("--baseline", type=Path, default=DOCUMENT, help="the published document")
    args = parser.parse_args(argv)

    current, groups = produced(), consumers()
    if args.command == "write":
        args.output.write_text(render(document(current, groups)))
        print(f"event contracts: wrote {args.output} ({len(current)} events)")
        return 0
    try:
        baseline = published(args.baseline)
    except UnreadableBaseline as exc:
        print(f"event contracts: {exc}", file=sys.stderr)
        return 2
    breaks = check(current, baseline, groups)
    if args.context:
        breaks = [b for b in breaks if b.concerns(args.context)]
    for problem in breaks:
        print(f"event contract broken: {problem.message}", file=sys.stderr)
    if breaks:
        print(f"event contracts: {len(breaks)} broken", file=sys.stderr)
        return 1
    reads = sum(len(g.declaration.reads) for g in groups)
    print(f"event contracts: {len(current)} events, {reads} declared reads, none broken")
    if args.baseline.exists() and args.baseline.read_text() != render(document(current, groups)):
        print(f"note: {args.baseline} is out of date: python -m tools.event_contracts write")
    return 0


if __name__ == "__main__":
    sys.exit(main())
