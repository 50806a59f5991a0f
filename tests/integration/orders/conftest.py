"""The orders subgraph in-process on the real stores, with tokens from a test signing key."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.process.settings import MongoSettings, RedisSettings, StreamSettings
from subgraphs.kernel.stores.mongo import CODEC_OPTIONS
from subgraphs.orders.app import build_app
from subgraphs.orders.settings import OrdersSettings
from tests.conftest import TestTokens


def orders_settings(mongo_uri: str, redis_url: str, database: str) -> OrdersSettings:
    return OrdersSettings(
        app_env="test",
        database=database,
        mongo=MongoSettings(uri=mongo_uri),
        redis=RedisSettings(url=redis_url),
        streams=StreamSettings(relay_poll_seconds=0.05, retry_after_ms=200),
    )


@pytest.fixture(scope="session")
async def orders_client(
    mongo_uri: str, redis_url: str, db_prefix: str, test_tokens: TestTokens
) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(
        orders_settings(mongo_uri, redis_url, f"{db_prefix}orders"), verifier=test_tokens.verifier
    )
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
            yield client


@pytest.fixture
async def orders_db(mongo_client: AsyncMongoClient, db_prefix: str) -> AsyncIterator[AsyncDatabase]:
    """The orders database; everything but the price list is emptied after each test."""
    db = mongo_client.get_database(f"{db_prefix}orders", codec_options=CODEC_OPTIONS)
    yield db
    for name in ("orders", "outbox", "processed_events"):
        await db[name].delete_many({})
