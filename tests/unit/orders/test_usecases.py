"""The orders use cases, wired by the orders bootstrap to in-memory fakes of their ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from subgraphs.kernel.core.errors import DomainError, NotAllowed
from subgraphs.kernel.core.events import Event
from subgraphs.orders.bootstrap import bootstrap
from subgraphs.orders.domain.catalog import SEED_PRODUCTS
from subgraphs.orders.domain.order import IllegalTransition, Order, OrderLine, OrderStatus
from subgraphs.orders.usecase import OrdersUseCases
from subgraphs.orders.usecase.change_status import EventTooEarly
from subgraphs.orders.usecase.read_orders import MAX_PAGE
from testkit.kernel import InMemoryUnitOfWork, SequentialIds, SteppingClock
from testkit.orders import InMemoryCatalog, InMemoryOrders, SilentFeed


@dataclass
class World:
    orders: InMemoryOrders = field(default_factory=InMemoryOrders)
    uow: InMemoryUnitOfWork = field(default_factory=lambda: InMemoryUnitOfWork("orders"))
    ignored: list[str] = field(default_factory=list)
    usecases: OrdersUseCases = field(init=False)

    def __post_init__(self) -> None:
        self.usecases = bootstrap(
            orders=self.orders,
            catalog=InMemoryCatalog(SEED_PRODUCTS),
            uow=self.uow,
            status_feed=SilentFeed(),
            clock=SteppingClock(),
            new_id=SequentialIds("order"),
            on_ignored=self.ignored.append,
        )

    async def place(self, user_id: str = "u-1") -> Order:
        return await self.usecases.create_order(user_id, [OrderLine("SKU-MUG", 2)], "usd")

    def stored(self, order_id: str) -> Order:
        return self.orders.by_id[order_id]

    def event_types(self) -> list[str]:
        return [e.type for e in self.uow.events]


@pytest.fixture
def world() -> World:
    return World()


def payment_event(kind: str, order_id: str, event_id: str = "e-1", **extra: str) -> Event:
    return Event(
        id=event_id,
        type=f"payments.{kind}",
        version=1,
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        producer="payments",
        correlation_id=None,
        payload={"order_id": order_id, "payment_id": "p-1", **extra},
    )


# -- create ---------------------------------------------------------------------------------


async def test_create_prices_the_order_stores_it_and_records_orders_created(world):
    order = await world.place()

    assert world.stored(order.id) == order
    assert (order.status, order.version, order.currency) == (OrderStatus.PENDING, 1, "USD")
    [event] = world.uow.events
    assert (event.type, event.producer) == ("orders.created", "orders")
    assert event.payload["order_id"] == order.id
    assert event.payload["total"] == str(order.total.amount)
    assert event.occurred_at == order.created_at


async def test_create_refuses_unknown_products_and_stores_nothing(world):
    with pytest.raises(DomainError) as error:
        await world.usecases.create_order("u-1", [OrderLine("SKU-NOPE", 1)], "USD")

    assert [p.code for p in error.value.problems] == ["UNKNOWN_SKU"]
    assert world.orders.by_id == {}
    assert world.uow.events == []


# -- cancel ---------------------------------------------------------------------------------


async def test_cancel_moves_a_pending_order_to_cancelled_with_its_event(world):
    order = await world.place()

    cancelled = await world.usecases.cancel_order("u-1", order.id)

    assert (cancelled.status, cancelled.version) == (OrderStatus.CANCELLED, 2)
    assert world.stored(order.id) == cancelled
    assert world.event_types() == ["orders.created", "orders.cancelled"]
    assert world.uow.events[-1].payload["previous_status"] == "PENDING"


async def test_cancel_of_someone_elses_order_is_not_allowed_and_changes_nothing(world):
    order = await world.place("u-1")

    with pytest.raises(NotAllowed):
        await world.usecases.cancel_order("u-2", order.id)

    assert world.stored(order.id).status is OrderStatus.PENDING
    assert world.event_types() == ["orders.created"]


async def test_cancel_of_a_missing_or_paid_order_is_a_user_error(world):
    with pytest.raises(DomainError) as missing:
        await world.usecases.cancel_order("u-1", "no-such-order")
    assert [p.code for p in missing.value.problems] == ["ORDER_NOT_FOUND"]

    order = await world.place()
    await world.usecases.apply_payment_event(payment_event("succeeded", order.id))
    with pytest.raises(IllegalTransition):
        await world.usecases.cancel_order("u-1", order.id)
    assert world.stored(order.id).status is OrderStatus.PAID


# -- payment events -------------------------------------------------------------------------


async def test_a_payment_event_is_applied_once(world):
    order = await world.place()
    event = payment_event("succeeded", order.id)

    await world.usecases.apply_payment_event(event)
    await world.usecases.apply_payment_event(event)

    assert (world.stored(order.id).status, world.stored(order.id).version) == (
        OrderStatus.PAID,
        2,
    )
    assert world.event_types() == ["orders.created", "orders.paid"]
    assert world.uow.events[-1].payload["payment_id"] == "p-1"
    assert world.ignored == []


async def test_a_failed_payment_records_the_reason(world):
    order = await world.place()

    await world.usecases.apply_payment_event(
        payment_event("failed", order.id, reason="card_declined")
    )

    assert world.stored(order.id).status is OrderStatus.PAYMENT_FAILED
    assert world.uow.events[-1].payload["reason"] == "card_declined"


async def test_a_refund_that_overtakes_its_payment_is_retried_until_the_payment_applied(world):
    order = await world.place()
    refund = payment_event("refunded", order.id, event_id="e-refund")

    with pytest.raises(EventTooEarly):
        await world.usecases.apply_payment_event(refund)
    assert world.stored(order.id).status is OrderStatus.PENDING
    assert not await world.uow.applied("e-refund")  # free for the consumer's retry

    await world.usecases.apply_payment_event(payment_event("succeeded", order.id))
    await world.usecases.apply_payment_event(refund)

    assert world.stored(order.id).status is OrderStatus.REFUNDED
    assert world.event_types() == ["orders.created", "orders.paid", "orders.refunded"]
    assert world.ignored == []


async def test_events_the_status_machine_refuses_are_ignored_and_counted(world):
    order = await world.place()
    await world.usecases.apply_payment_event(payment_event("succeeded", order.id, event_id="e-1"))

    await world.usecases.apply_payment_event(payment_event("failed", order.id, event_id="e-2"))
    await world.usecases.apply_payment_event(payment_event("succeeded", "no-such", event_id="e-3"))

    assert world.stored(order.id).status is OrderStatus.PAID
    assert world.ignored == ["payments.failed", "payments.succeeded"]


# -- reading --------------------------------------------------------------------------------


async def test_pages_are_newest_first_and_continue_after_the_cursor(world):
    placed = [await world.place("u-1") for _ in range(5)]
    await world.place("u-2")
    read = world.usecases.read_orders

    first = await read.page_for_user("u-1", 2, None)
    assert [o.id for o in first.orders] == [placed[4].id, placed[3].id]
    assert first.has_next
    rest = await read.page_for_user("u-1", 10, first.orders[-1].id)
    assert [o.id for o in rest.orders] == [placed[2].id, placed[1].id, placed[0].id]
    assert not rest.has_next


async def test_a_page_after_someone_elses_order_or_of_size_zero_is_empty(world):
    mine = await world.place("u-1")
    theirs = await world.place("u-2")
    read = world.usecases.read_orders

    assert (await read.page_for_user("u-1", 5, theirs.id)).orders == []
    assert (await read.page_for_user("u-1", 0, None)).orders == []
    assert [o.id for o in (await read.page_for_user("u-1", 5, None)).orders] == [mine.id]
    assert await read.by_ids([theirs.id, "missing"]) == [theirs, None]


async def test_a_page_holds_at_most_the_maximum(world):
    for _ in range(MAX_PAGE + 1):
        await world.place("u-1")

    page = await world.usecases.read_orders.page_for_user("u-1", MAX_PAGE + 50, None)

    assert len(page.orders) == MAX_PAGE
    assert page.has_next


async def test_the_price_list_is_sorted_by_sku(world):
    products = await world.usecases.read_orders.products()
    assert [p.sku for p in products] == sorted(p.sku for p in SEED_PRODUCTS)
