"""The expiry pass on the real store: orders stored before deadlines existed expire too; of
two replicas' passes over one backlog, the one holding the lease works, and each order
expires once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
import pytest
import redis.asyncio as aioredis
from bson import Decimal128
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.events import Event
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.process.lease import MongoLease
from subgraphs.kernel.stores.mongo import CODEC_OPTIONS, MongoUnitOfWork
from subgraphs.orders.app import build_app
from subgraphs.orders.bootstrap import bootstrap
from subgraphs.orders.domain.order import Order, OrderStatus
from subgraphs.orders.repository.mongo_catalog import MongoCatalog
from subgraphs.orders.repository.mongo_orders import MongoOrderRepository
from subgraphs.orders.usecase import OrdersUseCases
from subgraphs.orders.usecase.change_status import ChangeStatus
from subgraphs.orders.usecase.expire import ExpireOrders
from testkit.client import graphql
from testkit.orders import SilentFeed, publish_catalog_events, seed_catalog_events
from testkit.waiting import eventually
from tests.integration.orders.conftest import orders_settings, until_ready

pytestmark = pytest.mark.integration

TTL = timedelta(minutes=15)


@pytest.fixture
async def db(mongo_client: AsyncMongoClient, db_prefix: str) -> AsyncIterator[AsyncDatabase]:
    """An orders database of its own for one test, dropped afterwards."""
    name = f"{db_prefix}ox{uuid.uuid4().hex[:8]}"
    database = mongo_client.get_database(name, codec_options=CODEC_OPTIONS)
    await MongoOrderRepository(database).ensure_indexes()
    await MongoUnitOfWork(database, "orders").ensure_indexes()
    yield database
    await mongo_client.drop_database(name)


def usecases(db: AsyncDatabase) -> OrdersUseCases:
    """The orders use cases of one process on `db`, wired by the bootstrap."""
    return bootstrap(
        orders=MongoOrderRepository(db),
        catalog=MongoCatalog(db),
        uow=MongoUnitOfWork(db, "orders"),
        status_feed=SilentFeed(),
        clock=utc_now,
        new_id=new_id,
        reservation_ttl=TTL,
    )


def stored_before_deadlines(status: str, created_at: datetime) -> dict:
    """An order as orders stored it before deadlines (and timelines) existed."""
    return {
        "_id": new_id(),
        "user_id": "u-old",
        "items": [
            {"sku": "SKU-MUG", "name": "Mug", "quantity": 1, "unit_price": Decimal128("12.00")}
        ],
        "currency": "USD",
        "status": status,
        "version": 1,
        "created_at": created_at,
        "updated_at": created_at,
    }


async def test_an_order_stored_without_a_deadline_expires_ttl_after_it_was_placed(db):
    now = utc_now()
    due = stored_before_deadlines("PENDING", now - TTL - timedelta(minutes=1))
    failed = stored_before_deadlines("PAYMENT_FAILED", now - 2 * TTL)
    recent = stored_before_deadlines("PENDING", now - TTL / 3)
    paid = stored_before_deadlines("PAID", now - 2 * TTL)
    await db["orders"].insert_many([due, failed, recent, paid])

    assert await usecases(db).expire_orders() == 2

    docs = {d["_id"]: d async for d in db["orders"].find()}
    assert docs[due["_id"]]["status"] == "CANCELLED"
    assert docs[failed["_id"]]["status"] == "CANCELLED"
    assert docs[recent["_id"]]["status"] == "PENDING"
    assert docs[recent["_id"]]["version"] == 1  # a deadline is not a change of the order
    assert abs(docs[recent["_id"]]["expires_at"] - (recent["created_at"] + TTL)) < timedelta(
        milliseconds=1
    )
    assert docs[paid["_id"]]["status"] == "PAID"
    assert "expires_at" not in docs[paid["_id"]]  # never payable again: no deadline
    cancelled = await db["outbox"].find({"type": "orders.cancelled"}).to_list()
    assert sorted(e["payload"]["order_id"] for e in cancelled) == sorted(
        [due["_id"], failed["_id"]]
    )
    assert {e["payload"]["reason"] for e in cancelled} == {"expired"}
    assert Decimal(str(cancelled[0]["payload"]["total"])) == Decimal("12.00")


class Recorded(ChangeStatus):
    """The status change, noting each order it cancelled and calling `after(count)` then."""

    def __init__(
        self, db: AsyncDatabase, after: Callable[[int], Awaitable[None]] | None = None
    ) -> None:
        super().__init__(MongoOrderRepository(db), MongoUnitOfWork(db, "orders"), utc_now)
        self.cancelled: list[str] = []
        self._after = after

    async def __call__(  # type: ignore[override]
        self, order_id: str, status: OrderStatus, *, reason: str | None = None
    ) -> Order | None:
        changed = await super().__call__(order_id, status, reason=reason)
        self.cancelled.append(order_id)
        if self._after is not None:
            await self._after(len(self.cancelled))
        return changed


async def test_a_pass_that_lost_its_lease_stops_and_each_order_expires_once(db):
    batch, due = 10, 50
    placed = utc_now() - 2 * TTL
    backlog = [
        stored_before_deadlines("PENDING", placed) | {"expires_at": placed + TTL}
        for _ in range(due)
    ]
    await db["orders"].insert_many(backlog)
    lease_now = [utc_now()]
    first_lease = MongoLease(db, "order-expiry", seconds=10, clock=lambda: lease_now[0])
    second_lease = MongoLease(db, "order-expiry", seconds=10, clock=lambda: lease_now[0])
    second_worked, first_done = asyncio.Event(), asyncio.Event()
    second_pass: list[asyncio.Task[int]] = []

    async def first_slowed(count: int) -> None:
        if count == batch:  # its first batch took longer than its lease: another takes over
            lease_now[0] += timedelta(seconds=11)
            second_pass.append(asyncio.create_task(second(hold=second_lease.hold)))
            await second_worked.wait()

    async def second_paused(count: int) -> None:
        if count == batch:  # both passes are now under way
            second_worked.set()
            await first_done.wait()

    first_changes, second_changes = Recorded(db, first_slowed), Recorded(db, second_paused)
    repo = MongoOrderRepository(db)
    first = ExpireOrders(repo, first_changes, utc_now, ttl=TTL, batch=batch)
    second = ExpireOrders(repo, second_changes, utc_now, ttl=TTL, batch=batch)

    first_count = await asyncio.wait_for(first(hold=first_lease.hold), 30)
    first_done.set()
    second_count = await asyncio.wait_for(second_pass[0], 30)

    assert (first_count, second_count) == (batch, due - batch)  # the first stopped at once
    assert len(first_changes.cancelled) == batch
    assert not set(first_changes.cancelled) & set(second_changes.cancelled)
    cancelled = await db["orders"].count_documents({"status": "CANCELLED"})
    events = await db["outbox"].find({"type": "orders.cancelled"}).to_list()
    assert cancelled == due
    assert sorted(e["payload"]["order_id"] for e in events) == sorted(d["_id"] for d in backlog)


async def test_two_orders_apps_expire_each_order_once(
    mongo_uri, db_prefix, own_redis, test_tokens, mongo_client
):
    database = f"{db_prefix}orders_replicas"
    redis = aioredis.Redis.from_url(own_redis.url, decode_responses=True)
    await publish_catalog_events(redis, seed_catalog_events())
    settings = orders_settings(
        mongo_uri, own_redis.url, database, reservation_ttl_seconds=1, expiry_interval_seconds=0.05
    )
    replicas = [build_app(settings, verifier=test_tokens.verifier) for _ in range(2)]
    orders = mongo_client.get_database(database, codec_options=CODEC_OPTIONS)["orders"]
    try:
        async with replicas[0].lifespan(), replicas[1].lifespan():
            transport = httpx.ASGITransport(app=replicas[0])
            async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
                await until_ready(client)
                ids = []
                for n in range(12):
                    body = await graphql(
                        client,
                        'mutation { createOrder(input: {items: [{sku: "SKU-MUG", quantity: 1}]}) '
                        "{ order { id } userErrors { code } } }",
                        token=test_tokens.issue(f"u-{n}"),
                    )
                    ids.append(body["data"]["createOrder"]["order"]["id"])

            async def all_published() -> list[str] | None:
                entries = await redis.xrange("events.orders")
                types = [Event.from_fields(f) for _, f in entries]
                cancelled = [e.payload["order_id"] for e in types if e.type == "orders.cancelled"]
                return cancelled if len(set(cancelled)) == len(ids) else None

            await eventually(all_published, what="every order expired and announced")
            leases = await orders.database["leases"].count_documents({"_id": "order-expiry"})
        # Both replicas stopped: every pass is over.
        statuses = await orders.distinct("status")
        outbox = orders.database["outbox"]
        written = await outbox.find({"type": "orders.cancelled"}).to_list()
        cancelled = await all_published()
    finally:
        await redis.aclose()
        await mongo_client.drop_database(database)

    assert statuses == ["CANCELLED"]
    assert leases == 1
    assert sorted(e["payload"]["order_id"] for e in written) == sorted(ids)  # once each
    assert sorted(cancelled or []) == sorted(ids)


async def test_the_query_finds_exactly_the_orders_the_expiry_rule_names(db):
    now = utc_now()
    deadlines = {
        "past": now - timedelta(seconds=1),
        "now": now,
        "future": now + timedelta(seconds=1),
        "none": None,
    }
    docs = [
        stored_before_deadlines(status.value, now - TTL) | {"expires_at": deadline}
        for status in OrderStatus
        for deadline in deadlines.values()
    ]
    await db["orders"].insert_many(docs)
    repo = MongoOrderRepository(db)
    orders = [o for o in await repo.get_many([d["_id"] for d in docs]) if o is not None]

    found = await repo.expired(now, limit=len(docs))

    named = {o.id for o in orders if o.expired(now)}
    assert len(named) == 4  # PENDING and PAYMENT_FAILED, due in the past or now
    assert {o.id for o in found} == named
    earliest_first = [o.expires_at or now for o in found]
    assert earliest_first == sorted(earliest_first)
