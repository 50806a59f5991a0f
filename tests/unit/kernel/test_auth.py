"""Token verification: only well-signed, current tokens of the configured algorithm pass."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from subgraphs.kernel.graphql.auth import (
    REVOCATION_CACHE_SECONDS,
    JwtVerifier,
    RequestAuth,
    bearer_token,
    jwks_from_json,
    static_keys,
)
from subgraphs.kernel.graphql.public_errors import Unauthenticated
from subgraphs.kernel.process.settings import AuthSettings
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


class Revoked:
    """Revoked sessions held in memory (the deny-list's readers' port)."""

    def __init__(self) -> None:
        self.sessions: set[str] = set()

    async def revoked(self, session_id: str) -> bool:
        return session_id in self.sessions


async def test_a_token_of_a_revoked_session_is_refused_even_after_it_was_remembered():
    revoked = Revoked()
    verifier = JwtVerifier(SETTINGS, static_keys(jwks_from_json(jwks(KEY))), revoked=revoked)
    token, other = sign(claims(sid="s-1")), sign(claims(sid="s-2"))
    assert (await verifier.verify(token)).claims["sid"] == "s-1"

    revoked.sessions.add("s-1")

    with pytest.raises(Unauthenticated):
        await verifier.verify(token)
    assert (await verifier.verify(other)).user_id == "user-1"
    assert (await verifier.verify(sign(claims()))).user_id == "user-1"  # no session: no check


async def test_a_long_lived_connection_is_refused_once_its_session_is_revoked():
    revoked = Revoked()
    verifier = JwtVerifier(SETTINGS, static_keys(jwks_from_json(jwks(KEY))), revoked=revoked)
    now = [datetime.now(UTC)]
    auth = RequestAuth(verifier, lambda: sign(claims(sid="s-ws")), clock=lambda: now[0])
    assert await auth.principal() is not None

    revoked.sessions.add("s-ws")
    assert await auth.principal() is not None  # checked again only after a short while
    now[0] += timedelta(seconds=REVOCATION_CACHE_SECONDS)

    with pytest.raises(Unauthenticated):
        await auth.principal()


class CountingKeys:
    """A key lookup over fixed keys that counts lookups; `replace` swaps the key objects."""

    def __init__(self, *keys: Any) -> None:
        self._jwks = jwks(*keys)
        self.keys = jwks_from_json(self._jwks)
        self.lookups = 0

    async def __call__(self, kid: str) -> jwt.PyJWK | None:
        self.lookups += 1
        return self.keys.get(kid)

    def replace(self) -> None:
        """A refetch: equal keys, new objects (as `JwksKeys` after a refresh)."""
        self.keys = jwks_from_json(self._jwks)


@pytest.fixture
def signatures(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens whose signature was checked (every `jwt.decode` call), in order."""
    checked: list[str] = []
    decode = jwt.decode

    def counting(token: str, *args: Any, **kwargs: Any) -> Any:
        checked.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    return checked


def clock_at(seconds: float) -> list[datetime]:
    return [datetime.fromtimestamp(seconds, UTC)]


async def test_a_verified_token_is_remembered_and_not_checked_again(signatures: list[str]):
    keys = CountingKeys(KEY)
    verifier = JwtVerifier(SETTINGS, keys)
    token = sign(claims())
    first = await verifier.verify(token)
    again = await verifier.verify(token)
    assert again == first
    assert again.user_id == "user-1"
    assert len(signatures) == 1
    assert verifier.cached == 1


async def test_a_remembered_token_still_expires_on_time_by_the_verifiers_clock():
    expires = int(time.time()) + 60
    now = clock_at(expires - 1)
    keys = CountingKeys(KEY)
    verifier = JwtVerifier(AuthSettings(leeway_seconds=0), keys, clock=lambda: now[0])
    token = sign(claims(exp=expires))
    assert (await verifier.verify(token)).user_id == "user-1"
    assert (await verifier.verify(token)).user_id == "user-1"  # from the cache
    now[0] = datetime.fromtimestamp(expires, UTC)
    with pytest.raises(Unauthenticated):
        await verifier.verify(token)
    assert verifier.cached == 0
    with pytest.raises(Unauthenticated):  # and not re-admitted by a fresh check either
        await verifier.verify(token)
    assert verifier.cached == 0


async def test_the_leeway_counts_for_a_remembered_token_as_for_a_fresh_one():
    expires = int(time.time()) + 60
    now = clock_at(expires + 4)
    verifier = JwtVerifier(AuthSettings(leeway_seconds=5), CountingKeys(KEY), clock=lambda: now[0])
    token = sign(claims(exp=expires))
    await verifier.verify(token)
    now[0] = datetime.fromtimestamp(expires + 5, UTC)
    with pytest.raises(Unauthenticated):
        await verifier.verify(token)


def tampered(token: str) -> list[str]:
    header, body, signature = token.split(".")
    other_body = b64({**claims(), "sub": "user-2"})
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    return [
        f"{header}.{other_body}.{signature}",  # someone else's identity, the original signature
        f"{header}.{body}.{flipped}",  # a damaged signature
        f"{header}.{body}.",  # no signature
        f"{token}x",  # trailing garbage
    ]


async def test_a_tampered_token_is_refused_even_after_its_original_was_remembered():
    keys = CountingKeys(KEY)
    verifier = JwtVerifier(SETTINGS, keys)
    token = sign(claims())
    await verifier.verify(token)
    for bad in tampered(token):
        with pytest.raises(Unauthenticated):
            await verifier.verify(bad)
        with pytest.raises(Unauthenticated):  # twice: a refusal is not remembered as a pass
            await verifier.verify(bad)
    assert verifier.cached == 1
    assert (await verifier.verify(token)).user_id == "user-1"


async def test_a_refused_token_is_never_remembered():
    verifier = JwtVerifier(SETTINGS, CountingKeys(KEY))
    for bad in [
        sign(claims(exp=int(time.time()) - 60)),
        sign(claims(aud="someone-else")),
        sign(claims(), key=new_key(), kid=KEY.kid),
        "not.a.token",
    ]:
        with pytest.raises(Unauthenticated):
            await verifier.verify(bad)
    assert verifier.cached == 0


async def test_the_cache_is_bounded_and_drops_the_least_recently_used_token(signatures: list[str]):
    keys = CountingKeys(KEY)
    verifier = JwtVerifier(SETTINGS, keys, cache_size=3)
    tokens = [sign(claims(sub=f"user-{n}")) for n in range(5)]
    for token in tokens[:3]:
        await verifier.verify(token)
    await verifier.verify(tokens[0])  # used again: now the most recent
    for token in tokens[3:]:
        await verifier.verify(token)
    assert verifier.cached == 3
    assert len(signatures) == 5
    await verifier.verify(tokens[0])  # kept
    assert len(signatures) == 5
    await verifier.verify(tokens[1])  # dropped first: checked again
    assert len(signatures) == 6
    assert verifier.cached == 3


async def test_a_cache_size_of_zero_checks_every_time(signatures: list[str]):
    keys = CountingKeys(KEY)
    verifier = JwtVerifier(SETTINGS, keys, cache_size=0)
    token = sign(claims())
    await verifier.verify(token)
    await verifier.verify(token)
    assert len(signatures) == 2
    assert verifier.cached == 0


async def test_new_keys_make_a_remembered_token_checked_again_and_an_unknown_kid_looks_up(
    signatures: list[str],
):
    keys = CountingKeys(KEY)
    verifier = JwtVerifier(SETTINGS, keys)
    token = sign(claims())
    await verifier.verify(token)
    keys.replace()  # the JWKS was refetched
    await verifier.verify(token)
    assert signatures == [token, token]
    rotated = new_key()  # a token signed with a key the lookup does not know yet
    lookups = keys.lookups
    with pytest.raises(Unauthenticated):
        await verifier.verify(sign(claims(), key=rotated))
    assert keys.lookups == lookups + 1
    keys.keys = jwks_from_json(jwks(rotated))  # the rotation published; the old key withdrawn
    assert (await verifier.verify(sign(claims(), key=rotated))).user_id == "user-1"
    with pytest.raises(Unauthenticated):  # the old key's token, remembered, is no longer good
        await verifier.verify(token)
