"""The price list: products with a price per supported currency."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from subgraphs.kernel.core.money import Money

CURRENCIES = ("USD", "EUR")


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    prices: Mapping[str, Decimal] = field(default_factory=dict)

    def price(self, currency: str) -> Money | None:
        amount = self.prices.get(currency)
        return Money(amount, currency) if amount is not None else None


def _product(sku: str, name: str, usd: str, eur: str) -> Product:
    return Product(sku, name, {"USD": Decimal(usd), "EUR": Decimal(eur)})


# Seeded into the `products` collection on first start; edits made there are kept.
SEED_PRODUCTS = (
    _product("SKU-TEE", "Organic cotton T-shirt", "19.90", "18.50"),
    _product("SKU-MUG", "Stoneware mug", "12.00", "11.00"),
    _product("SKU-CAP", "Baseball cap", "15.50", "14.20"),
    _product("SKU-SOCK", "Merino socks", "9.95", "9.20"),
    _product("SKU-STICKER", "Sticker", "0.10", "0.09"),
    _product("SKU-BOTTLE", "Insulated bottle", "24.00", "22.40"),
    _product("SKU-BAG", "Canvas tote bag", "14.00", "13.00"),
    _product("SKU-HOODIE", "Zip hoodie", "49.00", "45.90"),
)
