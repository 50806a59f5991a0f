"""Settings of the orders subgraph process (prefix `ORDERS_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from subgraphs.kernel.process.settings import StoredServiceSettings


class OrdersSettings(StoredServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_")

    port: int = Field(default=4002, description="The port the subgraph listens on.")
    database: str = Field(default="orders", description="Its MongoDB database.")
