"""Composition root of the orders subgraph: settings in, ASGI app out."""

from __future__ import annotations

from datetime import timedelta

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.events import stream_of
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.graphql.auth import TokenVerifier
from subgraphs.kernel.messaging.broadcast import StreamBroadcast
from subgraphs.kernel.messaging.caught_up import CaughtUpOnce
from subgraphs.kernel.observability.metrics import Counter
from subgraphs.kernel.process.background import BackgroundTask, every
from subgraphs.kernel.process.lease import MongoLease
from subgraphs.kernel.runtime.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.runtime.wiring import ContextStores
from subgraphs.orders.bootstrap import bootstrap
from subgraphs.orders.domain.catalog import PRODUCT_CHANGED
from subgraphs.orders.repository.mongo_catalog import MongoCatalog
from subgraphs.orders.repository.mongo_orders import MongoOrderRepository
from subgraphs.orders.settings import OrdersSettings
from subgraphs.orders.transport.context import OrdersContext
from subgraphs.orders.transport.schema import build_schema
from subgraphs.orders.usecase.change_status import ApplyPaymentEvent
from subgraphs.orders.usecase.events_read import EVENTS_READ
from subgraphs.orders.usecase.stock import ApplyStockEvent

PAYMENT_EVENTS_IGNORED = Counter(
    "orders_payment_events_ignored_total",
    "Payment and stock events the order status machine did not allow, by event type.",
)
EXPIRY_LEASE_PASSES = 6  # the expiry lease lasts this many intervals between passes
EXPIRY_LEASE_MIN_SECONDS = 10.0


def build_app(settings: OrdersSettings, *, verifier: TokenVerifier | None = None) -> SubgraphApp:
    """The orders app; tokens are checked against the users JWKS unless `verifier` is given."""
    stores = ContextStores(settings, "orders")  # orders are taken while Redis is down
    orders = MongoOrderRepository(stores.db)
    catalog = MongoCatalog(stores.db)
    stores.indexed(orders)

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
        reservation_ttl=timedelta(seconds=settings.reservation_ttl_seconds),
        on_ignored=lambda type_: PAYMENT_EVENTS_IGNORED.inc(type=type_),
    )
    consumer = stores.consumer(
        EVENTS_READ,
        handlers={
            **dict.fromkeys(ApplyPaymentEvent.TARGETS, usecases.apply_payment_event),
            **dict.fromkeys(ApplyStockEvent.TYPES, usecases.apply_stock_event),
            PRODUCT_CHANGED: usecases.apply_product_change,
        },
    )
    # Orders prices from its copy of the catalog: not ready before it was filled once, read up
    # to the stream's tail and holding a product (the product events may have been trimmed
    # from the stream; the catalog announces every product again when it starts).
    catalog_copied = CaughtUpOnce(
        stores.redis.client, stream_of("catalog"), EVENTS_READ.group, filled=catalog.any
    )
    # Several passes long, and renewed before each batch of a pass (`hold`): a pass over a
    # long backlog keeps it, and stops at once if it was lost.
    expiry_lease = MongoLease(
        stores.db,
        "order-expiry",
        seconds=max(
            EXPIRY_LEASE_MIN_SECONDS, EXPIRY_LEASE_PASSES * settings.expiry_interval_seconds
        ),
    )

    async def expire() -> None:
        await usecases.expire_orders(hold=expiry_lease.hold)

    expiry = every(settings.expiry_interval_seconds, expire, name="order-expiry")
    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=stores.request_context(OrdersContext, usecases=usecases, verifier=verifier),
        resources=[
            *stores.resources(),
            consumer.task("events-consumer"),
            catalog_copied,
            BackgroundTask("status-feed", status_feed.run),
            BackgroundTask("order-expiry", expiry, on_stop=expiry_lease.release),
        ],
    )
