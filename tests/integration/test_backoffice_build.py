"""The back office's build: generated documents fresh, its Vitest suite, its bundle.

The same checks as the storefront's (test_storefront_build.py) where they differ in what
they read; the server and its headers are the storefront's (tools/storefront_server.py),
tested there.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tools.storefront_server import BACKOFFICE_DIST

pytestmark = pytest.mark.integration

OFFICE = Path(__file__).resolve().parents[2] / "backoffice"
BIN = OFFICE / "node_modules" / ".bin"
MANIFEST = OFFICE / "src" / "gql" / "persisted-documents.json"
BUNDLE_LIMIT_BYTES = 250_000  # gzipped, every JavaScript file of the build together


def _node_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    if not (BIN / argv[0]).exists():
        pytest.fail("backoffice/node_modules is missing: `make test` installs it")
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        cwd=OFFICE,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
        env={**os.environ, "NO_COLOR": "1", "CI": "true"},
    )


def test_generated_documents_and_manifest_are_fresh() -> None:
    result = _node_tool("graphql-codegen", "--config", "codegen.ts", "--check")
    assert result.returncode == 0, (
        f"stale backoffice/src/gql; run: make backoffice-codegen\n{result.stdout}{result.stderr}"
    )


def test_manifest_keys_are_the_sha256_of_each_document() -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert manifest, "no persisted documents"
    for key, document in manifest.items():
        assert key == hashlib.sha256(document.encode()).hexdigest()
    assert any(d.startswith("mutation StaffLogin(") for d in manifest.values())


def test_vitest_logic_suite_passes() -> None:
    result = _node_tool("vitest", "run", "--reporter=dot")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Tests\s+\d+ passed", result.stdout), result.stdout


def test_production_bundle_is_under_budget_with_no_inline_script() -> None:
    if not (BACKOFFICE_DIST / "index.html").is_file():
        pytest.fail("backoffice/dist is missing: `make test` builds it (make backoffice)")
    scripts = list((BACKOFFICE_DIST / "assets").glob("*.js"))
    size = sum(len(gzip.compress(path.read_bytes())) for path in scripts)
    assert 0 < size < BUNDLE_LIMIT_BYTES, size
    page = (BACKOFFICE_DIST / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script in index.html"
    assert "http://" not in page
    assert "https://" not in page
