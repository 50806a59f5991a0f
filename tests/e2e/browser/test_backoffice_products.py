"""The catalog in Chromium: the back office's Products page and the storefront's stock, via the
real stack (catalog, orders, payments and the saga between them).

The issue's journey: an admin (the staff command, signed in with a code) creates a product and
receives 2 units; two customers buy one each; a third finds it sold out; the admin refunds one
order with "Return units to stock" and the third customer, after a reload, can buy it. And a
catalog staff member (a minted `catalog` token, as in test_backoffice.py) edits, archives and
restores a product, is refused a duplicate sku and a stock change below zero. An approved
refund request with "Return units to stock" sells the unit again.

Products made here have skus starting with TEST- and names starting with Z: the other browser
tests buy the first products of the list, which stay the seeded ones.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from subgraphs.kernel.core.access import Role
from testkit.journeys import unique_email
from testkit.staff_sessions import make_staff_command
from testkit.waiting import eventually_sync
from tests.e2e.browser.conftest import DESKTOP, NewContext, StaffApi, axe_violations
from tests.e2e.browser.test_backoffice import PASSWORD, as_staff, new_account, sign_in
from tests.e2e.browser.test_backoffice_refunds import (
    decline_every_open_request,
    open_the_queue,
    request_row,
    sign_in_with_a_code,
)
from tests.e2e.browser.test_storefront import SCREENSHOTS, create_account, new_email, pay

pytestmark = pytest.mark.e2e


def new_sku() -> str:
    return f"TEST-{uuid.uuid4().hex[:8].upper()}"


def open_products(office: Page) -> None:
    office.get_by_role("navigation", name="Main").get_by_role("link", name="Products").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Products")


def create_product(office: Page, sku: str, name: str, *, usd: str, eur: str = "") -> None:
    """ "New product" on the Products page; ends on the new product's page."""
    open_products(office)
    office.get_by_role("button", name="New product").click()
    office.get_by_label("SKU").fill(sku)
    office.get_by_label("Name").fill(name)
    office.get_by_label("Description").fill(f"{name}, made for the tests.")
    office.get_by_label("Price (USD)").fill(usd)
    office.get_by_label("Price (EUR)").fill(eur)
    office.get_by_role("button", name="Create product").click()
    expect(office).to_have_url(re.compile(f"/products/{sku}\\?created=1$"))
    expect(office.get_by_role("heading", level=1)).to_have_text(name)


def stock_level(office: Page, label: str) -> Locator:
    """The value beside "On hand", "Reserved" or "Available" on a product's page."""
    return office.locator(f"dl.stock-levels dt:text-is('{label}') + dd")


def adjust_stock(office: Page, change: str, reason: str, note: str = "") -> None:
    office.get_by_label("Change").fill(change)
    office.get_by_label("Reason").select_option(label=reason)
    office.get_by_label("Note").fill(note)
    office.get_by_role("button", name="Adjust stock").click()


def product_card(shop: Page, name: str) -> Locator:
    """The storefront's card of the product named `name`, the list loaded anew."""
    shop.goto("/")
    expect(shop.get_by_role("article").first).to_be_visible()
    return shop.get_by_role("article").filter(
        has=shop.get_by_role("heading", name=name, exact=True)
    )


def buy_one(shop: Page, name: str) -> str:
    """One unit of `name` ordered and paid by the signed-in customer; the order id."""
    product_card(shop, name).get_by_role("button", name="Add to cart").click()
    shop.get_by_role("link", name="Cart").click()
    expect(shop.get_by_role("spinbutton")).to_have_count(1)
    shop.get_by_role("button", name="Place order").click()
    expect(shop).to_have_url(re.compile(r"/orders/[^/]+$"))
    status = shop.get_by_role("status")
    expect(status).to_have_text("Pending")
    pay(shop, "pm_card_ok")  # sent again while catalog has not reserved the unit yet
    expect(status).to_have_text("Paid", timeout=20_000)
    return shop.url.rsplit("/", 1)[1]


def availability_after_reload(shop: Page) -> str:
    """The product page's availability as a reload reads it."""
    shop.reload()
    label = shop.locator("#product-stock")
    expect(label).to_be_visible()
    return label.inner_text()


def test_two_units_two_buyers_sold_out_then_a_refund_with_restock_sells_the_unit_again(
    new_context: NewContext, backoffice_url: str, stack_env: dict[str, str]
) -> None:
    env = {**os.environ, **stack_env, "PYTHONPATH": os.getcwd()}
    admin = make_staff_command(unique_email("admin"), "admin", env, password=PASSWORD)
    office = new_context(base_url=backoffice_url, viewport=DESKTOP).new_page()
    sign_in_with_a_code(office, admin)

    # The admin creates the product (no stock yet) and receives 2 units.
    sku = new_sku()
    name = f"Zinc desk lamp {sku[-4:]}"
    create_product(office, sku, name, usd="30.00", eur="28.00")
    expect(stock_level(office, "Available")).to_have_text("0")
    adjust_stock(office, "2", "Received", note="First delivery")
    expect(office.get_by_role("status").filter(has_text="adjusted by +2")).to_be_visible()
    expect(stock_level(office, "On hand")).to_have_text("2")
    expect(stock_level(office, "Available")).to_have_text("2")
    received = office.get_by_role("row").filter(has_text="First delivery")
    expect(received).to_contain_text("Received")
    expect(received).to_contain_text("+2")

    # Two customers buy one each.
    first = new_context().new_page()
    create_account(first, new_email(), name="Bea Buyer")
    refunded_order = buy_one(first, name)
    second = new_context().new_page()
    create_account(second, new_email(), name="Cal Buyer")
    buy_one(second, name)

    # A third finds it sold out, in the list and on its page.
    third = new_context().new_page()
    create_account(third, new_email(), name="Dee Late")
    card = product_card(third, name)
    expect(card.get_by_text("Sold out")).to_be_visible()
    expect(card.get_by_role("button", name="Add to cart")).to_be_disabled()
    card.get_by_role("link", name=name).click()
    expect(third).to_have_url(re.compile(f"/products/{sku}$"))
    expect(third.locator("#product-stock")).to_have_text("Sold out")
    expect(third.get_by_role("button", name="Add to cart")).to_be_disabled()

    # The admin refunds the first order and returns its unit to stock.
    office.goto(f"/orders/{refunded_order}")
    status = office.locator(".order-summary").get_by_role("status")
    expect(status).to_have_text("Paid")
    office.get_by_label("Return units to stock").check()
    office.get_by_label("Reason", exact=True).fill("Returned unopened.")
    office.get_by_role("button", name="Refund", exact=True).click()
    expect(status).to_have_text("Refunded", timeout=20_000)  # live, once orders read the refund

    # The third customer's page, reloaded, offers the unit again, and they buy it.
    eventually_sync(
        lambda: availability_after_reload(third) == "Only 1 left",
        timeout=30,
        interval=0.5,
        what="the returned unit on the product page",
    )
    add = third.get_by_role("button", name="Add to cart")
    expect(add).to_be_enabled()
    assert axe_violations(third) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    third.screenshot(path=SCREENSHOTS / "storefront-product.png", full_page=True)
    buy_one(third, name)

    # The history shows the return, by the admin, and the level the third order left.
    office.goto(f"/products/{sku}")
    returned = office.get_by_role("row").filter(has_text="Returned")
    expect(returned).to_contain_text("+1")
    expect(stock_level(office, "Available")).to_have_text("0")
    assert axe_violations(office) == []
    office.screenshot(path=SCREENSHOTS / "backoffice-product.png", full_page=True)


def test_catalog_staff_edit_archive_and_restore_a_product_but_not_below_zero_stock(
    new_context: NewContext, backoffice_url: str, gateway_url: str, users_signing_key: bytes
) -> None:
    office = new_context(base_url=backoffice_url, viewport=DESKTOP).new_page()
    as_staff(office, gateway_url, users_signing_key, Role.CATALOG)
    sign_in(office, new_account(gateway_url, "Cat Alog"))
    nav = office.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Products"])

    sku = new_sku()
    name = f"Zebra mug {sku[-4:]}"
    create_product(office, sku, name, usd="12.50")

    # The same sku again is refused next to the box; nothing is created.
    open_products(office)
    office.get_by_role("button", name="New product").click()
    office.get_by_label("SKU").fill(sku.lower())  # the catalog upper-cases it
    office.get_by_label("Name").fill("A second mug")
    office.get_by_label("Price (USD)").fill("3.00")
    office.get_by_role("button", name="Create product").click()
    expect(office.get_by_label("SKU")).to_have_attribute("aria-invalid", "true")
    expect(office).to_have_url(re.compile(r"/products$"))
    office.get_by_role("button", name="Cancel").click()

    # The search finds it by a part of its name, and nothing else by that name.
    office.get_by_label("Search products").fill(f"mug {sku[-4:].lower()}")
    office.get_by_role("button", name="Search").click()
    rows = office.get_by_role("row").filter(has_text=sku)
    expect(rows).to_have_count(1)
    expect(office.get_by_role("row").filter(has_text="A second mug")).to_have_count(0)
    expect(rows).to_contain_text("Active")
    assert axe_violations(office) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    office.get_by_label("Search products").fill("")
    office.get_by_role("button", name="Search").click()
    expect(office.get_by_role("row").nth(8)).to_be_visible()  # the seeded products, at least
    office.screenshot(path=SCREENSHOTS / "backoffice-products.png", full_page=True)
    office.get_by_label("Search products").fill(sku)
    office.get_by_role("button", name="Search").click()
    office.get_by_role("link", name=sku).click()
    expect(office.get_by_role("heading", level=1)).to_have_text(name)

    # Stock cannot go below zero: refused with the reason, nothing changed.
    adjust_stock(office, "-1", "Damaged")
    expect(office.get_by_role("alert")).to_contain_text("below zero")
    expect(stock_level(office, "On hand")).to_have_text("0")
    adjust_stock(office, "3", "Counted", note="Shelf count")
    expect(stock_level(office, "Available")).to_have_text("3")
    adjust_stock(office, "-1", "Damaged", note="Dropped")
    expect(stock_level(office, "Available")).to_have_text("2")
    expect(office.get_by_role("alert")).to_have_count(0)
    damaged = office.get_by_role("row").filter(has_text="Dropped")
    expect(damaged).to_contain_text("Damaged")
    expect(damaged).to_contain_text("\u22121")

    # Name and prices edited: the shop shows them.
    renamed = f"Zebra mug, large {sku[-4:]}"
    office.get_by_label("Name").fill(renamed)
    office.get_by_label("Price (USD)").fill("14.00")
    office.get_by_label("Price (EUR)").fill("13.00")
    office.get_by_role("button", name="Save", exact=True).click()
    expect(office.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    expect(office.get_by_role("heading", level=1)).to_have_text(renamed)
    shop = new_context().new_page()
    shop.goto(f"/products/{sku}")
    expect(shop.get_by_role("heading", level=1)).to_have_text(renamed)
    expect(shop.get_by_text("$14.00")).to_be_visible()
    expect(shop.locator("#product-stock")).to_have_text("Only 2 left")

    # Archived: out of the shop's list, its page says so, nothing can be added.
    office.get_by_role("button", name="Archive").click()
    expect(office.locator("dl.facts").first).to_contain_text("Archived")
    expect(office.get_by_role("button", name="Restore")).to_be_visible()
    assert axe_violations(office) == []
    shop.reload()
    expect(shop.locator("#product-stock")).to_have_text("No longer sold")
    expect(shop.get_by_role("button", name="Add to cart")).to_be_disabled()
    card = product_card(shop, renamed)
    expect(card).to_have_count(0)

    # Restored: back in the shop.
    office.get_by_role("button", name="Restore").click()
    expect(office.locator("dl.facts").first).to_contain_text("Active")
    card = product_card(shop, renamed)
    expect(card.get_by_text("Only 2 left")).to_be_visible()
    expect(card.get_by_role("button", name="Add to cart")).to_be_enabled()


def test_approving_a_refund_request_with_restock_returns_the_unit(
    new_context: NewContext,
    backoffice_url: str,
    gateway_url: str,
    users_signing_key: bytes,
    staff_api: StaffApi,
) -> None:
    decline_every_open_request(staff_api)
    office = new_context(base_url=backoffice_url, viewport=DESKTOP).new_page()
    as_staff(office, gateway_url, users_signing_key, Role.ADMIN)
    sign_in(office, new_account(gateway_url, "Ada Admin"))
    sku = new_sku()
    name = f"Zither string {sku[-4:]}"
    create_product(office, sku, name, usd="8.00")
    adjust_stock(office, "1", "Received")
    expect(stock_level(office, "Available")).to_have_text("1")

    # The only unit is bought; the customer asks for a refund.
    shop = new_context().new_page()
    create_account(shop, new_email(), name="Eve Buyer")
    order_id = buy_one(shop, name)
    shop.get_by_label("Reason", exact=True).fill("Wrong pitch.")
    shop.get_by_role("button", name="Request a refund", exact=True).click()
    expect(shop.get_by_text("Refund requested")).to_be_visible()

    # Approved in the queue with "Return units to stock": the shop sells the unit again.
    open_the_queue(office)
    row = request_row(office, order_id)
    row.get_by_label("Return units to stock").check()
    row.get_by_role("button", name="Approve").click()
    expect(office.locator("[aria-live]").filter(has_text="Refund approved")).to_contain_text(
        "its units return to stock"
    )
    shop.goto(f"/products/{sku}")
    eventually_sync(
        lambda: availability_after_reload(shop) == "Only 1 left",
        timeout=30,
        interval=0.5,
        what="the returned unit on the product page",
    )
