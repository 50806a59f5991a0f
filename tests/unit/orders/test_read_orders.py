"""Reading orders: a user's pages newest first, every customer's filtered (staff), by id."""

from __future__ import annotations

from subgraphs.orders.domain.order import OrderStatus
from subgraphs.orders.usecase.ports import OrderFilter
from subgraphs.orders.usecase.read_orders import MAX_PAGE


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


async def test_staff_pages_hold_every_customers_orders_matching_the_filter(world):
    a1, b1, a2 = await world.place("u-1"), await world.place("u-2"), await world.place("u-1")
    await world.usecases.cancel_order("u-1", a1.id)
    read = world.usecases.read_orders

    everyone = await read.page_of_all(OrderFilter(), 10, None)
    assert [o.id for o in everyone.orders] == [a2.id, b1.id, a1.id]
    by_customer = await read.page_of_all(OrderFilter(user_id="u-1"), 10, None)
    assert [o.id for o in by_customer.orders] == [a2.id, a1.id]
    cancelled = await read.page_of_all(OrderFilter(status=OrderStatus.CANCELLED), 10, None)
    assert [o.id for o in cancelled.orders] == [a1.id]
    assert [
        o.id for o in (await read.page_of_all(OrderFilter(order_id=b1.id), 10, None)).orders
    ] == [b1.id]
    window = OrderFilter(created_from=b1.created_at, created_before=a2.created_at)
    assert [o.id for o in (await read.page_of_all(window, 10, None)).orders] == [b1.id]


async def test_a_staff_page_continues_after_any_customers_order(world):
    a1, b1, a2 = await world.place("u-1"), await world.place("u-2"), await world.place("u-1")
    read = world.usecases.read_orders

    first = await read.page_of_all(OrderFilter(), 1, None)
    assert [o.id for o in first.orders] == [a2.id]
    assert first.has_next
    rest = await read.page_of_all(OrderFilter(), 5, first.orders[-1].id)
    assert [o.id for o in rest.orders] == [b1.id, a1.id]
    assert not rest.has_next
    # After an order that does not exist: the list ends (nothing is guessed).
    assert (await read.page_of_all(OrderFilter(), 5, "missing")).orders == []
