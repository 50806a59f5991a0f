"""The reason a staff member gives for an action: required, bounded, stored as one line."""

from __future__ import annotations

from subgraphs.kernel.core.errors import DomainError

MAX_REASON_LENGTH = 500


def checked_reason(raw: str, field: str = "reason", max_length: int = MAX_REASON_LENGTH) -> str:
    """`raw` on one line (each run of whitespace one space, none at the ends);
    `REASON_REQUIRED` when blank, `REASON_TOO_LONG` past `max_length`."""
    reason = " ".join(raw.split())
    if not reason:
        raise DomainError.of("REASON_REQUIRED", "A reason is required.", field)
    if len(reason) > max_length:
        message = f"A reason is at most {max_length} characters."
        raise DomainError.of("REASON_TOO_LONG", message, field)
    return reason
