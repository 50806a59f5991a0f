"""Composition root of the orders subgraph: settings in, ASGI app out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from subgraphs.kernel.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.auth import TokenVerifier, jwks_verifier
from subgraphs.kernel.background import BackgroundTask
from subgraphs.kernel.broadcast import StreamBroadcast
from subgraphs.kernel.consumer import StreamConsumer
from subgraphs.kernel.events import stream_of
from subgraphs.kernel.metrics import Counter
from subgraphs.kernel.outbox import OutboxRelay
from subgraphs.kernel.resources import MongoResource, RedisResource
from subgraphs.orders.domain.catalog import SEED_PRODUCTS
from subgraphs.orders.repository.mongo_catalog import MongoCatalog
from subgraphs.orders.repository.mongo_orders import MongoOrderRepository
from subgraphs.orders.settings import OrdersSettings
from subgraphs.orders.transport.context import OrdersContext, OrdersUseCases
from subgraphs.orders.transport.schema import build_schema
from subgraphs.orders.usecase.change_status import ApplyPaymentEvent, CancelOrder, ChangeStatus
from subgraphs.orders.usecase.create_order import CreateOrder
from subgraphs.orders.usecase.read_orders import ReadOrders

PAYMENT_EVENTS_IGNORED = Counter(
    "orders_payment_events_ignored_total",
    "Payment events the order status machine did not allow, by event type.",
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def build_app(settings: OrdersSettings, *, verifier: TokenVerifier | None = None) -> SubgraphApp:
    """The orders app; tokens are checked against the users JWKS unless `verifier` is given."""
    mongo = MongoResource(settings.mongo, settings.database)
    redis = RedisResource(settings.redis, critical=False)  # orders are taken while Redis is down
    streams = settings.streams

    relay = OutboxRelay.for_settings(mongo.db, redis.client, "orders", streams)
    orders = MongoOrderRepository(mongo.db, after_commit=relay.wake)
    catalog = MongoCatalog(mongo.db)
    mongo.on_start(orders.ensure_indexes)
    mongo.on_start(lambda: catalog.seed(SEED_PRODUCTS))

    change = ChangeStatus(orders, utc_now)
    apply_payment = ApplyPaymentEvent(
        change, on_ignored=lambda type_: PAYMENT_EVENTS_IGNORED.inc(type=type_)
    )
    consumer = StreamConsumer(
        redis.client,
        group="orders",
        streams=[stream_of("payments")],
        handlers=dict.fromkeys(ApplyPaymentEvent.TARGETS, apply_payment),
        max_deliveries=streams.max_deliveries,
        retry_after_ms=streams.retry_after_ms,
    )
    status_feed = StreamBroadcast(
        redis.client, stream_of("orders"), key_of=lambda e: str(e.payload.get("order_id"))
    )
    usecases = OrdersUseCases(
        create_order=CreateOrder(orders, catalog, utc_now, new_id),
        cancel_order=CancelOrder(change),
        read_orders=ReadOrders(orders, catalog),
        status_feed=status_feed,
    )
    verifier = verifier or jwks_verifier(settings.auth)

    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=lambda request: OrdersContext(
            request=request, verifier=verifier, usecases=usecases
        ),
        resources=[
            mongo,
            redis,
            relay.task(),
            BackgroundTask("payments-consumer", consumer.run),
            BackgroundTask("status-feed", status_feed.run),
        ],
    )
