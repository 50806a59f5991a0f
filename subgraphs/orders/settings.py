"""Settings of the orders subgraph process (prefix `ORDERS_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from subgraphs.kernel.process.settings import StoredServiceSettings


class OrdersSettings(StoredServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_")

    port: int = 4002
    database: str = "orders"
