"""The back office's shell in Chromium, via the real gateway and users subgraph.

An admin created on the command line (`make staff`) signs in with the authenticator's code,
or a recovery code. For the other roles' navigation, a staff session is a real customer's
`login` whose access token the test replaces (on its way to the browser) with one it signed
with the users subgraph's own key (`mint_access_token`) for the same user, carrying a role's
scopes: the gateway and the subgraphs accept it as they would an issued one.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from subgraphs.kernel.core.access import Role
from testkit.journeys import unique_email
from testkit.staff_sessions import make_staff_command
from testkit.tokens import mint_access_token
from tests.e2e.browser.conftest import DESKTOP, NewContext, axe_violations, scrolls_sideways

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"
STOREFRONT_MANIFEST = (
    Path(__file__).resolve().parents[3] / "storefront/src/gql/persisted-documents.json"
)
NAV = ["Orders", "Refund requests", "Customers", "Products", "Staff", "Activity"]


def storefront_register() -> str:
    """The storefront's `Register` document, as it sends it: a safelisting gateway runs it."""
    manifest = json.loads(STOREFRONT_MANIFEST.read_text(encoding="utf-8"))
    [document] = [d for d in manifest.values() if d.startswith("mutation Register(")]
    return str(document)


def new_account(gateway_url: str, name: str) -> str:
    """A fresh customer account (registered outside the browser, as the storefront does); its
    email."""
    email = f"staffer-{uuid.uuid4().hex[:10]}@example.com"
    variables = {"input": {"email": email, "password": PASSWORD, "name": name}}
    body = {"query": storefront_register(), "variables": variables}
    response = httpx.post(f"{gateway_url}/graphql", json=body)
    response.raise_for_status()
    assert response.json()["data"]["register"]["userErrors"] == []
    return email


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def office(new_context: NewContext, backoffice_url: str) -> Page:
    return new_context(base_url=backoffice_url, viewport=DESKTOP).new_page()


def as_staff(page: Page, gateway_url: str, key: bytes, role: Role):
    """From now on, `login` answers this browser with a staff token for the signed-in user."""

    def swap(route: Route) -> None:
        request = route.request
        if request.method != "POST" or "StaffLogin" not in (request.post_data or ""):
            route.continue_()
            return
        response = route.fetch()
        body = response.json()
        login = body["data"]["login"]
        login["accessToken"] = mint_access_token(key, login["user"]["id"], role=role)
        route.fulfill(response=response, body=json.dumps(body))

    page.route(f"{gateway_url}/graphql", swap)


def test_a_customer_account_is_refused_and_signed_out(
    office: Page, gateway_url: str, backoffice_url: str
) -> None:
    email = new_account(gateway_url, "Carl Customer")
    sign_in(office, email)
    expect(office.get_by_role("alert")).to_contain_text("This app is for staff accounts")
    expect(office.get_by_role("button", name="Sign out")).to_have_count(0)
    for label in NAV:
        expect(office.get_by_role("link", name=label, exact=True)).to_have_count(0)
    # Nothing kept: a staff page sends the browser back to sign in.
    assert office.evaluate("() => localStorage.getItem('storefront.session')") is None
    office.goto("/orders")
    expect(office).to_have_url(f"{backoffice_url}/sign-in?next=%2Forders")


@pytest.mark.parametrize(
    ("role", "links"),
    [
        (Role.SUPPORT, ["Orders", "Refund requests", "Customers"]),
        (Role.ADMIN, NAV),
    ],
)
def test_a_staff_token_shows_its_name_role_and_only_its_pages(
    office: Page,
    gateway_url: str,
    users_signing_key: bytes,
    role: Role,
    links: list[str],
) -> None:
    email = new_account(gateway_url, "Sam Staff")
    as_staff(office, gateway_url, users_signing_key, role)
    sign_in(office, email)
    header = office.get_by_role("banner")
    expect(header.get_by_text("Sam Staff")).to_be_visible()
    expect(header.get_by_text(role.value.capitalize(), exact=True)).to_be_visible()
    nav = office.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(links)
    for label in sorted(set(NAV) - set(links)):
        # In the page, as a link would (a reload would refresh the session: the users subgraph
        # issues this customer's own token then, which the app refuses).
        office.evaluate(
            "path => { history.pushState(null, '', path);"
            " dispatchEvent(new PopStateEvent('popstate')); }",
            f"/{label.lower().replace(' ', '-')}",
        )
        expect(office.get_by_role("heading", level=1)).to_have_text(label)
        expect(office.get_by_role("alert")).to_contain_text("Your role cannot use this page")
    office.get_by_role("button", name="Sign out").click()
    expect(office.get_by_role("button", name="Sign in")).to_be_visible()
    assert office.evaluate("() => localStorage.getItem('storefront.session')") is None


def test_the_sign_in_page_is_accessible_at_1280_px(office: Page) -> None:
    office.goto("/sign-in")
    expect(office.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert axe_violations(office) == []
    assert not scrolls_sideways(office)


def test_an_admin_from_the_command_line_signs_in_with_a_code_or_a_recovery_code(
    office: Page, stack_env: dict[str, str]
) -> None:
    env = {**os.environ, **stack_env, "PYTHONPATH": os.getcwd()}
    admin = make_staff_command(unique_email("admin"), "admin", env, password=PASSWORD)
    sign_in(office, admin.email)
    office.get_by_label("Authentication code").fill("000000")
    office.get_by_role("button", name="Verify").click()
    expect(office.get_by_text("tries left")).to_be_visible()
    assert axe_violations(office) == []  # the code step, its error shown
    office.get_by_label("Authentication code").fill(admin.next_code())
    office.get_by_role("button", name="Verify").click()
    nav = office.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(NAV)
    expect(office.get_by_role("banner").get_by_text("Admin", exact=True)).to_be_visible()
    office.get_by_role("button", name="Sign out").click()

    sign_in(office, admin.email)
    office.get_by_role("button", name="Use a recovery code instead").click()
    office.get_by_label("Recovery code").fill(admin.recovery_codes[0])
    office.get_by_role("button", name="Verify").click()
    expect(nav.get_by_role("link")).to_have_text(NAV)
    assert axe_violations(office) == []
