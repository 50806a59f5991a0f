"""Money: an exact Decimal amount with a currency, shared by every context. Never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CURRENCIES = ("USD", "EUR")  # the currencies products are priced and orders placed in


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal("0.00"), currency)

    @classmethod
    def parse(cls, amount: object, currency: object) -> Money:
        """Money from an event's string amount; anything not a finite decimal raises ValueError."""
        if not isinstance(amount, str | Decimal) or not isinstance(currency, str) or not currency:
            raise ValueError(f"not an amount and a currency: {amount!r} {currency!r}")
        try:
            value = Decimal(amount)
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal amount: {amount!r}") from exc
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {amount!r}")
        return cls(value, currency)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)
