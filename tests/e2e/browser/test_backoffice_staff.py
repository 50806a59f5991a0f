"""The back office's staff pages in Chromium, via the real gateway and subgraphs: an admin
invites a colleague (who accepts from the mailed link), changes their role and disables them,
and reads it all in the activity; support finds a customer by email and by name. Helpers and
fixtures are the shell's (`test_backoffice.py`)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Response, expect

from subgraphs.kernel.core.access import Role
from testkit.journeys import unique_email
from testkit.staff_sessions import make_staff_command
from tests.e2e.browser.conftest import DESKTOP, NewContext, axe_violations, scrolls_sideways
from tests.e2e.browser.test_backoffice import (
    PASSWORD,
    as_staff,
    new_account,
    office,  # noqa: F401 (the fixture)
    sign_in,
)
from tests.e2e.browser.test_storefront import mailed_link

pytestmark = pytest.mark.e2e


def go(page: Page, label: str) -> None:
    """Follow a link of the main navigation."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()


def posts(page: Page, operation: str) -> list[str]:
    """The requests sending `operation` from now on (persisted documents carry its name)."""
    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.url) if f'"{operation}"' in (request.post_data or "") else None
        ),
    )
    return sent


def sends(operation: str) -> Callable[[Response], bool]:
    """Matches the response to a request that sent `operation`."""
    return lambda response: f'"{operation}"' in (response.request.post_data or "")


def accessible(page: Page) -> None:
    assert axe_violations(page) == []
    assert not scrolls_sideways(page)


def test_an_admin_invites_changes_a_role_disables_and_reads_it_in_the_activity(
    office: Page,  # noqa: F811 (the fixture imported above)
    new_context: NewContext,
    backoffice_url: str,
    stack_env: dict[str, str],
    stack_redis_url: str,
) -> None:
    env = {**os.environ, **stack_env, "PYTHONPATH": os.getcwd()}
    admin = make_staff_command(unique_email("admin"), "admin", env, password=PASSWORD)
    sign_in(office, admin.email)
    office.get_by_label("Authentication code").fill(admin.next_code())
    office.get_by_role("button", name="Verify").click()
    go(office, "Staff")
    expect(office.get_by_role("heading", level=1)).to_have_text("Staff")
    admin_row = office.get_by_role("row").filter(has_text=admin.email)
    expect(admin_row).not_to_contain_text("Never")  # the sign-in just made
    expect(admin_row.get_by_role("button")).to_have_count(0)  # one's own: "You"

    email = unique_email("kim")
    invite = office.get_by_role("form", name="Invite a staff member")
    invite.get_by_label("Email").fill(email)
    invite.get_by_label("Role").select_option("SUPPORT")
    # A double click: two clicks in one task, before React re-renders with the button disabled
    # (a guard reading render state lets the second through). One invitation, one mail.
    invitations = posts(office, "InviteStaff")
    invite.get_by_role("button", name="Invite").evaluate(
        "button => { button.click(); button.click(); }"
    )
    expect(invite.get_by_role("status")).to_have_text(f"Invitation sent to {email}.")
    assert len(invitations) == 1, invitations
    expect(office.get_by_role("row").filter(has_text=email)).to_contain_text("Pending until")
    accessible(office)

    # The invitee opens the mailed link: its path is this app's page.
    link = urlsplit(mailed_link(stack_redis_url, email, "users.staff_invited", "invite_url"))
    assert link.path == "/accept-invitation"
    invitee = new_context(base_url=backoffice_url, viewport=DESKTOP).new_page()
    invitee.goto(f"{link.path}?{link.query}")
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Join the back office")
    accessible(invitee)
    invitee.get_by_label("Name").fill("Kim Invitee")
    invitee.get_by_label("Password").fill(PASSWORD)
    invitee.get_by_role("button", name="Accept invitation").click()
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Your account is ready")
    expect(invitee.get_by_test_id("totp-uri")).to_contain_text("otpauth://totp/")
    invitee.get_by_role("link", name="Go to sign in").click()
    expect(invitee.get_by_role("button", name="Sign in")).to_be_visible()

    # The admin sees the new account (the list is read again on the way back to it).
    go(office, "Activity")
    with office.expect_response(sends("StaffMembers")):
        go(office, "Staff")
    # The staff table's row (the invitations' cached row may show until they are read again).
    kim = (
        office.get_by_role("table", name="Staff members").get_by_role("row").filter(has_text=email)
    )
    expect(kim).to_contain_text("Support")
    kim.get_by_role("button", name="Change role").click()
    change = office.get_by_role("form", name=f"Change the role of Kim Invitee ({email})")
    change.get_by_label("Role").select_option("CATALOG")
    change.get_by_role("button", name="Change role").click()
    expect(change).to_contain_text("A reason is required.")  # a reason is asked for
    change.get_by_label("Reason").fill("moves to the catalog team")
    # The mutations answer the row's changed fields: the list is not read again (that would
    # drop the rows "Load more" added).
    reread = posts(office, "StaffMembers")
    change.get_by_role("button", name="Change role").click()
    done = office.get_by_role("status").first
    expect(done).to_have_text(f"Kim Invitee ({email}) is now Catalog.")
    expect(done).to_be_focused()  # the form closed: focus on what it did, not on the body
    expect(kim).to_contain_text("Catalog")

    # Cancelled, the form gives focus back to the button that opened it.
    kim.get_by_role("button", name="Disable").click()
    office.get_by_role("button", name="Cancel", exact=True).click()
    expect(kim.get_by_role("button", name="Disable")).to_be_focused()

    kim.get_by_role("button", name="Disable").click()
    disable = office.get_by_role("form", name=f"Disable Kim Invitee ({email})")
    disable.get_by_label("Reason").fill("left the company")
    disable.get_by_role("button", name="Disable").click()
    expect(done).to_have_text(f"Kim Invitee ({email}) is disabled.")
    expect(done).to_be_focused()
    expect(kim.get_by_role("button", name="Disable")).to_have_count(0)
    expect(kim.get_by_role("cell").nth(4)).not_to_have_text("No")
    assert reread == [], reread
    accessible(office)

    go(office, "Activity")
    rows = office.get_by_role("row")
    expect(rows.filter(has_text="left the company")).to_contain_text("Disabled an account")
    expect(rows.filter(has_text="moves to the catalog team")).to_contain_text("Changed a role")
    expect(rows.filter(has_text="Accepted an invitation").first).to_contain_text("Kim Invitee")
    # Newest first: the disabling heads the list (other tests' entries are older or another's).
    actors = office.get_by_label("Staff member")
    actors.select_option(actors.locator("option", has_text=admin.email).get_attribute("value"))
    expect(office).to_have_url(re.compile(r"/activity\?actor="))
    mine = office.get_by_role("row")
    expect(mine.nth(1)).to_contain_text("Disabled an account")
    expect(mine.nth(2)).to_contain_text("Changed a role")
    expect(mine.nth(3)).to_contain_text("Invited a staff member")
    expect(mine.filter(has_text="Accepted an invitation")).to_have_count(0)  # Kim's own
    expect(mine.nth(1).get_by_role("cell").nth(5)).not_to_have_text("—")  # correlation id
    accessible(office)


def test_support_finds_a_customer_by_email_and_by_name(
    office: Page,  # noqa: F811 (the fixture imported above)
    gateway_url: str,
    users_signing_key: bytes,
) -> None:
    tag = uuid.uuid4().hex[:8]
    customer = new_account(gateway_url, f"Zora Quill{tag}")
    support = new_account(gateway_url, "Sam Support")
    as_staff(office, gateway_url, users_signing_key, Role.SUPPORT)
    sign_in(office, support)
    go(office, "Customers")
    search = office.get_by_role("search")

    search.get_by_label("Email or name").fill(customer[:20].upper())
    search.get_by_role("button", name="Search").click()
    found = office.get_by_role("row").filter(has_text=customer)
    expect(found).to_contain_text(f"Zora Quill{tag}")
    accessible(office)

    search.get_by_label("Email or name").fill(f"quill{tag}")
    search.get_by_role("button", name="Search").click()
    expect(office.get_by_role("row")).to_have_count(2)  # the header and Zora
    expect(found).to_be_visible()

    search.get_by_label("Email or name").fill(f"nobody-{tag}")
    search.get_by_role("button", name="Search").click()
    expect(office.get_by_text("No customers found")).to_be_visible()

    # Back and forward: the box shows the URL's term, the one the results are for.
    box = search.get_by_label("Email or name")
    office.go_back()
    expect(found).to_be_visible()
    expect(box).to_have_value(f"quill{tag}")
    office.go_forward()
    expect(office.get_by_text("No customers found")).to_be_visible()
    expect(box).to_have_value(f"nobody-{tag}")
    office.go_back()
    expect(box).to_have_value(f"quill{tag}")
    office.get_by_role("link", name=f"Zora Quill{tag}").click()
    expect(office.get_by_role("heading", level=1)).to_have_text(f"Zora Quill{tag}")
    expect(office.get_by_text(customer)).to_be_visible()
    expect(office.get_by_text("No orders yet.")).to_be_visible()
    accessible(office)
