"""The users flows through the gateway, as a frontend sees them."""

from __future__ import annotations

import pytest

from testkit.client import error_codes, graphql
from testkit.journeys import LOGIN, ME, REGISTER, register, unique_email

pytestmark = pytest.mark.e2e


async def test_register_login_me_and_update_profile(gateway):
    email = unique_email("e2e")
    registered = await register(gateway, email=email)

    body = await graphql(gateway, LOGIN, {"input": {"email": email, "password": "password-123"}})
    login = body["data"]["login"]
    assert login["userErrors"] == []
    token = login["accessToken"]

    me = await graphql(gateway, ME, token=token)
    assert me["data"]["me"]["id"] == registered["user"]["id"]
    assert me["data"]["me"]["email"] == email

    update = """mutation($input: UpdateProfileInput!) {
      updateProfile(input: $input) { user { name phone } userErrors { code } } }"""
    changed = await graphql(
        gateway, update, {"input": {"name": "Renamed", "phone": "+14155550123"}}, token=token
    )
    assert changed["data"]["updateProfile"] == {
        "user": {"name": "Renamed", "phone": "+14155550123"},
        "userErrors": [],
    }
    assert (await graphql(gateway, ME, token=token))["data"]["me"]["name"] == "Renamed"


async def test_me_is_null_without_a_token(gateway):
    assert (await graphql(gateway, ME))["data"] == {"me": None}


async def test_a_bad_token_is_unauthenticated(gateway):
    body = await graphql(gateway, ME, token="not-a-jwt")
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_a_duplicate_email_answers_as_a_new_one(gateway):
    email = unique_email("dup")
    await register(gateway, email=email)
    again = {"input": {"email": email, "password": "password-123", "name": "Again"}}
    new = {"input": {"email": unique_email("new"), "password": "password-123", "name": "New"}}
    taken, free = [await graphql(gateway, REGISTER, variables) for variables in (again, new)]
    assert taken == free == {"data": {"register": {"userErrors": []}}}


async def test_an_unknown_field_is_a_clear_error(gateway):
    body = await graphql(gateway, "{ me { nope } }")
    [error] = body["errors"]
    assert error["message"].startswith('Cannot query field "nope" on type "User".')
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_malformed_json_is_refused_without_a_stack_trace(gateway):
    response = await gateway.post(
        "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["message"] == "POST body sent invalid JSON."
    assert error["extensions"]["code"] == "BAD_REQUEST"


async def test_the_ide_is_served_on_get(gateway):
    response = await gateway.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "<html" in response.text.lower()
