"""Payments in the stock saga: an order is paid only once the catalog reserved its stock
(`stock.reserved` on events.catalog, possibly before `orders.created`), never when
rejected; a staff refund may return the units to stock (`restock`)."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.access import Scope
from testkit.client import graphql
from testkit.waiting import eventually
from tests.integration.payments.conftest import announce, new_order_id, reserve
from tests.integration.payments.test_payments_api import REFUND, process, wait_for_view

pytestmark = pytest.mark.integration


def codes(result) -> list[tuple[str, bool | None]]:
    return [(e["code"], e.get("retryable")) for e in result["userErrors"]]


async def test_an_order_is_paid_only_once_its_stock_is_reserved(
    payments_client, payments_db, streams, issue
):
    user, order_id = "reserver", new_order_id()
    await announce(streams, order_id, user, reserved=False)
    await wait_for_view(payments_db, order_id, reserved=False)
    token = issue(user)

    early = await process(payments_client, token, order_id, key="k-1")

    assert early["payment"] is None
    assert codes(early) == [("STOCK_NOT_RESERVED_YET", True)]
    assert await payments_db["payments"].count_documents({"order_id": order_id}) == 0
    await reserve(streams, order_id, user)

    async def paid():
        result = await process(payments_client, token, order_id, key="k-1")
        return result if result["payment"] else None

    assert (await eventually(paid))["payment"]["status"] == "SUCCEEDED"


async def test_stock_reserved_before_the_order_event_is_kept(
    payments_client, payments_db, streams, issue
):
    user, order_id = "overtaken", new_order_id()
    await reserve(streams, order_id, user)  # the catalog's stream overtook the orders stream

    async def flagged():
        return await payments_db["orders_view"].find_one({"_id": order_id, "stock_reserved": True})

    await eventually(flagged, what="the reservation remembered")
    await announce(streams, order_id, user, reserved=False)
    await wait_for_view(payments_db, order_id)  # reserved, with the order's fields

    result = await process(payments_client, issue(user), order_id)
    assert result["userErrors"] == []
    assert result["payment"]["status"] == "SUCCEEDED"


async def test_a_rejected_order_cannot_be_paid(payments_client, payments_db, streams, issue):
    user, order_id = "rejected", new_order_id()
    await announce(streams, order_id, user, reserved=False)
    await announce(streams, order_id, user, type="orders.rejected", status="REJECTED", version=2)
    await wait_for_view(payments_db, order_id, "REJECTED", reserved=False)

    result = await process(payments_client, issue(user), order_id)

    assert codes(result) == [("ORDER_REJECTED", False)]
    assert await payments_db["payments"].count_documents({"order_id": order_id}) == 0


async def test_a_staff_refund_with_restock_carries_it_in_payments_refunded(
    payments_client, payments_db, streams, issue, test_tokens
):
    user, order_id = "restocker", new_order_id()
    await announce(streams, order_id, user)
    await wait_for_view(payments_db, order_id)
    paid = (await process(payments_client, issue(user), order_id))["payment"]
    staff = test_tokens.scoped(Scope.REFUNDS_DECIDE, user_id="staff-restocker")
    variables = {
        "input": {
            "paymentId": paid["id"],
            "idempotencyKey": "r-1",
            "reason": "returned unopened",
            "restock": True,
        }
    }

    body = await graphql(payments_client, REFUND, variables, token=staff)

    assert body["data"]["refundPayment"]["userErrors"] == []
    refunded = await payments_db["outbox"].find_one(
        {"payload.order_id": order_id, "type": "payments.refunded"}
    )
    assert (refunded["payload"]["restock"], refunded["payload"]["actor_id"]) == (
        True,
        "staff-restocker",
    )
