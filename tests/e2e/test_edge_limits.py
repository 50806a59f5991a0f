"""Messages and bodies are bounded at every hop, and malformed JSON is the client's error.

A subgraph refuses a body over GRAPHQL_MAX_BODY_BYTES (413) and closes a
WebSocket whose message is over the same size; JSON nested past what the
parser can take is a 400 (it was a 500), at the subgraph and at the gateway.
"""

from __future__ import annotations

import json

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

pytestmark = pytest.mark.e2e

HUGE = 20 * 1024 * 1024
# Over the 1.5 MiB limit but under the WebSocket server's own default (16 MiB).
LARGE = 4 * 1024 * 1024
DEEP = b"[" * 100_000
PROTOCOL = Subprotocol("graphql-transport-ws")
JSON_HEADERS = {"content-type": "application/json", "accept": "application/json"}


def _ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://", 1) + "/graphql"


async def _huge_subscribe_is_refused(http_url: str, size: int) -> None:
    """Opens graphql-transport-ws, then sends a `size` bytes subscribe: it must close."""
    # Not `async with`: closing again a socket the server has already torn down fails.
    ws = await websockets.connect(_ws_url(http_url), subprotocols=[PROTOCOL], max_size=None)
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    padding = "#" * size  # a GraphQL comment: a valid document once parsed
    message = {
        "type": "subscribe",
        "id": "1",
        "payload": {"query": f"{padding}\nsubscription {{ __typename }}"},
    }
    code = await _close_code(ws, json.dumps(message))
    assert code == 1009 or 4000 <= code < 5000, code


async def _close_code(ws: websockets.ClientConnection, message: str) -> int:
    """Sends `message` and returns the close code the server answers with (0: no close frame)."""

    async def exchange() -> None:
        await ws.send(message)  # may already fail: the server closes while it is sent
        await ws.recv()

    with pytest.raises(ConnectionClosed) as closed:
        await exchange()
    return closed.value.rcvd.code if closed.value.rcvd else 0


async def test_a_subgraph_closes_a_websocket_on_a_message_over_its_limit(users_url):
    await _huge_subscribe_is_refused(users_url, LARGE)


async def test_a_subgraph_refuses_a_body_over_its_limit(users_url):
    body = json.dumps({"query": "{ __typename }", "pad": "x" * 2_000_000}).encode()
    async with httpx.AsyncClient(base_url=users_url, timeout=60) as client:
        response = await client.post("/graphql", content=body, headers=JSON_HEADERS)
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

        # Chunked (no Content-Length): counted while read.
        async def chunks():
            yield body[:1_000_000]
            yield body[1_000_000:]

        chunked = await client.post("/graphql", content=chunks(), headers=JSON_HEADERS)
        assert chunked.status_code == 413
        # Under the limit, the same connection still serves.
        small = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"accept": "application/json"}
        )
        assert small.json() == {"data": {"__typename": "Query"}}


async def test_a_subgraph_answers_deeply_nested_json_with_400(users_url):
    async with httpx.AsyncClient(base_url=users_url, timeout=30) as client:
        for body in (DEEP, b'{"query": "{ __typename }", "variables": ' + DEEP):
            response = await client.post("/graphql", content=body, headers=JSON_HEADERS)
            assert response.status_code == 400, response.text


async def test_a_subgraph_closes_a_websocket_on_deeply_nested_json(users_url):
    async with websockets.connect(_ws_url(users_url), subprotocols=[PROTOCOL]) as ws:
        assert 4000 <= await _close_code(ws, DEEP.decode()) < 5000


async def test_the_gateway_answers_deeply_nested_json_with_400(gateway):
    response = await gateway.post("/graphql", content=DEEP, headers=JSON_HEADERS)
    assert response.status_code == 400


async def test_the_gateway_closes_a_websocket_on_a_huge_message(gateway_url):
    await _huge_subscribe_is_refused(gateway_url, HUGE)
