"""Settings of the catalog subgraph process (prefix `CATALOG_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from subgraphs.kernel.process.settings import StoredServiceSettings


class CatalogSettings(StoredServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_")

    port: int = Field(default=4005, description="The port the subgraph listens on.")
    database: str = Field(default="catalog", description="Its MongoDB database.")
    seed_stock: int = Field(
        default=1_000_000,
        ge=0,
        description="Units on hand of each starting product, inserted on first start when "
        "missing (products that exist keep their stock).",
    )
