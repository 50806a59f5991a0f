"""The `UserRepository` port on MongoDB: collection `users`, with the outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from subgraphs.kernel.events import Event
from subgraphs.kernel.mongo import in_transaction
from subgraphs.kernel.outbox import Outbox
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import EmailTaken

Document = dict[str, Any]


class MongoUserRepository:
    """Users keyed by id; emails are unique (stored normalised, so case-insensitive)."""

    def __init__(
        self, db: AsyncDatabase[Document], *, after_commit: Callable[[], None] = lambda: None
    ) -> None:
        self._db = db
        self._users = db["users"]
        self._outbox = Outbox(db)
        self._after_commit = after_commit

    async def ensure_indexes(self) -> None:
        await self._users.create_index([("email", ASCENDING)], unique=True, name="email_unique")
        await self._outbox.ensure_indexes()

    async def add(self, user: User, events: Sequence[Event]) -> None:
        async def work(session: AsyncClientSession) -> None:
            await self._users.insert_one(_to_document(user), session=session)
            await self._outbox.add(events, session)

        try:
            await in_transaction(self._db.client, work)
        except DuplicateKeyError as exc:
            raise EmailTaken(user.email) from exc
        self._after_commit()

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

    async def update_profile(
        self,
        user_id: str,
        *,
        name: str,
        phone: str | None,
        now: datetime,
        events: Sequence[Event],
    ) -> User | None:
        async def work(session: AsyncClientSession) -> Document | None:
            doc = await self._users.find_one_and_update(
                {"_id": user_id},
                {"$set": {"name": name, "phone": phone, "updated_at": now}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is not None:
                await self._outbox.add(events, session)
            return doc

        doc = await in_transaction(self._db.client, work)
        if doc is None:
            return None
        self._after_commit()
        return _from_document(doc)


def _to_document(user: User) -> Document:
    return {
        "_id": user.id,
        "email": user.email,
        "name": user.name,
        "phone": user.phone,
        "password_hash": user.password_hash,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
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
    )
