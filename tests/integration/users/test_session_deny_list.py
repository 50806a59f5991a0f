"""The session deny-list on a real Redis: written, read, and not lost while Redis is down."""

from __future__ import annotations

from datetime import timedelta

import redis.asyncio as aioredis

from subgraphs.kernel.graphql.auth import RedisRevokedSessions, revoked_session_key
from subgraphs.kernel.process.deferred import Deferred
from subgraphs.users.repository.redis_session_deny_list import RedisSessionDenyList
from testkit.waiting import eventually


async def test_a_denied_session_is_revoked_for_the_token_lifetime_only(own_redis):
    client = aioredis.Redis.from_url(own_redis.url, decode_responses=True)
    later = Deferred()
    deny_list = RedisSessionDenyList(client, keep=timedelta(seconds=900), later=later)
    readers = RedisRevokedSessions(client, cache_seconds=0)

    await deny_list.deny(["s-1", "s-1", "s-2"])

    assert [await readers.revoked(s) for s in ("s-1", "s-2", "s-3")] == [True, True, False]
    assert 900 <= await client.ttl(revoked_session_key("s-1")) <= 901
    await client.aclose()


async def test_a_denial_made_while_redis_is_down_is_written_once_it_is_back(own_redis):
    client = aioredis.Redis.from_url(
        own_redis.url, decode_responses=True, socket_connect_timeout=0.5, socket_timeout=0.5
    )
    later = Deferred()
    deny_list = RedisSessionDenyList(client, keep=timedelta(seconds=900), later=later)
    readers = RedisRevokedSessions(client, cache_seconds=0)
    assert not await readers.revoked("s-down")

    own_redis.stop()
    await deny_list.deny(["s-down"])  # answers at once; retried in the background
    assert not await readers.revoked("s-down")  # unreadable: the last answer stands
    own_redis.start()
    own_redis.wait_ready()

    async def denied() -> bool:
        return await readers.revoked("s-down")

    await eventually(denied, what="the denial written after Redis came back")
    await later.close()
    await client.aclose()
