"""router/router.yaml is a valid Apollo Router 2.13 configuration and says what we rely on."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / ".." / "shared" / "reference" / "apollo-router-2.13-config.schema.json"
ROUTER_YAML = REPO / "router" / "router.yaml"

# `${env.NAME}` or `${env.NAME:-default}`, as the router expands them at start-up.
EXPANSION = re.compile(r"\$\{env\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")
# Values for variables that have no default in router.yaml.
SAMPLES: dict[str, str] = {}


def _expand(value: Any) -> Any:
    """Resolve env expansions to their default (or a sample); a whole-string one is re-typed."""
    if isinstance(value, dict):
        return {key: _expand(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item) for item in value]
    if not isinstance(value, str) or not EXPANSION.search(value):
        return value

    def sample(match: re.Match[str]) -> str:
        if match["default"] is not None:
            return match["default"]
        if match["name"] not in SAMPLES:
            pytest.fail(f"add a sample value for ${{env.{match['name']}}} to SAMPLES")
        return SAMPLES[match["name"]]

    expanded = EXPANSION.sub(sample, value)
    return yaml.safe_load(expanded) if EXPANSION.fullmatch(value) else expanded


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    loaded = _expand(yaml.safe_load(ROUTER_YAML.read_text(encoding="utf-8")))
    assert isinstance(loaded, dict)
    return loaded


def _errors(validator: jsonschema.protocols.Validator, config: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(config)
    ]


def test_router_yaml_is_valid(
    validator: jsonschema.protocols.Validator, config: dict[str, Any]
) -> None:
    assert _errors(validator, config) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["no_such_plugin"], {"enabled": True}),  # unknown top-level key
        (["supergraph", "listne"], "0.0.0.0:4000"),  # misspelt nested key
        (["health_check", "enabled"], "yes"),  # wrong type
    ],
)
def test_validator_rejects_a_broken_config(
    validator: jsonschema.protocols.Validator, config: dict[str, Any], path: list[str], value: Any
) -> None:
    broken = copy.deepcopy(config)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert _errors(validator, broken) != []


def test_expansion_resolves_defaults_and_types() -> None:
    assert _expand({"a": "${env.NOPE:-http://x:1/graphql}", "b": "${env.NOPE:-8}"}) == {
        "a": "http://x:1/graphql",
        "b": 8,
    }


def test_serves_graphql_and_health_on_all_interfaces(config: dict[str, Any]) -> None:
    assert config["supergraph"]["listen"] == "0.0.0.0:4000"
    assert config["supergraph"]["path"] == "/graphql"
    assert config["health_check"]["listen"] == "0.0.0.0:8088"


def test_production_exposes_no_introspection_or_sandbox(config: dict[str, Any]) -> None:
    assert config["supergraph"]["introspection"] is False
    assert config["sandbox"]["enabled"] is False


def test_forwards_token_and_correlation_id_to_every_subgraph(config: dict[str, Any]) -> None:
    rules = config["headers"]["all"]["request"]
    propagated = {rule["propagate"]["named"].lower() for rule in rules if "propagate" in rule}
    assert {"authorization", "x-correlation-id"} <= propagated


def test_every_subgraph_has_a_container_url(config: dict[str, Any]) -> None:
    subgraphs = yaml.safe_load((REPO / "supergraph.yaml").read_text(encoding="utf-8"))["subgraphs"]
    assert set(config["override_subgraph_url"]) == set(subgraphs)


def test_graphos_only_features_stay_out(config: dict[str, Any]) -> None:
    # Apollo Router refuses to start with these unless connected to GraphOS (an overlay adds them).
    assert "subscription" not in config
    assert "authentication" not in config
