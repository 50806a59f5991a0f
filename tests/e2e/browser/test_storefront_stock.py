"""Stock in the storefront, in Chromium via the real stack: an order the stock cannot cover.

The product is made through the API with the back office's own documents (a minted
`catalog:write` token), so a safelisting gateway runs them too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from subgraphs.kernel.core.access import Scope
from testkit.tokens import mint_access_token
from testkit.waiting import eventually_sync
from tests.e2e.browser.conftest import NewContext, StaffApi, axe_violations
from tests.e2e.browser.test_backoffice_products import new_sku, product_card
from tests.e2e.browser.test_storefront import create_account, new_email, persisted

pytestmark = pytest.mark.e2e

OFFICE_MANIFEST = (
    Path(__file__).resolve().parents[3] / "backoffice/src/gql/persisted-documents.json"
)


def office_document(operation: str) -> str:
    """The back office's document of `operation`, as its manifest lists it."""
    documents = json.loads(OFFICE_MANIFEST.read_text(encoding="utf-8")).values()
    [document] = [d for d in documents if re.match(rf"(query|mutation) {operation}\b", d)]
    return str(document)


@pytest.fixture
def catalog_api(gateway_url: str, users_signing_key: bytes) -> StaffApi:
    """A catalog staff member's GraphQL calls through the gateway (a minted token)."""
    token = mint_access_token(users_signing_key, "catalog-browser", scopes=[Scope.CATALOG_WRITE])

    def call(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(
            f"{gateway_url}/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    return call


def stocked_product(catalog_api: StaffApi, units: int) -> tuple[str, str]:
    """A new product with `units` on hand; its sku and name."""
    sku = new_sku()
    name = f"Zephyr kite {sku[-4:]}"
    product: dict[str, object] = {"sku": sku, "name": name, "description": "A kite."}
    prices = [{"amount": "5.00", "currency": "USD"}]
    created = catalog_api(
        office_document("CreateProduct"), {"input": {**product, "prices": prices}}
    )
    assert created["createProduct"]["userErrors"] == [], created
    stock = {"sku": sku, "delta": units, "reason": "RECEIVED"}
    adjusted = catalog_api(office_document("AdjustStock"), {"input": stock})
    assert adjusted["adjustStock"]["userErrors"] == [], adjusted
    return sku, name


def available(gateway_url: str, sku: str) -> int:
    """`Product.available` as the storefront reads it (public)."""
    body = {"query": persisted("ProductDetail"), "variables": {"sku": sku}}
    response = httpx.post(f"{gateway_url}/graphql", json=body, timeout=30)
    return int(response.json()["data"]["product"]["available"])


def test_an_order_the_stock_cannot_cover_turns_rejected_live(
    new_context: NewContext, catalog_api: StaffApi, gateway_url: str
) -> None:
    sku, name = stocked_product(catalog_api, 1)

    # A customer puts the last unit in the cart while it is there.
    late = new_context().new_page()
    create_account(late, new_email(), name="Liz Late")
    card = product_card(late, name)
    expect(card.get_by_text("Only 1 left")).to_be_visible()
    card.get_by_role("button", name="Add to cart").click()

    # Another orders it first: the unit is reserved for that order.
    first = new_context().new_page()
    create_account(first, new_email(), name="Finn First")
    product_card(first, name).get_by_role("button", name="Add to cart").click()
    first.get_by_role("link", name="Cart").click()
    first.get_by_role("button", name="Place order").click()
    expect(first.get_by_role("status")).to_have_text("Pending")
    eventually_sync(lambda: available(gateway_url, sku) == 0, what="the unit reserved")

    # The late order is placed, then rejected for want of stock, live; it cannot be paid.
    late.get_by_role("link", name="Cart").click()
    late.get_by_role("button", name="Place order").click()
    expect(late).to_have_url(re.compile(r"/orders/[^/]+$"))
    status = late.get_by_role("status")
    expect(status).to_have_text("Rejected: out of stock", timeout=20_000)
    expect(late.get_by_text("ran out of stock")).to_be_visible()
    expect(late.get_by_role("button", name="Pay", exact=True)).to_have_count(0)
    assert axe_violations(late) == []
