"""Demand control: an operation whose estimated cost is over the gateway's maximum is refused
before any subgraph is asked; a subgraph called directly refuses nested connections itself;
the storefront's list pages pass at their largest page."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from testkit.client import error_codes, graphql
from testkit.journeys import register
from testkit.prometheus import mongo_commands

pytestmark = pytest.mark.e2e

PERSISTED = Path(__file__).resolve().parents[2] / "storefront/src/gql/persisted-documents.json"


def nested_orders(root: str) -> str:
    """The issue's query: every order's owner's orders, twice, under `root` (not a shipped
    operation, hence a function: module constants of these tests are checked as shipped)."""
    inner = "edges { node { id total { amount } } }"
    return (
        f"{root} {{ orders(first: 100) {{ edges {{ node {{ id user {{"
        f" o0: orders(first: 100) {{ {inner} }} o1: orders(first: 100) {{ {inner} }}"
        " } } } } }"
    )


def storefront_document(name: str) -> str:
    documents = json.loads(PERSISTED.read_text(encoding="utf-8")).values()
    [document] = [d for d in documents if f"query {name}(" in d]
    return str(document)


async def test_the_nested_query_is_refused_before_any_subgraph_work(
    gateway: httpx.AsyncClient, users_url: str, orders_url: str, internal_urls: dict[str, str]
) -> None:
    token = (await register(gateway))["accessToken"]
    reads = [(internal_urls["users"], "users"), (internal_urls["orders"], "orders")]
    before = [await mongo_commands(gateway, url, collection) for url, collection in reads]
    body = await graphql(gateway, "query Nested " + nested_orders("{ me") + " }", token=token)
    assert error_codes(body) == ["COST_ESTIMATED_TOO_EXPENSIVE"], body
    cost = body["errors"][0]["extensions"]["cost"]
    assert cost["estimated"] > cost["max"]
    assert body.get("data") is None
    # Neither `me` (users) nor the orders were read: no subgraph was asked.
    after = [await mongo_commands(gateway, url, collection) for url, collection in reads]
    assert after == before


async def test_a_subgraph_called_directly_refuses_the_nested_connections(
    gateway: httpx.AsyncClient, orders_url: str
) -> None:
    me = await register(gateway)
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User" + (
        nested_orders("") + " } }"
    )
    async with httpx.AsyncClient(base_url=orders_url, timeout=10) as orders:
        body = await graphql(
            orders,
            query,
            {"r": [{"__typename": "User", "id": me["user"]["id"]}]},
            token=me["accessToken"],
        )
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"] * 2, body
    assert "cannot be selected inside connection 'orders'" in body["errors"][0]["message"]


@pytest.mark.parametrize("name", ["Orders", "Notifications"])
async def test_the_storefront_list_pages_pass_at_the_largest_page(
    gateway: httpx.AsyncClient, name: str
) -> None:
    token = (await register(gateway))["accessToken"]
    body = await graphql(gateway, storefront_document(name), {"first": 100}, token=token)
    assert "errors" not in body, body
    assert body["data"]["me"] is not None
