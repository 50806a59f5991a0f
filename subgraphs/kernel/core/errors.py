"""The error model of domains and use cases; knows nothing of GraphQL.

- `DomainError` carries one or more `Problem`s (code, message, field path,
  whether the same request may succeed if sent again): an expected failure,
  which mutations turn into `userErrors`. `retryable(...)` makes one whose
  cause may go away by itself.
- `AccessDenied` is the caller's fault, not the input's: `NotSignedIn` (no
  caller) or `NotAllowed` (someone else's thing). The transport maps them to
  GraphQL errors (`UNAUTHENTICATED`, `FORBIDDEN`; see
  `subgraphs.kernel.graphql.public_errors`).
- Anything else is unexpected: the transport masks and logs it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One expected failure: a stable code, a readable message, the input field it concerns.

    `retryable`: the cause may go away by itself, so the same request (same
    idempotency key) may succeed when sent again shortly.
    """

    code: str
    message: str
    field: tuple[str, ...] = ()
    retryable: bool = False


class DomainError(Exception):
    """An expected failure of a use case; becomes `userErrors`."""

    def __init__(self, *problems: Problem) -> None:
        if not problems:
            raise ValueError("a DomainError needs at least one problem")
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems

    @classmethod
    def of(cls, code: str, message: str, *field: str) -> DomainError:
        return cls(Problem(code, message, field))


def retryable(code: str, message: str, *field: str) -> DomainError:
    """A failure that may go away by itself: the client should try again shortly."""
    return DomainError(Problem(code, message, field, retryable=True))


def raise_if_any(problems: list[Problem]) -> None:
    """Raise a `DomainError` carrying every problem found, if there is one."""
    if problems:
        raise DomainError(*problems)


class AccessDenied(Exception):
    """The caller may not do this; never part of a payload's `userErrors`."""

    default_message = "Access denied."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message


class NotSignedIn(AccessDenied):
    default_message = "Authentication required."


class NotAllowed(AccessDenied):
    default_message = "You are not allowed to do this."
