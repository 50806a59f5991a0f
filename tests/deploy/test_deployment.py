"""docker-compose.yml: valid against the Compose specification, and true to the code.

Jaeger, Prometheus and its rules are checked in test_observability.py.

No Docker engine runs here, so the file is checked by reading it: against the Compose
specification's schema, and every name in it (services, build arguments, mounted files,
environment variables, ports) against what the code, supergraph.yaml and router/router.yaml
say. The Dockerfile and the build context are checked in test_dockerfile.py.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import re
import shlex
import urllib.parse
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from tests.deploy.deployment_files import (
    BACKOFFICE_DOCKERFILE,
    COMPOSE_FILE,
    OTEL_VARIABLES,
    REPO,
    REQUIRED,
    SECRET_NAME,
    STOREFRONT_DOCKERFILE,
    USERS_KEYS,
    WEB_APPS,
    MissingVariable,
    bind_mounts,
    build_args,
    dockerfile_has_healthcheck,
    dockerfile_of,
    environment,
    exposed_port,
    final_stage,
    instructions,
    interpolate,
    load_yaml,
    python_builds,
    setting_names,
    settings_class,
    storefront_port,
    subgraphs,
    unknown_variables,
)

SCHEMA = REPO / "deploy" / "schemas" / "compose-spec.schema.json"
ROUTER_SERVICE = "router"
STOREFRONT_SERVICE = "storefront"
BACKOFFICE_SERVICE = "backoffice"
# Operators' tools: published on the loopback interface only.
OPERATOR_PORTS = {"jaeger": ["127.0.0.1:16686:16686"], "prometheus": ["127.0.0.1:9090:9090"]}
ROUTER_IMAGE = re.compile(r"ghcr\.io/apollographql/router:v2\.13\.\d+")
# Apollo Router reads these itself (GraphOS); every other router variable is one that
# router.yaml expands as ${env.NAME}.
ROUTER_OWN_VARIABLES = {"APOLLO_KEY", "APOLLO_GRAPH_REF"}


def test_interpolation_follows_compose() -> None:
    env = {"SET": "x", "EMPTY": ""}
    cases = {
        "$$SET": "$SET",
        "${SET}/$SET": "x/x",
        "${UNSET:-d}|${EMPTY:-d}|${EMPTY-d}|${SET:-d}": "d|d||x",
        "${SET:+y}|${UNSET:+y}": "y|",
        "${UNSET}": "",
    }
    for raw, expected in cases.items():
        assert interpolate(raw, env) == expected, raw
    with pytest.raises(MissingVariable, match="UNSET: say so"):
        interpolate("${UNSET:?say so}", env)
    with pytest.raises(MissingVariable):
        interpolate("${EMPTY:?say so}", env)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return load_yaml(COMPOSE_FILE)


@pytest.fixture(scope="module")
def compose(raw: dict[str, Any]) -> dict[str, Any]:
    """The compose file as `docker compose` sees it with only the required variables set."""
    resolved: dict[str, Any] = interpolate(raw, REQUIRED)
    return resolved


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


@pytest.fixture(scope="module")
def built(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The services built from the repository's Dockerfile: the Python processes."""
    return python_builds(services)


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # It declares draft-07 as "https://json-schema.org/draft-07/schema" (no trailing "#"), a
    # spelling jsonschema does not look up: name the draft instead.
    assert "draft-07" in schema["$schema"]
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _errors(validator: jsonschema.protocols.Validator, document: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(document)
    ]


# ------------------------------------------------------------------ the Compose specification


def test_compose_file_matches_the_compose_spec(
    validator: jsonschema.protocols.Validator, compose: dict[str, Any]
) -> None:
    assert _errors(validator, compose) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["services", "users", "helthcheck"], {"test": ["CMD", "true"]}),  # misspelt key
        (["services", "users", "depends_on", "mongo", "condition"], "service_ready"),  # enum
        (["services", "router", "ports"], "4000:4000"),  # a string, not a list
        (["services", "redis", "healthcheck", "interval"], 5),  # a number, not a duration
        (["volumes", "mongo-data", "drvier"], "local"),  # misspelt nested key
    ],
)
def test_compose_schema_rejects_a_broken_file(
    validator: jsonschema.protocols.Validator,
    compose: dict[str, Any],
    path: list[str],
    value: Any,
) -> None:
    broken = copy.deepcopy(compose)
    target = broken
    for key in path[:-1]:
        if target.get(key) is None:  # `mongo-data:` declares a volume with no options
            target[key] = {}
        target = target[key]
    target[path[-1]] = value
    assert _errors(validator, broken) != []


def test_the_users_keys_and_the_mail_server_are_required(raw: dict[str, Any]) -> None:
    # `docker compose` refuses to start anything while one is missing.
    assert set(USERS_KEYS) <= set(REQUIRED)
    for name in REQUIRED:
        with pytest.raises(MissingVariable, match=name):
            interpolate(raw, {key: value for key, value in REQUIRED.items() if key != name})


def test_the_users_keys_reach_the_users_subgraph_from_the_environment(
    raw: dict[str, Any],
) -> None:
    users = environment(raw["services"]["users"])
    for name in USERS_KEYS:
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]+\}}", users[name] or ""), name
    interpolated = environment(interpolate(raw, REQUIRED)["services"]["users"])
    assert {name: interpolated[name] for name in USERS_KEYS} == {n: REQUIRED[n] for n in USERS_KEYS}


def test_no_secret_is_written_in_the_file(raw: dict[str, Any]) -> None:
    for name, service in raw["services"].items():
        for variable, value in environment(service).items():
            if SECRET_NAME.search(variable) and value is not None:
                # `${NAME}` or `${NAME:?message}`: from the environment, never a default.
                assert re.fullmatch(r"\$\{[A-Z0-9_]+(?::?\?[^}]*)?\}", value), (name, variable)


# ------------------------------------------------------------------ files the stack needs


def test_build_contexts_and_dockerfiles_exist(services: dict[str, dict[str, Any]]) -> None:
    builds = {name: service for name, service in services.items() if "build" in service}
    assert set(builds) == set(python_builds(services)) | set(WEB_APPS)
    for name, service in builds.items():
        if name == STOREFRONT_SERVICE and not STOREFRONT_DOCKERFILE.exists():
            continue  # written on the storefront's branch; checked here once it exists
        build = service["build"]
        context = (COMPOSE_FILE.parent / build["context"]).resolve()
        assert context.is_dir(), name
        assert (context / build.get("dockerfile", "Dockerfile")).is_file(), name


def test_every_mounted_file_exists_and_is_read_only(services: dict[str, dict[str, Any]]) -> None:
    mounts = [mount for service in services.values() for mount in bind_mounts(service)]
    assert mounts
    for source, target, read_only in mounts:
        assert (COMPOSE_FILE.parent / source).exists(), source
        assert read_only, f"{source} -> {target} is mounted writable"


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source and not source.startswith((".", "/", "~")):
                assert source in declared, (name, source)


# ------------------------------------------------------------------ processes and settings


def test_setting_names_come_from_the_settings_classes() -> None:
    users = settings_class("subgraphs.users")
    worker = settings_class("workers.notifications")
    assert {"APP_ENV", "USERS_HOST", "USERS_SIGNING_KEY_PEM", "MONGODB_URI"} <= setting_names(users)
    assert {"NOTIFICATIONS_WORKER_PORT", "SMTP_HOST", "REDIS_URL"} <= setting_names(worker)
    # A typo, a group's JSON name, another process's variable: none of them is a setting.
    env = {"MONGODB_URL": "x", "USERS_MONGO": "{}", "SMTP_HOST": "x", "USERS_SIGNING_KEY": "x"}
    assert unknown_variables(env, users) == set(env)


def test_each_build_runs_a_subgraph_or_a_worker(built: dict[str, dict[str, Any]]) -> None:
    expected = {f"subgraphs.{name}" for name in subgraphs()}
    expected |= {f"workers.{path.stem}" for path in (REPO / "workers").glob("[!_]*.py")}
    modules = [build_args(service)["MODULE"] for service in built.values()]
    assert sorted(modules) == sorted(expected)  # each exactly once


def test_every_variable_a_service_sets_is_one_of_its_settings(
    built: dict[str, dict[str, Any]],
) -> None:
    for name, service in built.items():
        cls = settings_class(build_args(service)["MODULE"])
        env = environment(service)
        assert env == {key.upper(): value for key, value in env.items()}, name
        own = {key: value for key, value in env.items() if key not in OTEL_VARIABLES}
        assert unknown_variables(own, cls) == set(), f"{name}: not settings of {cls.__name__}"


def test_every_python_process_sends_traces_to_jaeger(built: dict[str, dict[str, Any]]) -> None:
    for name, service in built.items():
        env = environment(service)
        assert env["OTEL_SERVICE_NAME"] == name
        endpoint = urllib.parse.urlsplit(env["OTEL_EXPORTER_OTLP_ENDPOINT"] or "")
        assert (endpoint.hostname, endpoint.port) == ("jaeger", 4318), name
        assert env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf", name


def test_services_configure_production_on_their_port_on_all_interfaces(
    built: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Build each settings object from the container's environment alone: the values parse,
    # production is on, and the process listens where the healthcheck and the router look.
    for name, service in built.items():
        cls = settings_class(build_args(service)["MODULE"])
        for variable in list(os.environ):
            monkeypatch.delenv(variable)
        for variable, value in environment(service).items():
            if value is not None:
                monkeypatch.setenv(variable, value)
        settings = cls()
        assert settings.is_production, name
        assert ipaddress.ip_address(settings.host).is_unspecified, f"{name}: {settings.host} only"
        assert settings.port == int(build_args(service)["PORT"]), name


def test_stores_and_keys_are_reached_by_service_name(services: dict[str, dict[str, Any]]) -> None:
    ports = {
        name: int(build_args(service)["PORT"]) for name, service in python_builds(services).items()
    }
    for name, service in services.items():
        env = environment(service)
        if uri := env.get("MONGODB_URI"):
            parts = urllib.parse.urlsplit(uri)
            assert (parts.hostname, parts.port) == ("mongo", 27017), name
            assert urllib.parse.parse_qs(parts.query)["replicaSet"] == ["rs0"], name
            assert "retryWrites=false" not in uri  # SecantusDB's workaround, not MongoDB's
        if url := env.get("REDIS_URL"):
            assert urllib.parse.urlsplit(url).hostname == "redis", name
        if url := env.get("AUTH_JWKS_URL"):
            parts = urllib.parse.urlsplit(url)
            assert (parts.hostname, parts.port) == ("users", ports["users"]), name
            assert parts.path == "/.well-known/jwks.json", name
    assert "--replSet" in services["mongo"]["command"]
    assert services["mongo"]["command"][services["mongo"]["command"].index("--replSet") + 1] == (
        "rs0"
    )
    assert "rs.initiate(" in " ".join(services["mongo"]["healthcheck"]["test"])
    assert "mongo:27017" in " ".join(services["mongo"]["healthcheck"]["test"])
    redis_command = services["redis"]["command"]
    assert redis_command[redis_command.index("--appendonly") + 1] == "yes"


def test_every_subgraph_process_can_reach_its_stores(services: dict[str, dict[str, Any]]) -> None:
    # A process with a MongoDB or Redis setting gets the URL and waits for that store.
    for name, service in python_builds(services).items():
        names = setting_names(settings_class(build_args(service)["MODULE"]))
        env = environment(service)
        depends = service.get("depends_on") or {}
        for variable, store in (("MONGODB_URI", "mongo"), ("REDIS_URL", "redis")):
            if variable in names:
                assert env.get(variable), f"{name} needs {variable}"
                assert store in depends, f"{name} must wait for {store}"


# ------------------------------------------------------------------ health and start order


def test_every_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        check = service.get("healthcheck")
        if check is not None:
            assert not check.get("disable"), name
            assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        else:
            assert "build" in service, f"{name} has no healthcheck"
            if name == STOREFRONT_SERVICE and not STOREFRONT_DOCKERFILE.exists():
                continue  # written on the storefront's branch; checked here once it exists
            assert dockerfile_has_healthcheck(service), name


def test_dependencies_wait_until_healthy(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: use the long form with a condition"
        for dependency, rule in depends.items():
            assert dependency in services, (name, dependency)
            assert rule["condition"] == "service_healthy", (name, dependency)


def test_only_the_router_and_the_web_apps_are_published(
    services: dict[str, dict[str, Any]],
) -> None:
    # Customers reach the router and the storefront, staff the back office; operators reach
    # Jaeger's and Prometheus's UIs on the machine itself; nothing else (stores, subgraphs, the
    # worker) is published.
    expected = {
        ROUTER_SERVICE: ["4000:4000"],
        STOREFRONT_SERVICE: [f"3000:{storefront_port()}"],
        BACKOFFICE_SERVICE: [f"3001:{exposed_port(BACKOFFICE_DOCKERFILE)}"],
        **OPERATOR_PORTS,
    }
    for name, service in services.items():
        assert service.get("network_mode") != "host", name
        assert service.get("ports", []) == expected.get(name, []), name


# The storefront builds from its folder; the back office from the repository (it bundles the
# storefront's shared modules), with its Dockerfile's own ignore file as an allow-list.
WEB_APP_CONTEXTS = {STOREFRONT_SERVICE: "./storefront", BACKOFFICE_SERVICE: "."}


@pytest.mark.parametrize("name", sorted(WEB_APPS))
def test_the_web_apps_are_hardened_like_the_python_services(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    app = services[name]
    assert app["build"]["context"] == WEB_APP_CONTEXTS[name]
    assert app["read_only"] is True
    assert app["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in app["security_opt"]
    assert not app.get("environment"), "the built files hold their configuration"
    dockerfile = dockerfile_of(app)
    assert dockerfile == WEB_APPS[name][0].resolve()
    if not dockerfile.exists():
        return  # written on the storefront's branch; checked here once it exists
    # Its image runs as a non-root user and its web server sends the CSP header (from the
    # Dockerfile or from a file the final stage copies in, relative to the build context).
    context = (COMPOSE_FILE.parent / app["build"]["context"]).resolve()
    final = final_stage(instructions(dockerfile))
    users = [line.split()[1] for line in final if line.upper().startswith("USER ")]
    assert users, f"{dockerfile} sets no USER"
    assert users[-1].split(":")[0] not in ("root", "0")
    copied = [
        context / source
        for line in final
        if line.upper().startswith("COPY ") and "--from" not in line
        for source in line.split()[1:-1]
        if not source.startswith("--")
    ]
    assert all(path.is_file() for path in copied), copied
    texts = [dockerfile.read_text(encoding="utf-8")]
    texts += [path.read_text(encoding="utf-8") for path in copied if path.is_file()]
    assert any("Content-Security-Policy" in text for text in texts)


# ------------------------------------------------------------------ the router


def _router_config(path: Path) -> dict[str, Any]:
    """A router config with each ${env.NAME:-default} replaced by its default."""
    text = path.read_text(encoding="utf-8")
    loaded = yaml.safe_load(re.sub(r"\$\{env\.[A-Za-z0-9_]+:-([^}]*)\}", r"\1", text))
    assert isinstance(loaded, dict)
    return loaded


def _mounted(router: dict[str, Any]) -> dict[str, Path]:
    """Container path -> repository file of each of the router's bind mounts."""
    return {target: COMPOSE_FILE.parent / source for source, target, _ in bind_mounts(router)}


# What the GraphOS config is run with (router/README.md): its supergraph keeps the directives.
GRAPHOS_ENV = {"ROUTER_CONFIG": "router.graphos.yaml", "ROUTER_SUPERGRAPH": "supergraph.graphql"}


def _router_files(raw: dict[str, Any], router_config: str | None = None) -> tuple[Path, Path]:
    """The repository files the router runs with: (config, supergraph)."""
    env = dict(REQUIRED) | (GRAPHOS_ENV if router_config else {})
    router = interpolate(raw, env)["services"][ROUTER_SERVICE]
    command = router["command"]
    command = shlex.split(command) if isinstance(command, str) else command
    mounted = _mounted(router)
    config = mounted[command[command.index("--config") + 1]]
    supergraph = mounted[command[command.index("--supergraph") + 1]]
    return config, supergraph


def test_router_is_the_pinned_official_image(services: dict[str, dict[str, Any]]) -> None:
    assert ROUTER_IMAGE.fullmatch(services[ROUTER_SERVICE]["image"])


@pytest.mark.parametrize("router_config", [None, "router.graphos.yaml"])
def test_router_runs_the_repositorys_config_and_supergraph(
    raw: dict[str, Any], router_config: str | None
) -> None:
    config, supergraph = _router_files(raw, router_config)
    expected = REPO / "router" / (router_config or "router.yaml")
    assert config.resolve() == expected.resolve()
    # Unlicensed, the router refuses the authorization directives: it gets the supergraph
    # composed without them; with GraphOS, the one that has them (and enforces them).
    schema = "supergraph.graphql" if router_config else "supergraph.unlicensed.graphql"
    assert supergraph.resolve() == (REPO / "router" / schema).resolve()
    text = supergraph.read_text(encoding="utf-8")
    security = "for: SECURITY" in text or "@requiresScopes(" in text
    assert security is bool(router_config)


@pytest.mark.parametrize("router_config", [None, "router.graphos.yaml"])
def test_router_sends_each_subgraph_to_its_service(
    raw: dict[str, Any], services: dict[str, dict[str, Any]], router_config: str | None
) -> None:
    config, _ = _router_files(raw, router_config)
    overrides = _router_config(config)["override_subgraph_url"]
    assert set(overrides) == set(subgraphs())
    for subgraph, url in overrides.items():
        parts = urllib.parse.urlsplit(url)
        assert parts.hostname in services, f"{subgraph}: no service {parts.hostname}"
        service = services[str(parts.hostname)]
        assert build_args(service) == {
            "CONTEXT": subgraph,
            "MODULE": f"subgraphs.{subgraph}",
            "PORT": str(parts.port),
        }
        assert parts.path == "/graphql"


def test_router_healthcheck_and_port_match_its_config(
    raw: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    config, _ = _router_files(raw)
    settings = _router_config(config)
    health_port = settings["health_check"]["listen"].rsplit(":", 1)[1]
    test = " ".join(services[ROUTER_SERVICE]["healthcheck"]["test"])
    assert f"/dev/tcp/127.0.0.1/{health_port}" in test
    assert settings["health_check"]["path"] in test
    listen_port = settings["supergraph"]["listen"].rsplit(":", 1)[1]
    assert services[ROUTER_SERVICE]["ports"] == [f"{listen_port}:{listen_port}"]


def test_router_variables_are_ones_its_config_reads(services: dict[str, dict[str, Any]]) -> None:
    read: set[str] = set(ROUTER_OWN_VARIABLES)
    for path in (REPO / "router").glob("router*.yaml"):
        read |= set(re.findall(r"\$\{env\.([A-Za-z0-9_]+)", path.read_text(encoding="utf-8")))
    env = environment(services[ROUTER_SERVICE])
    assert set(env) <= read, set(env) - read
