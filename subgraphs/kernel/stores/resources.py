"""Store clients whose lifecycle the app's lifespan owns, and their readiness pings."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import redis.asyncio as aioredis
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase
from redis.exceptions import RedisError

from subgraphs.kernel.observability.metrics import Counter
from subgraphs.kernel.process.settings import MongoSettings, RedisSettings
from subgraphs.kernel.stores.mongo import CODEC_OPTIONS

Document = dict[str, Any]

log = logging.getLogger(__name__)


class Resource(Protocol):
    """Something the service needs running: opened at startup, pinged by /ready, closed."""

    name: str
    # A failing critical resource makes /ready answer 503; others only show as degraded.
    critical: bool

    async def start(self) -> None: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class MongoResource:
    """One `AsyncMongoClient` and the service's own database.

    Constructing it does no I/O; `start` connects and runs the `on_start`
    hooks (index creation), `close` closes the client.
    """

    name = "mongodb"
    critical = True

    def __init__(self, settings: MongoSettings, database: str) -> None:
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            settings.uri,
            serverSelectionTimeoutMS=settings.server_selection_timeout_ms,
            tz_aware=True,
            event_listeners=[_CommandCounter()],
        )
        self.db: AsyncDatabase[Document] = self.client.get_database(
            database, codec_options=CODEC_OPTIONS
        )
        self._on_start: list[Callable[[], Awaitable[object]]] = []

    def on_start(self, hook: Callable[[], Awaitable[object]]) -> None:
        """Run `hook` once the client is connected (e.g. to create indexes); result unused."""
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


MONGODB_COMMANDS = Counter(
    "mongodb_commands_total",
    "MongoDB commands sent (round trips), by database, collection and command.",
)


class _CommandCounter(monitoring.CommandListener):
    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        MONGODB_COMMANDS.inc(
            database=event.database_name,
            collection=target if isinstance(target, str) else "",
            command=event.command_name,
        )

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


class RedisResource:
    """One `redis.asyncio` connection pool."""

    name = "redis"

    def __init__(self, settings: RedisSettings, *, critical: bool = True) -> None:
        self.critical = critical
        self.client: aioredis.Redis = aioredis.Redis.from_url(
            settings.url,
            decode_responses=True,
            health_check_interval=30,
            socket_timeout=settings.socket_timeout_seconds,
            socket_connect_timeout=settings.connect_timeout_seconds,
        )

    async def start(self) -> None:
        """Critical: Redis must answer now. Otherwise the service starts without it."""
        try:
            await self.ping()
        except (RedisError, OSError):
            if self.critical:
                raise
            log.warning("redis unreachable at startup; continuing without it for now")

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()
