"""The users GraphQL API through the subgraph app, on the real store."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest
import redis.asyncio as aioredis

from subgraphs.kernel.core.events import Event
from testkit.client import error_codes, graphql
from testkit.journeys import LOGIN, ME, REGISTER, register, unique_email
from tests.conftest import INTERNAL_PORT

pytestmark = pytest.mark.integration


async def test_register_login_me_round_trip(users_client, users_db):
    email = unique_email("ann")
    registered = await register(users_client, email=email)
    assert registered["user"]["email"] == email

    body = await graphql(
        users_client, LOGIN, {"input": {"email": email.upper(), "password": "password-123"}}
    )
    login = body["data"]["login"]
    assert login["userErrors"] == []
    assert login["user"]["id"] == registered["user"]["id"]

    me = await graphql(users_client, ME, token=login["accessToken"])
    assert me["data"]["me"]["email"] == email
    assert me["data"]["me"]["id"] == registered["user"]["id"]


async def test_me_is_null_without_a_token(users_client):
    assert await graphql(users_client, ME) == {"data": {"me": None}}


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
async def test_a_bad_token_is_unauthenticated(users_client, token):
    body = await graphql(users_client, ME, token=token)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] == {"me": None}
    assert "Traceback" not in str(body)


REGISTER_ALL_FIELDS = """mutation($input: RegisterInput!) { register(input: $input) {
  user { id } accessToken expiresAt refreshToken refreshExpiresAt userErrors { code } } }"""


async def test_a_taken_email_answers_exactly_as_a_free_one_and_writes_no_account(
    users_client, users_db
):
    email = unique_email()
    free = await graphql(
        users_client,
        REGISTER_ALL_FIELDS,
        {"input": {"email": email, "password": "password-123", "name": "First"}},
    )
    taken = await graphql(
        users_client,
        REGISTER_ALL_FIELDS,
        {"input": {"email": email.upper(), "password": "password-456", "name": "Copy"}},
    )

    nothing: dict[str, object] = {
        "user": None,
        "accessToken": None,
        "expiresAt": None,
        "refreshToken": None,
        "refreshExpiresAt": None,
        "userErrors": [],
    }
    assert free == taken == {"data": {"register": nothing}}
    assert await users_db["users"].count_documents({}) == 1
    assert await users_db["sessions"].count_documents({}) == 0
    attempts = await users_db["outbox"].count_documents({"type": "users.sign_up_attempted"})
    assert attempts == 1


async def test_a_wrong_password_does_not_say_whether_the_email_exists(users_client, users_db):
    email = unique_email()
    await register(users_client, email=email)

    wrong = await graphql(users_client, LOGIN, {"input": {"email": email, "password": "nope-nope"}})
    unknown = await graphql(
        users_client, LOGIN, {"input": {"email": unique_email(), "password": "nope-nope"}}
    )

    assert wrong == unknown
    assert wrong["data"]["login"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_a_megabyte_name_is_a_user_error_and_writes_nothing(users_client, users_db):
    body = await graphql(
        users_client,
        REGISTER,
        {"input": {"email": unique_email(), "password": "password-123", "name": "x" * 1_000_000}},
    )

    assert [e["code"] for e in body["data"]["register"]["userErrors"]] == ["NAME_TOO_LONG"]
    assert await users_db["users"].count_documents({}) == 0


UPDATE = """
mutation Update($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    user { id name phone }
    userErrors { field code }
  }
}"""


async def test_update_profile_changes_the_callers_own_profile(users_client, users_db):
    me = await register(users_client)
    token = me["accessToken"]

    body = await graphql(
        users_client,
        UPDATE,
        {"input": {"name": "New Name", "phone": "+1 415 555 0123"}},
        token=token,
    )
    assert body["data"]["updateProfile"] == {
        "user": {"id": me["user"]["id"], "name": "New Name", "phone": "+14155550123"},
        "userErrors": [],
    }

    cleared = await graphql(users_client, UPDATE, {"input": {"phone": None}}, token=token)
    assert cleared["data"]["updateProfile"]["user"]["phone"] is None
    assert cleared["data"]["updateProfile"]["user"]["name"] == "New Name"


async def test_update_profile_needs_a_token_and_valid_input(users_client, users_db):
    anonymous = await graphql(users_client, UPDATE, {"input": {"name": "X"}})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]

    me = await register(users_client)
    invalid = await graphql(
        users_client, UPDATE, {"input": {"name": "", "phone": "12"}}, token=me["accessToken"]
    )
    assert invalid["data"]["updateProfile"]["userErrors"] == [
        {"field": ["input", "name"], "code": "NAME_REQUIRED"},
        {"field": ["input", "phone"], "code": "INVALID_PHONE"},
    ]
    after = await graphql(users_client, ME, token=me["accessToken"])
    assert after["data"]["me"]["name"] == "Test User"


async def test_user_by_id_hides_contact_details_from_others(users_client, users_db):
    ann = await register(users_client)
    bob = await register(users_client)
    query = "query($id: ID!) { user(id: $id) { id name email phone } }"

    as_bob = await graphql(users_client, query, {"id": ann["user"]["id"]}, token=bob["accessToken"])
    as_ann = await graphql(users_client, query, {"id": ann["user"]["id"]}, token=ann["accessToken"])
    anonymous = await graphql(users_client, query, {"id": ann["user"]["id"]})

    assert as_bob["data"]["user"]["email"] is None
    assert as_ann["data"]["user"]["email"] == ann["user"]["email"]
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_entities_resolve_users_in_one_batched_query(users_client, users_db, command_log):
    users = [await register(users_client) for _ in range(5)]
    representations = [{"__typename": "User", "id": u["user"]["id"]} for u in users]
    representations.append({"__typename": "User", "id": "no-such-user"})
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }"
    database = users_db.name
    before = command_log.count(database, "find", "users")

    body = await graphql(users_client, query, {"r": representations}, token=users[0]["accessToken"])

    assert body["data"]["_entities"][:5] == [
        {"id": u["user"]["id"], "name": "Test User"} for u in users
    ]
    assert body["data"]["_entities"][5] is None
    assert command_log.count(database, "find", "users") - before == 1


async def test_entities_need_a_signed_in_caller(users_client, users_db):
    ann = await register(users_client)
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { name } } }"
    body = await graphql(
        users_client, query, {"r": [{"__typename": "User", "id": ann["user"]["id"]}]}
    )
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_entities_with_a_bad_representation_do_not_leak_python_errors(users_client):
    body = await graphql(users_client, "{ _entities(representations: [{}]) { __typename } }")
    assert error_codes(body) == ["BAD_USER_INPUT"]
    [error] = body["errors"]
    assert error["message"] == (
        "Invalid representation at index 0: __typename must be a non-empty string."
    )


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ me { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ me { id ", "GRAPHQL_PARSE_FAILED"),
    ],
)
async def test_bad_documents_get_a_clear_error(users_client, query, code):
    body = await graphql(users_client, query)
    assert error_codes(body) == [code]
    assert "data" not in body or body["data"] is None


async def test_malformed_json_gets_a_400_without_a_stack_trace(users_client):
    response = await users_client.post(
        "/graphql", content=b'{"query": "{ me { id }', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "Traceback" not in response.text


async def test_the_jwks_publishes_the_signing_key(users_client):
    response = await users_client.get("/.well-known/jwks.json")
    [key] = response.json()["keys"]
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
    assert key["kid"]
    assert "d" not in key


async def test_health_and_ready(users_client):
    assert (await users_client.get("/health")).json() == {"status": "ok"}
    public = await users_client.get("/ready")
    assert public.status_code == 200
    assert public.json() == {"status": "ready"}  # the public port names no internal part
    ready = await users_client.get(f"http://users:{INTERNAL_PORT}/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {
            "mongodb": {"ok": True},
            "redis": {"ok": True},
            "outbox-relay": {"ok": True},
            "staff-actions-consumer": {"ok": True},
            "deferred": {"ok": True},
        },
    }


async def test_metrics_are_served_on_the_internal_listener_only(users_client):
    assert (await users_client.get("/metrics")).status_code == 404
    internal = await users_client.get(f"http://users:{INTERNAL_PORT}/metrics")
    assert internal.status_code == 200
    assert "mongodb_commands_total" in internal.text


async def test_registration_and_profile_changes_are_published_as_events(
    users_client, users_db, redis_url
):
    me = await register(users_client)
    await graphql(users_client, UPDATE, {"input": {"name": "Evented"}}, token=me["accessToken"])
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        mine: list[Event] = []
        for _ in range(50):
            entries = await client.xrange("events.users")
            events = [Event.from_fields(fields) for _, fields in entries]
            mine = [e for e in events if e.payload.get("user_id") == me["user"]["id"]]
            if len(mine) == 3:
                break
            await asyncio.sleep(0.1)
    finally:
        await client.aclose()

    assert [(e.type, e.producer) for e in mine] == [
        ("users.registered", "users"),
        ("users.email_verification_requested", "users"),
        ("users.profile_updated", "users"),
    ]
    assert mine[0].payload["email"] == me["user"]["email"]
    assert "name" not in mine[1].payload  # mailed to an address nobody has verified yet
    assert mine[2].payload["name"] == "Evented"

    # The mailed link verifies the address, once.
    [token] = parse_qs(urlsplit(mine[1].payload["verify_url"]).query)["token"]
    verify = """mutation($t: String!) { verifyEmail(input: {token: $t}) {
      user { id } userErrors { code } } }"""
    first = await graphql(users_client, verify, {"t": token})
    again = await graphql(users_client, verify, {"t": token})
    assert first["data"]["verifyEmail"] == {"user": {"id": me["user"]["id"]}, "userErrors": []}
    assert again["data"]["verifyEmail"]["userErrors"] == [{"code": "INVALID_VERIFICATION_TOKEN"}]
    status = await graphql(users_client, "{ me { emailVerified } }", token=me["accessToken"])
    assert status["data"]["me"] == {"emailVerified": True}


async def test_after_five_wrong_passwords_the_subgraph_makes_the_next_attempt_wait(
    users_client, users_db
):
    email = unique_email("throttled")
    await register(users_client, email=email)
    wrong = {"input": {"email": email, "password": "wrong-password"}}

    codes = [
        (await graphql(users_client, LOGIN, wrong))["data"]["login"]["userErrors"][0]["code"]
        for _ in range(6)
    ]
    right = await graphql(
        users_client, LOGIN, {"input": {"email": email, "password": "password-123"}}
    )

    assert codes == ["INVALID_CREDENTIALS"] * 5 + ["RATE_LIMITED"]
    assert right["data"]["login"]["accessToken"] is None
    assert right["data"]["login"]["userErrors"][0]["code"] == "RATE_LIMITED"
    assert "try again in 30 seconds" in right["data"]["login"]["userErrors"][0]["message"]


async def test_parallel_guesses_cannot_slip_under_the_sign_in_limit(users_client, users_db):
    email = unique_email("parallel")
    await register(users_client, email=email)
    wrong = {"input": {"email": email, "password": "wrong-password"}}

    bodies = await asyncio.gather(*(graphql(users_client, LOGIN, wrong) for _ in range(10)))

    codes = sorted(b["data"]["login"]["userErrors"][0]["code"] for b in bodies)
    assert codes == ["INVALID_CREDENTIALS"] * 5 + ["RATE_LIMITED"] * 5
