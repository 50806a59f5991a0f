"""Helpers shared by the GraphQL tests: one request, and the users flows."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    user { id email name phone }
    accessToken
    expiresAt
    userErrors { field message code }
  }
}"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    accessToken
    expiresAt
    user { id email }
    userErrors { field message code }
  }
}"""

ME = "query { me { id email name phone createdAt } }"


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    path: str = "/graphql",
) -> dict[str, Any]:
    """POST one operation; returns the decoded body (asserting it is JSON)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        path, json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.headers["content-type"].startswith("application/"), response.text
    body: dict[str, Any] = response.json()
    return body


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


async def register(
    client: httpx.AsyncClient, *, email: str | None = None, password: str = "password-123"
) -> dict[str, Any]:
    """Register a fresh user; returns the payload (user, accessToken) and asserts success."""
    email = email or unique_email()
    body = await graphql(
        client, REGISTER, {"input": {"email": email, "password": password, "name": "Test User"}}
    )
    payload: dict[str, Any] = body["data"]["register"]
    assert payload["userErrors"] == [], payload
    return payload


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
