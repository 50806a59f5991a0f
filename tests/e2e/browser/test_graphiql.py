"""GraphiQL at the gateway, in Debian's Chromium: a signed-up user runs the example query.

The page is opened straight from the shared gateway (`GET /graphql`); the storefront is
not involved. Every request the page makes is recorded: none may leave the gateway's
origin (the bundle and its editor workers are inline, no CDN).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from testkit.journeys import LOGIN, REGISTER, unique_email

pytestmark = pytest.mark.e2e


def register_user(gateway_url: str, name: str) -> str:
    """Registers through the GraphQL API; returns the access token."""
    variables = {"input": {"email": unique_email("ide"), "password": "password-123", "name": name}}
    response = httpx.post(
        f"{gateway_url}/graphql", json={"query": REGISTER, "variables": variables}, timeout=30
    )
    assert response.json()["data"]["register"]["userErrors"] == [], response.text
    account = variables["input"]
    credentials = {"input": {"email": account["email"], "password": account["password"]}}
    response = httpx.post(
        f"{gateway_url}/graphql", json={"query": LOGIN, "variables": credentials}, timeout=30
    )
    payload = response.json()["data"]["login"]
    assert payload["userErrors"] == [], payload
    token: str = payload["accessToken"]
    return token


@pytest.fixture
def graphiql(browser: Browser, gateway_url: str) -> Iterator[tuple[Page, list[str]]]:
    """A fresh profile on the gateway's IDE page, and the URLs of every request it makes."""
    context = browser.new_context(base_url=gateway_url)
    context.set_default_timeout(60_000)  # the page carries the whole bundle inline
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.goto("/graphql")
    try:
        yield page, requested
    finally:
        context.close()


def test_a_user_runs_the_example_with_their_token(
    graphiql: tuple[Page, list[str]], gateway_url: str
) -> None:
    page, requested = graphiql
    name = f"Ada {uuid.uuid4().hex[:8]}"
    token = register_user(gateway_url, name)

    # It opens on the cross-subgraph example, the Headers editor open beside it.
    expect(page.get_by_role("region", name="Operation Editor")).to_contain_text("query MyOrders")
    headers = page.get_by_role("region", name="Headers")
    expect(headers).to_be_visible()
    # The Explorer lists the schema's root fields.
    page.get_by_role("button", name="Show GraphiQL Explorer").click()
    expect(page.locator(".graphiql-explorer-root")).to_contain_text("products")

    # The token goes in the Headers editor (pasted: typing would get brackets auto-closed).
    headers.get_by_role("textbox").focus()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.insert_text(json.dumps({"Authorization": f"Bearer {token}"}))

    page.get_by_role("button", name="Execute query").click()
    result = page.get_by_role("region", name="Result Window")
    expect(result).to_contain_text('"me"')
    expect(result).to_contain_text(name)

    origin = gateway_url.rstrip("/")
    elsewhere = [url for url in requested if not url.startswith((origin + "/", "blob:", "data:"))]
    assert elsewhere == [], elsewhere
