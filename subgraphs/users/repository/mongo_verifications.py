"""The `EmailVerifications` port on MongoDB: links in `email_verifications` (keyed by the
token's hash, TTL-deleted once expired), the verified mark on `users`. Every call joins the
unit of work's transaction when there is one."""

from __future__ import annotations

from datetime import datetime

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.stores.mongo import session
from subgraphs.users.domain.verification import EmailVerification
from subgraphs.users.repository.mongo_users import Document

# Links are deleted by MongoDB once expired, and by `consume` once used.
_EXPIRY = IndexModel("expires_at", name="ttl", expireAfterSeconds=0)


class MongoEmailVerifications:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._links, self._users = db["email_verifications"], db["users"]

    async def ensure_indexes(self) -> None:
        await self._links.create_indexes([_EXPIRY])

    async def add(self, verification: EmailVerification) -> None:
        doc = {
            "_id": verification.token_hash,
            "user_id": verification.user_id,
            "email": verification.email,
            "created_at": verification.created_at,
            "expires_at": verification.expires_at,
        }
        await self._links.insert_one(doc, session=session())

    async def find(self, token_hash: str, now: datetime) -> EmailVerification | None:
        doc = await self._links.find_one({"_id": token_hash, "expires_at": {"$gt": now}})
        if doc is None:
            return None
        return EmailVerification(
            doc["_id"], doc["user_id"], doc["email"], doc["created_at"], doc["expires_at"]
        )

    async def consume(self, token_hash: str) -> bool:
        result = await self._links.delete_one({"_id": token_hash}, session=session())
        return result.deleted_count == 1

    async def mark_verified(self, user_id: str, now: datetime) -> None:
        await self._users.update_one(
            {"_id": user_id, "email_verified_at": None},
            {"$set": {"email_verified_at": now}},
            session=session(),
        )
