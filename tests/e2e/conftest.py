"""The stack as users reach it: subgraph processes behind a running Hive Gateway.

Everything runs on free ports with a supergraph composed for those ports, so
a `make up` stack on the default ports is never disturbed.

Besides the shared stack (`users_url`, `catalog_url`, `orders_url`, `payments_url`,
`notifications_url` with `notifications_worker` and `smtp_sink`, `internal_urls` of the
subgraphs' /metrics and readiness checks, `gateway_url`, `gateway`,
gateway with default settings), `edge_stack` is a users subgraph and a gateway
of their own with small rate limits, for the tests that throttle clients or
stop the subgraph.

Every process of the stack traces: `otlp` is the OTLP/HTTP receiver their
`OTEL_EXPORTER_OTLP_ENDPOINT` points at.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import redis_db
from tools.compose import load_subgraphs, published_supergraph
from tools.otlp_receiver import OtlpReceiver, otlp_receiver
from tools.procs import ManagedProcess, free_port
from tools.stack import gateway_process, smtp_sink_process, subgraph_process, worker_process

SUBGRAPHS = ("users", "catalog", "orders", "payments", "notifications")

# The shared gateway runs many flows from one address: its per-client and per-user limits are
# raised out of the way (the defaults are exercised by the edge stack's own gateway).
SHARED_GATEWAY_ENV = {
    "GATEWAY_RATE_LOGIN_PER_MINUTE": "1000",
    "GATEWAY_RATE_MUTATIONS_PER_MINUTE": "10000",
}

# The edge stack's gateway limits: small enough to reach in a test. It trusts X-Forwarded-For,
# so each test can be a client of its own.
EDGE_GATEWAY_ENV = {
    "GATEWAY_RATE_LOGIN_PER_MINUTE": "5",
    "GATEWAY_RATE_MUTATIONS_PER_MINUTE": "3",
    "GATEWAY_RATE_REQUESTS_PER_SECOND": "25",
    "GATEWAY_TRUST_PROXY": "true",
}


# The gateway's development CORS default (router/edge/settings.ts); the shared gateway also
# allows the web apps the browser tests serve (`storefront_origin`, `backoffice_origin`).
DEFAULT_CORS_ORIGINS = ("http://localhost:3000", "http://localhost:3001", "http://localhost:5173")


def jwks_url(users_url: str) -> str:
    return f"{users_url}/.well-known/jwks.json"


@pytest.fixture(scope="session")
def storefront_origin() -> str:
    """Where the browser tests serve the storefront (chosen before the gateway starts)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def backoffice_origin() -> str:
    """Where the browser tests serve the back office (chosen before the gateway starts)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def otlp() -> Iterator[OtlpReceiver]:
    """The OTLP/HTTP receiver every process of the e2e stacks exports its spans to."""
    with otlp_receiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def tracing_env(otlp: OtlpReceiver) -> dict[str, str]:
    """Tracing on, at 100% (the default sampler), exported every 100 ms to `otlp`."""
    return {"OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}


@pytest.fixture(scope="session")
def subgraph_ports() -> dict[str, int]:
    return {name: free_port() for name in SUBGRAPHS}


@pytest.fixture(scope="session")
def internal_ports() -> dict[str, int]:
    """Each shared subgraph's internal listener (/metrics, readiness checks)."""
    return {name: free_port() for name in SUBGRAPHS}


@pytest.fixture(scope="session")
def internal_urls(internal_ports: dict[str, int]) -> dict[str, str]:
    """Subgraph name -> its internal listener's base URL (ask for the subgraph's fixture too)."""
    return {name: f"http://127.0.0.1:{port}" for name, port in internal_ports.items()}


@pytest.fixture(scope="session")
def stack_redis_url(redis_url: str) -> str:
    """The Redis database of the e2e stack's processes (streams, notifications, arq)."""
    return redis_db(redis_url, "e2e")


@pytest.fixture(scope="session")
def stack_env(
    mongo_uri: str,
    stack_redis_url: str,
    db_prefix: str,
    run_dir: Path,
    subgraph_ports: dict[str, int],
    tracing_env: dict[str, str],
) -> dict[str, str]:
    """The environment every e2e subgraph process gets."""
    env = {
        **tracing_env,
        "APP_ENV": "test",
        "MONGODB_URI": mongo_uri,
        "REDIS_URL": stack_redis_url,
        "USERS_SIGNING_KEY_FILE": str(run_dir / "keys" / "e2e-users.pem"),
        "AUTH_JWKS_URL": f"http://127.0.0.1:{subgraph_ports['users']}/.well-known/jwks.json",
        # Retry failed events quickly, so tests see recovery in seconds.
        "STREAMS_RETRY_AFTER_MS": "500",
        # Every flow comes from this machine: the users subgraph's per-address limits are off
        # (tests/integration/users/test_throttles_api.py covers them).
        "USERS_LOGIN_PER_ADDRESS": "0",
        "USERS_SIGNUP_PER_ADDRESS": "0",
        "USERS_PASSWORD_RESET_PER_ADDRESS": "0",
    }
    env.update({f"{name.upper()}_DATABASE": f"{db_prefix}e2e_{name}" for name in SUBGRAPHS})
    return env


def _serve(
    name: str, ports: tuple[dict[str, int], dict[str, int]], env: dict[str, str], log_dir: Path
) -> Iterator[str]:
    """Run subgraph `name` on its port and internal port (`ports`: the two fixtures)."""
    public, internal = ports
    port = public[name]
    process = subgraph_process(name, port, env=env, log_dir=log_dir, internal_port=internal[name])
    with process:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def users_url(
    stack_env: dict[str, str],
    subgraph_ports: dict[str, int],
    internal_ports: dict[str, int],
    run_dir: Path,
) -> Iterator[str]:
    yield from _serve("users", (subgraph_ports, internal_ports), stack_env, run_dir)


@pytest.fixture(scope="session")
def catalog_url(
    stack_env: dict[str, str],
    subgraph_ports: dict[str, int],
    internal_ports: dict[str, int],
    run_dir: Path,
) -> Iterator[str]:
    yield from _serve("catalog", (subgraph_ports, internal_ports), stack_env, run_dir)


@pytest.fixture(scope="session")
def orders_url(
    stack_env: dict[str, str],
    subgraph_ports: dict[str, int],
    internal_ports: dict[str, int],
    run_dir: Path,
) -> Iterator[str]:
    yield from _serve("orders", (subgraph_ports, internal_ports), stack_env, run_dir)


@pytest.fixture(scope="session")
def payments_url(
    stack_env: dict[str, str],
    subgraph_ports: dict[str, int],
    internal_ports: dict[str, int],
    run_dir: Path,
) -> Iterator[str]:
    yield from _serve("payments", (subgraph_ports, internal_ports), stack_env, run_dir)


@pytest.fixture(scope="session")
def notifications_url(
    stack_env: dict[str, str],
    subgraph_ports: dict[str, int],
    internal_ports: dict[str, int],
    run_dir: Path,
    notifications_worker: str,
) -> Iterator[str]:
    """The notifications subgraph, with its worker (and SMTP sink) running as in `make up`."""
    yield from _serve("notifications", (subgraph_ports, internal_ports), stack_env, run_dir)


@dataclass
class SmtpSink:
    smtp_port: int
    url: str  # its HTTP API: GET /messages[?to=...]


@pytest.fixture(scope="session")
def smtp_sink(run_dir: Path) -> Iterator[SmtpSink]:
    """The SMTP sink of `make up`, keeping mail under the run folder."""
    smtp_port, http_port = free_port(), free_port()
    process = smtp_sink_process(smtp_port, http_port, maildir=run_dir / "mail", log_dir=run_dir)
    with process:
        yield SmtpSink(smtp_port, f"http://127.0.0.1:{http_port}")


@pytest.fixture(scope="session")
def notifications_worker(
    stack_env: dict[str, str], smtp_sink: SmtpSink, run_dir: Path
) -> Iterator[str]:
    """`python -m workers.notifications` sending to `smtp_sink`; yields its base URL."""
    port = free_port()
    env = {
        **stack_env,
        "SMTP_PORT": str(smtp_sink.smtp_port),
        "NOTIFICATIONS_JOBS_POLL_DELAY_SECONDS": "0.05",
        "NOTIFICATIONS_JOBS_FIRST_RETRY_SECONDS": "0.2",
        "NOTIFICATIONS_JOBS_MAX_RETRY_SECONDS": "1",
    }
    with worker_process("notifications", port, env=env, log_dir=run_dir):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def gateway_internal_url() -> str:
    """The shared gateway's internal listener (/metrics, detailed subgraph health)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def gateway_url(
    gateway_internal_url: str,
    users_url: str,
    catalog_url: str,
    orders_url: str,
    payments_url: str,
    notifications_url: str,
    run_dir: Path,
    storefront_origin: str,
    backoffice_origin: str,
    tracing_env: dict[str, str],
) -> Iterator[str]:
    supergraph = run_dir / "supergraph.graphql"
    urls = {
        "users": f"{users_url}/graphql",
        "catalog": f"{catalog_url}/graphql",
        "orders": f"{orders_url}/graphql",
        "payments": f"{payments_url}/graphql",
        "notifications": f"{notifications_url}/graphql",
    }
    supergraph.write_text(published_supergraph(urls), encoding="utf-8")
    port = free_port()
    env = {
        "GATEWAY_HOST": "127.0.0.1",
        "AUTH_JWKS_URL": jwks_url(users_url),
        "CORS_ORIGINS": ",".join((*DEFAULT_CORS_ORIGINS, storefront_origin, backoffice_origin)),
        **SHARED_GATEWAY_ENV,
        **tracing_env,
    }
    internal_port = int(gateway_internal_url.rsplit(":", 1)[1])
    process = gateway_process(
        port, env=env, log_dir=run_dir, supergraph=supergraph, internal_port=internal_port
    )
    with process:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
async def gateway(gateway_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def users_signing_key(users_url: str, stack_env: dict[str, str]) -> bytes:
    """The shared users subgraph's private key (PEM): tests sign tokens it never issued."""
    return Path(stack_env["USERS_SIGNING_KEY_FILE"]).read_bytes()


@dataclass
class EdgeStack:
    """A users subgraph and a gateway (settings: EDGE_GATEWAY_ENV) of their own."""

    users: ManagedProcess
    users_url: str
    gateway_url: str
    gateway_internal_url: str


@pytest.fixture(scope="module")
def edge_stack(stack_env: dict[str, str], db_prefix: str, run_dir: Path) -> Iterator[EdgeStack]:
    log_dir = run_dir / "edge"
    users_port, gateway_port, internal_port = free_port(), free_port(), free_port()
    users_url = f"http://127.0.0.1:{users_port}"
    users = subgraph_process(
        "users",
        users_port,
        env={
            **stack_env,
            "USERS_DATABASE": f"{db_prefix}e2e_edge_users",
            "USERS_SIGNING_KEY_FILE": str(run_dir / "keys" / "e2e-edge-users.pem"),
            "AUTH_JWKS_URL": jwks_url(users_url),
        },
        log_dir=log_dir,
    )
    # Only users runs here; every other subgraph points at a port nobody listens on.
    urls = {name: f"http://127.0.0.1:{free_port()}/graphql" for name in load_subgraphs()}
    urls["users"] = f"{users_url}/graphql"
    supergraph = log_dir / "supergraph.graphql"
    supergraph.parent.mkdir(parents=True, exist_ok=True)
    supergraph.write_text(published_supergraph(urls), encoding="utf-8")
    gateway = gateway_process(
        gateway_port,
        env={"GATEWAY_HOST": "127.0.0.1", "AUTH_JWKS_URL": jwks_url(users_url), **EDGE_GATEWAY_ENV},
        log_dir=log_dir,
        supergraph=supergraph,
        internal_port=internal_port,
    )
    # Both start at once; the gateway needs the subgraph only when a request comes.
    users.start()
    try:
        gateway.start()
        try:
            users.wait_ready()
            gateway.wait_ready()
            yield EdgeStack(
                users,
                users_url,
                f"http://127.0.0.1:{gateway_port}",
                f"http://127.0.0.1:{internal_port}",
            )
        finally:
            gateway.stop()
    finally:
        users.stop()
