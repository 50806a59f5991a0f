"""The order saga through the gateway, with the real catalog: an order for what is not in
stock is REJECTED (the customer is mailed what was short, it cannot be paid); once staff
receive units, an order is reserved (`stockReserved`) and paid."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from subgraphs.kernel.core.access import Role
from testkit.client import graphql
from testkit.journeys import register
from testkit.tokens import mint_access_token
from testkit.waiting import eventually
from tests.e2e.test_payments_through_gateway import PAY, pay

pytestmark = pytest.mark.e2e

CREATE_PRODUCT = """mutation($input: CreateProductInput!) {
  createProduct(input: $input) { product { sku available } userErrors { code } }
}"""
ADJUST = """mutation($input: AdjustStockInput!) {
  adjustStock(input: $input) { product { sku available } userErrors { code } }
}"""
CREATE_ORDER = """mutation($input: CreateOrderInput!) {
  createOrder(input: $input) { order { id status stockReserved expiresAt } userErrors { code } }
}"""
ORDER = "query($id: ID!) { order(id: $id) { id status stockReserved expiresAt } }"
AVAILABLE = "query($sku: String!) { product(sku: $sku) { available } }"
STOCK = "query($sku: String!) { product(sku: $sku) { stock { onHand reserved available } } }"
REFUND = """mutation($input: RefundPaymentInput!) {
  refundPayment(input: $input) { payment { status } userErrors { code } }
}"""


@pytest.fixture(scope="module")
def catalog_token(users_signing_key: bytes) -> str:
    return mint_access_token(users_signing_key, "staff-catalog", role=Role.CATALOG)


async def new_product(gateway: httpx.AsyncClient, token: str) -> str:
    """A product with a USD price and no units on hand."""
    sku = f"SKU-SAGA-{secrets.token_hex(3).upper()}"
    product = {
        "sku": sku,
        "name": "Saga lamp",
        "description": "",
        "prices": [{"amount": "30.00", "currency": "USD"}],
    }
    body = await graphql(gateway, CREATE_PRODUCT, {"input": product}, token=token)
    assert body["data"]["createProduct"]["userErrors"] == [], body
    return sku


async def place(gateway: httpx.AsyncClient, token: str, sku: str, quantity: int) -> dict[str, Any]:
    """createOrder, retried while orders has not heard of the new product yet."""
    variables = {"input": {"items": [{"sku": sku, "quantity": quantity}]}}

    async def attempt() -> dict[str, Any] | None:
        payload = (await graphql(gateway, CREATE_ORDER, variables, token=token))["data"][
            "createOrder"
        ]
        if [e["code"] for e in payload["userErrors"]] == ["UNKNOWN_SKU"]:
            return None
        assert payload["userErrors"] == [], payload
        return payload["order"]

    return await eventually(attempt, what="orders to learn of the product")


async def order_when(gateway, token, order_id, check) -> dict[str, Any]:
    async def read() -> dict[str, Any] | None:
        order = (await graphql(gateway, ORDER, {"id": order_id}, token=token))["data"]["order"]
        return order if check(order) else None

    return await eventually(read, what="the order's stock answer")


async def test_an_order_beyond_the_stock_is_rejected_mailed_and_cannot_be_paid(
    gateway, catalog_token, notifications_worker, smtp_sink
):
    sku = await new_product(gateway, catalog_token)
    customer = await register(gateway)
    token, email = customer["accessToken"], customer["user"]["email"]

    placed = await place(gateway, token, sku, 2)
    assert (placed["status"], placed["stockReserved"]) == ("PENDING", False)
    rejected = await order_when(gateway, token, placed["id"], lambda o: o["status"] != "PENDING")

    assert rejected == {
        "id": placed["id"],
        "status": "REJECTED",
        "stockReserved": False,
        "expiresAt": None,
    }

    async def refused() -> list[str] | None:
        variables = {
            "input": {
                "orderId": placed["id"],
                "paymentMethodToken": "pm_card_ok",
                "idempotencyKey": secrets.token_hex(8),
            }
        }
        payload = (await graphql(gateway, PAY, variables, token=token))["data"]["processPayment"]
        codes = [e["code"] for e in payload["userErrors"]]
        return codes if codes == ["ORDER_REJECTED"] else None  # once payments heard of it

    assert await eventually(refused, what="payments to hear of the rejection") == ["ORDER_REJECTED"]

    async def mailed() -> list[dict[str, Any]] | None:
        async with httpx.AsyncClient(base_url=smtp_sink.url) as sink:
            found = (await sink.get("/messages", params={"to": email})).json()
        mine = [m for m in found if m["subject"] == f"Order {placed['id']} could not be accepted"]
        return mine or None

    [mail] = await eventually(mailed, what="the rejection mail")
    async with httpx.AsyncClient(base_url=smtp_sink.url) as sink:
        raw = (await sink.get(f"/messages/{mail['id']}")).text
    assert "Saga lamp: you asked for 2, sold out" in raw


async def test_once_units_are_received_an_order_is_reserved_paid_and_restocked_on_refund(
    gateway, catalog_token, users_signing_key
):
    sku = await new_product(gateway, catalog_token)
    received = await graphql(
        gateway,
        ADJUST,
        {"input": {"sku": sku, "delta": 3, "reason": "RECEIVED"}},
        token=catalog_token,
    )
    assert received["data"]["adjustStock"]["product"]["available"] == 3
    customer = await register(gateway)
    token = customer["accessToken"]

    placed = await place(gateway, token, sku, 2)
    reserved = await order_when(gateway, token, placed["id"], lambda o: o["stockReserved"])
    paying = await pay(gateway, token, placed["id"])

    assert reserved["status"] == "PENDING"
    assert reserved["expiresAt"] is not None
    assert paying["userErrors"] == []
    assert paying["payment"]["status"] == "SUCCEEDED"
    paid = await order_when(gateway, token, placed["id"], lambda o: o["status"] == "PAID")
    assert paid["expiresAt"] is None

    async def stock(on_hand: int, reserved: int) -> bool:
        body = await graphql(gateway, STOCK, {"sku": sku}, token=catalog_token)
        levels = {"onHand": on_hand, "reserved": reserved, "available": on_hand - reserved}
        return bool(body["data"]["product"]["stock"] == levels)

    async def available(units: int) -> bool:
        body = await graphql(gateway, AVAILABLE, {"sku": sku})
        return bool(body["data"]["product"]["available"] == units)

    # Reserved, available is 1 already; committed, the 2 units leave on hand.
    await eventually(lambda: stock(on_hand=1, reserved=0), what="the reservation committed")
    support = mint_access_token(users_signing_key, "staff-refunds", role=Role.SUPPORT)
    refund = {
        "paymentId": paying["payment"]["id"],
        "idempotencyKey": secrets.token_hex(8),
        "reason": "Returned unopened.",
        "restock": True,
    }
    refunded = await graphql(gateway, REFUND, {"input": refund}, token=support)
    assert refunded["data"]["refundPayment"] == {
        "payment": {"status": "REFUNDED"},
        "userErrors": [],
    }
    await eventually(lambda: available(3), what="the refunded units back in stock")
    assert await stock(on_hand=3, reserved=0)
