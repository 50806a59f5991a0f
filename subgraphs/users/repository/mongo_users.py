"""The `UserRepository` port on MongoDB: collection `users`.

Indexes: `email_unique` (also serves a customer search's email prefix: emails are stored
lower case, so an anchored, case-sensitive regex on it is a range of the index), `name`
(a search's "name contains" reads every key of it: a case-insensitive, unanchored match
cannot narrow an index range) and `staff_newest_first` (the staff list).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.stores.keyset import Keyset
from subgraphs.kernel.stores.mongo import session
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import After, EmailTaken, UserPage

Document = dict[str, Any]

BY_CREATION = Keyset("created_at")
NEWEST_FIRST = BY_CREATION.sort()
# Accounts stored before roles existed have no `role`: customers.
CUSTOMER_ROLES: list[str | None] = [None, Role.CUSTOMER.value]
STAFF_ROLES = [role.value for role in Role if role.is_staff]


class MongoUserRepository:
    """Users keyed by id; emails are unique (stored normalised, so case-insensitive).

    Writes join the unit of work's transaction (`session()`), which also
    saves the users' events in the outbox.
    """

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._users = db["users"]

    async def ensure_indexes(self) -> None:
        await self._users.create_indexes(
            [
                IndexModel([("email", ASCENDING)], unique=True, name="email_unique"),
                IndexModel([("name", ASCENDING)], name="name"),
                IndexModel([("role", ASCENDING), *NEWEST_FIRST], name="staff_newest_first"),
            ]
        )

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

    async def record_sign_in(self, user_id: str, at: datetime) -> None:
        await self._users.update_one(
            {"_id": user_id}, {"$max": {"last_sign_in_at": at}}, session=session()
        )

    async def customers(self, term: str, first: int, after: After | None = None) -> UserPage:
        matches = {
            "$or": [
                {"email": {"$regex": f"^{re.escape(term)}"}},
                {"name": {"$regex": re.escape(term), "$options": "i"}},
            ]
        }
        return await self._page([{"role": {"$in": CUSTOMER_ROLES}}, matches], first, after)

    async def staff_members(self, first: int, after: After | None = None) -> UserPage:
        return await self._page([{"role": {"$in": STAFF_ROLES}}], first, after)

    async def _page(self, match: list[Document], first: int, after: After | None) -> UserPage:
        query: Document = {"$and": match}
        if after is not None:
            query = BY_CREATION.after(query, *after)
        found = self._users.find(query).sort(NEWEST_FIRST).limit(first + 1)
        users = [_from_document(doc) async for doc in found]
        return UserPage(users[:first], has_next=len(users) > first)


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
        "last_sign_in_at": user.last_sign_in_at,
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
        last_sign_in_at=doc.get("last_sign_in_at"),
    )
