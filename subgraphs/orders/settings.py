"""Settings of the orders subgraph process (prefix `ORDERS_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from subgraphs.kernel.settings import MongoSettings, RedisSettings, ServiceSettings, StreamSettings


class OrdersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_")

    port: int = 4002
    database: str = "orders"
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    streams: StreamSettings = Field(default_factory=StreamSettings)
