"""Access-token verification shared by every subgraph.

Tokens are JWTs issued by the users subgraph, signed with an asymmetric key
named by `kid`. Subgraphs verify them themselves (never trusting the gateway)
against the users JWKS; the users subgraph verifies against its own keys.
Only the configured algorithms are accepted, so `none` and HS256-with-the-
public-key tokens are refused.

A verifier remembers the tokens it verified (a bounded LRU keyed by the
whole token) until each one expires by its clock, so a caller's token costs
one signature check per process rather than one per request and subgraph.
Only tokens that passed every check are remembered; a tampered token is a
different string and is verified from scratch; a remembered token is
checked again once the key it was verified with is no longer the one the
key lookup returns (the JWKS was refetched).

A token names its session (`sid`). Once the session is revoked (logout,
logout everywhere, password changed or reset, refresh-token reuse) the users
subgraph writes `revoked_session_key(sid)` to Redis, kept as long as an
access token lives; a verifier given `revoked` refuses such tokens, cached
tokens included, asking Redis at most once per session every
`REVOCATION_CACHE_SECONDS`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

import httpx
import jwt
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from subgraphs.kernel.core.access import Scope, scopes_from_claim
from subgraphs.kernel.core.clock import Clock, utc_now
from subgraphs.kernel.graphql.public_errors import Forbidden, Unauthenticated
from subgraphs.kernel.process.settings import AuthSettings

log = logging.getLogger(__name__)

_INVALID_TOKEN = "Invalid or expired access token."  # noqa: S105 (a message)


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller."""

    user_id: str
    claims: Mapping[str, Any] = field(default_factory=dict)
    # The token's `exp` plus the verifier's leeway, in epoch seconds.
    valid_until: float = float("inf")

    def expired(self, now: datetime) -> bool:
        """True once the token has run out (a WebSocket connection outlives its token)."""
        return now.timestamp() >= self.valid_until

    @property
    def scopes(self) -> frozenset[str]:
        """What the token's `scope` claim grants (none for a customer)."""
        return scopes_from_claim(self.claims.get("scope"))

    def has_scope(self, scope: Scope) -> bool:
        return scope.value in self.scopes

    def may_read(self, owner_id: str, scope: Scope) -> bool:
        """The owner of the data, or a caller whose token grants `scope` over everyone's."""
        return self.user_id == owner_id or self.has_scope(scope)


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Principal: ...


class RevokedSessions(Protocol):
    async def revoked(self, session_id: str) -> bool:
        """True once the session was revoked (for as long as its access tokens could live)."""


REVOCATION_CACHE_SECONDS = 0.5


def revoked_session_key(session_id: str) -> str:
    """The Redis key that marks a session revoked (written by users, read by every verifier)."""
    return f"auth:revoked-session:{session_id}"


class RedisRevokedSessions:
    """Revoked sessions read from Redis, each answer kept `REVOCATION_CACHE_SECONDS`.

    Redis unreachable: the last answer for the session stands, else "not
    revoked" (logged). Refusing every signed-in request while Redis is down
    would stop orders, which are taken while Redis is down; the window is
    the outage, and tokens expire within `access_token_ttl_seconds` anyway.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        cache_seconds: float = REVOCATION_CACHE_SECONDS,
        now: Callable[[], float] = time.monotonic,
        cache_size: int = 100_000,
    ) -> None:
        self._redis = redis
        self._cache_seconds = cache_seconds
        self._now = now
        self._cache_size = cache_size
        self._known: OrderedDict[str, tuple[bool, float]] = OrderedDict()

    async def revoked(self, session_id: str) -> bool:
        known = self._known.get(session_id)
        if known is not None and self._now() - known[1] < self._cache_seconds:
            return known[0]
        try:
            revoked = bool(await self._redis.exists(revoked_session_key(session_id)))
        except (RedisError, OSError) as exc:
            log.warning("revoked-session check failed", extra={"error": str(exc)})
            return known[0] if known is not None else False
        self._known[session_id] = (revoked, self._now())
        self._known.move_to_end(session_id)
        if len(self._known) > self._cache_size:
            self._known.popitem(last=False)
        return revoked


KeyLookup = Callable[[str], Awaitable[jwt.PyJWK | None]]


class _Verified(NamedTuple):
    principal: Principal
    kid: str
    key: jwt.PyJWK  # the key object it was verified with (identity: a refetch replaces it)


class JwtVerifier:
    """Verifies a token's signature, algorithm, issuer, audience and lifetime.

    Verified tokens are remembered (at most `cache_size`, least recently
    used dropped first) until they expire by `clock`.
    """

    def __init__(
        self,
        settings: AuthSettings,
        keys: KeyLookup,
        *,
        clock: Clock = utc_now,
        cache_size: int | None = None,
        revoked: RevokedSessions | None = None,
    ) -> None:
        self._settings = settings
        self._keys = keys
        self._clock = clock
        self._revoked = revoked
        self._cache_size = settings.token_cache_size if cache_size is None else cache_size
        self._verified: OrderedDict[str, _Verified] = OrderedDict()

    @property
    def cached(self) -> int:
        """How many verified tokens are remembered now."""
        return len(self._verified)

    async def verify(self, token: str) -> Principal:
        principal = await self._verify_token(token)
        session_id = principal.claims.get("sid")
        revoked = self._revoked
        if (
            revoked is not None
            and isinstance(session_id, str)
            and await revoked.revoked(session_id)
        ):
            raise Unauthenticated(_INVALID_TOKEN)
        return principal

    async def _verify_token(self, token: str) -> Principal:
        remembered = self._verified.get(token)
        if remembered is not None:
            if remembered.principal.expired(self._clock()):
                del self._verified[token]
                raise Unauthenticated(_INVALID_TOKEN)
            if await self._keys(remembered.kid) is remembered.key:
                self._verified.move_to_end(token)
                return remembered.principal
            del self._verified[token]  # the keys changed: check it against the current ones
        verified = await self._verify(token)
        if verified.principal.expired(self._clock()):
            raise Unauthenticated(_INVALID_TOKEN)
        if self._cache_size > 0:
            self._verified[token] = verified
            if len(self._verified) > self._cache_size:
                self._verified.popitem(last=False)
        return verified.principal

    async def _verify(self, token: str) -> _Verified:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated(_INVALID_TOKEN) from exc
        kid = header.get("kid")
        if not isinstance(kid, str) or header.get("alg") not in self._settings.algorithms:
            raise Unauthenticated(_INVALID_TOKEN)
        key = await self._keys(kid)
        if key is None:
            raise Unauthenticated(_INVALID_TOKEN)
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=self._settings.algorithms,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(_INVALID_TOKEN) from exc
        principal = Principal(
            user_id=str(claims["sub"]),
            claims=MappingProxyType(claims),
            valid_until=float(claims["exp"]) + self._settings.leeway_seconds,
        )
        return _Verified(principal, kid, key)


class JwksKeys:
    """Signing keys fetched from a JWKS URL, cached, refetched for an unknown `kid`.

    At most one fetch runs at a time, and after any attempt (failed or not)
    an unknown `kid` triggers no new one for `jwks_min_refresh_seconds`: a
    slow or down users subgraph, or tokens with made-up `kid`s, cannot make
    every request wait on a fetch. Failed fetches keep the keys we had.
    """

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")  # last successful fetch
        self._attempted_at = float("-inf")  # last attempt, successful or not
        self._lock = asyncio.Lock()

    async def __call__(self, kid: str) -> jwt.PyJWK | None:
        if self._lock.locked():
            if not self._keys:  # the first fetch is running: wait for it
                async with self._lock:
                    pass
            return self._keys.get(kid)  # otherwise serve what we have meanwhile
        if self._should_fetch(kid):
            async with self._lock:
                self._attempted_at = time.monotonic()
                await self._refresh()
        return self._keys.get(kid)

    def _should_fetch(self, kid: str) -> bool:
        now = time.monotonic()
        if now - self._attempted_at < self._settings.jwks_min_refresh_seconds:
            return False
        stale = now - self._fetched_at >= self._settings.jwks_cache_seconds
        return stale or kid not in self._keys

    async def _refresh(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(self._settings.jwks_url)
                response.raise_for_status()
                keys = jwks_from_json(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            # Keep the keys we had; the caller sees an unknown key as a bad token.
            url = self._settings.jwks_url
            log.warning("jwks fetch failed", extra={"url": url, "error": str(exc)})
            return
        self._keys = keys
        self._fetched_at = time.monotonic()


def jwks_verifier(
    settings: AuthSettings, *, clock: Clock = utc_now, revoked: RevokedSessions | None = None
) -> JwtVerifier:
    """The verifier every subgraph but users uses: keys from the users JWKS."""
    return JwtVerifier(settings, JwksKeys(settings), clock=clock, revoked=revoked)


def jwks_from_json(document: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    """Parse a JWKS document into keys by `kid`, skipping keys without one."""
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document.get("keys", []):
        if isinstance(entry, dict) and isinstance(entry.get("kid"), str):
            keys[entry["kid"]] = jwt.PyJWK(entry)
    return keys


def static_keys(keys: Mapping[str, jwt.PyJWK]) -> KeyLookup:
    """A key lookup over keys held in process (the issuer's own)."""

    async def lookup(kid: str) -> jwt.PyJWK | None:
        return keys.get(kid)

    return lookup


def bearer_token(
    headers: Mapping[str, str], connection_params: Mapping[str, Any] | None
) -> str | None:
    """The token from `Authorization: Bearer <t>`, or from a WebSocket `connection_init`."""
    value = headers.get("authorization")
    if value is None and connection_params:
        raw = connection_params.get("Authorization", connection_params.get("authorization"))
        value = raw if isinstance(raw, str) else None
    if value is None or not value.strip():
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header must be 'Bearer <token>'.")
    return token.strip()


class RequestAuth:
    """The caller of one request (or WebSocket connection), verified lazily."""

    def __init__(
        self, verifier: TokenVerifier, token: Callable[[], str | None], *, clock: Clock = utc_now
    ) -> None:
        self._verifier = verifier
        self._token = token
        self._clock = clock
        self._principal: Principal | None = None
        self._token_value: str | None = None
        self._verified_at: datetime | None = None

    async def principal(self) -> Principal | None:
        """The verified caller, or None for an anonymous request; a bad or expired token raises.

        Expiry is checked on every call, and the token verified again (its
        session may have been revoked) once `REVOCATION_CACHE_SECONDS` have
        passed since the last time: a WebSocket connection keeps its context
        (and so its caller) for as long as it is open.
        """
        now = self._clock()
        if self._verified_at is None or (
            self._principal is not None
            and (now - self._verified_at).total_seconds() >= REVOCATION_CACHE_SECONDS
        ):
            if self._verified_at is None:
                self._token_value = self._token()
            token = self._token_value
            self._principal = await self._verifier.verify(token) if token else None
            self._verified_at = now
        if self._principal is not None and self._principal.expired(now):
            raise Unauthenticated(_INVALID_TOKEN)
        return self._principal

    async def require(self) -> Principal:
        """The verified caller; anonymous requests raise `Unauthenticated`."""
        principal = await self.principal()
        if principal is None:
            raise Unauthenticated()
        return principal

    async def require_scope(self, scope: Scope) -> Principal:
        """The caller holding `scope`; anonymous raises `Unauthenticated`, others `Forbidden`."""
        principal = await self.require()
        if not principal.has_scope(scope):
            raise Forbidden()
        return principal
