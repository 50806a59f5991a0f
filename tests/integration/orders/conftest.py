"""The orders subgraph in-process on the real stores, with tokens from a test signing key."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.auth import JwtVerifier, jwks_from_json, static_keys
from subgraphs.kernel.mongo import CODEC_OPTIONS
from subgraphs.kernel.settings import AuthSettings, MongoSettings, RedisSettings, StreamSettings
from subgraphs.orders.app import build_app
from subgraphs.orders.settings import OrdersSettings
from subgraphs.users.credentials.signing_keys import JwtIssuer, jwks, signing_key_from_pem

Issue = Callable[[str], str]


@pytest.fixture(scope="session")
def token_for() -> tuple[Issue, JwtVerifier]:
    """Issue tokens for any user id, and the verifier that accepts them."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = signing_key_from_pem(pem)
    auth = AuthSettings()
    issuer = JwtIssuer(
        key,
        issuer=auth.issuer,
        audience=auth.audience,
        ttl=timedelta(minutes=5),
        clock=lambda: datetime.now(UTC),
    )
    verifier = JwtVerifier(auth, static_keys(jwks_from_json(jwks(key))))
    return (lambda user_id: issuer.issue(user_id).token), verifier


@pytest.fixture(scope="session")
def issue(token_for: tuple[Issue, JwtVerifier]) -> Issue:
    return token_for[0]


def orders_settings(mongo_uri: str, redis_url: str, database: str) -> OrdersSettings:
    return OrdersSettings(
        app_env="test",
        database=database,
        mongo=MongoSettings(uri=mongo_uri),
        redis=RedisSettings(url=redis_url),
        streams=StreamSettings(relay_poll_seconds=0.05, retry_after_ms=200),
    )


@pytest.fixture(scope="session")
async def orders_client(
    mongo_uri: str, redis_url: str, db_prefix: str, token_for: tuple[Issue, JwtVerifier]
) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(
        orders_settings(mongo_uri, redis_url, f"{db_prefix}orders"), verifier=token_for[1]
    )
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
            yield client


@pytest.fixture
async def orders_db(mongo_client: AsyncMongoClient, db_prefix: str) -> AsyncIterator[AsyncDatabase]:
    """The orders database; everything but the price list is emptied after each test."""
    db = mongo_client.get_database(f"{db_prefix}orders", codec_options=CODEC_OPTIONS)
    yield db
    for name in ("orders", "outbox", "processed_events"):
        await db[name].delete_many({})
