"""deploy/kubernetes/network-policies.yaml: who reaches the subgraphs and the worker.

The objects themselves are validated with the rest (test_kubernetes.py); here, what they say:
every Python Deployment is selected by an ingress policy; a subgraph's GraphQL port takes the
router (and, for users' JWKS, the subgraphs), its internal port (/metrics, readiness checks)
and the worker's port Prometheus only.
"""

from __future__ import annotations

from typing import Any

from tests.deploy.deployment_files import KUBERNETES_DIR, load_documents, load_yaml

POLICIES = [
    doc
    for doc in load_documents(KUBERNETES_DIR / "network-policies.yaml")
    if doc["kind"] == "NetworkPolicy"
]
SUBGRAPHS = {"users", "catalog", "orders", "payments", "notifications"}
PROMETHEUS = {"app.kubernetes.io/name": "prometheus"}


def _selects(policy: dict[str, Any], name: str) -> bool:
    selector = policy["spec"]["podSelector"]
    if selector.get("matchLabels", {}).get("app.kubernetes.io/name") == name:
        return True
    return any(
        e["key"] == "app.kubernetes.io/name" and e["operator"] == "In" and name in e["values"]
        for e in selector.get("matchExpressions", ())
    )


def _peers(name: str, port: str = "http") -> set[str]:
    """Who may connect to `port` of `name`'s pods: pod names, or `prometheus`."""
    peers: set[str] = set()
    for policy in (p for p in POLICIES if _selects(p, name)):
        assert policy["spec"]["policyTypes"] == ["Ingress"]
        for rule in policy["spec"]["ingress"]:
            ports = [p["port"] for p in rule["ports"]]
            assert len(ports) == 1
            if ports != [port]:
                continue
            for peer in rule["from"]:
                pods = peer["podSelector"]
                if "namespaceSelector" in peer:
                    assert pods["matchLabels"] == PROMETHEUS
                    peers.add("prometheus")
                elif "matchLabels" in pods:
                    peers.add(pods["matchLabels"]["app.kubernetes.io/name"])
                else:
                    (expression,) = pods["matchExpressions"]
                    peers.update(expression["values"])
    return peers


def test_the_policies_are_applied():
    kustomization = load_yaml(KUBERNETES_DIR / "kustomization.yaml")
    assert "network-policies.yaml" in kustomization["resources"]


def test_only_the_router_reaches_a_subgraphs_graphql_and_only_prometheus_its_metrics():
    for name in SUBGRAPHS - {"users"}:
        assert _peers(name) == {"router"}, name
    # users also serves the JWKS every subgraph verifies tokens with.
    assert _peers("users") == {"router", *SUBGRAPHS}
    for name in SUBGRAPHS:
        assert _peers(name, "internal") == {"prometheus"}, name


def test_only_prometheus_reaches_the_worker():
    assert _peers("notifications-worker") == {"prometheus"}
