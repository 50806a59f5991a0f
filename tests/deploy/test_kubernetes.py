"""deploy/kubernetes: valid Kubernetes objects, and true to the code.

No cluster runs here, so the manifests are checked by reading them: every object against the
Kubernetes API schemas (kubernetes-validate, strict mode: an unknown field fails, the schemas
ship inside the package and nothing is fetched), and every name in them (modules, ports, probe
paths, environment variables, Secrets, the router's files) against the code, supergraph.yaml,
router/ and the README that tells operators which Secrets to create.
"""

from __future__ import annotations

import copy
import ipaddress
import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

from tests.deploy.deployment_files import (
    COMPOSE_FILE,
    KUBERNETES_DIR,
    OTEL_VARIABLES,
    REPO,
    REQUIRED,
    SECRET_NAME,
    USERS_KEYS,
    instructions,
    interpolate,
    load_documents,
    load_yaml,
    setting_names,
    settings_class,
    subgraphs,
)
from tools import kubernetes_config

# A current Kubernetes release (kubernetes-validate 1.37.0 ships its schemas).
KUBERNETES_VERSION = "1.37"
MODULE_ANNOTATION = "commerce.example.com/module"
NAMESPACE = "commerce"
# Values for the Secret keys when a process's settings are built from its environment.
SECRET_SAMPLES = {
    "MONGODB_URI": "mongodb://USER:PASSWORD@mongodb:27017/?replicaSet=rs0",
    "REDIS_URL": "redis://redis:6379/0",
    **REQUIRED,
}
STORES = {"MONGODB_URI", "REDIS_URL"}


# ------------------------------------------------------------------ reading the files


def _objects() -> list[tuple[str, dict[str, Any]]]:
    kustomization = load_yaml(KUBERNETES_DIR / "kustomization.yaml")
    return [
        (file, document)
        for file in kustomization["resources"]
        for document in load_documents(KUBERNETES_DIR / file)
    ]


OBJECTS = _objects()


def _of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {obj["metadata"]["name"]: obj for _, obj in OBJECTS if obj["kind"] == kind}


DEPLOYMENTS = _of_kind("Deployment")
PYTHON = {
    name: deployment
    for name, deployment in DEPLOYMENTS.items()
    if MODULE_ANNOTATION in deployment["metadata"].get("annotations", {})
}


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return container


def _port(deployment: dict[str, Any], name: str = "http") -> int:
    [port] = [p["containerPort"] for p in _container(deployment)["ports"] if p["name"] == name]
    return int(port)


def _env(deployment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in _container(deployment).get("env", [])}


def _validate(obj: dict[str, Any]) -> str | None:
    """None when the object is valid, else the reason."""
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return f"{'.'.join(map(str, error.path))}: {error.message}"
    return None


# ------------------------------------------------------------------ the files as a whole


def test_the_kustomization_only_lists_every_manifest() -> None:
    kustomization = load_yaml(KUBERNETES_DIR / "kustomization.yaml")
    assert set(kustomization) == {"apiVersion", "kind", "resources"}
    assert kustomization["kind"] == "Kustomization"
    files = {path.name for path in KUBERNETES_DIR.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)


@pytest.mark.parametrize(
    ("file", "obj"), OBJECTS, ids=[f"{f}:{o['kind']}/{o['metadata']['name']}" for f, o in OBJECTS]
)
def test_every_object_is_valid_for_kubernetes_in_strict_mode(
    file: str, obj: dict[str, Any]
) -> None:
    assert _validate(obj) is None, file
    if obj["kind"] != "Namespace":
        assert obj["metadata"]["namespace"] == NAMESPACE, file


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["spec", "template", "spec", "containers", 0, "readinesProbe"], {}),  # misspelt
        (["spec", "replicas"], "two"),  # a string, not an integer
        (["spec", "template", "spec", "securityContext", "runAsNonRoot"], "yes"),
        (["spec", "strategy", "type"], {"rolling": True}),
    ],
)
def test_strict_validation_rejects_a_broken_object(path: list[Any], value: Any) -> None:
    broken = copy.deepcopy(DEPLOYMENTS["orders"])
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert _validate(broken) is not None


def test_the_schemas_come_with_the_package() -> None:
    # Validation never fetches: the schemas of this version are files inside the package.
    schemas = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    assert (schemas / f"v{KUBERNETES_VERSION}.0-local-strict" / "deployment-apps-v1.json").is_file()


def test_no_secret_object_is_committed() -> None:
    for file, obj in OBJECTS:
        assert obj["kind"] != "Secret", file
    text = "\n".join(path.read_text() for path in KUBERNETES_DIR.glob("*.yaml"))
    assert "PRIVATE KEY" not in text


def test_every_secret_referenced_is_one_the_readme_says_how_to_create() -> None:
    readme = (KUBERNETES_DIR / "README.md").read_text(encoding="utf-8")
    documented: dict[str, str] = {
        match[1]: match[2]
        for match in re.finditer(
            r"create secret generic ([a-z0-9-]+)((?:\s*\\?\s*--from-[a-z]+=[A-Z_]+=?[^\s]*)+)",
            readme,
        )
    }
    assert documented
    for name, deployment in DEPLOYMENTS.items():
        for variable, item in _env(deployment).items():
            ref = item.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["name"] in documented, (name, ref["name"])
                if not ref.get("optional"):
                    assert f"={ref['key']}=" in documented[ref["name"]], (name, ref["key"])
                assert ref["key"] == variable, name


def test_every_secret_setting_comes_from_a_secret() -> None:
    for name, deployment in DEPLOYMENTS.items():
        for variable, item in _env(deployment).items():
            if SECRET_NAME.search(variable):
                assert "secretKeyRef" in item.get("valueFrom", {}), (name, variable)


def test_the_users_keys_come_from_secrets_the_pods_wait_for() -> None:
    env = _env(DEPLOYMENTS["users"])
    for variable in USERS_KEYS:
        ref = env[variable]["valueFrom"]["secretKeyRef"]
        assert not ref.get("optional"), variable


# ------------------------------------------------------------------ every Deployment


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_deployments_run_non_root_with_probes_and_resources(name: str) -> None:
    deployment = DEPLOYMENTS[name]
    spec = deployment["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    assert spec["replicas"] >= 2
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    container = _container(deployment)
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"]["drop"] == ["ALL"]
    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory"}, name
    port_names = {port["name"] for port in container["ports"]}
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] in port_names, (name, probe)


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_every_deployment_has_a_disruption_budget(name: str) -> None:
    labels = DEPLOYMENTS[name]["spec"]["template"]["metadata"]["labels"]
    budgets = [
        pdb
        for pdb in _of_kind("PodDisruptionBudget").values()
        if pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    ]
    assert len(budgets) == 1, name
    assert budgets[0]["spec"]["minAvailable"] < DEPLOYMENTS[name]["spec"]["replicas"]


def test_subgraphs_and_the_worker_scale_horizontally() -> None:
    autoscalers = _of_kind("HorizontalPodAutoscaler")
    targets = {hpa["spec"]["scaleTargetRef"]["name"]: hpa for hpa in autoscalers.values()}
    assert set(targets) >= set(PYTHON)
    for name, hpa in targets.items():
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert name in DEPLOYMENTS
        assert hpa["spec"]["minReplicas"] == DEPLOYMENTS[name]["spec"]["replicas"]
        assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
        # Utilization targets are relative to requests: the container must declare them.
        assert _container(DEPLOYMENTS[name])["resources"]["requests"]["cpu"]


def test_every_service_selects_a_deployment_port() -> None:
    for name, service in _of_kind("Service").items():
        if service["spec"].get("type") == "ExternalName":
            continue
        selector = service["spec"]["selector"]
        [deployment] = [
            d
            for d in DEPLOYMENTS.values()
            if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        for port in service["spec"]["ports"]:
            assert _port(deployment, port["targetPort"]), (name, port)


# ------------------------------------------------------------------ the Python processes


def test_each_python_deployment_runs_a_subgraph_or_a_worker() -> None:
    expected = {f"subgraphs.{name}" for name in subgraphs()}
    expected |= {f"workers.{path.stem}" for path in (REPO / "workers").glob("[!_]*.py")}
    modules = [d["metadata"]["annotations"][MODULE_ANNOTATION] for d in PYTHON.values()]
    assert sorted(modules) == sorted(expected)
    for name in subgraphs():  # subgraphs by their own name: router.yaml's default URLs
        assert PYTHON[name]["metadata"]["annotations"][MODULE_ANNOTATION] == f"subgraphs.{name}"


@pytest.mark.parametrize("name", sorted(PYTHON))
def test_python_probes_are_the_kernels_ready_and_health(name: str) -> None:
    container = _container(PYTHON[name])
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    template = PYTHON[name]["spec"]["template"]["metadata"]["annotations"]
    # A subgraph serves /metrics and its readiness checks on its internal port only; the
    # worker has no public port.
    port_name = "internal" if name in subgraphs() else "http"
    assert container["readinessProbe"]["httpGet"]["port"] == port_name
    assert template["prometheus.io/port"] == str(_port(PYTHON[name], port_name))
    assert template["prometheus.io/path"] == "/metrics"
    if name in subgraphs():
        internal = _env(PYTHON[name])[f"{name.upper()}_INTERNAL_PORT"]["value"]
        assert internal == str(_port(PYTHON[name], "internal"))


@pytest.mark.parametrize("name", sorted(PYTHON))
def test_every_variable_is_a_setting_the_process_reads(name: str) -> None:
    cls = settings_class(PYTHON[name]["metadata"]["annotations"][MODULE_ANNOTATION])
    unknown = set(_env(PYTHON[name])) - setting_names(cls) - OTEL_VARIABLES
    assert unknown == set(), f"{name}: not settings of {cls.__name__}"
    assert _env(PYTHON[name])["OTEL_SERVICE_NAME"]["value"] == name


@pytest.mark.parametrize("name", sorted(PYTHON))
def test_python_processes_start_in_production_on_their_port(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The settings object built from the pod's environment alone (Secrets filled with samples):
    # the values parse, production is on, the process listens on all interfaces on the port
    # the probes, the Service and the router use, and it has the stores it reads.
    deployment = PYTHON[name]
    cls = settings_class(deployment["metadata"]["annotations"][MODULE_ANNOTATION])
    for variable in list(os.environ):
        monkeypatch.delenv(variable)
    env = _env(deployment)
    for variable, item in env.items():
        if "value" in item:
            monkeypatch.setenv(variable, item["value"])
        elif "secretKeyRef" in item["valueFrom"] and not item["valueFrom"]["secretKeyRef"].get(
            "optional"
        ):
            monkeypatch.setenv(variable, SECRET_SAMPLES[variable])
    settings = cls()
    assert settings.is_production
    assert ipaddress.ip_address(settings.host).is_unspecified
    assert settings.port == _port(deployment)
    for store in STORES & setting_names(cls):
        assert "secretKeyRef" in env[store]["valueFrom"], f"{name}: {store} from a Secret"
    if url := env.get("AUTH_JWKS_URL", {}).get("value"):
        parts = urllib.parse.urlsplit(url)
        assert (parts.hostname, parts.port) == ("users", _port(DEPLOYMENTS["users"]))
        assert parts.path == "/.well-known/jwks.json"


# ------------------------------------------------------------------ the router


def _router_settings(text: str) -> dict[str, Any]:
    loaded = yaml.safe_load(re.sub(r"\$\{env\.[A-Za-z0-9_]+:-([^}]*)\}", r"\1", text))
    assert isinstance(loaded, dict)
    return loaded


def _mounted_router_files() -> dict[str, str]:
    """Container path -> file content of every file the router's ConfigMaps mount."""
    deployment = DEPLOYMENTS["router"]
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    config_maps = _of_kind("ConfigMap")
    files = {}
    for mount in _container(deployment)["volumeMounts"]:
        volume = volumes[mount["name"]]
        if "configMap" in volume:
            assert mount["readOnly"] is True
            for key, content in config_maps[volume["configMap"]["name"]]["data"].items():
                files[f"{mount['mountPath']}/{key}"] = content
    return files


def test_router_config_maps_are_generated_from_router_files() -> None:
    assert (KUBERNETES_DIR / "router-config.yaml").read_text(
        encoding="utf-8"
    ) == kubernetes_config.render(), "stale: run `make compose` (python -m tools.kubernetes_config)"


def test_router_runs_the_graphos_config_and_the_supergraph() -> None:
    args = _container(DEPLOYMENTS["router"])["args"]
    files = _mounted_router_files()
    config = files[args[args.index("--config") + 1]]
    supergraph = files[args[args.index("--supergraph") + 1]]
    # Safelisting (persisted queries), JWT at the edge and subscriptions need GraphOS.
    assert config == (REPO / "router" / "router.graphos.yaml").read_text(encoding="utf-8")
    assert supergraph == (REPO / "router" / "supergraph.graphql").read_text(encoding="utf-8")
    # Every file the config loads from the mounted directories (persisted-query manifests).
    for path in re.findall(r"/dist/(?:config|schema)/[A-Za-z0-9._-]+", config):
        assert path in files, f"{path} is not mounted"
    env = _env(DEPLOYMENTS["router"])
    for key in ("APOLLO_KEY", "APOLLO_GRAPH_REF"):
        assert "secretKeyRef" in env[key]["valueFrom"], key


def test_router_reloads_a_published_supergraph_without_a_restart() -> None:
    deployment = DEPLOYMENTS["router"]
    assert "--hot-reload" in _container(deployment)["args"]
    # The ConfigMap is mounted as a directory: kubelet updates it in place (a subPath mount is
    # never updated), and the router's poll of the file sees the new content.
    [schema] = [
        m for m in _container(deployment)["volumeMounts"] if m["mountPath"] == "/dist/schema"
    ]
    assert "subPath" not in schema
    compose = interpolate(load_yaml(COMPOSE_FILE), REQUIRED)
    assert "--hot-reload" in compose["services"]["router"]["command"]


def test_router_image_is_the_one_compose_runs() -> None:
    compose = interpolate(load_yaml(COMPOSE_FILE), REQUIRED)
    assert _container(DEPLOYMENTS["router"])["image"] == compose["services"]["router"]["image"]


def test_router_ports_probes_and_subgraph_urls_match_its_config() -> None:
    args = _container(DEPLOYMENTS["router"])["args"]
    settings = _router_settings(_mounted_router_files()[args[args.index("--config") + 1]])
    container = _container(DEPLOYMENTS["router"])
    assert _port(DEPLOYMENTS["router"]) == int(settings["supergraph"]["listen"].rsplit(":")[1])
    assert _port(DEPLOYMENTS["router"], "health") == int(
        settings["health_check"]["listen"].rsplit(":")[1]
    )
    metrics = settings["telemetry"]["exporters"]["metrics"]["prometheus"]
    assert _port(DEPLOYMENTS["router"], "metrics") == int(metrics["listen"].rsplit(":")[1])
    annotations = DEPLOYMENTS["router"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(_port(DEPLOYMENTS["router"], "metrics"))
    assert annotations["prometheus.io/path"] == metrics["path"]
    path = settings["health_check"]["path"]
    assert container["livenessProbe"]["httpGet"]["path"] == path
    assert container["readinessProbe"]["httpGet"]["path"] == f"{path}?ready"
    services = _of_kind("Service")
    for subgraph, url in settings["override_subgraph_url"].items():
        parts = urllib.parse.urlsplit(url)
        service = services[str(parts.hostname)]
        assert [p["port"] for p in service["spec"]["ports"]] == [parts.port], subgraph
        selected = service["spec"]["selector"]["app.kubernetes.io/name"]
        assert PYTHON[selected]["metadata"]["annotations"][MODULE_ANNOTATION] == (
            f"subgraphs.{subgraph}"
        )


def test_router_variables_are_ones_its_config_reads() -> None:
    read = {"APOLLO_KEY", "APOLLO_GRAPH_REF"}
    for path in (REPO / "router").glob("router*.yaml"):
        read |= set(re.findall(r"\$\{env\.([A-Za-z0-9_]+)", path.read_text(encoding="utf-8")))
    assert set(_env(DEPLOYMENTS["router"])) <= read


# ------------------------------------------------------------------ the web apps


@pytest.mark.parametrize("name", ["storefront", "backoffice"])
def test_web_app_port_matches_its_image(name: str) -> None:
    dockerfile = REPO / name / "Dockerfile"
    port = _port(DEPLOYMENTS[name])
    if not dockerfile.exists():
        assert port == 8080  # the assumption README.md states until the Dockerfile exists
        return
    exposed = [line.split()[1:] for line in instructions(dockerfile) if line.startswith("EXPOSE")]
    assert [str(port)] in [[p.split("/")[0] for p in ports] for ports in exposed]


@pytest.mark.parametrize(
    "name", ["users", "catalog", "orders", "payments", "notifications", "router"]
)
def test_serving_pods_pause_before_they_stop_within_their_grace_period(name: str) -> None:
    """The pause lets the endpoints drop the pod before SIGTERM starts its drain (the kernel's
    SERVE_DRAIN_SECONDS, 2, and SERVE_STOP_TIMEOUT_SECONDS, 6, for a subgraph)."""
    deployment = DEPLOYMENTS[name]
    pause = _container(deployment)["lifecycle"]["preStop"]["sleep"]["seconds"]
    grace = deployment["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
    assert pause >= 3
    assert pause + 2 + 6 < grace
