"""The one client that drives the stack from outside (tests, bench, chaos).

GraphQL over HTTP (`post`, `graphql`) and subscriptions over a WebSocket with
the graphql-transport-ws protocol (`subscribe`, `subscribed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import websockets
from websockets.typing import Subprotocol

from testkit.prometheus import subscriptions_started
from testkit.waiting import eventually

SUBPROTOCOL = "graphql-transport-ws"


def bearer(token: str | None) -> dict[str, str]:
    """The authorization header for ``token`` (none without one)."""
    return {"authorization": f"Bearer {token}"} if token else {}


async def post(
    http: httpx.AsyncClient,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    token: str | None = None,
    path: str = "/graphql",
) -> httpx.Response:
    """POST one operation to ``path`` (relative to the client's base URL, or absolute)."""
    return await http.post(
        path, json={"query": query, "variables": dict(variables or {})}, headers=bearer(token)
    )


async def graphql(
    http: httpx.AsyncClient,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    token: str | None = None,
    path: str = "/graphql",
) -> dict[str, Any]:
    """POST one operation; the decoded body (asserting it is JSON)."""
    response = await post(http, query, variables, token=token, path=path)
    assert response.headers["content-type"].startswith("application/"), response.text
    body: dict[str, Any] = response.json()
    return body


def error_codes(body: Mapping[str, Any]) -> list[str]:
    """The ``extensions.code`` of every error of a response body."""
    errors: list[dict[str, Any]] = body.get("errors") or []
    return [e.get("extensions", {}).get("code") for e in errors]


class SubscriptionError(AssertionError):
    """The server refused or ended a subscription (`error`, `complete`, no ack)."""

    def __init__(self, message: Mapping[str, Any]) -> None:
        super().__init__(json.dumps(message)[:300])
        self.message = dict(message)


class Subscription:
    """One graphql-transport-ws subscription on an open WebSocket."""

    def __init__(self, ws: Any, operation_id: str) -> None:
        self._ws = ws
        self._id = operation_id

    @property
    def id(self) -> str:
        """The operation id of this subscription's messages."""
        return self._id

    async def receive(self, timeout: float | None = 10.0) -> dict[str, Any]:
        """The next message as sent (`next`, `error`, `complete`), pings answered on the way;
        silence for ``timeout`` seconds raises TimeoutError."""
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self._ws.recv(), timeout))
            if message["type"] != "ping":
                return message
            await self._ws.send(json.dumps({"type": "pong"}))

    async def next(self, timeout: float | None = 10.0) -> dict[str, Any]:
        """The next `next` payload; `error` or `complete` raise SubscriptionError."""
        message = await self.receive(timeout)
        if message.get("id") != self._id or message["type"] != "next":
            raise SubscriptionError(message)
        payload: dict[str, Any] = message["payload"]
        return payload

    async def error(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The errors the subscription ends with (as `error`, or as a `next` carrying errors)."""
        message = await self.receive(timeout)
        assert message["type"] in {"error", "next"}, message
        errors: list[dict[str, Any]] = (
            message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        )
        return errors


@contextlib.asynccontextmanager
async def subscribe(
    url: str,
    query: str,
    variables: Mapping[str, Any],
    *,
    token: str | None,
    timeout: float = 10.0,
    init: Mapping[str, Any] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> AsyncIterator[Subscription]:
    """Open a WebSocket to ``url`` (http:// is fine), init with the token, subscribe.

    ``init``: the `connection_init` payload as given, instead of one made from ``token``
    (tests of what the server does with it). ``timeout`` bounds the opening handshake and
    the wait for `connection_ack`. ``extensions``: the subscribe payload's (a persisted
    document's hash, as Apollo Client sends it).
    """
    ws_url = url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    async with websockets.connect(
        ws_url, subprotocols=[Subprotocol(SUBPROTOCOL)], open_timeout=timeout
    ) as ws:
        hello: dict[str, Any] = {"type": "connection_init"}
        if init is not None:
            hello["payload"] = dict(init)
        elif token:
            hello["payload"] = {"Authorization": f"Bearer {token}"}
        await ws.send(json.dumps(hello))
        ack = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if ack.get("type") != "connection_ack":
            raise SubscriptionError(ack)
        operation_id = uuid.uuid4().hex
        payload: dict[str, Any] = {"query": query, "variables": dict(variables)}
        if extensions is not None:
            payload["extensions"] = dict(extensions)
        await ws.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": payload}))
        yield Subscription(ws, operation_id)


@contextlib.asynccontextmanager
async def subscribed(
    http: httpx.AsyncClient,
    url: str,
    query: str,
    variables: Mapping[str, Any],
    *,
    token: str | None,
    upstream: str,
    extensions: Mapping[str, Any] | None = None,
) -> AsyncIterator[Subscription]:
    """`subscribe`, returning once the subgraph at ``upstream`` has registered the subscriber.

    Through a gateway the upstream subscription opens a moment after the
    client's: the signal is the subgraph's own count of registered
    subscribers (from then on it misses no event), so a change is triggered
    only after it, instead of sleeping.
    """
    before = await subscriptions_started(http, upstream)
    async with subscribe(url, query, variables, token=token, extensions=extensions) as subscription:

        async def registered() -> bool:
            return await subscriptions_started(http, upstream) > before

        await eventually(registered, what=f"the subscriber to register at {upstream}")
        yield subscription
