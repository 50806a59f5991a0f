"""Subscribers of orderStatusChanged through the gateway (testkit's graphql-transport-ws client)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import websockets

from testkit.client import SubscriptionError, subscribe

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
        """Receive statuses until ``final`` (or ``stop``); note why it ended otherwise."""
        try:
            async with subscribe(
                f"{url}/graphql", STATUS_FEED, {"id": order_id}, token=token, timeout=20
            ) as subscription:
                self.connected = True
                while not stop.is_set():
                    try:
                        payload = await subscription.next(timeout=1.0)
                    except TimeoutError:
                        continue
                    if payload.get("errors"):
                        self.dropped = f"errors: {payload['errors']}"
                        return
                    self.statuses.append(payload["data"]["orderStatusChanged"]["status"])
                    if self.statuses[-1] == final:
                        return
        except SubscriptionError as exc:
            kind = exc.message.get("type") if self.connected else "no ack"
            self.dropped = f"{kind}: {exc.message.get('payload')}"
        except (OSError, websockets.WebSocketException, TimeoutError) as exc:
            self.dropped = f"connection lost ({type(exc).__name__})"
