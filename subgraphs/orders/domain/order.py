"""The Order aggregate, its status machine and the events it gives rise to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any

from subgraphs.kernel.core.errors import DomainError, Problem, raise_if_any
from subgraphs.kernel.core.events import DomainEvent, EventSpec
from subgraphs.kernel.core.idempotency import validate_key
from subgraphs.kernel.core.money import CURRENCIES, Money
from subgraphs.orders.domain import events as produced
from subgraphs.orders.domain.catalog import Product

MAX_LINES = 50
MAX_QUANTITY = 999
# Times are kept to the millisecond (kernel's `utc_now`): the smallest step between two changes.
TICK = timedelta(milliseconds=1)


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    PAID = "PAID"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"
    REJECTED = "REJECTED"


ALLOWED: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset(
        {OrderStatus.PAID, OrderStatus.PAYMENT_FAILED, OrderStatus.CANCELLED, OrderStatus.REJECTED}
    ),
    OrderStatus.PAYMENT_FAILED: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
}
# Statuses in which an order can still be paid, and so expire when it is not paid in time.
PAYABLE = frozenset({OrderStatus.PENDING, OrderStatus.PAYMENT_FAILED})

CREATED = produced.CREATED.type
STATUS_SPECS: Mapping[OrderStatus, EventSpec[Any]] = {
    OrderStatus.PAID: produced.PAID,
    OrderStatus.PAYMENT_FAILED: produced.PAYMENT_FAILED,
    OrderStatus.CANCELLED: produced.CANCELLED,
    OrderStatus.REFUNDED: produced.REFUNDED,
    OrderStatus.REJECTED: produced.REJECTED,
}
STATUS_EVENTS: Mapping[OrderStatus, str] = {s: spec.type for s, spec in STATUS_SPECS.items()}
OUT_OF_STOCK = "out of stock"
EXPIRED = "expired"


class ActorKind(StrEnum):
    """Who caused a status change."""

    CUSTOMER = "CUSTOMER"
    STAFF = "STAFF"
    SYSTEM = "SYSTEM"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str | None = None  # the customer's or staff member's user id; None for SYSTEM

    @classmethod
    def customer(cls, user_id: str) -> Actor:
        return cls(ActorKind.CUSTOMER, user_id)

    @classmethod
    def staff(cls, user_id: str) -> Actor:
        return cls(ActorKind.STAFF, user_id)


SYSTEM = Actor(ActorKind.SYSTEM)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One status an order took: when, caused by whom, and why (when a reason was given)."""

    status: OrderStatus
    at: datetime
    actor: Actor
    reason: str | None = None


class IllegalTransition(DomainError):
    def __init__(self, current: OrderStatus, wanted: OrderStatus) -> None:
        super().__init__(
            Problem(
                "INVALID_TRANSITION",
                f"An order that is {current.value} cannot become {wanted.value}.",
            )
        )
        self.current = current
        self.wanted = wanted


@dataclass(frozen=True, slots=True)
class OrderLine:
    """What a customer asks for; priced by the server, never by the client."""

    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class OrderItem:
    sku: str
    name: str
    quantity: int
    unit_price: Money

    @property
    def line_total(self) -> Money:
        return self.unit_price.times(self.quantity)


@dataclass(frozen=True, slots=True)
class Order:
    """An order; `events` are those of the change that made this value (none once loaded)."""

    id: str
    user_id: str
    items: tuple[OrderItem, ...]
    currency: str
    status: OrderStatus
    version: int
    created_at: datetime
    updated_at: datetime
    # Stored with the order since the timeline exists; empty for an order written before.
    timeline: tuple[TimelineEntry, ...] = ()
    stock_reserved: bool = False  # the catalog reserved all its lines (`stock.reserved`)
    expires_at: datetime | None = None  # unpaid past this, it is cancelled (None: never)
    # The key its customer placed it under (createOrder sent twice makes one order).
    idempotency_key: str | None = None
    events: tuple[DomainEvent, ...] = field(default=(), compare=False, repr=False)

    @property
    def total(self) -> Money:
        total = Money.zero(self.currency)
        for item in self.items:
            total += item.line_total
        return total

    @property
    def history(self) -> tuple[TimelineEntry, ...]:
        """Its status timeline, oldest first. An order written before timelines were stored
        answers what it knows: placed (PENDING) by its customer, then, if it moved on, its
        current status at its last change, by the system."""
        if self.timeline:
            return self.timeline
        placed = TimelineEntry(OrderStatus.PENDING, self.created_at, Actor.customer(self.user_id))
        if self.status is OrderStatus.PENDING:
            return (placed,)
        return placed, TimelineEntry(self.status, self.updated_at, SYSTEM)

    def changes_since(self, since: datetime) -> list[tuple[OrderStatus, TimelineEntry]]:
        """Its status changes strictly after `since`, oldest first, each with the status it left
        (its placement is not a change); their times strictly increase (`_next_time`)."""
        return [
            (before.status, entry) for before, entry in pairwise(self.history) if entry.at > since
        ]

    def placed_as(self, lines: Sequence[OrderLine], currency: str) -> bool:
        """True when `lines` in `currency` ask for what this order holds (its request sent
        again under its idempotency key)."""
        return currency == self.currency and _quantities(lines) == {
            item.sku: item.quantity for item in self.items
        }

    def can_become(self, status: OrderStatus) -> bool:
        return status in ALLOWED[self.status]

    @property
    def payable(self) -> bool:
        return self.status in PAYABLE

    def expired(self, now: datetime) -> bool:
        """True if it is still unpaid at `now`, past its deadline: the expiry rule, which
        `OrderRepository.expired` answers for many orders at once (its MongoDB query is
        checked against this in tests/integration/orders/test_expiry.py)."""
        return self.payable and self.expires_at is not None and self.expires_at <= now

    def reserve_stock(self, now: datetime) -> Order | None:
        """The order with its stock reserved, one version later (no event); None when that
        changes nothing: reserved already, or no longer payable (cancelled, rejected, ...)."""
        if self.stock_reserved or not self.payable:
            return None
        at = self._next_time(now)
        return replace(self, stock_reserved=True, version=self.version + 1, updated_at=at)

    def _next_time(self, now: datetime) -> datetime:
        """The time of its next change: `now`, or just after its last change if `now` is not
        later (another replica's clock behind, two changes in one millisecond), so its changes'
        times strictly increase and `changes_since` never skips one."""
        return max(now, self.updated_at + TICK)

    def transition(
        self,
        status: OrderStatus,
        now: datetime,
        *,
        actor: Actor = SYSTEM,
        extra: Mapping[str, Any] | None = None,
        **details: str | None,
    ) -> Order:
        """The order in `status`, one version later, its timeline one entry longer (`actor`,
        and `details["reason"]` if any); records its status event.

        `details` (e.g. `payment_id`, `reason`) and `extra` (structured fields, e.g.
        `orders.rejected`'s `short`) go into the event's payload; `orders.cancelled`
        always carries `actor_id` (the staff member's, else null) and `reason` (null
        when the customer cancelled). Illegal transitions raise `IllegalTransition`.
        """
        if not self.can_become(status):
            raise IllegalTransition(self.status, status)
        reason = details.get("reason")
        at = self._next_time(now)
        entry = TimelineEntry(status, at, actor, reason)
        changed = replace(
            self,
            status=status,
            version=self.version + 1,
            updated_at=at,
            timeline=(*self.history, entry),
        )
        payload = {**status_payload(changed, self.status, **details), **(extra or {})}
        if status is OrderStatus.CANCELLED:
            staff_id = actor.id if actor.kind is ActorKind.STAFF else None
            by_customer = actor.kind is ActorKind.CUSTOMER
            payload |= {"actor_id": staff_id, "reason": None if by_customer else reason}
        event = STATUS_SPECS[status](payload, at, sequence=changed.version)
        return replace(changed, events=(event,))


def place_order(
    *,
    order_id: str,
    user_id: str,
    lines: Sequence[OrderLine],
    currency: str,
    products: Mapping[str, Product],
    now: datetime,
    ttl: timedelta | None = None,
    idempotency_key: str | None = None,
) -> Order:
    """A new PENDING order priced from `products`, payable for `ttl` (None: no deadline),
    under the client's `idempotency_key` if any; every invalid line is reported: an unknown
    sku, an archived product, no price in `currency`, a quantity out of range."""
    problems = _line_problems(lines)
    if currency not in CURRENCIES:
        message = f"Currency must be one of {', '.join(CURRENCIES)}."
        problems.append(Problem("UNSUPPORTED_CURRENCY", message, ("currency",)))
    if idempotency_key is not None:
        validate_key(idempotency_key, problems)
    raise_if_any(problems)
    items = []
    for index, (sku, quantity) in enumerate(_quantities(lines).items()):
        product = products.get(sku)
        price = product.price(currency) if product else None
        where = ("items", str(index), "sku")
        if product is None:
            problems.append(Problem("UNKNOWN_SKU", f"No product with sku {sku!r}.", where))
        elif not product.active:
            message = f"{product.name} ({sku}) is no longer sold."
            problems.append(Problem("PRODUCT_UNAVAILABLE", message, where))
        elif price is None:
            message = f"{product.name} ({sku}) has no price in {currency}."
            problems.append(Problem("PRICE_NOT_AVAILABLE", message, where))
        elif quantity > MAX_QUANTITY:
            message = f"At most {MAX_QUANTITY} of one product per order."
            problems.append(Problem("INVALID_QUANTITY", message, ("items", str(index), "quantity")))
        else:
            items.append(OrderItem(sku, product.name, quantity, price))
    raise_if_any(problems)
    placed = TimelineEntry(OrderStatus.PENDING, now, Actor.customer(user_id))
    order = Order(
        order_id,
        user_id,
        tuple(items),
        currency,
        OrderStatus.PENDING,
        1,
        now,
        now,
        (placed,),
        expires_at=now + ttl if ttl is not None else None,
        idempotency_key=idempotency_key,
    )
    created = produced.CREATED(created_payload(order), now, sequence=order.version)
    return replace(order, events=(created,))


def _quantities(lines: Sequence[OrderLine]) -> dict[str, int]:
    """Quantity by sku, in the order first asked for (the same sku twice is one item)."""
    quantities: dict[str, int] = {}
    for line in lines:
        quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
    return quantities


def _line_problems(lines: Sequence[OrderLine]) -> list[Problem]:
    if not lines:
        return [Problem("NO_ITEMS", "An order needs at least one item.", ("items",))]
    if len(lines) > MAX_LINES:
        return [Problem("TOO_MANY_ITEMS", f"At most {MAX_LINES} items per order.", ("items",))]
    return [
        Problem(
            "INVALID_QUANTITY",
            f"Quantity must be between 1 and {MAX_QUANTITY}.",
            ("items", str(index), "quantity"),
        )
        for index, line in enumerate(lines)
        if not 1 <= line.quantity <= MAX_QUANTITY
    ]


def created_payload(order: Order) -> produced.OrderCreated:
    """Payload of `orders.created`: what other contexts need to know of a new order."""
    return {
        "order_id": order.id,
        "user_id": order.user_id,
        "status": order.status.value,
        "order_version": order.version,
        "currency": order.currency,
        "total": str(order.total.amount),
        "items": [
            {
                "sku": i.sku,
                "name": i.name,
                "quantity": i.quantity,
                "unit_price": str(i.unit_price.amount),
            }
            for i in order.items
        ],
    }


def status_payload(order: Order, previous: OrderStatus, **details: str | None) -> dict[str, Any]:
    """Payload of `orders.paid` and the other status events (`produced.StatusFields` and the
    `details` given)."""
    return {
        "order_id": order.id,
        "user_id": order.user_id,
        "status": order.status.value,
        "previous_status": previous.value,
        "order_version": order.version,
        "currency": order.currency,
        "total": str(order.total.amount),
        **{k: v for k, v in details.items() if v is not None},
    }
