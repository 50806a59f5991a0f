"""Persisted documents at the gateway: by hash from a manifest, and safelisting.

Most tests write their own manifest (`{sha256: document}`, the format GraphQL Code Generator
writes); one runs a gateway on the default list, the web apps' committed manifests and
router/persisted-retired.json (what an earlier release's open tabs may still send).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from testkit.client import error_codes, graphql, subscribe, subscribed
from testkit.journeys import LOGIN, REGISTER, register, unique_email
from tests.e2e.conftest import jwks_url
from tests.e2e.test_orders_through_gateway import CANCEL, create_order
from tools.procs import free_port
from tools.stack import GATEWAY_ARGV, ROOT, gateway_process

pytestmark = pytest.mark.e2e

PRODUCTS = "query Products {\n  products {\n    sku\n    name\n  }\n}"
ARBITRARY = "query Other { products { sku } }"


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def credentials(registration: dict[str, Any]) -> dict[str, Any]:
    """`login`'s variables for a `register`'s."""
    account = registration["input"]
    return {"input": {"email": account["email"], "password": account["password"]}}


@pytest.fixture(scope="module")
def manifest(run_dir: Path) -> Path:
    path = run_dir / "persisted" / "persisted-documents.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    documents = {sha256(doc): doc for doc in (PRODUCTS, REGISTER.strip(), LOGIN.strip())}
    path.write_text(json.dumps(documents), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def safelisting_gateway(
    gateway_url: str, users_url: str, run_dir: Path, manifest: Path
) -> Iterator[str]:
    """A gateway of its own, GATEWAY_PERSISTED_DOCUMENTS_ONLY on, before the shared subgraphs."""
    port = free_port()
    env = {
        "GATEWAY_HOST": "127.0.0.1",
        "AUTH_JWKS_URL": jwks_url(users_url),
        "GATEWAY_PERSISTED_DOCUMENTS": str(manifest),
        "GATEWAY_PERSISTED_DOCUMENTS_ONLY": "true",
    }
    log_dir = run_dir / "persisted"
    # The shared gateway's fixture wrote the supergraph composed for the shared subgraphs.
    process = gateway_process(
        port, env=env, log_dir=log_dir, supergraph=run_dir / "supergraph.graphql"
    )
    with process:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def release_gateway(gateway_url: str, users_url: str, run_dir: Path) -> Iterator[str]:
    """A safelisting gateway on the default manifest list (GATEWAY_PERSISTED_DOCUMENTS unset)."""
    if "GATEWAY_PERSISTED_DOCUMENTS" in os.environ:
        pytest.skip("GATEWAY_PERSISTED_DOCUMENTS is set: the default list is not in use")
    port = free_port()
    env = {
        "GATEWAY_HOST": "127.0.0.1",
        "AUTH_JWKS_URL": jwks_url(users_url),
        "GATEWAY_PERSISTED_DOCUMENTS_ONLY": "true",
    }
    process = gateway_process(
        port,
        env=env,
        log_dir=run_dir / "persisted-release",
        supergraph=run_dir / "supergraph.graphql",
    )
    with process:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
async def safelisted(safelisting_gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=safelisting_gateway, timeout=30) as client:
        yield client


def by_hash(document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Apollo Client's format."""
    return {
        "variables": variables or {},
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(document)}},
    }


async def post(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json=body)
    result: dict[str, Any] = response.json()
    return result


async def test_a_manifest_hash_runs_its_document(safelisted: httpx.AsyncClient) -> None:
    for body in (
        by_hash(PRODUCTS),
        {"documentId": sha256(PRODUCTS)},
        {"documentId": f"sha256:{sha256(PRODUCTS)}"},
        {"query": PRODUCTS},  # the exact text of a listed document
    ):
        result = await post(safelisted, body)
        assert "errors" not in result, (body, result)
        assert {"sku", "name"} <= set(result["data"]["products"][0])


async def test_a_listed_mutation_runs_by_hash(safelisted: httpx.AsyncClient) -> None:
    email = unique_email("pq")
    variables = {"input": {"email": email, "password": "password-123", "name": "By Hash"}}
    result = await post(safelisted, by_hash(REGISTER.strip(), variables))
    assert result["data"]["register"]["userErrors"] == []
    signed_in = await post(safelisted, by_hash(LOGIN.strip(), credentials(variables)))
    assert signed_in["data"]["login"]["user"]["email"] == email


async def test_an_arbitrary_document_is_refused(safelisted: httpx.AsyncClient) -> None:
    email = unique_email("pq")
    variables = {"input": {"email": email, "password": "password-123", "name": "Not Listed"}}
    # REGISTER with other whitespace is another document: not in the list.
    for body in (
        {"query": ARBITRARY},
        {"query": REGISTER.replace("\n", " "), "variables": variables},
    ):
        result = await post(safelisted, body)
        assert error_codes(result) == ["QUERY_NOT_IN_SAFELIST"], result
        assert "data" not in result or result["data"] is None
    # The refused registration never reached the users subgraph: no account to sign in to.
    result = await post(safelisted, by_hash(LOGIN.strip(), credentials(variables)))
    assert [e["code"] for e in result["data"]["login"]["userErrors"]] == ["INVALID_CREDENTIALS"]


async def test_an_unknown_hash_is_refused(safelisted: httpx.AsyncClient) -> None:
    result = await post(safelisted, by_hash(ARBITRARY))
    assert error_codes(result) == ["PERSISTED_QUERY_NOT_IN_LIST"]
    # Sending the document along (Apollo's retry) does not help when safelisting.
    result = await post(safelisted, {"query": ARBITRARY, **by_hash(ARBITRARY)})
    assert error_codes(result) == ["PERSISTED_QUERY_NOT_IN_LIST"]


async def test_development_runs_any_document_and_asks_for_unknown_ones(
    gateway: httpx.AsyncClient,
) -> None:
    # The shared gateway runs with the defaults: safelisting off, manifest maybe absent.
    result = await post(gateway, by_hash(ARBITRARY))
    assert error_codes(result) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert result["errors"][0]["message"] == "PersistedQueryNotFound"  # Apollo's link resends
    result = await post(gateway, {"query": ARBITRARY, **by_hash(ARBITRARY)})
    assert result["data"]["products"]
    result = await post(gateway, {"query": ARBITRARY})
    assert result["data"]["products"]


def _start_gateway(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run a gateway that should refuse to start; returns once it has exited."""
    return subprocess.run(
        GATEWAY_ARGV,
        cwd=ROOT / "router",
        env={
            **os.environ,
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(free_port()),
            "NO_COLOR": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_safelisting_without_a_manifest_does_not_start(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "persisted-documents.json"
    done = _start_gateway(
        {"GATEWAY_PERSISTED_DOCUMENTS": str(missing), "GATEWAY_PERSISTED_DOCUMENTS_ONLY": "true"},
        tmp_path,
    )
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "GATEWAY_PERSISTED_DOCUMENTS_ONLY is on but the persisted documents manifest" in output
    assert str(missing) in output


async def test_safelisting_covers_websocket_operations(safelisting_gateway: str) -> None:
    arbitrary = 'subscription { orderStatusChanged(orderId: "o-1") { status } }'
    async with subscribe(f"{safelisting_gateway}/graphql", arbitrary, {}, token=None) as sub:
        errors = await sub.error()
    assert [e["extensions"]["code"] for e in errors] == ["QUERY_NOT_IN_SAFELIST"]


def _retired_order_status() -> str:
    """The storefront's OrderStatus subscription as the release before `since` sent it."""
    retired: dict[str, str] = json.loads(
        (ROOT / "router" / "persisted-retired.json").read_text(encoding="utf-8")
    )
    [document] = [d for d in retired.values() if d.startswith("subscription OrderStatus(")]
    current = (ROOT / "storefront" / "src" / "gql" / "persisted-documents.json").read_text("utf-8")
    assert sha256(document) not in json.loads(current)  # the app no longer has it
    return document


async def test_a_retired_document_still_runs_by_hash(
    release_gateway: str, gateway: httpx.AsyncClient, internal_urls: dict[str, str]
) -> None:
    # A tab still running the previous bundle follows its order by the old document's hash.
    document = _retired_order_status()
    token = (await register(gateway))["accessToken"]
    order = (await create_order(gateway, token, [{"sku": "SKU-MUG", "quantity": 1}]))["order"]
    async with subscribed(
        gateway,
        f"{release_gateway}/graphql",
        document,
        {"orderId": order["id"]},
        token=token,
        upstream=internal_urls["orders"],
        extensions=by_hash(document)["extensions"],
    ) as feed:
        await graphql(gateway, CANCEL, {"id": order["id"]}, token=token)
        change = (await feed.next())["data"]["orderStatusChanged"]
    assert (change["orderId"], change["previousStatus"], change["status"]) == (
        order["id"],
        "PENDING",
        "CANCELLED",
    )
    # A hash in no list is still refused there.
    async with httpx.AsyncClient(base_url=release_gateway, timeout=30) as client:
        refused = await post(client, by_hash(ARBITRARY))
    assert error_codes(refused) == ["PERSISTED_QUERY_NOT_IN_LIST"]
