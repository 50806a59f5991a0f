"""The back office's refund requests page in Chromium, with the storefront, via the real stack.

The issue's closing journey: an admin created on the command line (`make staff`) and a
support member (the same command, `--role support`) sign in with their authenticators'
codes; a customer pays an order in the storefront and asks for a refund with a reason; the
support member approves it in the queue and the shop shows "Refunded" live, then the refund
mail; the admin's page, read before, learns that the request was decided meanwhile.

The queue is shared by every test of the session: each test first declines what earlier
tests left open (through the API, `staff_api`), so what it sees is its own.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from subgraphs.kernel.core.access import Role
from testkit.journeys import unique_email
from testkit.staff_sessions import StaffMember, make_staff_command
from tests.e2e.browser.conftest import DESKTOP, NewContext, StaffApi, axe_violations
from tests.e2e.browser.test_backoffice import PASSWORD, as_staff, new_account, sign_in
from tests.e2e.browser.test_storefront import (
    DECLINE_REFUND_REQUEST,
    OPEN_REFUND_REQUESTS,
    SCREENSHOTS,
    add_products_and_order,
    create_account,
    new_email,
    pay,
)

pytestmark = pytest.mark.e2e

EMPTY = "No refund requests are waiting for a decision."


def decline_every_open_request(staff_api: StaffApi) -> None:
    """An empty queue: what earlier tests left OPEN, declined (each a decision on the record)."""
    while edges := staff_api(OPEN_REFUND_REQUESTS, {})["refundRequests"]["edges"]:
        for edge in edges:
            variables = {"input": {"requestId": edge["node"]["id"], "reason": "Test clean-up."}}
            declined = staff_api(DECLINE_REFUND_REQUEST, variables)["declineRefundRequest"]
            assert declined["userErrors"] == [], declined


def sign_in_with_a_code(page: Page, member: StaffMember) -> None:
    sign_in(page, member.email)
    page.get_by_label("Authentication code").fill(member.next_code())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def open_the_queue(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Refund requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refund requests")
    expect(page.get_by_text("Loading the refund requests")).to_have_count(0)


def request_row(page: Page, order_id: str) -> Locator:
    """The queue's row of the order's request (its link opens the order's page)."""
    return page.get_by_role("row").filter(has=page.locator(f'a[href="/orders/{order_id}"]'))


def test_an_empty_queue_says_so_and_is_accessible_at_1280_px(
    new_context: NewContext,
    backoffice_url: str,
    gateway_url: str,
    users_signing_key: bytes,
    staff_api: StaffApi,
) -> None:
    decline_every_open_request(staff_api)
    office = new_context(base_url=backoffice_url, viewport=DESKTOP).new_page()
    as_staff(office, gateway_url, users_signing_key, Role.SUPPORT)
    sign_in(office, new_account(gateway_url, "Sue Support"))
    open_the_queue(office)
    expect(office.get_by_text(EMPTY)).to_be_visible()
    expect(office.get_by_role("table")).to_have_count(0)
    assert axe_violations(office) == []


def test_support_approves_a_customers_refund_request_and_the_shop_shows_it_live(
    new_context: NewContext,
    backoffice_url: str,
    stack_env: dict[str, str],
    staff_api: StaffApi,
) -> None:
    env = {**os.environ, **stack_env, "PYTHONPATH": os.getcwd()}
    admin = make_staff_command(unique_email("admin"), "admin", env, password=PASSWORD)
    support = make_staff_command(unique_email("support"), "support", env, password=PASSWORD)
    decline_every_open_request(staff_api)

    # The customer pays an order in the shop and asks for a refund with a reason.
    shop = new_context().new_page()
    email = new_email()
    create_account(shop, email, name="Ann Shopper")
    order_id = add_products_and_order(shop)
    status = shop.get_by_role("status")
    pay(shop, "pm_card_ok")
    expect(status).to_have_text("Paid")
    shop.get_by_label("Reason", exact=True).fill("The mug arrived chipped.")
    shop.get_by_role("button", name="Request a refund", exact=True).click()
    expect(shop.get_by_text("Refund requested")).to_be_visible()

    # The admin, signed in with a code, has the queue open: the request is in it.
    admin_office = new_context(base_url=backoffice_url, viewport=DESKTOP).new_page()
    sign_in_with_a_code(admin_office, admin)
    open_the_queue(admin_office)
    stale = request_row(admin_office, order_id)
    expect(stale).to_be_visible()

    # A support member approves it: one request however fast the clicks, the result announced.
    office = new_context(base_url=backoffice_url, viewport=DESKTOP).new_page()
    sign_in_with_a_code(office, support)
    expect(office.get_by_role("banner").get_by_text("Support", exact=True)).to_be_visible()
    open_the_queue(office)
    row = request_row(office, order_id)
    for shown in ("Ann Shopper", email, f"Order {order_id[-8:]}", "The mug arrived chipped."):
        expect(row).to_contain_text(shown)
    expect(row.get_by_role("cell").nth(3)).to_have_text(re.compile(r"^\$\d+\.\d\d$"))  # the amount
    assert axe_violations(office) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    office.screenshot(path=SCREENSHOTS / "backoffice-refund-requests.png", full_page=True)
    approvals: list[str] = []
    office.on(
        "request",
        lambda request: (
            approvals.append(request.url)
            if '"ApproveRefundRequest"' in (request.post_data or "")
            else None
        ),
    )
    row.get_by_role("button", name="Approve").dblclick()
    announced = office.locator("[aria-live]").filter(has_text="Refund approved")
    expect(announced).to_contain_text(f"Order {order_id[-8:]}")
    expect(row).to_have_count(0)
    assert len(approvals) == 1, approvals

    # The shop shows it without a reload.
    expect(status).to_have_text("Refunded")
    expect(shop.get_by_text("Refund approved")).to_be_visible()

    # The admin's page was read before the decision: declining (a reason asked for) says so,
    # and the request leaves the list.
    stale.get_by_role("button", name="Decline").click()
    stale.get_by_label("Reason").fill("Worn, not broken.")
    assert axe_violations(admin_office) == []  # the decline form open
    stale.get_by_role("button", name="Decline").click()
    expect(admin_office.locator("[aria-live]")).to_have_text(
        f"Order {order_id[-8:]}: This refund request has already been decided."
    )
    expect(stale).to_have_count(0)
    expect(admin_office.get_by_text(EMPTY)).to_be_visible()

    # The customer got the refund mail.
    shop.get_by_role("link", name="Notifications").click()
    expect(shop.get_by_text(f"Refund for order {order_id}")).to_be_visible()
