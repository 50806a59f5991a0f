"""Apollo Router's persisted-query manifest: made from the storefront's persisted documents.

`router/persisted-queries.json` (read by router.graphos.yaml) must be what
`router/tools/persisted-queries.mjs` makes of the current manifest; a
manifest the tests write shows that the conversion is right.
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
