"""Idempotency keys a client chooses so that a request it sends twice takes effect once."""

from __future__ import annotations

from subgraphs.kernel.core.errors import DomainError, Problem

MAX_KEY_LENGTH = 255


def validate_key(key: str, problems: list[Problem]) -> None:
    """INVALID_IDEMPOTENCY_KEY unless `key` has 1 to MAX_KEY_LENGTH characters, not all blank."""
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        message = f"An idempotency key of 1 to {MAX_KEY_LENGTH} characters is required."
        problems.append(Problem("INVALID_IDEMPOTENCY_KEY", message, ("idempotencyKey",)))


def key_reused() -> DomainError:
    """The key was first sent with a different request."""
    return DomainError.of(
        "IDEMPOTENCY_KEY_REUSED",
        "This idempotency key was used for a different request.",
        "idempotencyKey",
    )
