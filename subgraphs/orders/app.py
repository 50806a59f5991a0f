"""Composition root of the orders subgraph: settings in, ASGI app out."""

from __future__ import annotations

from functools import partial

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.events import stream_of
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.graphql.auth import TokenVerifier, jwks_verifier
from subgraphs.kernel.messaging.broadcast import StreamBroadcast
from subgraphs.kernel.messaging.consumer import StreamConsumer
from subgraphs.kernel.messaging.outbox import OutboxRelay
from subgraphs.kernel.observability.metrics import Counter
from subgraphs.kernel.process.background import BackgroundTask
from subgraphs.kernel.runtime.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.stores.mongo import MongoUnitOfWork
from subgraphs.kernel.stores.resources import MongoResource, RedisResource
from subgraphs.orders.bootstrap import bootstrap
from subgraphs.orders.domain.catalog import SEED_PRODUCTS
from subgraphs.orders.repository.mongo_catalog import MongoCatalog
from subgraphs.orders.repository.mongo_orders import MongoOrderRepository
from subgraphs.orders.settings import OrdersSettings
from subgraphs.orders.transport.context import OrdersContext
from subgraphs.orders.transport.schema import build_schema
from subgraphs.orders.usecase.change_status import ApplyPaymentEvent

PAYMENT_EVENTS_IGNORED = Counter(
    "orders_payment_events_ignored_total",
    "Payment events the order status machine did not allow, by event type.",
)


def build_app(settings: OrdersSettings, *, verifier: TokenVerifier | None = None) -> SubgraphApp:
    """The orders app; tokens are checked against the users JWKS unless `verifier` is given."""
    mongo = MongoResource(settings.mongo, settings.database)
    redis = RedisResource(settings.redis, critical=False)  # orders are taken while Redis is down

    relay = OutboxRelay.for_settings(mongo.db, redis.client, "orders", settings.streams)
    uow = MongoUnitOfWork(mongo.db, "orders", after_commit=relay.wake)
    orders = MongoOrderRepository(mongo.db)
    catalog = MongoCatalog(mongo.db)
    mongo.on_start(uow.ensure_indexes)
    mongo.on_start(orders.ensure_indexes)
    mongo.on_start(lambda: catalog.seed(SEED_PRODUCTS))

    status_feed = StreamBroadcast(
        redis.client, stream_of("orders"), key_of=lambda e: str(e.payload.get("order_id"))
    )
    usecases = bootstrap(
        orders=orders,
        catalog=catalog,
        uow=uow,
        status_feed=status_feed,
        clock=utc_now,
        new_id=new_id,
        on_ignored=lambda type_: PAYMENT_EVENTS_IGNORED.inc(type=type_),
    )
    consumer = StreamConsumer.for_settings(
        redis.client,
        settings.streams,
        group="orders",
        producers=["payments"],
        handlers=dict.fromkeys(ApplyPaymentEvent.TARGETS, usecases.apply_payment_event),
    )
    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=partial(
            OrdersContext, verifier=verifier or jwks_verifier(settings.auth), usecases=usecases
        ),
        resources=[
            mongo,
            redis,
            relay.task(),
            consumer.task("payments-consumer"),
            BackgroundTask("status-feed", status_feed.run),
        ],
    )
