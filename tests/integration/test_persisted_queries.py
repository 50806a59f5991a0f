"""Apollo Router's persisted-query manifest: made from the web apps' persisted documents.

`router/persisted-queries.json` (read by router.graphos.yaml) and
`router/persisted-retired.json` (documents an earlier release may still send) must be what
`router/tools/persisted-queries.mjs` makes of the current manifests; manifests the tests
write show that the conversion and the retirement are right.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from graphql import OperationDefinitionNode, parse

ROUTER = Path(__file__).resolve().parents[2] / "router"

# Apollo's persisted query manifest format (the one `@apollo/generate-persisted-query-manifest`
# writes and the router's `persisted_queries.local_manifests` reads), as a JSON Schema.
APOLLO_MANIFEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["format", "version", "operations"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": "apollo-persisted-query-manifest"},
        "version": {"const": 1},
        "operations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "type", "body"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "name": {"type": "string", "minLength": 1},
                    "type": {"enum": ["query", "mutation", "subscription"]},
                    "body": {"type": "string", "minLength": 1},
                },
            },
        },
    },
}


def convert(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", "tools/persisted-queries.mjs", *args],
        cwd=ROUTER,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_committed_manifest_is_fresh() -> None:
    done = convert("--check")
    assert done.returncode == 0, done.stderr
    committed = json.loads((ROUTER / "persisted-queries.json").read_text(encoding="utf-8"))
    jsonschema.validate(committed, APOLLO_MANIFEST_SCHEMA)
    # The retired documents are listed too, by the hash of their text.
    retired = json.loads((ROUTER / "persisted-retired.json").read_text(encoding="utf-8"))
    assert list(retired) == sorted(retired)
    listed = {op["id"]: op["body"] for op in committed["operations"]}
    for sha256, document in retired.items():
        assert sha256 == hashlib.sha256(document.encode()).hexdigest()
        assert listed[sha256] == document


PRODUCTS = "query Products {\n  products {\n    sku\n  }\n}"
STATUS = "subscription Status($id: ID!) {\n  orderStatusChanged(orderId: $id) {\n    status\n  }\n}"
STATUS_SINCE = (
    "subscription Status($id: ID!, $since: DateTime) {\n"
    "  orderStatusChanged(orderId: $id, since: $since) {\n    status\n  }\n}"
)


def _hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _release(tmp_path: Path, *args: str, documents: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the tool on an app manifest holding `documents`, writing into tmp_path."""
    source = tmp_path / "persisted-documents.json"
    source.write_text(json.dumps({_hash(d): d for d in documents}), "utf-8")
    target = tmp_path / "persisted-queries.json"
    return convert(*args, "--out", str(target), env={"GATEWAY_PERSISTED_DOCUMENTS": str(source)})


def _written(tmp_path: Path) -> tuple[set[str], dict[str, str]]:
    """The Apollo manifest's ids and the retired manifest the tool wrote into tmp_path."""
    manifest = json.loads((tmp_path / "persisted-queries.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, APOLLO_MANIFEST_SCHEMA)
    retired = json.loads((tmp_path / "persisted-retired.json").read_text(encoding="utf-8"))
    return {op["id"] for op in manifest["operations"]}, retired


def test_a_document_an_app_no_longer_has_is_retired_and_stays_listed(tmp_path: Path) -> None:
    done = _release(tmp_path, documents=[PRODUCTS, STATUS])
    assert done.returncode == 0, done.stderr
    assert _written(tmp_path) == ({_hash(PRODUCTS), _hash(STATUS)}, {})

    # A document dropped: the Apollo manifest would stay the same, the retired one would not.
    pending = _release(tmp_path, "--check", documents=[PRODUCTS])
    assert pending.returncode == 1
    assert "persisted-queries.json is stale" not in pending.stderr
    assert "persisted-retired.json is stale" in pending.stderr

    # The next release changes the subscription: its old text is pending retirement.
    pending = _release(tmp_path, "--check", documents=[PRODUCTS, STATUS_SINCE])
    assert pending.returncode == 1
    assert f"lacks operations that left the apps' manifests: Status ({_hash(STATUS)[:12]})" in (
        pending.stderr
    )

    done = _release(tmp_path, documents=[PRODUCTS, STATUS_SINCE])
    assert done.returncode == 0, done.stderr
    ids, retired = _written(tmp_path)
    assert ids == {_hash(PRODUCTS), _hash(STATUS), _hash(STATUS_SINCE)}
    assert retired == {_hash(STATUS): STATUS}
    # Written once, nothing is pending, and writing again changes nothing.
    before = (tmp_path / "persisted-retired.json").read_bytes()
    checked = _release(tmp_path, "--check", documents=[PRODUCTS, STATUS_SINCE])
    assert checked.returncode == 0, checked.stderr
    assert _release(tmp_path, documents=[PRODUCTS, STATUS_SINCE]).returncode == 0
    assert (tmp_path / "persisted-retired.json").read_bytes() == before
    assert _written(tmp_path)[1] == {_hash(STATUS): STATUS}


def test_prune_retired_empties_the_retired_list(tmp_path: Path) -> None:
    for documents in ([PRODUCTS, STATUS], [PRODUCTS, STATUS_SINCE]):
        assert _release(tmp_path, documents=documents).returncode == 0
    assert _written(tmp_path)[1] == {_hash(STATUS): STATUS}

    done = _release(tmp_path, "--prune-retired", documents=[PRODUCTS, STATUS_SINCE])
    assert done.returncode == 0, done.stderr
    assert _written(tmp_path) == ({_hash(PRODUCTS), _hash(STATUS_SINCE)}, {})
    checked = _release(tmp_path, "--check", documents=[PRODUCTS, STATUS_SINCE])
    assert checked.returncode == 0, checked.stderr


def test_prune_retired_still_retires_what_the_deployed_release_sends(tmp_path: Path) -> None:
    # Pruned in the same run that drops Products: the release now deployed still sends it.
    for documents in ([PRODUCTS, STATUS], [PRODUCTS, STATUS_SINCE]):
        assert _release(tmp_path, documents=documents).returncode == 0
    done = _release(tmp_path, "--prune-retired", documents=[STATUS_SINCE])
    assert done.returncode == 0, done.stderr
    assert _written(tmp_path) == (
        {_hash(PRODUCTS), _hash(STATUS_SINCE)},
        {_hash(PRODUCTS): PRODUCTS},
    )


def test_documents_become_apollo_operations(tmp_path: Path) -> None:
    documents = [
        "query Products {\n  products {\n    sku\n  }\n}",
        "mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    accessToken\n  }\n}",
        "subscription Status($id: ID!) {\n  orderStatusChanged(orderId: $id) {\n    status\n  }\n}",
    ]
    source = tmp_path / "persisted-documents.json"
    source.write_text(
        json.dumps({hashlib.sha256(d.encode()).hexdigest(): d for d in documents}), "utf-8"
    )
    target = tmp_path / "persisted-queries.json"
    done = convert("--out", str(target), env={"GATEWAY_PERSISTED_DOCUMENTS": str(source)})
    assert done.returncode == 0, done.stderr
    manifest = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.validate(manifest, APOLLO_MANIFEST_SCHEMA)
    by_name = {op["name"]: op for op in manifest["operations"]}
    assert {name: op["type"] for name, op in by_name.items()} == {
        "Products": "query",
        "Login": "mutation",
        "Status": "subscription",
    }
    for operation in manifest["operations"]:
        # The router checks a freeform body against `body` and an id against `id`.
        assert operation["id"] == hashlib.sha256(operation["body"].encode()).hexdigest()
        [definition] = parse(operation["body"]).definitions
        assert isinstance(definition, OperationDefinitionNode)


@pytest.mark.parametrize(
    "manifest",
    [
        {"not-a-hash": "query A { products { sku } }"},
        {hashlib.sha256(b"x").hexdigest(): "{ products { sku } }"},  # anonymous
    ],
)
def test_documents_the_router_cannot_list_are_refused(tmp_path: Path, manifest: Any) -> None:
    source = tmp_path / "persisted-documents.json"
    source.write_text(json.dumps(manifest), "utf-8")
    target = tmp_path / "out.json"
    done = convert("--out", str(target), env={"GATEWAY_PERSISTED_DOCUMENTS": str(source)})
    assert done.returncode != 0
    assert not target.exists()


def test_both_apps_manifests_are_merged(tmp_path: Path) -> None:
    # GATEWAY_PERSISTED_DOCUMENTS lists a manifest per web app (storefront, back office).
    shop = "query Products {\n  products {\n    sku\n  }\n}"
    office = "mutation StaffLogin($input: LoginInput!) {\n  login(input: $input) { accessToken }\n}"
    sources = []
    for name, document in (("shop", shop), ("office", office)):
        source = tmp_path / f"{name}.json"
        source.write_text(json.dumps({hashlib.sha256(document.encode()).hexdigest(): document}))
        sources.append(str(source))
    target = tmp_path / "persisted-queries.json"
    done = convert("--out", str(target), env={"GATEWAY_PERSISTED_DOCUMENTS": ",".join(sources)})
    assert done.returncode == 0, done.stderr
    manifest = json.loads(target.read_text(encoding="utf-8"))
    assert sorted(op["name"] for op in manifest["operations"]) == ["Products", "StaffLogin"]
