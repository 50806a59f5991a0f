"""Helpers shared by the tests: one GraphQL request, the users flows, polling, subscriptions."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import httpx
import websockets
from websockets.typing import Subprotocol

SUBPROTOCOL = "graphql-transport-ws"

T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T | None]],
    *,
    timeout: float = 20.0,
    what: str = "the condition",
    interval: float = 0.05,
) -> T:
    """Poll `check()` until it returns something truthy, and return that.

    The one way tests wait for something that happens elsewhere (another
    process, a consumer, a mail): the deadline is generous because the
    machine may be busy; it is a bound, never a measurement.
    """
    deadline = time.monotonic() + timeout
    while True:
        if result := await check():
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await asyncio.sleep(interval)


def eventually_sync(
    check: Callable[[], T | None],
    *,
    timeout: float = 20.0,
    what: str = "the condition",
    interval: float = 0.05,
) -> T:
    """`eventually` for synchronous tests (Playwright's sync API): the same deadline rule."""
    deadline = time.monotonic() + timeout
    while True:
        if result := check():
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    user { id email name phone }
    accessToken
    expiresAt
    refreshToken
    refreshExpiresAt
    userErrors { field message code }
  }
}"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    accessToken
    expiresAt
    refreshToken
    refreshExpiresAt
    user { id email }
    userErrors { field message code }
  }
}"""

ME = "query { me { id email name phone createdAt } }"


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    path: str = "/graphql",
) -> dict[str, Any]:
    """POST one operation; returns the decoded body (asserting it is JSON)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        path, json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.headers["content-type"].startswith("application/"), response.text
    body: dict[str, Any] = response.json()
    return body


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


async def register(
    client: httpx.AsyncClient, *, email: str | None = None, password: str = "password-123"
) -> dict[str, Any]:
    """Register a fresh user; returns the payload (user, accessToken) and asserts success."""
    email = email or unique_email()
    body = await graphql(
        client, REGISTER, {"input": {"email": email, "password": password, "name": "Test User"}}
    )
    payload: dict[str, Any] = body["data"]["register"]
    assert payload["userErrors"] == [], payload
    return payload


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


class Subscription:
    """One graphql-transport-ws subscription over a WebSocket (the client side of the protocol)."""

    def __init__(self, ws: Any, operation_id: str) -> None:
        self._ws = ws
        self._id = operation_id

    async def next(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next `next` payload; `error` and `complete` messages raise AssertionError."""
        while True:
            message = json.loads(await asyncio.wait_for(self._ws.recv(), timeout))
            if message["type"] == "ping":
                await self._ws.send(json.dumps({"type": "pong"}))
                continue
            assert message.get("id") == self._id, message
            assert message["type"] == "next", message
            payload: dict[str, Any] = message["payload"]
            return payload

    async def error(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The errors the subscription ends with (as `error`, or as a `next` carrying errors)."""
        message = json.loads(await asyncio.wait_for(self._ws.recv(), timeout))
        assert message["type"] in {"error", "next"}, message
        errors: list[dict[str, Any]] = (
            message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        )
        return errors


@contextlib.asynccontextmanager
async def subscribe(
    url: str, query: str, variables: dict[str, Any], *, token: str | None
) -> AsyncIterator[Subscription]:
    """Open a WebSocket to `url` (http:// is fine), init with the token, subscribe."""
    ws_url = url.replace("http://", "ws://", 1)
    async with websockets.connect(ws_url, subprotocols=[Subprotocol(SUBPROTOCOL)]) as ws:
        init: dict[str, Any] = {"type": "connection_init"}
        if token:
            init["payload"] = {"Authorization": f"Bearer {token}"}
        await ws.send(json.dumps(init))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        operation_id = uuid.uuid4().hex
        await ws.send(
            json.dumps(
                {
                    "id": operation_id,
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        )
        yield Subscription(ws, operation_id)


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text -> {'name{labels}': value}."""
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            values[key] = float(value)
    return values


async def mongo_commands(client: httpx.AsyncClient, base_url: str, collection: str) -> float:
    """MongoDB commands a subgraph process has sent on `collection` so far (its /metrics)."""
    response = await client.get(f"{base_url}/metrics")
    metrics = parse_metrics(response.text)
    label = f'collection="{collection}"'
    return sum(
        v for k, v in metrics.items() if k.startswith("mongodb_commands_total") and label in k
    )


SUBSCRIPTIONS_METRIC = "broadcast_subscriptions_total"


async def subscriptions_started(client: httpx.AsyncClient, base_url: str) -> float:
    """How many subscribers a subgraph process has registered on its broadcasts so far."""
    metrics = parse_metrics((await client.get(f"{base_url}/metrics")).text)
    return sum(v for k, v in metrics.items() if k.startswith(SUBSCRIPTIONS_METRIC))


@contextlib.asynccontextmanager
async def subscribed(
    client: httpx.AsyncClient,
    url: str,
    query: str,
    variables: dict[str, Any],
    *,
    token: str | None,
    upstream: str,
) -> AsyncIterator[Subscription]:
    """`subscribe`, returning once the subgraph at `upstream` has registered the subscriber.

    Through a gateway the upstream subscription opens a moment after the
    client's: the signal is the subgraph's own count of registered
    subscribers (from then on it misses no event), so a test triggers a
    change only after it, instead of sleeping.
    """
    before = await subscriptions_started(client, upstream)
    async with subscribe(url, query, variables, token=token) as subscription:

        async def registered() -> bool:
            return await subscriptions_started(client, upstream) > before

        await eventually(registered, what=f"the subscriber to register at {upstream}")
        yield subscription
