"""The back office's Orders and Order pages in Chromium, through the real gateway and subgraphs.

A support staff member (a real account whose `login` answers a support token, as in
test_backoffice.py) filters every customer's orders, opens one, cancels it with a reason and
sees the status change and the reason on its timeline; "Load more" continues the table. The
orders are placed through the gateway by a real customer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from subgraphs.kernel.core.access import Role
from tests.e2e.browser.conftest import axe_violations, scrolls_sideways
from tests.e2e.browser.test_backoffice import (
    PASSWORD,
    as_staff,
    new_account,
    office,
    sign_in,
    storefront_register,
)
from tests.e2e.browser.test_storefront import SCREENSHOTS

pytestmark = pytest.mark.e2e

__all__ = ["office"]  # the fixture, shared with the shell's tests

PAGE = 25  # the Orders page's rows per page (src/pages/Orders.tsx)
LOGIN = """mutation CustomerLogin($input: LoginInput!) {
  login(input: $input) { accessToken user { id } userErrors { code } } }"""
CREATE = """mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) { order { id } userErrors { code } } }"""
CANCEL = """mutation Cancel($id: ID!) {
  cancelOrder(input: {orderId: $id}) { order { status } userErrors { code } } }"""


def call(
    gateway_url: str, query: str, variables: Mapping[str, object], token: str | None = None
) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{gateway_url}/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture(scope="module")
def customer_email(gateway_url: str) -> str:
    return new_account(gateway_url, "Cora Customer")


@pytest.fixture(scope="module")
def customer_orders(gateway_url: str, customer_email: str) -> list[str]:
    """A real customer's orders, one more than a page of the table, newest first."""
    email = customer_email
    login = call(gateway_url, LOGIN, {"input": {"email": email, "password": PASSWORD}})["login"]
    items = {"input": {"items": [{"sku": "SKU-MUG", "quantity": 1}]}}
    ids = [
        call(gateway_url, CREATE, items, login["accessToken"])["createOrder"]["order"]["id"]
        for _ in range(PAGE + 1)
    ]
    return ids[::-1]


def support_signed_in(office: Page, gateway_url: str, key: bytes) -> None:
    email = new_account(gateway_url, "Sam Support")
    as_staff(office, gateway_url, key, Role.SUPPORT)
    sign_in(office, email)
    office.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Orders")


def test_support_filters_opens_and_cancels_an_order_with_a_reason(
    office: Page, gateway_url: str, users_signing_key: bytes, customer_orders: list[str]
) -> None:
    support_signed_in(office, gateway_url, users_signing_key)
    newest = customer_orders[0]
    office.get_by_label("Status").select_option("PENDING")
    row = office.get_by_role("row").filter(has_text=newest[-8:])
    expect(row).to_contain_text("Pending")
    expect(row).to_contain_text("@example.com")
    expect(office.get_by_role("table").get_by_text("Cancelled", exact=True)).to_have_count(0)
    assert axe_violations(office) == []
    assert not scrolls_sideways(office)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    office.screenshot(path=SCREENSHOTS / "backoffice-orders.png")

    row.get_by_role("link", name=newest[-8:]).click()
    status = office.get_by_role("status")
    expect(status).to_have_text(re.compile("pending", re.I))
    expect(office.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(office.get_by_role("button", name="Refund")).to_have_count(0)  # unpaid
    assert axe_violations(office) == []

    office.get_by_label("Reason").fill("Customer asked by phone")
    office.get_by_role("button", name="Cancel order").click()
    expect(status).to_have_text(re.compile("cancelled", re.I))
    entry = office.get_by_role("row").filter(has_text="Customer asked by phone")
    expect(entry).to_contain_text("Sam Support (staff)")
    expect(entry).to_contain_text("Cancelled")
    placed = office.get_by_role("row").filter(has_text="Cora Customer (customer)")
    expect(placed).to_contain_text("Pending")
    expect(office.get_by_role("button", name="Cancel order")).to_have_count(0)
    assert axe_violations(office) == []
    office.screenshot(path=SCREENSHOTS / "backoffice-order.png", full_page=True)

    # Filtered on the id: the order, cancelled now.
    office.get_by_role("link", name="All orders").click()
    office.get_by_label("Order id").fill(newest)
    office.get_by_role("button", name="Filter", exact=True).click()
    expect(office.get_by_role("row")).to_have_count(2)  # the header and the order
    expect(office.get_by_role("row").nth(1)).to_contain_text("Cancelled")
    office.get_by_label("Order id").fill("no-such-order")
    office.get_by_role("button", name="Filter", exact=True).click()
    expect(office.get_by_text("No orders match.")).to_be_visible()


def test_the_customer_email_filter_lists_that_customers_orders_only(
    office: Page,
    gateway_url: str,
    users_signing_key: bytes,
    customer_email: str,
    customer_orders: list[str],
) -> None:
    # Newer accounts whose emails start with the customer's: an exact lookup still finds hers.
    for letter in "abcdefghijk":
        register = {
            "query": storefront_register(),
            "variables": {
                "input": {
                    "email": f"{customer_email}{letter}",
                    "password": PASSWORD,
                    "name": "Cora Later",
                }
            },
        }
        assert "errors" not in httpx.post(f"{gateway_url}/graphql", json=register).json()
    support_signed_in(office, gateway_url, users_signing_key)
    rows = office.get_by_role("table").locator("tbody tr")
    office.get_by_label("Customer email").fill(customer_email.upper())
    office.get_by_role("button", name="Filter", exact=True).click()
    expect(office.get_by_role("link", name=customer_orders[0][-8:])).to_be_visible()
    expect(rows).to_have_count(PAGE)
    expect(rows.filter(has_not_text=customer_email)).to_have_count(0)

    unknown = f"nobody-{customer_email}"
    office.get_by_label("Customer email").fill(unknown)
    office.get_by_role("button", name="Filter", exact=True).click()
    expect(office.get_by_text(f"No customer has the email {unknown}.")).to_be_visible()
    expect(office.get_by_role("table")).to_have_count(0)


def test_load_more_continues_the_table_after_its_last_row(
    office: Page,
    gateway_url: str,
    users_signing_key: bytes,
    customer_email: str,
    customer_orders: list[str],
) -> None:
    support_signed_in(office, gateway_url, users_signing_key)
    # One customer's orders (a page and one): the unfiltered list is everyone's, and others
    # may place orders meanwhile.
    office.get_by_label("Customer email").fill(customer_email)
    office.get_by_role("button", name="Filter", exact=True).click()
    oldest = customer_orders[-1]
    body = office.get_by_role("table").locator("tbody tr")
    expect(office.get_by_role("link", name=customer_orders[0][-8:])).to_be_visible()
    expect(body).to_have_count(PAGE)
    expect(office.get_by_role("link", name=oldest[-8:])).to_have_count(0)
    office.get_by_role("button", name="Load more").click()
    expect(office.get_by_role("link", name=oldest[-8:])).to_be_visible()
    expect(body).to_have_count(PAGE + 1)
    expect(office.get_by_role("button", name="Load more")).to_have_count(0)


def test_the_order_page_shows_a_change_made_elsewhere_live(
    office: Page, gateway_url: str, users_signing_key: bytes
) -> None:
    """The customer cancels while support has the order open: the status changes on the
    event, long before the page's backstop read (ORDER_POLL_MS, 30 s)."""
    email = new_account(gateway_url, "Lee Live")
    login = call(gateway_url, LOGIN, {"input": {"email": email, "password": PASSWORD}})["login"]
    items = {"input": {"items": [{"sku": "SKU-MUG", "quantity": 1}]}}
    created = call(gateway_url, CREATE, items, login["accessToken"])["createOrder"]["order"]
    support_signed_in(office, gateway_url, users_signing_key)
    # In the app, not by loading the URL: a reload would refresh into the customer token
    # the swapped login came from.
    office.get_by_label("Order id").fill(created["id"])
    office.get_by_role("button", name="Filter", exact=True).click()
    office.get_by_role("link", name=created["id"][-8:]).click()
    status = office.get_by_role("status")
    expect(status).to_have_text(re.compile("pending", re.I))
    expect(office.get_by_role("heading", name="Timeline")).to_be_visible()

    cancelled = call(gateway_url, CANCEL, {"id": created["id"]}, login["accessToken"])
    assert cancelled["cancelOrder"]["userErrors"] == []
    # Under the backstop read (30 s after the page loaded) whatever the machine's load.
    expect(status).to_have_text(re.compile("cancelled", re.I), timeout=20_000)
    expect(office.get_by_role("row").filter(has_text="Lee Live (customer)")).to_have_count(2)
