"""The `SessionRepository` port on MongoDB: collections `sessions` and `refresh_tokens`.

`sessions` holds one document a session with the hash of its current
refresh token; `refresh_tokens` maps every token hash ever issued (current
and spent) to its session, so a spent token is recognised as reuse. Both
are deleted by TTL indexes a while after the session's absolute end.
Rotation saves the new token's hash first (harmless until the session
points at it), then updates the session on the condition that its current
hash is still the spent one: of concurrent refreshes, exactly one matches.
Every call joins the unit of work's transaction when there is one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.stores.mongo import session
from subgraphs.users.domain.session import Revoked, Session

Document = dict[str, Any]

# Ended sessions are kept this long after their absolute end (then TTL-deleted), so a late
# refresh still says "expired" or "revoked" rather than "unknown".
KEEP_ENDED = timedelta(days=7)


class MongoSessionRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._sessions = db["sessions"]
        self._tokens = db["refresh_tokens"]

    async def ensure_indexes(self) -> None:
        keep = int(KEEP_ENDED.total_seconds())
        await self._sessions.create_index([("user_id", ASCENDING)], name="by_user")
        await self._sessions.create_index(
            [("expires_at", ASCENDING)], name="ttl", expireAfterSeconds=keep
        )
        await self._tokens.create_index(
            [("expires_at", ASCENDING)], name="ttl", expireAfterSeconds=keep
        )

    async def add(self, new: Session) -> None:
        # The token first: without its session it leads nowhere.
        await self._tokens.insert_one(_token_document(new), session=session())
        await self._sessions.insert_one(_to_document(new), session=session())

    async def by_token(self, token_hash: str) -> Session | None:
        token = await self._tokens.find_one({"_id": token_hash}, session=session())
        if token is None:
            return None
        doc = await self._sessions.find_one({"_id": token["session_id"]}, session=session())
        return _from_document(doc) if doc else None

    async def rotate(self, rotated: Session, spent_hash: str) -> bool:
        await self._tokens.insert_one(_token_document(rotated), session=session())
        result = await self._sessions.update_one(
            {"_id": rotated.id, "token_hash": spent_hash, "revoked_at": None},
            {
                "$set": {
                    "token_hash": rotated.token_hash,
                    "last_used_at": rotated.last_used_at,
                    "idle_expires_at": rotated.idle_expires_at,
                }
            },
            session=session(),
        )
        if result.matched_count != 1:  # lost: the new token leads nowhere, forget it
            await self._tokens.delete_one({"_id": rotated.token_hash}, session=session())
            return False
        return True

    async def revoke(self, session_id: str, now: datetime, reason: Revoked) -> bool:
        result = await self._sessions.update_one(
            {"_id": session_id, "revoked_at": None},
            {"$set": {"revoked_at": now, "revoked_reason": reason.value}},
            session=session(),
        )
        return result.modified_count == 1

    async def revoke_all(
        self,
        user_id: str,
        now: datetime,
        reason: Revoked,
        *,
        keep: str | None = None,
    ) -> int:
        live: Document = {
            "user_id": user_id,
            "revoked_at": None,
            "idle_expires_at": {"$gt": now},  # never after expires_at: live by both clocks
        }
        if keep is not None:
            live["_id"] = {"$ne": keep}
        result = await self._sessions.update_many(
            live,
            {"$set": {"revoked_at": now, "revoked_reason": reason.value}},
            session=session(),
        )
        return result.modified_count

    async def revoked_since(self, user_id: str, since: datetime) -> list[str]:
        found = self._sessions.find(
            {"user_id": user_id, "revoked_at": {"$gte": since}}, {"_id": 1}, session=session()
        )
        return [doc["_id"] async for doc in found]


def _to_document(session: Session) -> Document:
    return {
        "_id": session.id,
        "user_id": session.user_id,
        "token_hash": session.token_hash,
        "created_at": session.created_at,
        "expires_at": session.expires_at,
        "last_used_at": session.last_used_at,
        "idle_expires_at": session.idle_expires_at,
        "revoked_at": session.revoked_at,
        "revoked_reason": session.revoked_reason.value if session.revoked_reason else None,
    }


def _token_document(session: Session) -> Document:
    return {
        "_id": session.token_hash,
        "session_id": session.id,
        "issued_at": session.last_used_at,
        "expires_at": session.expires_at,
    }


def _from_document(doc: Document) -> Session:
    reason = doc.get("revoked_reason")
    return Session(
        id=doc["_id"],
        user_id=doc["user_id"],
        token_hash=doc["token_hash"],
        created_at=doc["created_at"],
        expires_at=doc["expires_at"],
        last_used_at=doc["last_used_at"],
        idle_expires_at=doc["idle_expires_at"],
        revoked_at=doc.get("revoked_at"),
        revoked_reason=Revoked(reason) if reason else None,
    )
