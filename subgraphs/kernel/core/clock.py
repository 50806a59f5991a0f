"""The one clock of every process: UTC now, to the millisecond.

MongoDB keeps milliseconds, so a time cut to them reads back equal to what
was written (an aggregate saved and loaded again compares equal). Use cases
and adapters take a `Clock`; composition roots pass `utc_now`, tests a fake.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def to_milliseconds(moment: datetime) -> datetime:
    """`moment` without its microseconds below the millisecond."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def as_utc(moment: datetime) -> datetime:
    """`moment`, read as UTC when it names no time zone (a client's `DateTime` may omit it)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def utc_now() -> datetime:
    """Now, in UTC, to the millisecond."""
    return to_milliseconds(datetime.now(UTC))
