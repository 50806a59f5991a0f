"""Money: exact decimal amounts in one currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from subgraphs.kernel.core.money import Money


def test_three_times_ten_cents_is_exactly_thirty_cents():
    ten = Money(Decimal("0.10"), "USD")
    assert ten + ten + ten == Money(Decimal("0.30"), "USD")
    assert ten.times(3).amount == Decimal("0.30")
    assert str(ten.times(3).amount) == "0.30"
    assert 0.1 + 0.1 + 0.1 != 0.3  # what floats would have done


def test_money_refuses_what_is_not_a_finite_decimal():
    for bad in ("abc", "NaN", "Infinity", 0.3, None):
        with pytest.raises(ValueError, match="not a"):
            Money.parse(bad, "USD")
    with pytest.raises(ValueError, match="cannot add EUR to USD"):
        Money(Decimal("1"), "USD") + Money(Decimal("1"), "EUR")
