"""The error model: expected failures are data, the rest are GraphQL errors.

- `DomainError` carries one or more `Problem`s (code, message, field path);
  mutations turn it into `userErrors` on their payload.
- `PublicError` subclasses are GraphQL errors a client may see as they are
  (`UNAUTHENTICATED`, `FORBIDDEN`, `BAD_REQUEST`).
- Anything else is unexpected: masked as `INTERNAL_SERVER_ERROR` and logged
  (see `subgraphs.kernel.graphql`).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLError


@dataclass(frozen=True, slots=True)
class Problem:
    """One expected failure: a stable code, a readable message, the input field it concerns."""

    code: str
    message: str
    field: tuple[str, ...] = ()


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


def raise_if_any(problems: list[Problem]) -> None:
    """Raise a `DomainError` carrying every problem found, if there is one."""
    if problems:
        raise DomainError(*problems)


class PublicError(GraphQLError):
    """A GraphQL error whose message and code are safe to show to clients."""

    code = "BAD_REQUEST"
    default_message = "Bad request."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message, extensions={"code": self.code})


class Unauthenticated(PublicError):
    code = "UNAUTHENTICATED"
    default_message = "Authentication required."


class Forbidden(PublicError):
    code = "FORBIDDEN"
    default_message = "You are not allowed to do this."
