"""Composition root of the notifications subgraph: settings in, ASGI app out.

The subgraph only reads and writes Redis (notifications, preferences, and the
SMS provider's delivery reports: `POST /webhooks/twilio/status`); the
sending is the worker's (`worker.py`, `python -m workers.notifications`),
whose health shows here as the non-critical check `notifications-worker`.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.graphql.auth import TokenVerifier
from subgraphs.kernel.runtime.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.runtime.wiring import request_context
from subgraphs.kernel.stores.resources import RedisResource
from subgraphs.notifications.bootstrap import bootstrap
from subgraphs.notifications.jobs.arq_queue import WORKER_HEALTH
from subgraphs.notifications.repository.redis_ports import redis_ports
from subgraphs.notifications.settings import NotificationsSettings
from subgraphs.notifications.transport.context import NotificationsContext
from subgraphs.notifications.transport.schema import build_schema
from subgraphs.notifications.transport.webhooks import twilio_status_route


class WorkerHealth:
    """The worker's arq health-check key, seen from the subgraph: degraded when it is missing."""

    name = "notifications-worker"
    critical = False

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def start(self) -> None:
        pass

    async def ping(self) -> None:
        if not await self._redis.exists(WORKER_HEALTH):
            raise RuntimeError("no notifications worker has reported health recently")

    async def close(self) -> None:
        pass


def build_app(
    settings: NotificationsSettings, *, verifier: TokenVerifier | None = None
) -> SubgraphApp:
    """The subgraph app; `verifier` replaces the JWKS-backed token check (in-process tests)."""
    redis = RedisResource(settings.redis)
    usecases = bootstrap(redis_ports(redis.client, settings.store), clock=utc_now)
    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=request_context(
            NotificationsContext,
            settings=settings,
            usecases=usecases,
            verifier=verifier,
            redis=redis.client,
        ),
        resources=[redis, WorkerHealth(redis.client)],
        routes=[twilio_status_route(settings.sms, usecases.record_report)],
    )
