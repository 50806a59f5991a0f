"""/ready tells the truth about the store: 503 (the reason internally) when MongoDB is gone."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from subgraphs.kernel.process.settings import MongoSettings, RedisSettings
from subgraphs.users.app import build_app
from subgraphs.users.settings import UsersSettings
from tests.conftest import INTERNAL_PORT
from tools.procs import free_port
from tools.stores import secantusdb

pytestmark = pytest.mark.integration


async def test_ready_turns_503_with_the_reason_when_the_store_stops_and_200_when_back(
    run_dir, redis_url
):
    # A store of its own, so stopping it disturbs no other test.
    store = secantusdb(free_port(), ":memory:", run_dir / "secantusdb-readiness.log")
    store.start()
    store.wait_ready()
    assert store.url
    settings = UsersSettings(
        app_env="test",
        mongo=MongoSettings(uri=store.url, server_selection_timeout_ms=500),
        redis=RedisSettings(url=redis_url),
        signing_key_file=run_dir / "keys" / "readiness.pem",
        internal_port=INTERNAL_PORT,
    )
    app = build_app(settings)
    try:
        async with app.lifespan():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://users") as client:
                assert (await client.get("/ready")).status_code == 200

                store.stop()
                public = await client.get("/ready")
                response = await client.get(f"http://users:{INTERNAL_PORT}/ready")
                liveness = await client.get("/health")

                # Back before the app closes: PyMongo's async monitor leaks the socket
                # of a connection attempt that is cancelled while the server is away.
                store.start()
                store.wait_ready()
                recovered = await _ready_within(client, seconds=10)
    finally:
        store.stop()

    assert public.status_code == 503
    assert public.json() == {"status": "unavailable"}  # the reason on the internal port only
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["mongodb"]["ok"] is False
    assert body["checks"]["mongodb"]["error"]
    assert liveness.status_code == 200
    assert recovered


async def _ready_within(client: httpx.AsyncClient, seconds: float) -> bool:
    for _ in range(int(seconds / 0.1)):
        if (await client.get("/ready")).status_code == 200:
            return True
        await asyncio.sleep(0.1)
    return False
