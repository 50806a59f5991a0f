"""A product: its sku, name, description, one price per currency, its status and its stock.

Catalog fields (name, description, prices, status) change with `version`, which
`catalog.product_changed` carries as `product_version`; stock (on hand, reserved) changes
with `stock_version`, so a price edit and a reservation never conflict.
Invariant: 0 <= reserved <= on_hand, so available = on_hand - reserved >= 0.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from subgraphs.catalog.domain import events as produced
from subgraphs.kernel.core.errors import DomainError, Problem, raise_if_any
from subgraphs.kernel.core.events import DomainEvent
from subgraphs.kernel.core.money import CURRENCIES, Money

SKU = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}")
MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_NOTE = 500
MAX_PRICE = Decimal("1000000")
MAX_DELTA = 1_000_000

T = TypeVar("T")
V = TypeVar("V")

PRODUCT_CHANGED = produced.PRODUCT_CHANGED.type
STOCK_ADJUSTED = produced.STOCK_ADJUSTED.type


class ProductStatus(StrEnum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


class AdjustmentReason(StrEnum):
    RECEIVED = "RECEIVED"
    COUNTED = "COUNTED"
    DAMAGED = "DAMAGED"
    RETURNED = "RETURNED"


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    description: str
    prices: Mapping[str, Decimal]
    status: ProductStatus
    on_hand: int
    reserved: int
    version: int
    stock_version: int
    created_at: datetime
    updated_at: datetime
    events: tuple[DomainEvent, ...] = field(default=(), compare=False)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def active(self) -> bool:
        return self.status is ProductStatus.ACTIVE

    def price(self, currency: str) -> Money | None:
        amount = self.prices.get(currency)
        return Money(amount, currency) if amount is not None else None

    def _changed(
        self, change: str, now: datetime, actor_id: str | None, **fields: object
    ) -> Product:
        changed = replace(self, version=self.version + 1, updated_at=now, events=(), **fields)  # type: ignore[arg-type]
        return replace(changed, events=(changed.product_changed(change, actor_id),))

    def product_changed(
        self, change: str, actor_id: str | None, *, at: datetime | None = None
    ) -> DomainEvent:
        """`catalog.product_changed` of this version (occurred when it was made, or `at`)."""
        return produced.PRODUCT_CHANGED(
            {
                "sku": self.sku,
                "name": self.name,
                "description": self.description,
                "prices": {c: str(a) for c, a in sorted(self.prices.items())},
                "status": self.status.value,
                "product_version": self.version,
                "change": change,
                "actor_id": actor_id,
            },
            at or self.updated_at,
            sequence=self.version,
        )

    def update(
        self, name: str | None, description: str | None, now: datetime, actor_id: str | None
    ) -> Product:
        """A new name, description or both; None leaves that one as it is (NOTHING_TO_CHANGE
        when both are None)."""
        if name is None and description is None:
            message = "Give a new name, a new description, or both."
            raise DomainError.of("NOTHING_TO_CHANGE", message, "name")
        problems: list[Problem] = []
        new_name = self.name if name is None else _collect(problems, checked_name, name, name)
        new_description = (
            self.description
            if description is None
            else _collect(problems, checked_description, description, description)
        )
        raise_if_any(problems)
        return self._changed("updated", now, actor_id, name=new_name, description=new_description)

    def change_prices(
        self, prices: Sequence[tuple[Decimal, str]], now: datetime, actor_id: str | None
    ) -> Product:
        return self._changed("prices_changed", now, actor_id, prices=checked_prices(prices))

    def archive(self, now: datetime, actor_id: str | None) -> Product:
        if not self.active:
            raise DomainError.of("ALREADY_ARCHIVED", "The product is archived already.", "sku")
        return self._changed("archived", now, actor_id, status=ProductStatus.ARCHIVED)

    def restore(self, now: datetime, actor_id: str | None) -> Product:
        if self.active:
            raise DomainError.of("NOT_ARCHIVED", "The product is not archived.", "sku")
        return self._changed("restored", now, actor_id, status=ProductStatus.ACTIVE)

    def adjust(
        self,
        delta: int,
        reason: AdjustmentReason,
        note: str | None,
        now: datetime,
        actor_id: str | None,
    ) -> Product:
        """`delta` units more (or fewer) on hand; never fewer than are reserved."""
        note = checked_adjustment(delta, note)
        if self.on_hand + delta < self.reserved:
            raise below_zero(self.available)
        changed = replace(
            self,
            on_hand=self.on_hand + delta,
            stock_version=self.stock_version + 1,
            updated_at=now,
        )
        return changed.stock_adjusted(delta, reason, note, now, actor_id)

    def stock_adjusted(
        self,
        delta: int,
        reason: AdjustmentReason,
        note: str | None,
        now: datetime,
        actor_id: str | None,
    ) -> Product:
        """This product as a change of `delta` units on hand left it (the stored levels),
        recording `stock.adjusted`."""
        event = produced.STOCK_ADJUSTED(
            {
                "sku": self.sku,
                "delta": delta,
                "reason": reason.value,
                "note": note,
                "on_hand": self.on_hand,
                "reserved": self.reserved,
                "actor_id": actor_id,
            },
            now,
            sequence=self.stock_version,
        )
        return replace(self, events=(event,))


def new_product(
    sku: str,
    name: str,
    description: str,
    prices: Sequence[tuple[Decimal, str]],
    now: datetime,
    actor_id: str | None,
    *,
    on_hand: int = 0,
    change: str = "created",
) -> Product:
    """A new ACTIVE product (`on_hand` units, none reserved) recording `catalog.product_changed`."""
    problems: list[Problem] = []
    sku = _collect(problems, checked_sku, sku, sku)
    name = _collect(problems, checked_name, name, name)
    description = _collect(problems, checked_description, description, description)
    checked_list: dict[str, Decimal] = _collect(problems, checked_prices, prices, {})
    raise_if_any(problems)
    product = Product(
        sku=sku,
        name=name,
        description=description,
        prices=checked_list,
        status=ProductStatus.ACTIVE,
        on_hand=on_hand,
        reserved=0,
        version=1,
        stock_version=1,
        created_at=now,
        updated_at=now,
    )
    return replace(product, events=(product.product_changed(change, actor_id),))


def _collect(problems: list[Problem], check: Callable[[V], T], value: V, fallback: T) -> T:
    """`check(value)`, or `fallback` with the check's problems added to `problems`."""
    try:
        return check(value)
    except DomainError as error:
        problems.extend(error.problems)
        return fallback


def normal_sku(raw: str) -> str:
    return raw.strip().upper()


def checked_sku(raw: str) -> str:
    sku = normal_sku(raw)
    if SKU.fullmatch(sku) is None:
        message = "A sku is 2 to 40 letters, digits or dashes, starting with a letter or digit."
        raise DomainError.of("INVALID_SKU", message, "sku")
    return sku


def checked_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise DomainError.of("NAME_REQUIRED", "A name is required.", "name")
    if len(name) > MAX_NAME:
        raise DomainError.of("NAME_TOO_LONG", f"A name is at most {MAX_NAME} characters.", "name")
    return name


def checked_description(raw: str) -> str:
    description = raw.strip()
    if len(description) > MAX_DESCRIPTION:
        message = f"A description is at most {MAX_DESCRIPTION} characters."
        raise DomainError.of("DESCRIPTION_TOO_LONG", message, "description")
    return description


def checked_note(raw: str | None) -> str | None:
    note = " ".join(raw.split()) if raw is not None else ""
    if len(note) > MAX_NOTE:
        raise DomainError.of("NOTE_TOO_LONG", f"A note is at most {MAX_NOTE} characters.", "note")
    return note or None


def checked_adjustment(delta: int, note: str | None) -> str | None:
    """The note of a change of `delta` units on hand; every problem of the two at once."""
    problems: list[Problem] = []
    if delta == 0 or abs(delta) > MAX_DELTA:
        message = f"The change is a non-zero number of units, at most {MAX_DELTA:,} either way."
        problems.append(Problem("INVALID_DELTA", message, ("delta",)))
    checked = _collect(problems, checked_note, note, None)
    raise_if_any(problems)
    return checked


def below_zero(available: int) -> DomainError:
    message = f"Only {available} units are available; the change would leave fewer than none."
    return DomainError.of("STOCK_BELOW_ZERO", message, "delta")


def checked_prices(prices: Sequence[tuple[Decimal, str]]) -> dict[str, Decimal]:
    """One price per supported currency: positive, at most 2 decimals and 1,000,000."""
    if not prices:
        raise DomainError.of("PRICE_REQUIRED", "At least one price is required.", "prices")
    problems: list[Problem] = []
    checked: dict[str, Decimal] = {}
    for index, (amount, raw_currency) in enumerate(prices):
        at = ("prices", str(index))
        currency = raw_currency.strip().upper()
        if currency not in CURRENCIES:
            message = f"Prices are in {' or '.join(CURRENCIES)}."
            problems.append(Problem("UNSUPPORTED_CURRENCY", message, (*at, "currency")))
            continue
        if currency in checked:
            message = f"One price per currency: {currency} is given twice."
            problems.append(Problem("DUPLICATE_CURRENCY", message, (*at, "currency")))
            continue
        if not _valid_amount(amount):
            message = "A price is above 0, at most 1,000,000, with at most 2 decimals."
            problems.append(Problem("INVALID_PRICE", message, (*at, "amount")))
            continue
        checked[currency] = amount.quantize(Decimal("0.01"))
    raise_if_any(problems)
    return checked


def _valid_amount(amount: Decimal) -> bool:
    try:
        return (
            amount.is_finite()
            and Decimal(0) < amount <= MAX_PRICE
            and amount == amount.quantize(Decimal("0.01"))
        )
    except InvalidOperation:
        return False
