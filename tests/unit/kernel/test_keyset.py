"""Keyset paging: the cursor of a list ordered by a time then an id, and its MongoDB clause."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pymongo import ASCENDING, DESCENDING

from subgraphs.kernel.graphql.pagination import (
    InvalidCursor,
    TimeCursor,
    encode_cursor,
    read_time_cursor,
    time_after,
    time_cursor,
)
from subgraphs.kernel.stores.keyset import Keyset

AT = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def test_a_time_cursor_holds_the_millisecond_and_the_id() -> None:
    cursor = time_cursor(AT, "o-1")
    assert read_time_cursor(cursor) == TimeCursor(1772366400123, "o-1")
    assert time_after(cursor) == (datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC), "o-1")
    assert time_after(None) is None


@pytest.mark.parametrize(
    "cursor", [encode_cursor("o-1"), encode_cursor("12|"), encode_cursor("1x|o-1"), "!!", ""]
)
def test_anything_but_a_time_cursor_is_refused_naming_the_argument(cursor: str) -> None:
    with pytest.raises(InvalidCursor) as refused:
        time_after(cursor, argument="before")
    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "argument": "before"}


def test_the_keyset_sorts_and_continues_after_an_item_either_way() -> None:
    keys = Keyset("created_at", "user_id")
    assert keys.sort() == [("created_at", DESCENDING), ("user_id", DESCENDING)]
    assert keys.sort(oldest_first=True) == [("created_at", ASCENDING), ("user_id", ASCENDING)]
    assert keys.after({"used_at": None}, AT, "u-1") == {
        "used_at": None,
        "$or": [{"created_at": {"$lt": AT}}, {"created_at": AT, "user_id": {"$lt": "u-1"}}],
    }
    assert keys.after({}, AT, "u-1", oldest_first=True)["$or"][1] == {
        "created_at": AT,
        "user_id": {"$gt": "u-1"},
    }


def test_a_filter_with_its_own_or_keeps_it() -> None:
    match = {"$or": [{"a": 1}, {"b": 2}]}
    narrowed = Keyset("at").after(match, AT, "x")
    assert narrowed == {
        "$and": [match, {"$or": [{"at": {"$lt": AT}}, {"at": AT, "_id": {"$lt": "x"}}]}]
    }
