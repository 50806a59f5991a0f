"""`_entities`: representations checked before any resolver sees them, and resolved in batches.

A gateway sends `{__typename, <key fields>}` objects; anyone else may send
`false`, an unknown type name or `id: null`. Stock Strawberry lets those reach
its default path (a `KeyError`, a resolver called with the wrong arguments)
and the caller gets `INTERNAL_SERVER_ERROR`. Here the whole field is refused
with `BAD_USER_INPUT`, naming the first bad representation by its index.

Stock Strawberry resolves each representation on its own (`resolve_reference`:
one coroutine, one task and one DataLoader future each). A type may also
define `resolve_references(info, keys)`: all of its representations in one
call, one result (an object, None, or an exception for that one) per key in
order. The gateway's fetch behind `orders { user { name } }` is one call.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from subgraphs.kernel.graphql.public_errors import PublicError

BAD_USER_INPUT = "BAD_USER_INPUT"

# A key's field set: top-level names, each maybe followed by a nested selection.
KeyFields = tuple[tuple[str, "KeyFields | None"], ...]


class BadRepresentation(PublicError):
    """A `_entities` representation this subgraph cannot resolve."""

    code = BAD_USER_INPUT
    default_message = "Invalid entity representation."

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(f"Invalid representation at index {index}: {reason}")
        self.extensions = {**(self.extensions or {}), "representationIndex": index}


def parse_field_set(fields: str) -> KeyFields:
    """`"id"`, `"id sku"` or `"id owner { id }"` as nested name tuples."""
    tokens = fields.replace("{", " { ").replace("}", " } ").split()
    parsed, rest = _parse(tokens, 0)
    if rest != len(tokens):
        raise ValueError(f"unbalanced key field set: {fields!r}")
    return parsed


def _parse(tokens: list[str], at: int) -> tuple[KeyFields, int]:
    items: list[tuple[str, KeyFields | None]] = []
    while at < len(tokens) and tokens[at] != "}":
        name = tokens[at]
        at += 1
        nested: KeyFields | None = None
        if at < len(tokens) and tokens[at] == "{":
            nested, at = _parse(tokens, at + 1)
            if at >= len(tokens):
                raise ValueError("unbalanced key field set")
            at += 1  # the closing brace
        items.append((name, nested))
    return tuple(items), at


# A type's `resolve_references(info, keys)`: one result per key, in order.
BatchResolver = Callable[[Any, list[dict[str, Any]]], Awaitable[Sequence[Any]]]


@dataclass(frozen=True)
class Entity:
    """What `_entities` accepts for one type: its keys, the fields its resolver takes, and its
    batch resolver if it has one."""

    keys: list[KeyFields]
    accepts: frozenset[str] | None  # None: any field (the resolver takes **kwargs)
    resolve_many: BatchResolver | None = None


def entity_specs(schema: Any) -> dict[str, Entity]:
    """Each resolvable entity type of a Strawberry federation schema."""
    specs: dict[str, Entity] = {}
    for name, type_ in schema.schema_converter.type_map.items():
        definition = getattr(type_, "definition", None)
        keys = [
            parse_field_set(str(directive.fields))
            for directive in getattr(definition, "directives", None) or ()
            if type(directive).__name__ == "Key"
            and getattr(directive, "fields", None) is not None
            and getattr(directive, "resolvable", True) is not False
        ]
        if keys and definition is not None:
            specs[name] = Entity(
                keys,
                _accepted_fields(schema, name, definition),
                getattr(definition.origin, "resolve_references", None),
            )
    return specs


def _accepted_fields(schema: Any, name: str, definition: Any) -> frozenset[str] | None:
    """The representation fields the type's reference resolver can take (by name)."""
    resolve_reference = getattr(definition.origin, "resolve_reference", None)
    if resolve_reference is None:  # Strawberry builds the object from the type's fields
        return frozenset(schema._schema.get_type(name).fields)
    parameters = inspect.signature(resolve_reference).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters if p.name not in ("info", "cls", "self"))


def check_representations(
    representations: Any, entities: Mapping[str, Entity]
) -> list[dict[str, Any]]:
    """The representations if each names a known entity with one of its keys; else raise."""
    if not isinstance(representations, list):
        raise BadRepresentation(0, "representations must be a list of objects.")
    for index, representation in enumerate(representations):
        _check_one(index, representation, entities)
    return representations


def has_batches(representations: list[dict[str, Any]], entities: Mapping[str, Entity]) -> bool:
    """True when some (checked) representation is of a type with a batch resolver."""
    return any(entities[r["__typename"]].resolve_many for r in representations)


async def resolve_in_batches(
    info: Any,
    representations: list[dict[str, Any]],
    entities: Mapping[str, Entity],
    one_by_one: Callable[[list[dict[str, Any]]], list[Any]],
) -> list[Any]:
    """The `_entities` results in order: each batched type's representations in one call of its
    `resolve_references`, the others by `one_by_one` (stock Strawberry's path), all at once.

    A batch that raises, or answers with a different number of results than keys, fails each
    of its representations with that error, as each `resolve_reference` would have.
    """
    results: list[Any] = [None] * len(representations)
    batches: dict[str, list[int]] = {}
    singles: list[int] = []
    for index, representation in enumerate(representations):
        typename = representation["__typename"]
        if entities[typename].resolve_many is None:
            singles.append(index)
        else:
            batches.setdefault(typename, []).append(index)

    async def settle(index: int, value: Any) -> None:
        if inspect.isawaitable(value):
            try:
                value = await value
            except Exception as error:
                value = error
        results[index] = value

    async def batch(typename: str, indices: list[int]) -> None:
        resolve_many = entities[typename].resolve_many
        assert resolve_many is not None
        keys = [{k: v for k, v in representations[i].items() if k != "__typename"} for i in indices]
        try:
            found: Sequence[Any] = await resolve_many(info, keys)
            if len(found) != len(indices):
                raise TypeError(
                    f"{typename}.resolve_references answered {len(found)} results"
                    f" for {len(indices)} keys"
                )
        except Exception as error:
            found = [error] * len(indices)
        for index, result in zip(indices, found, strict=True):
            results[index] = result

    resolved = one_by_one([representations[i] for i in singles]) if singles else []
    work = [
        *(settle(index, value) for index, value in zip(singles, resolved, strict=True)),
        *(batch(typename, indices) for typename, indices in batches.items()),
    ]
    if len(work) == 1:  # the usual case, one type: no task needed
        await work[0]
    else:
        await asyncio.gather(*work)
    return results


def _check_one(index: int, representation: Any, entities: Mapping[str, Entity]) -> None:
    if not isinstance(representation, dict):
        raise BadRepresentation(index, "expected an object with __typename and key fields.")
    typename = representation.get("__typename")
    if not isinstance(typename, str) or not typename:
        raise BadRepresentation(index, "__typename must be a non-empty string.")
    entity = entities.get(typename)
    if entity is None:
        raise BadRepresentation(index, f"{_quote(typename)} is not an entity of this subgraph.")
    problems = [_missing(representation, key) for key in entity.keys]
    if all(problems):
        raise BadRepresentation(index, f"{typename}: {problems[0]}")
    if entity.accepts is not None:
        unknown = sorted(set(representation) - entity.accepts - {"__typename"})
        if unknown:
            raise BadRepresentation(index, f"{typename}: unexpected field {_quote(unknown[0])}.")


def _missing(value: dict[str, Any], key: KeyFields, prefix: str = "") -> str | None:
    """Why `value` does not satisfy `key` (None when it does)."""
    for name, nested in key:
        path = f"{prefix}{name}"
        field = value.get(name)
        if field is None:
            return f"key field {path!r} is missing or null."
        if nested is None:
            if isinstance(field, bool) or not isinstance(field, str | int):
                return f"key field {path!r} must be a string or an integer."
        elif not isinstance(field, dict):
            return f"key field {path!r} must be an object."
        elif why := _missing(field, nested, f"{path}."):
            return why
    return None


def _quote(text: str, limit: int = 64) -> str:
    shown = text if len(text) <= limit else text[:limit] + "..."
    return repr(shown)


__all__ = [
    "BAD_USER_INPUT",
    "BadRepresentation",
    "Entity",
    "check_representations",
    "entity_specs",
    "has_batches",
    "parse_field_set",
    "resolve_in_batches",
]
