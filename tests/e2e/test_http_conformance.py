"""What strangers run against the endpoints: the GraphQL-over-HTTP audit, cross-site
requests, hand-made `_entities` calls; on every subgraph and on the gateway."""

from __future__ import annotations

import http.client
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from testkit.journeys import REGISTER, register, unique_email

pytestmark = pytest.mark.e2e

ROUTER = Path(__file__).resolve().parents[2] / "router"
ENDPOINTS = ("users", "catalog", "orders", "payments", "notifications", "gateway")
# An entity type each subgraph resolves (`_entities` is the subgraphs' own field).
ENTITY = {
    "users": "User",
    "catalog": "Product",
    "orders": "Order",
    "payments": "Payment",
    "notifications": "User",
}


@pytest.fixture(scope="module")
def urls(
    users_url: str,
    catalog_url: str,
    orders_url: str,
    payments_url: str,
    notifications_url: str,
    gateway_url: str,
) -> dict[str, str]:
    bases = [users_url, catalog_url, orders_url, payments_url, notifications_url, gateway_url]
    return {name: f"{base}/graphql" for name, base in zip(ENDPOINTS, bases, strict=True)}


# ------------------------------------------------------------------ GraphQL over HTTP audit


@pytest.fixture(scope="module")
def audit(urls: dict[str, str]) -> dict[str, Any]:
    """graphql-http's server audits, run once against every endpoint."""
    done = subprocess.run(
        ["node", "tools/http-audit.mjs", *urls.values()],
        cwd=ROUTER,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return {name: report[url] for name, url in urls.items()}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_must_and_should_of_the_audit_passes(audit: dict[str, Any], endpoint: str) -> None:
    result = audit[endpoint]
    assert result["failures"] == [], result
    assert result["MUST"]["failed"] == result["SHOULD"]["failed"] == 0
    # graphql-http 1.23.1 has 13 MUST and 23 SHOULD audits: all of them ran.
    assert (result["MUST"]["ok"], result["SHOULD"]["ok"]) == (13, 23)


@pytest.mark.parametrize("endpoint", ENDPOINTS[:4])
async def test_subgraphs_answer_request_errors_by_media_type(
    urls: dict[str, str], endpoint: str
) -> None:
    bad = {"query": "{ nosuchfield }"}
    async with httpx.AsyncClient() as client:
        strict = await client.post(
            urls[endpoint], json=bad, headers={"accept": "application/graphql-response+json"}
        )
        plain = await client.post(urls[endpoint], json=bad, headers={"accept": "application/json"})
    assert strict.status_code == 400
    assert strict.headers["content-type"] == "application/graphql-response+json"
    assert "data" not in strict.json()
    assert strict.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "application/json"
    assert "data" not in plain.json()


# ------------------------------------------------------------------ CSRF


def _forms(email: str) -> list[dict[str, Any]]:
    """The ways a page on another site can send `register` without a preflight."""
    variables = {"input": {"email": email, "password": "password-123", "name": "Mallory"}}
    operation = {"query": REGISTER, "variables": variables}
    as_json = json.dumps(operation)
    return [
        {"data": {"query": REGISTER, "variables": json.dumps(variables)}},  # urlencoded form
        {"files": {"query": (None, REGISTER), "variables": (None, json.dumps(variables))}},
        {"content": as_json, "headers": {"content-type": "text/plain"}},
        {"content": as_json},  # no content type at all
        {"method": "GET", "params": {"query": REGISTER, "variables": json.dumps(variables)}},
    ]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_a_cross_site_form_cannot_register(urls: dict[str, str], endpoint: str) -> None:
    email = unique_email("csrf")
    async with httpx.AsyncClient(timeout=30) as client:
        for form in _forms(email):
            method = form.pop("method", "POST")
            response = await client.request(method, urls[endpoint], **form)
            [error] = response.json()["errors"]
            if endpoint == "gateway":
                # Hive Gateway's own csrfPrevention refuses with its status and message; what
                # a client relies on is the refusal, and that nothing ran.
                assert response.status_code == 403, (form, response.text)
                assert error["message"] == "Required CSRF header(s) not present"
                continue
            assert response.status_code == 400, (form, response.text)
            assert error["extensions"]["code"] == "CSRF_ERROR"
            assert "cross-site request forgery" in error["message"]
        # Nothing was created: the address is still free (signing up with another password
        # then signing in works; an account made by the form would refuse that password).
        gateway = httpx.AsyncClient(base_url=urls["gateway"].removesuffix("/graphql"))
        async with gateway:
            payload = await register(gateway, email=email, password="another-pass-9")
    assert payload["user"]["email"] == email


async def test_a_preflighted_get_query_still_works_at_the_gateway(urls: dict[str, str]) -> None:
    async with httpx.AsyncClient() as client:
        refused = await client.get(urls["gateway"], params={"query": "{ products { sku } }"})
        allowed = await client.get(
            urls["gateway"],
            params={"query": "{ products { sku } }"},
            headers={"apollo-require-preflight": "true"},
        )
    assert refused.status_code == 403  # Hive Gateway's csrfPrevention
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["data"]["products"]


# ------------------------------------------------------------------ _entities

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }"


@pytest.mark.parametrize("endpoint", ENDPOINTS[:4])
async def test_malformed_representations_are_bad_user_input(
    urls: dict[str, str], endpoint: str
) -> None:
    typename = ENTITY[endpoint]
    malformed: list[Any] = [
        False,
        {"__typename": typename, "id": None},
        {"__typename": typename},
        {"__typename": "NoSuchType", "id": "1"},
        {"__typename": typename, "id": {"nested": "object"}},
    ]
    async with httpx.AsyncClient() as client:
        for representation in malformed:
            response = await client.post(
                urls[endpoint],
                json={"query": ENTITIES, "variables": {"r": [representation]}},
            )
            body = response.json()
            [error] = body["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", (representation, body)
            assert error["message"].startswith("Invalid representation at index 0"), error


@pytest.mark.parametrize("endpoint", ENDPOINTS[:4])
def test_hive_gateway_reads_a_subgraphs_400_reply_as_its_errors(
    urls: dict[str, str], endpoint: str
) -> None:
    # Hive Gateway's subgraph executor asks for application/graphql-response+json, so request
    # errors come back with 400; it must still see the subgraph's errors, not a transport failure.
    done = subprocess.run(
        ["node", "tools/hive-executor-probe.mjs", urls[endpoint], "{ nosuchfield }"],
        cwd=ROUTER,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    [error] = result["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", result
    assert "nosuchfield" in error["message"]


def test_a_subgraph_keeps_an_idle_connection_open_longer_than_a_gateway_does(
    orders_url: str,
) -> None:
    """A gateway reuses a connection that has been idle up to its own pool timeout (Node's
    agent: 5 s). If the subgraph closed it first, a request sent at that moment is lost
    ("socket hang up"): the subgraph must keep it open longer."""
    url = httpx.URL(orders_url)
    connection = http.client.HTTPConnection(url.host, url.port, timeout=10)
    try:
        connection.request("GET", "/health")
        first = connection.getresponse()
        first.read()
        assert first.status == 200
        local = connection.sock.getsockname()
        time.sleep(6)  # longer than Node's idle timeout and uvicorn's default
        connection.request("GET", "/health")
        second = connection.getresponse()
        second.read()
        assert second.status == 200
        assert connection.sock.getsockname() == local  # the same connection, not a new one
    finally:
        connection.close()
