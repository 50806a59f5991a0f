"""JwksKeys: cached keys, bounded refetching, no stampede when the JWKS is down."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from subgraphs.kernel.graphql.auth import JwksKeys
from subgraphs.kernel.process.settings import AuthSettings
from subgraphs.users.credentials.signing_keys import jwks, signing_key_from_pem


class FakeJwksServer:
    """A real HTTP server on a free port serving a JWKS, or 503 while `down`."""

    def __init__(self) -> None:
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self.key = signing_key_from_pem(pem)
        self.down = False
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits += 1
                body = json.dumps(jwks(server.key)).encode()
                self.send_response(503 if server.down else 200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/.well-known/jwks.json"


@pytest.fixture
def jwks_server() -> Iterator[FakeJwksServer]:
    server = FakeJwksServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def keys_for(server: FakeJwksServer, min_refresh_seconds: float = 30.0) -> JwksKeys:
    return JwksKeys(AuthSettings(jwks_url=server.url, jwks_min_refresh_seconds=min_refresh_seconds))


async def test_keys_are_fetched_once_and_cached(jwks_server):
    keys = keys_for(jwks_server)
    found = await asyncio.gather(*(keys(jwks_server.key.kid) for _ in range(5)))
    assert all(k is not None for k in found)
    assert await keys(jwks_server.key.kid) is not None
    assert jwks_server.hits == 1


async def test_unknown_kids_do_not_refetch_within_the_minimum_interval(jwks_server):
    keys = keys_for(jwks_server, min_refresh_seconds=60)
    assert await keys(jwks_server.key.kid) is not None
    for n in range(5):
        assert await keys(f"made-up-{n}") is None
    assert jwks_server.hits == 1


async def test_a_down_jwks_is_not_asked_again_by_every_request(jwks_server):
    jwks_server.down = True
    keys = keys_for(jwks_server, min_refresh_seconds=60)
    results = await asyncio.gather(*(keys(jwks_server.key.kid) for _ in range(5)))
    assert results == [None] * 5
    assert await keys(jwks_server.key.kid) is None
    assert jwks_server.hits == 1


async def test_keys_come_back_after_the_minimum_interval(jwks_server):
    jwks_server.down = True
    keys = keys_for(jwks_server, min_refresh_seconds=0.2)
    assert await keys(jwks_server.key.kid) is None
    jwks_server.down = False
    await asyncio.sleep(0.3)
    assert await keys(jwks_server.key.kid) is not None
    assert jwks_server.hits == 2
