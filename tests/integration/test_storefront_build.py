"""The storefront's generated files, logic tests, bundle and server, without a running stack.

`make test` installs storefront/node_modules and builds storefront/dist first.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tools.storefront_server import DIST, content_security_policy, create_app

pytestmark = pytest.mark.integration

SHOP = Path(__file__).resolve().parents[2] / "storefront"
BIN = SHOP / "node_modules" / ".bin"
MANIFEST = SHOP / "src" / "gql" / "persisted-documents.json"
BUNDLE_LIMIT_BYTES = 250_000  # gzipped, every JavaScript file of the build together


def _node_tool(*argv: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    if not (BIN / argv[0]).exists():
        pytest.fail("storefront/node_modules is missing: `make test` installs it")
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        cwd=SHOP,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", "CI": "true"},
    )


def test_generated_documents_and_manifest_are_fresh() -> None:
    result = _node_tool("graphql-codegen", "--config", "codegen.ts", "--check")
    assert result.returncode == 0, (
        f"stale storefront/src/gql; run: make storefront-codegen\n{result.stdout}{result.stderr}"
    )


def test_manifest_keys_are_the_sha256_of_each_document() -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert manifest, "no persisted documents"
    for key, document in manifest.items():
        assert key == hashlib.sha256(document.encode()).hexdigest()
    # One operation per document, after the fragments it uses (codegen sorts them first).
    operation = re.compile(r"(?:^|\} )(?:query|mutation|subscription) (\w+)")
    names = {operation.search(d)[1] for d in manifest.values()}  # type: ignore[index]
    assert {"Products", "CreateOrder", "ProcessPayment", "OrderStatus"} <= names


def test_vitest_logic_suite_passes() -> None:
    result = _node_tool("vitest", "run", "--reporter=dot")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Tests\s+\d+ passed", result.stdout), result.stdout


def _built() -> Path:
    if not (DIST / "index.html").is_file():
        pytest.fail("storefront/dist is missing: `make test` builds it (make storefront)")
    return DIST


def test_production_bundle_is_under_budget() -> None:
    scripts = sorted(_built().glob("assets/*.js"))
    assert scripts
    sizes = {path.name: len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in scripts}
    total = sum(sizes.values())
    assert total < BUNDLE_LIMIT_BYTES, f"{total} B gzipped (limit {BUNDLE_LIMIT_BYTES}): {sizes}"


def test_built_page_has_no_inline_script_and_no_remote_asset() -> None:
    html = (_built() / "index.html").read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script: {tag}"
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "remote asset in index.html"


@pytest.fixture
async def server() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(_built(), "https://api.shop.example:8443/graphql", "http")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        yield client


async def test_server_sends_the_policy_and_config(server: httpx.AsyncClient) -> None:
    response = await server.get("/config.json")
    assert response.json() == {
        "gatewayUrl": "https://api.shop.example:8443/graphql",
        "subscriptions": "http",
    }
    assert response.headers["cache-control"] == "no-store"
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "connect-src 'self' https://api.shop.example:8443 wss://api.shop.example:8443;" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy


async def test_server_routes_app_paths_to_index_and_refuses_missing_assets(
    server: httpx.AsyncClient,
) -> None:
    page = await server.get("/orders/abc")
    assert page.status_code == 200
    assert '<div id="root">' in page.text
    assert page.headers["content-security-policy"]
    script = re.search(r'src="(/assets/[^"]+\.js)"', page.text)
    assert script
    asset = await server.get(script[1])
    assert asset.status_code == 200
    assert "immutable" in asset.headers["cache-control"]
    missing = await server.get("/assets/nope.js")
    assert missing.status_code == 404
    assert missing.headers["content-security-policy"]
    outside = await server.get("/assets/..%2F..%2F..%2Fpyproject.toml")
    assert "[project]" not in outside.text


def test_policy_needs_an_absolute_gateway_url() -> None:
    assert "ws://localhost:4000" in content_security_policy("http://localhost:4000/graphql")
    with pytest.raises(ValueError, match="absolute"):
        content_security_policy("/graphql")


def _render_image_config(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The image's start script (storefront/deploy/40-storefront-config.sh) run with `env`."""
    return subprocess.run(
        ["sh", str(SHOP / "deploy" / "40-storefront-config.sh")],
        env={"PATH": os.environ["PATH"], "STOREFRONT_RUNTIME_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def test_the_image_sends_the_same_policy_as_the_local_server(tmp_path: Path) -> None:
    gateway = "https://api.shop.example/graphql"
    result = _render_image_config(
        tmp_path, STOREFRONT_GATEWAY_URL=gateway, STOREFRONT_SUBSCRIPTIONS="ws"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "config.json").read_text()) == {
        "gatewayUrl": gateway,
        "subscriptions": "ws",
    }
    headers = (tmp_path / "headers.conf").read_text()
    csp = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', headers)
    assert csp
    assert csp[1] == content_security_policy(gateway)
    nginx = (SHOP / "deploy" / "nginx.conf").read_text()
    # add_header does not inherit into a location with its own: every location includes them.
    locations = re.findall(r"^\s*location [^{]+\{([^}]*)\}", nginx, flags=re.MULTILINE)
    assert len(locations) == 4
    assert all("include /tmp/storefront/headers.conf;" in block for block in locations)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STOREFRONT_GATEWAY_URL", "/graphql"),
        ("STOREFRONT_GATEWAY_URL", 'http://x/"; add_header X 1;'),
        ("STOREFRONT_SUBSCRIPTIONS", "sse"),
    ],
)
def test_the_image_refuses_a_bad_setting(tmp_path: Path, name: str, value: str) -> None:
    result = _render_image_config(tmp_path, **{name: value})
    assert result.returncode != 0
    assert name in result.stderr
    assert not (tmp_path / "headers.conf").exists()
