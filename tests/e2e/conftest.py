"""The stack as users reach it: subgraph processes behind a running Hive Gateway.

Everything runs on free ports with a supergraph composed for those ports, so
a `make up` stack on the default ports is never disturbed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tools.compose import compose_supergraph
from tools.procs import ManagedProcess, free_port
from tools.stack import gateway_process, subgraph_process

SUBGRAPHS = ("users", "orders")


@pytest.fixture(scope="session")
def subgraph_ports() -> dict[str, int]:
    return {name: free_port() for name in SUBGRAPHS}


@pytest.fixture(scope="session")
def stack_env(
    mongo_uri: str, redis_url: str, db_prefix: str, run_dir: Path, subgraph_ports: dict[str, int]
) -> dict[str, str]:
    """The environment every e2e subgraph process gets."""
    env = {
        "APP_ENV": "test",
        "MONGODB_URI": mongo_uri,
        "REDIS_URL": redis_url,
        "USERS_SIGNING_KEY_FILE": str(run_dir / "keys" / "e2e-users.pem"),
        "AUTH_JWKS_URL": f"http://127.0.0.1:{subgraph_ports['users']}/.well-known/jwks.json",
        # Retry failed events quickly, so tests see recovery in seconds.
        "STREAMS_RETRY_AFTER_MS": "500",
    }
    env.update({f"{name.upper()}_DATABASE": f"{db_prefix}e2e_{name}" for name in SUBGRAPHS})
    return env


def _serve(name: str, port: int, env: dict[str, str], log_dir: Path) -> Iterator[str]:
    process: ManagedProcess = subgraph_process(name, port, env=env, log_dir=log_dir)
    with process:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def users_url(
    stack_env: dict[str, str], subgraph_ports: dict[str, int], run_dir: Path
) -> Iterator[str]:
    yield from _serve("users", subgraph_ports["users"], stack_env, run_dir)


@pytest.fixture(scope="session")
def orders_url(
    stack_env: dict[str, str], subgraph_ports: dict[str, int], run_dir: Path
) -> Iterator[str]:
    yield from _serve("orders", subgraph_ports["orders"], stack_env, run_dir)


@pytest.fixture(scope="session")
def gateway_url(users_url: str, orders_url: str, run_dir: Path) -> Iterator[str]:
    supergraph = run_dir / "supergraph.graphql"
    urls = {"users": f"{users_url}/graphql", "orders": f"{orders_url}/graphql"}
    supergraph.write_text(compose_supergraph(urls), encoding="utf-8")
    port = free_port()
    process = gateway_process(
        port, env={"GATEWAY_HOST": "127.0.0.1"}, log_dir=run_dir, supergraph=supergraph
    )
    with process:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
async def gateway(gateway_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as client:
        yield client
