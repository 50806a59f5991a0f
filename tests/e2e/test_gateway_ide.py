"""The gateway's IDE: GraphiQL with its Explorer, served from the gateway's own files.

`GET /graphql` from a browser answers the page; it opens on the README's cross-subgraph
query, which runs as it is once the Headers tab carries a token. The page in a real
browser (no request leaves the gateway's origin) is tests/e2e/browser/test_graphiql.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from testkit.client import graphql
from testkit.journeys import register

pytestmark = pytest.mark.e2e

CREATE = """mutation($input: CreateOrderInput!) {
  createOrder(input: $input) { order { id } userErrors { code } } }"""

# A script, stylesheet or image loaded from another origin.
FROM_ELSEWHERE = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//")


async def ide_page(gateway: httpx.AsyncClient) -> str:
    page = await gateway.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    return page.text


def ide_options(page: str) -> dict[str, Any]:
    """The options the page renders GraphiQL with (the JSON after the render call)."""
    call = page.rindex("YogaGraphiQL.renderYogaGraphiQL(")
    start = page.index("{", call)
    options, _ = json.JSONDecoder().raw_decode(page, start)
    assert isinstance(options, dict)
    return options


async def test_the_page_is_graphiql_with_the_explorer(gateway: httpx.AsyncClient) -> None:
    page = await ide_page(gateway)
    assert "YogaGraphiQL.renderYogaGraphiQL(" in page  # GraphiQL, not Hive Laboratory
    assert "graphiql-explorer" in page  # the Explorer plugin is in the bundle
    # Nothing is fetched from elsewhere: no script, style or image from another origin.
    assert not FROM_ELSEWHERE.search(page)


async def test_the_example_is_the_cross_subgraph_query_with_a_token_hint(
    gateway: httpx.AsyncClient,
) -> None:
    options = ide_options(await ide_page(gateway))
    example = options["defaultQuery"]
    assert "query MyOrders" in example
    assert '{"Authorization": "Bearer <accessToken>"}' in example  # where the token goes
    assert options["defaultEditorToolsVisibility"] == "headers"  # that tab is open
    assert options["shouldPersistHeaders"] is False  # a pasted token is not stored


async def test_the_example_runs_with_a_token_across_the_subgraphs(
    gateway: httpx.AsyncClient,
) -> None:
    example = ide_options(await ide_page(gateway))["defaultQuery"]
    assert await graphql(gateway, example) == {"data": {"me": None}}  # no token: anonymous

    registered = await register(gateway)
    token = registered["accessToken"]
    created = await graphql(
        gateway, CREATE, {"input": {"items": [{"sku": "SKU-MUG", "quantity": 1}]}}, token=token
    )
    assert created["data"]["createOrder"]["userErrors"] == [], created

    body = await graphql(gateway, example, token=token)
    assert body.get("errors") is None, body
    me = body["data"]["me"]
    assert me["name"] == registered["user"]["name"]  # users
    [edge] = me["orders"]["edges"]  # orders
    order = edge["node"]
    assert order["id"] == created["data"]["createOrder"]["order"]["id"]
    assert order["total"]["amount"]
    assert order["payment"] is None  # payments: asked, and nothing paid yet
    assert order["user"]["name"] == me["name"]  # back to users for the order's owner
