"""The product's rules: what a valid product is, and how its stock may change."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from subgraphs.catalog.domain.product import AdjustmentReason, ProductStatus, new_product
from subgraphs.kernel.core.errors import DomainError
from tests.unit.catalog.conftest import AT, USD


def codes(error: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [p.code for p in error.value.problems]


def test_a_new_product_is_active_with_nothing_on_hand_and_announces_itself() -> None:
    product = new_product(" sku-lamp ", "  Desk   lamp ", " Bright. ", USD, AT, "staff-1")

    assert (product.sku, product.name, product.description) == ("SKU-LAMP", "Desk lamp", "Bright.")
    assert (product.status, product.on_hand, product.reserved, product.available) == (
        ProductStatus.ACTIVE,
        0,
        0,
        0,
    )
    [event] = product.events
    assert event.type == "catalog.product_changed"
    assert event.payload == {
        "sku": "SKU-LAMP",
        "name": "Desk lamp",
        "description": "Bright.",
        "prices": {"USD": "12.00"},
        "status": "ACTIVE",
        "product_version": 1,
        "change": "created",
        "actor_id": "staff-1",
    }


@pytest.mark.parametrize(
    ("sku", "name", "description", "prices", "expected"),
    [
        ("x", "Lamp", "", USD, ["INVALID_SKU"]),
        ("-LAMP", "Lamp", "", USD, ["INVALID_SKU"]),
        ("LAMP_1", "Lamp", "", USD, ["INVALID_SKU"]),
        ("L" * 41, "Lamp", "", USD, ["INVALID_SKU"]),
        ("LAMP", "  ", "", USD, ["NAME_REQUIRED"]),
        ("LAMP", "n" * 201, "", USD, ["NAME_TOO_LONG"]),
        ("LAMP", "Lamp", "d" * 2001, USD, ["DESCRIPTION_TOO_LONG"]),
        ("LAMP", "Lamp", "", [], ["PRICE_REQUIRED"]),
        ("LAMP", "Lamp", "", [(Decimal(1), "GBP")], ["UNSUPPORTED_CURRENCY"]),
        ("LAMP", "Lamp", "", [(Decimal(1), "USD"), (Decimal(2), "usd")], ["DUPLICATE_CURRENCY"]),
        ("LAMP", "Lamp", "", [(Decimal(0), "USD")], ["INVALID_PRICE"]),
        ("LAMP", "Lamp", "", [(Decimal("1.001"), "USD")], ["INVALID_PRICE"]),
        ("LAMP", "Lamp", "", [(Decimal("1000000.01"), "USD")], ["INVALID_PRICE"]),
        ("LAMP", "Lamp", "", [(Decimal("NaN"), "USD")], ["INVALID_PRICE"]),
        ("x", "", "", [], ["INVALID_SKU", "NAME_REQUIRED", "PRICE_REQUIRED"]),
    ],
)
def test_bad_input_names_every_problem(
    sku: str, name: str, description: str, prices: list[tuple[Decimal, str]], expected: list[str]
) -> None:
    with pytest.raises(DomainError) as error:
        new_product(sku, name, description, prices, AT, "staff-1")
    assert codes(error) == expected


def test_prices_are_kept_with_two_decimals_one_per_currency() -> None:
    prices = [(Decimal("1000000"), "usd"), (Decimal("0.5"), "EUR")]
    product = new_product("LAMP", "Lamp", "", prices, AT, None)
    assert dict(product.prices) == {"USD": Decimal("1000000.00"), "EUR": Decimal("0.50")}


def test_stock_never_drops_below_what_is_reserved() -> None:
    product = new_product("LAMP", "Lamp", "", USD, AT, None, on_hand=5)
    held = replace(product, reserved=3)

    with pytest.raises(DomainError) as error:
        held.adjust(-3, AdjustmentReason.DAMAGED, None, AT, "staff-1")
    assert codes(error) == ["STOCK_BELOW_ZERO"]

    adjusted = held.adjust(-2, AdjustmentReason.DAMAGED, "  dropped  ", AT, "staff-1")
    assert (adjusted.on_hand, adjusted.reserved, adjusted.available) == (3, 3, 0)
    [event] = adjusted.events
    assert (event.type, dict(event.payload)) == (
        "stock.adjusted",
        {
            "sku": "LAMP",
            "delta": -2,
            "reason": "DAMAGED",
            "note": "dropped",
            "on_hand": 3,
            "reserved": 3,
            "actor_id": "staff-1",
        },
    )


@pytest.mark.parametrize(
    ("delta", "note", "code"),
    [
        (0, None, "INVALID_DELTA"),
        (1_000_001, None, "INVALID_DELTA"),
        (1, "n" * 501, "NOTE_TOO_LONG"),
    ],
)
def test_an_adjustment_needs_a_delta_and_a_short_note(
    delta: int, note: str | None, code: str
) -> None:
    product = new_product("LAMP", "Lamp", "", USD, AT, None, on_hand=5)
    with pytest.raises(DomainError) as error:
        product.adjust(delta, AdjustmentReason.COUNTED, note, AT, None)
    assert codes(error) == [code]


def test_an_adjustment_reports_every_problem_at_once() -> None:
    product = new_product("LAMP", "Lamp", "", USD, AT, None, on_hand=5)
    with pytest.raises(DomainError) as error:
        product.adjust(0, AdjustmentReason.COUNTED, "n" * 501, AT, None)
    assert sorted(codes(error)) == ["INVALID_DELTA", "NOTE_TOO_LONG"]


def test_an_update_keeps_what_it_is_not_given_and_needs_something() -> None:
    product = new_product("LAMP", "Lamp", "Bright", USD, AT, None)
    assert product.update("Desk lamp", None, AT, "s").description == "Bright"
    assert product.update(None, "Warm", AT, "s").name == "Lamp"
    with pytest.raises(DomainError) as error:
        product.update(None, None, AT, "s")
    assert codes(error) == ["NOTHING_TO_CHANGE"]
    with pytest.raises(DomainError) as error:
        product.update(" ", "d" * 2001, AT, "s")
    assert codes(error) == ["NAME_REQUIRED", "DESCRIPTION_TOO_LONG"]


def test_archive_and_restore_only_from_the_other_status() -> None:
    product = new_product("LAMP", "Lamp", "", USD, AT, None)
    archived = product.archive(AT, "staff-1")
    assert (archived.status, archived.version) == (ProductStatus.ARCHIVED, 2)
    assert archived.events[0].payload["change"] == "archived"
    with pytest.raises(DomainError) as error:
        archived.archive(AT, "staff-1")
    assert codes(error) == ["ALREADY_ARCHIVED"]
    with pytest.raises(DomainError) as error:
        product.restore(AT, "staff-1")
    assert codes(error) == ["NOT_ARCHIVED"]
    restored = archived.restore(AT, "staff-1")
    assert (restored.status, restored.events[0].payload["product_version"]) == (
        ProductStatus.ACTIVE,
        3,
    )
