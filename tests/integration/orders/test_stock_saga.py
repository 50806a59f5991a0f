"""Orders' side of the stock saga on the real stores: the catalog's stock events arrive on
`events.catalog`, orders reserve or reject; unpaid orders expire, also across a restart."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
import redis.asyncio as aioredis

from subgraphs.kernel.core.events import Event
from subgraphs.orders.app import build_app
from testkit.client import graphql
from testkit.orders import product_changed, publish_catalog_events, seed_catalog_events, stock_event
from testkit.waiting import eventually
from tests.conftest import INTERNAL_PORT
from tests.integration.orders.conftest import orders_settings, until_ready

pytestmark = pytest.mark.integration

CREATE = """
mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) {
    order { id status stockReserved expiresAt createdAt }
    userErrors { field code }
  }
}"""
ORDER = "query($id: ID!) { order(id: $id) { status stockReserved expiresAt } }"


def a_user() -> str:
    return f"user-{uuid.uuid4().hex[:8]}"


async def place(client: httpx.AsyncClient, token: str, items: list[dict]) -> dict:
    body = await graphql(client, CREATE, {"input": {"items": items}}, token=token)
    return body["data"]["createOrder"]


async def read(client: httpx.AsyncClient, token: str, order_id: str) -> dict:
    return (await graphql(client, ORDER, {"id": order_id}, token=token))["data"]["order"]


@pytest.fixture
async def catalog_stream(redis_url):
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def orders_events(redis: aioredis.Redis, order_id: str) -> list[Event]:
    events = [Event.from_fields(f) for _, f in await redis.xrange("events.orders")]
    return [e for e in events if e.payload.get("order_id") == order_id]


async def test_stock_reserved_makes_the_order_payable_once(
    orders_client, orders_db, issue, catalog_stream
):
    user = a_user()
    placed = await place(orders_client, issue(user), [{"sku": "SKU-MUG", "quantity": 1}])
    order = placed["order"]
    assert (order["status"], order["stockReserved"]) == ("PENDING", False)
    assert order["expiresAt"] is not None
    reserved = stock_event("reserved", order["id"], user, items=[{"sku": "SKU-MUG", "quantity": 1}])

    await publish_catalog_events(catalog_stream, [reserved, reserved])  # and once again

    async def reserved_now():
        return (await read(orders_client, issue(user), order["id"]))["stockReserved"]

    await eventually(reserved_now, what="the order's stock reserved")
    stored = await orders_db["orders"].find_one({"_id": order["id"]})
    assert (stored["status"], stored["version"]) == ("PENDING", 2)
    assert [e.type for e in await orders_events(catalog_stream, order["id"])] == ["orders.created"]


async def test_stock_rejected_rejects_the_order_live_and_emits_orders_rejected(
    orders_client, issue, catalog_stream
):
    user = a_user()
    placed = await place(
        orders_client,
        issue(user),
        [{"sku": "SKU-BOTTLE", "quantity": 3}, {"sku": "SKU-SOCK", "quantity": 1}],
    )
    order_id = placed["order"]["id"]
    short = [{"sku": "SKU-BOTTLE", "requested": 3, "available": 2, "reason": "out_of_stock"}]

    await publish_catalog_events(
        catalog_stream, [stock_event("rejected", order_id, user, short=short)]
    )

    async def rejected():
        events = await orders_events(catalog_stream, order_id)
        return [e for e in events if e.type == "orders.rejected"]

    [event] = await eventually(rejected, what="orders.rejected")
    assert event.payload["reason"] == "out of stock"
    assert event.payload["short"] == [
        {
            "sku": "SKU-BOTTLE",
            "name": "Insulated bottle",
            "requested": 3,
            "available": 2,
            "reason": "out_of_stock",
        }
    ]
    now = await read(orders_client, issue(user), order_id)
    assert now == {"status": "REJECTED", "stockReserved": False, "expiresAt": None}


async def test_a_stock_rejected_with_misshapen_lines_is_dead_lettered_and_changes_nothing(
    orders_client, issue, catalog_stream
):
    user = a_user()
    placed = await place(orders_client, issue(user), [{"sku": "SKU-BOTTLE", "quantity": 3}])
    order_id = placed["order"]["id"]
    misshapen = stock_event("rejected", order_id, user, short=[["SKU-BOTTLE", 3, 2]])

    await publish_catalog_events(catalog_stream, [misshapen])

    async def dead_lettered():
        entries = await catalog_stream.xrange("dead.orders")
        return [f for _, f in entries if f.get("original.id") == misshapen.id]

    [dead] = await eventually(dead_lettered, what="the misshapen stock.rejected dead-lettered")
    assert dead["reason"] == "payload field short[] has an item that is not an object"
    assert [e.type for e in await orders_events(catalog_stream, order_id)] == ["orders.created"]
    assert (await read(orders_client, issue(user), order_id))["status"] == "PENDING"


async def test_archived_and_unpriced_products_are_user_errors_and_nothing_is_written(
    orders_client, orders_db, issue, catalog_stream
):
    suffix = uuid.uuid4().hex[:6].upper()
    euro_only, gone = f"SKU-EUR{suffix}", f"SKU-GONE{suffix}"
    await publish_catalog_events(
        catalog_stream,
        [
            product_changed(euro_only, "Trial", {"EUR": "3.00"}, change="created"),
            product_changed(gone, "Gone", {"USD": "1.00"}, version=2, status="ARCHIVED"),
        ],
    )

    async def projected():
        found = await orders_db["products"].count_documents({"_id": {"$in": [euro_only, gone]}})
        return found == 2

    await eventually(projected, what="the products in orders' copy")
    user = a_user()
    unpriced = await place(orders_client, issue(user), [{"sku": euro_only, "quantity": 1}])
    archived = await place(orders_client, issue(user), [{"sku": gone, "quantity": 1}])

    assert [e["code"] for e in unpriced["userErrors"]] == ["PRICE_NOT_AVAILABLE"]
    assert [e["code"] for e in archived["userErrors"]] == ["PRODUCT_UNAVAILABLE"]
    assert await orders_db["orders"].count_documents({"user_id": user}) == 0
    assert await orders_db["outbox"].count_documents({"payload.user_id": user}) == 0


async def test_not_ready_until_the_catalog_was_consumed_once(
    mongo_uri, db_prefix, own_redis, test_tokens, mongo_client
):
    database = f"{db_prefix}orders_unready"
    app = build_app(
        orders_settings(mongo_uri, own_redis.url, database), verifier=test_tokens.verifier
    )
    redis = aioredis.Redis.from_url(own_redis.url, decode_responses=True)
    try:
        async with app.lifespan():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
                before = await client.get(f"http://orders:{INTERNAL_PORT}/ready")
                await publish_catalog_events(redis, seed_catalog_events())
                await until_ready(client)
        products = await mongo_client[database]["products"].count_documents({})
    finally:
        await redis.aclose()
        await mongo_client.drop_database(database)

    assert before.status_code == 503
    assert before.json()["checks"]["events.catalog:caught-up"]["ok"] is False
    assert products == 8


async def test_a_fresh_copy_is_not_ready_on_a_trimmed_stream_until_products_arrive(
    mongo_uri, db_prefix, own_redis, test_tokens, mongo_client
):
    database = f"{db_prefix}orders_trimmed"
    redis = aioredis.Redis.from_url(own_redis.url, decode_responses=True)
    # The seeding's product events were trimmed away: only later stock events are left.
    await publish_catalog_events(redis, [stock_event("reserved", "o-old", items=[])])
    app = build_app(
        orders_settings(mongo_uri, own_redis.url, database), verifier=test_tokens.verifier
    )
    try:
        async with app.lifespan():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:

                async def group_read_the_tail() -> bool:
                    groups = await redis.xinfo_groups("events.catalog")
                    return any(g["last-delivered-id"] != "0-0" and not g["pending"] for g in groups)

                await eventually(group_read_the_tail, what="orders read events.catalog")
                unready = await client.get(f"http://orders:{INTERNAL_PORT}/ready")
                await publish_catalog_events(redis, seed_catalog_events())  # announced again
                await until_ready(client)
    finally:
        await redis.aclose()
        await mongo_client.drop_database(database)

    assert unready.status_code == 503
    check = unready.json()["checks"]["events.catalog:caught-up"]
    assert check["ok"] is False


async def test_an_unpaid_order_expires_after_a_restart(
    mongo_uri, db_prefix, own_redis, test_tokens, mongo_client
):
    database = f"{db_prefix}orders_expiry"
    redis = aioredis.Redis.from_url(own_redis.url, decode_responses=True)
    await publish_catalog_events(redis, seed_catalog_events())
    user = a_user()

    def app(interval: float):
        settings = orders_settings(
            mongo_uri,
            own_redis.url,
            database,
            reservation_ttl_seconds=1,
            expiry_interval_seconds=interval,
        )
        return build_app(settings, verifier=test_tokens.verifier)

    try:
        first = app(interval=3600)  # its one pass runs at start, before the deadline
        async with first.lifespan():
            transport = httpx.ASGITransport(app=first)
            async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
                await until_ready(client)
                placed = await place(
                    client, test_tokens.issue(user), [{"sku": "SKU-CAP", "quantity": 1}]
                )
        order_id = placed["order"]["id"]
        orders = mongo_client[database]["orders"]
        stored = await orders.find_one({"_id": order_id})
        assert stored["status"] == "PENDING"

        async def past_deadline():
            return datetime.now(UTC) > stored["expires_at"]

        await eventually(past_deadline, what="the order's deadline to pass while stopped")

        second = app(interval=0.1)
        async with second.lifespan():

            async def cancelled():
                doc = await orders.find_one({"_id": order_id})
                return doc if doc["status"] == "CANCELLED" else None

            doc = await eventually(cancelled, what="the order expired")

            async def event():
                found = await orders_events(redis, order_id)
                return [e for e in found if e.type == "orders.cancelled"]

            [cancellation] = await eventually(event, what="its orders.cancelled published")
    finally:
        await redis.aclose()
        await mongo_client.drop_database(database)

    entry = doc["timeline"][-1]
    assert (entry["status"], entry["actor_kind"], entry["reason"]) == (
        "CANCELLED",
        "SYSTEM",
        "expired",
    )
    assert (cancellation.payload["reason"], cancellation.payload["actor_id"]) == ("expired", None)
