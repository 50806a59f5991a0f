"""Order status changes on the real store: one winner under races, nothing lost without Redis."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import pytest
import redis.asyncio as aioredis
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.events import Event, EventTooEarly
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.stores.mongo import MongoUnitOfWork
from subgraphs.orders.app import build_app
from subgraphs.orders.bootstrap import bootstrap
from subgraphs.orders.domain.order import ActorKind, IllegalTransition, OrderLine, OrderStatus
from subgraphs.orders.repository.mongo_catalog import MongoCatalog
from subgraphs.orders.repository.mongo_orders import MongoOrderRepository
from subgraphs.orders.usecase import OrdersUseCases
from subgraphs.orders.usecase.ports import ConcurrentUpdate
from testkit.client import graphql
from testkit.orders import (
    SilentFeed,
    feed_seed_catalog,
    publish_catalog_events,
    seed_catalog_events,
)
from tests.integration.orders.conftest import orders_settings, until_ready

pytestmark = pytest.mark.integration


def now() -> datetime:
    return utc_now()


@dataclass
class Wired:
    """The orders use cases on the real store, wired by the bootstrap (no relay, no feed)."""

    db: AsyncDatabase
    repo: MongoOrderRepository = field(init=False)
    ignored: list[str] = field(default_factory=list)
    usecases: OrdersUseCases = field(init=False)

    def __post_init__(self) -> None:
        self.repo = MongoOrderRepository(self.db)
        self.usecases = bootstrap(
            orders=self.repo,
            catalog=MongoCatalog(self.db),
            uow=MongoUnitOfWork(self.db, "orders"),
            status_feed=SilentFeed(),
            clock=utc_now,
            new_id=new_id,
            reservation_ttl=timedelta(minutes=15),
            on_ignored=self.ignored.append,
        )


@pytest.fixture
async def wired(orders_db) -> Wired:
    await MongoOrderRepository(orders_db).ensure_indexes()
    await MongoUnitOfWork(orders_db, "orders").ensure_indexes()
    wired = Wired(orders_db)
    await feed_seed_catalog(wired.usecases.apply_product_change)
    return wired


async def place(wired: Wired, user: str = "u-1"):
    return await wired.usecases.create_order(user, [OrderLine("SKU-MUG", 2)], "USD")


def paid_event(order_id: str) -> Event:
    return Event.create(
        "payments.succeeded",
        {"order_id": order_id, "payment_id": "p-1"},
        producer="payments",
        occurred_at=now(),
    )


async def status_events(orders_db, order_id: str) -> list[str]:
    docs = await orders_db["outbox"].find({"payload.order_id": order_id}).to_list()
    return sorted(d["type"] for d in docs if d["type"] != "orders.created")


async def test_a_stale_version_is_refused(wired):
    order = await place(wired)
    await wired.repo.save(order.transition(OrderStatus.PAID, now()))

    with pytest.raises(ConcurrentUpdate):
        await wired.repo.save(order.transition(OrderStatus.CANCELLED, now()))

    [stored] = await wired.repo.get_many([order.id])
    assert stored is not None
    assert (stored.status, stored.version) == (OrderStatus.PAID, 2)
    assert [e.status for e in stored.timeline] == [OrderStatus.PENDING, OrderStatus.PAID]


async def test_of_a_cancel_and_a_payment_racing_exactly_one_wins(wired, orders_db):
    order = await place(wired, user="racer")

    outcomes = await asyncio.gather(
        wired.usecases.cancel_order("racer", order.id),
        wired.usecases.apply_payment_event(paid_event(order.id)),
        return_exceptions=True,
    )

    [stored] = await wired.repo.get_many([order.id])
    assert stored is not None
    assert stored.version == 2
    if stored.status is OrderStatus.CANCELLED:
        assert wired.ignored == ["payments.succeeded"]
        assert await status_events(orders_db, order.id) == ["orders.cancelled"]
    else:
        assert stored.status is OrderStatus.PAID
        assert isinstance(outcomes[0], IllegalTransition)
        assert await status_events(orders_db, order.id) == ["orders.paid"]


async def test_ten_concurrent_cancels_one_succeeds(wired, orders_db):
    order = await place(wired, user="canceller")
    cancel = wired.usecases.cancel_order

    outcomes = await asyncio.gather(
        *(cancel("canceller", order.id) for _ in range(10)), return_exceptions=True
    )

    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(o, IllegalTransition) for o in outcomes if o not in winners)
    assert await status_events(orders_db, order.id) == ["orders.cancelled"]


async def test_the_same_payment_event_twice_changes_the_order_once(wired, orders_db):
    order = await place(wired)
    event = paid_event(order.id)

    await wired.usecases.apply_payment_event(event)
    await wired.usecases.apply_payment_event(event)

    assert wired.ignored == []  # a duplicate is not an ignored (illegal) event
    [stored] = await wired.repo.get_many([order.id])
    assert stored is not None
    assert (stored.status, stored.version) == (OrderStatus.PAID, 2)
    assert [(e.status, e.actor.kind) for e in stored.timeline] == [
        (OrderStatus.PENDING, ActorKind.CUSTOMER),
        (OrderStatus.PAID, ActorKind.SYSTEM),
    ]
    assert await status_events(orders_db, order.id) == ["orders.paid"]


async def test_an_order_stored_before_timelines_gets_its_derived_one_with_its_next_change(
    wired, orders_db
):
    order = await place(wired, user="old-customer")
    await wired.usecases.apply_payment_event(paid_event(order.id))
    await orders_db["orders"].update_one({"_id": order.id}, {"$unset": {"timeline": ""}})
    [old] = await wired.repo.get_many([order.id])
    assert old is not None
    assert old.timeline == ()
    assert [(e.status, e.actor.kind, e.actor.id) for e in old.history] == [
        (OrderStatus.PENDING, ActorKind.CUSTOMER, "old-customer"),
        (OrderStatus.PAID, ActorKind.SYSTEM, None),
    ]

    refund = Event.create(
        "payments.refunded",
        {"order_id": order.id, "payment_id": "p-1", "actor_id": "staff-1", "reason": "broken"},
        producer="payments",
        occurred_at=now(),
    )
    await wired.usecases.apply_payment_event(refund)

    doc = await orders_db["orders"].find_one({"_id": order.id})
    assert [
        (e["status"], e["actor_kind"], e["actor_id"], e["reason"]) for e in doc["timeline"]
    ] == [
        ("PENDING", "CUSTOMER", "old-customer", None),
        ("PAID", "SYSTEM", None, None),
        ("REFUNDED", "STAFF", "staff-1", "broken"),
    ]


async def test_a_refund_that_overtakes_its_payment_waits_for_it(wired):
    order = await place(wired)
    refund = Event.create(
        "payments.refunded",
        {"order_id": order.id, "payment_id": "p-1"},
        producer="payments",
        occurred_at=now(),
    )

    with pytest.raises(EventTooEarly):
        await wired.usecases.apply_payment_event(refund)  # the consumer delivers it again later
    await wired.usecases.apply_payment_event(paid_event(order.id))
    await wired.usecases.apply_payment_event(refund)

    [stored] = await wired.repo.get_many([order.id])
    assert stored is not None
    assert stored.status is OrderStatus.REFUNDED
    assert wired.ignored == []


async def test_a_late_failure_of_a_paid_order_is_ignored_and_counted(wired):
    order = await place(wired)
    await wired.usecases.apply_payment_event(paid_event(order.id))

    await wired.usecases.apply_payment_event(
        Event.create(
            "payments.failed",
            {"order_id": order.id, "reason": "card_declined"},
            producer="payments",
            occurred_at=now(),
        )
    )

    [stored] = await wired.repo.get_many([order.id])
    assert stored is not None
    assert stored.status is OrderStatus.PAID
    assert wired.ignored == ["payments.failed"]


async def test_an_order_placed_while_redis_is_down_is_published_when_it_is_back(
    mongo_uri, db_prefix, own_redis, test_tokens, mongo_client
):
    issue, verifier = test_tokens.issue, test_tokens.verifier
    assert own_redis.url
    # A database of its own: no other relay may publish this test's events.
    database = f"{db_prefix}orders_offline"
    orders_db = mongo_client[database]
    app = build_app(orders_settings(mongo_uri, own_redis.url, database), verifier=verifier)
    client = aioredis.Redis.from_url(own_redis.url, decode_responses=True)
    await client.delete("events.catalog")
    await publish_catalog_events(client, seed_catalog_events())
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://orders") as orders:
            await until_ready(orders)
            own_redis.stop()
            body = await graphql(
                orders,
                'mutation { createOrder(input: {items: [{sku: "SKU-MUG", quantity: 1}]}) '
                "{ order { id status } userErrors { code } } }",
                token=issue("offline-user"),
            )
            payload = body["data"]["createOrder"]
            assert payload["userErrors"] == []
            order_id = payload["order"]["id"]
            await asyncio.sleep(0.3)
            pending = await orders_db["outbox"].count_documents(
                {"payload.order_id": order_id, "published": False}
            )
            assert pending == 1

            own_redis.start()
            own_redis.wait_ready()
            published: list[str] = []
            for _ in range(100):
                entries = await client.xrange("events.orders")
                published = [f["type"] for _, f in entries if order_id in f["payload"]]
                if published:
                    break
                await asyncio.sleep(0.1)
    await client.aclose()
    await mongo_client.drop_database(database)
    assert published == ["orders.created"]
