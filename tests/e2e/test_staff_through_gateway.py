"""Staff through the gateway: the admin `make staff` creates signs in with a TOTP code,
invites a colleague (the mail goes out through the outbox and the notifications worker),
the colleague accepts and signs in, and once disabled their token is refused everywhere."""

from __future__ import annotations

import os
import re
import uuid
from email import parser as email_parser
from email import policy as email_policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest

from subgraphs.kernel.core.access import Role
from testkit.client import error_codes, graphql
from testkit.journeys import ME, PASSWORD, register, unique_email
from testkit.sessions import codes, refresh
from testkit.staff_sessions import (
    ACCEPT_STAFF_INVITATION,
    CUSTOMER_BY_EMAIL,
    CUSTOMERS,
    DISABLE_STAFF,
    INVITE_STAFF,
    STAFF_ACTIVITY,
    STAFF_MUTATIONS,
    StaffMember,
    make_staff_command,
    sign_in_staff,
)
from testkit.tokens import mint_access_token
from testkit.waiting import eventually
from tests.e2e.conftest import SmtpSink

pytestmark = pytest.mark.e2e


async def mailed_invitation_link(smtp_sink: SmtpSink, email: str) -> str:
    """The link in the invitation the notifications worker sent to `email`."""

    async def mail() -> list[dict[str, Any]] | None:
        async with httpx.AsyncClient(base_url=smtp_sink.url) as sink:
            found: list[dict[str, Any]] = (await sink.get("/messages", params={"to": email})).json()
        subject = "You are invited to the Commerce back office"
        return [m for m in found if m["subject"] == subject] or None

    [message] = await eventually(mail, what=f"the invitation mail to {email}")
    async with httpx.AsyncClient(base_url=smtp_sink.url) as sink:
        raw = (await sink.get(f"/messages/{message['id']}")).content
    parsed = email_parser.BytesParser(policy=email_policy.default).parsebytes(raw)
    body = parsed.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    [link] = re.findall(r"http://\S+/accept-invitation\?token=[\w-]+", body.get_content())
    return str(link)


async def test_an_admin_from_the_command_line_invites_and_disables_staff(
    gateway, users_url, stack_env, smtp_sink, notifications_worker
):
    env = {**os.environ, **stack_env, "PYTHONPATH": os.getcwd()}
    admin = make_staff_command(unique_email("admin"), "admin", env)
    admin_token = (await sign_in_staff(gateway, admin))["accessToken"]

    email = unique_email("invited")
    invite = {"input": {"email": email, "role": "SUPPORT"}}
    invited = await graphql(gateway, INVITE_STAFF, invite, token=admin_token)
    assert invited["data"]["inviteStaff"]["userErrors"] == []
    link = await mailed_invitation_link(smtp_sink, email)
    accept = {"input": {"token": link.split("token=")[1], "password": PASSWORD, "name": "Kim"}}
    accepted = (await graphql(gateway, ACCEPT_STAFF_INVITATION, accept))["data"][
        "acceptStaffInvitation"
    ]
    assert accepted["userErrors"] == []
    again = (await graphql(gateway, ACCEPT_STAFF_INVITATION, accept))["data"]
    assert codes(again["acceptStaffInvitation"]) == ["INVALID_INVITATION"]

    kim = StaffMember(email, accepted["totpEnrolmentUri"])
    signed_in = await sign_in_staff(gateway, kim)
    me = await graphql(gateway, ME, token=signed_in["accessToken"])
    assert me["data"]["me"]["email"] == email

    disable = {"input": {"userId": accepted["user"]["id"], "reason": "left the team"}}
    done = await graphql(gateway, DISABLE_STAFF, disable, token=admin_token)
    assert done["data"]["disableStaff"]["revokedSessions"] == 1
    assert codes(await refresh(gateway, signed_in["refreshToken"])) == ["ACCOUNT_DISABLED"]

    async def refused() -> bool:
        response = await gateway.post(
            "/graphql",
            json={"query": ME},
            headers={"authorization": f"Bearer {signed_in['accessToken']}"},
        )
        return error_codes(response.json()) == ["UNAUTHENTICATED"]

    await eventually(refused, what="the disabled account's access token refused")

    activity = await graphql(gateway, STAFF_ACTIVITY, {"first": 10}, token=admin_token)
    actions = [e["node"] for e in activity["data"]["staffActivity"]["edges"]]
    mine = [a for a in actions if a["subjectId"] == accepted["user"]["id"]]
    assert [a["action"] for a in mine] == [
        "users.staff_disabled",
        "users.staff_invitation_accepted",
        "users.staff_invited",
    ]
    assert mine[0]["reason"] == "left the team"
    assert mine[0]["actorId"] == mine[0]["actor"]["id"]


async def test_a_customer_token_is_forbidden_on_every_staff_field(gateway):
    customer = await register(gateway)
    for name, (mutation, variables) in STAFF_MUTATIONS.items():
        body = await graphql(gateway, mutation, variables, token=customer["accessToken"])
        assert error_codes(body) == ["FORBIDDEN"], (name, body)
        assert body.get("data") is None
    body = await graphql(gateway, STAFF_ACTIVITY, {"first": 5}, token=customer["accessToken"])
    assert error_codes(body) == ["FORBIDDEN"]


async def test_support_finds_customers_through_the_gateway_a_customer_is_forbidden(
    gateway, users_signing_key
):
    tag = uuid.uuid4().hex[:8]
    customer = await register(gateway, name=f"Gwen Gate{tag}")
    staffer = await register(gateway)
    support = mint_access_token(users_signing_key, staffer["user"]["id"], role=Role.SUPPORT)

    for query in (customer["user"]["email"][:12].upper(), f"gate{tag}"):
        body = await graphql(gateway, CUSTOMERS, {"query": query}, token=support)
        found = [e["node"] for e in body["data"]["customers"]["edges"]]
        assert customer["user"]["id"] in {n["id"] for n in found}, (query, body)
    [gwen] = [n for n in found if n["id"] == customer["user"]["id"]]
    assert gwen["email"] == customer["user"]["email"]  # customers:read sees it

    refused = await graphql(gateway, CUSTOMERS, {"query": "gwen"}, token=customer["accessToken"])
    assert error_codes(refused) == ["FORBIDDEN"]
    assert refused.get("data") is None
    blank = await graphql(gateway, CUSTOMERS, {"query": " "}, token=support)
    assert error_codes(blank) == ["BAD_USER_INPUT"]


async def test_support_finds_a_customer_by_exact_email_a_customer_is_forbidden(
    gateway, users_signing_key
):
    customer = await register(gateway, name="Erin Exact")
    email = customer["user"]["email"]
    staffer = await register(gateway)
    support = mint_access_token(users_signing_key, staffer["user"]["id"], role=Role.SUPPORT)

    body = await graphql(gateway, CUSTOMER_BY_EMAIL, {"email": email.upper()}, token=support)
    assert body == {
        "data": {
            "customerByEmail": {"id": customer["user"]["id"], "name": "Erin Exact", "email": email}
        }
    }
    nobody = await graphql(gateway, CUSTOMER_BY_EMAIL, {"email": unique_email()}, token=support)
    assert nobody == {"data": {"customerByEmail": None}}

    refused = await graphql(
        gateway, CUSTOMER_BY_EMAIL, {"email": email}, token=customer["accessToken"]
    )
    assert error_codes(refused) == ["FORBIDDEN"]
    assert (refused.get("data") or {}).get("customerByEmail") is None
