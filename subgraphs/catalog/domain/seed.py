"""The products a new shop starts with (moved here from the orders context's price list)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class SeedProduct:
    sku: str
    name: str
    prices: tuple[tuple[Decimal, str], ...]
    description: str = ""


def _product(sku: str, name: str, usd: str, eur: str) -> SeedProduct:
    return SeedProduct(sku, name, ((Decimal(usd), "USD"), (Decimal(eur), "EUR")))


# Inserted on first start with the configured stock; products that exist (maybe edited) stay.
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
