"""The catalog GraphQL API in-process on the real stores: the seeded products, staff edits with
their scope, bad input writing nothing, and the saga driven by real orders and payments events."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.catalog.domain.seed import SEED_PRODUCTS
from subgraphs.kernel.core.access import Role, Scope
from testkit.client import error_codes, graphql
from testkit.waiting import eventually
from tests import conftest as root
from tests.integration.catalog.conftest import (
    SEED_STOCK,
    announce,
    new_order_id,
    order_created,
    order_event,
)

pytestmark = pytest.mark.integration

PRODUCT = """
query($sku: String!) {
  product(sku: $sku) { sku name description status available prices { amount currency }
                       price(currency: "eur") { amount } }
}"""
STOCK = """
query($sku: String!) {
  product(sku: $sku) {
    stock { onHand reserved available }
    stockHistory(first: 10) {
      edges { node { kind onHandDelta reservedDelta onHand reserved note orderId actor { id } } }
      pageInfo { hasNextPage }
    }
  }
}"""
CREATE = """
mutation($input: CreateProductInput!) {
  createProduct(input: $input) { product { sku name available status } userErrors { field code } }
}"""
ADJUST = """
mutation($input: AdjustStockInput!) {
  adjustStock(input: $input) {
    product { stock { onHand reserved available } } userErrors { field code retryable }
  }
}"""
UPDATE = """
mutation($input: UpdateProductInput!) {
  updateProduct(input: $input) { product { name description } userErrors { field code } }
}"""
ARCHIVE = """
mutation($input: ProductSkuInput!) {
  archiveProduct(input: $input) { product { status } userErrors { code } }
}"""
SEARCH = """
query($query: String, $first: Int, $after: String) {
  productSearch(query: $query, first: $first, after: $after) {
    edges { node { sku } cursor } pageInfo { hasNextPage endCursor }
  }
}"""
STAFF_SEARCH = """
query($query: String, $status: ProductStatus) {
  staffProducts(query: $query, status: $status, first: 50) { edges { node { sku status } } }
}"""


def new_sku() -> str:
    return f"SKU-T{uuid.uuid4().hex[:10].upper()}"


@pytest.fixture
def staff(test_tokens: root.TestTokens) -> str:
    return test_tokens.staff("catalog-staff-1", Role.CATALOG)


async def create(client: httpx.AsyncClient, token: str, sku: str, **fields: Any) -> dict[str, Any]:
    product = {
        "sku": sku,
        "name": "Desk lamp",
        "description": "Bright",
        "prices": [{"amount": "30.00", "currency": "USD"}],
        **fields,
    }
    body = await graphql(client, CREATE, {"input": product}, token=token)
    return dict(body["data"]["createProduct"])


async def adjust(client: httpx.AsyncClient, token: str, sku: str, delta: int, **more: Any) -> Any:
    variables = {"input": {"sku": sku, "delta": delta, "reason": "RECEIVED", **more}}
    body = await graphql(client, ADJUST, variables, token=token)
    return body["data"]["adjustStock"]


async def test_its_consumer_of_orders_and_payments_events_is_named_like_the_others(
    catalog_client: httpx.AsyncClient,
) -> None:
    response = await catalog_client.get(f"http://catalog:{root.INTERNAL_PORT}/ready")
    checks = response.json()["checks"]
    assert "events-consumer" in checks
    assert "orders-consumer" not in checks


async def test_on_start_every_product_is_announced_again(
    catalog_client: httpx.AsyncClient, catalog_db: AsyncDatabase
) -> None:
    snapshots = (
        await catalog_db["outbox"]
        .find({"type": "catalog.product_changed", "payload.change": "snapshot"})
        .to_list()
    )
    versions = {s["payload"]["sku"]: s["payload"]["product_version"] for s in snapshots}
    assert {s.sku for s in SEED_PRODUCTS} <= set(versions)
    stored = {d["_id"]: d["version"] async for d in catalog_db["products"].find({})}
    assert all(versions[sku] <= stored[sku] for sku in versions)


async def test_the_seeded_products_are_listed_with_their_stock(
    catalog_client: httpx.AsyncClient,
) -> None:
    body = await graphql(catalog_client, "{ products { sku name available prices { amount } } }")
    listed = {p["sku"]: p for p in body["data"]["products"]}
    assert {s.sku for s in SEED_PRODUCTS} <= set(listed)
    assert listed["SKU-TEE"]["name"] == "Organic cotton T-shirt"
    assert listed["SKU-STICKER"]["prices"] == [{"amount": "0.09"}, {"amount": "0.10"}]
    tee = await graphql(catalog_client, PRODUCT, {"sku": "sku-tee"})
    assert tee["data"]["product"]["price"] == {"amount": "18.50"}
    assert tee["data"]["product"]["available"] <= SEED_STOCK


async def test_staff_create_and_adjust_a_product_others_are_refused(
    catalog_client: httpx.AsyncClient,
    staff: str,
    test_tokens: root.TestTokens,
    catalog_db: AsyncDatabase,
) -> None:
    sku = new_sku()
    for token, code in (
        (None, "UNAUTHENTICATED"),
        (test_tokens.issue("customer-1"), "FORBIDDEN"),
        (test_tokens.scoped(Scope.ORDERS_READ_ANY), "FORBIDDEN"),
    ):
        body = await graphql(
            catalog_client,
            CREATE,
            {"input": {"sku": sku, "name": "x", "prices": []}},
            token=token,
        )
        assert error_codes(body) == [code]
        stock = await graphql(catalog_client, STOCK, {"sku": "SKU-TEE"}, token=token)
        assert code in error_codes(stock)
    assert await catalog_db["products"].find_one({"_id": sku}) is None

    made = await create(catalog_client, staff, sku.lower())
    assert made == {
        "product": {"sku": sku, "name": "Desk lamp", "available": 0, "status": "ACTIVE"},
        "userErrors": [],
    }
    assert (await adjust(catalog_client, staff, sku, 3, note="first delivery"))["product"] == {
        "stock": {"onHand": 3, "reserved": 0, "available": 3}
    }
    below = await adjust(catalog_client, staff, sku, -4, reason="DAMAGED")
    assert below == {
        "product": None,
        "userErrors": [
            {"field": ["input", "delta"], "code": "STOCK_BELOW_ZERO", "retryable": False}
        ],
    }
    body = await graphql(catalog_client, STOCK, {"sku": sku}, token=staff)
    history = body["data"]["product"]["stockHistory"]["edges"]
    assert [e["node"] for e in history] == [
        {
            "kind": "RECEIVED",
            "onHandDelta": 3,
            "reservedDelta": 0,
            "onHand": 3,
            "reserved": 0,
            "note": "first delivery",
            "orderId": None,
            "actor": {"id": "catalog-staff-1"},
        }
    ]


async def test_bad_input_is_user_errors_and_writes_nothing(
    catalog_client: httpx.AsyncClient, staff: str, catalog_db: AsyncDatabase
) -> None:
    taken = await create(catalog_client, staff, "SKU-TEE")
    assert [e["code"] for e in taken["userErrors"]] == ["SKU_TAKEN"]
    sku = new_sku()
    bad = await create(
        catalog_client,
        staff,
        sku,
        name=" ",
        prices=[
            {"amount": "1.001", "currency": "USD"},
            {"amount": "2", "currency": "GBP"},
        ],
    )
    assert bad["product"] is None
    assert [(e["code"], e["field"]) for e in bad["userErrors"]] == [
        ("NAME_REQUIRED", ["input", "name"]),
        ("INVALID_PRICE", ["input", "prices", "0", "amount"]),
        ("UNSUPPORTED_CURRENCY", ["input", "prices", "1", "currency"]),
    ]
    missing = await adjust(catalog_client, staff, sku, 1)
    assert [e["code"] for e in missing["userErrors"]] == ["PRODUCT_NOT_FOUND"]
    assert await catalog_db["products"].count_documents({"_id": sku}) == 0
    assert await catalog_db["outbox"].count_documents({"payload.sku": sku}) == 0


async def test_update_product_changes_only_what_is_given(
    catalog_client: httpx.AsyncClient, staff: str, catalog_db: AsyncDatabase
) -> None:
    sku = new_sku()
    await create(catalog_client, staff, sku)

    async def update(**fields: Any) -> Any:
        body = await graphql(catalog_client, UPDATE, {"input": {"sku": sku, **fields}}, token=staff)
        return body["data"]["updateProduct"]

    renamed = await update(name="Reading lamp")
    described = await update(description="Warm light")
    nothing = await update()

    assert renamed["product"] == {"name": "Reading lamp", "description": "Bright"}
    assert described["product"] == {"name": "Reading lamp", "description": "Warm light"}
    assert nothing == {
        "product": None,
        "userErrors": [{"field": ["input", "name"], "code": "NOTHING_TO_CHANGE"}],
    }
    doc = await catalog_db["products"].find_one({"_id": sku})
    assert doc is not None
    assert (doc["name"], doc["description"], doc["version"]) == ("Reading lamp", "Warm light", 3)


async def test_search_pages_active_products_by_name_staff_see_archived_ones(
    catalog_client: httpx.AsyncClient, staff: str
) -> None:
    word = uuid.uuid4().hex[:8]
    skus = sorted(new_sku() for _ in range(3))
    for sku in skus:
        await create(catalog_client, staff, sku, name=f"Lamp {word.upper()} edition")
    archived = await graphql(catalog_client, ARCHIVE, {"input": {"sku": skus[1]}}, token=staff)
    assert archived["data"]["archiveProduct"] == {
        "product": {"status": "ARCHIVED"},
        "userErrors": [],
    }

    first = await graphql(catalog_client, SEARCH, {"query": word, "first": 1})
    page = first["data"]["productSearch"]
    assert [e["node"]["sku"] for e in page["edges"]] == [skus[0]]
    assert page["pageInfo"]["hasNextPage"]
    after = page["pageInfo"]["endCursor"]
    rest = await graphql(catalog_client, SEARCH, {"query": word, "first": 5, "after": after})
    assert [e["node"]["sku"] for e in rest["data"]["productSearch"]["edges"]] == [skus[2]]

    staff_view = await graphql(catalog_client, STAFF_SEARCH, {"query": word}, token=staff)
    assert [e["node"] for e in staff_view["data"]["staffProducts"]["edges"]] == [
        {"sku": skus[0], "status": "ACTIVE"},
        {"sku": skus[1], "status": "ARCHIVED"},
        {"sku": skus[2], "status": "ACTIVE"},
    ]
    by_sku = await graphql(
        catalog_client,
        STAFF_SEARCH,
        {"query": skus[1][-6:].lower(), "status": "ARCHIVED"},
        token=staff,
    )
    assert [e["node"]["sku"] for e in by_sku["data"]["staffProducts"]["edges"]] == [skus[1]]
    bad = await graphql(catalog_client, SEARCH, {"after": "not-a-cursor"})
    assert error_codes(bad) == ["BAD_USER_INPUT"]


async def test_the_saga_through_the_streams_reserves_commits_releases_and_restocks(
    catalog_client: httpx.AsyncClient,
    staff: str,
    streams: aioredis.Redis,
    catalog_db: AsyncDatabase,
) -> None:
    sku = new_sku()
    await create(catalog_client, staff, sku)
    await adjust(catalog_client, staff, sku, 3)
    paid_order, short_order, cancelled_order, tombstoned = (new_order_id() for _ in range(4))

    async def stock() -> dict[str, int]:
        body = await graphql(catalog_client, STOCK, {"sku": sku}, token=staff)
        return dict(body["data"]["product"]["stock"])

    async def status(order_id: str, wanted: str) -> bool:
        doc = await catalog_db["reservations"].find_one({"_id": order_id})
        return doc is not None and doc["status"] == wanted

    created = await announce(streams, order_created(paid_order, {sku: 2}))
    await announce(streams, created)  # redelivered
    await eventually(lambda: status(paid_order, "RESERVED"), what="the reservation")
    await announce(streams, order_created(short_order, {sku: 2}))
    await eventually(lambda: status(short_order, "REJECTED"), what="the rejection")
    assert await stock() == {"onHand": 3, "reserved": 2, "available": 1}

    await announce(streams, order_event("orders.cancelled", tombstoned, reason="cancelled"))
    await eventually(lambda: status(tombstoned, "RELEASED"), what="the tombstone")
    await announce(streams, order_created(tombstoned, {sku: 1}))
    await announce(streams, order_created(cancelled_order, {sku: 1}))
    await eventually(lambda: status(cancelled_order, "RESERVED"), what="the second reservation")
    await announce(streams, order_event("orders.cancelled", cancelled_order, reason="expired"))
    await eventually(lambda: status(cancelled_order, "RELEASED"), what="the release")

    await announce(streams, order_event("orders.paid", paid_order))
    await eventually(lambda: status(paid_order, "COMMITTED"), what="the commit")
    assert await stock() == {"onHand": 1, "reserved": 0, "available": 1}
    refund = order_event("payments.refunded", paid_order, "payments", restock=True, actor_id="s-9")
    await announce(streams, refund)
    await announce(streams, refund)

    async def restocked() -> bool:
        return (await stock())["onHand"] == 3

    await eventually(restocked, what="the units returned")

    async def published() -> list[dict[str, Any]] | None:
        entries = await streams.xrange("events.catalog")
        found = [
            {"type": f["type"], **json.loads(f["payload"])}
            for _, f in entries
            if f["type"].startswith("stock.")
            and json.loads(f["payload"]).get("order_id", json.loads(f["payload"]).get("sku"))
            in (paid_order, short_order, cancelled_order, tombstoned, sku)
        ]
        return found if len(found) >= 7 else None

    events = await eventually(published, what="the catalog's events")
    assert [e["type"] for e in events] == [
        "stock.adjusted",  # received 3
        "stock.reserved",
        "stock.rejected",
        "stock.reserved",
        "stock.released",
        "stock.committed",
        "stock.adjusted",  # returned 2
    ]
    assert events[2]["short"] == [
        {"sku": sku, "requested": 2, "available": 1, "reason": "out_of_stock"}
    ]
    assert events[4]["reason"] == "expired"
    assert (events[6]["delta"], events[6]["reason"], events[6]["actor_id"]) == (
        2,
        "RETURNED",
        "s-9",
    )
    assert await stock() == {"onHand": 3, "reserved": 0, "available": 3}
