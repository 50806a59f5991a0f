"""The orders GraphQL API through the subgraph app, on the real stores."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import redis.asyncio as aioredis

from subgraphs.kernel.core.events import Event
from testkit.client import error_codes, graphql

pytestmark = pytest.mark.integration

CREATE = """
mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) {
    order { id status total { amount currency } items { sku quantity lineTotal { amount } } }
    userErrors { field code message }
  }
}"""


def a_user() -> str:
    return f"user-{uuid.uuid4().hex[:8]}"


async def create(client, token, items, currency="USD"):
    body = await graphql(
        client, CREATE, {"input": {"items": items, "currency": currency}}, token=token
    )
    return body["data"]["createOrder"]


async def test_orders_prices_from_the_catalog_events_it_consumed(orders_client, orders_db, issue):
    # The fixture put the catalog's seeding on events.catalog; /ready waited for its copy.
    payload = await create(orders_client, issue(a_user()), [{"sku": "SKU-HOODIE", "quantity": 1}])

    assert payload["userErrors"] == []
    assert payload["order"]["total"] == {"amount": "49.00", "currency": "USD"}
    stored = await orders_db["products"].find_one({"_id": "SKU-HOODIE"})
    assert (stored["name"], stored["status"], stored["product_version"]) == (
        "Zip hoodie",
        "ACTIVE",
        1,
    )


async def test_the_catalog_is_no_longer_served_here(orders_client):
    body = await graphql(orders_client, "{ products { sku } }")
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_prices_are_exact_decimals(orders_client, orders_db, issue):
    order = (
        await create(orders_client, issue(a_user()), [{"sku": "SKU-STICKER", "quantity": 3}], "usd")
    )["order"]
    assert order["total"] == {"amount": "0.30", "currency": "USD"}
    stored = await orders_db["orders"].find_one({"_id": order["id"]})
    assert str(stored["items"][0]["unit_price"]) == "0.10"


@pytest.mark.parametrize(
    ("items", "codes"),
    [
        (
            [{"sku": "SKU-MUG", "quantity": 0}],
            [("INVALID_QUANTITY", ["input", "items", "0", "quantity"])],
        ),
        (
            [{"sku": "SKU-MUG", "quantity": -5}],
            [("INVALID_QUANTITY", ["input", "items", "0", "quantity"])],
        ),
        (
            [{"sku": "SKU-MUG", "quantity": 10**9}],
            [("INVALID_QUANTITY", ["input", "items", "0", "quantity"])],
        ),
        ([{"sku": "SKU-NOPE", "quantity": 1}], [("UNKNOWN_SKU", ["input", "items", "0", "sku"])]),
        ([{"sku": "SKU-MUG", "quantity": 1}] * 1000, [("TOO_MANY_ITEMS", ["input", "items"])]),
        ([], [("NO_ITEMS", ["input", "items"])]),
    ],
)
async def test_bad_lines_are_user_errors_and_nothing_is_written(
    orders_client, orders_db, issue, items, codes
):
    payload = await create(orders_client, issue(a_user()), items)

    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == codes
    assert await orders_db["orders"].count_documents({}) == 0
    assert await orders_db["outbox"].count_documents({}) == 0


async def test_an_unsupported_currency_is_a_user_error(orders_client, orders_db, issue):
    payload = await create(
        orders_client, issue(a_user()), [{"sku": "SKU-MUG", "quantity": 1}], "XYZ"
    )
    assert [e["code"] for e in payload["userErrors"]] == ["UNSUPPORTED_CURRENCY"]


async def test_orders_need_a_token(orders_client):
    body = await graphql(
        orders_client, CREATE, {"input": {"items": [{"sku": "SKU-MUG", "quantity": 1}]}}
    )
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_another_users_order_answers_as_a_missing_one(orders_client, orders_db, issue):
    owner, other = a_user(), a_user()
    order = (await create(orders_client, issue(owner), [{"sku": "SKU-MUG", "quantity": 1}]))[
        "order"
    ]

    async def ask(order_id: str) -> list[str]:
        """Every way to reach an order by id, as the other user sees them (the id masked)."""
        answers = [
            await graphql(
                orders_client,
                "query($id: ID!) { order(id: $id) { id } }",
                {"id": order_id},
                token=issue(other),
            ),
            await graphql(
                orders_client,
                "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) "
                "{ order { id } userErrors { field code message } } }",
                {"id": order_id},
                token=issue(other),
            ),
            await graphql(
                orders_client,
                "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id } } }",
                {"r": [{"__typename": "Order", "id": order_id}]},
                token=issue(other),
            ),
        ]
        return [json.dumps(a).replace(order_id, "ID") for a in answers]

    listing = await graphql(
        orders_client,
        "query($r: [_Any!]!) { _entities(representations: $r) "
        "{ ... on User { orders { edges { node { id } } } } } }",
        {"r": [{"__typename": "User", "id": owner}]},
        token=issue(other),
    )

    assert await ask(order["id"]) == await ask(str(uuid.uuid4()))
    assert '"ORDER_NOT_FOUND"' in (await ask(order["id"]))[1]
    assert error_codes(listing) == ["FORBIDDEN"]
    stored = await orders_db["orders"].find_one({"_id": order["id"]})
    assert stored["status"] == "PENDING"


async def test_pages_of_orders_are_newest_first_with_stable_cursors(
    orders_client, orders_db, issue
):
    user = a_user()
    ids = [
        (await create(orders_client, issue(user), [{"sku": "SKU-MUG", "quantity": 1}]))["order"][
            "id"
        ]
        for _ in range(5)
    ]
    query = """query($r: [_Any!]!, $after: String) { _entities(representations: $r) {
        ... on User { orders(first: 2, after: $after) {
            edges { node { id } cursor } pageInfo { hasNextPage endCursor } } } } }"""

    seen: list[str] = []
    after = None
    while True:
        body = await graphql(
            orders_client,
            query,
            {"r": [{"__typename": "User", "id": user}], "after": after},
            token=issue(user),
        )
        connection = body["data"]["_entities"][0]["orders"]
        seen += [e["node"]["id"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        # A new order placed meanwhile does not shift the pages already read.
        await create(orders_client, issue(user), [{"sku": "SKU-CAP", "quantity": 1}])

    assert seen == list(reversed(ids))

    bad = await graphql(
        orders_client,
        query,
        {"r": [{"__typename": "User", "id": user}], "after": "%%%"},
        token=issue(user),
    )
    assert error_codes(bad) == ["BAD_USER_INPUT"]


async def test_created_and_cancelled_events_reach_the_orders_stream(
    orders_client, orders_db, issue, redis_url
):
    user = a_user()
    order = (await create(orders_client, issue(user), [{"sku": "SKU-TEE", "quantity": 2}]))["order"]
    await graphql(
        orders_client,
        "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { order { status } } }",
        {"id": order["id"]},
        token=issue(user),
    )
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        for _ in range(50):
            events = [Event.from_fields(f) for _, f in await client.xrange("events.orders")]
            mine = [e for e in events if e.payload.get("order_id") == order["id"]]
            if len(mine) == 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await client.aclose()
    assert [e.type for e in mine] == ["orders.created", "orders.cancelled"]
    assert mine[0].payload["total"] == "39.80"
    assert mine[1].payload["previous_status"] == "PENDING"


async def test_a_negative_page_size_is_a_bad_request(orders_client, orders_db, issue):
    user = a_user()
    query = """query($r: [_Any!]!, $first: Int!) { _entities(representations: $r) {
        ... on User { orders(first: $first) { edges { cursor } pageInfo { hasNextPage } } } } }"""
    variables = {"r": [{"__typename": "User", "id": user}]}

    negative = await graphql(orders_client, query, {**variables, "first": -1}, token=issue(user))
    empty = await graphql(orders_client, query, {**variables, "first": 0}, token=issue(user))

    assert error_codes(negative) == ["BAD_USER_INPUT"]
    assert empty["data"]["_entities"][0]["orders"] == {
        "edges": [],
        "pageInfo": {"hasNextPage": False},
    }


async def test_concurrent_creates_under_one_idempotency_key_make_one_order(
    orders_client, orders_db, issue
):
    user = a_user()
    token = issue(user)
    key = f"cart-{uuid.uuid4().hex}"
    variables = {"input": {"items": [{"sku": "SKU-MUG", "quantity": 2}], "idempotencyKey": key}}

    bodies = await asyncio.gather(
        *(graphql(orders_client, CREATE, variables, token=token) for _ in range(8))
    )

    payloads = [body["data"]["createOrder"] for body in bodies]
    assert all(p["userErrors"] == [] for p in payloads), payloads
    assert len({p["order"]["id"] for p in payloads}) == 1
    assert await orders_db["orders"].count_documents({"user_id": user}) == 1
    reused = await graphql(
        orders_client,
        CREATE,
        {"input": {"items": [{"sku": "SKU-MUG", "quantity": 5}], "idempotencyKey": key}},
        token=token,
    )
    assert [e["code"] for e in reused["data"]["createOrder"]["userErrors"]] == [
        "IDEMPOTENCY_KEY_REUSED"
    ]
