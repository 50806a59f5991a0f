"""The role matrix's walk (testkit/role_matrix.py) over a composed supergraph: which fields it
finds, the operations it builds for them, and who must get through."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from testkit.role_matrix import CALLERS, let_through, protected_fields, refused
from tools import compose

pytestmark = pytest.mark.integration

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", '
    'import: ["@key", "@authenticated", "@requiresScopes"])\n'
)
SHOP = (
    LINK
    + """
input Filter { status: Status!, note: String }
enum Status { OPEN CLOSED }
type Order @key(fields: "id") { id: ID! total: Int! }
type Query {
  open: Int
  orders(filter: Filter!, first: Int! = 10): [Order!]!
    @requiresScopes(scopes: [["orders:read:any"]])
  me: Order @authenticated
}
type Mutation {
  decide(id: ID!): Boolean @requiresScopes(scopes: [["refunds:decide"], ["staff:manage"]])
}
"""
)
AUDIT = (
    LINK
    + """
type Order @key(fields: "id") {
  id: ID!
  internalNotes: String @requiresScopes(scopes: [["orders:read:any", "activity:read"]])
}
type Ledger @key(fields: "id") @requiresScopes(scopes: [["activity:read"]]) { id: ID! sum: Int! }
type Query { ledger(id: ID!): Ledger }
"""
)


@pytest.fixture(scope="module")
def supergraph() -> str:
    return compose.compose(
        [
            {"name": name, "url": f"http://{name}/graphql", "sdl": sdl}
            for name, sdl in {"shop": SHOP, "audit": AUDIT}.items()
        ]
    )


def test_root_entity_and_type_level_requirements_are_found(supergraph: str) -> None:
    found = {f.coordinate: f for f in protected_fields(supergraph)}
    assert set(found) == {
        "Query.orders",
        "Query.me",
        "Mutation.decide",
        "Order.internalNotes",
        "Ledger.id",
        "Ledger.sum",
    }
    assert found["Query.orders"].subgraph == "shop"
    assert found["Order.internalNotes"].subgraph == "audit"
    assert found["Order.internalNotes"].key_fields == ("id",)
    assert not found["Order.internalNotes"].is_root
    assert found["Query.orders"].operation == (
        "query RoleMatrix { orders(filter: {status: OPEN}) { __typename } }"
    )
    assert found["Mutation.decide"].operation == (
        'mutation RoleMatrix { decide(id: "role-matrix-0000") }'
    )


def test_who_must_get_through(supergraph: str) -> None:
    found = {f.coordinate: f for f in protected_fields(supergraph)}
    admitted = {
        coordinate: [c.name for c in CALLERS if field.admits(c)]
        for coordinate, field in found.items()
    }
    assert admitted["Query.me"] == ["customer", "support", "catalog", "admin"]
    assert admitted["Query.orders"] == ["support", "admin"]
    assert admitted["Mutation.decide"] == ["support", "admin"]  # either scope set
    assert admitted["Order.internalNotes"] == ["admin"]  # both scopes of the one set
    assert admitted["Ledger.sum"] == ["admin"]


def test_the_operations_validate_against_the_committed_supergraph() -> None:
    sdl = Path(compose.SUPERGRAPH).read_text(encoding="utf-8")
    schema = build_schema(sdl)
    for field in protected_fields(sdl):
        if field.is_root:
            assert validate(schema, parse(field.operation)) == [], field.coordinate


def test_refused_means_access_errors_only_and_no_value() -> None:
    forbidden = {"extensions": {"code": "FORBIDDEN"}}
    assert refused({"errors": [forbidden], "data": None}, ("x",))
    assert refused({"errors": [forbidden], "data": {"x": None}}, ("x",))
    assert refused({"errors": [forbidden], "data": {"_entities": [None]}}, ("_entities", "x"))
    entity = {"_entities": [{"x": None}]}
    assert refused({"errors": [forbidden], "data": entity}, ("_entities", "x"))
    assert not refused({"errors": [forbidden], "data": {"x": 1}}, ("x",))
    assert not refused({"data": {"x": None}}, ("x",))
    assert not refused({"errors": [{"extensions": {"code": "BAD_USER_INPUT"}}]}, ("x",))
    assert let_through({"errors": [{"extensions": {"code": "NOT_FOUND"}}], "data": None})
    assert not let_through({"errors": [forbidden]})
