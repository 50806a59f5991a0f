"""The role matrix: every field of the composed schema that needs a signed-in caller or a
scope, with an operation that reaches it and who must get through.

`protected_fields(supergraph_sdl)` walks the supergraph (router/supergraph.graphql) for
`@authenticated` and `@requiresScopes` on fields and on their types. Each `ProtectedField`
knows the subgraph that resolves it and builds the operations a test sends: a root field
through the gateway and straight to its subgraph; a field of an entity type through
`_entities` on its subgraph (a representation with made-up key values where the check comes
before the lookup; a test passes real ones for an entity whose field-level check runs only once
the entity resolved for the caller, e.g. `Order.timeline`). Required arguments get
placeholder values of their type, so an allowed caller gets through the authorization check
and, at most, a "not found" of its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ConstArgumentNode,
    ConstDirectiveNode,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    is_leaf_type,
    value_from_ast_untyped,
)
from graphql.pyutils import Undefined

from subgraphs.kernel.core.access import ROLE_SCOPES, Role

PLACEHOLDER_ID = "role-matrix-0000"
PLACEHOLDER_SCALARS: Mapping[str, str] = {
    "ID": json.dumps(PLACEHOLDER_ID),
    "String": json.dumps("role matrix"),
    "Int": "1",
    "Float": "1.0",
    "Boolean": "false",
    "DateTime": json.dumps("2026-01-01T00:00:00+00:00"),
    "Decimal": json.dumps("1.00"),
}


@dataclass(frozen=True)
class Caller:
    """Who calls: no token, or a token with a role's scopes."""

    name: str
    role: Role | None  # None: no token at all

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(s.value for s in ROLE_SCOPES[self.role]) if self.role else frozenset()


CALLERS = (Caller("anonymous", None), *(Caller(role.value, role) for role in Role))


@dataclass(frozen=True)
class ProtectedField:
    type_name: str
    field_name: str
    subgraph: str  # the lower-case subgraph name (`orders`)
    authenticated: bool
    # Every list must be met (the type's and the field's); each is a set of alternatives,
    # each alternative a set of scopes all required.
    scopes: tuple[tuple[frozenset[str], ...], ...]
    operation: str  # a root operation, or the selection inside `... on Type` for `_entities`
    key_fields: tuple[str, ...] = ()  # an entity's key (non-root fields)

    @property
    def coordinate(self) -> str:
        return f"{self.type_name}.{self.field_name}"

    @property
    def is_root(self) -> bool:
        return self.type_name in ("Query", "Mutation")

    def admits(self, caller: Caller) -> bool:
        """Whether the caller must get through: a token, and every scope list met."""
        if caller.role is None:
            return False
        return all(any(alt <= caller.scopes for alt in required) for required in self.scopes)

    def entities_request(self, keys: Mapping[str, str] | None = None) -> tuple[str, dict[str, Any]]:
        """The `_entities` query and variables that reach this field on its subgraph; `keys`
        are the entity's key values (placeholders without)."""
        representation: dict[str, Any] = {"__typename": self.type_name}
        representation.update(dict.fromkeys(self.key_fields, PLACEHOLDER_ID))
        representation.update(keys or {})
        query = (
            "query RoleMatrix($r: [_Any!]!) { _entities(representations: $r) "
            f"{{ ... on {self.type_name} {{ {self.operation} }} }} }}"
        )
        return query, {"r": [representation]}


def _directives(node: Any) -> list[ConstDirectiveNode]:
    return list(node.directives) if node is not None and node.directives else []


def _argument(directive: ConstDirectiveNode, name: str) -> Any:
    argument: ConstArgumentNode
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return value_from_ast_untyped(argument.value)
    return None


def _scopes(node: Any) -> tuple[frozenset[str], ...] | None:
    for directive in _directives(node):
        if directive.name.value == "requiresScopes":
            alternatives = _argument(directive, "scopes") or []
            return tuple(frozenset(alt) for alt in alternatives)
    return None


def _authenticated(node: Any) -> bool:
    return any(d.name.value == "authenticated" for d in _directives(node))


def _graphs(node: Any, directive_name: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for directive in _directives(node):
        if directive.name.value == directive_name:
            graph = _argument(directive, "graph")
            found.append(
                (
                    str(graph),
                    {
                        a.name.value: _argument(directive, a.name.value)
                        for a in directive.arguments or ()
                    },
                )
            )
    return found


def placeholder(type_: GraphQLInputType) -> str:
    """A GraphQL literal of `type_`: placeholders, the first enum value, required fields only."""
    if isinstance(type_, GraphQLNonNull):
        return placeholder(type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{placeholder(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        fields = [
            f"{name}: {placeholder(field.type)}"
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull)
            and field.default_value is Undefined
            and (field.ast_node is None or field.ast_node.default_value is None)
        ]
        return "{" + ", ".join(fields) + "}"
    assert isinstance(type_, GraphQLScalarType)
    return PLACEHOLDER_SCALARS.get(type_.name, json.dumps("role matrix"))


def _required(argument: GraphQLArgument) -> bool:
    """Non-null without a default (read from the SDL too: a built schema may not carry it)."""
    has_default = argument.default_value is not Undefined or (
        argument.ast_node is not None and argument.ast_node.default_value is not None
    )
    return isinstance(argument.type, GraphQLNonNull) and not has_default


def selection(name: str, field: GraphQLField) -> str:
    """`name(required: placeholders)` and, for a composite result, `{ __typename }`."""
    args = [f"{arg}: {placeholder(a.type)}" for arg, a in field.args.items() if _required(a)]
    call = f"{name}({', '.join(args)})" if args else name
    return call if is_leaf_type(get_named_type(field.type)) else f"{call} {{ __typename }}"


def protected_fields(supergraph_sdl: str) -> list[ProtectedField]:
    """Every field needing a caller or a scope, by coordinate."""
    schema: GraphQLSchema = build_schema(supergraph_sdl)
    roots = {"Query": "query", "Mutation": "mutation"}
    found = []
    for type_name, named in sorted(schema.type_map.items()):
        if not isinstance(named, GraphQLObjectType) or type_name.startswith("__"):
            continue
        if type_name == "Subscription":
            continue  # none is protected by a directive; subscriptions check their caller
        type_scopes = _scopes(named.ast_node)
        type_authenticated = _authenticated(named.ast_node)
        type_graphs = _graphs(named.ast_node, "join__type")
        for field_name, field in named.fields.items():
            field_scopes = _scopes(field.ast_node)
            authenticated = type_authenticated or _authenticated(field.ast_node)
            scopes = tuple(s for s in (type_scopes, field_scopes) if s)
            if not scopes and not authenticated:
                continue
            owners = _graphs(field.ast_node, "join__field") or type_graphs
            graph, _details = owners[0]
            key = ""
            if type_name not in roots:
                key = next(
                    (d.get("key") or "" for g, d in type_graphs if g == graph and d.get("key")), ""
                )
            body = selection(field_name, field)
            operation = (
                f"{roots[type_name]} RoleMatrix {{ {body} }}" if type_name in roots else body
            )
            found.append(
                ProtectedField(
                    type_name=type_name,
                    field_name=field_name,
                    subgraph=_subgraph_name(schema, graph),
                    authenticated=authenticated,
                    scopes=scopes,
                    operation=operation,
                    key_fields=tuple(key.split()),
                )
            )
    return found


def _subgraph_name(schema: GraphQLSchema, graph: str) -> str:
    """The `@join__graph(name:)` of a `join__Graph` value (`ORDERS` -> `orders`)."""
    enum: GraphQLNamedType | None = schema.type_map.get("join__Graph")
    assert isinstance(enum, GraphQLEnumType)
    value = enum.values[graph]
    for directive in _directives(value.ast_node):
        if directive.name.value == "join__graph":
            return str(_argument(directive, "name"))
    return graph.lower()


def refused(body: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    """An answer that refuses: access errors only (UNAUTHENTICATED or FORBIDDEN), and no value
    at `path` (the whole `data` null, or null along the way)."""
    errors = body.get("errors") or []
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    if not errors or not codes <= {"UNAUTHENTICATED", "FORBIDDEN"}:
        return False
    value: Any = body.get("data")
    for step in path:
        if value is None:
            return True
        value = value[0] if isinstance(value, list) and value else value
        value = value.get(step) if isinstance(value, dict) else None
    return value is None


def hidden_entity(body: Mapping[str, Any]) -> bool:
    """An `_entities` answer without errors whose entity is null: the caller may not see it at
    all (someone else's order answers as a missing one), so none of its fields is reached."""
    return not body.get("errors") and (body.get("data") or {}).get("_entities") == [None]


def let_through(body: Mapping[str, Any]) -> bool:
    """An answer without an access error (a "not found" or a userError of its own is fine)."""
    codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
    return not codes & {"UNAUTHENTICATED", "FORBIDDEN"}
