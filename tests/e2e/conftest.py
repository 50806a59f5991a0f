"""The stack as users reach it: subgraph processes behind a running Hive Gateway.

Everything runs on free ports with a supergraph composed for those ports, so
a `make up` stack on the default ports is never disturbed.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tools.compose import compose_supergraph
from tools.procs import ManagedProcess, free_port, http_ok
from tools.stack import GATEWAY_ARGV, ROOT


@pytest.fixture(scope="session")
def users_url(mongo_uri: str, redis_url: str, db_prefix: str, run_dir: Path) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "APP_ENV": "test",
        "MONGODB_URI": mongo_uri,
        "REDIS_URL": redis_url,
        "USERS_PORT": str(port),
        "USERS_DATABASE": f"{db_prefix}e2e_users",
        "USERS_SIGNING_KEY_FILE": str(run_dir / "keys" / "e2e-users.pem"),
        "AUTH_JWKS_URL": f"{base}/.well-known/jwks.json",
    }
    process = ManagedProcess(
        "users",
        [sys.executable, "-m", "subgraphs.users"],
        env=env,
        cwd=ROOT,
        log_path=run_dir / "users.log",
        ready=lambda: http_ok(f"{base}/ready"),
    )
    with process:
        yield base


@pytest.fixture(scope="session")
def gateway_url(users_url: str, run_dir: Path) -> Iterator[str]:
    supergraph = run_dir / "supergraph.graphql"
    supergraph.write_text(compose_supergraph({"users": f"{users_url}/graphql"}), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = ManagedProcess(
        "gateway",
        GATEWAY_ARGV,
        env={
            "GATEWAY_PORT": str(port),
            "GATEWAY_HOST": "127.0.0.1",
            "SUPERGRAPH_PATH": str(supergraph),
        },
        cwd=ROOT / "router",
        log_path=run_dir / "gateway.log",
        ready=lambda: http_ok(f"{base}/readiness"),
        ready_timeout=90,
    )
    with process:
        yield base


@pytest.fixture(scope="session")
async def gateway(gateway_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as client:
        yield client
