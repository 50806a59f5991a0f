"""The gateway's one GraphQL endpoint: other spellings of its path reach nothing.

Each spelling is sent byte for byte (http.client, no URL normalisation on the
client side). A form POST of `register` is how a cross-site page would try to
create an account: on any spelling but the endpoint's it must not run, and
the checks that guard the endpoint (CSRF, body limit, rate ceiling) cannot be
stepped around by choosing another spelling, because nothing else answers.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse

import httpx
import pytest

from testkit.client import error_codes, graphql
from testkit.journeys import LOGIN, REGISTER, unique_email

pytestmark = pytest.mark.e2e

SPELLINGS = (
    "/graphql/",
    "//graphql",
    "/GRAPHQL",
    "/Graphql",
    "/%67raphql",
    "/graphql%2F",
    "/%2Fgraphql",
    "/x/graphql",
    "/graphql/x",
    "/graphql;x",
    "/graphql%00",
)


def _send(gateway_url: str, method: str, path: str, body: bytes, content_type: str):
    """One raw request; returns (status, body bytes)."""
    netloc = urllib.parse.urlsplit(gateway_url).netloc
    connection = http.client.HTTPConnection(netloc, timeout=30)
    try:
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _form_register(email: str) -> bytes:
    variables = {"input": {"email": email, "password": "password-123", "name": "Form Post"}}
    return urllib.parse.urlencode({"query": REGISTER, "variables": json.dumps(variables)}).encode()


async def _signs_in(gateway: httpx.AsyncClient, email: str) -> bool:
    body = await graphql(gateway, LOGIN, {"input": {"email": email, "password": "password-123"}})
    return bool(body["data"] and body["data"]["login"]["accessToken"])


@pytest.mark.parametrize("path", SPELLINGS)
async def test_a_form_post_on_another_spelling_creates_no_account(gateway, gateway_url, path):
    email = unique_email("form")
    status, _ = _send(
        gateway_url, "POST", path, _form_register(email), "application/x-www-form-urlencoded"
    )
    assert status == 404
    assert not await _signs_in(gateway, email)


@pytest.mark.parametrize("path", ["/graphql", "/graphql?x=1", "/./graphql", "/.%2E/graphql"])
async def test_the_endpoint_refuses_form_posts_in_every_equivalent_spelling(
    gateway, gateway_url, path
):
    email = unique_email("form")
    status, _ = _send(
        gateway_url, "POST", path, _form_register(email), "application/x-www-form-urlencoded"
    )
    assert status == 403  # CSRF prevention
    assert not await _signs_in(gateway, email)


@pytest.mark.parametrize("path", ["/graphql/", "//graphql", "/%67raphql", "/x/graphql"])
async def test_other_spellings_do_not_run_json_operations(gateway_url, path):
    # A JSON body would pass CSRF prevention: still nothing but the endpoint answers it.
    body = json.dumps({"query": "{ __typename }"}).encode()
    status, answer = _send(gateway_url, "POST", path, body, "application/json")
    assert status == 404
    assert b"__typename" not in answer
    assert b"Query" not in answer


async def test_the_body_limit_holds_on_every_spelling(gateway_url):
    oversized = json.dumps({"query": "{ __typename }", "pad": "x" * 2_000_000}).encode()
    for path in ("/graphql", "/graphql?x", *SPELLINGS[:4]):
        status, _ = _send(gateway_url, "POST", path, oversized, "application/json")
        endpoint = path.startswith("/graphql?") or path == "/graphql"
        assert status == (413 if endpoint else 404), path


async def test_unknown_paths_are_404_and_metrics_are_not_public(gateway):
    for path in ("/", "/metrics", "/graphiql", "/health/%", "/health/users/x", "/health/%2e%2e"):
        response = await gateway.get(path)
        assert response.status_code == 404, (path, response.status_code)


async def test_public_subgraph_health_names_no_internal_part(
    gateway, gateway_internal_url, users_url, internal_urls
):
    public = await gateway.get("/health/users")
    assert public.json() == {"status": "ready", "subgraph": "users"}
    # The gateway's metrics and the subgraph's answer with its status code are internal.
    async with httpx.AsyncClient(base_url=gateway_internal_url, timeout=30) as internal:
        detailed = await internal.get("/health/users")
        assert detailed.status_code == 200
        assert detailed.json() == {"status": "ready", "subgraph": "users"}
        metrics = await internal.get("/metrics")
        assert "gateway_subscriptions_open" in metrics.text
        assert (await internal.get("/health/%")).status_code == 404
    # A subgraph's own public port names no store and counts nothing; its internal one does.
    async with httpx.AsyncClient(timeout=30) as client:
        assert (await client.get(f"{users_url}/ready")).json() == {"status": "ready"}
        assert (await client.get(f"{users_url}/metrics")).status_code == 404
        checks = (await client.get(f"{internal_urls['users']}/ready")).json()["checks"]
        assert checks["mongodb"] == {"ok": True}
        metrics = await client.get(f"{internal_urls['users']}/metrics")
        assert "mongodb_commands_total" in metrics.text


async def test_a_malformed_json_body_is_400_without_internals(gateway):
    for body in (b'{"query": ', b"[" * 100_000, b'{"query": "{ __typename }"' + b"}" * 3):
        response = await gateway.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, response.text
        assert "originalError" not in response.text
        assert "stack" not in response.text
        assert error_codes(response.json()) != ["INTERNAL_SERVER_ERROR"]


async def test_the_twilio_status_webhook_is_passed_on_to_notifications(gateway):
    # POST only; the rest of the path is not a route.
    assert (await gateway.get("/webhooks/twilio/status")).status_code == 405
    assert (await gateway.post("/webhooks/twilio")).status_code == 404
    # The notifications subgraph answers (this stack's SMS provider is the local one, so it
    # takes no reports): the body, query and signature went through untouched.
    answer = await gateway.post(
        "/webhooks/twilio/status?n=e-1%3Asms",
        data={"MessageSid": "SM1", "MessageStatus": "delivered"},
        headers={"X-Twilio-Signature": "c2lnbmVk"},
    )
    assert (answer.status_code, answer.json()) == (404, {"error": "no SMS provider reports here"})
