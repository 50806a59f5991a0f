"""The customer's side of the shop through the gateway: register, order, pay."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from bench.e2e.target import BenchError, Target

REGISTER = """mutation Register($input: RegisterInput!) { register(input: $input) {
  accessToken user { id email } userErrors { code message } } }"""
CREATE = """mutation Create($input: CreateOrderInput!) { createOrder(input: $input) {
  order { id } userErrors { code message } } }"""
PAY = """mutation Pay($input: ProcessPaymentInput!) { processPayment(input: $input) {
  payment { id status } userErrors { code message } } }"""

# Expected while payments has not yet seen `orders.created` (eventual consistency).
NOT_YET = {"ORDER_NOT_FOUND_YET", "PAYMENT_IN_PROGRESS"}


@dataclass
class User:
    token: str
    email: str


async def gql(
    client: httpx.AsyncClient,
    url: str,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    token: str | None = None,
) -> dict[str, Any]:
    """One operation; its `data`, or BenchError with the errors."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        url, json={"query": query, "variables": dict(variables or {})}, headers=headers
    )
    body = response.json()
    if body.get("errors") or not isinstance(body.get("data"), dict):
        raise BenchError(f"{url}: {json.dumps(body)[:300]}")
    data: dict[str, Any] = body["data"]
    return data


async def register_users(client: httpx.AsyncClient, target: Target, count: int) -> list[User]:
    """`count` new users through the gateway (argon2 makes this the slow part of set-up)."""
    gate = asyncio.Semaphore(4)

    async def one() -> User:
        email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
        variables = {"input": {"email": email, "password": "bench-password-1", "name": "Bench"}}
        async with gate:
            data = await gql(client, f"{target.gateway}/graphql", REGISTER, variables)
        payload = data["register"]
        if payload["userErrors"]:
            raise BenchError(f"register: {payload['userErrors']}")
        return User(payload["accessToken"], email)

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def create_order(client: httpx.AsyncClient, target: Target, user: User) -> str:
    variables = {"input": {"items": [{"sku": "SKU-MUG", "quantity": 1}]}}
    data = await gql(client, f"{target.gateway}/graphql", CREATE, variables, token=user.token)
    payload = data["createOrder"]
    if payload["userErrors"]:
        raise BenchError(f"createOrder: {payload['userErrors']}")
    order_id: str = payload["order"]["id"]
    return order_id


async def pay(client: httpx.AsyncClient, target: Target, user: User, order_id: str) -> None:
    """processPayment with one idempotency key, retried while payments catches up."""
    variables = {
        "input": {
            "orderId": order_id,
            "paymentMethodToken": "pm_card_ok",
            "idempotencyKey": uuid.uuid4().hex,
        }
    }
    deadline = time.monotonic() + 30
    while True:
        data = await gql(client, f"{target.gateway}/graphql", PAY, variables, token=user.token)
        payload = data["processPayment"]
        codes = {e["code"] for e in payload["userErrors"]}
        if not codes and payload["payment"]["status"] == "SUCCEEDED":
            return
        if not codes <= NOT_YET or time.monotonic() > deadline:
            raise BenchError(f"processPayment: {payload}")
        await asyncio.sleep(0.02)
