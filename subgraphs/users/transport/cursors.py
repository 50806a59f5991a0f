"""Cursors of the lists ordered newest first: a time (milliseconds) and an id."""

from __future__ import annotations

from datetime import UTC, datetime

from subgraphs.kernel.graphql.pagination import (
    CURSOR_ID,
    InvalidCursor,
    decode_cursor,
    encode_cursor,
)


def time_cursor(at: datetime, item_id: str) -> str:
    """The cursor after the item `item_id` of time `at`."""
    return encode_cursor(f"{int(at.timestamp() * 1000)}.{item_id}")


def time_after(cursor: str | None) -> tuple[datetime, str] | None:
    """`(time, id)` of a `time_cursor`; None for no cursor; anything else `InvalidCursor`."""
    if cursor is None:
        return None
    millis, _, item_id = decode_cursor(cursor, value=CURSOR_ID).partition(".")
    if not millis.isascii() or not millis.isdigit() or not item_id:
        raise InvalidCursor()
    return datetime.fromtimestamp(int(millis) / 1000, UTC), item_id
