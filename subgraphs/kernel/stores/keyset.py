"""Keyset paging on MongoDB: a list ordered by a time, then an id (newest first, or oldest
first), continued after the last item of a page.

An index on the query's equality fields followed by the keyset's `sort()` serves both the
filter and the order, and a page starts where the previous one ended, however deep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING

Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Keyset:
    """The page order: by `time`, ties broken by `id` (both field names)."""

    time: str
    id: str = "_id"

    def sort(self, *, oldest_first: bool = False) -> list[tuple[str, int]]:
        """The sort (and the tail of the index that serves it); newest first by default."""
        direction = ASCENDING if oldest_first else DESCENDING
        return [(self.time, direction), (self.id, direction)]

    def after(
        self, match: Document, at: datetime, item_id: str, *, oldest_first: bool = False
    ) -> Document:
        """`match` narrowed to the items after the item `(at, item_id)` in this order."""
        beyond = "$gt" if oldest_first else "$lt"
        clause = [{self.time: {beyond: at}}, {self.time: at, self.id: {beyond: item_id}}]
        if "$or" in match:  # a filter's own `$or` stays; both must hold
            return {"$and": [match, {"$or": clause}]}
        return {**match, "$or": clause}
