"""Composition root of the orders subgraph: settings in, ASGI app out."""

from __future__ import annotations

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.events import stream_of
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.graphql.auth import TokenVerifier
from subgraphs.kernel.messaging.broadcast import StreamBroadcast
from subgraphs.kernel.observability.metrics import Counter
from subgraphs.kernel.process.background import BackgroundTask
from subgraphs.kernel.runtime.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.runtime.wiring import ContextStores
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
    stores = ContextStores(settings, "orders")  # orders are taken while Redis is down
    orders = MongoOrderRepository(stores.db)
    catalog = MongoCatalog(stores.db)
    stores.indexed(orders)
    stores.mongo.on_start(lambda: catalog.seed(SEED_PRODUCTS))

    status_feed = StreamBroadcast(
        stores.redis.client, stream_of("orders"), key_of=lambda e: str(e.payload.get("order_id"))
    )
    usecases = bootstrap(
        orders=orders,
        catalog=catalog,
        uow=stores.uow,
        status_feed=status_feed,
        clock=utc_now,
        new_id=new_id,
        on_ignored=lambda type_: PAYMENT_EVENTS_IGNORED.inc(type=type_),
    )
    consumer = stores.consumer(
        group="orders",
        producers=["payments"],
        handlers=dict.fromkeys(ApplyPaymentEvent.TARGETS, usecases.apply_payment_event),
    )
    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=stores.request_context(OrdersContext, usecases=usecases, verifier=verifier),
        resources=[
            *stores.resources(),
            consumer.task("payments-consumer"),
            BackgroundTask("status-feed", status_feed.run),
        ],
    )
