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


# Inserted on first start with the configured stock; products that exist (maybe edited) stay.
# Each row: sku, name, the price in USD, in EUR.
_ROWS = (
    ("SKU-TEE", "Organic cotton T-shirt", "19.90", "18.50"),
    ("SKU-MUG", "Stoneware mug", "12.00", "11.00"),
    ("SKU-CAP", "Baseball cap", "15.50", "14.20"),
    ("SKU-SOCK", "Merino socks", "9.95", "9.20"),
    ("SKU-STICKER", "Sticker", "0.10", "0.09"),
    ("SKU-BOTTLE", "Insulated bottle", "24.00", "22.40"),
    ("SKU-BAG", "Canvas tote bag", "14.00", "13.00"),
    ("SKU-HOODIE", "Zip hoodie", "49.00", "45.90"),
)
SEED_PRODUCTS = tuple(
    SeedProduct(sku, name, ((Decimal(usd), "USD"), (Decimal(eur), "EUR")))
    for sku, name, usd, eur in _ROWS
)
