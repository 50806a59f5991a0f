"""Token verification: only well-signed, current tokens of the configured algorithm pass."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from subgraphs.kernel.auth import (
    JwtVerifier,
    RequestAuth,
    bearer_token,
    jwks_from_json,
    static_keys,
)
from subgraphs.kernel.graphql_errors import Unauthenticated
from subgraphs.kernel.settings import AuthSettings
from subgraphs.users.credentials.signing_keys import jwks, signing_key_from_pem

SETTINGS = AuthSettings(issuer="commerce-users", audience="commerce")


def new_key():
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signing_key_from_pem(pem)


KEY = new_key()
VERIFIER = JwtVerifier(SETTINGS, static_keys(jwks_from_json(jwks(KEY))))


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": "user-1",
        "iss": "commerce-users",
        "aud": "commerce",
        "iat": now,
        "exp": now + 60,
        **overrides,
    }


def sign(payload: dict[str, Any], key=KEY, kid: str | None = None) -> str:
    return jwt.encode(payload, key.private_key, algorithm="EdDSA", headers={"kid": kid or key.kid})


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_a_valid_token_names_its_subject():
    principal = await VERIFIER.verify(sign(claims()))
    assert principal.user_id == "user-1"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(sign(claims(exp=int(time.time()) - 60)), id="expired"),
        pytest.param(sign(claims(aud="someone-else")), id="wrong-audience"),
        pytest.param(sign(claims(iss="someone-else")), id="wrong-issuer"),
        pytest.param(sign({k: v for k, v in claims().items() if k != "exp"}), id="no-expiry"),
        pytest.param(sign(claims(), key=new_key()), id="unknown-key"),
        pytest.param(sign(claims(), key=new_key(), kid=KEY.kid), id="forged-with-known-kid"),
        pytest.param("not.a.token", id="garbage"),
    ],
)
async def test_bad_tokens_are_unauthenticated(token: str):
    with pytest.raises(Unauthenticated):
        await VERIFIER.verify(token)


async def test_alg_none_is_refused():
    token = f"{b64({'alg': 'none', 'kid': KEY.kid})}.{b64(claims())}."
    with pytest.raises(Unauthenticated):
        await VERIFIER.verify(token)


async def test_hs256_signed_with_the_public_key_is_refused():
    public = KEY.private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    header = b64({"alg": "HS256", "kid": KEY.kid, "typ": "JWT"})
    body = b64(claims())
    import hashlib
    import hmac

    signature = hmac.new(public, f"{header}.{body}".encode(), hashlib.sha256).digest()
    token = f"{header}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    with pytest.raises(Unauthenticated):
        await VERIFIER.verify(token)


def test_bearer_token_comes_from_the_header_or_the_websocket_init_payload():
    assert bearer_token({"authorization": "Bearer abc"}, None) == "abc"
    assert bearer_token({}, {"Authorization": "Bearer xyz"}) == "xyz"
    assert bearer_token({}, None) is None
    with pytest.raises(Unauthenticated):
        bearer_token({"authorization": "Basic dXNlcjpwYXNz"}, None)


async def test_request_auth_is_anonymous_without_a_token_and_requires_one_on_demand():
    auth = RequestAuth(VERIFIER, lambda: None)
    assert await auth.principal() is None
    with pytest.raises(Unauthenticated):
        await auth.require()


async def test_an_expired_token_is_refused_even_after_it_was_verified():
    strict = JwtVerifier(AuthSettings(leeway_seconds=0), static_keys(jwks_from_json(jwks(KEY))))
    expires = int(time.time()) + 60
    now = [datetime.fromtimestamp(expires - 1, UTC)]
    auth = RequestAuth(strict, lambda: sign(claims(exp=expires)), clock=lambda: now[0])
    assert await auth.principal() is not None
    now[0] = datetime.fromtimestamp(expires, UTC)  # a WebSocket connection outlives its token
    with pytest.raises(Unauthenticated):
        await auth.principal()
