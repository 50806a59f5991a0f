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

    uri: str = Field(
        default="mongodb://127.0.0.1:27017/?directConnection=true&retryWrites=false",
        description="One server for every context, a database each.",
    )
    server_selection_timeout_ms: int = Field(
        default=5000, description="How long a command waits for a server to answer."
    )


class RedisSettings(BaseSettings):
    """Where Redis answers."""

    model_config = SettingsConfigDict(env_prefix="REDIS_")

    url: str = Field(default="redis://127.0.0.1:6379/0", description="The Redis server.")
    socket_timeout_seconds: float = Field(
        default=10.0,
        description="Above the 1 s XREAD/XREADGROUP blocks, so a hung connection errors "
        "instead of hanging.",
    )
    connect_timeout_seconds: float = Field(default=5.0, description="Connecting to Redis.")


class AuthSettings(BaseSettings):
    """How access tokens issued by the users subgraph are verified."""

    model_config = SettingsConfigDict(env_prefix="AUTH_")

    jwks_url: str = Field(
        default="http://127.0.0.1:4001/.well-known/jwks.json",
        description="Where the token keys are fetched (the users subgraph's JWKS).",
    )
    issuer: str = Field(default="commerce-users", description="The `iss` tokens must carry.")
    audience: str = Field(default="commerce", description="The `aud` tokens must carry.")
    algorithms: list[str] = Field(
        default_factory=lambda: ["EdDSA"], description="Signature algorithms accepted."
    )
    jwks_cache_seconds: float = Field(default=300.0, description="How long a fetched JWKS is used.")
    jwks_min_refresh_seconds: float = Field(
        default=30.0,
        description="An unknown `kid` refetches the JWKS at most this often (key rotation).",
    )
    leeway_seconds: float = Field(
        default=5.0, description="Clock skew allowed on a token's time claims."
    )
    token_cache_size: int = Field(
        default=10_000,
        ge=0,
        description="Verified tokens each process remembers until they expire (one signature "
        "check per token and process); 0 verifies every request.",
    )


class GraphQLSettings(BaseSettings):
    """Limits and tooling of a subgraph's GraphQL endpoint."""

    model_config = SettingsConfigDict(env_prefix="GRAPHQL_")

    max_depth: int = Field(default=12, description="Deepest field nesting of an operation.")
    max_aliases: int = Field(default=15, description="Aliases in one operation.")
    max_tokens: int = Field(default=5000, description="Lexical tokens in one document.")
    document_cache_size: int = Field(
        default=1000,
        description="Parsed and validated documents cached; size above the number of "
        "distinct operations the gateway sends.",
    )
    max_subscriptions_per_connection: int = Field(
        default=10_000, description="Subscriptions one WebSocket connection may hold."
    )
    max_body_bytes: int = Field(
        default=1_572_864,
        ge=1,
        description="Largest request body and WebSocket message accepted (bytes; the gateway's "
        "own GATEWAY_MAX_BODY_BYTES); a larger body gets 413, a larger message closes the "
        "connection (1009).",
    )
    ide: bool | None = Field(
        default=None, description="The GraphQL IDE on GET; unset: on unless production."
    )
    introspection: bool | None = Field(
        default=None, description="Introspection queries; unset: on unless production."
    )


class ServiceSettings(BaseSettings):
    """Settings every subgraph process has; subclasses add a prefix and their own."""

    model_config = SettingsConfigDict(populate_by_name=True)

    app_env: AppEnv = Field(
        default="development",
        validation_alias="APP_ENV",
        description="`production` turns the IDE and introspection off and requires real keys.",
    )
    log_level: str = Field(
        default="INFO", validation_alias="LOG_LEVEL", description="Threshold of the JSON logs."
    )
    host: str = Field(default="127.0.0.1", description="The address the process listens on.")
    port: int = Field(default=8000, description="The port the process listens on.")
    internal_port: int | None = Field(
        default=None,
        description="The internal listener: `/metrics` and `/ready` with its checks, for "
        "Prometheus and probes; never route the public to it. Unset: no listener, and "
        "`/metrics` is served nowhere (the public port's `/ready` says only ready or not).",
    )
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

    relay_poll_seconds: float = Field(
        default=0.2, description="How often the outbox relay looks for unpublished events."
    )
    max_length: int = Field(
        default=100_000,
        description="Retention: each `events.<producer>` stream keeps about this many entries.",
    )
    max_deliveries: int = Field(
        default=5, description="Deliveries of an entry before it moves to `dead.<group>`."
    )
    retry_after_ms: int = Field(
        default=30_000,
        description="A failed or abandoned entry is delivered again after this long.",
    )


class StoredServiceSettings(ServiceSettings):
    """A subgraph process with its own MongoDB database, Redis and event streams."""

    database: str = Field(description="The context's MongoDB database.")
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    streams: StreamSettings = Field(default_factory=StreamSettings)
