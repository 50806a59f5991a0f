"""The orders subgraph in-process on the real stores, with tokens from a test signing key."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio as aioredis
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.process.settings import MongoSettings, RedisSettings, StreamSettings
from subgraphs.kernel.runtime.app import SubgraphApp
from subgraphs.kernel.stores.mongo import CODEC_OPTIONS
from subgraphs.orders.app import build_app
from subgraphs.orders.settings import OrdersSettings
from testkit.orders import publish_catalog_events, seed_catalog_events
from testkit.waiting import eventually
from tests.conftest import INTERNAL_PORT, TestTokens


def orders_settings(
    mongo_uri: str, redis_url: str, database: str, **more: object
) -> OrdersSettings:
    return OrdersSettings(
        app_env="test",
        database=database,
        mongo=MongoSettings(uri=mongo_uri),
        redis=RedisSettings(url=redis_url),
        streams=StreamSettings(relay_poll_seconds=0.05, retry_after_ms=200),
        internal_port=INTERNAL_PORT,
        **more,  # type: ignore[arg-type]
    )


async def catalog_seeded(redis_url: str) -> None:
    """The catalog's seeding on `events.catalog` (once a session: the stream is shared)."""
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        if not await redis.exists("events.catalog"):
            await publish_catalog_events(redis, seed_catalog_events())
    finally:
        await redis.aclose()


async def until_ready(client: httpx.AsyncClient) -> None:
    """Wait until the app answers /ready (its consumer caught up with the catalog)."""

    async def ready() -> bool:
        response = await client.get(f"http://orders:{INTERNAL_PORT}/ready")
        return response.status_code == 200

    await eventually(ready, what="orders ready (its copy of the catalog filled)")


@pytest.fixture(scope="session")
async def orders_app(
    mongo_uri: str, redis_url: str, db_prefix: str, test_tokens: TestTokens
) -> AsyncIterator[SubgraphApp]:
    """The orders app, its lifespan running (its consumer, outbox relay and status feed)."""
    app = build_app(
        orders_settings(mongo_uri, redis_url, f"{db_prefix}orders"), verifier=test_tokens.verifier
    )
    await catalog_seeded(redis_url)
    async with app.lifespan():
        yield app


@pytest.fixture(scope="session")
async def orders_client(orders_app: SubgraphApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=orders_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
        await until_ready(client)
        yield client


@pytest.fixture
async def orders_db(mongo_client: AsyncMongoClient, db_prefix: str) -> AsyncIterator[AsyncDatabase]:
    """The orders database; everything but the copy of the catalog is emptied after each
    test."""
    db = mongo_client.get_database(f"{db_prefix}orders", codec_options=CODEC_OPTIONS)
    yield db
    for name in ("orders", "outbox", "processed_events"):
        await db[name].delete_many({})
