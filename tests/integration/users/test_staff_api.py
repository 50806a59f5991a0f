"""Staff through the users GraphQL API on the real stores: the command line's admin, the
second factor, invitations, role changes, disabling, the activity record, and every staff
field refused without its scope."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from subgraphs.kernel.core.access import Role
from subgraphs.users.settings import UsersSettings
from subgraphs.users.staff_cli import add_staff
from testkit.client import error_codes, graphql
from testkit.journeys import ME, PASSWORD, register, unique_email
from testkit.sessions import codes, refresh
from testkit.staff_sessions import (
    ACCEPT_STAFF_INVITATION,
    CHANGE_STAFF_ROLE,
    DISABLE_STAFF,
    INVITE_STAFF,
    STAFF_ACTIVITY,
    STAFF_INVITATIONS,
    STAFF_LOGIN,
    STAFF_MUTATIONS,
    VERIFY_SECOND_FACTOR,
    StaffMember,
    make_staff_command,
    sign_in_staff,
)
from testkit.waiting import eventually

pytestmark = pytest.mark.integration


async def new_staff(settings: UsersSettings, role: Role = Role.ADMIN) -> StaffMember:
    email = unique_email(role.value)
    made = await add_staff(settings, email, PASSWORD, "Staff Member", role)
    return StaffMember(email, made.enrolment_uri, PASSWORD, made.recovery_codes)


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


async def test_make_staff_prints_a_uri_whose_codes_sign_the_admin_in(
    users_client, users_db, users_settings, mongo_uri
):
    env = {
        **os.environ,
        "PYTHONPATH": os.getcwd(),
        "APP_ENV": "test",
        "MONGODB_URI": mongo_uri,
        "USERS_DATABASE": users_settings.database,
        "USERS_SIGNING_KEY_FILE": str(users_settings.signing_key_file),
    }
    email = unique_email("first-admin")

    admin = make_staff_command(email, "admin", env)

    assert admin.uri.startswith("otpauth://totp/Commerce:")
    assert len(admin.recovery_codes) == 10
    signed_in = await sign_in_staff(users_client, admin)
    assert signed_in["user"]["email"] == email
    assert signed_in["user"]["role"] == "ADMIN"
    token = claims(signed_in["accessToken"])
    assert token["role"] == "admin"
    assert "staff:manage" in token["scope"].split()
    assert token["exp"] - token["iat"] == 300
    stored = await users_db["second_factors"].find_one({"_id": signed_in["user"]["id"]})
    assert admin.uri.split("secret=")[1].split("&")[0] not in str(stored)  # sealed at rest
    assert not set(admin.recovery_codes) & set(stored["recovery_hashes"])


async def test_a_staff_password_alone_gets_no_token(users_client, users_db, users_settings):
    member = await new_staff(users_settings, Role.SUPPORT)
    variables = {"input": {"email": member.email, "password": PASSWORD}}

    login = (await graphql(users_client, STAFF_LOGIN, variables))["data"]["login"]

    assert login["accessToken"] is None
    assert login["refreshToken"] is None
    assert login["secondFactorChallenge"]
    assert await users_db["sessions"].count_documents({}) == 0


async def test_wrong_and_replayed_codes_are_refused(users_client, users_settings):
    member = await new_staff(users_settings, Role.SUPPORT)
    variables = {"input": {"email": member.email, "password": PASSWORD}}

    async def verify(code: str) -> list[str]:
        login = (await graphql(users_client, STAFF_LOGIN, variables))["data"]["login"]
        answer = {"input": {"challenge": login["secondFactorChallenge"], "code": code}}
        body = await graphql(users_client, VERIFY_SECOND_FACTOR, answer)
        payload = body["data"]["verifySecondFactor"]
        if not payload["userErrors"]:
            assert payload["accessToken"]
        else:
            assert payload["accessToken"] is None
        return codes(payload)

    code = member.next_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert await verify(wrong) == ["INVALID_CODE"]
    assert await verify(code) == []
    assert await verify(code) == ["CODE_ALREADY_USED"]
    assert await verify(member.recovery_codes[0]) == []
    assert await verify(member.recovery_codes[0]) == ["INVALID_CODE"]


async def test_an_invitation_is_mailed_accepted_once_and_then_signs_in(
    users_client, users_db, users_settings
):
    admin = await new_staff(users_settings)
    token = (await sign_in_staff(users_client, admin))["accessToken"]
    email = unique_email("invited")

    invite = {"input": {"email": email, "role": "CATALOG"}}
    invited = (await graphql(users_client, INVITE_STAFF, invite, token=token))["data"]
    assert invited["inviteStaff"]["userErrors"] == []
    assert invited["inviteStaff"]["invitation"]["role"] == "CATALOG"
    event = await users_db["outbox"].find_one(
        {"type": "users.staff_invited", "payload.email": email}
    )
    link = event["payload"]["invite_url"]
    assert link.startswith(users_settings.staff_invitation_url + "?token=")
    link_token = link.split("token=")[1]

    accept = {"input": {"token": link_token, "password": PASSWORD, "name": "Kim"}}
    accepted = (await graphql(users_client, ACCEPT_STAFF_INVITATION, accept))["data"][
        "acceptStaffInvitation"
    ]
    assert accepted["userErrors"] == []
    assert accepted["user"]["email"] == email
    assert accepted["user"]["id"] == event["payload"]["user_id"]
    assert len(accepted["recoveryCodes"]) == 10
    again = (await graphql(users_client, ACCEPT_STAFF_INVITATION, accept))["data"]
    assert codes(again["acceptStaffInvitation"]) == ["INVALID_INVITATION"]
    assert await users_db["users"].count_documents({"email": email}) == 1

    kim = StaffMember(email, accepted["totpEnrolmentUri"])
    signed_in = await sign_in_staff(users_client, kim)
    assert claims(signed_in["accessToken"])["scope"] == "catalog:write"


async def test_inviting_an_email_again_replaces_its_pending_invitation(
    users_client, users_db, users_settings
):
    admin = await new_staff(users_settings)
    token = (await sign_in_staff(users_client, admin))["accessToken"]
    email = unique_email("twice")
    links = []
    for role in ("SUPPORT", "CATALOG"):
        invite = {"input": {"email": email, "role": role}}
        body = await graphql(users_client, INVITE_STAFF, invite, token=token)
        assert body["data"]["inviteStaff"]["userErrors"] == []
        events = users_db["outbox"].find({"type": "users.staff_invited", "payload.email": email})
        found = [e["payload"]["invite_url"].split("token=")[1] async for e in events]
        links += [link for link in found if link not in links]
    older, newer = links
    pending = await graphql(users_client, STAFF_INVITATIONS, {"first": 100}, token=token)
    listed = [
        n for n in pending["data"]["staffInvitations"]["edges"] if n["node"]["email"] == email
    ]
    assert [n["node"]["role"] for n in listed] == ["CATALOG"]

    def accept(link_token: str) -> dict[str, Any]:
        return {"input": {"token": link_token, "password": PASSWORD, "name": "Twice"}}

    superseded = await graphql(users_client, ACCEPT_STAFF_INVITATION, accept(older))
    assert codes(superseded["data"]["acceptStaffInvitation"]) == ["INVALID_INVITATION"]
    accepted = await graphql(users_client, ACCEPT_STAFF_INVITATION, accept(newer))
    assert accepted["data"]["acceptStaffInvitation"]["userErrors"] == []
    assert accepted["data"]["acceptStaffInvitation"]["user"]["role"] == "CATALOG"
    left = {"email": email, "used_at": None}
    assert await users_db["staff_invitations"].count_documents(left) == 0


async def test_an_expired_invitation_is_refused(users_client, users_db, users_settings):
    admin = await new_staff(users_settings)
    token = (await sign_in_staff(users_client, admin))["accessToken"]
    email = unique_email("late")
    await graphql(
        users_client, INVITE_STAFF, {"input": {"email": email, "role": "SUPPORT"}}, token=token
    )
    event = await users_db["outbox"].find_one(
        {"type": "users.staff_invited", "payload.email": email}
    )
    link_token = event["payload"]["invite_url"].split("token=")[1]
    past = datetime.now(UTC) - timedelta(seconds=1)
    await users_db["staff_invitations"].update_one({"email": email}, {"$set": {"expires_at": past}})

    accept = {"input": {"token": link_token, "password": PASSWORD, "name": "Late"}}
    body = await graphql(users_client, ACCEPT_STAFF_INVITATION, accept)

    assert codes(body["data"]["acceptStaffInvitation"]) == ["INVALID_INVITATION"]
    assert await users_db["users"].count_documents({"email": email}) == 0


async def test_a_role_change_shows_in_the_token_of_the_next_refresh(users_client, users_settings):
    admin = await new_staff(users_settings)
    admin_token = (await sign_in_staff(users_client, admin))["accessToken"]
    member = await new_staff(users_settings, Role.SUPPORT)
    signed_in = await sign_in_staff(users_client, member)
    assert "refunds:decide" in claims(signed_in["accessToken"])["scope"]

    change = {"input": {"userId": signed_in["user"]["id"], "role": "CATALOG", "reason": "moved"}}
    changed = (await graphql(users_client, CHANGE_STAFF_ROLE, change, token=admin_token))["data"]

    assert changed["changeStaffRole"] == {
        "user": {"id": signed_in["user"]["id"], "role": "CATALOG"},
        "userErrors": [],
    }
    refreshed = await refresh(users_client, signed_in["refreshToken"])
    assert claims(refreshed["accessToken"])["scope"] == "catalog:write"
    assert claims(refreshed["accessToken"])["role"] == "catalog"


async def test_disabling_refuses_refresh_login_and_the_access_token(users_client, users_settings):
    admin = await new_staff(users_settings)
    admin_token = (await sign_in_staff(users_client, admin))["accessToken"]
    member = await new_staff(users_settings, Role.SUPPORT)
    signed_in = await sign_in_staff(users_client, member)
    me = await graphql(users_client, ME, token=signed_in["accessToken"])
    assert me["data"]["me"]["email"] == member.email

    disable = {"input": {"userId": signed_in["user"]["id"], "reason": "left"}}
    done = (await graphql(users_client, DISABLE_STAFF, disable, token=admin_token))["data"]

    assert done["disableStaff"]["userErrors"] == []
    assert done["disableStaff"]["revokedSessions"] == 1
    assert done["disableStaff"]["user"]["disabledAt"]
    assert codes(await refresh(users_client, signed_in["refreshToken"])) == ["ACCOUNT_DISABLED"]
    login = {"input": {"email": member.email, "password": PASSWORD}}
    refused = (await graphql(users_client, STAFF_LOGIN, login))["data"]["login"]
    assert codes(refused) == ["ACCOUNT_DISABLED"]

    async def token_refused() -> bool:
        body = await graphql(users_client, ME, token=signed_in["accessToken"])
        return error_codes(body) == ["UNAUTHENTICATED"] and body["data"] == {"me": None}

    await eventually(token_refused, what="the disabled account's access token refused")


async def test_every_staff_action_is_on_the_record(users_client, users_settings):
    admin = await new_staff(users_settings)
    admin_token = (await sign_in_staff(users_client, admin))["accessToken"]
    member = await new_staff(users_settings, Role.SUPPORT)
    member_id = (await sign_in_staff(users_client, member))["user"]["id"]
    variables = {"input": {"userId": member_id, "role": "ADMIN", "reason": "promoted"}}
    await graphql(users_client, CHANGE_STAFF_ROLE, variables, token=admin_token)
    disable = {"input": {"userId": member_id, "reason": "left"}}
    await graphql(users_client, DISABLE_STAFF, disable, token=admin_token)

    body = await graphql(users_client, STAFF_ACTIVITY, {"first": 2}, token=admin_token)

    page = body["data"]["staffActivity"]
    nodes = [edge["node"] for edge in page["edges"]]
    assert [(n["action"], n["reason"], n["actorId"], n["subjectId"]) for n in nodes] == [
        ("users.staff_disabled", "left", nodes[0]["actor"]["id"], member_id),
        ("users.staff_role_changed", "promoted", nodes[0]["actor"]["id"], member_id),
    ]
    assert all(n["correlationId"] for n in nodes)
    assert {"name": "to", "value": "admin"} in nodes[1]["details"]
    assert page["pageInfo"]["hasNextPage"]
    more = await graphql(
        users_client,
        STAFF_ACTIVITY,
        {"first": 1, "after": page["pageInfo"]["endCursor"]},
        token=admin_token,
    )
    [older] = more["data"]["staffActivity"]["edges"]
    assert older["node"]["id"] not in {n["id"] for n in nodes}


async def test_staff_fields_without_the_scope_are_forbidden_and_change_nothing(
    users_client, users_db, users_settings
):
    customer = await register(users_client)
    support = await sign_in_staff(users_client, await new_staff(users_settings, Role.SUPPORT))
    outbox = await users_db["outbox"].count_documents({})

    for name, (mutation, variables) in STAFF_MUTATIONS.items():
        for token in (customer["accessToken"], support["accessToken"]):
            body = await graphql(users_client, mutation, variables, token=token)
            assert error_codes(body) == ["FORBIDDEN"], (name, body)
            assert body["data"] is None
        anonymous = await graphql(users_client, mutation, variables)
        assert error_codes(anonymous) == ["UNAUTHENTICATED"], (name, anonymous)
    for token in (customer["accessToken"], support["accessToken"]):
        body = await graphql(users_client, STAFF_ACTIVITY, {"first": 5}, token=token)
        assert error_codes(body) == ["FORBIDDEN"]
        assert body["data"] is None

    assert await users_db["outbox"].count_documents({}) == outbox
    assert await users_db["staff_invitations"].count_documents({}) == 0


async def test_five_wrong_codes_lock_the_second_factor_on_the_store(
    users_client, users_db, users_settings
):
    member = await new_staff(users_settings, Role.SUPPORT)
    variables = {"input": {"email": member.email, "password": PASSWORD}}
    login = (await graphql(users_client, STAFF_LOGIN, variables))["data"]["login"]
    challenge = login["secondFactorChallenge"]

    async def verify(code: str) -> list[str]:
        answer = {"input": {"challenge": challenge, "code": code}}
        body = await graphql(users_client, VERIFY_SECOND_FACTOR, answer)
        return codes(body["data"]["verifySecondFactor"])

    right = member.next_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert [await verify(wrong) for _ in range(5)] == [["INVALID_CODE"]] * 4 + [
        ["SECOND_FACTOR_LOCKED"]
    ]
    assert await verify(right) == ["SECOND_FACTOR_LOCKED"]
    # The lock's end is the clock's business (unit tests move it); here it is moved back.
    past = datetime.now(UTC) - timedelta(seconds=1)
    user = await users_db["users"].find_one({"email": member.email})
    await users_db["second_factors"].update_one(
        {"_id": user["_id"]}, {"$set": {"locked_until": past}}
    )
    assert await verify(right) == []
