"""Subscribers of orderStatusChanged through the gateway (graphql-transport-ws)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

import websockets
from websockets.typing import Subprotocol

STATUS_FEED = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }"


@dataclass
class Watcher:
    """One subscriber of orderStatusChanged for one order, through the gateway."""

    statuses: list[str] = field(default_factory=list)
    connected: bool = False
    unconfirmed: bool = False  # the subscriber was not seen registered within 30 s
    dropped: str = ""
    task: asyncio.Task[None] | None = None

    async def run(
        self, url: str, token: str, order_id: str, final: str, stop: asyncio.Event
    ) -> None:
        ws_url = url.replace("http://", "ws://", 1) + "/graphql"
        try:
            async with websockets.connect(
                ws_url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=20
            ) as ws:
                init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                await ws.send(json.dumps(init))
                ack = json.loads(await asyncio.wait_for(ws.recv(), 20))
                if ack.get("type") != "connection_ack":
                    self.dropped = f"no ack: {ack}"
                    return
                subscribe = {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": STATUS_FEED, "variables": {"id": order_id}},
                }
                await ws.send(json.dumps(subscribe))
                self.connected = True
                while not stop.is_set():
                    try:
                        raw = await asyncio.wait_for(ws.recv(), 1.0)
                    except TimeoutError:
                        continue
                    message = json.loads(raw)
                    if message["type"] == "ping":
                        await ws.send(json.dumps({"type": "pong"}))
                    elif message["type"] == "next":
                        payload = message["payload"]
                        if payload.get("errors"):
                            self.dropped = f"errors: {payload['errors']}"
                            return
                        self.statuses.append(payload["data"]["orderStatusChanged"]["status"])
                        if self.statuses[-1] == final:
                            return
                    elif message["type"] in ("error", "complete"):
                        self.dropped = f"{message['type']}: {message.get('payload')}"
                        return
        except (OSError, websockets.WebSocketException, TimeoutError) as exc:
            self.dropped = f"connection lost ({type(exc).__name__})"
