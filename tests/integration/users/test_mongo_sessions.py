"""The session and password stores against the real store, alone and in the unit of work."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from subgraphs.kernel.stores.mongo import MongoUnitOfWork
from subgraphs.users.domain.passwords import PasswordReset, with_new_password
from subgraphs.users.domain.session import Revoked, Session, SessionPolicy
from subgraphs.users.domain.user import User
from subgraphs.users.repository.mongo_passwords import MongoPasswordStore
from subgraphs.users.repository.mongo_sessions import MongoSessionRepository
from subgraphs.users.repository.mongo_users import MongoUserRepository

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = SessionPolicy(lifetime=timedelta(days=7), idle_timeout=timedelta(hours=24))


class Boom(Exception):
    pass


@pytest.fixture
async def sessions(users_db) -> MongoSessionRepository:
    repo = MongoSessionRepository(users_db)
    await repo.ensure_indexes()
    return repo


@pytest.fixture
async def passwords(users_db) -> MongoPasswordStore:
    store = MongoPasswordStore(users_db)
    await store.ensure_indexes()
    return store


@pytest.fixture
async def users(users_db) -> MongoUserRepository:
    repo = MongoUserRepository(users_db)
    await repo.ensure_indexes()
    await repo.add(User("u1", "ann@example.com", "Ann", None, "old", NOW, NOW))
    return repo


def a_session(session_id: str, user_id: str = "u1", token: str = "hash-1") -> Session:
    return Session.start(session_id, user_id, token, NOW, POLICY)


async def test_a_session_is_found_by_its_current_and_its_spent_tokens(sessions, users_db):
    session = a_session("s1")
    await sessions.add(session)
    rotated = session.rotated("hash-2", NOW + timedelta(hours=1), POLICY)

    assert await sessions.rotate(rotated, "hash-1")

    assert await sessions.by_token("hash-1") == rotated
    assert await sessions.by_token("hash-2") == rotated
    assert await sessions.by_token("hash-3") is None
    # Rotating from the spent token again matches nothing and leaves no token behind.
    again = session.rotated("hash-3", NOW + timedelta(hours=2), POLICY)
    assert not await sessions.rotate(again, "hash-1")
    assert await sessions.by_token("hash-3") is None
    assert await users_db["refresh_tokens"].count_documents({}) == 2


async def test_concurrent_rotations_of_one_token_let_exactly_one_through(sessions, users_db):
    await sessions.add(a_session("s1"))

    async def rotate(new_hash: str) -> bool:
        current = await sessions.by_token("hash-1")
        assert current is not None
        return await sessions.rotate(current.rotated(new_hash, NOW, POLICY), "hash-1")

    results = await asyncio.gather(*(rotate(f"new-{i}") for i in range(8)))

    assert sorted(results) == [False] * 7 + [True]
    assert await users_db["refresh_tokens"].count_documents({}) == 2


async def test_a_revoked_session_is_not_rotated(sessions):
    session = a_session("s1")
    await sessions.add(session)

    assert await sessions.revoke("s1", NOW, Revoked.LOGOUT)
    assert not await sessions.revoke("s1", NOW, Revoked.LOGOUT)

    assert not await sessions.rotate(session.rotated("hash-2", NOW, POLICY), "hash-1")
    stored = await sessions.by_token("hash-1")
    assert stored is not None
    assert (stored.revoked_at, stored.revoked_reason) == (NOW, Revoked.LOGOUT)


async def test_revoke_all_ends_the_live_sessions_but_the_one_kept(sessions):
    for session in (
        a_session("s1", token="h1"),
        a_session("s2", token="h2"),
        a_session("s3", token="h3"),
        a_session("bob", user_id="u2", token="h4"),
    ):
        await sessions.add(session)
    later = NOW + timedelta(hours=1)

    assert await sessions.revoke_all("u1", later, Revoked.PASSWORD_CHANGED, keep="s2") == 2
    assert await sessions.revoke_all("u1", later, Revoked.LOGOUT) == 1
    # Past its idle end a session is not live: not counted.
    assert await sessions.revoke_all("u2", NOW + timedelta(days=2), Revoked.LOGOUT) == 0
    # Revoked at `later` (stored to the millisecond) or after: what the deny-list gets.
    revoked = await sessions.revoked_since("u1", later - timedelta(milliseconds=1))
    assert sorted(revoked) == ["s1", "s2", "s3"]
    assert await sessions.revoked_since("u1", later + timedelta(seconds=1)) == []


async def test_a_reset_is_consumed_once_and_only_before_it_expires(passwords):
    fresh = PasswordReset("r1", "u1", NOW, NOW + timedelta(minutes=30))
    old = PasswordReset("r2", "u1", NOW, NOW + timedelta(minutes=30))
    for reset in (fresh, old):
        await passwords.add_reset(reset)
    later = NOW + timedelta(minutes=5)

    assert await passwords.find_reset("r1") == fresh
    assert await passwords.consume_reset("r1", later) == "u1"
    assert await passwords.consume_reset("r1", later) is None
    assert await passwords.find_reset("r1") == replace(fresh, used_at=later)
    assert await passwords.consume_reset("r2", NOW + timedelta(minutes=30)) is None

    await passwords.discard_resets("u1")
    assert await passwords.find_reset("r2") is None


async def test_set_password_only_over_the_expected_hash(passwords, users):
    later = NOW + timedelta(hours=1)

    assert not await passwords.set_password("u1", "new", later, expected="stale")
    assert await passwords.set_password("u1", "new", later, expected="old")
    assert not await passwords.set_password("nobody", "x", later)
    [user] = await users.get_many(["u1"])
    assert user is not None
    assert (user.password_hash, user.updated_at) == ("new", later)


async def test_a_password_change_and_its_revocations_commit_with_the_event_or_not_at_all(
    users_db, sessions, passwords, users
):
    uow = MongoUnitOfWork(users_db, "users")
    await uow.ensure_indexes()
    await sessions.add(a_session("s1"))
    [user] = await users.get_many(["u1"])
    assert user is not None
    changed = with_new_password(user, "new", NOW, how="change")

    async def fails_half_way() -> None:
        await passwords.set_password("u1", "new", NOW)
        await sessions.revoke_all("u1", NOW, Revoked.PASSWORD_CHANGED)
        raise Boom

    with pytest.raises(Boom):
        await uow(fails_half_way, recorded=changed)
    [after] = await users.get_many(["u1"])
    assert after is not None
    assert after.password_hash == "old"
    assert (await sessions.by_token("hash-1")).revoked_at is None
    assert await users_db["outbox"].count_documents({}) == 0

    async def changes() -> None:
        await passwords.set_password("u1", "new", NOW)
        await sessions.revoke_all("u1", NOW, Revoked.PASSWORD_CHANGED)

    assert await uow(changes, recorded=changed)
    assert (await sessions.by_token("hash-1")).revoked_at == NOW
    [event] = [doc async for doc in users_db["outbox"].find()]
    assert (event["type"], event["payload"]) == (
        "users.password_changed",
        {"user_id": "u1", "how": "change"},
    )


async def test_ended_sessions_and_resets_are_left_to_ttl_indexes(users_db, sessions, passwords):
    ttl = {}
    for name in ("sessions", "refresh_tokens", "password_resets"):
        indexes = await users_db[name].index_information()
        ttl[name] = (indexes["ttl"]["key"], indexes["ttl"]["expireAfterSeconds"])
    week = 7 * 86400
    assert ttl == {
        "sessions": ([("expires_at", 1)], week),
        "refresh_tokens": ([("expires_at", 1)], week),
        "password_resets": ([("expires_at", 1)], 0),
    }
