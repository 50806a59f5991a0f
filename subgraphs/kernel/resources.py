"""Store clients whose lifecycle the app's lifespan owns, and their readiness pings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import redis.asyncio as aioredis
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.mongo import CODEC_OPTIONS
from subgraphs.kernel.settings import MongoSettings, RedisSettings

Document = dict[str, Any]


class Resource(Protocol):
    """Something the service needs running: opened at startup, pinged by /ready, closed."""

    name: str

    async def start(self) -> None: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class MongoResource:
    """One `AsyncMongoClient` and the service's own database.

    Constructing it does no I/O; `start` connects and runs the `on_start`
    hooks (index creation), `close` closes the client.
    """

    name = "mongodb"

    def __init__(self, settings: MongoSettings, database: str) -> None:
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            settings.uri,
            serverSelectionTimeoutMS=settings.server_selection_timeout_ms,
            tz_aware=True,
        )
        self.db: AsyncDatabase[Document] = self.client.get_database(
            database, codec_options=CODEC_OPTIONS
        )
        self._on_start: list[Callable[[], Awaitable[None]]] = []

    def on_start(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run `hook` once the client is connected (e.g. to create indexes)."""
        self._on_start.append(hook)

    async def start(self) -> None:
        await self.client.aconnect()
        await self.ping()
        for hook in self._on_start:
            await hook()

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()


class RedisResource:
    """One `redis.asyncio` connection pool."""

    name = "redis"

    def __init__(self, settings: RedisSettings) -> None:
        self.client: aioredis.Redis = aioredis.Redis.from_url(
            settings.url, decode_responses=True, health_check_interval=30
        )

    async def start(self) -> None:
        await self.ping()

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()
