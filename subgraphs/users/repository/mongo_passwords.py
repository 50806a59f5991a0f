"""The `PasswordStore` port on MongoDB: password hashes in `users`, resets in
`password_resets` (keyed by the token's hash, TTL-deleted once expired).
Every call joins the unit of work's transaction when there is one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.stores.mongo import session
from subgraphs.users.domain.passwords import PasswordReset

Document = dict[str, Any]


class MongoPasswordStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._users = db["users"]
        self._resets = db["password_resets"]

    async def ensure_indexes(self) -> None:
        await self._resets.create_index([("user_id", ASCENDING)], name="by_user")
        await self._resets.create_index(
            [("expires_at", ASCENDING)], name="ttl", expireAfterSeconds=0
        )

    async def set_password(
        self,
        user_id: str,
        password_hash: str,
        now: datetime,
        *,
        expected: str | None = None,
    ) -> bool:
        match: Document = {"_id": user_id}
        if expected is not None:
            match["password_hash"] = expected
        result = await self._users.update_one(
            match,
            {"$set": {"password_hash": password_hash, "updated_at": now}},
            session=session(),
        )
        return result.matched_count == 1

    async def add_reset(self, reset: PasswordReset) -> None:
        doc = {
            "_id": reset.token_hash,
            "user_id": reset.user_id,
            "created_at": reset.created_at,
            "expires_at": reset.expires_at,
            "used_at": reset.used_at,
        }
        await self._resets.insert_one(doc, session=session())

    async def find_reset(self, token_hash: str) -> PasswordReset | None:
        doc = await self._resets.find_one({"_id": token_hash}, session=session())
        if doc is None:
            return None
        return PasswordReset(
            token_hash=doc["_id"],
            user_id=doc["user_id"],
            created_at=doc["created_at"],
            expires_at=doc["expires_at"],
            used_at=doc.get("used_at"),
        )

    async def consume_reset(self, token_hash: str, now: datetime) -> str | None:
        doc = await self._resets.find_one_and_update(
            {"_id": token_hash, "used_at": None, "expires_at": {"$gt": now}},
            {"$set": {"used_at": now}},
            session=session(),
        )
        return str(doc["user_id"]) if doc else None

    async def discard_resets(self, user_id: str) -> None:
        await self._resets.delete_many({"user_id": user_id}, session=session())
