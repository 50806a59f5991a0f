"""The payments subgraph in-process on the real stores, with tokens from a test signing key.

Its Redis is a database of its own (db 3) on the session's server, so the
e2e and orders consumers (groups on db 0's streams) never take its events.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest
import redis.asyncio as aioredis
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.core.events import Event
from subgraphs.kernel.process.settings import MongoSettings, RedisSettings, StreamSettings
from subgraphs.kernel.stores.mongo import CODEC_OPTIONS
from subgraphs.payments.app import build_app
from subgraphs.payments.settings import PaymentsSettings, ProviderSettings
from tests.conftest import INTERNAL_PORT, TestTokens, redis_db


@pytest.fixture(scope="session")
def payments_redis_url(redis_url: str) -> str:
    return redis_db(redis_url, "payments")


def payments_settings(mongo_uri: str, redis_url: str, database: str) -> PaymentsSettings:
    """Fast cadences: provider retries within a second, leases of two seconds."""
    return PaymentsSettings(
        app_env="test",
        database=database,
        mongo=MongoSettings(uri=mongo_uri),
        redis=RedisSettings(url=redis_url),
        streams=StreamSettings(relay_poll_seconds=0.05, retry_after_ms=200),
        provider=ProviderSettings(
            max_attempts=3,
            first_delay_seconds=0.01,
            max_delay_seconds=0.02,
            attempt_timeout_seconds=0.5,
            deadline_seconds=1.0,
        ),
        lease_seconds=2.0,
        duplicate_wait_seconds=5.0,
        resume_interval_seconds=0.1,
        internal_port=INTERNAL_PORT,  # never bound: http://payments:9100/metrics reaches it
    )


@pytest.fixture(scope="session")
def payments_database(db_prefix: str) -> str:
    return f"{db_prefix}payments"


@pytest.fixture(scope="session")
async def payments_client(
    mongo_uri: str,
    payments_redis_url: str,
    payments_database: str,
    test_tokens: TestTokens,
) -> AsyncIterator[httpx.AsyncClient]:
    settings = payments_settings(mongo_uri, payments_redis_url, payments_database)
    async with serving(settings, test_tokens) as client:
        yield client


@asynccontextmanager
async def serving(
    settings: PaymentsSettings, tokens: TestTokens
) -> AsyncIterator[httpx.AsyncClient]:
    """The payments app with `settings`, its lifespan running, and a client of it."""
    app = build_app(settings, verifier=tokens.verifier)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://payments") as client:
            yield client


@pytest.fixture
async def payments_db(mongo_client: AsyncMongoClient, payments_database: str) -> AsyncDatabase:
    return mongo_client.get_database(payments_database, codec_options=CODEC_OPTIONS)


@pytest.fixture
async def streams(payments_redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(payments_redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def scratch_db(
    mongo_client: AsyncMongoClient, db_prefix: str
) -> AsyncIterator[AsyncDatabase]:
    """A database of its own for one test, dropped afterwards."""
    name = f"{db_prefix}p{uuid.uuid4().hex[:8]}"
    yield mongo_client.get_database(name, codec_options=CODEC_OPTIONS)
    await mongo_client.drop_database(name)


def new_order_id() -> str:
    return str(uuid.uuid4())


async def announce(
    redis: aioredis.Redis,
    order_id: str,
    user_id: str,
    *,
    type: str = "orders.created",
    status: str = "PENDING",
    version: int = 1,
    total: str = "0.30",
    reserved: bool = True,
) -> Event:
    """Append an orders event as the orders context would; for `orders.created` with
    `reserved`, then the catalog's `stock.reserved` of it too (so it may be paid)."""
    event = Event.create(
        type,
        {
            "order_id": order_id,
            "user_id": user_id,
            "status": status,
            "order_version": version,
            "currency": "USD",
            "total": total,
        },
        producer="orders",
        occurred_at=datetime.now(UTC),
    )
    await redis.xadd("events.orders", event.to_fields())  # type: ignore[arg-type]
    if reserved and type == "orders.created":
        await reserve(redis, order_id, user_id)
    return event


async def reserve(redis: aioredis.Redis, order_id: str, user_id: str) -> Event:
    """Append the catalog's `stock.reserved` of an order (all its lines reserved)."""
    event = Event.create(
        "stock.reserved",
        {"order_id": order_id, "user_id": user_id, "items": [{"sku": "SKU-MUG", "quantity": 1}]},
        producer="catalog",
        occurred_at=datetime.now(UTC),
    )
    await redis.xadd("events.catalog", event.to_fields())  # type: ignore[arg-type]
    return event
