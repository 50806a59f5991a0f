"""Jaeger, Prometheus and the alert rules of docker-compose.yml, read and checked against the code.

promtool cannot be installed here, so deploy/prometheus/ is checked by reading it: the
Prometheus configuration and the rule file against schemas written for the fields they use
(Prometheus refuses unknown fields, so do these), every PromQL expression parsed by a real
PromQL parser (promql-parser, the Rust parser's Python binding), every metric an alert reads
checked against the metrics the processes serve, and every scrape and probe target against
the compose services, their ports and the router's configuration.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import promql_parser
import pytest
import yaml

from tests.deploy.deployment_files import (
    COMPOSE_FILE,
    REPO,
    REQUIRED,
    bind_mounts,
    build_args,
    environment,
    interpolate,
    load_yaml,
    python_builds,
)

PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
OPERATIONS_DOC = REPO / "docs" / "operations.md"
DURATION = r"^(\d+(ms|s|m|h|d|w|y))+$"
LABEL_NAME = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
# Metrics that come from Prometheus itself (`up`) and from the blackbox exporter.
BUILTIN_METRICS = {"up", "probe_success"}


def _strict(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required or [],
        "additionalProperties": False,
    }


_STRINGS = {"type": "array", "items": {"type": "string"}}
_DURATION = {"type": "string", "pattern": DURATION}
# Prometheus configuration (prometheus.io/docs/prometheus/latest/configuration/configuration/),
# the fields this repository uses, with their documented types.
PROMETHEUS_SCHEMA = _strict(
    {
        "global": _strict(
            {
                "scrape_interval": _DURATION,
                "scrape_timeout": _DURATION,
                "evaluation_interval": _DURATION,
            }
        ),
        "rule_files": _STRINGS,
        "scrape_configs": {
            "type": "array",
            "minItems": 1,
            "items": _strict(
                {
                    "job_name": {"type": "string", "minLength": 1},
                    "metrics_path": {"type": "string", "pattern": "^/"},
                    "scrape_interval": _DURATION,
                    "params": {"type": "object", "additionalProperties": _STRINGS},
                    "static_configs": {
                        "type": "array",
                        "items": _strict(
                            {
                                "targets": _STRINGS,
                                "labels": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                            ["targets"],
                        ),
                    },
                    "relabel_configs": {
                        "type": "array",
                        "items": _strict(
                            {
                                "source_labels": {
                                    "type": "array",
                                    "items": {"type": "string", "pattern": LABEL_NAME},
                                },
                                "target_label": {"type": "string", "pattern": LABEL_NAME},
                                "replacement": {"type": "string"},
                                "regex": {"type": "string"},
                                "action": {"enum": ["replace", "keep", "drop", "labelmap"]},
                            }
                        ),
                    },
                },
                ["job_name", "static_configs"],
            ),
        },
    },
    ["scrape_configs"],
)
# Rule files (prometheus.io/docs/prometheus/latest/configuration/alerting_rules/).
RULES_SCHEMA = _strict(
    {
        "groups": {
            "type": "array",
            "minItems": 1,
            "items": _strict(
                {
                    "name": {"type": "string", "minLength": 1},
                    "interval": _DURATION,
                    "rules": {
                        "type": "array",
                        "minItems": 1,
                        "items": _strict(
                            {
                                "alert": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]*$"},
                                "expr": {"type": "string", "minLength": 1},
                                "for": _DURATION,
                                "keep_firing_for": _DURATION,
                                "labels": {
                                    "type": "object",
                                    "propertyNames": {"pattern": LABEL_NAME},
                                    "additionalProperties": {"type": "string"},
                                },
                                "annotations": {
                                    "type": "object",
                                    "propertyNames": {"pattern": LABEL_NAME},
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                            ["alert", "expr"],
                        ),
                    },
                },
                ["name", "rules"],
            ),
        }
    },
    ["groups"],
)
# The blackbox exporter's modules (github.com/prometheus/blackbox_exporter CONFIGURATION.md).
BLACKBOX_SCHEMA = _strict(
    {
        "modules": {
            "type": "object",
            "additionalProperties": _strict(
                {
                    "prober": {"enum": ["http", "tcp", "dns", "icmp", "grpc"]},
                    "timeout": _DURATION,
                    "http": _strict(
                        {
                            "method": {"enum": ["GET", "HEAD", "POST"]},
                            "valid_status_codes": {"type": "array", "items": {"type": "integer"}},
                            "preferred_ip_protocol": {"enum": ["ip4", "ip6"]},
                        }
                    ),
                },
                ["prober"],
            ),
        }
    },
    ["modules"],
)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = interpolate(load_yaml(COMPOSE_FILE), REQUIRED)["services"]
    return found


def _mounted(service: dict[str, Any]) -> dict[str, Path]:
    """Container path -> repository file of each bind mount of a service."""
    return {target: COMPOSE_FILE.parent / source for source, target, _ in bind_mounts(service)}


def _flag(service: dict[str, Any], name: str) -> str:
    [value] = [arg.split("=", 1)[1] for arg in service["command"] if arg.startswith(f"{name}=")]
    return value


@pytest.fixture(scope="module")
def prometheus(services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The configuration the prometheus service runs with."""
    service = services["prometheus"]
    return load_yaml(_mounted(service)[_flag(service, "--config.file")])


@pytest.fixture(scope="module")
def rules(services: dict[str, dict[str, Any]], prometheus: dict[str, Any]) -> list[dict[str, Any]]:
    mounted = _mounted(services["prometheus"])
    found = []
    for path in prometheus["rule_files"]:
        document = load_yaml(mounted[path])
        assert _errors(RULES_SCHEMA, document) == [], path
        found += [rule for group in document["groups"] for rule in group["rules"]]
    return found


@pytest.fixture(scope="module")
def blackbox(services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    service = services["blackbox"]
    return load_yaml(_mounted(service)[_flag(service, "--config.file")])


def _errors(schema: dict[str, Any], document: Any) -> list[str]:
    jsonschema.Draft7Validator.check_schema(schema)
    return [
        f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in jsonschema.Draft7Validator(schema).iter_errors(document)
    ]


def _job(prometheus: dict[str, Any], name: str) -> dict[str, Any]:
    [job] = [job for job in prometheus["scrape_configs"] if job["job_name"] == name]
    return job


def _targets(job: dict[str, Any]) -> list[str]:
    return [target for group in job["static_configs"] for target in group["targets"]]


def _router_settings() -> dict[str, Any]:
    text = (REPO / "router" / "router.yaml").read_text(encoding="utf-8")
    loaded = yaml.safe_load(re.sub(r"\$\{env\.[A-Za-z0-9_]+:-([^}]*)\}", r"\1", text))
    assert isinstance(loaded, dict)
    return loaded


# ------------------------------------------------------------------ the files are well formed


def test_prometheus_config_matches_its_schema(prometheus: dict[str, Any]) -> None:
    assert _errors(PROMETHEUS_SCHEMA, prometheus) == []
    names = [job["job_name"] for job in prometheus["scrape_configs"]]
    assert len(names) == len(set(names))


def test_blackbox_config_matches_its_schema(blackbox: dict[str, Any]) -> None:
    assert _errors(BLACKBOX_SCHEMA, blackbox) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["global", "scrape_interval"], "15 seconds"),  # not a duration
        (["scrape_configs", 0, "static_config"], []),  # misspelt key
        (["scrape_configs", 0, "static_configs", 0, "targets"], "users:4001"),  # not a list
        (["scrape_configs", 0, "metrics_path"], "metrics"),  # not a path
    ],
)
def test_prometheus_schema_rejects_a_broken_config(
    prometheus: dict[str, Any], path: list[Any], value: Any
) -> None:
    broken = copy.deepcopy(prometheus)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert _errors(PROMETHEUS_SCHEMA, broken) != []


@pytest.mark.parametrize(
    ("field", "value"),
    [("for", "10 minutes"), ("expr", ""), ("labels", {"severity": 1}), ("alert", "lower case")],
)
def test_rules_schema_rejects_a_broken_rule(field: str, value: Any) -> None:
    rule = {"alert": "Example", "expr": "up == 0", "for": "5m", "labels": {"severity": "info"}}
    assert _errors(RULES_SCHEMA, {"groups": [{"name": "g", "rules": [rule]}]}) == []
    rule[field] = value
    assert _errors(RULES_SCHEMA, {"groups": [{"name": "g", "rules": [rule]}]}) != []


def test_every_expression_parses_as_promql(rules: list[dict[str, Any]]) -> None:
    for rule in rules:
        promql_parser.parse(rule["expr"])  # raises ValueError on a syntax error
    with pytest.raises(ValueError, match="parenthesis"):
        promql_parser.parse("max by (group) (increase(events_dead_letters_total[15m])")


def test_every_alert_says_how_bad_and_what(rules: list[dict[str, Any]]) -> None:
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert rule["labels"]["severity"] in {"info", "warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]


# ------------------------------------------------------------------ the rules read real metrics


def _metric_names(node: Any) -> set[str]:
    """Every metric a PromQL expression selects."""
    if isinstance(node, promql_parser.VectorSelector):
        return {node.name} if node.name else set()
    found: set[str] = set()
    for attribute in ("lhs", "rhs", "expr", "args", "vector_selector", "param"):
        child = getattr(node, attribute, None)
        for item in child if isinstance(child, list) else [child]:
            if item is not None:
                found |= _metric_names(item)
    return found


def _served_metrics() -> set[str]:
    """The metrics the processes serve on /metrics: docs/operations.md's "Metrics" table and
    every counter the code declares."""
    text = OPERATIONS_DOC.read_text(encoding="utf-8")
    section = text.split("## Metrics", 1)[1].split("\n## ", 1)[0]
    names = set(re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE))
    for path in [*(REPO / "subgraphs").rglob("*.py"), *(REPO / "workers").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"\b(?:Counter|Gauge|Histogram)\(\s*\"([a-z_]+)\"", source))
    return names


def test_the_metric_walk_finds_every_selector() -> None:
    expression = promql_parser.parse(
        'max(a{x="1"}) > on() group_left b or absent_over_time(c[5m]) unless d offset 1h'
    )
    assert _metric_names(expression) == {"a", "b", "c", "d"}


def test_alerts_read_only_metrics_the_processes_serve(rules: list[dict[str, Any]]) -> None:
    served = _served_metrics() | BUILTIN_METRICS
    assert {"mongodb_commands_total", "events_consumer_lag"} <= served  # both sources read
    for rule in rules:
        unknown = _metric_names(promql_parser.parse(rule["expr"])) - served
        assert unknown == set(), f"{rule['alert']} reads {unknown}"


def test_the_operators_alerts_are_all_there(rules: list[dict[str, Any]]) -> None:
    # Dead-letter growth, consumer lag, outbox backlog and a failing /ready (issue list).
    read = {metric for rule in rules for metric in _metric_names(promql_parser.parse(rule["expr"]))}
    assert {"events_dead_letters_total", "events_consumer_lag", "probe_success"} <= read
    assert read & {"outbox_pending", "outbox_oldest_pending_age_seconds"}
    [ready] = [rule for rule in rules if "probe_success" in rule["expr"]]
    assert 'job="ready"' in ready["expr"]


# ------------------------------------------------------------------ targets are the services


def test_every_python_process_is_scraped_on_its_port(
    services: dict[str, dict[str, Any]], prometheus: dict[str, Any]
) -> None:
    scraped = {
        target
        for job in prometheus["scrape_configs"]
        if job.get("metrics_path", "/metrics") == "/metrics"
        for target in _targets(job)
    }
    expected = {
        f"{name}:{_internal_port(name, service)}"
        for name, service in python_builds(services).items()
    }
    assert expected <= scraped


def _internal_port(name: str, service: dict[str, Any]) -> str:
    """Where a process serves /metrics and its readiness checks: a subgraph's internal port
    (its <NAME>_INTERNAL_PORT), a worker's only port."""
    internal = service["environment"].get(f"{name.upper()}_INTERNAL_PORT")
    return str(internal or build_args(service)["PORT"])


def test_the_router_is_scraped_where_its_config_serves_metrics(prometheus: dict[str, Any]) -> None:
    exporter = _router_settings()["telemetry"]["exporters"]["metrics"]["prometheus"]
    assert exporter["enabled"] is True
    job = _job(prometheus, "router")
    assert job.get("metrics_path", "/metrics") == exporter["path"]
    assert _targets(job) == [f"router:{exporter['listen'].rsplit(':', 1)[1]}"]


def test_every_ready_endpoint_is_probed(
    services: dict[str, dict[str, Any]], prometheus: dict[str, Any], blackbox: dict[str, Any]
) -> None:
    job = _job(prometheus, "ready")
    [module] = job["params"]["module"]
    assert blackbox["modules"][module]["prober"] == "http"
    expected = {
        f"http://{name}:{_internal_port(name, service)}/ready"
        for name, service in python_builds(services).items()
    }
    health = _router_settings()["health_check"]
    expected.add(f"http://router:{health['listen'].rsplit(':', 1)[1]}{health['path']}?ready")
    assert set(_targets(job)) == expected
    # The standard blackbox relabelling: the target becomes ?target=, the exporter is scraped.
    relabel = job["relabel_configs"]
    assert {"source_labels": ["__address__"], "target_label": "__param_target"} in relabel
    [address] = [r["replacement"] for r in relabel if r["target_label"] == "__address__"]
    host, port = address.split(":")
    assert host in services
    assert port == "9115"


def test_every_scraped_host_is_a_service(
    services: dict[str, dict[str, Any]], prometheus: dict[str, Any]
) -> None:
    for job in prometheus["scrape_configs"]:
        for target in _targets(job):
            host = re.sub(r"^https?://", "", target).split(":")[0].split("/")[0]
            assert host in services, (job["job_name"], target)


def test_prometheus_runs_the_repository_files(services: dict[str, dict[str, Any]]) -> None:
    service = services["prometheus"]
    mounted = _mounted(service)
    config = _flag(service, "--config.file")
    assert mounted[config].resolve() == (PROMETHEUS_DIR / "prometheus.yml").resolve()
    rule_files = load_yaml(mounted[config])["rule_files"]
    assert [mounted[path].resolve() for path in rule_files] == [
        (PROMETHEUS_DIR / "alerts.yml").resolve()
    ]
    storage = _flag(service, "--storage.tsdb.path")
    volumes = [v.split(":") for v in service["volumes"] if isinstance(v, str)]
    assert [v[0] for v in volumes if v[1] == storage] == ["prometheus-data"]


# ------------------------------------------------------------------ Jaeger


def test_jaeger_receives_otlp_only_inside_the_network(services: dict[str, dict[str, Any]]) -> None:
    jaeger = services["jaeger"]
    published = [port.rsplit(":", 1)[1] for port in jaeger.get("ports", [])]
    assert "4318" not in published
    assert "4317" not in published
    # Every process that exports names Jaeger's OTLP/HTTP port by service name.
    exporters = {
        name: environment(service).get("OTEL_EXPORTER_OTLP_ENDPOINT")
        for name, service in services.items()
    }
    exporting = {name for name, endpoint in exporters.items() if endpoint}
    assert set(python_builds(services)) | {"router"} <= exporting
    assert {exporters[name] for name in exporting} == {"http://jaeger:4318"}


def test_the_router_exports_traces_in_compose(services: dict[str, dict[str, Any]]) -> None:
    otlp = _router_settings()["telemetry"]["exporters"]["tracing"]["otlp"]
    assert otlp["protocol"] == "http"
    assert otlp["enabled"] is False  # off unless the environment turns it on
    raw = (REPO / "router" / "router.yaml").read_text(encoding="utf-8")
    switch = re.search(r"enabled: \$\{env\.([A-Z_]+):-false\}", raw)
    assert switch is not None
    assert environment(services["router"])[switch[1]] == "true"
