"""Every connection refuses a cursor it did not make with `BAD_USER_INPUT` naming `after`.

Crafted cursors once reached `int()` (a Unicode digit, a 5,000-digit number) and
answered `INTERNAL_SERVER_ERROR` with a traceback in the log.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from graphql import GraphQLObjectType, build_ast_schema, get_named_type, parse

from subgraphs.kernel.core.access import Role
from testkit.client import graphql
from testkit.journeys import register
from testkit.tokens import mint_access_token

pytestmark = pytest.mark.e2e

SUPERGRAPH = Path(__file__).resolve().parents[2] / "router" / "supergraph.graphql"

# Each connection of the schema, as the signed-in user reaches it.
CONNECTIONS = {
    "orders": "query($after: String) { me { orders(first: 2, after: $after) "
    "{ edges { cursor } } } }",
    "notifications": "query($after: String) { me { notifications(first: 2, after: $after) "
    "{ edges { cursor } } } }",
    "productSearch": "query($after: String) { productSearch(first: 2, after: $after) "
    "{ edges { cursor } } }",
}
# Staff connections, as an admin (every scope) reaches them.
STAFF_CONNECTIONS = {
    "staffOrders": "query($after: String) { staffOrders(first: 2, after: $after) "
    "{ edges { cursor } } }",
    "refundRequests": "query($after: String) { refundRequests(first: 2, after: $after) "
    "{ edges { cursor } } }",
    "staffActivity": "query($after: String) { staffActivity(first: 2, after: $after) "
    "{ edges { cursor } } }",
    "customers": 'query($after: String) { customers(query: "e", first: 2, after: $after) '
    "{ edges { cursor } } }",
    "staffProducts": "query($after: String) { staffProducts(first: 2, after: $after) "
    "{ edges { cursor } } }",
    "stockHistory": 'query($after: String) { product(sku: "SKU-TEE") { '
    "stockHistory(first: 2, after: $after) { edges { cursor } } } }",
    "staffMembers": "query($after: String) { staffMembers(first: 2, after: $after) "
    "{ edges { cursor } } }",
    "staffInvitations": "query($after: String) { staffInvitations(first: 2, after: $after) "
    "{ edges { cursor } } }",
}

# What `data` is once a bad cursor nulled the connection (a root connection: null).
NULLED = {"orders": {"me": None}, "notifications": {"me": None}, "stockHistory": {"product": None}}


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD_CURSORS = {
    "unicode digit": b64("c:\u0661|x"),
    "superscript digit": b64("c:\u00b2|x"),
    "5,000 digits": b64("c:" + "9" * 5000 + "|x"),
    "5,000 digits, no id": b64("c:" + "9" * 5000),
    "garbage base64": "%%%not-base64%%%",
    "base64 of garbage": b64("\xff\xfe garbage"),
    "empty": "",
    "prefix only": b64("c:"),
}


def test_every_connection_of_the_schema_is_covered() -> None:
    schema = build_ast_schema(parse(SUPERGRAPH.read_text()))
    connections = {
        name
        for type_ in schema.type_map.values()
        if isinstance(type_, GraphQLObjectType)
        for name, field in type_.fields.items()
        if get_named_type(field.type).name.endswith("Connection")
    }
    assert connections == set(CONNECTIONS) | set(STAFF_CONNECTIONS)


async def test_a_bad_cursor_is_bad_user_input_naming_after_in_every_connection(
    gateway, users_signing_key
):
    token = (await register(gateway))["accessToken"]
    staff = mint_access_token(users_signing_key, "staff-cursors", role=Role.ADMIN)
    callers = [(CONNECTIONS, token), (STAFF_CONNECTIONS, staff)]
    answers = {
        (name, kind): await graphql(gateway, query, {"after": cursor}, token=caller)
        for connections, caller in callers
        for name, query in connections.items()
        for kind, cursor in BAD_CURSORS.items()
    }

    for (name, kind), body in answers.items():
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (name, kind, body)
        assert error["extensions"]["argument"] == "after", (name, kind, body)
        assert "`after`" in error["message"], (name, kind, body)
        expected = NULLED.get(name)
        assert body["data"] == expected, (name, kind, body)
    for connections, caller in callers:  # a cursor the list made still works
        for query in connections.values():
            first = await graphql(gateway, query, {"after": None}, token=caller)
            assert "errors" not in first, first
