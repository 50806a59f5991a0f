"""Composition root of the catalog subgraph: settings in, ASGI app out."""

from __future__ import annotations

from subgraphs.catalog.bootstrap import bootstrap
from subgraphs.catalog.domain.seed import SEED_PRODUCTS
from subgraphs.catalog.repository.mongo_products import MongoProducts
from subgraphs.catalog.repository.mongo_reservations import MongoReservations
from subgraphs.catalog.settings import CatalogSettings
from subgraphs.catalog.transport.context import CatalogContext
from subgraphs.catalog.transport.schema import build_schema
from subgraphs.catalog.usecase.events_read import EVENTS_READ
from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.graphql.auth import TokenVerifier
from subgraphs.kernel.runtime.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.runtime.wiring import ContextStores


def build_app(settings: CatalogSettings, *, verifier: TokenVerifier | None = None) -> SubgraphApp:
    """The catalog app; tokens are checked against the users JWKS unless `verifier` is given."""
    stores = ContextStores(settings, "catalog")  # staff edit while Redis is down (the outbox)
    products = MongoProducts(stores.db)
    reservations = MongoReservations(stores.db)
    stores.indexed(products)
    usecases = bootstrap(
        products=products, reservations=reservations, uow=stores.uow, clock=utc_now, new_id=new_id
    )
    stores.mongo.on_start(lambda: usecases.seed_products(SEED_PRODUCTS, settings.seed_stock))
    stores.mongo.on_start(usecases.announce_products)  # a new orders database fills from it
    consumer = stores.consumer(EVENTS_READ, handlers=usecases.event_handlers())
    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=stores.request_context(CatalogContext, usecases=usecases, verifier=verifier),
        resources=[*stores.resources(), consumer.task("events-consumer")],
    )
