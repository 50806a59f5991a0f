"""Refreshing: the token rotates, a spent one revokes the session, idle and old sessions end."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.domain.session import Revoked, Session
from testkit.user_sessions import SESSION_POLICY as POLICY
from tests.unit.users.conftest import PASSWORD, refused


async def test_refresh_rotates_the_token_and_keeps_the_absolute_end(world):
    registered = await world.sign_up()
    world.clock.now += timedelta(hours=1)

    refreshed = await world.usecases.refresh_session(registered.session.refresh_token)

    assert refreshed.user.id == registered.user.id
    assert refreshed.session.session_id == registered.session.session_id
    assert refreshed.session.refresh_token != registered.session.refresh_token
    assert refreshed.session.expires_at == registered.session.expires_at
    session = world.sessions[refreshed.session.session_id]
    assert session.idle_expires_at == world.clock.now + timedelta(hours=24)


async def test_a_spent_token_revokes_the_session_and_its_newest_token(world):
    registered = await world.sign_up()
    first = registered.session.refresh_token
    second = (await world.usecases.refresh_session(first)).session.refresh_token

    assert await refused(world, first) == "SESSION_REVOKED"
    assert await refused(world, second) == "SESSION_REVOKED"
    session = world.sessions[registered.session.session_id]
    assert session.revoked_reason is Revoked.TOKEN_REUSED


async def test_concurrent_refreshes_one_wins_the_other_is_reuse(world):
    token = (await world.sign_up()).session.refresh_token
    refresh = world.usecases.refresh_session

    results = await asyncio.gather(refresh(token), refresh(token), return_exceptions=True)

    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == len(losers) == 1
    assert losers[0].problems[0].code == "SESSION_REVOKED"
    assert await refused(world, winners[0].session.refresh_token) == "SESSION_REVOKED"


async def test_losing_the_rotation_race_counts_as_reuse(world):
    """The session changed between reading it and rotating it (another refresh won)."""
    token = (await world.sign_up()).session.refresh_token
    sessions = world.session_store
    read = sessions.by_token

    async def read_then_lose_the_race(token_hash: str) -> Session | None:
        session = await read(token_hash)
        assert session is not None
        await sessions.rotate(session.rotated("elsewhere", world.clock(), POLICY), token_hash)
        return session

    sessions.by_token = read_then_lose_the_race
    assert await refused(world, token) == "SESSION_REVOKED"
    sessions.by_token = read
    [session] = world.sessions.values()
    assert session.revoked_reason is Revoked.TOKEN_REUSED


async def test_an_idle_session_expires_and_so_does_an_old_one(world):
    idle = (await world.sign_up()).session.refresh_token
    world.clock.now += timedelta(hours=24)
    assert await refused(world, idle) == "SESSION_EXPIRED"

    token = (await world.usecases.log_in("ann@example.com", PASSWORD)).session.refresh_token
    for _ in range(7):
        world.clock.now += timedelta(hours=23)
        token = (await world.usecases.refresh_session(token)).session.refresh_token
    world.clock.now += timedelta(hours=23)  # 8 * 23 h > 7 days
    assert await refused(world, token) == "SESSION_EXPIRED"


@pytest.mark.parametrize("token", ["", "unknown-token", "x" * 200])
async def test_an_unknown_token_is_invalid(world, token):
    await world.sign_up()
    assert await refused(world, token) == "INVALID_REFRESH_TOKEN"
