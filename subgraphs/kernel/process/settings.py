"""Settings groups shared by every process, read once from the environment.

Each group has its own prefix (`MONGODB_`, `REDIS_`, `AUTH_`, `GRAPHQL_`);
a service composes the groups it needs into one settings object that the
composition root passes down. Nothing else reads `os.environ`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

AppEnv = Literal["development", "test", "production"]


class MongoSettings(BaseSettings):
    """Where MongoDB (or SecantusDB locally) answers."""

    model_config = SettingsConfigDict(env_prefix="MONGODB_")

    uri: str = "mongodb://127.0.0.1:27017/?directConnection=true&retryWrites=false"
    server_selection_timeout_ms: int = 5000


class RedisSettings(BaseSettings):
    """Where Redis answers."""

    model_config = SettingsConfigDict(env_prefix="REDIS_")

    url: str = "redis://127.0.0.1:6379/0"
    # Above the 1 s XREAD/XREADGROUP blocks, so a hung connection errors instead of hanging.
    socket_timeout_seconds: float = 10.0
    connect_timeout_seconds: float = 5.0


class AuthSettings(BaseSettings):
    """How access tokens issued by the users subgraph are verified."""

    model_config = SettingsConfigDict(env_prefix="AUTH_")

    jwks_url: str = "http://127.0.0.1:4001/.well-known/jwks.json"
    issuer: str = "commerce-users"
    audience: str = "commerce"
    algorithms: list[str] = Field(default_factory=lambda: ["EdDSA"])
    jwks_cache_seconds: float = 300.0
    # An unknown `kid` refetches the JWKS at most this often (key rotation).
    jwks_min_refresh_seconds: float = 30.0
    leeway_seconds: float = 5.0
    # Verified tokens each process remembers until they expire (0: verify every request).
    token_cache_size: int = Field(default=10_000, ge=0)


class GraphQLSettings(BaseSettings):
    """Limits and tooling of a subgraph's GraphQL endpoint."""

    model_config = SettingsConfigDict(env_prefix="GRAPHQL_")

    max_depth: int = 12
    max_aliases: int = 15
    max_tokens: int = 5000
    # Parsed and validated documents are cached; size above the number of
    # distinct operations the gateway sends.
    document_cache_size: int = 1000
    max_subscriptions_per_connection: int = 10_000
    ide: bool | None = None
    introspection: bool | None = None


class ServiceSettings(BaseSettings):
    """Settings every subgraph process has; subclasses add a prefix and their own."""

    model_config = SettingsConfigDict(populate_by_name=True)

    app_env: AppEnv = Field(default="development", validation_alias="APP_ENV")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    host: str = "127.0.0.1"
    port: int = 8000
    auth: AuthSettings = Field(default_factory=AuthSettings)
    graphql: GraphQLSettings = Field(default_factory=GraphQLSettings)

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def ide_enabled(self) -> bool:
        """The GraphQL IDE is on unless configured off; always off in production."""
        if self.graphql.ide is not None:
            return self.graphql.ide and not self.is_production
        return not self.is_production

    @property
    def introspection_enabled(self) -> bool:
        if self.graphql.introspection is not None:
            return self.graphql.introspection
        return not self.is_production


class StreamSettings(BaseSettings):
    """Event streams: relay cadence, retention, consumer retries."""

    model_config = SettingsConfigDict(env_prefix="STREAMS_")

    relay_poll_seconds: float = 0.2
    # Retention: each `events.<producer>` stream keeps about this many entries.
    max_length: int = 100_000
    max_deliveries: int = 5
    retry_after_ms: int = 30_000


class StoredServiceSettings(ServiceSettings):
    """A subgraph process with its own MongoDB database, Redis and event streams."""

    database: str
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    streams: StreamSettings = Field(default_factory=StreamSettings)
