"""A customer's journey through the storefront in Chromium, via the real gateway and subgraphs."""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import redis
from playwright.sync_api import Page, expect

from subgraphs.kernel.core.events import Event
from testkit.waiting import eventually_sync
from tests.e2e.browser.conftest import (
    DESKTOP,
    PHONE,
    NewContext,
    StaffApi,
    axe_violations,
    scrolls_sideways,
)
from tests.e2e.conftest import jwks_url
from tools.procs import free_port
from tools.stack import gateway_process
from tools.storefront_server import storefront_process

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]
# Screenshots of the journey (products, order paid, notifications, at phone and desktop widths):
# under .run/ by default; STOREFRONT_SCREENSHOTS=docs/screenshots refreshes the README's copies.
SCREENSHOTS = ROOT / os.environ.get("STOREFRONT_SCREENSHOTS", ".run/screenshots")
PASSWORD = "correct horse battery"


def new_email() -> str:
    return f"shopper-{uuid.uuid4().hex[:10]}@example.com"


def create_account(page: Page, email: str, name: str = "Ann Shopper") -> None:
    page.goto("/")
    page.get_by_role("link", name="Create account").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def sign_in(page: Page, email: str, then: str | None = None) -> None:
    if then is None:
        page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def add_products_and_order(page: Page, count: int = 2) -> str:
    """Add the first `count` products to the cart, place the order; the order id."""
    page.get_by_role("link", name="Products").click()
    products = page.get_by_role("article")
    expect(products.first).to_be_visible()
    for index in range(count):
        products.nth(index).get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Cart").click()
    expect(page.get_by_role("spinbutton")).to_have_count(count)
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/orders/[^/]+$"))
    expect(page.get_by_role("status")).to_have_text("Pending")
    return page.url.rsplit("/", 1)[1]


def pay(page: Page, card: str) -> None:
    page.get_by_label("Card").select_option(card)
    page.get_by_role("button", name="Pay", exact=True).click()


MANIFEST = ROOT / "storefront" / "src" / "gql" / "persisted-documents.json"


def persisted(operation: str) -> str:
    """The storefront's own document of `operation`, exactly as its manifest lists it (so a
    safelisting gateway runs it too)."""
    documents = json.loads(MANIFEST.read_text(encoding="utf-8")).values()
    [document] = [d for d in documents if re.match(rf"(query|mutation) {operation}\b", d)]
    return str(document)


def stored_refresh_token(page: Page) -> str:
    raw = page.evaluate("() => localStorage.getItem('storefront.session')")
    assert isinstance(raw, str), "no session in localStorage"
    token = json.loads(raw)["refreshToken"]
    assert isinstance(token, str)
    return token


def refresh_outside_the_browser(gateway_url: str, token: str) -> list[str]:
    """refreshSession with `token`, as an attacker holding it would; the userErrors codes."""
    body = {
        "query": persisted("RefreshSession"),
        "variables": {"input": {"refreshToken": token}},
    }
    response = httpx.post(f"{gateway_url}/graphql", json=body, timeout=30)
    payload = response.json()["data"]["refreshSession"]
    codes = [error["code"] for error in payload["userErrors"]]
    assert (payload["accessToken"] is None) == bool(codes)
    return codes


APPROVE_REFUND_REQUEST = """
mutation Approve($input: ApproveRefundRequestInput!) {
  approveRefundRequest(input: $input) { refundRequest { id status } userErrors { code } }
}"""
OPEN_REFUND_REQUESTS = """
query Open { refundRequests(status: OPEN, first: 50) { edges { node { id order { id } } } } }
"""


def open_refund_request(staff_api: StaffApi, order_id: str) -> str:
    """The id of the order's OPEN refund request, as staff list them."""
    edges = staff_api(OPEN_REFUND_REQUESTS, {})["refundRequests"]["edges"]
    [request_id] = [e["node"]["id"] for e in edges if e["node"]["order"]["id"] == order_id]
    return str(request_id)


def test_shop_pay_watch_request_a_refund_and_read_the_receipt(
    new_context: NewContext, gateway_url: str, staff_api: StaffApi
) -> None:
    page = new_context().new_page()
    email = new_email()
    create_account(page, email)
    page.get_by_role("link", name="Products").click()
    expect(page.get_by_role("article").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "products.png")

    order_id = add_products_and_order(page)
    status = page.get_by_role("status")

    # A declined card: the reason is shown, the status moves live, and paying again is possible.
    pay(page, "pm_card_declined")
    expect(page.get_by_role("alert")).to_contain_text("declined")
    expect(status).to_have_text("Payment failed")

    # A second browser (same account, its own session) watches the same order.
    watcher = new_context().new_page()
    watcher.goto(f"/orders/{order_id}")  # signed out: to sign-in and back
    expect(watcher).to_have_url(re.compile(r"/sign-in\?next="))
    sign_in(watcher, email, then=f"/orders/{order_id}")
    expect(watcher).to_have_url(re.compile(f"/orders/{order_id}$"))
    watched = watcher.get_by_role("status")
    expect(watched).to_have_text("Payment failed")

    pay(page, "pm_card_ok")
    expect(status).to_have_text("Paid")  # no reload: the subscription brings it
    expect(watched).to_have_text("Paid")
    page.screenshot(path=SCREENSHOTS / "order-paid.png", full_page=True)

    # The customer asks for a refund with a reason; staff approve it (a minted staff token);
    # both browsers show "Refunded" live. Exact names: "Refund" alone matches other controls.
    page.get_by_label("Reason", exact=True).fill("The mug arrived chipped.")
    page.get_by_role("button", name="Request a refund", exact=True).click()
    expect(page.get_by_text("Refund requested")).to_be_visible()
    expect(page.get_by_text("Your reason: The mug arrived chipped.")).to_be_visible()
    request_id = open_refund_request(staff_api, order_id)
    approved = staff_api(APPROVE_REFUND_REQUEST, {"input": {"requestId": request_id}})
    assert approved["approveRefundRequest"]["userErrors"] == [], approved
    expect(status).to_have_text("Refunded")
    expect(watched).to_have_text("Refunded")
    expect(page.get_by_text("Refund approved")).to_be_visible()

    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_text(f"Receipt for order {order_id}")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "notifications.png", full_page=True)

    # The access token lived in memory only: a reload restores the session from the refresh token.
    before_reload = stored_refresh_token(page)
    page.reload()
    expect(page.get_by_text(f"Receipt for order {order_id}")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    current = stored_refresh_token(page)
    assert current != before_reload  # rotated on use

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("() => localStorage.getItem('storefront.session')") is None
    assert refresh_outside_the_browser(gateway_url, current) == ["SESSION_REVOKED"]


DECLINE_REFUND_REQUEST = """
mutation Decline($input: DeclineRefundRequestInput!) {
  declineRefundRequest(input: $input) { refundRequest { id status } userErrors { code } }
}"""


def test_a_declined_refund_request_shows_the_answer_live(page: Page, staff_api: StaffApi) -> None:
    """A decline moves no order status: the page reads an OPEN request again until decided."""
    create_account(page, new_email())
    order_id = add_products_and_order(page, count=1)
    pay(page, "pm_card_ok")
    expect(page.get_by_role("status")).to_have_text("Paid")
    page.get_by_label("Reason", exact=True).fill("Changed my mind.")
    page.get_by_role("button", name="Request a refund", exact=True).click()
    expect(page.get_by_text("Refund requested")).to_be_visible()
    expect(page.get_by_role("button", name="Request a refund", exact=True)).to_have_count(0)

    request_id = open_refund_request(staff_api, order_id)
    declined = staff_api(
        DECLINE_REFUND_REQUEST,
        {"input": {"requestId": request_id, "reason": "Opened and used."}},
    )
    assert declined["declineRefundRequest"]["userErrors"] == [], declined

    # Within a poll interval (REFUND_POLL_MS, 5 s) and the request's round trip.
    expect(page.get_by_text("Refund declined")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Our answer: Opened and used.")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Paid")
    expect(page.get_by_role("button", name="Request a refund", exact=True)).to_be_visible()
    assert axe_violations(page) == []  # the refund section, with its decision and its form


def test_a_reused_refresh_token_revokes_the_session(
    new_context: NewContext, gateway_url: str
) -> None:
    page = new_context().new_page()
    create_account(page, new_email())
    spent = stored_refresh_token(page)
    page.reload()  # the app spends `spent` for this tab's access token
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    page.wait_for_function(
        "spent => !(localStorage.getItem('storefront.session') || '').includes(spent)", arg=spent
    )
    # Someone replays the spent token: the server ends the whole session, the browser's too.
    assert refresh_outside_the_browser(gateway_url, spent) == ["SESSION_REVOKED"]
    page.reload()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_text("You were signed out")).to_be_visible()


SIGNED_OUT_PAGES = [
    "/",
    "/products/SKU-MUG",
    "/cart",
    "/sign-in",
    "/create-account",
    "/forgot-password",
]
SIGNED_IN_PAGES = ["/cart", "/orders", "/notifications", "/profile"]


def test_every_page_is_accessible_and_fits_phone_and_desktop(new_context: NewContext) -> None:
    """axe-core finds no serious or critical violation, and nothing scrolls sideways."""
    page = new_context().new_page()
    problems: list[str] = []

    def check(path: str, ready: str, screenshot: str | None = None) -> None:
        page.set_viewport_size(DESKTOP)
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(ready)
        expect(page.locator("[aria-busy=true]")).to_have_count(0)
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            for violation in axe_violations(page):
                problems.append(f"{path} at {name}: {violation}")
            if scrolls_sideways(page):
                problems.append(f"{path} at {name}: scrolls sideways")
            if screenshot:
                page.screenshot(path=SCREENSHOTS / f"{screenshot}-{name}.png", full_page=True)

    for path in SIGNED_OUT_PAGES:
        check(path, "")
    check("/reset-password?token=not-a-real-token", "password")
    create_account(page, new_email())
    order_id = add_products_and_order(page, count=1)
    page.get_by_role("link", name="Products").click()
    page.get_by_role("article").first.get_by_role("button", name="Add to cart").click()
    for path in SIGNED_IN_PAGES:
        check(path, "")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    check(f"/orders/{order_id}", "Order", screenshot="order")
    check("/", "Products", screenshot="products")
    assert problems == []


def test_the_accessibility_check_finds_violations(page: Page) -> None:
    """The harness itself: axe-core runs inside the page and reports what it finds."""
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    assert [v["id"] for v in axe_violations(page)] == ["button-name"]
    page.evaluate("() => document.querySelector('main').style.minWidth = '3000px'")
    assert scrolls_sideways(page)


LOGIN = "mutation ($i: LoginInput!) { login(input: $i) { accessToken } }"
PAY = """mutation ($i: ProcessPaymentInput!) {
  processPayment(input: $i) { payment { status } userErrors { code } }
}"""


def pay_behind_the_gateways_back(users_url: str, payments_url: str, email: str, order: str) -> None:
    """Pay `order` straight on the subgraphs (another device would, through a working gateway)."""
    with httpx.Client(timeout=30) as client:
        login = {"query": LOGIN, "variables": {"i": {"email": email, "password": PASSWORD}}}
        token = client.post(f"{users_url}/graphql", json=login).json()["data"]["login"]
        headers = {"authorization": f"Bearer {token['accessToken']}"}
        pay = {"orderId": order, "paymentMethodToken": "pm_card_ok", "idempotencyKey": new_email()}

        def paid() -> bool:  # payments learns of the order and its stock from events: retry
            answer = client.post(
                f"{payments_url}/graphql",
                json={"query": PAY, "variables": {"i": pay}},
                headers=headers,
            ).json()["data"]["processPayment"]
            if answer["payment"]:
                assert answer["payment"]["status"] == "SUCCEEDED"
                return True
            codes = [e["code"] for e in answer["userErrors"]]
            assert codes in (["ORDER_NOT_FOUND_YET"], ["STOCK_NOT_RESERVED_YET"])
            return False

        eventually_sync(paid, timeout=30, what="payments to learn of the order")


def test_gateway_down_shows_a_banner_then_recovers(
    new_context: NewContext,
    gateway_url: str,
    users_url: str,
    payments_url: str,
    run_dir: Path,
) -> None:
    """A gateway of this test's own (same subgraphs) is stopped and started again: the banner
    comes and goes, and the order page's live status catches up on what happened meanwhile."""
    log_dir = run_dir / "browser-own-gateway"
    gateway_port, shop_port = free_port(), free_port()
    shop_origin = f"http://127.0.0.1:{shop_port}"
    gateway = gateway_process(
        gateway_port,
        env={
            "GATEWAY_HOST": "127.0.0.1",
            "AUTH_JWKS_URL": jwks_url(users_url),
            "CORS_ORIGINS": shop_origin,
        },
        log_dir=log_dir,
        supergraph=run_dir / "supergraph.graphql",  # composed for the shared stack's subgraphs
    )
    shop = storefront_process(
        shop_port, gateway_url=f"http://127.0.0.1:{gateway_port}/graphql", log_dir=log_dir
    )
    with gateway, shop:
        page = new_context(base_url=shop_origin).new_page()
        page.goto("/")
        products = page.get_by_role("article")
        expect(products.first).to_be_visible()
        banner = page.get_by_role("alert").filter(has=page.get_by_role("button", name="Try again"))

        gateway.stop()
        page.reload()
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("cannot be reached")
        expect(page.get_by_role("link", name="Cart")).to_be_visible()  # never a blank page
        page.get_by_role("button", name="Try again").click()
        expect(banner).to_be_visible()  # still down

        gateway.start()
        gateway.wait_ready()
        page.get_by_role("button", name="Try again").click()
        expect(banner).to_be_hidden()
        expect(products.first).to_be_visible()

        # Watching an order when the gateway goes away; it is paid meanwhile elsewhere.
        email = new_email()
        create_account(page, email)
        order_id = add_products_and_order(page, count=1)
        gateway.stop()
        expect(page.get_by_text("Reconnecting for live updates")).to_be_visible()
        pay_behind_the_gateways_back(users_url, payments_url, email, order_id)
        gateway.start()
        gateway.wait_ready()
        # No reload: the socket is retried (backoff up to 5 s), then the order is read again.
        expect(page.get_by_text("Reconnecting for live updates")).to_be_hidden(timeout=60_000)
        expect(page.get_by_role("status")).to_have_text("Paid")


def mailed_link(
    redis_url: str,
    email: str,
    event_type: str = "users.password_reset_requested",
    key: str = "reset_url",
) -> str:
    """The link an event of `event_type` for `email` carries (from events.users)."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)

    def link() -> str | None:
        entries: list[tuple[str, dict[str, str]]] = client.xrange("events.users")  # type: ignore[assignment]
        for _, fields in entries:
            event = Event.from_fields(fields)
            if event.type == event_type and event.payload["email"] == email:
                return str(event.payload[key])
        return None

    try:
        return eventually_sync(link, timeout=30, what=f"the {key} for {email}")
    finally:
        client.close()


def test_a_new_account_is_asked_to_verify_its_email_and_the_link_does(
    page: Page, stack_redis_url: str
) -> None:
    email = new_email()
    create_account(page, email)
    notice = page.get_by_role("note").filter(has_text="Please verify your email")
    expect(notice).to_contain_text(email)

    url = mailed_link(stack_redis_url, email, "users.email_verification_requested", "verify_url")
    token = parse_qs(urlsplit(url).query)["token"][0]
    page.goto(f"/verify-email?token={token}")
    page.get_by_role("button", name="Confirm my email").click()
    expect(page.get_by_role("status")).to_contain_text("Your email is verified")
    page.get_by_role("link", name="Back to the products").click()
    page.reload()  # the notice reads the address's state afresh
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(notice).to_be_hidden()


def test_forgotten_password_reset_from_the_link(page: Page, stack_redis_url: str) -> None:
    email = new_email()
    create_account(page, email)
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("status")).to_contain_text("If an account has this email")

    token = parse_qs(urlsplit(mailed_link(stack_redis_url, email)).query)["token"][0]
    page.goto(f"/reset-password?token={token}")
    page.get_by_label("New password").fill("a brand new passphrase")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")

    page.get_by_role("link", name="Sign in with the new password").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a brand new passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()

    page.goto(f"/reset-password?token={token}")  # the link works once
    page.get_by_label("New password").fill("yet another passphrase")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("alert")).to_contain_text("used already or has expired")
