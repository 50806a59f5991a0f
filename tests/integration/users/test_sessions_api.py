"""Sessions and passwords through the users GraphQL API, on the real store."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import jwt
import pytest

from testkit.client import graphql
from testkit.journeys import ME, PASSWORD, REGISTER, register, unique_email
from testkit.sessions import (
    CHANGE_PASSWORD,
    LOGOUT,
    LOGOUT_EVERYWHERE,
    REQUEST_RESET,
    RESET,
    change_password_input,
    codes,
    log_in,
    refresh,
    reset_password,
    token_of,
)
from testkit.waiting import eventually

pytestmark = pytest.mark.integration


async def reset_links(users_db: Any, user_id: str, count: int = 1) -> list[str]:
    """The links of the `count` `users.password_reset_requested` events for this user in the
    outbox, once there (the request answers before it records them)."""

    async def links() -> list[str] | None:
        events = users_db["outbox"].find(
            {"type": "users.password_reset_requested", "payload.user_id": user_id}
        )
        found = [e["payload"]["reset_url"] async for e in events]
        return found if len(found) >= count else None

    return await eventually(links, what=f"{count} reset link(s) in the outbox")


async def test_sign_in_starts_a_session_whose_tokens_carry_its_id(users_client, users_db):
    registered = await register(users_client)

    claims = jwt.decode(registered["accessToken"], options={"verify_signature": False})
    session = await users_db["sessions"].find_one({"_id": claims["sid"]})
    assert session["user_id"] == registered["user"]["id"]
    ends = datetime.fromisoformat(registered["refreshExpiresAt"])
    assert ends - datetime.fromisoformat(registered["expiresAt"]) > timedelta(days=6)

    refreshed = await refresh(users_client, registered["refreshToken"])
    assert refreshed["userErrors"] == []
    assert refreshed["user"]["id"] == registered["user"]["id"]
    assert refreshed["user"]["email"] == registered["user"]["email"]
    assert refreshed["refreshToken"] != registered["refreshToken"]
    assert refreshed["refreshExpiresAt"] == registered["refreshExpiresAt"]  # absolute end
    new_claims = jwt.decode(refreshed["accessToken"], options={"verify_signature": False})
    assert new_claims["sid"] == claims["sid"]
    me = await graphql(users_client, ME, token=refreshed["accessToken"])
    assert me["data"]["me"]["id"] == registered["user"]["id"]


async def test_tokens_are_stored_only_as_hashes(users_client, users_db):
    registered = await register(users_client)
    refreshed = await refresh(users_client, registered["refreshToken"])
    await graphql(users_client, REQUEST_RESET, {"input": {"email": registered["user"]["email"]}})
    [link] = await reset_links(users_db, registered["user"]["id"])
    reset_token = token_of(link)

    stored = [
        str(doc)
        for name in ("sessions", "refresh_tokens", "password_resets", "users")
        async for doc in users_db[name].find()
    ]
    assert stored
    for raw in (registered["refreshToken"], refreshed["refreshToken"], reset_token):
        assert not any(raw in doc for doc in stored)


async def test_reusing_a_spent_refresh_token_revokes_the_whole_session(users_client, users_db):
    registered = await register(users_client)
    first = registered["refreshToken"]
    second = (await refresh(users_client, first))["refreshToken"]

    reused = await refresh(users_client, first)
    assert codes(reused) == ["SESSION_REVOKED"]
    assert reused["userErrors"][0]["field"] == ["input", "refreshToken"]
    assert reused["accessToken"] is None
    assert reused["refreshToken"] is None
    assert codes(await refresh(users_client, second)) == ["SESSION_REVOKED"]


async def test_of_two_concurrent_refreshes_exactly_one_wins(users_client, users_db):
    for _ in range(3):  # a few rounds, so the race really happens
        token = (await register(users_client))["refreshToken"]

        results = await asyncio.gather(*(refresh(users_client, token) for _ in range(2)))

        outcomes = sorted(tuple(codes(r)) for r in results)
        assert outcomes == [(), ("SESSION_REVOKED",)]
        [winner] = [r for r in results if not r["userErrors"]]
        # The loser counted as reuse: the session is revoked, the winner's new token too.
        assert codes(await refresh(users_client, winner["refreshToken"])) == ["SESSION_REVOKED"]


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 10_000])
async def test_an_unknown_refresh_token_is_invalid(users_client, token):
    assert codes(await refresh(users_client, token)) == ["INVALID_REFRESH_TOKEN"]


async def test_logout_ends_one_session_and_is_idempotent(users_client, users_db):
    email = unique_email("logout")
    registered = await register(users_client, email=email)
    other = await log_in(users_client, email)

    for _ in range(2):
        body = await graphql(
            users_client, LOGOUT, {"input": {"refreshToken": registered["refreshToken"]}}
        )
        assert body["data"]["logout"]["userErrors"] == []
    unknown = await graphql(users_client, LOGOUT, {"input": {"refreshToken": "nope"}})
    assert unknown["data"]["logout"]["userErrors"] == []

    assert codes(await refresh(users_client, registered["refreshToken"])) == ["SESSION_REVOKED"]
    assert codes(await refresh(users_client, other["refreshToken"])) == []


async def test_logout_everywhere_ends_every_session(users_client, users_db):
    email = unique_email("everywhere")
    registered = await register(users_client, email=email)
    other = await log_in(users_client, email)
    anonymous = await graphql(users_client, LOGOUT_EVERYWHERE)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    body = await graphql(users_client, LOGOUT_EVERYWHERE, token=registered["accessToken"])

    assert body["data"]["logoutEverywhere"] == {"revokedSessions": 2, "userErrors": []}
    for token in (registered["refreshToken"], other["refreshToken"]):
        assert codes(await refresh(users_client, token)) == ["SESSION_REVOKED"]


async def test_change_password_keeps_this_session_and_ends_the_others(users_client, users_db):
    email = unique_email("change")
    registered = await register(users_client, email=email)
    other = await log_in(users_client, email)
    token = registered["accessToken"]

    wrong = await graphql(
        users_client, CHANGE_PASSWORD, change_password_input("nope-nope", "new-pass-1"), token=token
    )
    weak = await graphql(
        users_client, CHANGE_PASSWORD, change_password_input(PASSWORD, "short"), token=token
    )
    assert [(e["code"], e["field"]) for e in wrong["data"]["changePassword"]["userErrors"]] == [
        ("WRONG_PASSWORD", ["input", "currentPassword"])
    ]
    assert [(e["code"], e["field"]) for e in weak["data"]["changePassword"]["userErrors"]] == [
        ("WEAK_PASSWORD", ["input", "newPassword"])
    ]
    assert codes(await refresh(users_client, other["refreshToken"])) == []  # nothing changed

    other = await log_in(users_client, email)
    done = await graphql(
        users_client, CHANGE_PASSWORD, change_password_input(PASSWORD, "new-pass-1"), token=token
    )

    assert done["data"]["changePassword"]["userErrors"] == []
    assert codes(await refresh(users_client, registered["refreshToken"])) == []
    assert codes(await refresh(users_client, other["refreshToken"])) == ["SESSION_REVOKED"]
    assert codes(await log_in(users_client, email)) == ["INVALID_CREDENTIALS"]
    assert codes(await log_in(users_client, email, "new-pass-1")) == []


async def test_change_password_needs_a_signed_in_caller(users_client):
    body = await graphql(
        users_client,
        CHANGE_PASSWORD,
        {"input": {"currentPassword": PASSWORD, "newPassword": "new-pass-1"}},
    )
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_password_reset_answers_alike_and_works_once(users_client, users_db):
    email = unique_email("forgot")
    registered = await register(users_client, email=email)
    other = await log_in(users_client, email)

    known = await graphql(users_client, REQUEST_RESET, {"input": {"email": email.upper()}})
    unknown = await graphql(
        users_client, REQUEST_RESET, {"input": {"email": unique_email("nobody")}}
    )
    assert known == unknown == {"data": {"requestPasswordReset": {"userErrors": []}}}
    [link] = await reset_links(users_db, registered["user"]["id"])
    assert (
        await users_db["outbox"].count_documents({"type": "users.password_reset_requested"}) == 1
    )  # nothing for the unknown email
    assert link.startswith("http://localhost:3000/reset-password?token=")
    token = token_of(link)

    weak = await graphql(users_client, RESET, {"input": {"token": token, "newPassword": "x"}})
    assert codes(weak["data"]["resetPassword"]) == ["WEAK_PASSWORD"]
    done = await graphql(
        users_client, RESET, {"input": {"token": token, "newPassword": "brand-new-1"}}
    )
    assert done["data"]["resetPassword"]["userErrors"] == []
    again = await graphql(
        users_client, RESET, {"input": {"token": token, "newPassword": "brand-new-2"}}
    )
    assert codes(again["data"]["resetPassword"]) == ["INVALID_RESET_TOKEN"]

    for session in (registered, other):
        assert codes(await refresh(users_client, session["refreshToken"])) == ["SESSION_REVOKED"]
    assert codes(await log_in(users_client, email, "brand-new-1")) == []


async def test_reset_requests_are_throttled_per_email_without_a_different_answer(
    users_client, users_db
):
    registered = await register(users_client)
    email = registered["user"]["email"]

    answers = [
        await graphql(users_client, REQUEST_RESET, {"input": {"email": email}}) for _ in range(5)
    ]

    assert all(a == answers[0] for a in answers)
    assert answers[0]["data"]["requestPasswordReset"]["userErrors"] == []
    assert len(await reset_links(users_db, registered["user"]["id"], 3)) == 3  # the limit


async def test_a_malformed_reset_token_or_email_is_a_user_error(users_client):
    bad_email = await graphql(users_client, REQUEST_RESET, {"input": {"email": "not-an-email"}})
    assert codes(bad_email["data"]["requestPasswordReset"]) == ["INVALID_EMAIL"]
    bad_token = await graphql(
        users_client, RESET, {"input": {"token": "made-up", "newPassword": "brand-new-1"}}
    )
    assert bad_token["data"]["resetPassword"]["userErrors"] == [
        {
            "field": ["input", "token"],
            "message": "This reset link is invalid or has expired; ask for a new one.",
            "code": "INVALID_RESET_TOKEN",
        }
    ]


async def test_a_refused_registration_starts_no_session(users_client, users_db):
    email = unique_email("twice")
    await register(users_client, email=email)
    body = await graphql(
        users_client,
        REGISTER,
        {"input": {"email": email, "password": PASSWORD, "name": "Again"}},
    )
    assert codes(body["data"]["register"]) == []
    # The one session is the first account's sign-in: registering starts none.
    assert await users_db["sessions"].count_documents({}) == 1
    assert await users_db["refresh_tokens"].count_documents({}) == 1


async def test_of_two_concurrent_resets_with_one_link_exactly_one_works(users_client, users_db):
    registered = await register(users_client)
    await graphql(users_client, REQUEST_RESET, {"input": {"email": registered["user"]["email"]}})
    [link] = await reset_links(users_db, registered["user"]["id"])
    token = token_of(link)

    results = await asyncio.gather(
        reset_password(users_client, token, "first-choice-1"),
        reset_password(users_client, token, "second-choice-2"),
    )

    assert sorted(tuple(codes(r)) for r in results) == [(), ("INVALID_RESET_TOKEN",)]
    changed = users_db["outbox"].find({"type": "users.password_changed"})
    assert [e["payload"] async for e in changed] == [
        {"user_id": registered["user"]["id"], "how": "reset"}
    ]
