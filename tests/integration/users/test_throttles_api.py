"""The users subgraph's own throttles over HTTP: the client address it trusts, per-address
limits counted per field (aliases too), and refusal while their Redis is down."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from subgraphs.kernel.process.settings import RedisSettings
from subgraphs.users.app import build_app
from subgraphs.users.domain.throttling import BackoffPolicy
from subgraphs.users.repository.redis_throttles import RedisSignInBackoff
from subgraphs.users.settings import UsersSettings
from testkit.journeys import unique_email
from tools.procs import ManagedProcess

REGISTER = """mutation($input: RegisterInput!) { register(input: $input) {
  userErrors { code retryable } } }"""
LOGIN = """mutation($input: LoginInput!) { login(input: $input) {
  accessToken userErrors { code retryable } } }"""


@asynccontextmanager
async def serving(settings: UsersSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(settings)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://users") as client:
            yield client


@pytest.fixture(scope="module")
def limited_settings(users_settings: UsersSettings) -> UsersSettings:
    """Small per-address limits; the client address is the last X-Forwarded-For entry."""
    return users_settings.model_copy(
        update={
            "database": f"{users_settings.database}_throttled",
            "trusted_proxy_hops": 1,
            "login_per_address": 3,
            "signup_per_address": 2,
        }
    )


@pytest.fixture(scope="module")
async def limited(limited_settings: UsersSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(limited_settings) as client:
        yield client


async def post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], forwarded_for: str
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"x-forwarded-for": forwarded_for},
    )
    body: dict[str, Any] = response.json()
    return body


def address() -> str:
    return f"203.0.113.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"


def login(email: str) -> dict[str, Any]:
    return {"input": {"email": email, "password": "Summer2026!"}}


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def test_a_client_written_forwarded_entry_does_not_make_a_new_client(limited):
    client = address()
    # The gateway appends the address it saw; what the client wrote to its left is ignored.
    answers = [
        await post(limited, LOGIN, login(unique_email()), f"198.51.100.{n}, {client}")
        for n in range(4)
    ]

    assert [codes(a["data"]["login"]) for a in answers] == [["INVALID_CREDENTIALS"]] * 3 + [
        ["RATE_LIMITED"]
    ]
    other = await post(limited, LOGIN, login(unique_email()), address())
    assert codes(other["data"]["login"]) == ["INVALID_CREDENTIALS"]


async def test_aliased_sign_ups_in_one_request_count_as_several(limited):
    fields = " ".join(
        f'r{n}: register(input: {{email: "{unique_email()}", password: "password-123", '
        f'name: "Alias"}}) {{ userErrors {{ code }} }}'
        for n in range(4)
    )

    body = await post(limited, f"mutation {{ {fields} }}", {}, address())

    answers = [body["data"][f"r{n}"] for n in range(4)]
    assert sum(codes(a) == [] for a in answers) == 2
    assert sorted(code for a in answers for code in codes(a)) == ["RATE_LIMITED"] * 2


async def test_sign_in_and_sign_up_refuse_retryably_while_the_throttle_store_is_down(
    users_settings: UsersSettings, own_redis: ManagedProcess
):
    assert own_redis.url
    settings = users_settings.model_copy(update={"redis": RedisSettings(url=own_redis.url)})
    email = unique_email("closed")
    variables = {"input": {"email": email, "password": "password-123", "name": "Closed"}}
    async with serving(settings) as client:
        signed_up = await post(client, REGISTER, variables, address())
        assert signed_up["data"]["register"]["userErrors"] == []
        own_redis.stop()
        signing_up = await post(client, REGISTER, variables, address())
        signing_in = await post(client, LOGIN, login(email), address())

    assert signing_in["data"]["login"]["accessToken"] is None
    for payload in (signing_up["data"]["register"], signing_in["data"]["login"]):
        assert payload["userErrors"] == [{"code": "TEMPORARILY_UNAVAILABLE", "retryable": True}]


async def test_the_redis_sign_in_delays_grow_then_end_and_a_success_forgets_them(redis_url):
    redis = aioredis.Redis.from_url(redis_url)
    clock = [1_000.0]
    policy = BackoffPolicy(free_failures=2, base_seconds=30, max_seconds=40, memory_seconds=600)
    backoff = RedisSignInBackoff(
        redis, policy, prefix=f"test-{uuid.uuid4().hex}:", now=lambda: clock[0]
    )
    try:
        assert [await backoff.admit("ann") for _ in range(2)] == [0, 0]
        assert await backoff.admit("ann") == 30  # refused unchecked, and not counted
        assert await backoff.admit("bob") == 0  # other accounts are not slowed
        clock[0] += 30
        assert await backoff.admit("ann") == 0  # the wait is over: checked as usual
        clock[0] += 10
        assert await backoff.admit("ann") == 30  # 60 s capped at 40, 10 s of it gone
        await backoff.succeeded("ann")
        assert await backoff.admit("ann") == 0
    finally:
        await redis.aclose()
