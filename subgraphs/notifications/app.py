"""Composition root of the notifications subgraph: settings in, ASGI app out.

The subgraph only reads and writes Redis (notifications, preferences); the
sending is the worker's (`worker.py`, `python -m workers.notifications`),
whose health shows here as the non-critical check `notifications-worker`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import redis.asyncio as aioredis

from subgraphs.kernel.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.auth import TokenVerifier, jwks_verifier
from subgraphs.kernel.resources import RedisResource
from subgraphs.notifications.repository import keys
from subgraphs.notifications.repository.redis_notifications import RedisNotificationStore
from subgraphs.notifications.repository.redis_profiles import RedisPreferences
from subgraphs.notifications.settings import NotificationsSettings
from subgraphs.notifications.transport.context import NotificationsContext, NotificationsUseCases
from subgraphs.notifications.transport.schema import build_schema
from subgraphs.notifications.usecase.read_notifications import ReadNotifications
from subgraphs.notifications.usecase.update_preferences import UpdatePreferences


def utc_now() -> datetime:
    return datetime.now(UTC)


class WorkerHealth:
    """The worker's arq health-check key, seen from the subgraph: degraded when it is missing."""

    name = "notifications-worker"
    critical = False

    def __init__(self, redis: aioredis.Redis, queue_name: str) -> None:
        self._redis = redis
        self._key = keys.health_check(queue_name)

    async def start(self) -> None:
        pass

    async def ping(self) -> None:
        if not await self._redis.exists(self._key):
            raise RuntimeError("no notifications worker has reported health recently")

    async def close(self) -> None:
        pass


def build_app(
    settings: NotificationsSettings, *, verifier: TokenVerifier | None = None
) -> SubgraphApp:
    """The subgraph app; `verifier` replaces the JWKS-backed token check (in-process tests)."""
    redis = RedisResource(settings.redis)
    store = RedisNotificationStore(
        redis.client,
        retention=settings.store.retention,
        max_per_user=settings.store.max_per_user,
        sent_key_ttl=settings.store.sent_key_ttl,
    )
    preferences = RedisPreferences(redis.client)
    usecases = NotificationsUseCases(
        read=ReadNotifications(store, preferences),
        update_preferences=UpdatePreferences(preferences, utc_now),
    )
    token_verifier = verifier or jwks_verifier(settings.auth)

    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=lambda request: NotificationsContext(
            request=request, verifier=token_verifier, usecases=usecases
        ),
        resources=[redis, WorkerHealth(redis.client, settings.jobs.queue_name)],
    )
