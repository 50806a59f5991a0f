"""The customer's side of the shop through the gateway: testkit's journey and client.

The journey retries what fails for a passing reason (payments not knowing a
new order yet, mostly), with one idempotency key per payment. The events table
pays an order once its stock is reserved (`until_reserved`), as a customer on
the order page would.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import httpx

from bench.e2e.target import BenchError, Target
from testkit.client import graphql
from testkit.journeys import Journey, Shopper, unique_email

PASSWORD = "bench-password-1"  # noqa: S105 (throwaway accounts)
STEP_DEADLINE = 30.0  # how long one step of the journey may be retried


def journey(client: httpx.AsyncClient, target: Target) -> Journey:
    return Journey(client, path=f"{target.gateway}/graphql", deadline=STEP_DEADLINE)


async def gql(
    client: httpx.AsyncClient,
    url: str,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    token: str | None = None,
) -> dict[str, Any]:
    """One operation; its `data`, or BenchError with the errors."""
    body = await graphql(client, query, variables, token=token, path=url)
    if body.get("errors") or not isinstance(body.get("data"), dict):
        raise BenchError(f"{url}: {json.dumps(body)[:300]}")
    data: dict[str, Any] = body["data"]
    return data


async def register_users(client: httpx.AsyncClient, target: Target, count: int) -> list[Shopper]:
    """`count` new users through the gateway (argon2 makes this the slow part of set-up)."""
    gate = asyncio.Semaphore(4)
    shop = journey(client, target)

    async def one() -> Shopper:
        async with gate:
            shopper = Shopper(email=unique_email("bench"), password=PASSWORD, name="Bench")
            return await shop.register(shopper)

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def create_order(client: httpx.AsyncClient, target: Target, user: Shopper) -> str:
    return await journey(client, target).place_order(user)


async def pay(client: httpx.AsyncClient, target: Target, user: Shopper, order_id: str) -> None:
    """processPayment with one idempotency key, retried while payments catches up."""
    payment = await journey(client, target).pay(user, order_id)
    if payment["status"] != "SUCCEEDED":
        raise BenchError(f"processPayment: {payment}")


RESERVED = "query Reserved($id: ID!) { order(id: $id) { status stockReserved } }"
RESERVED_POLL_SECONDS = 0.05
# Past the sustainable rate the saga's backlog grows: a step that overloads it must still end
# (and show as unsustainable), so the wait is far longer than a journey step's.
RESERVED_DEADLINE_SECONDS = 180.0


async def until_reserved(
    client: httpx.AsyncClient, target: Target, user: Shopper, order_id: str
) -> int:
    """Read the order every 50 ms until the catalog's reservation reached it (`stockReserved`);
    the number of reads. BenchError if it was rejected or nothing came within
    `RESERVED_DEADLINE_SECONDS`."""
    deadline = asyncio.get_running_loop().time() + RESERVED_DEADLINE_SECONDS
    url = f"{target.gateway}/graphql"
    reads = 0
    while True:
        order = (await gql(client, url, RESERVED, {"id": order_id}, token=user.token))["order"]
        reads += 1
        if order["stockReserved"]:
            return reads
        if order["status"] != "PENDING" or asyncio.get_running_loop().time() > deadline:
            raise BenchError(f"order {order_id} not reserved: {order}")
        await asyncio.sleep(RESERVED_POLL_SECONDS)
