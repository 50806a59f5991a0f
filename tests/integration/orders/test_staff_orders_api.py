"""Staff queries of the orders subgraph on the real stores: every customer's orders filtered
and paged on MongoDB's indexes, any one order by id, refused without the scope."""

from __future__ import annotations

import uuid

import pytest

from subgraphs.kernel.core.access import Role
from subgraphs.orders.repository.mongo_orders import MongoOrderRepository
from testkit.client import error_codes, graphql
from tests.integration.orders.test_orders_api import create

pytestmark = pytest.mark.integration

STAFF_ORDERS = """
query($filter: StaffOrderFilter, $first: Int!, $after: String) {
  staffOrders(filter: $filter, first: $first, after: $after) {
    edges { node { id status user { id } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
STAFF_ORDER = "query($id: ID!) { staffOrder(id: $id) { id user { id } } }"
CANCEL = """mutation($input: CancelOrderInput!) { cancelOrder(input: $input) {
  order { status } userErrors { code } } }"""
STAFF_CANCEL = """mutation($input: StaffCancelOrderInput!) { staffCancelOrder(input: $input) {
  order { id status timeline { status actorKind actor { id } reason } }
  userErrors { code field } } }"""
TIMELINE = "query($id: ID!) { order(id: $id) { id timeline { status } } }"
MUG = [{"sku": "SKU-MUG", "quantity": 1}]


def a_user() -> str:
    return f"user-{uuid.uuid4().hex[:8]}"


async def ids(client, token, filter, first=50, after=None):
    variables = {"filter": filter, "first": first, "after": after}
    body = await graphql(client, STAFF_ORDERS, variables, token=token)
    assert "errors" not in body, body
    page = body["data"]["staffOrders"]
    return [e["node"]["id"] for e in page["edges"]], page["pageInfo"]


async def test_staff_list_any_customers_orders_by_filter_newest_first(
    orders_client, orders_db, issue, test_tokens
):
    alice, bob = a_user(), a_user()
    a = [(await create(orders_client, issue(alice), MUG))["order"]["id"] for _ in range(3)]
    b = (await create(orders_client, issue(bob), MUG))["order"]["id"]
    cancelled = await graphql(
        orders_client, CANCEL, {"input": {"orderId": a[1]}}, token=issue(alice)
    )
    assert cancelled["data"]["cancelOrder"]["userErrors"] == []
    staff = test_tokens.staff("staff-1", Role.SUPPORT)

    assert (await ids(orders_client, staff, {}))[0][:4] == [b, a[2], a[1], a[0]]
    assert (await ids(orders_client, staff, {"customerId": alice}))[0] == [a[2], a[1], a[0]]
    assert (await ids(orders_client, staff, {"status": "CANCELLED", "customerId": alice}))[0] == [
        a[1]
    ]
    assert (await ids(orders_client, staff, {"status": "CANCELLED"}))[0][0] == a[1]
    assert (await ids(orders_client, staff, {"orderId": b}))[0] == [b]
    # Created between: from inclusive, before exclusive. (Without `customerId`: SecantusDB,
    # the test store, drops the boundary document of a range on `created_at` scanned through
    # the compound (user_id, created_at desc) index; MongoDB does not.)
    stored = await orders_db["orders"].find_one({"_id": a[1]})
    moment = stored["created_at"].isoformat()
    assert (await ids(orders_client, staff, {"createdFrom": moment}))[0] == [b, a[2], a[1]]
    assert (await ids(orders_client, staff, {"createdBefore": moment}))[0] == [a[0]]

    first, info = await ids(orders_client, staff, {"customerId": alice}, first=2)
    assert first == [a[2], a[1]]
    assert info["hasNextPage"]
    rest, info = await ids(orders_client, staff, {"customerId": alice}, 2, info["endCursor"])
    assert rest == [a[0]]
    assert not info["hasNextPage"]

    body = await graphql(orders_client, STAFF_ORDER, {"id": b}, token=staff)
    assert body["data"]["staffOrder"] == {"id": b, "user": {"id": bob}}


async def test_without_the_scope_staff_fields_are_refused_by_the_subgraph(
    orders_client, issue, test_tokens
):
    alice = a_user()
    order = (await create(orders_client, issue(alice), MUG))["order"]["id"]
    for token, code in [
        (None, "UNAUTHENTICATED"),
        (issue(alice), "FORBIDDEN"),  # even the owner: staffOrder is a staff field
        (test_tokens.staff("staff-2", Role.CATALOG), "FORBIDDEN"),
    ]:
        body = await graphql(orders_client, STAFF_ORDER, {"id": order}, token=token)
        assert error_codes(body) == [code]
        assert body["data"] == {"staffOrder": None}
        body = await graphql(orders_client, STAFF_ORDERS, {"first": 5}, token=token)
        assert error_codes(body) == [code]
        assert body["data"] is None


async def test_a_bad_cursor_is_bad_user_input(orders_client, test_tokens):
    staff = test_tokens.staff("staff-3", Role.ADMIN)
    body = await graphql(orders_client, STAFF_ORDERS, {"first": 1, "after": "nope"}, token=staff)
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_each_filter_has_an_index_ending_in_the_page_order(orders_db):
    await MongoOrderRepository(orders_db).ensure_indexes()
    indexes = {
        i["name"]: list(i["key"].items()) async for i in await orders_db["orders"].list_indexes()
    }
    newest = [("created_at", -1), ("_id", -1)]
    assert indexes["newest_first"] == newest
    assert indexes["by_status_newest_first"] == [("status", 1), *newest]
    assert indexes["by_user_newest_first"] == [("user_id", 1), *newest]


async def test_staff_cancel_any_customers_unpaid_order_with_a_reason(
    orders_client, orders_db, issue, test_tokens
):
    alice = a_user()
    order = (await create(orders_client, issue(alice), MUG))["order"]["id"]
    support = test_tokens.staff("staff-4", Role.SUPPORT)

    async def cancel(token, reason="Customer asked by phone"):
        variables = {"input": {"orderId": order, "reason": reason}}
        return await graphql(orders_client, STAFF_CANCEL, variables, token=token)

    blank = (await cancel(support, "  "))["data"]["staffCancelOrder"]
    assert blank == {
        "order": None,
        "userErrors": [{"code": "REASON_REQUIRED", "field": ["input", "reason"]}],
    }
    for token, code in [
        (None, "UNAUTHENTICATED"),
        (issue(alice), "FORBIDDEN"),  # the owner too: theirs is cancelOrder
        (test_tokens.staff("staff-5", Role.CATALOG), "FORBIDDEN"),
    ]:
        body = await cancel(token)
        assert (error_codes(body), body["data"]) == ([code], None)
    assert (await orders_db["orders"].find_one({"_id": order}))["status"] == "PENDING"

    done = (await cancel(support))["data"]["staffCancelOrder"]
    assert done["userErrors"] == []
    assert done["order"]["status"] == "CANCELLED"
    assert done["order"]["timeline"] == [
        {"status": "PENDING", "actorKind": "CUSTOMER", "actor": {"id": alice}, "reason": None},
        {
            "status": "CANCELLED",
            "actorKind": "STAFF",
            "actor": {"id": "staff-4"},
            "reason": "Customer asked by phone",
        },
    ]
    [event] = (
        await orders_db["outbox"]
        .find({"payload.order_id": order, "type": "orders.cancelled"})
        .to_list()
    )
    assert (event["payload"]["actor_id"], event["payload"]["reason"]) == (
        "staff-4",
        "Customer asked by phone",
    )

    again = (await cancel(support))["data"]["staffCancelOrder"]
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_TRANSITION"]
    missing = await graphql(
        orders_client,
        STAFF_CANCEL,
        {"input": {"orderId": "no-such-order", "reason": "x"}},
        token=support,
    )
    assert [e["code"] for e in missing["data"]["staffCancelOrder"]["userErrors"]] == [
        "ORDER_NOT_FOUND"
    ]

    # The timeline is staff's: the owner reads the order, not its timeline.
    body = await graphql(orders_client, TIMELINE, {"id": order}, token=issue(alice))
    assert error_codes(body) == ["FORBIDDEN"]
