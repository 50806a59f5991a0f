"""The catalog subgraph in-process on the real stores, with tokens from a test signing key.

Its Redis is a database of its own (db 7) on the session's server, so its consumer group
never takes the orders events other suites write, and theirs never take its events.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.catalog.app import build_app
from subgraphs.catalog.bootstrap import bootstrap
from subgraphs.catalog.repository.mongo_products import MongoProducts
from subgraphs.catalog.repository.mongo_reservations import MongoReservations
from subgraphs.catalog.settings import CatalogSettings
from subgraphs.catalog.usecase import CatalogUseCases
from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.events import Event
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.process.settings import MongoSettings, RedisSettings, StreamSettings
from subgraphs.kernel.stores.mongo import CODEC_OPTIONS, MongoUnitOfWork
from tests.conftest import INTERNAL_PORT, TestTokens, redis_db

SEED_STOCK = 1000


@pytest.fixture(scope="session")
def catalog_redis_url(redis_url: str) -> str:
    return redis_db(redis_url, "catalog")


@pytest.fixture(scope="session")
def catalog_database(db_prefix: str) -> str:
    return f"{db_prefix}catalog"


@pytest.fixture(scope="session")
async def catalog_client(
    mongo_uri: str, catalog_redis_url: str, catalog_database: str, test_tokens: TestTokens
) -> AsyncIterator[httpx.AsyncClient]:
    settings = CatalogSettings(
        app_env="test",
        database=catalog_database,
        mongo=MongoSettings(uri=mongo_uri),
        redis=RedisSettings(url=catalog_redis_url),
        streams=StreamSettings(relay_poll_seconds=0.05, retry_after_ms=200),
        internal_port=INTERNAL_PORT,
        seed_stock=SEED_STOCK,
    )
    app = build_app(settings, verifier=test_tokens.verifier)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
            yield client


@pytest.fixture
async def catalog_db(mongo_client: AsyncMongoClient, catalog_database: str) -> AsyncDatabase:
    return mongo_client.get_database(catalog_database, codec_options=CODEC_OPTIONS)


@pytest.fixture
async def streams(catalog_redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(catalog_redis_url, decode_responses=True)
    yield client
    await client.aclose()


@dataclass
class Stores:
    """The catalog use cases on a database of their own (no app, no consumer)."""

    db: AsyncDatabase[Any]
    products: MongoProducts
    reservations: MongoReservations
    uow: MongoUnitOfWork
    usecases: CatalogUseCases


@pytest.fixture
async def stores(mongo_client: AsyncMongoClient, db_prefix: str) -> AsyncIterator[Stores]:
    name = f"{db_prefix}c{uuid.uuid4().hex[:8]}"
    db = mongo_client.get_database(name, codec_options=CODEC_OPTIONS)
    products, reservations = MongoProducts(db), MongoReservations(db)
    uow = MongoUnitOfWork(db, "catalog")
    await products.ensure_indexes()
    await uow.ensure_indexes()
    usecases = bootstrap(
        products=products, reservations=reservations, uow=uow, clock=utc_now, new_id=new_id
    )
    yield Stores(db, products, reservations, uow, usecases)
    await mongo_client.drop_database(name)


def new_order_id() -> str:
    return str(uuid.uuid4())


def order_event(type_: str, order_id: str, producer: str = "orders", **payload: Any) -> Event:
    return Event.create(
        type_,
        {"order_id": order_id, "user_id": "cust-1", **payload},
        producer=producer,
        occurred_at=datetime.now(UTC),
    )


def order_created(order_id: str, lines: dict[str, int]) -> Event:
    items = [
        {"sku": sku, "name": sku, "quantity": q, "unit_price": "1.00"} for sku, q in lines.items()
    ]
    return order_event("orders.created", order_id, items=items, status="PENDING")


async def announce(redis: aioredis.Redis, event: Event) -> Event:
    """Append the event to its producer's stream, as the orders or payments relay would."""
    await redis.xadd(f"events.{event.producer}", event.to_fields())  # type: ignore[arg-type]
    return event
