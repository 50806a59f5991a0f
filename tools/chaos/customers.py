"""Customers going through the gateway: register, order, pay, refund, retrying like careful clients.

A retry repeats what may have happened already only where that is safe: a
payment or refund with the same idempotency key; an order only after checking
that none was created.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tools.chaos.client import Gateway, Retry, Stats, Unauthenticated, backoff
from tools.chaos.scenarios import Scenario
from tools.chaos.watchers import Watcher

PASSWORD = f"chaos-{uuid.uuid4().hex[:12]}"  # throwaway accounts of one run
RETRYABLE_USER_ERRORS = {
    "ORDER_NOT_FOUND_YET",
    "PAYMENT_IN_PROGRESS",
    "PROVIDER_UNAVAILABLE",
    "REFUND_IN_PROGRESS",
    "RATE_LIMITED",
    "CONCURRENT_UPDATE",
}

REGISTER = """mutation($input: RegisterInput!) { register(input: $input) {
  accessToken user { id } userErrors { code message } } }"""
LOGIN = """mutation($input: LoginInput!) { login(input: $input) {
  accessToken user { id } userErrors { code message } } }"""
CREATE = """mutation($input: CreateOrderInput!) { createOrder(input: $input) {
  order { id status } userErrors { code message } } }"""
MY_ORDERS = "{ me { orders(first: 5) { edges { node { id status } } } } }"
PAY = """mutation($input: ProcessPaymentInput!) { processPayment(input: $input) {
  payment { id status } userErrors { code message } } }"""
REFUND = """mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  payment { id status } userErrors { code message } } }"""
STATE = "query($id: ID!) { order(id: $id) { id status payment { id status } } }"


@dataclass
class Customer:
    index: int
    email: str
    scenario: Scenario
    token: str = ""
    user_id: str = ""
    order_id: str = ""
    payment_id: str = ""
    failed: str = ""
    watcher: Watcher | None = None


class Driver:
    """Runs customers through the gateway, retrying like a careful client."""

    def __init__(self, gateway: Gateway, stats: Stats, deadline: float) -> None:
        self.gw = gateway
        self.stats = stats
        self.step_deadline = deadline

    async def _retrying(self, op: str, attempt: Callable[[], Awaitable[Any]]) -> Any:
        deadline = time.monotonic() + self.step_deadline
        tries = 0
        while True:
            try:
                return await attempt()
            except Retry as exc:
                if time.monotonic() > deadline:
                    raise
                self.stats.retries[op] += 1
                self.stats.causes[str(exc)[:80]] += 1
                await backoff(tries)
                tries += 1

    async def _authed(self, c: Customer, op: str, query: str, variables: dict[str, Any]) -> Any:
        try:
            return await self.gw.call(op, query, variables, c.token)
        except Unauthenticated:
            await self.sign_in(c)
            raise Retry(f"{op}: signed in again") from None

    async def sign_in(self, c: Customer) -> None:
        async def once() -> None:
            data = await self.gw.call(
                "login", LOGIN, {"input": {"email": c.email, "password": PASSWORD}}, None
            )
            payload = data["login"]
            if payload["userErrors"]:
                raise Retry(f"login: {payload['userErrors']}")
            c.token, c.user_id = payload["accessToken"], payload["user"]["id"]

        await self._retrying("login", once)

    async def register(self, c: Customer) -> None:
        async def once() -> None:
            variables = {"input": {"email": c.email, "password": PASSWORD, "name": "Chaos"}}
            data = await self.gw.call("register", REGISTER, variables, None)
            payload = data["register"]
            codes = [e["code"] for e in payload["userErrors"]]
            if codes == ["EMAIL_TAKEN"]:  # an earlier attempt did register
                await self.sign_in(c)
                return
            if codes:
                raise RuntimeError(f"register: {payload['userErrors']}")
            c.token, c.user_id = payload["accessToken"], payload["user"]["id"]

        await self._retrying("register", once)

    async def place_order(self, c: Customer) -> None:
        async def existing() -> str | None:
            data = await self._authed(c, "me.orders", MY_ORDERS, {})
            edges = data["me"]["orders"]["edges"]
            return str(edges[0]["node"]["id"]) if edges else None

        async def once() -> None:
            variables = {"input": {"items": [{"sku": "SKU-MUG", "quantity": 1}], "currency": "USD"}}
            try:
                data = await self._authed(c, "createOrder", CREATE, variables)
            except Retry:
                # Unknown outcome: an order may have been created. Look before trying again.
                found = await self._retrying("me.orders", existing)
                if found:
                    c.order_id = found
                    return
                raise
            payload = data["createOrder"]
            if payload["userErrors"]:
                raise RuntimeError(f"createOrder: {payload['userErrors']}")
            c.order_id = payload["order"]["id"]

        await self._retrying("createOrder", once)

    async def pay(self, c: Customer) -> None:
        card = c.scenario.card
        key = f"pay-{c.email}"

        async def once() -> None:
            variables = {
                "input": {"orderId": c.order_id, "paymentMethodToken": card, "idempotencyKey": key}
            }
            payload = (await self._authed(c, "processPayment", PAY, variables))["processPayment"]
            codes = {e["code"] for e in payload["userErrors"]}
            if codes & RETRYABLE_USER_ERRORS:
                raise Retry(f"processPayment: {codes}")
            if codes == {"ALREADY_PAID"}:
                state = (await self._authed(c, "order", STATE, {"id": c.order_id}))["order"]
                c.payment_id = state["payment"]["id"]
                return
            if codes:
                raise RuntimeError(f"processPayment: {payload['userErrors']}")
            c.payment_id = payload["payment"]["id"]

        await self._retrying("processPayment", once)

    async def refund(self, c: Customer) -> None:
        key = f"refund-{c.email}"

        async def once() -> None:
            variables = {"input": {"paymentId": c.payment_id, "idempotencyKey": key}}
            payload = (await self._authed(c, "refundPayment", REFUND, variables))["refundPayment"]
            codes = {e["code"] for e in payload["userErrors"]}
            if codes & RETRYABLE_USER_ERRORS:
                raise Retry(f"refundPayment: {codes}")
            if codes and codes != {"ALREADY_REFUNDED"}:
                raise RuntimeError(f"refundPayment: {payload['userErrors']}")

        await self._retrying("refundPayment", once)

    async def state(self, c: Customer) -> dict[str, Any] | None:
        async def once() -> Any:
            return (await self._authed(c, "order", STATE, {"id": c.order_id}))["order"]

        found: dict[str, Any] | None = await self._retrying("order", once)
        return found

    async def order_count(self, c: Customer) -> int:
        async def once() -> int:
            data = await self._authed(c, "me.orders", MY_ORDERS, {})
            return len(data["me"]["orders"]["edges"])

        count: int = await self._retrying("me.orders", once)
        return count
