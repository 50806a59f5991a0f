"""HSTS on the storefront's production servers, and only there.

The local server (tools/storefront_server.py) adds Strict-Transport-Security
in production mode only (development runs on http://localhost, which a
browser would then refuse); the image's nginx (storefront/deploy) sends the
same value.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tools.storefront_server import HSTS, create_app

pytestmark = pytest.mark.integration

SCRIPT = Path(__file__).resolve().parents[2] / "storefront" / "deploy" / "40-storefront-config.sh"
GATEWAY = "https://api.shop.example/graphql"


def _dist(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html><title>shop</title>", encoding="utf-8")
    return tmp_path


async def _headers(tmp_path: Path, *, production: bool) -> httpx.Headers:
    app = create_app(_dist(tmp_path), GATEWAY, production=production)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://shop.test") as client:
        return (await client.get("/")).headers


async def test_production_sends_hsts(tmp_path: Path) -> None:
    headers = await _headers(tmp_path, production=True)
    assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"


async def test_development_sends_no_hsts(tmp_path: Path) -> None:
    headers = await _headers(tmp_path, production=False)
    assert "strict-transport-security" not in headers


def test_the_image_sends_the_same_hsts(tmp_path: Path) -> None:
    result = subprocess.run(
        ["sh", str(SCRIPT)],
        env={
            "PATH": os.environ["PATH"],
            "STOREFRONT_RUNTIME_DIR": str(tmp_path),
            "STOREFRONT_GATEWAY_URL": GATEWAY,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    conf = (tmp_path / "headers.conf").read_text()
    hsts = re.search(r'add_header Strict-Transport-Security "([^"]+)" always;', conf)
    assert hsts
    assert hsts[1] == HSTS
