"""Event contracts between contexts: the producers' payload schemas and what consumers read.

Each context declares the events it publishes in ``subgraphs/<context>/domain/events.py``
(``PRODUCED``: one ``EventSpec`` a type and version, its payload a TypedDict the code builds
it with), and each consumer group what it reads of other contexts' events, next to its
handlers (a ``Consumes`` at module level of ``subgraphs/<context>/usecase/events_read.py``;
the stream consumer hands the handlers the fields it lists only).

``python -m tools.event_contracts write`` generates a JSON Schema (draft-07) per event
(type, version) from the code and writes them, with the envelope and the consumers, as the
AsyncAPI 3.0 document ``docs/events.asyncapi.yaml`` (the published contracts). The document
is append-only per (type, version): ``write`` refuses (exit 1, naming the event and the
field) to replace a published schema with one that removes, retypes or makes optional a
field; adding fields, or new versions, is free.

``python -m tools.event_contracts check [--context NAME] [--base REF]`` (``make
schema-check``) compares the code's producer schemas with the published document (or the
one committed at git ``REF``) and with every consumer's declarations, and fails (exit 1),
naming who breaks whom, when:

- an event changed against the published document without raising its version: a field
  removed, retyped, or no longer always present (adding a field is free);
- a producer change removes or retypes a field a consumer reads, or a consumer reads a
  field, an event or a version nobody publishes, or from a stream it does not consume;
- the published document is not the code's (stale: run ``write``).

``--context NAME`` reports only what NAME publishes or reads (and its part of the document).
Exit 0 when nothing breaks, 2 when the published document or ``REF`` cannot be read.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter

from subgraphs.kernel.core.contracts import Consumes, Reads
from subgraphs.kernel.core.events import EventSpec, stream_of
from tools.compose import load_subgraphs

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "events.asyncapi.yaml"
# Where a context declares what it publishes, and what its consumers read.
PRODUCER_MODULE = "subgraphs.{context}.domain.events"
CONSUMER_MODULE = "subgraphs.{context}.usecase.events_read"
# The JSON Schema dialect every AsyncAPI 3.0 tool must support.
SCHEMA_FORMAT = "application/schema+json;version=draft-07"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"
# Keywords of later drafts, which a draft-07 validator would ignore (`prefixItems` is turned
# into draft-07's list of `items`; `$defs` are inlined).
LATER_KEYWORDS = frozenset(
    {
        "$anchor",
        "$dynamicAnchor",
        "$dynamicRef",
        "$recursiveAnchor",
        "$recursiveRef",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedItems",
        "unevaluatedProperties",
        "minContains",
        "maxContains",
        "contentSchema",
    }
)
# Keywords whose value maps names to schemas (the names are no keywords), and keywords whose
# value is data (copied as it is).
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions"})
_DATA = frozenset({"const", "enum", "default", "examples"})

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


def contexts() -> tuple[str, ...]:
    """The bounded contexts: one a subgraph (supergraph.yaml)."""
    return tuple(load_subgraphs())


def payload_schema(spec: EventSpec[Any]) -> dict[str, Any]:
    """The JSON Schema (draft-07) of `spec`'s payload, with no references (self-contained)."""
    schema = TypeAdapter(spec.payload).json_schema()
    definitions = schema.pop("$defs", {})
    where = f"{spec.type} v{spec.version}"
    return {"$schema": DRAFT_07, **_draft_07(schema, definitions, where)}


def _draft_07(node: Any, definitions: Mapping[str, Any], where: str) -> Any:
    """`node` (pydantic's JSON Schema) with its references inlined, in draft-07's terms."""
    if isinstance(node, list):
        return [_draft_07(v, definitions, where) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        return _draft_07(definitions[ref.rsplit("/", 1)[-1]], definitions, where)
    if later := sorted(LATER_KEYWORDS & set(node)):
        raise ValueError(f"{where}: its payload schema needs {later}, which draft-07 lacks")
    converted: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DATA:
            converted[key] = value
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            converted[key] = {k: _draft_07(v, definitions, where) for k, v in value.items()}
        else:
            converted[key] = _draft_07(value, definitions, where)
    if "prefixItems" in converted:  # a tuple: draft-07 lists its items, the rest are extra
        rest = converted.pop("items", None)
        converted["items"] = converted.pop("prefixItems")
        if rest is not None:
            converted["additionalItems"] = rest
    return converted


def produced(names: Iterable[str] | None = None) -> dict[Key, Published]:
    """Every event the code publishes, by type and version (of every context by default)."""
    events: dict[Key, Published] = {}
    for context in contexts() if names is None else names:
        name = PRODUCER_MODULE.format(context=context)
        if importlib.util.find_spec(name) is None:
            continue  # a context that publishes nothing
        for spec in importlib.import_module(name).PRODUCED:
            event = Published(context, spec.type, spec.version, spec.summary, payload_schema(spec))
            if event.key in events:
                raise ValueError(f"{spec.type} v{spec.version} is declared twice")
            events[event.key] = event
    return events


def consumers(names: Iterable[str] | None = None) -> list[Consumer]:
    """Every consumer group's declaration (module-level `Consumes` of its use cases)."""
    found = []
    for context in contexts() if names is None else names:
        name = CONSUMER_MODULE.format(context=context)
        if importlib.util.find_spec(name) is None:
            continue  # a context that consumes nothing
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
    return parse(path.read_text(), str(path))


def published_at(ref: str, repository: Path = ROOT) -> dict[Key, Published]:
    """The events of the document committed at git `ref` (empty when it had none yet)."""
    relative = DOCUMENT.relative_to(ROOT).as_posix()

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        command = ["git", "-C", str(repository), *args]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    if git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise UnreadableBaseline(f"no commit {ref!r} in {repository}")
    if git("cat-file", "-e", f"{ref}:{relative}").returncode != 0:
        return {}
    shown = git("show", f"{ref}:{relative}")
    if shown.returncode != 0:
        raise UnreadableBaseline(f"cannot read {relative} at {ref}: {shown.stderr.strip()}")
    return parse(shown.stdout, f"{relative} at {ref}")


def parse(text: str, where: str) -> dict[Key, Published]:
    """The events of a document this tool wrote (`where` names it in the error)."""
    events: dict[Key, Published] = {}
    try:
        doc = yaml.safe_load(text) or {}
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
        raise UnreadableBaseline(f"{where} is not a document this tool wrote: {exc!r}") from exc
    return events


def stale(
    path: Path, expected: Mapping[str, Any], groups: Sequence[Consumer], context: str | None
) -> bool:
    """Whether the document at `path` is not `expected` (with `context`: in that context's
    part: its channel, its events, its publishing and its groups' receiving)."""
    if not path.exists():
        return True
    text = path.read_text()
    if context is None:
        return text != render(expected)
    try:
        found = part(yaml.safe_load(text), context, groups)
    except (yaml.YAMLError, AttributeError, TypeError):
        return True
    return found != part(expected, context, groups)


def part(doc: Any, context: str, groups: Sequence[Consumer]) -> dict[str, Any]:
    """What of document `doc` is `context`'s (it raises AttributeError or TypeError on a
    document of another shape)."""
    names = {g.declaration.group for g in groups if g.context == context}
    messages = doc.get("components", {}).get("messages", {})
    return {
        "channel": doc.get("channels", {}).get(stream_of(context)),
        "messages": {k: m for k, m in messages.items() if _producer(m) == context},
        "operations": {
            k: o
            for k, o in doc.get("operations", {}).items()
            if k == f"{context}.publish" or k.partition(".consume.")[0] in names
        },
    }


def _producer(message: Any) -> str | None:
    try:
        return str(message["headers"]["allOf"][1]["properties"]["producer"]["const"])
    except (KeyError, IndexError, TypeError):
        return None


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


def unraised(current: Mapping[Key, Published], baseline: Mapping[Key, Published]) -> list[Break]:
    """Every event (type, version) of `baseline` that `current` changed incompatibly, a field
    removed, retyped or no longer in every payload, instead of raising its version."""
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
    return breaks


def check(
    current: Mapping[Key, Published],
    baseline: Mapping[Key, Published],
    groups: Sequence[Consumer],
) -> list[Break]:
    """Every contract `current` breaks (versions against `baseline`, and consumers' reads)."""
    breaks = unraised(current, baseline)
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


def write(path: Path, current: Mapping[Key, Published], groups: Sequence[Consumer]) -> list[Break]:
    """Publish `current` at `path`, unless it replaces a published (type, version) with an
    incompatible schema: then nothing is written and those changes are returned."""
    refused = unraised(current, published(path))
    if not refused:
        path.write_text(render(document(current, groups)))
    return refused


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.event_contracts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    shown = _shown(DOCUMENT)
    write_ = commands.add_parser("write", help=f"write {shown} from the code")
    run = commands.add_parser("check", help="check the code against the published contracts")
    for command in (write_, run):
        command.add_argument(
            "--document", type=Path, default=DOCUMENT, help=f"the published document ({shown})"
        )
    run.add_argument(
        "--context", choices=contexts(), help="only what this context publishes or reads"
    )
    run.add_argument(
        "--base", metavar="REF", help=f"compare with {shown} committed at this git ref"
    )
    args = parser.parse_args(argv)
    handle = _write if args.command == "write" else _check
    try:
        return handle(args, produced(), consumers())
    except UnreadableBaseline as exc:
        print(f"event contracts: {exc}", file=sys.stderr)
        return 2


def _write(
    args: argparse.Namespace, current: Mapping[Key, Published], groups: Sequence[Consumer]
) -> int:
    refused = write(args.document, current, groups)
    for problem in refused:
        print(f"event contracts: not written: {problem.message}", file=sys.stderr)
    if refused:
        return 1
    print(f"event contracts: wrote {_shown(args.document)} ({len(current)} events)")
    return 0


def _check(
    args: argparse.Namespace, current: Mapping[Key, Published], groups: Sequence[Consumer]
) -> int:
    baseline = published_at(args.base) if args.base else published(args.document)
    breaks = check(current, baseline, groups)
    if args.context:
        breaks = [b for b in breaks if b.concerns(args.context)]
    for problem in breaks:
        print(f"event contract broken: {problem.message}", file=sys.stderr)
    out_of_date = stale(args.document, document(current, groups), groups, args.context)
    if out_of_date:
        whose = f" in what {args.context} publishes or reads" if args.context else ""
        print(
            f"event contracts: {_shown(args.document)} is out of date{whose}: "
            "run `python -m tools.event_contracts write`",
            file=sys.stderr,
        )
    if breaks:
        print(f"event contracts: {len(breaks)} broken", file=sys.stderr)
    if breaks or out_of_date:
        return 1
    reads = sum(len(g.declaration.reads) for g in groups)
    print(f"event contracts: {len(current)} events, {reads} declared reads, none broken")
    return 0


if __name__ == "__main__":
    sys.exit(main())
