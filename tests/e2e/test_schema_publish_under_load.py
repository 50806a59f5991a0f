"""A subgraph's schema published to a running gateway under load: 0 failed requests.

The gateway serves the supergraph of a copy of the repository (its routing URLs pointed at
this test's processes). While clients keep querying through it, the orders subgraph is
restarted on its port with a field added to its code (in the copy), and
`python -m tools.schema_check --publish --subgraph orders` (`make schema-publish
SUBGRAPH=orders`) runs in the copy: it records the orders SDL as published and rewrites the
supergraph in place. The same gateway process (same pid) then answers the new field, and not
one of the requests sent meanwhile failed.

The load reads the users and catalog subgraphs and changes the user's name (the same name each
time: an idempotent mutation): the orders process restarting is not what is measured here (a
restart that no client notices is the rollout's test); the supergraph being reloaded under the
load is. Mutations are in it because Hive Gateway retries a *query* aborted by a schema reload
on its own (its built-in `useRetryOnSchemaReload`, which logs each retry): queries alone would
pass with the graceful reload off, were the retry to catch them. With it off, an operation in
flight at a reload is aborted (`SCHEMA_RELOAD`, which the edge masks as an internal error, so
that here the retry does not even catch the queries): the load counts failures, and the
gateway's log shows the aborts (or the retries); with it on, none of these happens.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from testkit.client import graphql, subscribe
from testkit.journeys import register
from testkit.prometheus import parse_metrics
from testkit.waiting import eventually
from tests.e2e.conftest import SHARED_GATEWAY_ENV, jwks_url
from tests.e2e.test_orders_through_gateway import CANCEL, STATUS, create_order
from tools.procs import ManagedProcess, free_port, http_ok
from tools.stack import gateway_process, subgraph_process

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
IGNORED = shutil.ignore_patterns(
    "node_modules", ".venv", ".git", ".run", ".data", "__pycache__", ".*_cache", "*.egg-info"
)
ORDERS_TYPES = Path("subgraphs/orders/transport/types.py")
# The field the test adds to the orders subgraph's `User` entity (resolved by orders).
PROBE_DESCRIPTION = "Added by a test: the published schema is served."
PROBE_FIELD = f"""
    @strawberry.field(description="{PROBE_DESCRIPTION}")
    def schema_probe(self) -> str:
        return "published"
"""
# Not a module constant: `make schema-check` checks those against the schema, which has no
# such field (until this test publishes it, in its copy).
probe = "query Probe { me { id schemaProbe } }"
# The load: a catalog query and a users query, each through the gateway; and a mutation of
# the users subgraph that leaves the user as it was (the name it already has).
LOAD = ("query Products { products { sku } }", "query Me { me { id } }")
RENAME = """mutation Rename($input: UpdateProfileInput!) {
  updateProfile(input: $input) { user { name } userErrors { code } } }"""
NAME = "Test User"  # testkit.journeys.register's default: the user keeps it
CONCURRENCY = 4  # clients querying
MUTATING = 2  # clients sending the mutation
# What Hive Gateway logs when it retries a query aborted by a schema reload, and the error an
# aborted operation gets (which the edge logs as it masks it).
RETRIED = "[useRetryOnSchemaReload]"
ABORTED = "operation has been aborted due to a schema reload"


@dataclass
class PublishStack:
    copy: Path
    gateway: ManagedProcess
    gateway_url: str
    gateway_internal_url: str
    orders: ManagedProcess
    orders_port: int
    env: dict[str, str]
    log_dir: Path


def _run(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m <args>` in the copy (its code first on the path)."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="module")
def publish_stack(
    tmp_path_factory: pytest.TempPathFactory,
    stack_env: dict[str, str],
    users_url: str,
    catalog_url: str,
    run_dir: Path,
) -> Iterator[PublishStack]:
    copy = tmp_path_factory.mktemp("publish") / "repo"
    shutil.copytree(ROOT, copy, ignore=IGNORED, symlinks=True)
    (copy / "router" / "node_modules").symlink_to(ROOT / "router" / "node_modules")
    orders_port = free_port()
    urls = {
        "users": f"{users_url}/graphql",
        "catalog": f"{catalog_url}/graphql",
        "orders": f"http://127.0.0.1:{orders_port}/graphql",
        # Not read by this test: ports nobody listens on.
        "payments": f"http://127.0.0.1:{free_port()}/graphql",
        "notifications": f"http://127.0.0.1:{free_port()}/graphql",
    }
    config_path = copy / "supergraph.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for name, url in urls.items():
        config["subgraphs"][name]["routing_url"] = url
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    composed = _run(copy, "tools.compose")  # the published SDLs, this stack's URLs
    assert composed.returncode == 0, composed.stdout + composed.stderr

    log_dir = run_dir / "publish"
    orders = subgraph_process("orders", orders_port, env=stack_env, log_dir=log_dir)
    port, internal_port = free_port(), free_port()
    gateway = gateway_process(
        port,
        env={
            "GATEWAY_HOST": "127.0.0.1",
            "AUTH_JWKS_URL": jwks_url(users_url),
            **SHARED_GATEWAY_ENV,
            # No ceilings: every request is the load's, the mutations all of one user.
            "GATEWAY_RATE_REQUESTS_PER_SECOND": "0",
            "GATEWAY_RATE_MUTATIONS_PER_MINUTE": "0",
        },
        log_dir=log_dir,
        supergraph=copy / "router" / "supergraph.graphql",
        internal_port=internal_port,
    )
    with orders, gateway:
        yield PublishStack(
            copy,
            gateway,
            f"http://127.0.0.1:{port}",
            f"http://127.0.0.1:{internal_port}",
            orders,
            orders_port,
            stack_env,
            log_dir,
        )


@dataclass
class Load:
    """Clients querying and mutating through the gateway until stopped; every answer counted."""

    http: httpx.AsyncClient
    token: str
    sent: int = 0
    mutations: int = 0
    failures: list[str] = field(default_factory=list)
    stopping: bool = False

    async def send(self, query: str, variables: dict[str, Any] | None = None) -> None:
        """One request; a failure is an HTTP error, a GraphQL error or a userError."""
        try:
            response = await self.http.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers={"authorization": f"Bearer {self.token}"},
            )
            body = response.json()
            data: dict[str, Any] = body.get("data") or {}
            payload = data.get("updateProfile") or {}  # the mutation's: no userErrors either
            if (
                response.status_code != 200
                or body.get("errors")
                or not data
                or payload.get("userErrors")
            ):
                self.failures.append(f"{query}: {response.status_code} {response.text[:300]}")
        except (httpx.HTTPError, ValueError, AttributeError) as exc:  # not JSON, not an object
            self.failures.append(f"{query}: {exc!r}")
        self.sent += 1

    async def querying(self, offset: int) -> None:
        index = offset
        while not self.stopping:
            await self.send(LOAD[index % len(LOAD)])
            index += 1

    async def mutating(self) -> None:
        while not self.stopping:
            await self.send(RENAME, {"input": {"name": NAME}})
            self.mutations += 1

    async def run(self) -> None:
        await asyncio.gather(
            *(self.querying(i) for i in range(CONCURRENCY)),
            *(self.mutating() for _ in range(MUTATING)),
        )


def _extended_orders(stack: PublishStack) -> ManagedProcess:
    """The orders subgraph from the copy, whose `User` gained `schemaProbe`."""
    types = stack.copy / ORDERS_TYPES
    source = types.read_text(encoding="utf-8")
    anchor = "class User:\n    id: strawberry.ID\n"
    assert anchor in source
    types.write_text(source.replace(anchor, anchor + PROBE_FIELD, 1), encoding="utf-8")
    ready = f"http://127.0.0.1:{stack.orders_port}/ready"
    return ManagedProcess(
        "orders-extended",
        [sys.executable, "-m", "subgraphs.orders"],
        env={**stack.env, "ORDERS_PORT": str(stack.orders_port), "PYTHONPATH": str(stack.copy)},
        cwd=stack.copy,
        log_path=stack.log_dir / "orders-extended.log",
        ready=lambda: http_ok(ready),
        port=stack.orders_port,
    )


async def _upstream_subscriptions(stack: PublishStack, http: httpx.AsyncClient) -> float:
    metrics = parse_metrics((await http.get(f"{stack.gateway_internal_url}/metrics")).text)
    return metrics["gateway_upstream_subscriptions_open"]


async def _subscribers_are_told_to_resubscribe(
    stack: PublishStack, http: httpx.AsyncClient, token: str
) -> None:
    """A subscription open while a supergraph is published is ended by the gateway; one
    opened again runs on the new schema and sees the next status change."""

    async def created() -> dict[str, Any] | None:
        payload = await create_order(http, token, [{"sku": "SKU-TEE", "quantity": 1}])
        return payload["order"] if payload and not payload["userErrors"] else None

    order = await eventually(created, timeout=60, interval=0.5, what="an order to subscribe to")

    async def upstream_open() -> bool:
        return await _upstream_subscriptions(stack, http) >= 1

    url, variables = f"{stack.gateway_url}/graphql", {"id": order["id"]}
    async with subscribe(url, STATUS, variables, token=token) as before_reload:
        await eventually(upstream_open, timeout=30, what="the subscription to reach orders")
        # A description changes: a new supergraph, the orders process as it is.
        types = stack.copy / ORDERS_TYPES
        source = types.read_text(encoding="utf-8")
        types.write_text(source.replace(PROBE_DESCRIPTION, "Published again."), encoding="utf-8")
        published = await asyncio.to_thread(
            _run, stack.copy, "tools.schema_check", "--publish", "--subgraph", "orders"
        )
        assert published.returncode == 0, published.stdout + published.stderr
        # Ended once the old schema drained: through the edge's shared subscriptions the
        # client sees `complete` (Hive's own SCHEMA_RELOAD error, should it pass, is as good).
        ended = await before_reload.receive(timeout=60)
        assert ended["id"] == before_reload.id
        assert ended["type"] == "complete" or "SCHEMA_RELOAD" in json.dumps(ended), ended
    async with subscribe(url, STATUS, variables, token=token) as resubscribed:
        await eventually(upstream_open, timeout=30, what="the new subscription to reach orders")
        cancelled = await graphql(http, CANCEL, variables, token=token)
        assert cancelled["data"]["cancelOrder"]["userErrors"] == [], cancelled
        change = (await resubscribed.next(timeout=30))["data"]["orderStatusChanged"]
        assert change["status"] == "CANCELLED"


async def test_a_published_subgraph_field_is_served_by_the_same_gateway_under_load(
    publish_stack: PublishStack,
) -> None:
    stack = publish_stack
    pid = stack.gateway.pid
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        token = (await register(http))["accessToken"]
        before = await graphql(http, probe, token=token)
        assert "schemaProbe" in str(before.get("errors")), before  # not in the supergraph yet

        load = Load(http, token)
        running = asyncio.create_task(load.run())
        try:

            async def sent_at_least(count: int) -> bool:
                return load.sent >= count

            await eventually(lambda: sent_at_least(50), timeout=60, what="the load to run")
            stack.orders.stop()
            extended = _extended_orders(stack)
            try:
                extended.start()
                await asyncio.to_thread(extended.wait_ready)
                published = await asyncio.to_thread(
                    _run, stack.copy, "tools.schema_check", "--publish", "--subgraph", "orders"
                )
                assert published.returncode == 0, published.stdout + published.stderr
                assert "published: wrote router/supergraph.graphql" in published.stdout
                assert "schemaProbe" in (stack.copy / "router/published/orders.graphql").read_text()

                async def probe_answered() -> dict[str, Any] | None:
                    body = await graphql(http, probe, token=token)
                    me = (body.get("data") or {}).get("me") or {}
                    return body if me.get("schemaProbe") == "published" else None

                answered = await eventually(
                    probe_answered,
                    timeout=60,
                    interval=0.2,
                    what="the new field through the gateway",
                )
                assert "errors" not in answered, answered
                await _subscribers_are_told_to_resubscribe(stack, http, token)
                reloaded_at = load.sent
                await eventually(
                    lambda: sent_at_least(reloaded_at + 100),
                    timeout=60,
                    what="the load after the reload",
                )
            finally:
                load.stopping = True
                await running
                extended.stop()
        finally:
            load.stopping = True
            await running

    assert stack.gateway.pid == pid  # the same process, never restarted
    assert stack.gateway.alive
    assert load.sent >= 150
    assert load.mutations >= 50
    print(
        f"schema published under load: {load.sent} requests ({load.mutations} mutations), "
        f"{len(load.failures)} failed"
    )
    log = stack.gateway.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Supergraph changed" in log  # its watch of the file saw the publish
    assert "watcher closed" not in log  # and still watches it
    # Graceful reload pins every operation to its schema (no plugin replaced the schema).
    assert "not a tracked generation" not in log
    # No operation was aborted by a reload: not even a query the gateway could retry.
    assert RETRIED not in log, [line for line in log.splitlines() if RETRIED in line][:3]
    assert ABORTED not in log
    assert load.failures == [], f"{len(load.failures)} of {load.sent} failed: {load.failures[:5]}"
