"""GraphQL types every subgraph shares (declared `@shareable` for federation)."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from subgraphs.kernel.errors import DomainError
from subgraphs.kernel.money import Money as MoneyValue


@strawberry.federation.type(shareable=True, description="An expected failure of a mutation.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the input field the error concerns, if any."
    )
    message: str = strawberry.field(description="Readable explanation.")
    code: str = strawberry.field(description="Stable machine-readable code.")


def user_errors(error: DomainError) -> list[UserError]:
    """The `userErrors` of a payload, from a use case's `DomainError`."""
    return [
        UserError(field=["input", *p.field] if p.field else None, message=p.message, code=p.code)
        for p in error.problems
    ]


@strawberry.federation.type(shareable=True, description="An exact amount of money.")
class Money:
    amount: Decimal = strawberry.field(description="Exact decimal, serialised as a string.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. USD.")

    @classmethod
    def from_value(cls, value: MoneyValue) -> Money:
        return cls(amount=value.amount, currency=value.currency)
