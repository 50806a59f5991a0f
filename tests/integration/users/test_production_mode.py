"""With APP_ENV=production the IDE and introspection are off and a real key is required."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from subgraphs.kernel.process.settings import MongoSettings, RedisSettings
from subgraphs.users.app import build_app
from subgraphs.users.settings import UsersSettings
from testkit.client import error_codes, graphql

pytestmark = pytest.mark.integration


def production_settings(mongo_uri: str, redis_url: str, db_prefix: str, **extra) -> UsersSettings:
    return UsersSettings(
        app_env="production",
        database=f"{db_prefix}users_prod",
        mongo=MongoSettings(uri=mongo_uri),
        redis=RedisSettings(url=redis_url),
        **extra,
    )


def test_production_refuses_to_start_without_a_signing_key(mongo_uri, redis_url, db_prefix):
    with pytest.raises(RuntimeError, match="USERS_SIGNING_KEY_PEM"):
        build_app(production_settings(mongo_uri, redis_url, db_prefix))


async def test_production_serves_no_ide_and_no_introspection(mongo_uri, redis_url, db_prefix):
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    app = build_app(
        production_settings(
            mongo_uri, redis_url, db_prefix, signing_key_pem=SecretStr(pem.decode())
        )
    )
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://users") as client:
            ide = await client.get("/graphql", headers={"accept": "text/html"})
            introspection = await graphql(client, "{ __schema { queryType { name } } }")
            federation = await graphql(client, "{ _service { sdl } }")

    assert ide.status_code == 404
    assert set(error_codes(introspection)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "type User" in federation["data"]["_service"]["sdl"]
