"""The expiry pass on the real store: orders stored before deadlines existed expire too."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from bson import Decimal128
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.stores.mongo import CODEC_OPTIONS, MongoUnitOfWork
from subgraphs.orders.bootstrap import bootstrap
from subgraphs.orders.repository.mongo_catalog import MongoCatalog
from subgraphs.orders.repository.mongo_orders import MongoOrderRepository
from subgraphs.orders.usecase import OrdersUseCases
from testkit.orders import SilentFeed

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
