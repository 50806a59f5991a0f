"""The session and password operations, as a frontend sends them (integration and e2e)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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


ISSUER, AUDIENCE = "commerce-users", "commerce"


def mint_access_token(
    users_url: str,
    private_pem: bytes,
    *,
    subject: str,
    scope: str = "",
    role: str | None = None,
    lifetime_seconds: int = 300,
) -> str:
    """An access token the users subgraph never issued, signed with its key (`users_signing_key`
    in tests/e2e/conftest.py): `subject` with `scope` (space-separated) and `role` claims, so the
    gateway and every subgraph accept it as theirs."""
    response = httpx.get(f"{users_url}/.well-known/jwks.json")
    response.raise_for_status()
    [jwk] = response.json()["keys"]
    key = serialization.load_pem_private_key(private_pem, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + lifetime_seconds,
    }
    if scope:
        claims["scope"] = scope
    if role:
        claims["role"] = role
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": jwk["kid"]})
