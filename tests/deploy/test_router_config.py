"""router/router.yaml and its GraphOS overlay are valid Apollo Router 2.13 configurations.

They say what we rely on, stay in step with each other, and enforce the same edge
limits as Hive Gateway (router/edge/settings.ts holds the local gateway's defaults).
"""

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
SCHEMA = REPO / "deploy" / "schemas" / "apollo-router-2.13-config.schema.json"
ROUTER_YAML = REPO / "router" / "router.yaml"
GRAPHOS_YAML = REPO / "router" / "router.graphos.yaml"
EDGE_SETTINGS = REPO / "router" / "edge" / "settings.ts"
# The sections only a GraphOS-connected router accepts: the overlay's only additions.
GRAPHOS_ONLY = {
    "subscription",
    "authentication",
    "persisted_queries",
    "demand_control",
    "authorization",
}
EDGE_COST = REPO / "router" / "edge" / "cost.ts"

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


def _raw(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    expanded: dict[str, Any] = _expand(_raw(ROUTER_YAML))
    return expanded


@pytest.fixture(scope="module")
def graphos() -> dict[str, Any]:
    expanded: dict[str, Any] = _expand(_raw(GRAPHOS_YAML))
    return expanded


def _errors(validator: jsonschema.protocols.Validator, config: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(config)
    ]


def test_router_yaml_is_valid(
    validator: jsonschema.protocols.Validator, config: dict[str, Any]
) -> None:
    assert _errors(validator, config) == []


def test_graphos_overlay_is_valid(
    validator: jsonschema.protocols.Validator, graphos: dict[str, Any]
) -> None:
    assert _errors(validator, graphos) == []


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
    assert "authorization" not in config


# ------------------------------------------------------------------ edge rules


def _hive_defaults() -> dict[str, int]:
    """`count(env, 'GATEWAY_X', 12, 1)` calls in edge/settings.ts -> {'GATEWAY_X': 12}."""
    text = EDGE_SETTINGS.read_text(encoding="utf-8")
    found = re.findall(r"count\(env, '(GATEWAY_[A-Z_]+)', ([0-9_]+),", text)
    assert found, f"no defaults found in {EDGE_SETTINGS}"
    return {name: int(value.replace("_", "")) for name, value in found}


def _hive_cors_origins() -> list[str]:
    match = re.search(r"list\(env, 'CORS_ORIGINS', '([^']*)'\)", EDGE_SETTINGS.read_text("utf-8"))
    assert match, f"no CORS_ORIGINS default in {EDGE_SETTINGS}"
    return [origin.strip() for origin in match[1].split(",")]


def test_limits_are_the_local_gateways(config: dict[str, Any]) -> None:
    # Same variables, same defaults as Hive Gateway, so both refuse the same operations.
    raw = _raw(ROUTER_YAML)
    hive = _hive_defaults()
    pairs = [
        (("limits", "max_depth"), "GATEWAY_MAX_DEPTH"),
        (("limits", "max_aliases"), "GATEWAY_MAX_ALIASES"),
        (("limits", "max_root_fields"), "GATEWAY_MAX_ROOT_FIELDS"),
        (("limits", "parser_max_tokens"), "GATEWAY_MAX_TOKENS"),
        (("limits", "http_max_request_bytes"), "GATEWAY_MAX_BODY_BYTES"),
        (
            ("traffic_shaping", "router", "global_rate_limit", "capacity"),
            "GATEWAY_RATE_REQUESTS_PER_SECOND",
        ),
    ]
    for path, variable in pairs:
        raw_value: Any = raw
        value: Any = config
        for key in path:
            raw_value, value = raw_value[key], value[key]
        assert _expansion_name(raw_value) == variable, path
        assert value == hive[variable], path
    assert config["limits"]["warn_only"] is False


def test_a_one_megabyte_value_fits_and_two_megabytes_do_not(config: dict[str, Any]) -> None:
    assert 1_100_000 < config["limits"]["http_max_request_bytes"] < 2_000_000


def _seconds(duration: str) -> float:
    """A router duration ("250ms", "10s", "1m") in seconds."""
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)", duration).groups()  # type: ignore[union-attr]
    return float(number) * {"ms": 0.001, "s": 1.0, "m": 60.0}[unit]


def test_timeouts_and_rate_ceiling(config: dict[str, Any]) -> None:
    shaping = config["traffic_shaping"]
    # A subgraph call times out before the client request does, so the client gets an answer.
    assert _seconds(shaping["all"]["timeout"]) < _seconds(shaping["router"]["timeout"])
    ceiling = shaping["router"]["global_rate_limit"]
    assert ceiling["capacity"] > 0
    assert _seconds(ceiling["interval"]) > 0
    subgraphs = yaml.safe_load((REPO / "supergraph.yaml").read_text(encoding="utf-8"))["subgraphs"]
    assert set(shaping.get("subgraphs", {})) <= set(subgraphs)


def test_csrf_prevention_stays_on(config: dict[str, Any]) -> None:
    # Hive Gateway (its csrfPrevention option) and the subgraphs apply the same rule with the
    # same headers.
    csrf = config["csrf"]
    assert csrf["unsafe_disabled"] is False
    assert set(csrf["required_headers"]) == {"x-apollo-operation-name", "apollo-require-preflight"}
    hive = (EDGE_SETTINGS.parents[1] / "gateway.config.ts").read_text(encoding="utf-8")
    for header in csrf["required_headers"]:
        assert f"'{header}'" in hive


def test_cors_allows_the_configured_frontends_only(config: dict[str, Any]) -> None:
    cors = config["cors"]
    assert cors["allow_any_origin"] is False
    assert cors["allow_credentials"] is False
    [policy] = cors["policies"]
    assert policy["origins"] == []  # not even the default GraphOS Studio
    patterns = [re.compile(pattern) for pattern in policy["match_origins"]]
    for origin in _hive_cors_origins():
        assert any(p.search(origin) for p in patterns), origin
    for origin in [
        "https://evil.example",
        "http://localhost:3000.evil.example",
        "http://evil.example/http://localhost:3000",
        "http://localhost:30000",
    ]:
        assert not any(p.search(origin) for p in patterns), origin


# ------------------------------------------------------------------ GraphOS overlay


def test_graphos_overlay_is_router_yaml_plus_its_own_sections() -> None:
    base, overlay = _raw(ROUTER_YAML), _raw(GRAPHOS_YAML)
    assert set(overlay) - set(base) == GRAPHOS_ONLY
    assert {key: value for key, value in overlay.items() if key not in GRAPHOS_ONLY} == base


def test_graphos_overlay_safelists_the_committed_persisted_queries(graphos: dict[str, Any]) -> None:
    persisted = graphos["persisted_queries"]
    assert persisted["enabled"] is True
    assert persisted["safelist"] == {"enabled": True, "require_id": False}
    [manifest] = persisted["local_manifests"]
    # docker-compose mounts the committed manifest where the overlay reads it.
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    volumes = compose["services"]["router"]["volumes"]
    assert f"./router/persisted-queries.json:{manifest}:ro" in volumes
    assert (REPO / "router" / "persisted-queries.json").is_file()


def test_graphos_overlay_passes_subscriptions_to_subgraphs(graphos: dict[str, Any]) -> None:
    subscription = graphos["subscription"]
    assert subscription["enabled"] is True
    passthrough = subscription["mode"]["passthrough"]["all"]
    assert passthrough["path"] == "/graphql"
    assert passthrough["protocol"] == "graphql_ws"  # the graphql-transport-ws subprotocol
    assert passthrough["heartbeat_interval"] not in (None, "disabled")


def test_graphos_overlay_enforces_the_authorization_directives(graphos: dict[str, Any]) -> None:
    # An unlicensed router refuses them: router.yaml has none (test_graphos_only_features...).
    directives = graphos["authorization"]["directives"]
    assert directives["enabled"] is True
    assert directives["reject_unauthorized"] is True  # the whole operation, as Hive Gateway


def test_graphos_overlay_verifies_tokens_against_the_users_jwks(graphos: dict[str, Any]) -> None:
    jwt = graphos["authentication"]["router"]["jwt"]
    [jwks] = jwt["jwks"]
    raw_url = _raw(GRAPHOS_YAML)["authentication"]["router"]["jwt"]["jwks"][0]["url"]
    assert _expansion_name(raw_url) == "AUTH_JWKS_URL"
    assert jwks["url"].endswith("/.well-known/jwks.json")
    assert jwks["algorithms"] == ["EdDSA"]
    assert jwks["issuers"] == ["commerce-users"]
    assert jwks["audiences"] == ["commerce"]
    assert jwt.get("on_error", "Error") == "Error"  # a bad token is refused, not ignored


def _expansion_name(raw: str) -> str:
    """The variable name of a `${env.NAME:-default}` expansion."""
    match = EXPANSION.fullmatch(raw)
    assert match is not None, raw
    return match["name"]


def test_graphos_overlay_limits_cost_as_the_local_gateway(graphos: dict[str, Any]) -> None:
    demand = graphos["demand_control"]
    assert demand["enabled"] is True
    assert demand["mode"] == "enforce"
    text = EDGE_COST.read_text(encoding="utf-8")
    hive = {
        name: int(value.replace("_", ""))
        for name, value in re.findall(r"export const (\w+) = ([0-9_]+);", text)
    }
    assert demand["strategy"]["static_estimated"] == {
        "list_size": hive["DEFAULT_LIST_SIZE"],
        "max": hive["MAX_COST"],
    }
