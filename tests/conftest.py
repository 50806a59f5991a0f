"""Session-wide real servers: SecantusDB (or MONGODB_URI) and Redis, started on free ports.

Every database name carries a per-run prefix, so the suite can run against a
real MongoDB without touching anything else there.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo import AsyncMongoClient, monitoring

from subgraphs.kernel.core.access import Role, Scope
from subgraphs.kernel.graphql.auth import JwtVerifier, jwks_from_json, static_keys
from subgraphs.kernel.process.settings import AuthSettings
from subgraphs.users.credentials.signing_keys import JwtIssuer, jwks, signing_key_from_pem
from testkit.tokens import mint_access_token
from tools.procs import ManagedProcess, free_port
from tools.stack import localstripe_process
from tools.stores import redis_server, secantusdb


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("run")


@pytest.fixture(scope="session")
def mongo_uri(run_dir: Path) -> Iterator[str]:
    """MONGODB_URI when set (a real MongoDB), else a SecantusDB started for this run."""
    if uri := os.environ.get("MONGODB_URI"):
        yield uri
        return
    server = secantusdb(free_port(), ":memory:", run_dir / "secantusdb.log")
    with server:
        assert server.url
        yield server.url


# The internal listener's port (/metrics, readiness checks) of in-process apps: never bound,
# an ASGI client names it in the URL (http://users:9100/metrics) to reach the internal routes.
INTERNAL_PORT = 9100

# Databases of the session Redis, one per suite, so that no suite's consumer groups,
# streams or FLUSHDB reach another's (the e2e processes live for the whole session).
REDIS_DATABASES = {
    "in-process": 0,
    "e2e": 1,
    "kernel": 2,
    "payments": 3,
    "notifications": 4,
    "payments-stripe": 5,
    "e2e-stripe": 6,
    "catalog": 7,
}


def redis_db(url: str, suite: str) -> str:
    """`url` pointing at the database of `suite` (see REDIS_DATABASES)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{REDIS_DATABASES[suite]}"))


@pytest.fixture(scope="session")
def redis_url(run_dir: Path) -> Iterator[str]:
    """A redis-server of our own (never the machine's shared one), database 0."""
    server = redis_server(free_port(), run_dir / "redis.log", dir=run_dir / "redis")
    with server:
        assert server.url
        yield server.url


@pytest.fixture(scope="session")
def localstripe_server(run_dir: Path) -> Iterator[ManagedProcess]:
    """One localstripe (a fake Stripe API) for the session; its state stays in memory."""
    with localstripe_process(free_port(), log_dir=run_dir) as server:
        yield server


@pytest.fixture(scope="session")
def localstripe(localstripe_server: ManagedProcess) -> str:
    """localstripe's URL (its API under /v1, `/_config/webhooks/<id>` to send events)."""
    assert localstripe_server.url
    return localstripe_server.url


@pytest.fixture(scope="session")
def db_prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}_"


@dataclass
class CommandLog(monitoring.CommandListener):
    """Counts MongoDB commands by database and name (PyMongo command monitoring)."""

    commands: list[tuple[str, str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        collection = target if isinstance(target, str) else ""
        with self._lock:
            self.commands.append((event.database_name, event.command_name, collection))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def count(self, database: str, command: str, collection: str) -> int:
        """How many `command`s were sent on `database.collection` so far."""
        with self._lock:
            return self.commands.count((database, command, collection))


@pytest.fixture(scope="session")
def command_log() -> CommandLog:
    """Registered before any client is made, so every client reports to it."""
    log = CommandLog()
    monitoring.register(log)
    return log


@pytest.fixture(scope="session")
async def mongo_client(mongo_uri: str, command_log: CommandLog) -> AsyncIterator[AsyncMongoClient]:
    client: AsyncMongoClient = AsyncMongoClient(mongo_uri, tz_aware=True)
    yield client
    await client.close()


@pytest.fixture
def own_redis(run_dir: Path) -> Iterator[ManagedProcess]:
    """A redis-server this test may stop and start again (same port)."""
    port = free_port()
    server = redis_server(port, run_dir / f"redis-{port}.log", dir=run_dir / f"redis-{port}")
    with server:
        yield server


@dataclass(frozen=True)
class TestTokens:
    """Access tokens for any user id, signed with a key of this run, and their verifier."""

    issuer: JwtIssuer
    verifier: JwtVerifier
    pem: bytes

    def issue(self, user_id: str) -> str:
        return self.issuer.issue(user_id).token

    def staff(self, user_id: str, role: Role) -> str:
        """A token with the role's scopes (`scope` claim), signed with the same key."""
        return mint_access_token(self.pem, user_id, role=role)

    def scoped(self, *scopes: Scope, user_id: str = "staff") -> str:
        """A token granting exactly `scopes`, signed with the same key."""
        return mint_access_token(self.pem, user_id, scopes=scopes)


@pytest.fixture(scope="session")
def test_tokens() -> TestTokens:
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
    return TestTokens(issuer, JwtVerifier(auth, static_keys(jwks_from_json(jwks(key)))), pem)


@pytest.fixture(scope="session")
def issue(test_tokens: TestTokens) -> Callable[[str], str]:
    """`issue(user_id)`: a valid access token for that user."""
    return test_tokens.issue
