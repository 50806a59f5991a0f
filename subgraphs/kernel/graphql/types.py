"""GraphQL types every subgraph shares (declared `@shareable` for federation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TypeVar

import strawberry

from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.money import Money as MoneyValue


@strawberry.federation.type(shareable=True, description="An expected failure of a mutation.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the input field the error concerns, if any."
    )
    message: str = strawberry.field(description="Readable explanation.")
    code: str = strawberry.field(description="Stable machine-readable code.")
    retryable: bool = strawberry.field(
        default=False,
        description=(
            "True when the cause may go away by itself: send the same request again "
            "(same idempotency key) shortly. False: it fails again until the input changes."
        ),
    )


def user_errors(error: DomainError) -> list[UserError]:
    """The `userErrors` of a payload, from a use case's `DomainError`."""
    return [
        UserError(
            field=["input", *p.field] if p.field else None,
            message=p.message,
            code=p.code,
            retryable=p.retryable,
        )
        for p in error.problems
    ]


@strawberry.type(description="The result of a mutation.")
class MutationPayload:
    """Every mutation's payload: its own result fields (declared by subclasses) and `userErrors`."""

    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation did not happen; empty when it did.",
    )


T = TypeVar("T")
P = TypeVar("P")
Root = TypeVar("Root", bound=type)


def query_root(cls: Root) -> Root:
    """A subgraph's `Query` type (its fields are resolvers, so it needs no dataclass fields)."""
    return strawberry.type(cls, description="The entry points for reading.")


def mutation_root(cls: Root) -> Root:
    """A subgraph's `Mutation` type: every field takes `input` and returns a payload."""
    return strawberry.type(
        cls,
        description="The entry points for changing data; each returns a payload with `userErrors`.",
    )


async def payload(
    payload_type: Callable[..., P], outcome: Awaitable[T], done: Callable[[T], P]
) -> P:
    """A mutation's payload: `done(result)`, or `userErrors` if the use case failed as expected.

    `payload_type(user_errors=...)` builds the failed payload; access errors
    and unexpected errors propagate (the schema maps or masks them).
    """
    try:
        result = await outcome
    except DomainError as error:
        return payload_type(user_errors=user_errors(error))
    return done(result)


@strawberry.federation.type(shareable=True, description="An exact amount of money.")
class Money:
    amount: Decimal = strawberry.field(description="Exact decimal, serialised as a string.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. USD.")

    @classmethod
    def from_value(cls, value: MoneyValue) -> Money:
        return cls(amount=value.amount, currency=value.currency)
