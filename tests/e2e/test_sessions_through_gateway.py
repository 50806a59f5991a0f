"""Sessions and passwords through the gateway, as the storefront uses them."""

from __future__ import annotations

import asyncio
import re
from email import parser as email_parser
from email import policy as email_policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest

from testkit.client import error_codes, graphql
from testkit.journeys import ME, PASSWORD, register, unique_email
from testkit.sessions import (
    CHANGE_PASSWORD,
    LOGOUT,
    LOGOUT_EVERYWHERE,
    REQUEST_RESET,
    change_password_input,
    codes,
    log_in,
    refresh,
    reset_password,
    token_of,
)
from testkit.waiting import eventually
from tests.e2e.conftest import SmtpSink

pytestmark = pytest.mark.e2e

# Any query a subgraph answers only for a signed-in caller (null: no such order).
SIGNED_IN_ONLY = 'query { order(id: "00000000-0000-0000-0000-000000000000") { id } }'


async def answers(gateway: httpx.AsyncClient, orders_url: str, token: str) -> list[Any]:
    """The gateway's HTTP status (401: refused before any subgraph) and error codes for
    `token`, and the error codes straight from the orders subgraph."""
    headers = {"authorization": f"Bearer {token}"}
    at_gateway = await gateway.post("/graphql", json={"query": ME}, headers=headers)
    async with httpx.AsyncClient(base_url=orders_url) as orders:
        direct = await graphql(orders, SIGNED_IN_ONLY, token=token)
    return [at_gateway.status_code, error_codes(at_gateway.json()), error_codes(direct)]


async def accepted(gateway: httpx.AsyncClient, orders_url: str, *tokens: str) -> None:
    """Each token works (and is now in every verifier's cache)."""
    for token in tokens:
        assert await answers(gateway, orders_url, token) == [200, [], []]


async def refused(gateway: httpx.AsyncClient, orders_url: str, *tokens: str) -> None:
    """Each token is soon refused at the gateway and at a subgraph called directly."""
    for token in tokens:

        async def gone(token: str = token) -> bool:
            unauthenticated = ["UNAUTHENTICATED"]
            found = await answers(gateway, orders_url, token)
            return found == [401, unauthenticated, unauthenticated]

        await eventually(gone, what="the access token of a revoked session refused")


async def mailed_reset_link(smtp_sink: SmtpSink, email: str) -> str:
    """The link in the reset mail the notifications worker sent to `email` (via the SMTP sink)."""

    async def mail() -> list[dict[str, Any]] | None:
        async with httpx.AsyncClient(base_url=smtp_sink.url) as sink:
            found: list[dict[str, Any]] = (await sink.get("/messages", params={"to": email})).json()
        return [m for m in found if m["subject"] == "Reset your Commerce password"] or None

    [message] = await eventually(mail, what=f"the reset mail to {email}")
    async with httpx.AsyncClient(base_url=smtp_sink.url) as sink:
        raw = (await sink.get(f"/messages/{message['id']}")).content
    parsed = email_parser.BytesParser(policy=email_policy.default).parsebytes(raw)
    body = parsed.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    [link] = re.findall(r"http://\S+/reset-password\?token=[\w-]+", body.get_content())
    return str(link)


async def test_a_reused_refresh_token_ends_the_session(gateway, orders_url):
    registered = await register(gateway)
    first = registered["refreshToken"]
    refreshed = await refresh(gateway, first)
    assert refreshed["userErrors"] == []
    me = await graphql(gateway, ME, token=refreshed["accessToken"])
    assert me["data"]["me"]["id"] == registered["user"]["id"]
    await accepted(gateway, orders_url, registered["accessToken"], refreshed["accessToken"])

    assert codes(await refresh(gateway, first)) == ["SESSION_REVOKED"]
    assert codes(await refresh(gateway, refreshed["refreshToken"])) == ["SESSION_REVOKED"]
    await refused(gateway, orders_url, registered["accessToken"], refreshed["accessToken"])


async def test_two_refreshes_at_once_through_the_gateway_one_wins(gateway):
    token = (await register(gateway))["refreshToken"]

    results = await asyncio.gather(refresh(gateway, token), refresh(gateway, token))

    assert sorted(tuple(codes(r)) for r in results) == [(), ("SESSION_REVOKED",)]


async def test_logout_and_logout_everywhere(gateway, orders_url):
    email = unique_email("signout")
    registered = await register(gateway, email=email)
    second, third = await log_in(gateway, email), await log_in(gateway, email)
    tokens = [s["accessToken"] for s in (registered, second, third)]
    await accepted(gateway, orders_url, *tokens)

    body = await graphql(gateway, LOGOUT, {"input": {"refreshToken": second["refreshToken"]}})
    assert body["data"]["logout"]["userErrors"] == []
    assert codes(await refresh(gateway, second["refreshToken"])) == ["SESSION_REVOKED"]
    await refused(gateway, orders_url, second["accessToken"])
    await accepted(gateway, orders_url, registered["accessToken"], third["accessToken"])

    body = await graphql(gateway, LOGOUT_EVERYWHERE, token=registered["accessToken"])
    assert body["data"]["logoutEverywhere"] == {"revokedSessions": 2, "userErrors": []}
    for session in (registered, third):
        assert codes(await refresh(gateway, session["refreshToken"])) == ["SESSION_REVOKED"]
    await refused(gateway, orders_url, registered["accessToken"], third["accessToken"])


async def test_change_password_keeps_this_session_and_ends_the_other(gateway, orders_url):
    email = unique_email("change")
    registered = await register(gateway, email=email)
    other = await log_in(gateway, email)
    await accepted(gateway, orders_url, registered["accessToken"], other["accessToken"])

    body = await graphql(
        gateway,
        CHANGE_PASSWORD,
        change_password_input(PASSWORD, "changed-password-1"),
        token=registered["accessToken"],
    )

    assert body["data"]["changePassword"]["userErrors"] == []
    assert codes(await refresh(gateway, registered["refreshToken"])) == []
    assert codes(await refresh(gateway, other["refreshToken"])) == ["SESSION_REVOKED"]
    assert codes(await log_in(gateway, email, "changed-password-1")) == []
    await refused(gateway, orders_url, other["accessToken"])
    await accepted(gateway, orders_url, registered["accessToken"])


async def test_a_mailed_reset_link_answers_alike_and_works_once(gateway, smtp_sink, orders_url):
    email = unique_email("forgot")
    registered = await register(gateway, email=email)
    await accepted(gateway, orders_url, registered["accessToken"])

    known = await graphql(gateway, REQUEST_RESET, {"input": {"email": email}})
    unknown = await graphql(gateway, REQUEST_RESET, {"input": {"email": unique_email("nobody")}})
    assert known == unknown == {"data": {"requestPasswordReset": {"userErrors": []}}}

    token = token_of(await mailed_reset_link(smtp_sink, email))
    assert codes(await reset_password(gateway, token, "after-reset-1")) == []
    assert codes(await reset_password(gateway, token, "after-reset-2")) == ["INVALID_RESET_TOKEN"]

    assert codes(await refresh(gateway, registered["refreshToken"])) == ["SESSION_REVOKED"]
    await refused(gateway, orders_url, registered["accessToken"])
    assert codes(await log_in(gateway, email)) == ["INVALID_CREDENTIALS"]
    assert codes(await log_in(gateway, email, "after-reset-1")) == []
