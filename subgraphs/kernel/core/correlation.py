"""The correlation id of the work in hand: set per request or per event, read by logs and events."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def new_correlation_id() -> str:
    """A fresh correlation id (32 hex digits)."""
    return uuid.uuid4().hex
