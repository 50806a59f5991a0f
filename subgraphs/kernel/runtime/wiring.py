"""What every composition root wires the same way: a context's stores and its request context.

A context with its own MongoDB database (users, orders, payments) gets the
same four things: the database, Redis, the outbox relay that publishes its
events to `events.<producer>`, and the unit of work that writes a change and
its events in one transaction. `ContextStores` builds them; the app adds its
repositories (`indexed`), its consumers (`consumer`) and serves
`resources()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any, Protocol

import redis.asyncio as aioredis
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.core.contracts import Consumes
from subgraphs.kernel.graphql.auth import RedisRevokedSessions, TokenVerifier, jwks_verifier
from subgraphs.kernel.messaging.consumer import Handler, StreamConsumer
from subgraphs.kernel.messaging.outbox import OutboxRelay
from subgraphs.kernel.process.settings import ServiceSettings, StoredServiceSettings
from subgraphs.kernel.runtime.app import ContextFactory
from subgraphs.kernel.stores.mongo import MongoUnitOfWork
from subgraphs.kernel.stores.resources import Document, MongoResource, RedisResource, Resource


class Indexed(Protocol):
    """A store that creates its indexes when the database is first reached."""

    def ensure_indexes(self) -> Awaitable[None]: ...


class ContextStores:
    """A context's own MongoDB database and Redis, with the outbox between them.

    Redis is not critical by default: the context takes writes while it is
    down (the outbox keeps its events until the relay can publish them).
    """

    def __init__(
        self, settings: StoredServiceSettings, producer: str, *, redis_critical: bool = False
    ) -> None:
        self.mongo = MongoResource(settings.mongo, settings.database)
        self.redis = RedisResource(settings.redis, critical=redis_critical)
        self.relay = OutboxRelay.for_settings(
            self.mongo.db, self.redis.client, producer, settings.streams
        )
        self.uow = MongoUnitOfWork(self.mongo.db, producer, after_commit=self.relay.wake)
        self._settings = settings
        self.indexed(self.uow)

    @property
    def db(self) -> AsyncDatabase[Document]:
        """The context's own database, for its repositories."""
        return self.mongo.db

    def indexed(self, *stores: Indexed) -> None:
        """Create each store's indexes once the database answers."""
        for store in stores:
            self.mongo.on_start(store.ensure_indexes)

    def consumer(self, reads: Consumes, handlers: Mapping[str, Handler]) -> StreamConsumer:
        """Consumer group `reads.group` of other contexts' event streams (`reads.producers`),
        handling the events `reads` declares."""
        return StreamConsumer.for_settings(
            self.redis.client,
            self._settings.streams,
            group=reads.group,
            producers=reads.producers,
            handlers=handlers,
            reads=reads,
        )

    def request_context(
        self, context_type: Callable[..., Any], *, usecases: object, verifier: TokenVerifier | None
    ) -> ContextFactory:
        """`request_context` whose verifier also refuses revoked sessions (this Redis)."""
        return request_context(
            context_type,
            settings=self._settings,
            usecases=usecases,
            verifier=verifier,
            redis=self.redis.client,
        )

    def resources(self) -> list[Resource]:
        """The database, Redis and the relay, for the app's lifespan (stores first)."""
        return [self.mongo, self.redis, self.relay.task()]


def request_context(
    context_type: Callable[..., Any],
    *,
    settings: ServiceSettings,
    usecases: object,
    verifier: TokenVerifier | None = None,
    redis: aioredis.Redis | None = None,
) -> ContextFactory:
    """Each request's context: `context_type(request=..., verifier=..., usecases=...)`.

    Tokens are checked against the users JWKS unless `verifier` is given
    (in-process tests, or the users subgraph, which holds its own keys); with
    `redis`, tokens of revoked sessions are refused too.
    """
    if verifier is None:
        revoked = RedisRevokedSessions(redis) if redis is not None else None
        verifier = jwks_verifier(settings.auth, revoked=revoked)
    return partial(context_type, verifier=verifier, usecases=usecases)
