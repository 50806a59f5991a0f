"""Demand control in the subgraphs: list sizes in the SDL, no connection inside a connection."""

from __future__ import annotations

import pytest
from graphql import (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    parse,
    validate,
)

from subgraphs.catalog.transport.schema import build_schema as catalog_schema
from subgraphs.kernel.graphql.cost import NoNestedConnections, is_connection
from subgraphs.notifications.transport.schema import build_schema as notifications_schema
from subgraphs.orders.transport.schema import build_schema as orders_schema
from subgraphs.payments.transport.schema import build_schema as payments_schema
from subgraphs.users.transport.schema import build_schema as users_schema

ORDERS = orders_schema()
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { %s } } }"
ME = [{"__typename": "User", "id": "u1"}]


async def validation_errors(query: str) -> list[str]:
    result = await ORDERS.execute(query, variable_values={"r": ME})
    assert result.data is None
    assert result.errors
    assert {e.extensions["code"] for e in result.errors if e.extensions} == {
        "GRAPHQL_VALIDATION_FAILED"
    }
    return [e.message for e in result.errors]


def test_connections_and_capped_lists_carry_list_size_in_the_sdl() -> None:
    orders, notifications = ORDERS.as_str(), notifications_schema().as_str()
    assert '"@listSize"' in orders.splitlines()[0]  # imported through federation's @link
    connection = '@listSize(slicingArguments: ["first"], sizedFields: ["edges"])'
    assert f"): OrderConnection! {connection}" in orders
    assert f"): NotificationConnection! {connection}" in notifications
    assert "items: [OrderItem!]! @listSize(assumedSize: 50)" in orders


SUBGRAPHS = {
    "catalog": catalog_schema,
    "orders": orders_schema,
    "notifications": notifications_schema,
    "payments": payments_schema,
    "users": users_schema,
}


def connection_fields(schema: object) -> dict[str, bool]:
    """Each field of the SDL that returns a connection (`Type.field`): whether it has
    `@listSize`."""
    types = schema._schema.type_map  # type: ignore[attr-defined]
    found = {}
    for definition in parse(schema.as_str()).definitions:  # type: ignore[attr-defined]
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            continue
        fields = types[definition.name.value].fields
        for field in definition.fields or ():
            if is_connection(fields[field.name.value].type):
                directives = {d.name.value for d in field.directives or ()}
                found[f"{definition.name.value}.{field.name.value}"] = "listSize" in directives
    return found


@pytest.mark.parametrize("name", sorted(SUBGRAPHS))
def test_every_field_returning_a_connection_declares_its_list_size(name: str) -> None:
    """The gateway counts a connection without `@listSize` as one item (`cost.py`)."""
    fields = connection_fields(SUBGRAPHS[name]())
    assert fields  # every subgraph has connections: the walk finds them
    assert [field for field, sized in fields.items() if not sized] == []


async def test_a_connection_inside_a_connection_is_refused_before_any_resolver() -> None:
    nested = """orders(first: 100) { edges { node { user {
        o0: orders(first: 100) { edges { node { id } } }
        o1: orders(first: 100) { edges { node { id } } } } } } }"""
    messages = await validation_errors(ENTITIES % nested)
    assert messages == [
        f"Connection '{alias}' cannot be selected inside connection 'orders':"
        " page through it with its own query."
        for alias in ("o0", "o1")
    ]


@pytest.mark.parametrize(
    "query",
    [
        ENTITIES % "orders { edges { node { ...Owner } } }"
        + " fragment Owner on Order { user { orders { edges { cursor } } } }",
        ENTITIES
        % "orders { edges { node { ... on Order { user { orders { edges { cursor } } } } } } }",
    ],
    ids=["fragment", "inline-fragment"],
)
async def test_fragments_do_not_hide_the_nesting(query: str) -> None:
    messages = await validation_errors(query)
    assert len(messages) == 1
    assert "cannot be selected inside connection 'orders'" in messages[0]


def test_one_connection_with_its_lists_validates() -> None:
    query = ENTITIES % (
        "orders(first: 100) { edges { node { id items { sku } user { id } } } pageInfo "
        "{ hasNextPage } }"
    )
    assert ORDERS.document_cache is not None
    assert ORDERS.document_cache.validate(ORDERS._schema, query) == []


def test_fragments_spread_into_each_other_are_walked_once_each() -> None:
    # 2^40 paths down to the nested connection: walking each would never finish. (The rule
    # alone: the kernel's other rules are checked elsewhere.)
    levels = 40
    fragments = " ".join(
        f"fragment F{i} on Order {{ id ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    last = f"fragment F{levels} on Order {{ user {{ orders {{ edges {{ cursor }} }} }} }}"
    query = ENTITIES % "orders { edges { node { ...F0 } } }" + f" {fragments} {last}"
    [error] = validate(ORDERS._schema, parse(query), [NoNestedConnections])
    assert "cannot be selected inside connection 'orders'" in error.message
