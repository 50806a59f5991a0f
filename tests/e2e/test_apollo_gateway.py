"""The e2e flows that do not depend on Hive Gateway's edge plugins, through Apollo Gateway.

Production runs Apollo Router, which cannot run here; Apollo's JavaScript
gateway (`@apollo/gateway`, whose query planner Apollo Router's was ported
from) can. It serves the same supergraph before the same subgraph processes,
so a query plan only Hive Gateway gets right fails here. The flows are the
other modules' own test functions, called with a client of this gateway.
Subscriptions, CORS, rate limits and the other edge rules stay Hive Gateway's.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from subgraphs.kernel.core.access import Role
from testkit.client import error_codes, graphql
from testkit.journeys import register
from testkit.tokens import mint_access_token
from tests.e2e import test_notifications_through_gateway as notifications
from tests.e2e import test_orders_through_gateway as orders
from tests.e2e import test_payments_through_gateway as payments
from tests.e2e import test_users_through_gateway as users
from tools.compose import published_supergraph
from tools.procs import ManagedProcess, free_port
from tools.stack import ROOT

pytestmark = pytest.mark.e2e


def _answers(url: str) -> bool:
    request = urllib.request.Request(  # noqa: S310 (a local URL of ours)
        url,
        data=json.dumps({"query": "{ __typename }"}).encode(),
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=1) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def apollo_gateway_url(
    gateway_url: str,
    run_dir: Path,
    users_url: str,
    orders_url: str,
    payments_url: str,
    notifications_url: str,
) -> Iterator[str]:
    """Apollo Gateway on a free port, serving the shared stack's supergraph composed without
    the authorization directives (@apollo/gateway refuses them; the subgraphs check scopes)."""
    urls = {
        "users": f"{users_url}/graphql",
        "orders": f"{orders_url}/graphql",
        "payments": f"{payments_url}/graphql",
        "notifications": f"{notifications_url}/graphql",
    }
    supergraph = run_dir / "supergraph.unlicensed.graphql"
    supergraph.write_text(published_supergraph(urls, authorization=False), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = ManagedProcess(
        "apollo-gateway",
        ["node", "tools/apollo-gateway.mjs"],
        env={
            "SUPERGRAPH_PATH": str(supergraph),
            "APOLLO_GATEWAY_PORT": str(port),
            "NODE_ENV": "production",
        },
        cwd=ROOT / "router",
        log_path=run_dir / "apollo-gateway.log",
        ready=lambda: _answers(f"{url}/graphql"),
        ready_timeout=60.0,
        port=port,
        url=f"{url}/graphql",
    )
    with process:
        yield url


@pytest.fixture
async def apollo(apollo_gateway_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=apollo_gateway_url, timeout=30) as client:
        yield client


Flow = Callable[..., Awaitable[None]]

FLOWS: list[Flow] = [
    users.test_register_login_me_and_update_profile,
    users.test_me_is_null_without_a_token,
    users.test_a_bad_token_is_unauthenticated,
    users.test_a_duplicate_email_answers_as_a_new_one,
    users.test_an_unknown_field_is_a_clear_error,
    orders.test_create_read_back_and_cancel,
    payments.test_retries_conflicts_and_strangers_through_the_gateway,
    notifications.test_preferences_through_the_gateway_and_someone_elses_notifications,
]


@pytest.mark.parametrize("flow", FLOWS, ids=lambda flow: f"{flow.__module__}.{flow.__name__}")
async def test_flow_through_apollo_gateway(flow: Flow, apollo: httpx.AsyncClient) -> None:
    await flow(apollo)


async def test_many_orders_cost_the_same_round_trips_through_apollo_gateway(
    apollo: httpx.AsyncClient, users_url: str, orders_url: str, internal_urls: dict[str, str]
) -> None:
    # The plan for `me { orders { ... user { name } } }`: one batched `_entities` per subgraph.
    await orders.test_reading_many_orders_costs_a_constant_number_of_round_trips(
        apollo, users_url, orders_url, internal_urls
    )


async def test_a_cross_subgraph_read_matches_hive_gateway(
    apollo: httpx.AsyncClient, gateway: httpx.AsyncClient
) -> None:
    # One order read through both gateways: the same plan result, field for field.
    token = (await register(gateway))["accessToken"]
    created = await orders.create_order(gateway, token, [{"sku": "SKU-MUG", "quantity": 2}])
    query = """query($id: ID!) { order(id: $id) { id status total { amount currency }
        items { sku name quantity lineTotal { amount } } user { id name email }
        payment { id status } } }"""
    answers: list[Any] = []
    for client in (gateway, apollo):
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": {"id": created["order"]["id"]}},
            headers={"authorization": f"Bearer {token}"},
        )
        answers.append(response.json())
    assert answers[0] == answers[1]
    assert answers[0]["data"]["order"]["user"]["name"] == "Test User"


async def test_without_the_directives_the_subgraphs_still_refuse_staff_fields(
    apollo: httpx.AsyncClient, users_signing_key: bytes
) -> None:
    # What an unlicensed Apollo Router runs (router/supergraph.unlicensed.graphql): the gateway
    # enforces no scope, the subgraph refuses on its own, and staff still get through.
    query = "query { staffOrders(first: 1) { edges { node { id } } } }"
    customer = (await register(apollo))["accessToken"]
    for token, code in [(None, "UNAUTHENTICATED"), (customer, "FORBIDDEN")]:
        body = await graphql(apollo, query, token=token)
        assert error_codes(body) == [code]
        assert body.get("data") is None
    support = mint_access_token(users_signing_key, "staff-support", role=Role.SUPPORT)
    body = await graphql(apollo, query, token=support)
    assert "errors" not in body, body
    assert "edges" in body["data"]["staffOrders"]
