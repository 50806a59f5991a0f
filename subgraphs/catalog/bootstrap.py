"""The one place the catalog use cases are wired: ports, clock and ids in, use cases out.

`app.py` passes the MongoDB adapters; unit tests pass in-memory fakes (`testkit.catalog`).
"""

from __future__ import annotations

from subgraphs.catalog.usecase import CatalogUseCases
from subgraphs.catalog.usecase.adjust_stock import AdjustStock
from subgraphs.catalog.usecase.announce_products import AnnounceProducts
from subgraphs.catalog.usecase.edit_products import EditProducts
from subgraphs.catalog.usecase.ports import Products, Reservations
from subgraphs.catalog.usecase.read_products import ReadProducts
from subgraphs.catalog.usecase.reserve_stock import ReserveStock
from subgraphs.catalog.usecase.seed_products import SeedProducts
from subgraphs.catalog.usecase.settle_stock import SettleStock
from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork


def bootstrap(
    *,
    products: Products,
    reservations: Reservations,
    uow: UnitOfWork,
    clock: Clock,
    new_id: NewId,
) -> CatalogUseCases:
    return CatalogUseCases(
        edit_products=EditProducts(products, uow, clock),
        adjust_stock=AdjustStock(products, uow, clock, new_id),
        read_products=ReadProducts(products),
        seed_products=SeedProducts(products, uow, clock, new_id),
        announce_products=AnnounceProducts(products, uow, clock),
        reserve_stock=ReserveStock(products, reservations, uow, clock, new_id),
        settle_stock=SettleStock(products, reservations, uow, clock, new_id),
    )
