"""The gateway edge as clients meet it: tokens, rate limits, health, CORS, size and shape limits.

Token, CORS and size tests go through the shared gateway (default settings);
rate-limit and health tests use `edge_stack`, a users subgraph and gateway of
their own, so throttling a client or stopping the subgraph disturbs nothing
else. That gateway trusts X-Forwarded-For, so each test is its own client.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from graphql import get_introspection_query

from testkit.client import error_codes, graphql, subscribe
from testkit.journeys import LOGIN, ME, register, unique_email
from testkit.sessions import REFRESH
from testkit.waiting import eventually

pytestmark = pytest.mark.e2e

ISSUER, AUDIENCE = "commerce-users", "commerce"
UPDATE_PROFILE = """mutation($input: UpdateProfileInput!) {
  updateProfile(input: $input) { user { name } userErrors { code } } }"""


# ------------------------------------------------------------------ tokens


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"sub": "u-" + uuid.uuid4().hex, "iss": ISSUER, "aud": AUDIENCE}
    return {**claims, "iat": now, "exp": now + 300, **overrides}


async def _jwks(users_url: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{users_url}/.well-known/jwks.json")
    response.raise_for_status()
    [key] = response.json()["keys"]
    return dict(key)


async def forged_token(users_url: str) -> str:
    """Signed by another Ed25519 key, naming the real key's `kid`."""
    kid = (await _jwks(users_url))["kid"]
    return jwt.encode(
        _claims(), Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid}
    )


async def expired_token(users_url: str, private_pem: bytes) -> str:
    """Signed with the real key, but expired two minutes ago."""
    kid = (await _jwks(users_url))["kid"]
    now = int(time.time())
    key = serialization.load_pem_private_key(private_pem, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return jwt.encode(
        _claims(iat=now - 600, exp=now - 120), key, algorithm="EdDSA", headers={"kid": kid}
    )


async def unsigned_token(users_url: str) -> str:
    """`alg: none`, no signature."""
    kid = (await _jwks(users_url))["kid"]
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode())
    return f"{header}.{_b64(json.dumps(_claims()).encode())}."


async def hs256_public_key_token(users_url: str) -> str:
    """HS256 with the public key as the HMAC secret (the algorithm-confusion attack)."""
    jwk = await _jwks(users_url)
    public = jwt.PyJWK(jwk).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": jwk["kid"]}).encode())
    signing_input = f"{header}.{_b64(json.dumps(_claims()).encode())}"
    signature = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


# ------------------------------------------------------------------ tokens at the gateway


async def test_no_token_is_anonymous(gateway):
    assert await graphql(gateway, ME) == {"data": {"me": None}}


async def test_a_valid_token_reaches_the_subgraph(gateway):
    registered = await register(gateway)
    body = await graphql(gateway, ME, token=registered["accessToken"])
    assert body["data"]["me"]["id"] == registered["user"]["id"]


@pytest.mark.parametrize("kind", ["forged", "expired", "alg-none", "hs256-public-key"])
async def test_a_bad_token_is_refused_at_the_gateway(gateway, users_url, users_signing_key, kind):
    token = {
        "forged": lambda: forged_token(users_url),
        "expired": lambda: expired_token(users_url, users_signing_key),
        "alg-none": lambda: unsigned_token(users_url),
        "hs256-public-key": lambda: hs256_public_key_token(users_url),
    }[kind]
    response = await gateway.post(
        "/graphql", json={"query": ME}, headers={"authorization": f"Bearer {await token()}"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body.get("data") is None  # refused before any subgraph ran


async def test_a_remembered_token_is_refused_once_it_expires(gateway, users_url, users_signing_key):
    """The gateway checks a token's signature once, then remembers it only until it expires."""
    user = (await register(gateway))["user"]
    kid = (await _jwks(users_url))["kid"]
    key = serialization.load_pem_private_key(users_signing_key, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    now = int(time.time())
    token = jwt.encode(
        _claims(sub=user["id"], iat=now, exp=now + 2), key, algorithm="EdDSA", headers={"kid": kid}
    )
    headers = {"authorization": f"Bearer {token}"}
    for _ in range(2):  # checked, then remembered
        response = await gateway.post("/graphql", json={"query": ME}, headers=headers)
        assert response.json()["data"]["me"]["id"] == user["id"]

    async def refused() -> bool:
        response = await gateway.post("/graphql", json={"query": ME}, headers=headers)
        return response.status_code == 401 and error_codes(response.json()) == ["UNAUTHENTICATED"]

    await eventually(refused, what="the expired token to be refused at the gateway")


async def test_a_token_without_the_bearer_scheme_is_refused(gateway):
    response = await gateway.post(
        "/graphql", json={"query": ME}, headers={"authorization": "Basic dXNlcjpwYXNz"}
    )
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


async def test_the_forged_token_is_refused_by_the_subgraph_itself(users_url):
    token = await forged_token(users_url)
    async with httpx.AsyncClient(base_url=users_url) as client:
        body = await graphql(client, ME, token=token)
    assert error_codes(body) == ["UNAUTHENTICATED"]


# ------------------------------------------------------------------ tokens over WebSocket


async def _ws_operation(gateway_url: str, payload: dict[str, Any], query: str) -> dict[str, Any]:
    """connection_init with `payload`, one operation; returns its first result message."""
    async with subscribe(f"{gateway_url}/graphql", query, {}, token=None, init=payload) as sub:
        message = await sub.receive()
        assert message.get("id") == sub.id, message  # an answer to this operation
        return message


def _ws_errors(message: dict[str, Any]) -> list[str]:
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [e["extensions"]["code"] for e in errors]


STATUS = """subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }"""


@pytest.mark.parametrize("kind", ["forged", "expired"])
async def test_a_bad_token_in_connection_init_is_refused(
    gateway_url, users_url, users_signing_key, kind
):
    # Hive Gateway's WebSocket server acknowledges every connection_init (its CLI offers no
    # onConnect hook); every operation on that connection is then refused at the gateway.
    if kind == "forged":
        token = await forged_token(users_url)
    else:
        token = await expired_token(users_url, users_signing_key)
    async with subscribe(
        f"{gateway_url}/graphql", STATUS, {"id": "any-order"}, token=token
    ) as feed:
        errors = await feed.error()
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]
    assert "http" not in errors[0]["extensions"]  # HTTP status and headers stay off WebSockets

    message = await _ws_operation(gateway_url, {"Authorization": f"Bearer {token}"}, ME)
    assert _ws_errors(message) == ["UNAUTHENTICATED"]


async def test_a_valid_token_in_connection_init_is_used(gateway, gateway_url):
    registered = await register(gateway)
    payload = {"Authorization": f"Bearer {registered['accessToken']}"}
    message = await _ws_operation(gateway_url, payload, ME)
    assert message["type"] == "next"
    assert message["payload"]["data"]["me"]["id"] == registered["user"]["id"]


async def test_no_token_in_connection_init_is_anonymous(gateway_url):
    message = await _ws_operation(gateway_url, {}, ME)
    assert message["payload"] == {"data": {"me": None}}


# ------------------------------------------------------------------ size and shape


async def test_a_two_megabyte_body_is_refused(gateway):
    name = "x" * 2_000_000
    response = await gateway.post(
        "/graphql",
        json={"query": UPDATE_PROFILE, "variables": {"input": {"name": name}}},
    )
    assert response.status_code == 413
    assert error_codes(response.json()) == ["PAYLOAD_TOO_LARGE"]


async def test_a_two_megabyte_chunked_body_is_refused(gateway):
    document = json.dumps({"query": ME, "variables": {"pad": "x" * 2_000_000}}).encode()

    async def chunks():
        for start in range(0, len(document), 65536):
            yield document[start : start + 65536]

    response = await gateway.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert error_codes(response.json()) == ["PAYLOAD_TOO_LARGE"]


async def test_a_small_chunked_body_is_served(gateway):
    document = json.dumps({"query": "{ __typename }"}).encode()

    async def chunks():
        yield document[:10]
        yield document[10:]

    response = await gateway.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_one_megabyte_name_reaches_the_subgraph(gateway):
    email = unique_email("big")
    variables = {"input": {"email": email, "password": "password-123", "name": "x" * 1_000_000}}
    body = await graphql(
        gateway,
        "mutation($input: RegisterInput!) { register(input: $input) { userErrors { code } } }",
        variables,
    )
    assert [e["code"] for e in body["data"]["register"]["userErrors"]] == ["NAME_TOO_LONG"]


def _nested(depth: int) -> str:
    return "{ " + "a { " * (depth - 1) + "b" + " }" * (depth - 1) + " }"


def _doubling_fragments(levels: int) -> str:
    """A short document whose fragments each spread the next one twice: 2**levels fields."""
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"{{ ...F0 }} {chain} fragment F{levels} on Query {{ __typename }}"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (_nested(13), "MAX_DEPTH_LIMIT"),
        ("{ " + " ".join(f"a{i}: __typename" for i in range(16)) + " }", "MAX_ALIASES_LIMIT"),
        ("{ " + "... { me { id } } " * 21 + "}", "MAX_ROOT_FIELDS_LIMIT"),
        ("{ me { " + "id " * 2100 + "} }", "GRAPHQL_PARSE_FAILED"),
        # 21 levels of doubling fragments took the gateway's planner 17 s before this limit.
        (_doubling_fragments(21), "MAX_HEIGHT_LIMIT"),
    ],
    ids=["depth", "aliases", "root-fields", "tokens", "height"],
)
async def test_operations_over_the_limits_are_refused(gateway, query, code):
    body = await graphql(gateway, query)
    assert code in error_codes(body), body
    assert "data" not in body


async def test_operations_within_the_limits_run(gateway):
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(15)) + " }"
    assert (await graphql(gateway, aliases))["data"]["a14"] == "Query"
    # 2**7 = 128 fields once the fragments are expanded: within a height of 200.
    assert await graphql(gateway, _doubling_fragments(7)) == {"data": {"__typename": "Query"}}
    # Depth counts fields, not fragments (as Apollo Router and the subgraphs count): ten fields
    # deep through four fragments is within a limit of 12.
    through_fragments = """{ ...Me }
      fragment Me on Query { me { orders { edges { ...Node } } } }
      fragment Node on OrderEdge { node { ... on Order { user { ...User } } } }
      fragment User on User { orders { edges { node { user { name } } } } }"""
    assert await graphql(gateway, through_fragments) == {"data": {"me": None}}
    # The IDE's schema query is deeper than the depth limit: introspection is exempt.
    introspection = await graphql(gateway, get_introspection_query(descriptions=True))
    assert "errors" not in introspection
    assert introspection["data"]["__schema"]["queryType"]["name"] == "Query"


# ------------------------------------------------------------------ CORS


@pytest.mark.parametrize("origin", ["http://localhost:3000", "http://localhost:5173"])
async def test_a_configured_origin_gets_cors_headers(gateway, origin):
    preflight = await gateway.options(
        "/graphql",
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()

    response = await gateway.post("/graphql", json={"query": ME}, headers={"origin": origin})
    assert response.headers["access-control-allow-origin"] == origin
    assert "origin" in response.headers["vary"].lower()


async def test_an_unlisted_origin_gets_no_cors_headers(gateway):
    origin = "https://evil.example"
    preflight = await gateway.options(
        "/graphql", headers={"origin": origin, "access-control-request-method": "POST"}
    )
    response = await gateway.post("/graphql", json={"query": ME}, headers={"origin": origin})
    for answer in (preflight, response):
        assert not [h for h in answer.headers if h.lower().startswith("access-control-")]


# ------------------------------------------------------------------ rate limits (edge stack)


def _client(address: str) -> dict[str, str]:
    return {"x-forwarded-for": address}


async def _post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def test_the_sixth_login_in_a_minute_is_rate_limited(edge_stack):
    async with httpx.AsyncClient(base_url=edge_stack.gateway_url, timeout=30) as client:
        email = unique_email("throttle")
        await register(client, email=email)
        wrong = {"input": {"email": email, "password": "wrong-password-1"}}
        me = _client("198.51.100.6")
        for _ in range(5):
            response = await _post(client, LOGIN, wrong, me)
            assert response.status_code == 200
            assert "RATE_LIMITED" not in error_codes(response.json())

        refused = await _post(client, LOGIN, wrong, me)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert error_codes(refused.json()) == ["RATE_LIMITED"]
        # Even the right password waits: the limit counts attempts, not failures.
        right = {"input": {"email": email, "password": "password-123"}}
        assert error_codes((await _post(client, LOGIN, right, me)).json()) == ["RATE_LIMITED"]

        # Another client address is not limited by the gateway: it reaches the users
        # subgraph, which makes this account's next attempt wait after 5 failures (per email)...
        elsewhere = _client("198.51.100.7")
        locked = (await _post(client, LOGIN, right, elsewhere)).json()["data"]["login"]
        assert [e["code"] for e in locked["userErrors"]] == ["RATE_LIMITED"]
        # ...while other accounts sign in from there as usual.
        other_email = unique_email("unthrottled")
        await register(client, email=other_email)
        other = {"input": {"email": other_email, "password": "password-123"}}
        assert (await _post(client, LOGIN, other, elsewhere)).json()["data"]["login"][
            "userErrors"
        ] == []


async def test_aliased_logins_count_one_by_one(edge_stack):
    fields = " ".join(
        f'l{i}: login(input: {{email: "nobody@example.com", password: "x"}}) {{ accessToken }}'
        for i in range(6)
    )
    async with httpx.AsyncClient(base_url=edge_stack.gateway_url, timeout=30) as client:
        response = await _post(client, f"mutation {{ {fields} }}", {}, _client("198.51.100.8"))
    assert response.status_code == 429
    assert error_codes(response.json()) == ["RATE_LIMITED"]


async def test_password_resets_count_as_logins_and_refreshes_do_not(edge_stack):
    reset = """mutation($email: String!) {
      requestPasswordReset(input: {email: $email}) { userErrors { code } } }"""
    consume = """mutation {
      resetPassword(input: {token: "made-up", newPassword: "new-password-1"}) {
        userErrors { code } } }"""
    me = _client("198.51.100.12")
    async with httpx.AsyncClient(base_url=edge_stack.gateway_url, timeout=30) as client:
        refresh_token = (await register(client))["refreshToken"]
        for n in range(3):
            answer = await _post(client, reset, {"email": unique_email(f"r{n}")}, me)
            assert answer.json()["data"]["requestPasswordReset"]["userErrors"] == []
        for _ in range(2):
            answer = await _post(client, consume, {}, me)
            assert answer.json()["data"]["resetPassword"]["userErrors"][0]["code"] == (
                "INVALID_RESET_TOKEN"
            )
        refused = await _post(client, reset, {"email": unique_email("r6")}, me)
        assert refused.status_code == 429
        assert error_codes(refused.json()) == ["RATE_LIMITED"]

        # Refreshing is not a sign-in attempt: this client still refreshes, again and again.
        for _ in range(6):
            answer = await _post(client, REFRESH, {"input": {"refreshToken": refresh_token}}, me)
            payload = answer.json()["data"]["refreshSession"]
            assert payload["userErrors"] == []
            refresh_token = payload["refreshToken"]


async def test_mutations_per_user_are_rate_limited(edge_stack):
    async with httpx.AsyncClient(base_url=edge_stack.gateway_url, timeout=30) as client:
        token = (await register(client))["accessToken"]
        headers = {**_client("198.51.100.9"), "authorization": f"Bearer {token}"}
        variables = {"input": {"name": "Busy"}}
        for _ in range(3):
            response = await _post(client, UPDATE_PROFILE, variables, headers)
            assert response.json()["data"]["updateProfile"]["userErrors"] == []
        refused = await _post(client, UPDATE_PROFILE, variables, headers)
        assert refused.status_code == 429
        assert error_codes(refused.json()) == ["RATE_LIMITED"]
        # Queries are not mutations: still served.
        assert (await _post(client, ME, {}, headers)).json()["data"]["me"]["name"] == "Busy"


async def test_the_gateway_wide_ceiling(edge_stack):
    async with httpx.AsyncClient(base_url=edge_stack.gateway_url, timeout=30) as client:
        responses = await asyncio.gather(
            *(_post(client, "{ __typename }", {}, _client("198.51.100.10")) for _ in range(60))
        )
        refused = [r for r in responses if r.status_code == 429]
        assert refused, "60 requests at once should pass a ceiling of 25 a second"
        assert error_codes(refused[0].json()) == ["RATE_LIMITED"]
        assert "retry-after" in refused[0].headers
        assert any(r.status_code == 200 for r in responses)

        async def served_again() -> bool:
            response = await _post(client, "{ __typename }", {}, _client("198.51.100.10"))
            return response.status_code == 200

        # The bucket refills (25 a second): the ceiling throttles, it does not lock out.
        await eventually(served_again, timeout=10, what="the ceiling's bucket to refill")


# ------------------------------------------------------------------ health (edge stack)


async def test_the_gateway_reports_its_own_health(gateway):
    response = await gateway.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_every_subgraph_of_the_supergraph_has_health(gateway, subgraph_ports):
    # The gateway reads the subgraph list from the supergraph it serves: nothing to configure.
    for name in subgraph_ports:
        response = await gateway.get(f"/health/{name}")
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "ready", "subgraph": name}


async def test_an_unknown_subgraph_has_no_health(gateway):
    response = await gateway.get("/health/nope")
    assert response.status_code == 404


async def _health(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get("/health/users")


async def _health_becomes(client: httpx.AsyncClient, status: int) -> httpx.Response:
    """The public answer is remembered for a second: wait for it to follow the subgraph."""

    async def answered() -> httpx.Response | None:
        response = await _health(client)
        return response if response.status_code == status else None

    return await eventually(answered, timeout=10, what=f"/health/users to answer {status}")


async def test_subgraph_health_follows_the_subgraph(edge_stack):
    async with httpx.AsyncClient(base_url=edge_stack.gateway_url, timeout=30) as client:
        up = await _health(client)
        assert up.status_code == 200
        assert up.json()["subgraph"] == "users"
        assert up.json()["status"] == "ready"
        # The subgraph's own answer is passed on, with its status code, by the internal listener.
        internal = await client.get(f"{edge_stack.gateway_internal_url}/health/users")
        assert (internal.status_code, internal.json()["status"]) == (200, "ready")

        edge_stack.users.stop()
        try:
            down = await _health_becomes(client, 503)
            assert down.json()["subgraph"] == "users"
            assert down.json()["status"] == "unavailable"
            # A query needing the subgraph fails with a masked error, no transport details.
            body = (await _post(client, ME, {}, _client("198.51.100.11"))).json()
            assert error_codes(body) == ["INTERNAL_SERVER_ERROR"]
            assert "127.0.0.1" not in json.dumps(body)
        finally:
            edge_stack.users.start()
            edge_stack.users.wait_ready()

        back = await _health_becomes(client, 200)
        assert back.json()["status"] == "ready"
