"""Kernel integration fixtures: a scratch database and Redis clients."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.stores.mongo import CODEC_OPTIONS
from tests.conftest import redis_db


@pytest.fixture
async def scratch_db(
    mongo_client: AsyncMongoClient, db_prefix: str
) -> AsyncIterator[AsyncDatabase]:
    """A database of its own for one test, dropped afterwards."""
    name = f"{db_prefix}k{uuid.uuid4().hex[:8]}"
    yield mongo_client.get_database(name, codec_options=CODEC_OPTIONS)
    await mongo_client.drop_database(name)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """The kernel tests' database of the session Redis, flushed after each test."""
    client = aioredis.Redis.from_url(redis_db(redis_url, "kernel"), decode_responses=True)
    yield client
    await client.flushdb()
    await client.aclose()
