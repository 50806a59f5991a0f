"""The `SecondFactors` port on MongoDB: `second_factors` (one document an account, the TOTP
secret sealed by a `Sealer`, recovery codes as SHA-256 hashes) and `sign_in_challenges`
(keyed by the challenge token's hash, TTL-deleted once expired). Every write joins the unit
of work's transaction when there is one."""

from __future__ import annotations

from typing import Protocol

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.stores.mongo import session
from subgraphs.users.domain.second_factor import SecondFactor, SignInChallenge
from subgraphs.users.repository.mongo_users import Document


class Sealer(Protocol):
    """Encrypts a secret at rest, bound to `associated` (the account id)."""

    def seal(self, plaintext: str, associated: str) -> str: ...

    def open(self, sealed: str, associated: str) -> str: ...


_EXPIRY = IndexModel("expires_at", name="ttl", expireAfterSeconds=0)


class MongoSecondFactors:
    def __init__(self, db: AsyncDatabase[Document], sealer: Sealer) -> None:
        self._factors, self._challenges = db["second_factors"], db["sign_in_challenges"]
        self._sealer = sealer

    async def ensure_indexes(self) -> None:
        await self._challenges.create_indexes([_EXPIRY])

    async def add(self, factor: SecondFactor) -> None:
        doc = {
            "_id": factor.user_id,
            "secret": self._sealer.seal(factor.secret, factor.user_id),
            "recovery_hashes": sorted(factor.recovery_hashes),
            "last_step": factor.last_step,
            "failures": factor.failures,
            "locked_until": factor.locked_until,
        }
        await self._factors.insert_one(doc, session=session())

    async def get(self, user_id: str) -> SecondFactor | None:
        doc = await self._factors.find_one({"_id": user_id})
        if doc is None:
            return None
        return SecondFactor(
            user_id=doc["_id"],
            secret=self._sealer.open(doc["secret"], doc["_id"]),
            recovery_hashes=frozenset(doc["recovery_hashes"]),
            last_step=doc["last_step"],
            failures=doc["failures"],
            locked_until=doc.get("locked_until"),
        )

    async def use_step(self, user_id: str, step: int) -> bool:
        result = await self._factors.update_one(
            {"_id": user_id, "last_step": {"$lt": step}},
            {"$set": {"last_step": step}},
            session=session(),
        )
        return result.modified_count == 1

    async def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        result = await self._factors.update_one(
            {"_id": user_id, "recovery_hashes": code_hash},
            {"$pull": {"recovery_hashes": code_hash}},
            session=session(),
        )
        return result.modified_count == 1

    async def save_failures(self, factor: SecondFactor) -> None:
        await self._factors.update_one(
            {"_id": factor.user_id},
            {"$set": {"failures": factor.failures, "locked_until": factor.locked_until}},
            session=session(),
        )

    async def add_challenge(self, challenge: SignInChallenge) -> None:
        doc = {
            "_id": challenge.token_hash,
            "user_id": challenge.user_id,
            "created_at": challenge.created_at,
            "expires_at": challenge.expires_at,
        }
        await self._challenges.insert_one(doc, session=session())

    async def find_challenge(self, token_hash: str) -> SignInChallenge | None:
        doc = await self._challenges.find_one({"_id": token_hash})
        if doc is None:
            return None
        return SignInChallenge(doc["_id"], doc["user_id"], doc["created_at"], doc["expires_at"])

    async def consume_challenge(self, token_hash: str) -> bool:
        result = await self._challenges.delete_one({"_id": token_hash}, session=session())
        return result.deleted_count == 1
