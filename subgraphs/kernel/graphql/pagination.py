"""Relay connections every subgraph shares: `Connection[T]` (named `<T>Connection` in the
schema, with `<T>Edge`), `PageInfo` and opaque cursors."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Generic, NamedTuple, TypeVar

import strawberry

from subgraphs.kernel.graphql.public_errors import PublicError


@strawberry.federation.type(shareable=True, description="Relay pagination state.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether another page follows.")
    end_cursor: str | None = strawberry.field(
        description="Pass it as `after` for the next page; null on an empty page."
    )

    @classmethod
    def after(cls, cursors: list[str], *, has_next: bool) -> PageInfo:
        """The page info of a page whose edges have `cursors`.

        Never "more to come" without a cursor to continue from: a client
        paging in a loop would never stop.
        """
        end_cursor = cursors[-1] if cursors else None
        return cls(has_next_page=has_next and end_cursor is not None, end_cursor=end_cursor)


NodeT = TypeVar("NodeT")


@strawberry.type(description="An item of a page, with the cursor to continue after it.")
class Edge(Generic[NodeT]):
    node: NodeT = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Pass it as `after` to continue after this item.")


@strawberry.type(description="A page of a list that grows (Relay connection).")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Whether more follow, and from where.")

    @classmethod
    def of(cls, items: Iterable[tuple[NodeT, str]], *, has_next: bool) -> Connection[NodeT]:
        """The page of `(node, cursor)` pairs; `has_next` whether the list goes on after it."""
        edges = [Edge(node=node, cursor=cursor) for node, cursor in items]
        return cls(
            edges=edges, page_info=PageInfo.after([e.cursor for e in edges], has_next=has_next)
        )


class InvalidCursor(PublicError):
    """A cursor this server did not make: `BAD_USER_INPUT`, naming the argument."""

    code = "BAD_USER_INPUT"
    default_message = "Invalid cursor."

    def __init__(self, argument: str = "after") -> None:
        super().__init__(f"`{argument}` is not a cursor of this list; pass an `endCursor`.")
        self.extensions = {"code": self.code, "argument": argument}


class InvalidPageSize(PublicError):
    code = "BAD_USER_INPUT"
    default_message = "`first` cannot be negative."


def page_size(first: int, maximum: int) -> int:
    """`first` as a page size: negative is `InvalidPageSize`, more than `maximum` is capped."""
    if first < 0:
        raise InvalidPageSize()
    return min(first, maximum)


# Cursors are short ASCII (base64url of `c:` and a value of at most `CURSOR_VALUE_MAX`
# characters); anything longer or of other characters is refused before decoding.
CURSOR_VALUE_MAX = 160
_CURSOR = re.compile(rf"[A-Za-z0-9_-]{{4,{-(-4 * (CURSOR_VALUE_MAX + 2) // 3)}}}")
# The values cursors hold: ids and digits, ASCII only (`str.isdigit` also accepts other
# scripts' digits, which `int` then refuses or reads).
CURSOR_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.-]{0,127}")
CURSOR_MILLIS = re.compile(r"[0-9]{1,15}")


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(f"c:{value}".encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str, *, argument: str = "after", value: re.Pattern[str] = CURSOR_ID
) -> str:
    """The value inside a cursor made by `encode_cursor`, which must match `value` whole;
    anything else is `InvalidCursor` naming `argument`."""
    if _CURSOR.fullmatch(cursor) is None:
        raise InvalidCursor(argument)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor(argument) from exc
    if not raw.startswith("c:") or value.fullmatch(raw[2:]) is None:
        raise InvalidCursor(argument)
    return raw[2:]


# Cursors of the lists ordered by a time, then an id (`stores.keyset.Keyset`): the item's
# time in milliseconds (what MongoDB keeps) and its id.
_TIME_CURSOR = re.compile(rf"{CURSOR_MILLIS.pattern}\|{CURSOR_ID.pattern}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class TimeCursor(NamedTuple):
    """What a `time_cursor` holds: the item's time in milliseconds and its id."""

    millis: int
    item_id: str

    @property
    def at(self) -> datetime:
        return _EPOCH + timedelta(milliseconds=self.millis)


def time_cursor(at: datetime, item_id: str) -> str:
    """The cursor after the item `item_id` of time `at` (kept to the millisecond)."""
    return encode_cursor(f"{(at - _EPOCH) // timedelta(milliseconds=1)}|{item_id}")


def read_time_cursor(cursor: str, *, argument: str = "after") -> TimeCursor:
    """The time and id of a `time_cursor`; anything else is `InvalidCursor`."""
    millis, _, item_id = decode_cursor(cursor, argument=argument, value=_TIME_CURSOR).partition("|")
    return TimeCursor(int(millis), item_id)


def time_after(cursor: str | None, *, argument: str = "after") -> tuple[datetime, str] | None:
    """`(time, id)` of a `time_cursor` to continue after; None for no cursor."""
    if cursor is None:
        return None
    read = read_time_cursor(cursor, argument=argument)
    return read.at, read.item_id
