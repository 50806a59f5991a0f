"""What staff read about accounts, through the users API on the real stores: the customer
search, the staff list with the last sign-ins, the invitations not accepted yet, and the
staff actions of other contexts recorded from their events."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis.asyncio as aioredis

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.events import Event
from subgraphs.users.repository.mongo_staff import MongoStaff
from subgraphs.users.repository.mongo_users import MongoUserRepository
from testkit.client import error_codes, graphql
from testkit.journeys import register, unique_email
from testkit.staff_sessions import (
    CUSTOMER_BY_EMAIL,
    CUSTOMERS,
    DISABLE_STAFF,
    INVITE_STAFF,
    STAFF_ACTIVITY,
    STAFF_INVITATIONS,
    STAFF_MEMBERS,
    sign_in_staff,
)
from testkit.waiting import eventually
from tests.integration.users.test_staff_api import new_staff

pytestmark = pytest.mark.integration


def nodes(body: dict[str, Any], field: str = "customers") -> list[dict[str, Any]]:
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"][field]["edges"]]


async def test_customers_are_found_by_email_prefix_or_name_part(users_client, users_settings):
    tag = uuid.uuid4().hex[:8]
    ann = await register(users_client, email=f"ann-{tag}@example.com", name=f"Ann Zed{tag}")
    bob = await register(users_client, email=f"bob-{tag}@shop.test", name=f"Bob Zed{tag}son")
    support = await sign_in_staff(users_client, await new_staff(users_settings, Role.SUPPORT))
    token = support["accessToken"]

    by_email = nodes(await graphql(users_client, CUSTOMERS, {"query": f"ANN-{tag}"}, token=token))
    assert [n["id"] for n in by_email] == [ann["user"]["id"]]
    assert by_email[0]["email"] == f"ann-{tag}@example.com"  # customers:read sees it
    by_name = nodes(await graphql(users_client, CUSTOMERS, {"query": f"zed{tag}"}, token=token))
    assert [n["id"] for n in by_name] == [bob["user"]["id"], ann["user"]["id"]]  # newest first
    # An email matches from its start only.
    assert nodes(await graphql(users_client, CUSTOMERS, {"query": "shop.test"}, token=token)) == []

    first = await graphql(users_client, CUSTOMERS, {"query": f"zed{tag}", "first": 1}, token=token)
    info = first["data"]["customers"]["pageInfo"]
    assert info["hasNextPage"]
    rest = await graphql(
        users_client,
        CUSTOMERS,
        {"query": f"zed{tag}", "first": 1, "after": info["endCursor"]},
        token=token,
    )
    assert [n["id"] for n in nodes(rest, "customers")] == [ann["user"]["id"]]

    for bad in ("   ", "x" * 255):
        body = await graphql(users_client, CUSTOMERS, {"query": bad}, token=token)
        assert error_codes(body) == ["BAD_USER_INPUT"], body
        assert body["data"] is None
    refused = await graphql(users_client, CUSTOMERS, {"query": "ann"}, token=ann["accessToken"])
    assert error_codes(refused) == ["FORBIDDEN"]


async def test_a_customer_is_found_by_exact_email_among_newer_ones_it_prefixes(
    users_client, users_settings
):
    tag = uuid.uuid4().hex[:8]
    email = f"pat-{tag}@example.com"
    pat = await register(users_client, email=email, name="Pat")
    for letter in "abcdefghijk":  # newer accounts whose emails start with Pat's
        await register(users_client, email=f"{email}{letter}")
    staff = await new_staff(users_settings, Role.SUPPORT)
    support = await sign_in_staff(users_client, staff)
    token = support["accessToken"]

    async def lookup(value: str, as_: str = token) -> dict[str, Any]:
        return await graphql(users_client, CUSTOMER_BY_EMAIL, {"email": value}, token=as_)

    found = await lookup(f"  PAT-{tag}@Example.com ")
    assert found == {
        "data": {"customerByEmail": {"id": pat["user"]["id"], "name": "Pat", "email": email}}
    }
    assert (await lookup(f"nobody-{tag}@example.com")) == {"data": {"customerByEmail": None}}
    assert (await lookup(staff.email)) == {"data": {"customerByEmail": None}}  # a staff account
    refused = await lookup(email, as_=pat["accessToken"])
    assert error_codes(refused) == ["FORBIDDEN"]
    assert refused["data"] == {"customerByEmail": None}


async def test_the_staff_list_shows_roles_last_sign_ins_and_disabled_accounts(
    users_client, users_settings
):
    admin = await sign_in_staff(users_client, await new_staff(users_settings))
    token = admin["accessToken"]
    member = await sign_in_staff(users_client, await new_staff(users_settings, Role.SUPPORT))
    customer = await register(users_client)
    disable = {"input": {"userId": member["user"]["id"], "reason": "left"}}
    await graphql(users_client, DISABLE_STAFF, disable, token=token)

    listed = nodes(
        await graphql(users_client, STAFF_MEMBERS, {"first": 100}, token=token), "staffMembers"
    )
    by_id = {n["id"]: n for n in listed}
    assert customer["user"]["id"] not in by_id
    mine = by_id[member["user"]["id"]]
    assert (mine["role"], mine["disabledAt"] is not None) == ("SUPPORT", True)
    assert mine["lastSignInAt"] is not None
    assert by_id[admin["user"]["id"]]["disabledAt"] is None

    # Last sign-in: the owner sees theirs, another customer's is null for them.
    me = await graphql(users_client, "query { me { lastSignInAt } }", token=customer["accessToken"])
    assert me["data"]["me"]["lastSignInAt"] is not None
    other = await register(users_client)
    seen = await graphql(
        users_client,
        "query($id: ID!) { user(id: $id) { lastSignInAt role } }",
        {"id": customer["user"]["id"]},
        token=other["accessToken"],
    )
    assert seen["data"]["user"] == {"lastSignInAt": None, "role": None}
    body = await graphql(users_client, STAFF_MEMBERS, {}, token=customer["accessToken"])
    assert error_codes(body) == ["FORBIDDEN"]


async def test_invitations_not_accepted_are_listed_expired_ones_marked(
    users_client, users_db, users_settings
):
    admin = await sign_in_staff(users_client, await new_staff(users_settings))
    token = admin["accessToken"]
    late, fresh = unique_email("late"), unique_email("fresh")
    for email in (late, fresh):
        invite = {"input": {"email": email, "role": "CATALOG"}}
        await graphql(users_client, INVITE_STAFF, invite, token=token)
    past = datetime.now(UTC) - timedelta(seconds=1)
    await users_db["staff_invitations"].update_one({"email": late}, {"$set": {"expires_at": past}})

    body = await graphql(users_client, STAFF_INVITATIONS, {"first": 100}, token=token)

    listed = {n["email"]: n for n in nodes(body, "staffInvitations")}
    assert (listed[late]["expired"], listed[fresh]["expired"]) == (True, False)
    assert listed[fresh]["role"] == "CATALOG"
    assert listed[fresh]["invitedBy"] == {"id": admin["user"]["id"], "name": "Staff Member"}


async def publish(redis: aioredis.Redis, event: Event) -> None:
    await redis.xadd(f"events.{event.producer}", event.to_fields())  # type: ignore[arg-type]


def staff_event(type: str, producer: str, **payload: Any) -> Event:
    made = Event.create(type, payload, producer=producer, occurred_at=datetime.now(UTC))
    return replace(made, correlation_id=f"corr-{uuid.uuid4().hex[:8]}")


async def test_staff_actions_of_other_contexts_are_recorded_once_from_their_events(
    users_client, users_settings, redis_url
):
    admin = await sign_in_staff(users_client, await new_staff(users_settings))
    token = admin["accessToken"]
    actor = str(uuid.uuid4())  # a staff member of the other contexts' events
    order, payment = str(uuid.uuid4()), str(uuid.uuid4())
    cancelled = staff_event(
        "orders.cancelled", "orders", order_id=order, actor_id=actor, reason="fraud"
    )
    by_customer = staff_event("orders.cancelled", "orders", order_id=order, actor_id=None)
    refund = {"payment_id": payment, "order_id": order, "actor_id": actor, "reason": "broken"}
    refunded = staff_event("payments.refunded", "payments", **refund, amount="9.99")
    approved = staff_event("payments.refund_approved", "payments", **refund, request_id="rq-1")
    declined = staff_event(
        "payments.refund_declined",
        "payments",
        payment_id=str(uuid.uuid4()),
        order_id=order,
        request_id="rq-2",
        actor_id=actor,
        reason="used",
    )
    sku = f"SKU-{uuid.uuid4().hex[:8].upper()}"
    adjusted = staff_event(
        "stock.adjusted",
        "catalog",
        sku=sku,
        delta=5,
        reason="RECEIVED",
        note=None,
        on_hand=5,
        reserved=0,
        actor_id=actor,
    )
    seeded = staff_event("catalog.product_changed", "catalog", sku=sku, change="seeded")
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        for event in (cancelled, by_customer, cancelled, refunded, approved, refunded):
            await publish(redis, event)  # `cancelled` and `refunded` redelivered
        for event in (declined, adjusted, seeded, adjusted):
            await publish(redis, event)

        expected = {
            "orders.cancelled",
            "payments.refund_approved",
            "payments.refund_declined",
            "stock.adjusted",
        }

        async def recorded() -> list[dict[str, Any]] | None:
            """Every expected entry, and no event delivered to the group left unacknowledged
            (one that failed waits `retry_after_ms` while later ones go through)."""
            body = await graphql(
                users_client, STAFF_ACTIVITY, {"first": 20, "actorId": actor}, token=token
            )
            found = nodes(body, "staffActivity")
            if {n["action"] for n in found} != expected:
                return None
            for stream in ("events.orders", "events.payments", "events.catalog"):
                if (await redis.xpending(stream, "users"))["pending"]:
                    return None
            return found

        found = await eventually(recorded, what="the staff actions of the events recorded")
    finally:
        await redis.aclose()

    assert sorted((n["action"], n["subjectId"], n["reason"]) for n in found) == [
        ("orders.cancelled", order, "fraud"),
        ("payments.refund_approved", "rq-1", "broken"),
        ("payments.refund_declined", "rq-2", "used"),
        ("stock.adjusted", sku, None),
    ]
    by_action = {n["action"]: n for n in found}
    assert {"name": "adjustment_reason", "value": "RECEIVED"} in by_action["stock.adjusted"][
        "details"
    ]
    assert by_action["orders.cancelled"]["correlationId"] == cancelled.correlation_id
    assert by_action["payments.refund_approved"]["correlationId"] == approved.correlation_id
    assert {"name": "order_id", "value": order} in by_action["payments.refund_approved"]["details"]
    assert all(n["actorId"] == actor for n in found)


async def two_pages(
    client: Any, query: str, field: str, token: str, key: str, **variables: Any
) -> None:
    """Two pages of two, each continuing after the last: the list's first four, in order."""
    everything = await graphql(client, query, {**variables, "first": 100}, token=token)
    expected = [n[key] for n in nodes(everything, field)][:4]
    assert len(expected) == 4, everything
    first = await graphql(client, query, {**variables, "first": 2}, token=token)
    info = first["data"][field]["pageInfo"]
    assert info["hasNextPage"]
    second = await graphql(
        client, query, {**variables, "first": 2, "after": info["endCursor"]}, token=token
    )
    assert [n[key] for n in nodes(first, field) + nodes(second, field)] == expected


async def test_the_staff_list_and_the_invitations_read_a_second_page(users_client, users_settings):
    admin = await sign_in_staff(users_client, await new_staff(users_settings))
    token = admin["accessToken"]
    for role in (Role.SUPPORT, Role.CATALOG, Role.ADMIN):
        await new_staff(users_settings, role)
    for _ in range(4):
        invite = {"input": {"email": unique_email("page"), "role": "SUPPORT"}}
        await graphql(users_client, INVITE_STAFF, invite, token=token)

    await two_pages(users_client, STAFF_MEMBERS, "staffMembers", token, "id")
    await two_pages(users_client, STAFF_INVITATIONS, "staffInvitations", token, "email")


async def test_one_staff_members_activity_reads_a_second_page(users_client, users_settings):
    admin = await sign_in_staff(users_client, await new_staff(users_settings))
    token = admin["accessToken"]
    other = await sign_in_staff(users_client, await new_staff(users_settings))
    for inviter in (admin, other, admin, admin, other, admin):
        invite = {"input": {"email": unique_email("act"), "role": "CATALOG"}}
        await graphql(users_client, INVITE_STAFF, invite, token=inviter["accessToken"])
    mine = admin["user"]["id"]

    await two_pages(users_client, STAFF_ACTIVITY, "staffActivity", token, "id", actorId=mine)
    body = await graphql(users_client, STAFF_ACTIVITY, {"first": 100, "actorId": mine}, token=token)
    assert {n["actorId"] for n in nodes(body, "staffActivity")} == {mine}


async def test_each_list_has_an_index_ending_in_its_page_order(users_db):
    await MongoUserRepository(users_db).ensure_indexes()
    await MongoStaff(users_db).ensure_indexes()

    async def indexes(collection: str) -> dict[str, list[tuple[str, int]]]:
        listed = await users_db[collection].list_indexes()
        return {i["name"]: list(i["key"].items()) async for i in listed}

    users, invitations = await indexes("users"), await indexes("staff_invitations")
    activity = await indexes("staff_activity")
    assert users["staff_newest_first"] == [("role", 1), ("created_at", -1), ("_id", -1)]
    assert invitations["pending_newest_first"] == [
        ("used_at", 1),
        ("created_at", -1),
        ("user_id", -1),
    ]
    assert invitations["by_email"] == [("email", 1), ("used_at", 1)]
    newest = [("occurred_at", -1), ("_id", -1)]
    assert activity["newest_first"] == newest
    assert activity["by_actor_newest_first"] == [("actor_id", 1), *newest]
