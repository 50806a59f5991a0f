"""The users subgraph in-process, on the session's real MongoDB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.process.settings import MongoSettings, RedisSettings
from subgraphs.users.app import build_app
from subgraphs.users.settings import UsersSettings
from tests.conftest import INTERNAL_PORT, CommandLog


@pytest.fixture(scope="session")
def users_settings(mongo_uri: str, redis_url: str, db_prefix: str, run_dir: Path) -> UsersSettings:
    return UsersSettings(
        app_env="test",
        database=f"{db_prefix}users",
        mongo=MongoSettings(uri=mongo_uri),
        redis=RedisSettings(url=redis_url),
        signing_key_file=run_dir / "keys" / "users.pem",
        internal_port=INTERNAL_PORT,  # never bound: the ASGI client names it in the URL
        # Every test is the same client: the per-address limits are tested with their own app.
        login_per_address=0,
        signup_per_address=0,
        password_reset_per_address=0,
    )


@pytest.fixture(scope="session")
async def users_client(
    users_settings: UsersSettings, command_log: CommandLog
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the users app, with its lifespan running."""
    app = build_app(users_settings)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://users") as client:
            yield client


@pytest.fixture
async def users_db(
    mongo_client: AsyncMongoClient, users_settings: UsersSettings
) -> AsyncIterator[AsyncDatabase]:
    """The users database, emptied after each test (indexes kept)."""
    db = mongo_client[users_settings.database]
    yield db
    for name in await db.list_collection_names():
        await db[name].delete_many({})
