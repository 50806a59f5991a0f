"""MongoUserRepository against the real store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from subgraphs.kernel.events import Event
from subgraphs.users.domain.user import User
from subgraphs.users.repository.mongo_users import MongoUserRepository
from subgraphs.users.usecase.ports import EmailTaken

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def an_event(user_id: str) -> Event:
    return Event.create("users.test", {"user_id": user_id}, producer="users", occurred_at=NOW)


def a_user(user_id: str, email: str) -> User:
    return User(user_id, email, "Ann", None, "hash", NOW, NOW)


@pytest.fixture
async def repo(users_db) -> MongoUserRepository:
    repo = MongoUserRepository(users_db)
    await repo.ensure_indexes()
    return repo


async def test_users_round_trip_and_come_back_in_the_order_asked(repo):
    ann, bob = a_user("u1", "ann@example.com"), a_user("u2", "bob@example.com")
    await repo.add(ann, [])
    await repo.add(bob, [])

    assert await repo.get_many(["u2", "missing", "u1", "u2"]) == [bob, None, ann, bob]
    assert await repo.find_by_email("bob@example.com") == bob


async def test_a_second_user_with_the_same_email_is_refused(repo, users_db):
    await repo.add(a_user("u1", "ann@example.com"), [])

    with pytest.raises(EmailTaken):
        await repo.add(a_user("u2", "ann@example.com"), [an_event("u2")])

    assert await users_db["users"].count_documents({}) == 1
    assert await users_db["outbox"].count_documents({}) == 0  # nothing half-written


async def test_update_profile_is_atomic_and_returns_the_new_state(repo, users_db):
    await repo.add(a_user("u1", "ann@example.com"), [an_event("u1")])
    later = datetime(2026, 2, 1, tzinfo=UTC)

    updated = await repo.update_profile(
        "u1", name="Ann B", phone="+14155550123", now=later, events=[an_event("u1")]
    )

    assert updated is not None
    assert (updated.name, updated.phone, updated.updated_at) == ("Ann B", "+14155550123", later)
    assert await repo.get_many(["u1"]) == [updated]
    assert await repo.update_profile("nobody", name="X", phone=None, now=later, events=[]) is None
    assert await users_db["outbox"].count_documents({"published": False}) == 2
