"""Orders' copy of the catalog: each product's name, prices and status, as the catalog
context last announced them (`catalog.product_changed`). Orders prices from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from subgraphs.kernel.core.events import MalformedEvent
from subgraphs.kernel.core.money import Money

PRODUCT_CHANGED = "catalog.product_changed"


class ProductStatus(StrEnum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    prices: Mapping[str, Decimal] = field(default_factory=dict)
    status: ProductStatus = ProductStatus.ACTIVE
    version: int = 0  # the catalog's product_version; the newest one is kept

    @property
    def active(self) -> bool:
        return self.status is ProductStatus.ACTIVE

    def price(self, currency: str) -> Money | None:
        amount = self.prices.get(currency)
        return Money(amount, currency) if amount is not None else None


class MalformedProductEvent(MalformedEvent):
    """A `catalog.product_changed` without the fields the projection needs."""


def product_from_event(payload: Mapping[str, Any]) -> Product:
    """The product a `catalog.product_changed` payload announces."""
    try:
        sku, name, version = payload["sku"], payload["name"], payload["product_version"]
        if not isinstance(sku, str) or not isinstance(name, str):
            raise TypeError("sku and name must be strings")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise TypeError("product_version must be a positive integer")
        prices = {str(c): Decimal(str(a)) for c, a in dict(payload["prices"]).items()}
        status = ProductStatus(payload["status"])
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise MalformedProductEvent(f"not a catalog.product_changed payload: {exc!r}") from exc
    return Product(sku, name, prices, status, version)
