"""The catalog request context: the caller, the use cases and a DataLoader of products."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from subgraphs.catalog.domain.product import Product
from subgraphs.catalog.usecase import CatalogUseCases
from subgraphs.kernel.graphql.context import RequestContext


@dataclass(kw_only=True)
class CatalogContext(RequestContext):
    usecases: CatalogUseCases
    products_by_sku: DataLoader[str, Product | None] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.products_by_sku = DataLoader(load_fn=self.usecases.read_products.by_skus)
