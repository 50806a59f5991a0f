"""The session and password operations, as a frontend sends them (integration and e2e)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from testkit.client import graphql
from testkit.journeys import LOGIN, PASSWORD

REFRESH = """
mutation Refresh($input: RefreshSessionInput!) {
  refreshSession(input: $input) {
    accessToken expiresAt refreshToken refreshExpiresAt
    user { id email }
    userErrors { field message code }
  }
}"""

LOGOUT = """
mutation Logout($input: LogoutInput!) { logout(input: $input) { userErrors { code } } }"""

LOGOUT_EVERYWHERE = """
mutation { logoutEverywhere { revokedSessions userErrors { code } } }"""

CHANGE_PASSWORD = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) { userErrors { field message code } }
}"""  # noqa: S105 (a mutation, not a password)

REQUEST_RESET = """
mutation Forgot($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { userErrors { field message code } }
}"""

RESET = """
mutation Reset($input: ResetPasswordInput!) {
  resetPassword(input: $input) { userErrors { field message code } }
}"""


def codes(payload: dict[str, Any]) -> list[str]:
    """The codes of a payload's userErrors."""
    return [e["code"] for e in payload["userErrors"]]


async def refresh(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    body = await graphql(client, REFRESH, {"input": {"refreshToken": token}})
    payload: dict[str, Any] = body["data"]["refreshSession"]
    return payload


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    body = await graphql(client, LOGIN, {"input": {"email": email, "password": password}})
    payload: dict[str, Any] = body["data"]["login"]
    return payload


async def reset_password(client: httpx.AsyncClient, token: str, new: str) -> dict[str, Any]:
    body = await graphql(client, RESET, {"input": {"token": token, "newPassword": new}})
    payload: dict[str, Any] = body["data"]["resetPassword"]
    return payload


def change_password_input(current: str, new: str) -> dict[str, Any]:
    return {"input": {"currentPassword": current, "newPassword": new}}


def token_of(link: str) -> str:
    """The one-time token in a reset link."""
    [token] = parse_qs(urlsplit(link).query)["token"]
    return token
