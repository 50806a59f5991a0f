"""MongoUserRepository against the real store."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.stores.mongo import MongoUnitOfWork
from subgraphs.users.domain.user import User, register
from subgraphs.users.repository.mongo_users import MongoUserRepository
from subgraphs.users.usecase.ports import EmailTaken

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def a_user(user_id: str, email: str) -> User:
    return register(
        user_id=user_id, email=email, name="Ann", phone=None, password_hash="hash", now=NOW
    )


@pytest.fixture
async def repo(users_db) -> MongoUserRepository:
    repo = MongoUserRepository(users_db)
    await repo.ensure_indexes()
    return repo


@pytest.fixture
async def uow(users_db) -> MongoUnitOfWork:
    uow = MongoUnitOfWork(users_db, "users")
    await uow.ensure_indexes()
    return uow


async def test_users_round_trip_and_come_back_in_the_order_asked(repo):
    ann, bob = a_user("u1", "ann@example.com"), a_user("u2", "bob@example.com")
    await repo.add(ann)
    await repo.add(bob)

    assert await repo.get_many(["u2", "missing", "u1", "u2"]) == [bob, None, ann, bob]
    assert await repo.find_by_email("bob@example.com") == bob


async def test_a_second_user_with_the_same_email_is_refused(repo, uow, users_db):
    await repo.add(a_user("u1", "ann@example.com"))

    second = a_user("u2", "ann@example.com")
    with pytest.raises(EmailTaken):
        await uow(partial(repo.add, second), recorded=second)

    assert await users_db["users"].count_documents({}) == 1
    assert await users_db["outbox"].count_documents({}) == 0  # nothing half-written


async def test_update_profile_stores_the_new_state_with_its_event(repo, uow, users_db):
    ann = a_user("u1", "ann@example.com")
    assert await uow(partial(repo.add, ann), recorded=ann)
    later = datetime(2026, 2, 1, tzinfo=UTC)

    updated = ann.with_profile(name="Ann B", phone="+14155550123", now=later)
    assert await uow(partial(repo.update_profile, updated), recorded=updated)

    assert await repo.get_many(["u1"]) == [updated]
    nobody = a_user("nobody", "nobody@example.com").with_profile(name="X", phone=None, now=later)
    assert not await uow(partial(repo.update_profile, nobody), recorded=nobody)
    types = [d["type"] async for d in users_db["outbox"].find({"published": False})]
    assert sorted(types) == ["users.profile_updated", "users.registered"]


async def test_an_account_stored_before_roles_is_an_enabled_customer(repo, users_db):
    await users_db["users"].insert_one(
        {
            "_id": "u-old",
            "email": "old@example.com",
            "name": "Old",
            "phone": None,
            "password_hash": "hash",
            "created_at": NOW,
            "updated_at": NOW,
        }
    )

    [user] = await repo.get_many(["u-old"])

    assert user is not None
    assert (user.role, user.disabled_at) == (Role.CUSTOMER, None)
