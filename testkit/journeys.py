"""A customer's journey through the gateway: register -> order -> pay (-> a staff refund),
with retries.

`Journey` retries like a careful client: what failed for a passing reason
(a dropped connection, a 5xx, a userError marked `retryable`, such as
`STOCK_NOT_RESERVED_YET` while the catalog has not reserved the order's stock) is
sent again, and what may have happened already is repeated only where that is
safe: a payment or refund with the same idempotency key, an order only after
checking that none was created. An order the catalog could not reserve is
`OrderRejected` when paid: an outcome, not a failure. Tests that want one plain
call use `register`, which asserts that it worked.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from testkit.client import error_codes, graphql, post

T = TypeVar("T")

# Error codes that say the request itself is wrong: sending it again cannot help.
CLIENT_CODES = frozenset({"BAD_USER_INPUT", "FORBIDDEN"})

PASSWORD = "password-123"  # noqa: S105 (what `register` signs test accounts up with)
MUG = ({"sku": "SKU-MUG", "quantity": 1},)

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    userErrors { field message code retryable }
  }
}"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    accessToken
    expiresAt
    refreshToken
    refreshExpiresAt
    user { id email name phone }
    userErrors { field message code retryable }
  }
}"""

ME = "query { me { id email name phone createdAt } }"
CREATE_ORDER = """mutation Create($input: CreateOrderInput!) { createOrder(input: $input) {
  order { id status } userErrors { code message } } }"""
MY_ORDERS = "query MyOrders { me { orders(first: 5) { edges { node { id status } } } } }"
PAY = """mutation Pay($input: ProcessPaymentInput!) { processPayment(input: $input) {
  payment { id status } userErrors { code message retryable } } }"""
REFUND = """mutation Refund($input: RefundPaymentInput!) { refundPayment(input: $input) {
  payment { id status } userErrors { code message retryable } } }"""
ORDER_STATE = "query State($id: ID!) { order(id: $id) { id status payment { id status } } }"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


async def register(
    http: httpx.AsyncClient,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    name: str = "Test User",
) -> dict[str, Any]:
    """Register a fresh user, then sign in (registering never does); `login`'s payload
    (user, accessToken, refreshToken), asserting both worked."""
    email = email or unique_email()
    variables = {"input": {"email": email, "password": password, "name": name}}
    registered = (await graphql(http, REGISTER, variables))["data"]["register"]
    assert registered["userErrors"] == [], registered
    credentials = {"input": {"email": email, "password": password}}
    payload: dict[str, Any] = (await graphql(http, LOGIN, credentials))["data"]["login"]
    assert payload["userErrors"] == [], payload
    return payload


def retryable(payload: Mapping[str, Any]) -> bool:
    """Whether a mutation's userErrors say to send the same request again shortly."""
    return any(e["retryable"] for e in payload["userErrors"])


class Retry(Exception):
    """A request whose outcome is unknown, or that failed for a passing reason."""


class OrderRejected(Exception):
    """The order was REJECTED (its stock could not be reserved): payments answers
    `ORDER_REJECTED`, and nothing was charged."""


class Unauthenticated(Exception):
    """The token was refused (expired, or its signing key rotated): sign in again."""


@dataclass(kw_only=True)
class Shopper:
    """A customer's account as the journey knows it."""

    email: str
    password: str = PASSWORD
    name: str = "Shopper"
    token: str = ""
    user_id: str = ""
    orders: list[str] = field(default_factory=list)  # the ones this journey placed


@dataclass
class Tallies:
    """What the journey went through: retries by operation, their causes, requests in flight."""

    retries: Counter[str] = field(default_factory=Counter)
    causes: Counter[str] = field(default_factory=Counter)
    inflight: Counter[str] = field(default_factory=Counter)


def backoff_seconds(attempt: int) -> float:
    return min(0.2 * 1.5**attempt, 2.0)


class Journey:
    """Shoppers through the GraphQL endpoint at ``path`` of ``http``, retried for ``deadline`` s."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        path: str = "/graphql",
        deadline: float = 60.0,
        tallies: Tallies | None = None,
    ) -> None:
        self.http = http
        self.path = path
        self.deadline = deadline
        self.tallies = tallies or Tallies()

    async def call(
        self, op: str, query: str, variables: Mapping[str, Any], token: str | None = None
    ) -> dict[str, Any]:
        """The operation's `data`; Retry when the outcome is unknown or the failure transient,
        Unauthenticated, or RuntimeError when sending it again cannot help."""
        self.tallies.inflight[op] += 1
        try:
            response = await post(self.http, query, variables, token=token, path=self.path)
        except httpx.HTTPError as exc:
            raise Retry(f"{op}: {type(exc).__name__}") from exc
        finally:
            self.tallies.inflight[op] -= 1
        if response.status_code >= 500 or response.status_code == 429:
            raise Retry(f"{op}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise Retry(f"{op}: not JSON (HTTP {response.status_code})") from exc
        codes = error_codes(body)
        if "UNAUTHENTICATED" in codes:
            raise Unauthenticated(op)
        data = body.get("data")
        if codes or not data or any(v is None for v in data.values()):
            if CLIENT_CODES.intersection(codes):
                raise RuntimeError(f"{op} refused: {body.get('errors')}")
            raise Retry(f"{op}: {codes or 'no data'}")
        result: dict[str, Any] = data
        return result

    async def retrying(self, op: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """``attempt()`` until it does not raise Retry, with a backoff, for ``deadline`` s."""
        deadline = time.monotonic() + self.deadline
        tries = 0
        while True:
            try:
                return await attempt()
            except Retry as exc:
                if time.monotonic() > deadline:
                    raise
                self.tallies.retries[op] += 1
                self.tallies.causes[str(exc)[:80]] += 1
                await asyncio.sleep(backoff_seconds(tries))
                tries += 1

    async def authed(
        self, shopper: Shopper, op: str, query: str, variables: Mapping[str, Any]
    ) -> dict[str, Any]:
        """`call` with the shopper's token, signing in again when it is refused."""
        try:
            return await self.call(op, query, variables, shopper.token)
        except Unauthenticated:
            await self.sign_in(shopper)
            raise Retry(f"{op}: signed in again") from None

    async def register(self, shopper: Shopper) -> Shopper:
        """Sign ``shopper`` up, then in (an earlier attempt may have signed it up: the same)."""

        async def once() -> None:
            account = {"email": shopper.email, "password": shopper.password, "name": shopper.name}
            payload = (await self.call("register", REGISTER, {"input": account}))["register"]
            errors = payload["userErrors"]
            if errors and retryable(payload):  # e.g. the sign-up throttle's store is down
                raise Retry(f"register: {errors}")
            if errors:
                raise RuntimeError(f"register: {errors}")

        await self.retrying("register", once)
        await self.sign_in(shopper)
        return shopper

    async def sign_in(self, shopper: Shopper) -> None:
        async def once() -> None:
            credentials = {"email": shopper.email, "password": shopper.password}
            payload = (await self.call("login", LOGIN, {"input": credentials}))["login"]
            if payload["userErrors"]:
                raise Retry(f"login: {payload['userErrors']}")
            shopper.token, shopper.user_id = payload["accessToken"], payload["user"]["id"]

        await self.retrying("login", once)

    async def place_order(self, shopper: Shopper, items: Sequence[Mapping[str, Any]] = MUG) -> str:
        """A new order's id. When the outcome of an attempt is unknown, the shopper's
        orders are looked at first: one this journey does not know yet is that order."""

        async def created_meanwhile() -> str | None:
            data = await self.authed(shopper, "me.orders", MY_ORDERS, {})
            ids = [edge["node"]["id"] for edge in data["me"]["orders"]["edges"]]
            return next((i for i in ids if i not in shopper.orders), None)

        async def once() -> str:
            variables = {"input": {"items": list(items), "currency": "USD"}}
            try:
                data = await self.authed(shopper, "createOrder", CREATE_ORDER, variables)
            except Retry:
                if found := await self.retrying("me.orders", created_meanwhile):
                    return found
                raise
            payload = data["createOrder"]
            if payload["userErrors"]:
                raise RuntimeError(f"createOrder: {payload['userErrors']}")
            order_id: str = payload["order"]["id"]
            return order_id

        order_id = await self.retrying("createOrder", once)
        shopper.orders.append(order_id)
        return order_id

    async def pay(
        self, shopper: Shopper, order_id: str, card: str = "pm_card_ok"
    ) -> dict[str, Any]:
        """The order's payment (id, status), paid with one idempotency key for every attempt;
        `OrderRejected` when the catalog could not reserve its stock (`STOCK_NOT_RESERVED_YET`,
        retryable, is sent again until the catalog has answered)."""
        key = f"pay-{order_id}"

        async def once() -> dict[str, Any]:
            variables = {
                "input": {"orderId": order_id, "paymentMethodToken": card, "idempotencyKey": key}
            }
            payload = (await self.authed(shopper, "processPayment", PAY, variables))[
                "processPayment"
            ]
            codes = {e["code"] for e in payload["userErrors"]}
            if retryable(payload):
                raise Retry(f"processPayment: {sorted(codes)}")
            if codes == {"ALREADY_PAID"}:  # an earlier attempt did pay
                state = await self.state(shopper, order_id)
                payment: dict[str, Any] = (state or {})["payment"]
                return payment
            if codes == {"ORDER_REJECTED"}:
                raise OrderRejected(order_id)
            if codes:
                raise RuntimeError(f"processPayment: {payload['userErrors']}")
            paid: dict[str, Any] = payload["payment"]
            return paid

        return await self.retrying("processPayment", once)

    async def refund(
        self,
        staff_token: str,
        payment_id: str,
        reason: str = "The customer changed their mind.",
        *,
        restock: bool = False,
    ) -> None:
        """Staff refund a succeeded payment (one idempotency key for every attempt), returning
        its units to stock with `restock`; refunds are staff's (`refunds:decide`): `staff_token`
        is one with that scope (`testkit.staff`)."""
        key = f"refund-{payment_id}"

        async def once() -> None:
            refund = {"paymentId": payment_id, "idempotencyKey": key, "reason": reason}
            variables = {"input": {**refund, "restock": restock}}
            try:
                data = await self.call("refundPayment", REFUND, variables, staff_token)
            except Unauthenticated:
                raise RuntimeError("refundPayment: the staff token was refused") from None
            payload = data["refundPayment"]
            codes = {e["code"] for e in payload["userErrors"]}
            if retryable(payload):
                raise Retry(f"refundPayment: {sorted(codes)}")
            if codes and codes != {"ALREADY_REFUNDED"}:
                raise RuntimeError(f"refundPayment: {payload['userErrors']}")

        await self.retrying("refundPayment", once)

    async def state(self, shopper: Shopper, order_id: str) -> dict[str, Any] | None:
        """The order's status and its payment's, as the shopper sees them."""

        async def once() -> dict[str, Any] | None:
            order: dict[str, Any] | None = (
                await self.authed(shopper, "order", ORDER_STATE, {"id": order_id})
            )["order"]
            return order

        return await self.retrying("order", once)

    async def order_count(self, shopper: Shopper) -> int:
        """How many orders the shopper has (up to 5)."""

        async def once() -> int:
            data = await self.authed(shopper, "me.orders", MY_ORDERS, {})
            return len(data["me"]["orders"]["edges"])

        return await self.retrying("me.orders", once)
