"""Settings of the orders subgraph process (prefix `ORDERS_`)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from subgraphs.kernel.process.settings import StoredServiceSettings


class OrdersSettings(StoredServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_")

    port: int = Field(default=4002, description="The port the subgraph listens on.")
    database: str = Field(default="orders", description="Its MongoDB database.")
    reservation_ttl_seconds: float = Field(
        default=900,
        gt=0,
        validation_alias=AliasChoices("ORDERS_RESERVATION_TTL_SECONDS", "RESERVATION_TTL_SECONDS"),
        description="How long a placed order may stay unpaid (its stock reserved); then the "
        "expiry pass cancels it (reason `expired`) and the catalog releases its units.",
    )
    expiry_interval_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often the expiry pass looks for orders past their deadline (one "
        "replica at a time runs it, under a lease).",
    )
