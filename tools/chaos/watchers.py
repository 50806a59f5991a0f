"""Subscribers of orderStatusChanged through the gateway (testkit's graphql-transport-ws client)."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
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
    # The order's status read once the subscriber was registered: a change the system made
    # on its own before (REJECTED, right after the order was placed) may have gone unseen.
    status_when_registered: str = ""
    dropped: str = ""
    task: asyncio.Task[None] | None = None

    async def run(
        self, url: str, token: str, order_id: str, finals: Collection[str], stop: asyncio.Event
    ) -> None:
        """Receive statuses until one of ``finals`` (or ``stop``); note why it ended otherwise."""
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
                    if self.statuses[-1] in finals:
                        return
        except SubscriptionError as exc:
            kind = exc.message.get("type") if self.connected else "no ack"
            self.dropped = f"{kind}: {exc.message.get('payload')}"
        except (OSError, websockets.WebSocketException, TimeoutError) as exc:
            self.dropped = f"connection lost ({type(exc).__name__})"


def acceptable(expected: tuple[str, ...], status_when_registered: str) -> set[tuple[str, ...]]:
    """What a subscriber that stayed connected may have seen: every status ``expected``, or,
    when the order had already taken one of them before the subscriber was registered, the
    statuses from any point up to just after that one."""
    if status_when_registered not in expected:
        return {expected}
    last_missable = expected.index(status_when_registered) + 1
    return {expected[i:] for i in range(last_missable + 1)}
