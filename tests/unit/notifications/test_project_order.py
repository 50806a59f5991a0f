"""The order-summary projection: each order's total and currency, from `orders.created`."""

from __future__ import annotations

import pytest

from subgraphs.notifications.domain.messages import InvalidPayload
from testkit.notifications import Context as World

CREATED = {"order_id": "ord-1", "user_id": "u-1", "total": "9.95", "currency": "USD"}


async def test_an_order_created_keeps_its_total_and_currency_as_text(world: World):
    await world.usecases.project_order(world.event("orders.created", CREATED))
    await world.usecases.project_order(
        world.event("orders.created", {**CREATED, "order_id": "ord-2", "total": 12})
    )

    assert await world.orders.get("ord-1") == {"total": "9.95", "currency": "USD"}
    assert await world.orders.get("ord-2") == {"total": "12", "currency": "USD"}
    assert await world.orders.get("ord-3") is None


async def test_the_same_event_again_changes_nothing(world: World):
    event = world.event("orders.created", CREATED)

    await world.usecases.project_order(event)
    await world.usecases.project_order(event)

    assert world.orders.by_id == {"ord-1": {"total": "9.95", "currency": "USD"}}


@pytest.mark.parametrize("missing", ["order_id", "total", "currency"])
async def test_an_order_without_its_id_total_or_currency_is_invalid_and_kept_nowhere(
    world: World, missing
):
    payload = {k: v for k, v in CREATED.items() if k != missing}

    with pytest.raises(InvalidPayload):
        await world.usecases.project_order(world.event("orders.created", payload))

    assert world.orders.by_id == {}
