"""Orders through the gateway: lifecycle, live status, ownership, round trips."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest
import redis.asyncio as aioredis

from subgraphs.kernel.core.events import Event
from testkit.client import graphql, subscribe, subscribed
from testkit.journeys import register
from testkit.prometheus import mongo_commands
from testkit.waiting import eventually

pytestmark = pytest.mark.e2e

CREATE = """
mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) {
    order { id status total { amount currency } items { sku name quantity
            unitPrice { amount } lineTotal { amount } } user { id name } }
    userErrors { field code message }
  }
}"""

CANCEL = """
mutation Cancel($id: ID!) {
  cancelOrder(input: {orderId: $id}) { order { id status } userErrors { code message } }
}"""

STATUS = """
subscription Status($id: ID!) {
  orderStatusChanged(orderId: $id) { orderId status previousStatus occurredAt }
}"""

STATUS_SINCE = """
subscription StatusSince($id: ID!, $since: DateTime) {
  orderStatusChanged(orderId: $id, since: $since) { orderId status previousStatus occurredAt }
}"""


async def create_order(gateway, token, items, currency="USD"):
    body = await graphql(
        gateway, CREATE, {"input": {"items": items, "currency": currency}}, token=token
    )
    return body["data"]["createOrder"]


async def pay_event(redis_url: str, order_id: str, type_: str, **extra) -> None:
    """Append a payments event as the payments context would."""
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    event = Event.create(
        type_,
        {"order_id": order_id, **extra},
        producer="payments",
        occurred_at=datetime.now(UTC),
    )
    await client.xadd("events.payments", event.to_fields())
    await client.aclose()


async def test_create_read_back_and_cancel(gateway):
    me = await register(gateway)
    token = me["accessToken"]

    created = await create_order(
        gateway, token, [{"sku": "SKU-STICKER", "quantity": 3}, {"sku": "SKU-MUG", "quantity": 1}]
    )
    assert created["userErrors"] == []
    order = created["order"]
    assert order["status"] == "PENDING"
    assert order["total"] == {"amount": "12.30", "currency": "USD"}
    assert order["items"][0] == {
        "sku": "SKU-STICKER",
        "name": "Sticker",
        "quantity": 3,
        "unitPrice": {"amount": "0.10"},
        "lineTotal": {"amount": "0.30"},
    }
    assert order["user"] == {"id": me["user"]["id"], "name": "Test User"}

    mine = await graphql(
        gateway,
        "{ me { orders(first: 5) { edges { node { id status } } pageInfo { hasNextPage } } } }",
        token=token,
    )
    assert mine["data"]["me"]["orders"] == {
        "edges": [{"node": {"id": order["id"], "status": "PENDING"}}],
        "pageInfo": {"hasNextPage": False},
    }

    cancelled = await graphql(gateway, CANCEL, {"id": order["id"]}, token=token)
    assert cancelled["data"]["cancelOrder"] == {
        "order": {"id": order["id"], "status": "CANCELLED"},
        "userErrors": [],
    }
    again = await graphql(gateway, CANCEL, {"id": order["id"]}, token=token)
    assert [e["code"] for e in again["data"]["cancelOrder"]["userErrors"]] == ["INVALID_TRANSITION"]


async def test_a_subscriber_sees_each_transition_in_order(
    gateway, gateway_url, orders_url, stack_redis_url, internal_urls
):
    me = await register(gateway)
    token = me["accessToken"]
    order = (await create_order(gateway, token, [{"sku": "SKU-TEE", "quantity": 1}]))["order"]

    async with subscribed(
        gateway,
        f"{gateway_url}/graphql",
        STATUS,
        {"id": order["id"]},
        token=token,
        upstream=internal_urls["orders"],
    ) as feed:
        await pay_event(stack_redis_url, order["id"], "payments.failed", reason="card_declined")
        failed = (await feed.next())["data"]["orderStatusChanged"]
        await pay_event(stack_redis_url, order["id"], "payments.succeeded", payment_id="p-1")
        paid = (await feed.next())["data"]["orderStatusChanged"]
        await pay_event(stack_redis_url, order["id"], "payments.refunded", payment_id="p-1")
        refunded = (await feed.next())["data"]["orderStatusChanged"]

    assert [(c["previousStatus"], c["status"]) for c in (failed, paid, refunded)] == [
        ("PENDING", "PAYMENT_FAILED"),
        ("PAYMENT_FAILED", "PAID"),
        ("PAID", "REFUNDED"),
    ]
    assert {c["orderId"] for c in (failed, paid, refunded)} == {order["id"]}
    final = await graphql(
        gateway, "query($id: ID!) { order(id: $id) { status } }", {"id": order["id"]}, token=token
    )
    assert final["data"]["order"]["status"] == "REFUNDED"


async def order_with_a_failed_payment(gateway, redis_url: str, token: str) -> tuple[str, str]:
    """A new order whose payment failed: (its id, its `createdAt`: a `since` before that change)."""
    order = (await create_order(gateway, token, [{"sku": "SKU-TEE", "quantity": 1}]))["order"]
    read = "query($id: ID!) { order(id: $id) { status createdAt } }"
    placed = (await graphql(gateway, read, {"id": order["id"]}, token=token))["data"]["order"]
    await pay_event(redis_url, order["id"], "payments.failed", reason="card_declined")

    async def failed() -> bool:
        body = await graphql(gateway, read, {"id": order["id"]}, token=token)
        return body["data"]["order"]["status"] == "PAYMENT_FAILED"

    await eventually(failed, what="the order PAYMENT_FAILED")
    return order["id"], placed["createdAt"]


async def test_a_subscriber_with_since_first_gets_the_changes_it_missed_then_live_ones(
    gateway, gateway_url, stack_redis_url, internal_urls
):
    token = (await register(gateway))["accessToken"]
    order_id, since = await order_with_a_failed_payment(gateway, stack_redis_url, token)
    async with subscribed(
        gateway,
        f"{gateway_url}/graphql",
        STATUS_SINCE,
        {"id": order_id, "since": since},
        token=token,
        upstream=internal_urls["orders"],
    ) as feed:
        missed = (await feed.next())["data"]["orderStatusChanged"]
        await pay_event(stack_redis_url, order_id, "payments.succeeded", payment_id="p-1")
        live = (await feed.next())["data"]["orderStatusChanged"]

    assert [(c["previousStatus"], c["status"]) for c in (missed, live)] == [
        ("PENDING", "PAYMENT_FAILED"),
        ("PAYMENT_FAILED", "PAID"),
    ]


async def test_another_users_order_answers_as_a_missing_one(gateway, gateway_url):
    owner = await register(gateway)
    other = await register(gateway)
    order = (
        await create_order(gateway, owner["accessToken"], [{"sku": "SKU-CAP", "quantity": 1}])
    )["order"]

    async def ask(order_id: str) -> list[str]:
        """Reading, cancelling and following the order as the other user (the id masked)."""
        token = other["accessToken"]
        read = await graphql(
            gateway, "query($id: ID!) { order(id: $id) { id } }", {"id": order_id}, token=token
        )
        cancel = await graphql(gateway, CANCEL, {"id": order_id}, token=token)
        async with subscribe(f"{gateway_url}/graphql", STATUS, {"id": order_id}, token=token) as f:
            errors = await f.error()
        return [json.dumps(a).replace(order_id, "ID") for a in (read, cancel, errors)]

    theirs = await ask(order["id"])
    assert theirs == await ask(str(uuid.uuid4()))
    assert theirs[0] == json.dumps({"data": {"order": None}})
    status = await graphql(
        gateway,
        "query($id: ID!) { order(id: $id) { status } }",
        {"id": order["id"]},
        token=owner["accessToken"],
    )
    assert status["data"]["order"]["status"] == "PENDING"


async def test_reading_many_orders_costs_a_constant_number_of_round_trips(
    gateway, users_url, orders_url, internal_urls
):
    me = await register(gateway)
    token = me["accessToken"]
    # Straight to the subgraph: the gateway's per-user mutation rate limit would stop us.
    async with httpx.AsyncClient(base_url=orders_url) as orders:
        for _ in range(100):
            body = await graphql(
                orders,
                "mutation($input: CreateOrderInput!) { createOrder(input: $input) "
                "{ order { id } userErrors { code } } }",
                {"input": {"items": [{"sku": "SKU-SOCK", "quantity": 2}]}},
                token=token,
            )
            assert body["data"]["createOrder"]["userErrors"] == []
    query = """query($n: Int!) { me { name orders(first: $n) { edges { node {
        id total { amount } items { sku quantity } user { name } } } } } }"""

    async def round_trips(count: int) -> tuple[float, float]:
        before = (
            await mongo_commands(gateway, internal_urls["users"], "users"),
            await mongo_commands(gateway, internal_urls["orders"], "orders"),
        )
        body = await graphql(gateway, query, {"n": count}, token=token)
        edges = body["data"]["me"]["orders"]["edges"]
        assert len(edges) == count
        assert {e["node"]["user"]["name"] for e in edges} == {"Test User"}
        after = (
            await mongo_commands(gateway, internal_urls["users"], "users"),
            await mongo_commands(gateway, internal_urls["orders"], "orders"),
        )
        return after[0] - before[0], after[1] - before[1]

    # The subgraphs' command counters also move with background work (the orders just placed
    # being reserved, the relays, the expiry pass), which can only add to a reading: the least
    # of three readings is the query's own cost.
    few = tuple(map(min, zip(*[await round_trips(2) for _ in range(3)], strict=True)))
    many = tuple(map(min, zip(*[await round_trips(100) for _ in range(3)], strict=True)))
    assert many == few
    assert many[0] <= 2  # users: `me` and one batched `_entities`
    assert many[1] <= 2  # orders: the page (and the cursor order)


async def test_the_subscription_also_works_straight_on_the_subgraph(
    gateway, orders_url, internal_urls
):
    me = await register(gateway)
    token = me["accessToken"]
    order = (await create_order(gateway, token, [{"sku": "SKU-BAG", "quantity": 1}]))["order"]

    async with subscribed(
        gateway,
        f"{orders_url}/graphql",
        STATUS,
        {"id": order["id"]},
        token=token,
        upstream=internal_urls["orders"],
    ) as feed:
        await graphql(gateway, CANCEL, {"id": order["id"]}, token=token)
        change = (await feed.next())["data"]["orderStatusChanged"]

    assert (change["previousStatus"], change["status"]) == ("PENDING", "CANCELLED")
