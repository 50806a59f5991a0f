"""The `StaffStore` port on MongoDB: `staff_invitations` (keyed by the token's hash,
TTL-deleted a week after they expire), `staff_activity` (the record of staff actions,
indexed newest first and per actor, with the staff actions other contexts announce:
`record_other`), and the `role` and `disabled_at` fields of `users`. Every write joins
the unit of work's transaction when there is one."""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.stores.keyset import Keyset
from subgraphs.kernel.stores.mongo import session
from subgraphs.users.domain.staff import OtherAction, StaffAction, StaffInvitation
from subgraphs.users.repository.mongo_users import Document
from subgraphs.users.usecase.staff_ports import ActivityPage, InvitationPage

# An expired invitation is kept a while, so a late click says "expired" in the logs' terms
# rather than vanishing at once (the answer is the same either way).
KEEP_EXPIRED = timedelta(days=7)

INVITED = Keyset("created_at", "user_id")
OCCURRED = Keyset("occurred_at")


class MongoStaff:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._invitations = db["staff_invitations"]
        self._activity = db["staff_activity"]
        self._users = db["users"]

    async def ensure_indexes(self) -> None:
        keep = int(KEEP_EXPIRED.total_seconds())
        await self._invitations.create_indexes(
            [
                IndexModel("expires_at", name="ttl", expireAfterSeconds=keep),
                IndexModel([("used_at", ASCENDING), *INVITED.sort()], name="pending_newest_first"),
                IndexModel([("email", ASCENDING), ("used_at", ASCENDING)], name="by_email"),
            ]
        )
        newest = OCCURRED.sort()
        await self._activity.create_indexes(
            [
                IndexModel(newest, name="newest_first"),
                IndexModel([("actor_id", ASCENDING), *newest], name="by_actor_newest_first"),
            ]
        )

    async def add_invitation(self, invitation: StaffInvitation) -> None:
        doc = {
            "_id": invitation.token_hash,
            "user_id": invitation.user_id,
            "email": invitation.email,
            "role": invitation.role.value,
            "invited_by": invitation.invited_by,
            "created_at": invitation.created_at,
            "expires_at": invitation.expires_at,
            "used_at": None,
        }
        await self._invitations.insert_one(doc, session=session())

    async def find_invitation(self, token_hash: str) -> StaffInvitation | None:
        doc = await self._invitations.find_one({"_id": token_hash})
        return _invitation(doc) if doc is not None else None

    async def pending_invitations(
        self, first: int, after: tuple[datetime, str] | None = None
    ) -> InvitationPage:
        match: Document = {"used_at": None}
        if after is not None:
            match = INVITED.after(match, *after)
        found = self._invitations.find(match).sort(INVITED.sort()).limit(first + 1)
        docs = [doc async for doc in found]
        return InvitationPage([_invitation(d) for d in docs[:first]], has_next=len(docs) > first)

    async def consume_invitation(self, token_hash: str, now: datetime) -> bool:
        result = await self._invitations.update_one(
            {"_id": token_hash, "used_at": None, "expires_at": {"$gt": now}},
            {"$set": {"used_at": now}},
            session=session(),
        )
        return result.modified_count == 1

    async def supersede_invitations(
        self, email: str, now: datetime, *, keep: str | None = None
    ) -> None:
        match: Document = {"email": email, "used_at": None}
        if keep is not None:
            match["_id"] = {"$ne": keep}
        await self._invitations.update_many(
            match, {"$set": {"used_at": now, "superseded_at": now}}, session=session()
        )

    async def set_role(self, user_id: str, role: Role, now: datetime, *, expected: Role) -> bool:
        result = await self._users.update_one(
            {"_id": user_id, "role": expected.value, "disabled_at": None},
            {"$set": {"role": role.value, "updated_at": now}},
            session=session(),
        )
        return result.modified_count == 1

    async def disable(self, user_id: str, now: datetime) -> bool:
        result = await self._users.update_one(
            {"_id": user_id, "disabled_at": None},
            {"$set": {"disabled_at": now, "updated_at": now}},
            session=session(),
        )
        return result.modified_count == 1

    async def record(self, action: StaffAction) -> None:
        await self._activity.insert_one(_entry(action), session=session())

    async def record_other(self, entry: OtherAction) -> bool:
        doc = _entry(entry.action)
        if entry.supersedes:
            await self._activity.replace_one(
                {"_id": doc["_id"]}, doc, upsert=True, session=session()
            )
            return True
        result = await self._activity.update_one(
            {"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True, session=session()
        )
        return result.upserted_id is not None

    async def activity(
        self, first: int, after: tuple[datetime, str] | None = None, actor_id: str | None = None
    ) -> ActivityPage:
        match: Document = {}
        if actor_id is not None:
            match["actor_id"] = actor_id
        if after is not None:
            match = OCCURRED.after(match, *after)
        found = self._activity.find(match).sort(OCCURRED.sort()).limit(first + 1)
        docs = [doc async for doc in found]
        actions = [
            StaffAction(
                id=doc["_id"],
                action=doc["action"],
                actor_id=doc.get("actor_id"),
                subject_id=doc.get("subject_id"),
                reason=doc.get("reason"),
                details=doc.get("details") or {},
                occurred_at=doc["occurred_at"],
                correlation_id=doc.get("correlation_id"),
            )
            for doc in docs[:first]
        ]
        return ActivityPage(actions, has_next=len(docs) > first)


def _entry(action: StaffAction) -> Document:
    return {
        "_id": action.id,
        "action": action.action,
        "actor_id": action.actor_id,
        "subject_id": action.subject_id,
        "reason": action.reason,
        "details": dict(action.details),
        "occurred_at": action.occurred_at,
        "correlation_id": action.correlation_id,
    }


def _invitation(doc: Document) -> StaffInvitation:
    return StaffInvitation(
        token_hash=doc["_id"],
        user_id=doc["user_id"],
        email=doc["email"],
        role=Role(doc["role"]),
        invited_by=doc["invited_by"],
        created_at=doc["created_at"],
        expires_at=doc["expires_at"],
        used_at=doc.get("used_at"),
    )
