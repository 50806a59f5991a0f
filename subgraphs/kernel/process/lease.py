"""A lease in MongoDB: of several replicas, one at a time does a piece of work.

A document `{_id: lease id, owner, until}` in the `leases` collection is held
by the replica whose owner id it names until `until`; another takes it over
only once it lapsed. The holder renews it once half of it has passed, not on
every call, and gives it up on shutdown (`release`), so a successor starts at
once instead of after the lease ran out.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from subgraphs.kernel.core.clock import Clock, utc_now

_NEVER = datetime.min.replace(tzinfo=UTC)


class MongoLease:
    """Lease `lease_id` in `db.leases`, held for `seconds` at a time by this process."""

    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        lease_id: str,
        *,
        seconds: float = 10.0,
        clock: Clock = utc_now,
    ) -> None:
        self._leases = db["leases"]
        self.lease_id = lease_id
        self._owner = uuid.uuid4().hex
        self._length = timedelta(seconds=seconds)
        self._clock = clock
        self._renew_at = _NEVER  # when our lease needs renewing

    async def hold(self) -> bool:
        """True if this process holds the lease (taking or renewing it as needed)."""
        now = self._clock()
        if now < self._renew_at:
            return True  # ours for at least another half lease
        try:
            await self._leases.find_one_and_update(
                {"_id": self.lease_id, "$or": [{"owner": self._owner}, {"until": {"$lt": now}}]},
                {"$set": {"owner": self._owner, "until": now + self._length}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # another process holds a live lease
        self._renew_at = now + self._length / 2
        return True

    async def release(self) -> None:
        """Give the lease up (if held), so another process may take it at once."""
        self._renew_at = _NEVER
        with contextlib.suppress(PyMongoError):
            await self._leases.delete_one({"_id": self.lease_id, "owner": self._owner})
