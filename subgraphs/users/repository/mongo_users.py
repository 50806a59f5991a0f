"""The `UserRepository` port on MongoDB: collection `users`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.stores.mongo import session
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import EmailTaken

Document = dict[str, Any]


class MongoUserRepository:
    """Users keyed by id; emails are unique (stored normalised, so case-insensitive).

    Writes join the unit of work's transaction (`session()`), which also
    saves the users' events in the outbox.
    """

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._users = db["users"]

    async def ensure_indexes(self) -> None:
        await self._users.create_index([("email", ASCENDING)], unique=True, name="email_unique")

    async def add(self, user: User) -> None:
        try:
            await self._users.insert_one(_to_document(user), session=session())
        except DuplicateKeyError as exc:
            raise EmailTaken(user.email) from exc

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        wanted = list(dict.fromkeys(ids))
        found = {
            doc["_id"]: _from_document(doc)
            async for doc in self._users.find({"_id": {"$in": wanted}})
        }
        return [found.get(user_id) for user_id in ids]

    async def find_by_email(self, email: str) -> User | None:
        doc = await self._users.find_one({"email": email})
        return _from_document(doc) if doc else None

    async def update_profile(self, user: User) -> bool:
        result = await self._users.update_one(
            {"_id": user.id},
            {"$set": {"name": user.name, "phone": user.phone, "updated_at": user.updated_at}},
            session=session(),
        )
        return result.matched_count > 0


def _to_document(user: User) -> Document:
    return {
        "_id": user.id,
        "email": user.email,
        "name": user.name,
        "phone": user.phone,
        "password_hash": user.password_hash,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "email_verified_at": user.email_verified_at,
        "role": user.role.value,
        "disabled_at": user.disabled_at,
    }


def _from_document(doc: Document) -> User:
    return User(
        id=doc["_id"],
        email=doc["email"],
        name=doc["name"],
        phone=doc.get("phone"),
        password_hash=doc["password_hash"],
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        email_verified_at=doc.get("email_verified_at"),
        role=Role(doc.get("role") or Role.CUSTOMER),  # accounts older than roles: customers
        disabled_at=doc.get("disabled_at"),
    )
