"""The last 10 units of a sku, ordered by 300 customers at once through the gateway: exactly
10 orders are reserved, 290 REJECTED (payments refuses them: ORDER_REJECTED), 0 oversold.

The customers' tokens are minted with the stack's signing key (300 registrations would be
300 password hashes); a catalog staff member's token creates the product and receives the
units. Minted customers have no contact the notifications worker could mail, so they turn
their mail off first: their 590 confirmations and rejections would otherwise be retried in
the background of the tests that follow, until they fail.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from subgraphs.kernel.core.access import Role, Scope
from testkit.client import graphql
from testkit.tokens import mint_access_token
from testkit.waiting import eventually

pytestmark = pytest.mark.e2e

UNITS = 10
CUSTOMERS = 300

CREATE_PRODUCT = """mutation($input: CreateProductInput!) {
  createProduct(input: $input) { product { sku } userErrors { code } }
}"""
ADJUST = """mutation($input: AdjustStockInput!) {
  adjustStock(input: $input) { product { stock { onHand reserved available } } userErrors { code } }
}"""
CREATE_ORDER = """mutation($input: CreateOrderInput!) {
  createOrder(input: $input) { order { id status } userErrors { code } }
}"""
STAFF_ORDERS = """query($filter: StaffOrderFilter, $first: Int!, $after: String) {
  staffOrders(filter: $filter, first: $first, after: $after) {
    edges { node { id status stockReserved } } pageInfo { hasNextPage endCursor }
  }
}"""
PAY = """mutation($input: ProcessPaymentInput!) {
  processPayment(input: $input) { payment { id } userErrors { code retryable } }
}"""
MAIL_OFF = """mutation {
  updateNotificationPreferences(input: {email: false, sms: false}) {
    preferences { email } userErrors { code }
  }
}"""
STOCK = """query($sku: String!) { product(sku: $sku) {
  available stock { onHand reserved available }
  stockHistory(first: 50) { edges { node { kind orderId } } }
} }"""


def settled(order: dict[str, Any]) -> bool:
    return bool(order["stockReserved"]) or order["status"] == "REJECTED"


async def test_300_customers_order_the_last_10_units_at_once(gateway_url, users_signing_key):
    started = time.monotonic()
    staff = mint_access_token(users_signing_key, "staff-race", role=Role.CATALOG)
    support = mint_access_token(users_signing_key, "support-race", scopes=[Scope.ORDERS_READ_ANY])
    customers = [
        mint_access_token(users_signing_key, f"race-{secrets.token_hex(4)}-{i}", ttl_seconds=600)
        for i in range(CUSTOMERS)
    ]
    sku = f"SKU-RACE-{secrets.token_hex(3).upper()}"
    limits = httpx.Limits(max_connections=CUSTOMERS, max_keepalive_connections=CUSTOMERS)
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60, limits=limits) as gateway:
        # Priced in EUR only: a USD order answers PRICE_NOT_AVAILABLE once orders knows it.
        product = {
            "sku": sku,
            "name": "Last lamp",
            "description": "",
            "prices": [{"amount": "12.00", "currency": "EUR"}],
        }
        created = await graphql(gateway, CREATE_PRODUCT, {"input": product}, token=staff)
        assert created["data"]["createProduct"]["userErrors"] == [], created
        received = await graphql(
            gateway,
            ADJUST,
            {"input": {"sku": sku, "delta": UNITS, "reason": "RECEIVED"}},
            token=staff,
        )
        assert received["data"]["adjustStock"]["product"]["stock"]["available"] == UNITS

        async def known() -> bool:
            variables = {"input": {"items": [{"sku": sku, "quantity": 1}], "currency": "USD"}}
            body = await graphql(gateway, CREATE_ORDER, variables, token=customers[0])
            codes = [e["code"] for e in body["data"]["createOrder"]["userErrors"]]
            assert codes in (["UNKNOWN_SKU"], ["PRICE_NOT_AVAILABLE"]), body
            return codes == ["PRICE_NOT_AVAILABLE"]

        await eventually(known, timeout=30, interval=0.2, what="orders to learn of the product")

        async def order(token: str) -> str:
            variables = {"input": {"items": [{"sku": sku, "quantity": 1}], "currency": "EUR"}}
            body = await graphql(gateway, CREATE_ORDER, variables, token=token)
            payload = body["data"]["createOrder"]
            assert payload["userErrors"] == [], body
            order_id: str = payload["order"]["id"]
            return order_id

        async def mail_off(token: str) -> None:
            async with limit:
                body = await graphql(gateway, MAIL_OFF, {}, token=token)
            assert body["data"]["updateNotificationPreferences"]["userErrors"] == [], body

        limit = asyncio.Semaphore(50)
        await asyncio.gather(*map(mail_off, customers))

        since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
        placed_at = time.monotonic()
        ids = await asyncio.gather(*map(order, customers))
        placed = time.monotonic() - placed_at
        owner = dict(zip(ids, customers, strict=True))

        final: dict[str, dict[str, Any]] = {}

        async def all_settled() -> bool:
            """Read the orders placed since the race began, a page of 100 at a time (not 300
            reads a round while the system is busy answering them)."""
            after = None
            while True:
                variables = {"filter": {"createdFrom": since}, "first": 100, "after": after}
                body = await graphql(gateway, STAFF_ORDERS, variables, token=support)
                page = body["data"]["staffOrders"]
                for edge in page["edges"]:
                    if edge["node"]["id"] in owner and settled(edge["node"]):
                        final[edge["node"]["id"]] = edge["node"]
                if not page["pageInfo"]["hasNextPage"]:
                    return len(final) == CUSTOMERS
                after = page["pageInfo"]["endCursor"]

        await eventually(all_settled, timeout=120, interval=0.5, what="every order's stock answer")
        settled_after = time.monotonic() - placed_at

        rejected = [i for i, o in final.items() if o["status"] == "REJECTED"]
        reserved = [i for i, o in final.items() if o["stockReserved"]]
        answers: dict[str, list[str]] = {}

        async def pay(order_id: str) -> None:
            variables = {
                "input": {
                    "orderId": order_id,
                    "paymentMethodToken": "pm_card_ok",
                    "idempotencyKey": f"race-{order_id}",
                }
            }
            async with limit:
                body = await graphql(gateway, PAY, variables, token=owner[order_id])
            payload = body["data"]["processPayment"]
            codes = [e["code"] for e in payload["userErrors"]]
            if not any(e["retryable"] for e in payload["userErrors"]):  # else: not heard yet
                answers[order_id] = codes
                assert payload["payment"] is None, body

        async def all_refused() -> bool:
            await asyncio.gather(*(pay(i) for i in rejected if i not in answers))
            return len(answers) == len(rejected)

        await eventually(all_refused, timeout=60, interval=0.5, what="payments to refuse them")
        refused_after = time.monotonic() - placed_at
        stock = (await graphql(gateway, STOCK, {"sku": sku}, token=staff))["data"]["product"]

    movements = [e["node"] for e in stock["stockHistory"]["edges"]]
    reserved_by_history = {m["orderId"] for m in movements if m["kind"] == "RESERVED"}
    oversold = max(0, len(reserved) - UNITS)
    print(
        f"\nstock race: {CUSTOMERS} customers on {UNITS} units of {sku}: {len(reserved)} reserved, "
        f"{len(rejected)} REJECTED, {oversold} oversold; stock {stock['stock']}; "
        f"placed in {placed:.1f} s, settled {settled_after:.1f} s and refused by payments "
        f"{refused_after:.1f} s after the first order, "
        f"{time.monotonic() - started:.1f} s in all"
    )
    assert (len(reserved), len(rejected), oversold) == (UNITS, CUSTOMERS - UNITS, 0)
    assert all(final[i]["status"] == "PENDING" for i in reserved)
    assert Counter(tuple(c) for c in answers.values()) == {("ORDER_REJECTED",): len(rejected)}
    assert stock["stock"] == {"onHand": UNITS, "reserved": UNITS, "available": 0}
    assert stock["available"] == 0
    assert Counter(m["kind"] for m in movements) == {"RECEIVED": 1, "RESERVED": UNITS}
    assert reserved_by_history == set(reserved)
