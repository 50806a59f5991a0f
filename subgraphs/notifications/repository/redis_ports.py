"""The notifications ports on one Redis client, as every process of the context uses them."""

from __future__ import annotations

import redis.asyncio as aioredis

from subgraphs.notifications.repository.redis_notifications import RedisNotificationStore
from subgraphs.notifications.repository.redis_profiles import (
    RedisContacts,
    RedisOrderSummaries,
    RedisPreferences,
)
from subgraphs.notifications.settings import StoreSettings
from subgraphs.notifications.usecase.ports import Ports


def redis_ports(redis: aioredis.Redis, settings: StoreSettings) -> Ports:
    return Ports(
        notifications=RedisNotificationStore(
            redis,
            retention=settings.retention,
            max_per_user=settings.max_per_user,
            sent_key_ttl=settings.sent_key_ttl,
        ),
        preferences=RedisPreferences(redis),
        contacts=RedisContacts(redis),
        orders=RedisOrderSummaries(redis, ttl=settings.order_summary_ttl),
    )
